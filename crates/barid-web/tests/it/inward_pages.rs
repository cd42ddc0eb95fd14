//! The pages of the transit office, the inward office of exchange, import customs and the
//! delivery office, on one node hosting Egypt, Jordan and Palestine: Egypt dispatches three
//! registered letters to Palestine through Jordan over the JSON API; Jordan receives the
//! receptacle on its desk and sends the dispatch on from its page; Palestine receives it,
//! opens the receptacle and finds two of the three letters, verifies the dispatch (one
//! missing item, with its code), customs holds and releases a letter, the office of exchange
//! forwards it, and the delivery office records a failed attempt and then the delivery.

#![allow(clippy::indexing_slicing)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use barid_core::{Role, S10Id};
use barid_store::contract::world::{self};
use barid_web::pages::strip_isolation;

use crate::support::{Caller, Person, Reply, TestApp, dispatch_from_egypt, encode};

const ITEMS: u32 = 3;

fn s10(serial: u32) -> S10Id {
    world::s10(serial)
}

async fn post_form(app: &TestApp, person: &Person, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut pairs = vec![format!("csrf_token={}", person.csrf)];
    pairs.extend(
        fields
            .iter()
            .map(|(name, value)| format!("{}={}", encode(name), encode(value))),
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, format!("barid_session={}", person.secret))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "en")
        .body(Body::from(pairs.join("&")))
        .unwrap();
    app.send(request).await
}

async fn get(app: &TestApp, person: &Person, path: &str) -> Reply {
    app.call(&Caller::Person(person.clone()), Method::GET, path, None)
        .await
}

fn html(reply: &Reply) -> String {
    strip_isolation(&reply.text())
}

#[track_caller]
fn page_ok(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    html(reply)
}

#[track_caller]
fn refused(reply: &Reply, field: &str, code: &str) -> String {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.text()
    );
    let text = html(reply);
    assert!(
        text.contains(&format!(
            r#"role="alert" data-field="{field}" data-code="{code}""#
        )),
        "{text}"
    );
    text
}

#[track_caller]
fn location(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    reply.header("location").unwrap().to_owned()
}

/// Egypt's dispatch of three letters for Ramallah through Amman, advised to both posts: its
/// S9 ID.
async fn egypt_dispatches(app: &TestApp) -> String {
    let dispatch = dispatch_from_egypt(app, 1..=ITEMS, 3_800).await;
    assert_eq!(dispatch["transit_office"], "JOAMMA");
    let s9 = dispatch["receptacles"][0]["s9"]
        .as_str()
        .unwrap()
        .to_owned();
    app.pump().await;
    s9
}

/// The ID in `href="{prefix}{id}"` of the first such link: a dispatch's S8 ID, a receptacle's
/// number.
fn linked_id(text: &str, prefix: &str) -> String {
    let start = text.find(&format!(r#"href="{prefix}"#)).unwrap() + 6 + prefix.len();
    text[start..]
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

#[tokio::test]
async fn a_dispatch_is_received_in_transit_verified_cleared_and_delivered_through_the_pages() {
    let app = TestApp::with_three_posts().await;
    app.demo_agreements().await;
    let s9 = egypt_dispatches(&app).await;

    // --- Jordan, closed transit at JOAMMA ---------------------------------------------------
    app.later(120);
    let jo = app.login("JO", Role::OeOperator).await;
    let text = page_ok(&get(&app, &jo, "/exchange?lang=en").await);
    assert!(text.contains(r#"<form id="receptacle-scan""#), "{text}");
    assert!(
        text.contains(r#"data-direction="transit" data-status="expected""#),
        "{text}"
    );
    assert!(text.contains("EGCAIAPSRMHAAUR60001"), "{text}");
    let received = post_form(
        &app,
        &jo,
        "/exchange/receptacle-arrivals",
        &[("s9", &s9), ("measured_weight_grams", "3800")],
    )
    .await;
    let text = page_ok(&received);
    assert!(text.contains(&format!(r#"data-received="{s9}""#)), "{text}");
    assert!(
        text.contains(r#"id="receive-s9" name="s9" type="text" dir="ltr" value="""#),
        "the field comes back empty: {text}"
    );
    assert!(text.contains(r#"data-scan-field autofocus"#), "{text}");
    let jo_dispatch = linked_id(&text, "/exchange/dispatches/");
    // Addressed by its S8 ID, as Jordan records it.
    assert_eq!(jo_dispatch, "EGCAIAPSRMHAAUR60001");
    let page = page_ok(&get(&app, &jo, &format!("/exchange/dispatches/{jo_dispatch}")).await);
    assert!(page.contains(r#"data-direction="transit""#), "{page}");
    assert!(page.contains(r#"<form id="forward-dispatch""#), "{page}");
    assert!(!page.contains("verify-dispatch"), "{page}");
    // A closed transit receptacle has no opening form.
    assert!(!page.contains("data-open-receptacle"), "{page}");
    // Verifying a transit dispatch is refused with its rule.
    let wrong = post_form(
        &app,
        &jo,
        &format!("/exchange/dispatches/{jo_dispatch}/verify"),
        &[],
    )
    .await;
    refused(&wrong, "dispatch", "closed_transit");
    app.later(60);
    let sent = post_form(
        &app,
        &jo,
        &format!("/exchange/dispatches/{jo_dispatch}/forward"),
        &[],
    )
    .await;
    assert_eq!(
        location(&sent),
        format!("/exchange/dispatches/{jo_dispatch}")
    );
    let page = page_ok(&get(&app, &jo, &format!("/exchange/dispatches/{jo_dispatch}")).await);
    assert!(page.contains(r#"data-status="forwarded""#), "{page}");
    assert!(!page.contains("forward-dispatch"), "{page}");
    app.pump().await;

    // --- Palestine, inward office of exchange PSRMHA ------------------------------------------
    app.later(90);
    let ps = app.login("PS", Role::OeOperator).await;
    let text = page_ok(&get(&app, &ps, "/exchange").await);
    assert!(
        text.contains(r#"data-direction="inward" data-status="expected""#),
        "{text}"
    );
    let mistyped = post_form(
        &app,
        &ps,
        "/exchange/receptacle-arrivals",
        &[("s9", "EGCAIA1")],
    )
    .await;
    let text = refused(&mistyped, "s9", "invalid_s9");
    assert!(text.contains("not an S9 receptacle ID"), "{text}");
    let received = post_form(
        &app,
        &ps,
        "/exchange/receptacle-arrivals",
        &[("s9", &s9), ("measured_weight_grams", "3800")],
    )
    .await;
    let text = page_ok(&received);
    let ps_dispatch = linked_id(&text, "/exchange/dispatches/");
    assert_eq!(ps_dispatch, "EGCAIAPSRMHAAUR60001");
    let page = page_ok(&get(&app, &ps, &format!("/exchange/dispatches/{ps_dispatch}")).await);
    assert!(page.contains(r#"data-direction="inward""#), "{page}");
    assert!(
        page.contains(r#"data-status="received" data-advised="true""#),
        "{page}"
    );
    assert!(page.contains("data-open-receptacle"), "{page}");
    assert!(page.contains(r#"<form id="verify-dispatch""#), "{page}");
    let receptacle = linked_id(&page, "/exchange/receptacles/");

    // Opening: two of the three letters are found; one of them damaged.
    let opened = page_ok(&get(&app, &ps, &format!("/exchange/receptacles/{receptacle}")).await);
    assert!(opened.contains(r#"<form id="found-scan""#), "{opened}");
    assert!(
        opened.contains(r#"data-advised="true" data-found="false""#),
        "{opened}"
    );
    let path = format!("/exchange/receptacles/{receptacle}/found-items");
    let found = post_form(&app, &ps, &path, &[("s10", &s10(1).to_string())]).await;
    let text = page_ok(&found);
    assert!(text.contains("data-found>"), "{text}");
    assert!(
        text.contains(&format!(
            r#"data-s10="{}" data-advised="true" data-found="true""#,
            s10(1)
        )),
        "{text}"
    );
    assert!(
        text.contains(r#"id="found-s10" name="s10" type="text" dir="ltr" value="" autofocus"#),
        "{text}"
    );
    let found = post_form(
        &app,
        &ps,
        &path,
        &[("s10", &s10(2).to_string()), ("damaged", "on")],
    )
    .await;
    page_ok(&found);
    let bad = post_form(&app, &ps, &path, &[("s10", "RR1")]).await;
    refused(&bad, "s10", "invalid_s10");

    // Verification: the third letter is missing, in both languages.
    let verified = post_form(
        &app,
        &ps,
        &format!("/exchange/dispatches/{ps_dispatch}/verify"),
        &[],
    )
    .await;
    location(&verified);
    let page = page_ok(
        &get(
            &app,
            &ps,
            &format!("/exchange/dispatches/{ps_dispatch}?lang=en"),
        )
        .await,
    );
    assert!(page.contains(r#"data-status="verified""#), "{page}");
    assert!(
        page.contains(&format!(
            r#"data-code="missing_item" data-s10="{}""#,
            s10(3)
        )),
        "{page}"
    );
    assert!(page.contains(r#"data-code="damaged_item""#), "{page}");
    assert!(page.contains("Item advised, not found"), "{page}");
    assert!(
        page.contains(&format!(
            r#"href="/api/v1/exchange/dispatches/{ps_dispatch}/cn43.pdf""#
        )),
        "{page}"
    );
    let arabic = page_ok(
        &get(
            &app,
            &ps,
            &format!("/exchange/dispatches/{ps_dispatch}?lang=ar"),
        )
        .await,
    );
    assert!(arabic.contains(r#"dir="rtl""#), "{arabic}");
    assert!(arabic.contains("مادة مُشعَر بها لم توجد"), "{arabic}");
    let again = post_form(
        &app,
        &ps,
        &format!("/exchange/dispatches/{ps_dispatch}/verify"),
        &[],
    )
    .await;
    refused(&again, "dispatch", "dispatch_not_received");
    app.pump().await;

    // --- Import customs at PSRMHA -------------------------------------------------------------
    app.later(60);
    let customs = app.login("PS", Role::Customs).await;
    let text = page_ok(&get(&app, &customs, "/customs?lang=en").await);
    assert!(
        text.contains(r#"href="/customs" aria-current="page""#),
        "{text}"
    );
    assert!(text.contains(r#"id="empty-queue""#), "{text}");
    let letter = s10(1).to_string();
    let presented = post_form(
        &app,
        &customs,
        "/customs/steps",
        &[("s10", &letter), ("step", "present")],
    )
    .await;
    let text = page_ok(&presented);
    assert!(
        text.contains(&format!(r#"data-done="{letter}" data-code="EDB""#)),
        "{text}"
    );
    assert!(
        text.contains(r#"id="present-s10" name="s10" type="text" dir="ltr" value="" autofocus"#),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            r#"data-s10="{letter}" data-status="presented_to_import_customs""#
        )),
        "{text}"
    );
    // The advance customs data is shown with the item.
    assert!(text.contains(r#"class="customs-lines""#), "{text}");
    let no_reason = post_form(
        &app,
        &customs,
        "/customs/steps",
        &[("s10", &letter), ("step", "hold"), ("reason", "")],
    )
    .await;
    let text = refused(&no_reason, "reason", "reason_required");
    assert!(text.contains(&format!(r#"data-s10="{letter}">"#)), "{text}");
    let held = post_form(
        &app,
        &customs,
        "/customs/steps",
        &[
            ("s10", &letter),
            ("step", "hold"),
            ("reason", "10"),
            ("note", "invoice requested"),
        ],
    )
    .await;
    let text = page_ok(&held);
    assert!(text.contains(r#"data-code="EME""#), "{text}");
    assert!(
        text.contains(r#"data-status="held_by_import_customs""#),
        "{text}"
    );
    // Customs assesses duty while it holds the letter; the form starts in the post's currency.
    assert!(
        text.contains(r#"name="currency" type="text" dir="ltr" maxlength="3" size="4" autocapitalize="characters" required value="ILS""#),
        "{text}"
    );
    let typo = post_form(
        &app,
        &customs,
        "/customs/duty",
        &[("s10", &letter), ("amount", "12,5x"), ("currency", "ILS")],
    )
    .await;
    refused(&typo, "duty.amount", "invalid_body");
    let assessed = post_form(
        &app,
        &customs,
        "/customs/duty",
        &[
            ("s10", &letter),
            ("amount", "12.50"),
            ("currency", "ILS"),
            ("note", "HS 6109"),
        ],
    )
    .await;
    let text = page_ok(&assessed);
    assert!(
        text.contains(&format!(r#"data-done="{letter}" data-code="duty""#)),
        "{text}"
    );
    assert!(text.contains("duty of 12.50 ILS assessed"), "{text}");
    assert!(
        text.contains(r#"data-duty="12.50" data-currency="ILS""#),
        "{text}"
    );
    let released = post_form(
        &app,
        &customs,
        "/customs/steps",
        &[("s10", &letter), ("step", "release")],
    )
    .await;
    let text = page_ok(&released);
    assert!(text.contains(r#"data-code="EDC""#), "{text}");
    assert!(
        text.contains(r#"id="empty-queue""#),
        "released leaves the queue: {text}"
    );
    let arabic = page_ok(&get(&app, &customs, "/customs?lang=ar").await);
    assert!(arabic.contains("الجمارك عند الاستيراد"), "{arabic}");

    // The office of exchange forwards it to its delivery office.
    let mistyped = post_form(&app, &ps, "/exchange/forwarding", &[("s10", "RR12")]).await;
    let text = refused(&mistyped, "s10", "invalid_s10");
    assert!(
        text.contains(r#"<details class="more card" open>"#),
        "{text}"
    );
    let forwarded = post_form(&app, &ps, "/exchange/forwarding", &[("s10", &letter)]).await;
    let text = page_ok(&forwarded);
    assert!(text.contains("data-forwarded"), "{text}");
    assert!(text.contains(&format!("{letter}: EMF")), "{text}");

    // --- The delivery office PS-RAMALLAH-1 ----------------------------------------------------
    app.later(120);
    let postman = app.login("PS", Role::Delivery).await;
    let text = page_ok(&get(&app, &postman, "/delivery?lang=en").await);
    assert!(
        text.contains(r#"href="/delivery" aria-current="page""#),
        "{text}"
    );
    assert!(text.contains("PS-RAMALLAH-1"), "{text}");
    let arrived = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[("s10", &letter), ("step", "arrival")],
    )
    .await;
    let text = page_ok(&arrived);
    assert!(text.contains(r#"data-code="EMG""#), "{text}");
    assert!(
        text.contains(&format!(
            r#"data-s10="{letter}" data-status="at_delivery_office""#
        )),
        "{text}"
    );
    post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[("s10", &letter), ("step", "out_for_delivery")],
    )
    .await;
    let no_reason = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[("s10", &letter), ("step", "attempt"), ("reason", "")],
    )
    .await;
    refused(&no_reason, "reason", "reason_required");
    let attempt = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[
            ("s10", &letter),
            ("step", "attempt"),
            ("reason", "03"),
            ("next_action", "redeliver"),
        ],
    )
    .await;
    let text = page_ok(&attempt);
    assert!(text.contains(r#"data-code="EMH""#), "{text}");
    assert!(
        text.contains(r#"data-status="delivery_attempt_failed""#),
        "{text}"
    );
    app.later(60);
    post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[("s10", &letter), ("step", "out_for_delivery")],
    )
    .await;
    let unsigned = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[("s10", &letter), ("step", "delivered"), ("signatory", " ")],
    )
    .await;
    refused(&unsigned, "signatory", "signatory_required");
    // The duty to collect is shown, and the delivery form asks for it.
    let text = page_ok(&get(&app, &postman, "/delivery?lang=en").await);
    assert!(text.contains("Duty to collect:"), "{text}");
    assert!(
        text.contains(r#"name="collected" type="text" inputmode="decimal" dir="ltr" maxlength="20" required value="12.50""#),
        "{text}"
    );
    let short = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[
            ("s10", &letter),
            ("step", "delivered"),
            ("signatory", "Layla Haddad"),
            ("collected", "10.00"),
            ("collected_currency", "ILS"),
        ],
    )
    .await;
    refused(&short, "collected", "duty_amount_differs");
    let delivered = post_form(
        &app,
        &postman,
        "/delivery/steps",
        &[
            ("s10", &letter),
            ("step", "delivered"),
            ("signatory", "Layla Haddad"),
            ("collected", "12.50"),
            ("collected_currency", "ILS"),
        ],
    )
    .await;
    let text = page_ok(&delivered);
    assert!(text.contains(r#"data-code="EMI""#), "{text}");
    assert!(
        text.contains(r#"id="no-items""#),
        "delivered leaves the list: {text}"
    );
    let arabic = page_ok(&get(&app, &postman, "/delivery?lang=ar").await);
    assert!(arabic.contains("التوزيع"), "{arabic}");
    assert!(arabic.contains(r#"dir="rtl""#), "{arabic}");

    // The home pages link to the new screens.
    assert!(page_ok(&get(&app, &customs, "/").await).contains(r#"<a href="/customs">"#));
    assert!(page_ok(&get(&app, &postman, "/").await).contains(r#"<a href="/delivery">"#));
}

#[tokio::test]
async fn readers_see_the_inward_pages_without_their_forms() {
    let app = TestApp::with_three_posts().await;
    let supervisor = app.login("PS", Role::Supervisor).await;
    let customs = page_ok(&get(&app, &supervisor, "/customs").await);
    assert!(!customs.contains("present-scan"), "{customs}");
    let delivery = page_ok(&get(&app, &supervisor, "/delivery").await);
    assert!(!delivery.contains("delivery-arrival-scan"), "{delivery}");
    let desk = page_ok(&get(&app, &supervisor, "/exchange").await);
    assert!(!desk.contains("receptacle-scan"), "{desk}");
    assert!(desk.contains(r#"id="no-arriving""#), "{desk}");
    // A customs officer is not an office-of-exchange operator.
    let officer = app.login("PS", Role::Customs).await;
    let forbidden = post_form(
        &app,
        &officer,
        "/exchange/receptacle-arrivals",
        &[("s9", "X")],
    )
    .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}
