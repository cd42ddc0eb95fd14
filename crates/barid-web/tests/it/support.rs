//! A test app: a fresh SQLite store with the contract suite's network (EG and PS hosted, JO a
//! partner), one logged-in user per staff role and one token per machine role for each of EG
//! and PS, and one item per operator. Requests go through the real router in-process.
//! `TestApp::with_three_posts` hosts Jordan too (`world::three_posts`), for the whole journey.

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use barid_core::lifecycle::ItemStatus;
use barid_core::{Agreement, ReferenceData, Role, S10Id, ServiceIndicator};
use barid_store::Store;
use barid_store::contract::world::{self, T0, cc, cli, site};
use barid_store::model::{
    AgreementStatus, ItemIdSource, NewAgreement, NewApiToken, NewSession, NewUser, TokenId,
    Username,
};
use barid_web::auth::secret::{hash_secret, new_api_token, random_secret};
use barid_web::clock::{Clock, FixedClock};
use barid_web::{AppState, Config, build_router};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery staple";
pub const PEOPLE: [Role; 6] = [
    Role::Admin,
    Role::Supervisor,
    Role::Clerk,
    Role::OeOperator,
    Role::Customs,
    Role::Delivery,
];
pub const MACHINES: [Role; 2] = [Role::Merchant, Role::Partner];

/// One argon2 hash for every test user: hashing is slow on purpose.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| barid_web::hash_password(PASSWORD).unwrap())
        .clone()
}

/// A logged-in person: the session cookie's secret and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Person {
    pub secret: String,
    pub csrf: String,
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Person(Person),
    Token(String),
}

pub struct TestApp {
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub clock: Arc<FixedClock>,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

/// A test user's name: `eg-oe_operator`.
pub fn person_name(operator: &str, role: Role) -> String {
    format!("{}-{}", operator.to_lowercase(), role.as_str())
}

/// A user of `operator` that no test logs in as.
pub fn target_user(operator: &str) -> String {
    format!("{}-target", operator.to_lowercase())
}

/// The office of exchange of each hosted operator.
pub fn exchange_office(operator: &str) -> &'static str {
    match operator {
        "EG" => "EGCAIA",
        "JO" => "JOAMMA",
        _ => "PSRMHA",
    }
}

/// The delivery office of an operator in [`TestApp::with_three_posts`], if it has one.
pub fn delivery_office(operator: &str) -> Option<&'static str> {
    match operator {
        "EG" => Some("EG-GIZA-1"),
        "PS" => Some("PS-RAMALLAH-1"),
        _ => None,
    }
}

/// Which network a [`TestApp`] starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Network {
    /// `world::network`: EG and PS hosted, JO a partner elsewhere.
    TwoPosts,
    /// `world::three_posts`: EG, PS and JO hosted, each with its office of exchange.
    ThreePosts,
    /// One post's own node: the offices of `world::three_posts`, only this post hosted, the
    /// other two partners on nodes of their own.
    NodeOf(&'static str),
}

pub fn item_id(operator: &str) -> S10Id {
    S10Id::new(
        ServiceIndicator::parse("RR").unwrap(),
        12_345_678,
        cc(operator),
    )
    .unwrap()
}

pub fn test_config() -> Config {
    Config {
        login_attempts_per_minute: 1000,
        // The matrix and the page tests look items up many times from one (unknown) address.
        tracking_lookups_per_minute: 100_000,
        ..Config::default()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(test_config()).await
    }

    pub async fn with_config(config: Config) -> Self {
        Self::build(config, Network::TwoPosts).await
    }

    /// Egypt, Palestine and Jordan all hosted on one node (`world::three_posts`): Jordan with
    /// its office of exchange JOAMMA and users of every role there, and the delivery users of
    /// Egypt and Palestine at their delivery offices (EG-GIZA-1, PS-RAMALLAH-1).
    pub async fn with_three_posts() -> Self {
        Self::build(test_config(), Network::ThreePosts).await
    }

    /// The node of one post (EG, PS or JO) in a network of three nodes.
    pub async fn node_of(operator: &'static str) -> Self {
        Self::build(test_config(), Network::NodeOf(operator)).await
    }

    async fn build(config: Config, network: Network) -> Self {
        let (store, dir) = barid_store_sqlite::temporary().await.unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        let operators: &[&str] = match network {
            Network::TwoPosts => {
                world::network(&store).await;
                &["EG", "PS"]
            }
            Network::ThreePosts => {
                world::three_posts(&store).await;
                &["EG", "PS", "JO"]
            }
            Network::NodeOf(hosted) => {
                world::three_posts_on_the_node_of(&store, hosted).await;
                match hosted {
                    "EG" => &["EG"],
                    "PS" => &["PS"],
                    _ => &["JO"],
                }
            }
        };
        for &operator in operators {
            for role in PEOPLE {
                let office = match (network, role) {
                    (Network::ThreePosts | Network::NodeOf(_), Role::Delivery) => {
                        delivery_office(operator).unwrap_or(exchange_office(operator))
                    }
                    _ => exchange_office(operator),
                };
                let offices = if role.works_at_offices() {
                    BTreeSet::from([site(office)])
                } else {
                    BTreeSet::new()
                };
                store
                    .create_user(
                        &cli(operator),
                        &NewUser {
                            operator: cc(operator),
                            username: Username::parse(&person_name(operator, role)).unwrap(),
                            display_name: format!("{role} of {operator}"),
                            password_hash: password_hash(),
                            roles: BTreeSet::from([role]),
                            offices,
                        },
                    )
                    .await
                    .unwrap();
            }
            // The user the matrix's /users/{username} routes act on. Nobody logs in as it, so
            // changing its password (which ends its sessions) cannot log a caller out.
            store
                .create_user(
                    &cli(operator),
                    &NewUser {
                        operator: cc(operator),
                        username: Username::parse(&target_user(operator)).unwrap(),
                        display_name: format!("Target of {operator}"),
                        password_hash: password_hash(),
                        roles: BTreeSet::from([Role::Clerk]),
                        offices: BTreeSet::from([site(exchange_office(operator))]),
                    },
                )
                .await
                .unwrap();
            if operator == "JO" {
                continue;
            }
            let new_item = world::new_item(ItemIdSource::Given(item_id(operator)));
            let item = barid_store::model::NewItem {
                operator: cc(operator),
                office: site(exchange_office(operator)),
                ..new_item
            };
            let mut first = world::accepted(T0);
            first.office = site(exchange_office(operator));
            store
                .create_item(
                    &cli(operator),
                    &item,
                    &first,
                    world::derived(ItemStatus::Accepted),
                    &[],
                )
                .await
                .unwrap();
        }
        let clock = Arc::new(FixedClock::new(T0));
        let state = AppState::new(store.clone(), ReferenceData::embedded().unwrap(), config)
            .with_clock(clock.clone());
        Self {
            router: build_router(state.clone()),
            store,
            clock,
            state,
            _dir: dir,
        }
    }

    /// An API token of `role` at `office`.
    pub async fn token_at(&self, operator: &str, role: Role, office: &str) -> Caller {
        let (secret, secret_hash) = new_api_token();
        self.store
            .create_api_token(
                &cli(operator),
                &NewApiToken {
                    operator: cc(operator),
                    name: format!("{role} at {office}"),
                    secret_hash,
                    role,
                    office: Some(site(office)),
                    partner: None,
                },
            )
            .await
            .unwrap();
        Caller::Token(secret)
    }

    /// Moves the node's clock on, so every step happens after the one before.
    pub fn later(&self, minutes: i64) {
        self.clock.advance(time::Duration::minutes(minutes));
    }

    /// The store agreements each post needs: Egypt's demo agreements with Palestine and
    /// Jordan, and Palestine's side of the Egypt–Palestine agreement (the demo data holds
    /// Egypt's side only; its routes run both ways, PSRMHA→EGCAIA through JOAMMA included).
    pub async fn demo_agreements(&self) {
        for agreement in Agreement::demo().unwrap() {
            if agreement.operator() != cc("EG") {
                continue;
            }
            let mut sides = Vec::new();
            if ["PS", "JO"].contains(&agreement.partner().as_str()) {
                sides.push((agreement.operator(), agreement.partner()));
            }
            if agreement.partner() == cc("PS") {
                sides.push((cc("PS"), cc("EG")));
            }
            for (operator, partner) in sides {
                self.store
                    .create_agreement(
                        &cli(operator.as_str()),
                        &NewAgreement {
                            operator,
                            partner,
                            reference: agreement.reference().to_owned(),
                            status: AgreementStatus::parse(agreement.status().as_str()).unwrap(),
                            terms: agreement.terms().to_json_value(),
                        },
                    )
                    .await
                    .unwrap();
            }
        }
    }

    /// What the server does every second: deliver the outbox between hosted posts, then apply
    /// every inbox. Nothing may be quarantined. How many messages were delivered.
    pub async fn pump(&self) -> usize {
        let now = self.clock.now();
        let delivered = barid_web::dispatcher::deliver_hosted(self.store.as_ref(), now)
            .await
            .unwrap();
        self.apply_inboxes().await;
        delivered
    }

    /// Applies every hosted post's inbox; nothing may be quarantined.
    pub async fn apply_inboxes(&self) {
        let now = self.clock.now();
        let reference = ReferenceData::embedded().unwrap();
        let applied = barid_web::inbox::apply_hosted(self.store.as_ref(), &reference, now)
            .await
            .unwrap();
        for operator in self.store.operators().await.unwrap() {
            let quarantined = self.store.quarantined_inbox(operator.code).await.unwrap();
            assert!(
                quarantined.is_empty(),
                "{} quarantined {:?}",
                operator.code,
                quarantined
                    .iter()
                    .map(|message| (message.message.message_type.clone(), message.error.clone()))
                    .collect::<Vec<_>>()
            );
        }
        assert_eq!(applied.quarantined, 0);
    }

    /// A fresh session for a test user.
    pub async fn login(&self, operator: &str, role: Role) -> Person {
        self.session_for(&person_name(operator, role)).await
    }

    pub async fn session_for(&self, username: &str) -> Person {
        let credentials = self
            .store
            .credentials(&Username::parse(username).unwrap())
            .await
            .unwrap()
            .unwrap();
        let secret = random_secret();
        let csrf = random_secret();
        self.store
            .create_session(&NewSession {
                secret_hash: hash_secret(&secret),
                user: credentials.user.id,
                csrf_token: csrf.clone(),
                created_at: T0,
                expires_at: T0 + time::Duration::hours(12),
            })
            .await
            .unwrap();
        Person { secret, csrf }
    }

    /// A new API token of `operator` with `role`; returns the secret and the token's ID.
    pub async fn token(&self, operator: &str, role: Role) -> (String, TokenId) {
        let (secret, secret_hash) = new_api_token();
        let partner =
            (role == Role::Partner).then(|| cc(if operator == "EG" { "PS" } else { "EG" }));
        let office = role
            .works_at_offices()
            .then(|| site(exchange_office(operator)));
        let token = self
            .store
            .create_api_token(
                &cli(operator),
                &NewApiToken {
                    operator: cc(operator),
                    name: format!("{role} token"),
                    secret_hash,
                    role,
                    office,
                    partner,
                },
            )
            .await
            .unwrap();
        (secret, token.id)
    }

    /// The same node after a restart: its store and clock, nothing it kept in memory.
    pub fn restarted(&self) -> Router {
        let state = AppState::new(
            Arc::clone(&self.store),
            ReferenceData::embedded().unwrap(),
            test_config(),
        )
        .with_clock(self.clock.clone());
        build_router(state)
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send_to(&self.router, request).await
    }

    pub async fn call(
        &self,
        caller: &Caller,
        method: Method,
        path: &str,
        body: Option<&str>,
    ) -> Reply {
        self.send(request(caller, method, path, body)).await
    }

    /// Posts a page's form as a browser does (`form` URL-encoded; the CSRF token travels in
    /// the header, as htmx sends it).
    pub async fn post_form(&self, caller: &Caller, path: &str, form: &str) -> Reply {
        let mut request = request(caller, Method::POST, path, Some(form));
        request.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        self.send(request).await
    }

    pub async fn audit_count(&self, operator: &str) -> usize {
        self.store
            .audit_log(cc(operator), None, 1000)
            .await
            .unwrap()
            .items
            .len()
    }

    pub async fn counts(&self, operator: &str) -> (usize, usize, usize, usize, usize) {
        let operator_code = cc(operator);
        (
            self.store.offices(operator_code).await.unwrap().len(),
            self.store.users(operator_code).await.unwrap().len(),
            self.store.api_tokens(operator_code).await.unwrap().len(),
            self.store.s10_ranges(operator_code).await.unwrap().len(),
            self.audit_count(operator).await,
        )
    }
}

/// A request as `caller`: a person sends the session cookie and the CSRF header; a token
/// sends `Authorization: Bearer`. A body is JSON.
/// One request to `router`, its whole reply read.
pub async fn send_to(router: &Router, request: Request<Body>) -> Reply {
    reply_of(router.clone().oneshot(request).await.unwrap()).await
}

/// A response with its whole body read.
pub async fn reply_of(response: axum::response::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

pub fn request(caller: &Caller, method: Method, path: &str, body: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    match caller {
        Caller::Anonymous => {}
        Caller::Person(person) => {
            builder = builder
                .header(header::COOKIE, format!("barid_session={}", person.secret))
                .header("x-csrf-token", &person.csrf);
        }
        Caller::Token(secret) => {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {secret}"));
        }
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error` code of a JSON error body, if it is one.
    pub fn error_code(&self) -> Option<String> {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()?
            .get("error")?
            .as_str()
            .map(str::to_owned)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }
}

/// Percent-encodes a query value or a form field.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn series_of(operator: &str) -> barid_core::DispatchSeries {
    let (origin, destination) = if operator == "EG" {
        ("EGCAIA", "PSRMHA")
    } else {
        ("PSRMHA", "EGCAIA")
    };
    barid_core::DispatchSeries {
        origin: barid_core::OfficeCode::parse(origin).unwrap(),
        destination: barid_core::OfficeCode::parse(destination).unwrap(),
        category: barid_core::MailCategory::parse("A").unwrap(),
        subclass: barid_core::MailSubclass::parse("UR").unwrap(),
    }
}

/// An empty outward receptacle at the operator's office of exchange, opened through the store.
pub async fn receptacle(app: &TestApp, operator: &str) -> i64 {
    app.store
        .open_receptacle(
            &cli(operator),
            &barid_store::model::NewReceptacle {
                office: site(exchange_office(operator)),
                series: series_of(operator),
                mail_class: barid_core::MailClass::parse("U").unwrap(),
            },
        )
        .await
        .unwrap()
        .id
        .0
}

/// A closed outward dispatch of one empty receptacle, written through the store.
/// An agreement of `operator`: the demo agreements are stored the first time.
pub async fn agreement(app: &TestApp, operator: &str) -> i64 {
    if app.store.agreements(cc(operator)).await.unwrap().is_empty() {
        app.demo_agreements().await;
    }
    app.store
        .agreements(cc(operator))
        .await
        .unwrap()
        .first()
        .unwrap()
        .id
        .0
}

pub async fn dispatch(app: &TestApp, operator: &str) -> String {
    let id = barid_store::model::ReceptacleRowId(receptacle(app, operator).await);
    let closed = app
        .store
        .close_receptacle(&cli(operator), id, 1, barid_core::Grams::new(500))
        .await
        .unwrap();
    let series = series_of(operator);
    let planner = move |number: barid_core::DispatchNumber| {
        let s8 = barid_core::exchange::SeriesYear { series, year: 2026 }.dispatch_id(number);
        Ok(barid_store::model::DispatchPlan {
            s8,
            receptacles: vec![(
                id,
                barid_core::ReceptacleId {
                    dispatch: s8,
                    serial: barid_core::ReceptacleSerial::new(1).unwrap(),
                    highest: true,
                    registered: false,
                    weight: barid_core::ReceptacleWeight::from_grams(500).unwrap(),
                },
            )],
            events: vec![],
            outbox: vec![],
        })
    };
    app.store
        .close_dispatch(
            &cli(operator),
            &barid_store::model::DispatchClosing {
                office: site(exchange_office(operator)),
                series,
                mail_class: barid_core::MailClass::parse("U").unwrap(),
                transit_office: None,
                year: 2026,
                closed_at: world::T0,
                receptacles: vec![(id, closed.version)],
            },
            &planner,
        )
        .await
        .unwrap()
        .s8
        .to_string()
}

/// POSTs JSON and expects 200 or 201; the answer's JSON.
pub async fn post_ok(
    app: &TestApp,
    caller: &Caller,
    path: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let reply = app
        .call(caller, Method::POST, path, Some(&body.to_string()))
        .await;
    assert!(
        reply.status == StatusCode::OK || reply.status == StatusCode::CREATED,
        "POST {path} {body}: {} {}",
        reply.status,
        reply.text()
    );
    reply.json()
}

/// Egypt accepts these registered letters for Ramallah, scans them in at EGCAIA, bags them in
/// one receptacle of `gross_grams` and closes the dispatch (through Amman): the dispatch's JSON.
pub async fn dispatch_from_egypt(
    app: &TestApp,
    serials: std::ops::RangeInclusive<u32>,
    gross_grams: u32,
) -> serde_json::Value {
    use serde_json::json;
    let oe = app.token_at("EG", Role::OeOperator, "EGCAIA").await;
    for serial in serials.clone() {
        world::accept(&app.store, ItemIdSource::Given(world::s10(serial)), &[])
            .await
            .unwrap();
    }
    app.later(60);
    for serial in serials.clone() {
        post_ok(
            app,
            &oe,
            "/api/v1/exchange/arrivals",
            json!({"s10": world::s10(serial).to_string()}),
        )
        .await;
    }
    let series = json!({"destination": "PSRMHA", "category": "A", "subclass": "UR"});
    let opened = post_ok(app, &oe, "/api/v1/exchange/receptacles", series.clone()).await;
    let id = opened
        .get("id")
        .and_then(serde_json::Value::as_i64)
        .unwrap();
    for serial in serials {
        post_ok(
            app,
            &oe,
            &format!("/api/v1/exchange/receptacles/{id}/items"),
            json!({"s10": world::s10(serial).to_string()}),
        )
        .await;
    }
    post_ok(
        app,
        &oe,
        &format!("/api/v1/exchange/receptacles/{id}/close"),
        json!({ "gross_weight_grams": gross_grams }),
    )
    .await;
    app.later(30);
    post_ok(app, &oe, "/api/v1/exchange/dispatches", series).await
}
