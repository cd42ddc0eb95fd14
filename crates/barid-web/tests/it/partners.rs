//! Administrators steering the links to partner posts' nodes, over the JSON API and on the
//! partners page, with real nodes on loopback: pointing a link at a node, a link pointed at
//! the wrong node (its messages wait, nothing is lost), pausing and resuming, and the messages
//! a partner quarantined and the ones we quarantined.

#![allow(clippy::indexing_slicing)]

use axum::http::{Method, StatusCode, header};
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

/// Posts a page's form (the CSRF token travels in the header, as htmx sends it).
async fn post_form(app: &TestApp, caller: &Caller, path: &str) -> Reply {
    let mut request = crate::support::request(caller, Method::POST, path, None);
    request.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    app.send(request).await
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
    let paused = post_form(&egypt.app, &person, "/partners/PS/pause").await;
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
    let refused = post_form(&egypt.app, &person, "/partners/LY/pause").await;
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
    let reference = barid_core::ReferenceData::embedded().unwrap();
    let event = |serial: u32| barid_messages::TrackingEvent {
        s10: world::s10(serial),
        code: reference
            .code_for(barid_core::Milestone::DepartedOutwardOffice)
            .unwrap(),
        milestone: barid_core::Milestone::DepartedOutwardOffice,
        at: T0 + time::Duration::hours(3),
        office: world::site("EGCAIA"),
        reason: None,
        next_action: None,
        signatory: None,
        note: None,
    };
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
