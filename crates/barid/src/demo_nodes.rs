//! `barid demo --nodes`: the demo network as five nodes in one process, one per post, each with
//! its own SQLite database and port, trading PREDES, RESDES, ITMATT and EMSEVT over HTTP as
//! nodes on separate machines would. Each node hosts its own operator and knows the other four
//! as partners: it issued each a partner token, and its endpoint for each points at that
//! partner's node with the token the partner issued it.
//!
//! The traffic is not written into the stores. Once the nodes serve, a driver does the posts'
//! work through each node's public JSON API (the counter in Cairo, the offices of exchange,
//! customs, the delivery offices) with API tokens the nodes issued at seeding, and waits for
//! each message to reach the next node before that post acts on it. What is printed, and
//! written to `--summary-json`, is only printed once every node shows its part.

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use barid_core::lifecycle::ItemStatus;
use barid_core::{CountryCode, Role, SiteCode};
use barid_store::Store;
use barid_store::model::{NewApiToken, OfficeKind, PartnerEndpoint};
use barid_web::Config;
use barid_web::api::exchange::{
    BagRequest, CloseReceptacleRequest, DispatchDto, DispatchSummaryDto, ExportCustomsRequest,
    ReceptacleDto, ScanRequest, SeriesRequest,
};
use barid_web::api::inward::{
    FoundItemRequest, ItemStepRequest, ReceptacleArrivalRequest, VerificationDto,
};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use time::OffsetDateTime;
use tokio::net::TcpListener;

use crate::demo::{self, DemoArgs, Login, OFFICES, OPERATORS};
use crate::demo_items::{self, Plan};
use crate::server_commands::{now, run_server, runtime};
use crate::{reference_files, storage};

/// Fewer items could not show every stage: one each for Iraq and Libya, and for Palestine one
/// delivered, one held by customs and one still in closed transit at Amman.
const MIN_ITEMS: usize = 5;
/// Items per receptacle at EGCAIA.
const PER_RECEPTACLE: usize = 15;
/// What a receptacle weighs empty (a letter sack), in grams.
const SACK_GRAMS: u32 = 300;
/// How long the driver waits for a message to reach the next node. The nodes send every
/// second; a partner that failed is retried after 1, 2, 4... seconds.
const WAIT: Duration = Duration::from_secs(30);

/// One post's node, as the driver and the summary see it.
struct Node {
    operator: CountryCode,
    name_en: &'static str,
    address: SocketAddr,
    database: PathBuf,
    logins: Vec<Login>,
    tokens: Vec<StaffToken>,
    /// The partners this node issued a partner token to.
    partner_tokens: Vec<CountryCode>,
}

impl Node {
    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address to open in a browser: a browser keeps one cookie jar per host name, not per
    /// port, so five nodes on 127.0.0.1 would log each other out. Browsers resolve every
    /// `*.localhost` name to the loopback address, each its own host for cookies.
    fn browser_url(&self) -> String {
        format!(
            "http://{}.localhost:{}",
            self.operator.as_str().to_lowercase(),
            self.address.port()
        )
    }
}

/// An API token the driver acts with: one role at one office of the node's operator.
#[derive(serde::Serialize)]
struct StaffToken {
    role: Role,
    office: String,
    token: String,
}

pub fn demo_nodes(args: &DemoArgs) -> anyhow::Result<()> {
    if args.items < MIN_ITEMS {
        anyhow::bail!(
            "barid demo --nodes needs --items {MIN_ITEMS} or more, to show an item at every \
             stage on every node"
        );
    }
    let config = Config::load(None, std::env::vars())?;
    barid_web::init_logging(config.log_format, "warn")?;
    // The nodes' servers run on this thread, not on the runtime's workers: `barid` holds the
    // lock on stdout for the whole command (cli::run), and each server prints its address.
    let local = tokio::task::LocalSet::new();
    runtime()?.block_on(local.run_until(run(args, config)))
}

fn sqlite_url(database: &Path) -> String {
    format!("sqlite://{}", database.display())
}

/// `--port` for Egypt's node, the next ports for the others in the order of OPERATORS.
fn port_of(base: u16, index: usize) -> anyhow::Result<u16> {
    if base == 0 {
        return Ok(0);
    }
    u16::try_from(index)
        .ok()
        .and_then(|index| base.checked_add(index))
        .with_context(|| format!("--port {base}: the five nodes need the ports {base} to {base}+4"))
}

async fn run(args: &DemoArgs, base: Config) -> anyhow::Result<()> {
    let started = Instant::now();
    let reference = reference_files::load(base.reference_dir.as_deref())?;
    let at = now();
    // Every port first: each node's partner endpoints need the others' addresses.
    let mut listeners = Vec::new();
    for (index, (code, ..)) in OPERATORS.iter().enumerate() {
        let address = SocketAddr::from(([127, 0, 0, 1], port_of(args.port, index)?));
        let listener = TcpListener::bind(address)
            .await
            .with_context(|| format!("listening on {address} for {code}'s node"))?;
        listeners.push(listener);
    }
    println!(
        "building the demo network as five nodes in {} …",
        args.dir.display()
    );
    let mut nodes = Vec::new();
    let mut stores = Vec::new();
    for ((code, name_en, ..), listener) in OPERATORS.iter().zip(&listeners) {
        let address = listener
            .local_addr()
            .context("reading a node's listening address")?;
        let database = demo::fresh_database(&args.dir.join(code.to_lowercase()))?;
        let store = storage::open_sql(&sqlite_url(&database)).await?;
        let operator = demo::country(code)?;
        let logins = demo::seed_network(&store, at, Some(operator)).await?;
        let tokens = staff_tokens(&store, operator, at).await?;
        nodes.push(Node {
            operator,
            name_en,
            address,
            database,
            logins,
            tokens,
            partner_tokens: Vec::new(),
        });
        stores.push(store);
    }
    link_partners(&mut nodes, &stores, at).await?;

    let mut servers = tokio::task::JoinSet::new();
    for ((node, store), listener) in nodes.iter().zip(stores).zip(listeners) {
        let mut config = base.clone();
        config.database_url = barid_web::DatabaseUrl::new(sqlite_url(&node.database));
        config.listen = node.address;
        // The partner endpoints are plain http:// URLs on loopback.
        config.tls_cert = None;
        config.tls_key = None;
        servers.spawn_local(run_server(
            config,
            store,
            reference.clone(),
            Some(listener),
            |_| {},
        ));
    }
    println!("moving the demo's items between the nodes over HTTP …");
    let traffic = tokio::select! {
        traffic = drive(&nodes, args.items) => traffic?,
        Some(stopped) = servers.join_next() => {
            stopped.context("a node's server")??;
            anyhow::bail!("a node stopped before the demo's traffic was done");
        }
    };
    print_summary(&nodes, &traffic, started.elapsed());
    if let Some(path) = &args.summary_json {
        demo::write_json(path, &Summary::new(&nodes, &traffic));
    }
    std::io::Write::flush(&mut std::io::stdout()).ok();
    while let Some(stopped) = servers.join_next().await {
        stopped.context("a node's server")??;
    }
    Ok(())
}

async fn issue_token(
    store: &dyn Store,
    operator: CountryCode,
    at: OffsetDateTime,
    name: String,
    role: Role,
    office: Option<SiteCode>,
    partner: Option<CountryCode>,
) -> anyhow::Result<String> {
    let (secret, secret_hash) = barid_web::new_api_token();
    store
        .create_api_token(
            &demo::actor(operator, at),
            &NewApiToken {
                operator,
                name,
                secret_hash,
                role,
                office,
                partner,
            },
        )
        .await?;
    Ok(secret)
}

/// A token for each role at each of the operator's offices (the counter's clerk, the office of
/// exchange's operator and customs, the delivery office), and Egypt's merchant at Cairo.
async fn staff_tokens(
    store: &dyn Store,
    operator: CountryCode,
    at: OffsetDateTime,
) -> anyhow::Result<Vec<StaffToken>> {
    let mut wanted: Vec<(Role, &str)> = Vec::new();
    for office in OFFICES
        .iter()
        .filter(|office| office.operator == operator.as_str())
    {
        let roles: &[Role] = match office.kind {
            OfficeKind::Counter => &[Role::Clerk],
            OfficeKind::Exchange => &[Role::OeOperator, Role::Customs],
            OfficeKind::Delivery => &[Role::Delivery],
            OfficeKind::Headquarters => &[],
        };
        wanted.extend(roles.iter().map(|role| (*role, office.code)));
    }
    if operator.as_str() == "EG" {
        wanted.push((Role::Merchant, "EG-CAI-01"));
    }
    let mut tokens = Vec::new();
    for (role, office) in wanted {
        let name = match role {
            Role::Merchant => "demo merchant (Cairo online shop)".to_owned(),
            _ => format!("demo driver: {role} at {office}"),
        };
        let site = SiteCode::parse(office).with_context(|| format!("demo office {office}"))?;
        let token = issue_token(store, operator, at, name, role, Some(site), None).await?;
        tokens.push(StaffToken {
            role,
            office: office.to_owned(),
            token,
        });
    }
    Ok(tokens)
}

/// Each node issues a partner token to each other node's post, and that post's endpoint for
/// it is the issuing node's URL with that token.
async fn link_partners(
    nodes: &mut [Node],
    stores: &[barid_store::sql::SqlStore],
    at: OffsetDateTime,
) -> anyhow::Result<()> {
    let links: Vec<(usize, CountryCode, String)> = nodes
        .iter()
        .enumerate()
        .map(|(index, node)| (index, node.operator, node.url()))
        .collect();
    for (issuer_index, issuer, issuer_url) in &links {
        let issuer_store = stores
            .get(*issuer_index)
            .context("a node without its store")?;
        for (holder_index, holder, _) in &links {
            if holder == issuer {
                continue;
            }
            let secret = issue_token(
                issuer_store,
                *issuer,
                at,
                format!("{holder}'s node (demo)"),
                Role::Partner,
                None,
                Some(*holder),
            )
            .await?;
            let holder_store = stores
                .get(*holder_index)
                .context("a node without its store")?;
            holder_store
                .set_partner_endpoint(
                    &demo::actor(*holder, at),
                    &PartnerEndpoint {
                        operator: *holder,
                        partner: *issuer,
                        url: issuer_url.clone(),
                        outbound_token: secret,
                        paused: false,
                        updated_at: at,
                    },
                )
                .await?;
            if let Some(node) = nodes.get_mut(*issuer_index) {
                node.partner_tokens.push(*holder);
            }
        }
    }
    Ok(())
}

// --- the driver ------------------------------------------------------------------------------

/// Someone at work at one office, acting on one node with the API token it issued for them.
#[derive(Clone, Copy)]
struct Desk<'a> {
    http: &'a reqwest::Client,
    node: &'a Node,
    role: Role,
    office: &'a str,
    token: &'a str,
}

impl Desk<'_> {
    fn who(&self) -> String {
        format!(
            "{} at {} on {}'s node ({})",
            self.role,
            self.office,
            self.node.operator,
            self.node.url()
        )
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<(reqwest::StatusCode, Vec<u8>)> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.node.url()))
            .bearer_auth(self.token);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path} as {}", self.who()))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("reading the answer to {method} {path}"))?;
        Ok((status, bytes.to_vec()))
    }

    /// A request that must succeed, and its JSON answer.
    async fn expect<R: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> anyhow::Result<R> {
        let (status, bytes) = self.call(method.clone(), path, body).await?;
        if !status.is_success() {
            anyhow::bail!(
                "{method} {path} as {} was answered {status}: {}",
                self.who(),
                String::from_utf8_lossy(&bytes)
            );
        }
        serde_json::from_slice(&bytes)
            .with_context(|| format!("reading the answer to {method} {path}"))
    }

    async fn post<R: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> anyhow::Result<R> {
        let body = serde_json::to_vec(body).context("writing a request body")?;
        self.expect(reqwest::Method::POST, path, Some(body)).await
    }

    async fn post_empty<R: DeserializeOwned>(&self, path: &str) -> anyhow::Result<R> {
        self.expect(reqwest::Method::POST, path, None).await
    }

    async fn get<R: DeserializeOwned>(&self, path: &str) -> anyhow::Result<R> {
        self.expect(reqwest::Method::GET, path, None).await
    }

    /// `None` while the node answers 404.
    async fn find<R: DeserializeOwned>(&self, path: &str) -> anyhow::Result<Option<R>> {
        let (status, _) = self.call(reqwest::Method::GET, path, None).await?;
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.get(path).await.map(Some)
    }

    /// The dispatch with this S8 ID at the desk's office, once the node knows it.
    async fn find_dispatch(&self, s8: &str) -> anyhow::Result<Option<DispatchSummaryDto>> {
        let list: Vec<DispatchSummaryDto> = self.get("/api/v1/exchange/dispatches").await?;
        Ok(list.into_iter().find(|dispatch| dispatch.s8 == s8))
    }

    async fn step(&self, path: &str, s10: &str, step: &str) -> anyhow::Result<()> {
        self.step_with(path, s10, step, Details::default()).await
    }

    async fn step_with(
        &self,
        path: &str,
        s10: &str,
        step: &str,
        details: Details,
    ) -> anyhow::Result<()> {
        let body = ItemStepRequest {
            office: None,
            s10: s10.to_owned(),
            step: step.to_owned(),
            reason: details.reason.map(str::to_owned),
            next_action: details.next_action.map(str::to_owned),
            signatory: details.signatory,
            note: details.note.map(str::to_owned),
            collected: None,
        };
        let _: IgnoredAny = self.post(path, &body).await?;
        Ok(())
    }
}

/// The optional parts of an item step.
#[derive(Default)]
struct Details {
    reason: Option<&'static str>,
    next_action: Option<&'static str>,
    signatory: Option<String>,
    note: Option<&'static str>,
}

/// Probes until `probe` finds something, or fails after [`WAIT`] saying what never came.
async fn wait_for<T, Fut>(what: &str, mut probe: impl FnMut() -> Fut) -> anyhow::Result<T>
where
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(found) = probe().await? {
            return Ok(found);
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "timed out after {} s waiting for {what}: the nodes send their messages every \
                 second, so one did not get through (the sending node's /partners page shows \
                 each partner's last error)",
                WAIT.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

struct Driver<'a> {
    http: reqwest::Client,
    nodes: &'a [Node],
}

impl Driver<'_> {
    fn desk(&self, operator: &str, role: Role, office: &str) -> anyhow::Result<Desk<'_>> {
        let node = self
            .nodes
            .iter()
            .find(|node| node.operator.as_str() == operator)
            .with_context(|| format!("no node for {operator}"))?;
        let token = node
            .tokens
            .iter()
            .find(|token| token.role == role && token.office == office)
            .with_context(|| format!("{operator}'s node issued no {role} token at {office}"))?;
        Ok(Desk {
            http: &self.http,
            node,
            role,
            office: &token.office,
            token: &token.token,
        })
    }
}

/// How far an item of the demo gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Scanned at EGCAIA, not bagged yet.
    AtOutwardOffice,
    /// In a dispatch Jordan received at Amman and has not sent on.
    InTransitAtAmman,
    HeldByCustoms,
    AtDeliveryOffice,
    OutForDelivery,
    /// A failed attempt; the office tries again.
    AttemptFailed,
    Delivered,
    /// In a dispatch Libya expects at Tripoli.
    ExpectedAtTripoli,
}

impl Stage {
    fn story(self) -> &'static str {
        match self {
            Stage::AtOutwardOffice => "at the office of exchange in Cairo",
            Stage::InTransitAtAmman => "in closed transit at Amman",
            Stage::HeldByCustoms => "held by customs in Ramallah",
            Stage::AtDeliveryOffice => "at the delivery office",
            Stage::OutForDelivery => "out for delivery",
            Stage::AttemptFailed => "delivery attempted, the addressee was out",
            Stage::Delivered => "delivered",
            Stage::ExpectedAtTripoli => "on its way to Tripoli",
        }
    }

    /// Egypt Post's copy of the item once every message about this stage has arrived.
    fn status_in_egypt(self) -> ItemStatus {
        match self {
            Stage::AtOutwardOffice => ItemStatus::AtOutwardOffice,
            Stage::InTransitAtAmman => ItemStatus::AtTransitOffice,
            Stage::HeldByCustoms => ItemStatus::HeldByImportCustoms,
            Stage::AtDeliveryOffice => ItemStatus::AtDeliveryOffice,
            Stage::OutForDelivery => ItemStatus::OutForDelivery,
            Stage::AttemptFailed => ItemStatus::DeliveryAttemptFailed,
            Stage::Delivered => ItemStatus::Delivered,
            Stage::ExpectedAtTripoli => ItemStatus::DepartedOrigin,
        }
    }
}

/// An item the driver accepted, and where it is to stop.
struct Traced {
    plan: Plan,
    s10: String,
    stage: Stage,
}

impl Traced {
    fn has_customs(&self) -> bool {
        self.plan.contents.category.is_some()
    }
}

/// An item for the summary.
#[derive(serde::Serialize)]
struct TracedItem {
    s10: String,
    destination: String,
    /// The item's status on Egypt Post's node, e.g. `delivered`.
    status: &'static str,
    story: String,
}

/// A dispatch for the summary, with its number on each node that has it.
#[derive(serde::Serialize)]
struct TracedDispatch {
    s8: String,
    destination_office: String,
    transit_office: Option<String>,
    story: &'static str,
    /// Operator code → the dispatch's `id` in that node's API, for each node that has it (each
    /// addresses it by its S8 ID).
    ids: BTreeMap<String, i64>,
}

impl TracedDispatch {
    fn new(dispatch: &DispatchDto, story: &'static str, ids: &[(&str, i64)]) -> Self {
        Self {
            s8: dispatch.s8.clone(),
            // The S8 ID's second six characters.
            destination_office: dispatch.s8.get(6..12).unwrap_or_default().to_owned(),
            transit_office: dispatch.transit_office.clone(),
            story,
            ids: ids
                .iter()
                .map(|(operator, id)| ((*operator).to_owned(), *id))
                .collect(),
        }
    }
}

struct Traffic {
    items: Vec<TracedItem>,
    dispatches: Vec<TracedDispatch>,
}

/// The response to an acceptance, as far as the driver needs it.
#[derive(serde::Deserialize)]
struct Accepted {
    s10: String,
}

/// An item as a node's API shows it, as far as the driver needs it.
#[derive(serde::Deserialize)]
struct ItemStatusDto {
    status: String,
}

/// Palestine's first dispatch goes the whole way: most of its items are delivered, and one of
/// each other stage stops on the way, so every screen has something on it. The first item is
/// always delivered (the walkthrough follows it to the door), and the one customs holds is the
/// next with a declaration. `with_customs` says which items have one.
fn inward_stages(with_customs: &[bool]) -> Vec<Stage> {
    let held = with_customs
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, declared)| **declared)
        .map(|(index, _)| index);
    let mut others = [
        Stage::OutForDelivery,
        Stage::AttemptFailed,
        Stage::AtDeliveryOffice,
    ]
    .into_iter();
    (0..with_customs.len())
        .map(|index| match index {
            0 => Stage::Delivered,
            _ if Some(index) == held => Stage::HeldByCustoms,
            _ => others.next().unwrap_or(Stage::Delivered),
        })
        .collect()
}

async fn accept(driver: &Driver<'_>, plan: Plan, stage: Stage) -> anyhow::Result<Traced> {
    let clerk = driver.desk("EG", Role::Clerk, plan.counter)?;
    let mut draft = demo_items::draft(&plan);
    // Every item is a registered letter (letter post, class U, category A), so they all leave
    // through EGCAIA in the same kind of dispatch whatever they hold; the goods among them have
    // their CN 22.
    draft.service = "registered".to_owned();
    let accepted: Accepted = clerk
        .post("/api/v1/items", &draft)
        .await
        .with_context(|| format!("accepting an item to {}", plan.destination_city))?;
    Ok(Traced {
        plan,
        s10: accepted.s10,
        stage,
    })
}

/// Bags `items` at EGCAIA for `destination` and closes the dispatch: its PREDES and ITMATT go
/// to the partners' nodes.
async fn dispatch_from_cairo(
    eg_oe: Desk<'_>,
    destination: &str,
    items: &[Traced],
) -> anyhow::Result<DispatchDto> {
    let series = SeriesRequest {
        office: None,
        destination: destination.to_owned(),
        category: "A".to_owned(),
        subclass: "UR".to_owned(),
    };
    for bag in items.chunks(PER_RECEPTACLE) {
        let opened: ReceptacleDto = eg_oe.post("/api/v1/exchange/receptacles", &series).await?;
        for item in bag {
            let _: IgnoredAny = eg_oe
                .post(
                    &format!("/api/v1/exchange/receptacles/{}/items", opened.id),
                    &BagRequest {
                        s10: item.s10.clone(),
                    },
                )
                .await?;
        }
        let contents: u32 = bag.iter().map(|item| item.plan.weight).sum();
        let _: IgnoredAny = eg_oe
            .post(
                &format!("/api/v1/exchange/receptacles/{}/close", opened.id),
                &CloseReceptacleRequest {
                    gross_weight_grams: contents + SACK_GRAMS,
                },
            )
            .await?;
    }
    eg_oe.post("/api/v1/exchange/dispatches", &series).await
}

/// Scans each receptacle of `dispatch` on arrival at the desk's office, once its node has the
/// pre-advice; the received receptacles, and the dispatch's number on that node.
async fn receive_receptacles(
    desk: Desk<'_>,
    dispatch: &DispatchDto,
) -> anyhow::Result<(Vec<ReceptacleDto>, i64)> {
    let s8 = dispatch.s8.as_str();
    let expected = wait_for(
        &format!(
            "{}'s node to expect dispatch {s8} (its PREDES)",
            desk.node.name_en
        ),
        move || async move { desk.find_dispatch(s8).await },
    )
    .await?;
    let mut received = Vec::new();
    for receptacle in &dispatch.receptacles {
        let s9 = receptacle
            .s9
            .clone()
            .with_context(|| format!("a receptacle of {s8} without its S9 ID"))?;
        let arrived: ReceptacleDto = desk
            .post(
                "/api/v1/exchange/receptacle-arrivals",
                &ReceptacleArrivalRequest {
                    office: None,
                    s9,
                    measured_weight_grams: receptacle.gross_weight_grams,
                    damaged: false,
                },
            )
            .await?;
        received.push(arrived);
    }
    Ok((received, expected.id))
}

/// The inward office opens every receptacle of `dispatch`, finds its items and verifies it
/// (RESDES back to Egypt); the dispatch's number on the inward node.
async fn receive_and_verify(desk: Desk<'_>, dispatch: &DispatchDto) -> anyhow::Result<i64> {
    for item in dispatch.receptacles.iter().flat_map(|r| &r.items) {
        let path = format!("/api/v1/items/{}", item.s10);
        let path = path.as_str();
        wait_for(
            &format!(
                "{}'s node to have {}'s advance data (its ITMATT)",
                desk.node.name_en, item.s10
            ),
            move || async move { desk.find::<IgnoredAny>(path).await },
        )
        .await?;
    }
    let (received, id) = receive_receptacles(desk, dispatch).await?;
    for (advised, arrived) in dispatch.receptacles.iter().zip(&received) {
        for item in &advised.items {
            let _: IgnoredAny = desk
                .post(
                    &format!("/api/v1/exchange/receptacles/{}/found-items", arrived.id),
                    &FoundItemRequest {
                        s10: item.s10.clone(),
                        damaged: false,
                    },
                )
                .await?;
        }
    }
    let _: VerificationDto = desk
        .post_empty(&format!(
            "/api/v1/exchange/dispatches/{}/verify",
            dispatch.s8
        ))
        .await?;
    Ok(id)
}

/// From the inward office to the door, each item as far as its stage says.
async fn deliver(driver: &Driver<'_>, operator: &str, items: &[Traced]) -> anyhow::Result<()> {
    for item in items {
        if item.stage == Stage::HeldByCustoms {
            continue;
        }
        let postman = driver.desk(operator, Role::Delivery, item.plan.delivery_office)?;
        let path = "/api/v1/delivery/events";
        postman.step(path, &item.s10, "arrival").await?;
        if item.stage == Stage::AtDeliveryOffice {
            continue;
        }
        postman.step(path, &item.s10, "out_for_delivery").await?;
        match item.stage {
            Stage::AttemptFailed => {
                let details = Details {
                    reason: Some("03"),
                    next_action: Some("redeliver"),
                    ..Details::default()
                };
                postman
                    .step_with(path, &item.s10, "attempt", details)
                    .await?;
            }
            Stage::Delivered => {
                let details = Details {
                    signatory: Some(item.plan.addressee.name_latin.to_owned()),
                    ..Details::default()
                };
                postman
                    .step_with(path, &item.s10, "delivered", details)
                    .await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Customs at the inward office: every item with a declaration is presented, one is held for
/// its invoice and the others released; then the office sends on all but the held one.
async fn clear_and_forward(
    driver: &Driver<'_>,
    operator: &str,
    office: &str,
    items: &[Traced],
) -> anyhow::Result<()> {
    let customs = driver.desk(operator, Role::Customs, office)?;
    let oe = driver.desk(operator, Role::OeOperator, office)?;
    let path = "/api/v1/exchange/import-customs";
    for item in items.iter().filter(|item| item.has_customs()) {
        customs.step(path, &item.s10, "present").await?;
        if item.stage == Stage::HeldByCustoms {
            let details = Details {
                reason: Some("10"),
                note: Some("invoice requested from the addressee"),
                ..Details::default()
            };
            customs.step_with(path, &item.s10, "hold", details).await?;
        } else {
            customs.step(path, &item.s10, "release").await?;
        }
    }
    for item in items
        .iter()
        .filter(|item| item.stage != Stage::HeldByCustoms)
    {
        oe.step("/api/v1/exchange/forwarding", &item.s10, "forward")
            .await?;
    }
    Ok(())
}

fn planned(first_index: usize, count: usize, country: &str) -> anyhow::Result<Vec<Plan>> {
    (first_index..first_index + count)
        .map(|index| {
            demo_items::plan_to(index, country)
                .with_context(|| format!("the demo has no addressee in {country}"))
        })
        .collect()
}

async fn drive(nodes: &[Node], count: usize) -> anyhow::Result<Traffic> {
    let driver = Driver {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .context("setting up the demo's HTTP client")?,
        nodes,
    };
    // Most items go to Palestine, through Amman; a few go to Iraq and Libya direct.
    let to_iraq = (count / 10).max(1);
    let to_libya = (count / 10).max(1);
    let to_palestine = count - to_iraq - to_libya;
    let left_in_cairo = usize::from(to_palestine >= 10);
    let left_in_amman = (to_palestine / 20).max(1);
    let delivered_to_palestine = to_palestine - left_in_cairo - left_in_amman;

    // --- Egypt: the counter, then the office of exchange at EGCAIA -----------------------------
    let plans = planned(0, delivered_to_palestine, "PS")?;
    let with_customs: Vec<bool> = plans
        .iter()
        .map(|plan| plan.contents.category.is_some())
        .collect();
    let mut first = Vec::new();
    for (plan, stage) in plans.into_iter().zip(inward_stages(&with_customs)) {
        first.push(accept(&driver, plan, stage).await?);
    }
    let mut second = Vec::new();
    for plan in planned(delivered_to_palestine, left_in_amman, "PS")? {
        second.push(accept(&driver, plan, Stage::InTransitAtAmman).await?);
    }
    let mut at_cairo = Vec::new();
    for plan in planned(delivered_to_palestine + left_in_amman, left_in_cairo, "PS")? {
        at_cairo.push(accept(&driver, plan, Stage::AtOutwardOffice).await?);
    }
    let mut to_baghdad = Vec::new();
    for plan in planned(to_palestine, to_iraq, "IQ")? {
        to_baghdad.push(accept(&driver, plan, Stage::Delivered).await?);
    }
    let mut to_tripoli = Vec::new();
    for plan in planned(to_palestine + to_iraq, to_libya, "LY")? {
        to_tripoli.push(accept(&driver, plan, Stage::ExpectedAtTripoli).await?);
    }

    let eg_oe = driver.desk("EG", Role::OeOperator, "EGCAIA")?;
    let all = || {
        first
            .iter()
            .chain(&second)
            .chain(&at_cairo)
            .chain(&to_baghdad)
            .chain(&to_tripoli)
    };
    for item in all() {
        let _: IgnoredAny = eg_oe
            .post(
                "/api/v1/exchange/arrivals",
                &ScanRequest {
                    office: None,
                    s10: item.s10.clone(),
                },
            )
            .await?;
    }
    // The routes to Iraq and Libya need export customs for goods.
    for item in to_baghdad
        .iter()
        .chain(&to_tripoli)
        .filter(|item| item.has_customs())
    {
        for step in ["present", "return"] {
            let _: IgnoredAny = eg_oe
                .post(
                    "/api/v1/exchange/export-customs",
                    &ExportCustomsRequest {
                        office: None,
                        s10: item.s10.clone(),
                        step: step.to_owned(),
                        reason: None,
                        note: None,
                    },
                )
                .await?;
        }
    }
    let to_ramallah = dispatch_from_cairo(eg_oe, "PSRMHA", &first).await?;
    let held_in_amman = dispatch_from_cairo(eg_oe, "PSRMHA", &second).await?;
    let iraq = dispatch_from_cairo(eg_oe, "IQBGWA", &to_baghdad).await?;
    let libya = dispatch_from_cairo(eg_oe, "LYTIPA", &to_tripoli).await?;

    // --- Jordan: closed transit at JOAMMA --------------------------------------------------------
    let jo_oe = driver.desk("JO", Role::OeOperator, "JOAMMA")?;
    let (_, jo_first) = receive_receptacles(jo_oe, &to_ramallah).await?;
    let (_, jo_second) = receive_receptacles(jo_oe, &held_in_amman).await?;
    let _: DispatchDto = jo_oe
        .post_empty(&format!(
            "/api/v1/exchange/dispatches/{}/forward",
            to_ramallah.s8
        ))
        .await?;

    // --- Palestine: PSRMHA, its customs, its delivery offices -----------------------------------
    let ps_oe = driver.desk("PS", Role::OeOperator, "PSRMHA")?;
    let ps_first = receive_and_verify(ps_oe, &to_ramallah).await?;
    clear_and_forward(&driver, "PS", "PSRMHA", &first).await?;
    deliver(&driver, "PS", &first).await?;
    let held_s8 = held_in_amman.s8.as_str();
    let ps_second = wait_for(
        "Palestine Post's node to expect the dispatch held at Amman (its PREDES)",
        move || async move { ps_oe.find_dispatch(held_s8).await },
    )
    .await?
    .id;

    // --- Iraq: received at IQBGWA and delivered; Libya: expected at LYTIPA ---------------------
    let iq_oe = driver.desk("IQ", Role::OeOperator, "IQBGWA")?;
    let iq_id = receive_and_verify(iq_oe, &iraq).await?;
    clear_and_forward(&driver, "IQ", "IQBGWA", &to_baghdad).await?;
    deliver(&driver, "IQ", &to_baghdad).await?;
    let ly_oe = driver.desk("LY", Role::OeOperator, "LYTIPA")?;
    let libya_s8 = libya.s8.as_str();
    let ly_id = wait_for(
        "Libya Post's node to expect its dispatch (its PREDES)",
        move || async move { ly_oe.find_dispatch(libya_s8).await },
    )
    .await?
    .id;

    // --- Back in Egypt: every partner's report on its copy of each item -----------------------
    for (dispatch, from) in [(&to_ramallah, "Palestine"), (&iraq, "Iraq")] {
        let path = format!("/api/v1/exchange/dispatches/{}", dispatch.s8);
        let path = path.as_str();
        wait_for(
            &format!(
                "{from}'s response on receipt of {} (its RESDES) on Egypt Post's node",
                dispatch.s8
            ),
            move || async move {
                let outward: DispatchDto = eg_oe.get(path).await?;
                Ok(outward.partner_response.map(|_| ()))
            },
        )
        .await?;
    }
    for item in all() {
        let want = item.stage.status_in_egypt().as_str();
        let path = format!("/api/v1/items/{}", item.s10);
        let path = path.as_str();
        wait_for(
            &format!(
                "Egypt Post's copy of {} to be {want} (the partners' EMSEVT)",
                item.s10
            ),
            move || async move {
                let copy: ItemStatusDto = eg_oe.get(path).await?;
                Ok((copy.status == want).then_some(()))
            },
        )
        .await?;
    }

    let items = all()
        .map(|item| TracedItem {
            s10: item.s10.clone(),
            destination: item.plan.destination.to_owned(),
            status: item.stage.status_in_egypt().as_str(),
            story: format!(
                "{} → {}: {}",
                item.plan.origin_city,
                item.plan.destination_city,
                item.stage.story()
            ),
        })
        .collect();
    let dispatches = vec![
        TracedDispatch::new(
            &to_ramallah,
            "through Amman in closed transit, received and verified at Ramallah",
            &[("EG", to_ramallah.id), ("JO", jo_first), ("PS", ps_first)],
        ),
        TracedDispatch::new(
            &held_in_amman,
            "received at Amman, not sent on yet: Ramallah expects it",
            &[
                ("EG", held_in_amman.id),
                ("JO", jo_second),
                ("PS", ps_second),
            ],
        ),
        TracedDispatch::new(
            &iraq,
            "received and verified at Baghdad",
            &[("EG", iraq.id), ("IQ", iq_id)],
        ),
        TracedDispatch::new(
            &libya,
            "on its way: Tripoli expects it",
            &[("EG", libya.id), ("LY", ly_id)],
        ),
    ];
    Ok(Traffic { items, dispatches })
}

// --- what is printed -------------------------------------------------------------------------

/// The `--summary-json` file.
#[derive(serde::Serialize)]
struct Summary<'a> {
    nodes: Vec<NodeSummary<'a>>,
    items: &'a [TracedItem],
    dispatches: &'a [TracedDispatch],
}

#[derive(serde::Serialize)]
struct NodeSummary<'a> {
    operator: CountryCode,
    name: &'a str,
    /// Where the partners' nodes and scripts reach it.
    base_url: String,
    /// The same node under a host name of its own, for a browser.
    browser_url: String,
    database: String,
    logins: &'a [Login],
    /// The tokens the demo moved the items with, one per role and office.
    api_tokens: &'a [StaffToken],
    /// The partners this node issued a partner token to.
    partner_tokens: &'a [CountryCode],
}

impl<'a> Summary<'a> {
    fn new(nodes: &'a [Node], traffic: &'a Traffic) -> Self {
        Self {
            nodes: nodes
                .iter()
                .map(|node| NodeSummary {
                    operator: node.operator,
                    name: node.name_en,
                    base_url: node.url(),
                    browser_url: node.browser_url(),
                    database: node.database.display().to_string(),
                    logins: &node.logins,
                    api_tokens: &node.tokens,
                    partner_tokens: &node.partner_tokens,
                })
                .collect(),
            items: &traffic.items,
            dispatches: &traffic.dispatches,
        }
    }
}

fn print_summary(nodes: &[Node], traffic: &Traffic, took: Duration) {
    println!();
    println!(
        "Barid demo network: five nodes, one per post, trading messages over HTTP (ready in \
         {:.1} s)",
        took.as_secs_f64()
    );
    for node in nodes {
        let codes: Vec<&str> = node
            .partner_tokens
            .iter()
            .map(CountryCode::as_str)
            .collect();
        println!();
        println!("{} ({})", node.name_en, node.operator);
        println!(
            "  web:       {}/   (the node: {})",
            node.browser_url(),
            node.url()
        );
        println!("  database:  {}", node.database.display());
        println!(
            "  partners:  partner tokens issued to {}; it sends to each at its node's URL",
            codes.join(", ")
        );
        for login in &node.logins {
            println!(
                "  {:<16} {:<12} {}",
                login.username,
                login.role.as_str(),
                login.password
            );
        }
        for token in node.tokens.iter().filter(|t| t.role == Role::Merchant) {
            println!(
                "  merchant API token at {} (Authorization: Bearer …): {}",
                token.office, token.token
            );
        }
    }
    println!();
    println!("Dispatches:");
    for dispatch in &traffic.dispatches {
        println!("  {}  {}", dispatch.s8, dispatch.story);
    }
    let egypt = nodes.iter().find(|node| node.operator.as_str() == "EG");
    if let Some(egypt) = egypt {
        println!();
        println!("Items to try on Egypt Post's tracking page:");
        // One item of each stage in each country.
        let mut shown: Vec<(&str, &str)> = Vec::new();
        for item in &traffic.items {
            let kind = (item.destination.as_str(), item.status);
            if shown.contains(&kind) {
                continue;
            }
            shown.push(kind);
            println!(
                "  {}/track/{}   {}",
                egypt.browser_url(),
                item.s10,
                item.story
            );
        }
    }
    println!();
    println!("docs/exchange/demo.md walks through it: which node, which login, which screen.");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stage_shows_once_the_first_item_is_delivered_and_the_held_one_has_customs() {
        use Stage::*;
        assert_eq!(
            inward_stages(&[false, true, true, false, true, true, false]),
            vec![
                Delivered,
                HeldByCustoms,
                OutForDelivery,
                AttemptFailed,
                AtDeliveryOffice,
                Delivered,
                Delivered
            ]
        );
        // Customs holds the first declared item after the first, wherever it is.
        assert_eq!(
            inward_stages(&[true, false, false, true]),
            vec![Delivered, OutForDelivery, AttemptFailed, HeldByCustoms]
        );
        assert_eq!(inward_stages(&[true, true]), vec![Delivered, HeldByCustoms]);
        assert_eq!(inward_stages(&[]), Vec::<Stage>::new());
    }

    #[test]
    fn ports_follow_the_first_or_are_all_free_ones() {
        assert_eq!(port_of(8080, 2).ok(), Some(8082));
        assert_eq!(port_of(0, 4).ok(), Some(0));
        assert!(port_of(65534, 4).is_err());
    }
}
