//! The authorisation matrix: every route × every role × own versus foreign operator, plus
//! anonymous, against a hand-written table of expectations. A route added to the router
//! without a row here fails `the_matrix_covers_exactly_the_routes_of_the_router`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::{Method, StatusCode};
use barid_core::Role;
use barid_web::route_table;

use crate::support::{Caller, MACHINES, PEOPLE, Reply, TestApp, item_id, person_name};

/// Who may call a route, written out by hand (not derived from the router).
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Anyone.
    Public,
    /// Any authenticated caller; anonymous browsers are sent to the login page.
    AnyPage,
    /// Any authenticated caller; anonymous API clients get 401.
    Any,
    /// Only these roles; others get 403, anonymous 401.
    Only(&'static [Role]),
    /// A page for only these roles; others get 403, anonymous browsers go to the login page.
    OnlyPage(&'static [Role]),
    /// Only these roles, on an object whose state decides the outcome (a receptacle that
    /// another caller of the matrix may have closed): allowed roles are neither refused nor
    /// answered 5xx, and find no foreign object; others get 403, anonymous 401.
    OnlyState(&'static [Role]),
    /// A page form on such an object: as `OnlyState`, but anonymous browsers go to the login
    /// page.
    OnlyPageState(&'static [Role]),
}

const STAFF: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Clerk,
    Role::OeOperator,
    Role::Customs,
    Role::Delivery,
];
const ADMIN: &[Role] = &[Role::Admin];
const ADMIN_SUPERVISOR: &[Role] = &[Role::Admin, Role::Supervisor];
const ACCEPTANCE: &[Role] = &[Role::Clerk, Role::Merchant];
const EXCHANGE: &[Role] = &[Role::OeOperator];
const EXCHANGE_READ: &[Role] = &[Role::OeOperator, Role::Supervisor, Role::Admin];
const EXPORT_CUSTOMS: &[Role] = &[Role::OeOperator, Role::Customs];
const IMPORT_CUSTOMS: &[Role] = &[Role::Customs];
const DELIVERY: &[Role] = &[Role::Delivery];
const CUSTOMS_READ: &[Role] = &[Role::Customs, Role::Supervisor, Role::Admin];
const DELIVERY_READ: &[Role] = &[Role::Delivery, Role::Supervisor, Role::Admin];
const DUTY_READ: &[Role] = &[Role::Customs, Role::Delivery, Role::Supervisor, Role::Admin];

const MATRIX: &[(&str, &str, Expect)] = &[
    ("GET", "/healthz", Expect::Public),
    ("GET", "/readyz", Expect::Public),
    ("GET", "/metrics", Expect::Public),
    ("GET", "/api/openapi.json", Expect::Public),
    ("GET", "/api/docs", Expect::Public),
    ("GET", "/api/docs/", Expect::Public),
    ("GET", "/api/docs/{file}", Expect::Public),
    ("GET", "/static/{file}", Expect::Public),
    ("GET", "/login", Expect::Public),
    ("POST", "/login", Expect::Public),
    ("GET", "/", Expect::AnyPage),
    ("GET", "/track", Expect::Public),
    ("GET", "/track/{id}", Expect::Public),
    ("GET", "/accept", Expect::OnlyPage(ACCEPTANCE)),
    ("POST", "/accept", Expect::OnlyPage(ACCEPTANCE)),
    ("GET", "/accept/bulk", Expect::OnlyPage(ACCEPTANCE)),
    ("POST", "/accept/bulk", Expect::OnlyPage(ACCEPTANCE)),
    (
        "GET",
        "/accept/bulk/template.csv",
        Expect::OnlyPage(ACCEPTANCE),
    ),
    ("GET", "/exchange", Expect::OnlyPage(EXCHANGE_READ)),
    ("POST", "/exchange/arrivals", Expect::OnlyPage(EXCHANGE)),
    (
        "POST",
        "/exchange/export-customs",
        Expect::OnlyPage(EXCHANGE),
    ),
    ("POST", "/exchange/receptacles", Expect::OnlyPage(EXCHANGE)),
    (
        "GET",
        "/exchange/receptacles/{id}",
        Expect::OnlyPage(EXCHANGE_READ),
    ),
    (
        "POST",
        "/exchange/receptacles/{id}/items",
        Expect::OnlyPageState(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/receptacles/{id}/items/remove",
        Expect::OnlyPageState(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/receptacles/{id}/close",
        Expect::OnlyPageState(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/receptacles/{id}/reopen",
        Expect::OnlyPageState(EXCHANGE),
    ),
    ("POST", "/exchange/dispatches", Expect::OnlyPage(EXCHANGE)),
    (
        "GET",
        "/exchange/dispatches/{s8}",
        Expect::OnlyPage(EXCHANGE_READ),
    ),
    (
        "POST",
        "/exchange/dispatches/{s8}/verify",
        Expect::OnlyPageState(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/dispatches/{s8}/forward",
        Expect::OnlyPageState(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/receptacle-arrivals",
        Expect::OnlyPage(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/receptacles/{id}/found-items",
        Expect::OnlyPageState(EXCHANGE),
    ),
    ("POST", "/exchange/forwarding", Expect::OnlyPage(EXCHANGE)),
    ("GET", "/customs", Expect::OnlyPage(CUSTOMS_READ)),
    ("POST", "/customs/steps", Expect::OnlyPage(IMPORT_CUSTOMS)),
    ("POST", "/customs/duty", Expect::OnlyPage(IMPORT_CUSTOMS)),
    ("GET", "/delivery", Expect::OnlyPage(DELIVERY_READ)),
    ("POST", "/delivery/steps", Expect::OnlyPage(DELIVERY)),
    ("GET", "/partners", Expect::OnlyPage(ADMIN_SUPERVISOR)),
    ("GET", "/agreements", Expect::OnlyPage(ADMIN_SUPERVISOR)),
    (
        "GET",
        "/agreements/{id}",
        Expect::OnlyPage(ADMIN_SUPERVISOR),
    ),
    // The matrix's form has no terms: the agreement is found (or not), then refused.
    ("POST", "/agreements/{id}", Expect::OnlyPageState(ADMIN)),
    ("GET", "/quality", Expect::OnlyPage(ADMIN_SUPERVISOR)),
    (
        "GET",
        "/quality/calendars",
        Expect::OnlyPage(ADMIN_SUPERVISOR),
    ),
    (
        "POST",
        "/quality/calendars/{country}",
        Expect::OnlyPage(ADMIN),
    ),
    (
        "GET",
        "/agreements/{id}/quality",
        Expect::OnlyPage(ADMIN_SUPERVISOR),
    ),
    (
        "GET",
        "/agreements/{id}/quality/items",
        Expect::OnlyPage(ADMIN_SUPERVISOR),
    ),
    ("POST", "/partners/{partner}/pause", Expect::OnlyPage(ADMIN)),
    (
        "POST",
        "/partners/{partner}/resume",
        Expect::OnlyPage(ADMIN),
    ),
    (
        "POST",
        "/partners/quarantine/{message_id}/apply",
        Expect::OnlyPageState(ADMIN),
    ),
    ("GET", "/items/search", Expect::OnlyPage(STAFF)),
    ("GET", "/items/{s10}", Expect::OnlyPage(STAFF)),
    ("GET", "/api/v1/items/{s10}/events", Expect::Public),
    ("GET", "/api/v1/tracking", Expect::Public),
    ("GET", "/api/v1/me", Expect::Any),
    ("GET", "/api/v1/offices", Expect::Only(STAFF)),
    ("POST", "/api/v1/offices", Expect::Only(ADMIN)),
    ("GET", "/api/v1/offices/{code}", Expect::Only(STAFF)),
    ("GET", "/api/v1/users", Expect::Only(ADMIN)),
    ("POST", "/api/v1/users", Expect::Only(ADMIN)),
    ("GET", "/api/v1/users/{username}", Expect::Only(ADMIN)),
    (
        "PUT",
        "/api/v1/users/{username}/access",
        Expect::Only(ADMIN),
    ),
    (
        "POST",
        "/api/v1/users/{username}/password",
        Expect::Only(ADMIN),
    ),
    ("GET", "/api/v1/tokens", Expect::Only(ADMIN)),
    ("POST", "/api/v1/tokens", Expect::Only(ADMIN)),
    ("DELETE", "/api/v1/tokens/{id}", Expect::Only(ADMIN)),
    ("GET", "/api/v1/s10-ranges", Expect::Only(ADMIN_SUPERVISOR)),
    ("POST", "/api/v1/s10-ranges", Expect::Only(ADMIN)),
    ("GET", "/api/v1/audit", Expect::Only(ADMIN_SUPERVISOR)),
    ("GET", "/api/v1/items/{s10}", Expect::Only(STAFF)),
    ("POST", "/api/v1/items", Expect::Only(ACCEPTANCE)),
    ("POST", "/api/v1/items/bulk", Expect::Only(ACCEPTANCE)),
    ("GET", "/api/v1/items/{s10}/label.pdf", Expect::Only(STAFF)),
    (
        "GET",
        "/api/v1/items/{s10}/customs.pdf",
        Expect::Only(STAFF),
    ),
    (
        "GET",
        "/api/v1/items/{s10}/receipt.pdf",
        Expect::Only(STAFF),
    ),
    ("POST", "/api/v1/exchange/arrivals", Expect::Only(EXCHANGE)),
    (
        "POST",
        "/api/v1/exchange/export-customs",
        Expect::Only(EXPORT_CUSTOMS),
    ),
    (
        "GET",
        "/api/v1/exchange/receptacles",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacles",
        Expect::Only(EXCHANGE),
    ),
    (
        "GET",
        "/api/v1/exchange/receptacles/{id}",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacles/{id}/items",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "DELETE",
        "/api/v1/exchange/receptacles/{id}/items/{s10}",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacles/{id}/close",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacles/{id}/reopen",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "POST",
        "/api/v1/exchange/dispatches",
        Expect::Only(EXCHANGE),
    ),
    (
        "POST",
        "/exchange/v1/messages",
        Expect::Only(&[Role::Partner]),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}/cn35.pdf",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}/cn31.pdf",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}/cn33.pdf",
        Expect::Only(EXCHANGE_READ),
    ),
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}/delivery-bill.pdf",
        Expect::Only(EXCHANGE_READ),
    ),
    // A verification note exists once an inward dispatch is verified; the matrix's own
    // dispatch is outward, so allowed callers are answered `refused`.
    (
        "GET",
        "/api/v1/exchange/dispatches/{s8}/cn43.pdf",
        Expect::OnlyState(EXCHANGE_READ),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacle-arrivals",
        Expect::Only(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/receptacles/{id}/found-items",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/dispatches/{s8}/verify",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/dispatches/{s8}/forward",
        Expect::OnlyState(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/import-customs",
        Expect::Only(IMPORT_CUSTOMS),
    ),
    (
        "POST",
        "/api/v1/exchange/forwarding",
        Expect::Only(EXCHANGE),
    ),
    (
        "POST",
        "/api/v1/exchange/import-customs/duty",
        Expect::Only(IMPORT_CUSTOMS),
    ),
    (
        "GET",
        "/api/v1/items/{s10}/duty",
        Expect::OnlyState(DUTY_READ),
    ),
    ("POST", "/api/v1/delivery/events", Expect::Only(DELIVERY)),
    ("GET", "/api/v1/partners", Expect::Only(ADMIN_SUPERVISOR)),
    (
        "PUT",
        "/api/v1/partners/{partner}/endpoint",
        Expect::Only(ADMIN),
    ),
    (
        "POST",
        "/api/v1/partners/{partner}/pause",
        Expect::Only(ADMIN),
    ),
    (
        "POST",
        "/api/v1/partners/{partner}/resume",
        Expect::Only(ADMIN),
    ),
    (
        "GET",
        "/api/v1/exchange/rejections",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    (
        "GET",
        "/api/v1/exchange/quarantine",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    (
        "POST",
        "/api/v1/exchange/quarantine/{message_id}/apply",
        Expect::OnlyState(ADMIN),
    ),
    ("GET", "/api/v1/agreements", Expect::Only(ADMIN_SUPERVISOR)),
    ("POST", "/api/v1/agreements", Expect::Only(ADMIN)),
    (
        "GET",
        "/api/v1/agreements/{id}",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    // The matrix's terms do not read: the agreement is found (or not), then refused.
    ("PUT", "/api/v1/agreements/{id}", Expect::OnlyState(ADMIN)),
    (
        "GET",
        "/api/v1/agreements/{id}/history",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    ("GET", "/api/v1/quality", Expect::Only(ADMIN_SUPERVISOR)),
    (
        "GET",
        "/api/v1/agreements/{id}/quality",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    (
        "GET",
        "/api/v1/agreements/{id}/quality/items",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    (
        "GET",
        "/api/v1/agreements/{id}/quality.csv",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    (
        "GET",
        "/api/v1/agreements/{id}/quality.pdf",
        Expect::Only(ADMIN_SUPERVISOR),
    ),
    ("GET", "/api/v1/calendars", Expect::Only(ADMIN_SUPERVISOR)),
    ("PUT", "/api/v1/calendars/{country}", Expect::Only(ADMIN)),
    // Last: it ends the caller's session.
    ("POST", "/logout", Expect::AnyPage),
];

#[test]
fn the_matrix_covers_exactly_the_routes_of_the_router() {
    let router: BTreeSet<(String, String)> = route_table()
        .iter()
        .map(|r| (r.verb.method().to_string(), r.path.to_owned()))
        .collect();
    let matrix: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(method, path, _)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    assert_eq!(
        matrix.len(),
        MATRIX.len(),
        "a route is listed twice in the matrix"
    );
    let missing: Vec<_> = router.difference(&matrix).collect();
    let extra: Vec<_> = matrix.difference(&router).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
    assert!(extra.is_empty(), "matrix rows without a route: {extra:?}");
}

/// Which operator's objects a path points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whose {
    Own,
    Foreign,
}

/// Objects the routes' parameters point at, per operator.
struct Targets {
    /// Token IDs to revoke: one per request so each revocation finds an unrevoked token.
    eg_tokens: Vec<i64>,
    ps_token: i64,
    /// An outward receptacle of each operator (EG, PS).
    receptacles: (i64, i64),
    /// The S8 ID of a closed dispatch of each operator (EG, PS).
    dispatches: (String, String),
    /// An agreement of each operator (EG, PS).
    agreements: (i64, i64),
    /// The ID of a message each operator (EG, PS) quarantined.
    quarantined: (String, String),
}

/// A message from a partner that `recipient` quarantined (it does not decode): its ID.
async fn quarantined_message(app: &TestApp, recipient: &str) -> String {
    use barid_store::model::InboxInsert;
    let sender = if recipient == "EG" { "PS" } else { "EG" };
    let message = barid_store::model::NewInboxMessage {
        recipient: barid_store::contract::world::cc(recipient),
        ..barid_store::contract::world::inbox_message(sender, 1)
    };
    let InboxInsert::Inserted(id) = app.store.insert_inbox(&message).await.unwrap() else {
        panic!("inserted");
    };
    app.store
        .mark_inbox_quarantined(id, "not an envelope", barid_store::contract::world::T0)
        .await
        .unwrap();
    message.message_id.to_string()
}

static SERIAL: AtomicU32 = AtomicU32::new(1);

fn unique() -> u32 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

/// Whether a path names an object of some operator. A `{partner}` is a country code: every
/// operator may have a link to any partner, so there is no foreign one to refuse.
fn has_params(path: &str) -> bool {
    path.contains('{')
        && !path.contains("{file}")
        && !path.contains("{partner}")
        && !path.contains("{country}")
}

/// EG's object of a pair for `Own`, PS's for `Foreign`.
fn own_or_foreign<T>(whose: Whose, (eg, ps): &(T, T)) -> &T {
    if whose == Whose::Own { eg } else { ps }
}

fn concrete_path(path: &str, whose: Whose, targets: &mut Targets) -> String {
    let operator = if whose == Whose::Own { "EG" } else { "PS" };
    match path {
        "/track/{id}" => return format!("/track/{}", item_id(operator)),
        "/static/{file}" => return "/static/barid.css".to_owned(),
        "/api/v1/tracking" => {
            return format!("/api/v1/tracking?ids={},{}", item_id("EG"), item_id("PS"));
        }
        _ => {}
    }
    let pick = |pair| *own_or_foreign(whose, pair);
    let token = match whose {
        _ if !path.contains("{id}") => 0,
        _ if path.starts_with("/api/v1/exchange/receptacles/")
            || path.starts_with("/exchange/receptacles/") =>
        {
            pick(&targets.receptacles)
        }
        _ if path.starts_with("/api/v1/agreements/") || path.starts_with("/agreements/") => {
            pick(&targets.agreements)
        }
        Whose::Own => targets.eg_tokens.pop().unwrap(),
        Whose::Foreign => targets.ps_token,
    };
    path.replace("{code}", if operator == "EG" { "EGCAIA" } else { "PSRMHA" })
        .replace("{username}", &crate::support::target_user(operator))
        .replace("{id}", &token.to_string())
        .replace("{s10}", &item_id(operator).to_string())
        .replace("{s8}", own_or_foreign::<String>(whose, &targets.dispatches))
        .replace("{file}", "swagger-ui.css")
        .replace("{partner}", "PS")
        .replace(
            "{message_id}",
            own_or_foreign::<String>(whose, &targets.quarantined),
        )
        .replace("{country}", "JO")
        // A drill-down names its figure (its way and service default to the agreement's).
        .replace("/quality/items", "/quality/items?figure=late")
}

fn body_for(method: &str, path: &str) -> Option<String> {
    let n = unique();
    let body = match (method, path) {
        ("POST", "/api/v1/offices") => format!(
            r#"{{"code": "EG-M-{n}", "kind": "counter", "name_en": "Matrix {n}", "name_ar": "مكتب {n}",
                "city_en": "Giza", "city_ar": "الجيزة", "timezone": "Africa/Cairo"}}"#
        ),
        ("POST", "/api/v1/users") => format!(
            r#"{{"username": "matrix-{n}", "display_name": "Matrix {n}", "password": "a long enough password",
                "roles": ["clerk"], "offices": ["EGCAIA"]}}"#
        ),
        ("PUT", "/api/v1/partners/{partner}/endpoint") => {
            r#"{"url": "http://127.0.0.1:9", "token": "matrix"}"#.to_owned()
        }
        ("PUT", "/api/v1/agreements/{id}") => {
            r#"{"version": 1, "status": "active", "terms": {}}"#.to_owned()
        }
        ("PUT", _) => r#"{"roles": ["clerk"], "offices": ["EGCAIA"]}"#.to_owned(),
        ("POST", "/api/v1/users/{username}/password") => {
            r#"{"password": "another long password"}"#.to_owned()
        }
        ("POST", "/api/v1/tokens") => format!(r#"{{"name": "matrix {n}", "role": "merchant"}}"#),
        ("POST", "/api/v1/s10-ranges") => format!(
            r#"{{"service_indicator": "RR", "first": {}, "last": {}}}"#,
            n * 1000,
            n * 1000 + 999
        ),
        ("POST", "/api/v1/exchange/receptacles/{id}/items") => {
            format!(r#"{{"s10": "{}"}}"#, item_id("EG"))
        }
        ("POST", "/api/v1/exchange/receptacles/{id}/close") => {
            r#"{"gross_weight_grams": 1500}"#.to_owned()
        }
        ("POST", "/api/v1/exchange/receptacles/{id}/reopen") => {
            r#"{"reason": "matrix"}"#.to_owned()
        }
        ("POST", "/api/v1/exchange/receptacles/{id}/found-items") => {
            format!(r#"{{"s10": "{}"}}"#, item_id("EG"))
        }
        _ => return None,
    };
    Some(body)
}

/// The form a page route is posted with (the CSRF token travels in the header).
fn page_form_for(path: &str) -> String {
    let item = item_id("EG");
    match path {
        "/exchange/arrivals" | "/exchange/receptacles/{id}/items" => format!("s10={item}"),
        "/exchange/receptacles/{id}/items/remove" => format!("s10={item}"),
        "/exchange/export-customs" => format!("s10={item}&step=present"),
        "/exchange/receptacles" | "/exchange/dispatches" => {
            "destination=PSRMHA&category=A&subclass=UR".to_owned()
        }
        "/exchange/receptacles/{id}/close" => "gross_weight_grams=1500".to_owned(),
        "/exchange/receptacles/{id}/reopen" => "reason=matrix".to_owned(),
        "/exchange/receptacle-arrivals" => "s9=EGCAIAPSRMHAAUR60001001010508".to_owned(),
        "/exchange/receptacles/{id}/found-items" | "/exchange/forwarding" => format!("s10={item}"),
        "/customs/steps" => format!("s10={item}&step=present"),
        "/customs/duty" => format!("s10={item}&amount=1.00&currency=EGP"),
        "/delivery/steps" => format!("s10={item}&step=arrival"),
        "/quality/calendars/{country}" => "friday=on&saturday=on&holidays=".to_owned(),
        _ => String::new(),
    }
}

async fn call(app: &TestApp, caller: &Caller, method: &str, path: &str, concrete: &str) -> Reply {
    let method: Method = method.parse().unwrap();
    match (method.as_str(), path) {
        ("POST", "/login") => {
            let form = format!(
                "username={}&password={}&csrf_token=matrix",
                person_name("EG", Role::Delivery),
                crate::support::PASSWORD.replace(' ', "+")
            );
            let request = axum::http::Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", "barid_login_csrf=matrix")
                .body(axum::body::Body::from(form))
                .unwrap();
            app.send(request).await
        }
        ("POST", "/logout") => {
            let mut request = crate::support::request(caller, method, concrete, None);
            request.headers_mut().insert(
                "content-type",
                "application/x-www-form-urlencoded".parse().unwrap(),
            );
            app.send(request).await
        }
        // The office-of-exchange pages take forms, as a browser sends them.
        ("POST", _)
            if path.starts_with("/exchange/")
                || path.starts_with("/customs/")
                || path.starts_with("/delivery/")
                || path.starts_with("/partners/")
                || path.starts_with("/quality/calendars/")
                || path == "/agreements/{id}" =>
        {
            let form = page_form_for(path);
            let mut request = crate::support::request(caller, method, concrete, None);
            request.headers_mut().insert(
                "content-type",
                "application/x-www-form-urlencoded".parse().unwrap(),
            );
            *request.body_mut() = axum::body::Body::from(form);
            app.send(request).await
        }
        _ => {
            let body = body_for(method.as_str(), path);
            app.call(caller, method, concrete, body.as_deref()).await
        }
    }
}

fn describe(who: &str, method: &str, path: &str, reply: &Reply) -> String {
    format!(
        "{who} {method} {path} -> {} {}",
        reply.status,
        reply.text().chars().take(200).collect::<String>()
    )
}

fn assert_allowed(reply: &Reply, whose: Whose, parametrised: bool, context: &str) {
    assert!(
        !matches!(
            reply.status,
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
        ),
        "expected allowed: {context}"
    );
    assert!(!reply.status.is_server_error(), "server error: {context}");
    if parametrised {
        match whose {
            Whose::Own => assert!(reply.status.is_success(), "expected success: {context}"),
            Whose::Foreign => {
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{context}");
                // The API answers JSON; a page answers HTML naming the same code.
                match reply.error_code() {
                    Some(code) => assert_eq!(code, "not_found", "{context}"),
                    None => assert!(
                        reply.text().contains(r#"data-error="not_found""#),
                        "{context}"
                    ),
                }
            }
        }
    }
}

#[tokio::test]
async fn every_route_for_every_role_and_operator() {
    let app = TestApp::new().await;
    let mut callers: Vec<(String, Role, Caller)> = Vec::new();
    for role in PEOPLE {
        let person = app.login("EG", role).await;
        callers.push((format!("EG {role} session"), role, Caller::Person(person)));
    }
    for role in MACHINES {
        let (secret, _) = app.token("EG", role).await;
        callers.push((format!("EG {role} token"), role, Caller::Token(secret)));
    }
    // Staff roles work through tokens too (a scanner's token, an admin's script).
    for role in [Role::Admin, Role::Clerk] {
        let (secret, _) = app.token("EG", role).await;
        callers.push((format!("EG {role} token"), role, Caller::Token(secret)));
    }
    let mut eg_tokens = Vec::new();
    for _ in 0..2 * callers.len() {
        eg_tokens.push(app.token("EG", Role::Merchant).await.1.0);
    }
    let mut targets = Targets {
        eg_tokens,
        ps_token: app.token("PS", Role::Merchant).await.1.0,
        receptacles: (
            crate::support::receptacle(&app, "EG").await,
            crate::support::receptacle(&app, "PS").await,
        ),
        dispatches: (
            crate::support::dispatch(&app, "EG").await,
            crate::support::dispatch(&app, "PS").await,
        ),
        agreements: (
            crate::support::agreement(&app, "EG").await,
            crate::support::agreement(&app, "PS").await,
        ),
        quarantined: (
            quarantined_message(&app, "EG").await,
            quarantined_message(&app, "PS").await,
        ),
    };
    let ps_clerk_before = app
        .store
        .user(
            barid_store::contract::world::cc("PS"),
            &barid_store::model::Username::parse("ps-clerk").unwrap(),
        )
        .await
        .unwrap();

    let mut checked = 0;
    // Anonymous.
    for (method, path, expect) in MATRIX {
        let concrete = concrete_path(path, Whose::Own, &mut targets);
        let reply = call(&app, &Caller::Anonymous, method, path, &concrete).await;
        let context = describe("anonymous", method, &concrete, &reply);
        match expect {
            Expect::Public => assert!(
                !matches!(
                    reply.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ) && !reply.status.is_server_error(),
                "{context}"
            ),
            Expect::AnyPage | Expect::OnlyPage(_) | Expect::OnlyPageState(_) => {
                assert_eq!(reply.status, StatusCode::SEE_OTHER, "{context}");
                assert_eq!(reply.header("location"), Some("/login"), "{context}");
            }
            Expect::Any | Expect::Only(_) | Expect::OnlyState(_) => {
                assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{context}");
                assert_eq!(
                    reply.error_code().as_deref(),
                    Some("unauthenticated"),
                    "{context}"
                );
            }
        }
        checked += 1;
    }

    for (who, role, caller) in &callers {
        for (method, path, expect) in MATRIX {
            let parametrised = has_params(path);
            let owners: &[Whose] = if parametrised {
                &[Whose::Own, Whose::Foreign]
            } else {
                &[Whose::Own]
            };
            for whose in owners {
                let concrete = concrete_path(path, *whose, &mut targets);
                let reply = call(&app, caller, method, path, &concrete).await;
                let context = describe(who, method, &concrete, &reply);
                match expect {
                    // Public routes show every operator's items (public tracking): only
                    // check that nobody is refused.
                    Expect::Public => assert!(
                        !matches!(
                            reply.status,
                            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                        ) && !reply.status.is_server_error(),
                        "{context}"
                    ),
                    Expect::Any | Expect::AnyPage => {
                        assert_allowed(&reply, *whose, parametrised, &context)
                    }
                    Expect::Only(roles) | Expect::OnlyPage(roles) if roles.contains(role) => {
                        assert_allowed(&reply, *whose, parametrised, &context)
                    }
                    Expect::OnlyState(roles) | Expect::OnlyPageState(roles)
                        if roles.contains(role) =>
                    {
                        assert_allowed(&reply, *whose, false, &context);
                        if *whose == Whose::Foreign {
                            assert_eq!(reply.status, StatusCode::NOT_FOUND, "{context}");
                        }
                    }
                    Expect::Only(_)
                    | Expect::OnlyPage(_)
                    | Expect::OnlyState(_)
                    | Expect::OnlyPageState(_) => {
                        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{context}");
                        assert_eq!(
                            reply.error_code().as_deref(),
                            Some("forbidden"),
                            "{context}"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    // Anonymous, 10 callers × (22 plain rows + 6 parametrised rows twice).
    assert!(checked > 300, "only {checked} checks");

    // Foreign objects were never touched.
    let ps_clerk_after = app
        .store
        .user(
            barid_store::contract::world::cc("PS"),
            &barid_store::model::Username::parse("ps-clerk").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(ps_clerk_before, ps_clerk_after);
    let ps_tokens = app
        .store
        .api_tokens(barid_store::contract::world::cc("PS"))
        .await
        .unwrap();
    assert!(ps_tokens.iter().all(|t| t.revoked_at.is_none()));
}
