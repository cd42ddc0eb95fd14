//! Administrators steering the links to partner posts' nodes, over the JSON API and on the
//! partners page, with real nodes on loopback: pointing a link at a node, a link pointed at
//! the wrong node (its messages wait, nothing is lost), pausing and resuming, and the messages
//! a partner quarantined and the ones we quarantined.

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode};
use barid_core::Role;
use barid_store::contract::world::{self, T0, cc, cli};
use barid_web::exchange_messages;
use serde_json::{Value, json};

use crate::partner_exchange::{Node, dispatcher, egypt_dispatches};
use crate::support::{Caller, Reply, TestApp};

async fn api(
    app: &TestApp,
    caller: &Caller,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let body = body.map(|body| body.to_string());
    app.call(caller, method, path, body.as_deref()).await
}

fn link<'a>(links: &'a Value, partner: &str) -> &'a Value {
    links["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|link| link["partner"] == partner)
        .unwrap_or_else(|| panic!("no link to {partner} in {links}"))
}

async fn links(app: &TestApp, caller: &Caller) -> Value {
    let reply = api(app, caller, Method::GET, "/api/v1/partners", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

/// Egypt's item `serial` leaving its office of exchange in Cairo at `at`, as an EMSEVT says.
fn departed_cairo(serial: u32, at: time::OffsetDateTime) -> barid_messages::TrackingEvent {
    let reference = barid_core::ReferenceData::embedded().unwrap();
    barid_messages::TrackingEvent {
        s10: world::s10(serial),
        code: reference
            .code_for(barid_core::Milestone::DepartedOutwardOffice)
            .unwrap(),
        milestone: barid_core::Milestone::DepartedOutwardOffice,
        at,
        office: world::site("EGCAIA"),
        reason: None,
        next_action: None,
        signatory: None,
        note: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_point_pause_and_resume_partner_links_and_see_what_was_refused() {
    let egypt = Node::start("EG").await;
    let jordan = Node::start("JO").await;
    let palestine = Node::start("PS").await;
    let admin = Caller::Token(egypt.app.token("EG", Role::Admin).await.0);
    let supervisor = Caller::Token(egypt.app.token("EG", Role::Supervisor).await.0);

    // Egypt's administrator points the link to Palestine at Jordan's node by mistake.
    let to_jordan = jordan.issue_partner_token("JO", "EG").await;
    let reply = api(
        &egypt.app,
        &admin,
        Method::PUT,
        "/api/v1/partners/PS/endpoint",
        Some(json!({"url": format!("{}/", jordan.url()), "token": to_jordan})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let set = reply.json();
    assert_eq!(
        set["url"],
        jordan.url(),
        "the trailing slash is dropped: {set}"
    );
    assert_eq!(set["paused"], false);
    assert!(set.get("token").is_none() && !reply.text().contains(&to_jordan));

    // What cannot be a link is refused, and changes nothing.
    for (path, body, code) in [
        (
            "/api/v1/partners/PS/endpoint",
            json!({"url": "ftp://barid.palpost.ps", "token": "t"}),
            "invalid_body",
        ),
        (
            "/api/v1/partners/PS/endpoint",
            json!({"url": "https://barid.palpost.ps", "token": "  "}),
            "invalid_body",
        ),
        (
            "/api/v1/partners/EG/endpoint",
            json!({"url": "https://barid.egyptpost.eg", "token": "t"}),
            "refused",
        ),
    ] {
        let reply = api(&egypt.app, &admin, Method::PUT, path, Some(body.clone())).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(
            reply.error_code().as_deref(),
            Some(code),
            "{}",
            reply.text()
        );
    }
    let reply = api(
        &egypt.app,
        &admin,
        Method::POST,
        "/api/v1/partners/LY/pause",
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.text().contains("no_endpoint"), "{}", reply.text());
    assert_eq!(
        link(&links(&egypt.app, &supervisor).await, "PS")["url"],
        jordan.url()
    );

    // A dispatch for Palestine: its PREDES, ITMATT and EMSEVT go to Jordan's node, which
    // refuses them without keeping them. They wait in Egypt's outbox, with the reason.
    egypt_dispatches(&egypt.app, 1..=2).await;
    let now = T0 + time::Duration::hours(2);
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), now)
        .await
        .unwrap();
    assert_eq!((sent.delivered, sent.failed), (0, 3), "{sent:?}");
    let watched = links(&egypt.app, &supervisor).await;
    let ps = link(&watched, "PS");
    assert_eq!(ps["pending"], 3, "{ps}");
    assert_eq!(ps["rejected"], 0, "{ps}");
    assert!(
        ps["last_error"]
            .as_str()
            .unwrap()
            .contains("recipient_mismatch"),
        "{ps}"
    );
    // Jordan's own PREDES has no endpoint yet: it waits too.
    assert_eq!(link(&watched, "JO")["url"], Value::Null);
    assert_eq!(link(&watched, "JO")["pending"], 1);
    let page = egypt
        .app
        .call(&supervisor, Method::GET, "/partners", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains(r#"data-partner="PS" data-state="failing" data-pending="3""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-partner="JO" data-state="no-endpoint""#),
        "{html}"
    );
    assert!(html.contains("recipient_mismatch"), "{html}");
    // A supervisor watches; only an administrator has the buttons.
    assert!(!html.contains(r#"action="/partners/PS/pause""#), "{html}");

    // The administrator pauses the link on the page, then puts it right through the API.
    let person = Caller::Person(egypt.app.login("EG", Role::Admin).await);
    let page = egypt
        .app
        .call(&person, Method::GET, "/partners", None)
        .await;
    assert!(
        page.text().contains(r#"action="/partners/PS/pause""#),
        "{}",
        page.text()
    );
    let paused = egypt.app.post_form(&person, "/partners/PS/pause", "").await;
    assert_eq!(paused.status, StatusCode::SEE_OTHER, "{}", paused.text());
    assert_eq!(
        paused.header("location"),
        Some("/partners?done=paused&partner=PS")
    );
    let page = egypt
        .app
        .call(
            &person,
            Method::GET,
            "/partners?done=paused&partner=PS",
            None,
        )
        .await;
    let html = page.text();
    assert!(
        html.contains(r#"data-done="paused" data-partner="PS""#),
        "{html}"
    );
    assert!(
        html.contains(r#"data-partner="PS" data-state="paused""#),
        "{html}"
    );
    assert!(html.contains(r#"action="/partners/PS/resume""#), "{html}");
    let refused = egypt.app.post_form(&person, "/partners/LY/pause", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().contains(r#"data-code="no_endpoint""#),
        "{}",
        refused.text()
    );

    let to_palestine = palestine.issue_partner_token("PS", "EG").await;
    let reply = api(
        &egypt.app,
        &admin,
        Method::PUT,
        "/api/v1/partners/PS/endpoint",
        Some(json!({"url": palestine.url(), "token": to_palestine})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["paused"], true, "a paused link stays paused");
    // Paused: nothing goes, whenever the dispatcher runs.
    let later = now + time::Duration::hours(3);
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), later)
        .await
        .unwrap();
    assert_eq!(sent.delivered, 0, "{sent:?}");
    assert!(
        palestine
            .app
            .store
            .item(cc("PS"), &world::s10(1))
            .await
            .unwrap()
            .is_none()
    );

    // Resumed: the two waiting messages reach Palestine, in order, nothing lost.
    let reply = api(
        &egypt.app,
        &admin,
        Method::POST,
        "/api/v1/partners/PS/resume",
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["paused"], false);
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), later)
        .await
        .unwrap();
    assert_eq!(sent.delivered, 3, "{sent:?}");
    for serial in 1..=2 {
        assert!(
            palestine
                .app
                .store
                .item(cc("PS"), &world::s10(serial))
                .await
                .unwrap()
                .is_some()
        );
    }
    let ps = link(&links(&egypt.app, &supervisor).await, "PS").clone();
    assert_eq!(ps["pending"], 0, "{ps}");
    assert!(ps["last_delivered_at"].is_string(), "{ps}");

    // Events on an item Palestine never heard of: Palestine quarantines the message and says
    // why; Egypt keeps the refusal for its administrators. The message after it goes through.
    let event = |serial: u32| departed_cairo(serial, T0 + time::Duration::hours(3));
    let mut messages = exchange_messages::emsevt(cc("EG"), cc("PS"), vec![event(77)], T0).unwrap();
    messages.extend(exchange_messages::emsevt(cc("EG"), cc("PS"), vec![event(1)], T0).unwrap());
    egypt
        .app
        .store
        .enqueue_messages(&cli("EG"), &messages)
        .await
        .unwrap();
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), later)
        .await
        .unwrap();
    assert_eq!((sent.delivered, sent.rejected), (2, 1), "{sent:?}");
    let reply = api(
        &egypt.app,
        &supervisor,
        Method::GET,
        "/api/v1/exchange/rejections",
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let rejections = reply.json();
    assert_eq!(
        rejections["items"].as_array().unwrap().len(),
        1,
        "{rejections}"
    );
    let rejection = &rejections["items"][0];
    assert_eq!(rejection["partner"], "PS");
    assert_eq!(rejection["message_type"], "EMSEVT");
    assert_eq!(rejection["code"], "not_applicable");
    assert!(
        rejection["reason"]
            .as_str()
            .unwrap()
            .contains(&world::s10(77).to_string()),
        "{rejection}"
    );
    assert_eq!(
        link(&links(&egypt.app, &supervisor).await, "PS")["rejected"],
        1
    );

    // Palestine's administrators see the same message in their quarantine.
    let ps_admin = Caller::Token(palestine.app.token("PS", Role::Admin).await.0);
    let quarantine = api(
        &palestine.app,
        &ps_admin,
        Method::GET,
        "/api/v1/exchange/quarantine",
        None,
    )
    .await
    .json();
    assert_eq!(
        quarantine["items"].as_array().unwrap().len(),
        1,
        "{quarantine}"
    );
    assert_eq!(quarantine["items"][0]["sender"], "EG");
    assert_eq!(
        quarantine["items"][0]["message_id"],
        rejection["message_id"]
    );
    assert_eq!(
        link(&links(&palestine.app, &ps_admin).await, "EG")["quarantined"],
        1
    );
    let page = palestine
        .app
        .call(&ps_admin, Method::GET, "/partners?lang=ar", None)
        .await;
    let html = page.text();
    assert!(html.contains(r#"dir="rtl""#), "{html}");
    assert!(
        html.contains(&format!(
            r#"data-message="{}""#,
            rejection["message_id"].as_str().unwrap()
        )),
        "{html}"
    );
    assert!(html.contains("محجوزة هنا"), "{html}");
    let page = egypt
        .app
        .call(&supervisor, Method::GET, "/partners", None)
        .await;
    assert!(
        page.text().contains(r#"data-code="not_applicable""#),
        "{}",
        page.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_applies_a_quarantined_message_again_once_its_cause_is_put_right() {
    let egypt = Node::start("EG").await;
    let palestine = Node::start("PS").await;
    let to_palestine = palestine.issue_partner_token("PS", "EG").await;
    egypt
        .send_to("EG", "PS", palestine.url(), to_palestine)
        .await;

    // Egypt's departure scan of an item reaches Palestine before the item's advance data (a
    // relayed event can overtake the ITMATT): Palestine quarantines it.
    let departed = departed_cairo(77, T0 + time::Duration::minutes(30));
    let mut early =
        exchange_messages::emsevt(cc("EG"), cc("PS"), vec![departed.clone()], T0).unwrap();
    let second = barid_messages::TrackingEvent {
        s10: world::s10(78),
        ..departed.clone()
    };
    early.extend(exchange_messages::emsevt(cc("EG"), cc("PS"), vec![second], T0).unwrap());
    let (message_id, second_id) = (early[0].message_id, early[1].message_id);
    egypt
        .app
        .store
        .enqueue_messages(&cli("EG"), &early)
        .await
        .unwrap();
    let now = T0 + time::Duration::hours(1);
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), now)
        .await
        .unwrap();
    assert_eq!((sent.delivered, sent.rejected), (2, 2), "{sent:?}");
    let ps_admin = Caller::Token(palestine.app.token("PS", Role::Admin).await.0);
    let ps_supervisor = Caller::Token(palestine.app.token("PS", Role::Supervisor).await.0);
    let apply = format!("/api/v1/exchange/quarantine/{message_id}/apply");
    let quarantined = || async {
        api(
            &palestine.app,
            &ps_admin,
            Method::GET,
            "/api/v1/exchange/quarantine",
            None,
        )
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(quarantined().await.len(), 2);

    // Applied again before the cause is put right: refused with the reason, still held.
    let reply = api(&palestine.app, &ps_admin, Method::POST, &apply, None).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let refusal = reply.json();
    assert_eq!(refusal["error"], "refused");
    assert_eq!(refusal["errors"][0]["error"], "not_applicable");
    assert!(
        refusal["message"]
            .as_str()
            .unwrap()
            .contains(&world::s10(77).to_string()),
        "{refusal}"
    );
    let held = quarantined().await;
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["message_id"], message_id.to_string());
    // Supervisors watch the quarantine; only administrators apply.
    let reply = api(&palestine.app, &ps_supervisor, Method::POST, &apply, None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    for (path, status, code) in [
        (
            "/api/v1/exchange/quarantine/not-a-uuid/apply".to_owned(),
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
        (
            format!("/api/v1/exchange/quarantine/{}/apply", uuid::Uuid::new_v4()),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let reply = api(&palestine.app, &ps_admin, Method::POST, &path, None).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.text());
        assert_eq!(reply.error_code().as_deref(), Some(code));
    }

    // The item's dispatch arrives with its advance data; the administrator applies the
    // quarantined message again from the partners page.
    egypt_dispatches(&egypt.app, 77..=78).await;
    let sent = dispatcher()
        .deliver(egypt.app.store.as_ref(), now + time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!((sent.delivered, sent.rejected), (3, 0), "{sent:?}");
    let reply = api(
        &palestine.app,
        &ps_admin,
        Method::POST,
        &format!("/api/v1/exchange/quarantine/{second_id}/apply"),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let applied = reply.json();
    assert_eq!(applied["message_id"], second_id.to_string());
    assert_eq!(applied["state"], "applied");
    assert_eq!(applied["sender"], "EG");
    assert_eq!(applied["message_type"], "EMSEVT");
    assert!(applied["applied_at"].is_string(), "{applied}");
    assert_eq!(quarantined().await.len(), 1);
    let person = Caller::Person(palestine.app.login("PS", Role::Admin).await);
    let page = palestine
        .app
        .call(&person, Method::GET, "/partners?lang=ar", None)
        .await;
    let form = format!(r#"action="/partners/quarantine/{message_id}/apply""#);
    assert!(page.text().contains(&form), "{}", page.text());
    assert!(page.text().contains("طبّق من جديد"), "{}", page.text());
    let supervisor_page = palestine
        .app
        .call(
            &Caller::Person(palestine.app.login("PS", Role::Supervisor).await),
            Method::GET,
            "/partners",
            None,
        )
        .await;
    assert!(!supervisor_page.text().contains(&form));
    let applied = palestine
        .app
        .post_form(
            &person,
            &format!("/partners/quarantine/{message_id}/apply"),
            "",
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER, "{}", applied.text());
    assert_eq!(
        applied.header("location"),
        Some("/partners?done=applied&partner=EG")
    );
    assert!(quarantined().await.is_empty());
    let events = palestine
        .app
        .store
        .tracked_item(&world::s10(77))
        .await
        .unwrap()
        .expect("Palestine tracks the item");
    let recorded = events
        .events
        .iter()
        .filter(|event| {
            event.operator == cc("PS") && event.code == departed.code && event.at == departed.at
        })
        .count();
    assert_eq!(recorded, 1, "{events:?}");
    let audit = world::audit_actions(&std::sync::Arc::clone(&palestine.app.store), "PS").await;
    assert!(
        audit.iter().any(|action| action == "inbox.release"),
        "{audit:?}"
    );

    // Once applied it is no longer in the quarantine: applying it again is a conflict, on the
    // API and on the page.
    let reply = api(&palestine.app, &ps_admin, Method::POST, &apply, None).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    let again = palestine
        .app
        .post_form(
            &person,
            &format!("/partners/quarantine/{message_id}/apply"),
            "",
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(
        again.text().contains(r#"data-code="conflict""#),
        "{}",
        again.text()
    );
}
