//! `barid demo`: the demo network of `../shared/design/overview.md` on one node (hosted mode),
//! with people for every role, S10 ranges, the bilateral agreements, realistic items and
//! their traffic, then the server.
//!
//! The network is data (the tables below), so each operator's part is seeded through the same
//! store calls whether the five posts share one node or, with `--nodes` (`demo_nodes`), each
//! runs a node of its own.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use barid_core::agreement::Agreement;
use barid_core::{CountryCode, Currency, OfficeCode, Role, S10Range, ServiceIndicator, SiteCode};
use barid_store::Store;
use barid_store::model::{
    Actor, AgreementStatus, Language, NewAgreement, NewApiToken, NewOffice, NewOperator, NewUser,
    OfficeKind, Username,
};
use barid_web::Config;
use clap::Args;
use time::OffsetDateTime;

use crate::demo_traffic;
use crate::server_commands::{generated_password, now, run_server, runtime};
use crate::{reference_files, storage};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's database; created if missing. An earlier demo database in it is
    /// replaced.
    #[arg(long, default_value = "barid-demo", value_name = "DIR")]
    pub dir: PathBuf,
    /// Port to serve on (127.0.0.1). 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// How many demo items to accept.
    #[arg(long, default_value_t = 60)]
    pub items: usize,
    /// Also write what is printed (address, logins, token, items) as JSON to this file, for
    /// scripts: the browser tests and the load benchmarks read it.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Run each post as a node of its own, in this one process: its own database
    /// (DIR/<cc>/barid.db) and port (--port for EG, then JO, PS, IQ and LY; 0 picks free
    /// ones), the messages between posts going over HTTP, and the items moved through each
    /// node's JSON API.
    #[arg(long)]
    pub nodes: bool,
}

/// (code, English name, Arabic name, currency)
pub const OPERATORS: [(&str, &str, &str, &str); 5] = [
    ("EG", "Egypt Post", "البريد المصري", "EGP"),
    ("JO", "Jordan Post", "البريد الأردني", "JOD"),
    ("PS", "Palestine Post", "بريد فلسطين", "ILS"),
    ("IQ", "Iraq Post", "البريد العراقي", "IQD"),
    ("LY", "Libya Post", "بريد ليبيا", "LYD"),
];

/// An office of the demo network.
pub struct DemoOffice {
    pub operator: &'static str,
    pub code: &'static str,
    pub kind: OfficeKind,
    pub name_en: &'static str,
    pub name_ar: &'static str,
    pub city_en: &'static str,
    pub city_ar: &'static str,
    pub timezone: &'static str,
}

const fn office(
    operator: &'static str,
    code: &'static str,
    kind: OfficeKind,
    names: (&'static str, &'static str),
    city: (&'static str, &'static str),
    timezone: &'static str,
) -> DemoOffice {
    DemoOffice {
        operator,
        code,
        kind,
        name_en: names.0,
        name_ar: names.1,
        city_en: city.0,
        city_ar: city.1,
        timezone,
    }
}

use OfficeKind::{Counter, Delivery, Exchange};

pub const OFFICES: [DemoOffice; 17] = [
    office(
        "EG",
        "EG-CAI-01",
        Counter,
        (
            "Cairo Main Post Office (Ataba)",
            "مكتب بريد القاهرة الرئيسي (العتبة)",
        ),
        ("Cairo", "القاهرة"),
        "Africa/Cairo",
    ),
    office(
        "EG",
        "EG-ALY-01",
        Counter,
        ("Alexandria Main Post Office", "مكتب بريد الإسكندرية الرئيسي"),
        ("Alexandria", "الإسكندرية"),
        "Africa/Cairo",
    ),
    office(
        "EG",
        "EGCAIA",
        Exchange,
        (
            "Cairo-A mail traffic centre",
            "مركز القاهرة (أ) لحركة البريد",
        ),
        ("Cairo", "القاهرة"),
        "Africa/Cairo",
    ),
    office(
        "EG",
        "EGCAIF",
        Exchange,
        ("Cairo EMS traffic centre", "مركز القاهرة للبريد السريع"),
        ("Cairo", "القاهرة"),
        "Africa/Cairo",
    ),
    office(
        "EG",
        "EG-CAI-D1",
        Delivery,
        ("Cairo delivery office (Dokki)", "مكتب توزيع الدقي"),
        ("Giza", "الجيزة"),
        "Africa/Cairo",
    ),
    office(
        "JO",
        "JOAMMA",
        Exchange,
        ("Amman international mail centre", "مركز عمّان للبريد الدولي"),
        ("Amman", "عمّان"),
        "Asia/Amman",
    ),
    office(
        "JO",
        "JO-AMM-01",
        Counter,
        ("Amman Central Post Office", "مكتب بريد عمّان المركزي"),
        ("Amman", "عمّان"),
        "Asia/Amman",
    ),
    office(
        "JO",
        "JO-IRB-01",
        Delivery,
        ("Irbid delivery office", "مكتب توزيع إربد"),
        ("Irbid", "إربد"),
        "Asia/Amman",
    ),
    office(
        "PS",
        "PSRMHA",
        Exchange,
        (
            "Ramallah international mail centre",
            "مركز رام الله للبريد الدولي",
        ),
        ("Ramallah", "رام الله"),
        "Asia/Hebron",
    ),
    office(
        "PS",
        "PS-RAM-01",
        Delivery,
        ("Ramallah post office", "مكتب بريد رام الله"),
        ("Ramallah", "رام الله"),
        "Asia/Hebron",
    ),
    office(
        "PS",
        "PS-NAB-01",
        Delivery,
        ("Nablus post office", "مكتب بريد نابلس"),
        ("Nablus", "نابلس"),
        "Asia/Hebron",
    ),
    office(
        "PS",
        "PS-HEB-01",
        Delivery,
        ("Hebron post office", "مكتب بريد الخليل"),
        ("Hebron", "الخليل"),
        "Asia/Hebron",
    ),
    office(
        "PS",
        "PS-GZA-01",
        Delivery,
        ("Gaza post office", "مكتب بريد غزة"),
        ("Gaza", "غزة"),
        "Asia/Gaza",
    ),
    office(
        "IQ",
        "IQBGWA",
        Exchange,
        (
            "Baghdad international mail centre",
            "مركز بغداد للبريد الدولي",
        ),
        ("Baghdad", "بغداد"),
        "Asia/Baghdad",
    ),
    office(
        "IQ",
        "IQ-BGW-01",
        Delivery,
        ("Baghdad Central Post Office", "مكتب بريد بغداد المركزي"),
        ("Baghdad", "بغداد"),
        "Asia/Baghdad",
    ),
    office(
        "LY",
        "LYTIPA",
        Exchange,
        ("Tripoli exchange office", "مكتب تبادل طرابلس"),
        ("Tripoli", "طرابلس"),
        "Africa/Tripoli",
    ),
    office(
        "LY",
        "LY-TIP-01",
        Delivery,
        ("Tripoli central post office", "مكتب بريد طرابلس المركزي"),
        ("Tripoli", "طرابلس"),
        "Africa/Tripoli",
    ),
];

/// The S10 service indicators each operator issues from, with the first serial of its range.
const RANGES: [(&str, u32); 11] = [
    ("EE", 12_340_000),
    ("EA", 22_340_000),
    ("RR", 32_340_000),
    ("RA", 42_340_000),
    ("LX", 52_340_000),
    ("LA", 62_340_000),
    ("UA", 72_340_000),
    ("VV", 82_340_000),
    ("CP", 92_340_000),
    ("CA", 10_340_000),
    ("HA", 20_340_000),
];
const RANGE_SIZE: u32 = 500_000;

/// One login the demo created.
#[derive(serde::Serialize)]
pub struct Login {
    pub operator: CountryCode,
    pub username: String,
    pub role: Role,
    pub password: String,
}

/// What the demo made, to print.
#[derive(serde::Serialize)]
pub struct Seeded {
    pub logins: Vec<Login>,
    pub merchant_token: String,
    pub items: Vec<demo_traffic::DemoItemSummary>,
}

pub fn country(code: &str) -> anyhow::Result<CountryCode> {
    CountryCode::parse(code).with_context(|| format!("demo country {code}"))
}

pub fn actor(operator: CountryCode, at: OffsetDateTime) -> Actor {
    Actor {
        operator,
        user: None,
        token: None,
        name: "demo".to_owned(),
        office: None,
        at,
    }
}

/// Removes an earlier demo database so every run starts from the same network.
pub fn fresh_database(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let database = dir.join("barid.db");
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", database.display()));
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| format!("removing {}", file.display()))?;
        }
    }
    Ok(database)
}

/// Seeds the network's operators and all their offices (a partner's IMPC codes and offices
/// appear in its messages), and, for the operators `hosted` here (`None`: all five), their
/// people, S10 ranges and copies of the agreements. The logins it made.
pub async fn seed_network(
    store: &dyn Store,
    at: OffsetDateTime,
    hosted: Option<CountryCode>,
) -> anyhow::Result<Vec<Login>> {
    let is_hosted = |operator: CountryCode| hosted.is_none_or(|hosted| hosted == operator);
    for (code, name_en, name_ar, currency) in OPERATORS {
        let operator = country(code)?;
        store
            .create_operator(
                &actor(operator, at),
                &NewOperator {
                    code: operator,
                    name_en: name_en.to_owned(),
                    name_ar: name_ar.to_owned(),
                    default_language: Language::Ar,
                    currency: Currency::parse(currency)?,
                    hosted: is_hosted(operator),
                },
            )
            .await?;
    }
    for office in &OFFICES {
        let operator = country(office.operator)?;
        let impc = match office.kind {
            Exchange => Some(OfficeCode::parse(office.code)?),
            _ => None,
        };
        store
            .create_office(
                &actor(operator, at),
                &NewOffice {
                    operator,
                    code: SiteCode::parse(office.code)?,
                    impc,
                    kind: office.kind,
                    name_en: office.name_en.to_owned(),
                    name_ar: office.name_ar.to_owned(),
                    city_en: office.city_en.to_owned(),
                    city_ar: office.city_ar.to_owned(),
                    timezone: office.timezone.to_owned(),
                },
            )
            .await?;
    }

    let mut logins = Vec::new();
    for (code, ..) in OPERATORS {
        let operator = country(code)?;
        if !is_hosted(operator) {
            continue;
        }
        let offices_of = |kind: OfficeKind| -> anyhow::Result<BTreeSet<SiteCode>> {
            OFFICES
                .iter()
                .filter(|office| office.operator == code && office.kind == kind)
                .map(|office| Ok(SiteCode::parse(office.code)?))
                .collect()
        };
        let people = [
            (Role::Admin, BTreeSet::new()),
            (Role::Supervisor, BTreeSet::new()),
            (Role::Clerk, offices_of(Counter)?),
            (Role::OeOperator, offices_of(Exchange)?),
            (Role::Customs, offices_of(Exchange)?),
            (Role::Delivery, offices_of(Delivery)?),
        ];
        for (role, offices) in people {
            if role.works_at_offices() && offices.is_empty() {
                continue;
            }
            let username = format!(
                "{}-{}",
                code.to_lowercase(),
                role.as_str().replace('_', "-")
            );
            let password = generated_password();
            let user = NewUser {
                operator,
                username: Username::parse(&username)?,
                display_name: format!("{role} ({code})"),
                password_hash: barid_web::hash_password(&password)?,
                roles: BTreeSet::from([role]),
                offices,
            };
            store.create_user(&actor(operator, at), &user).await?;
            logins.push(Login {
                operator,
                username,
                role,
                password,
            });
        }
        for (indicator, first) in RANGES {
            let range = S10Range::new(
                ServiceIndicator::parse(indicator)?,
                operator,
                first,
                first + RANGE_SIZE - 1,
            )?;
            store.create_s10_range(&actor(operator, at), &range).await?;
        }
    }

    let agreements =
        Agreement::demo().map_err(|errors| anyhow::anyhow!("demo agreements: {errors:?}"))?;
    for agreement in agreements {
        let status =
            AgreementStatus::parse(agreement.status().as_str()).context("agreement status")?;
        // Each post keeps its own copy of a bilateral agreement: the partner's copy lets it
        // route mail back (returns to sender) along the agreed routes.
        for (operator, partner) in [
            (agreement.operator(), agreement.partner()),
            (agreement.partner(), agreement.operator()),
        ] {
            if !is_hosted(operator) {
                continue;
            }
            store
                .create_agreement(
                    &actor(operator, at),
                    &NewAgreement {
                        operator,
                        partner,
                        reference: agreement.reference().to_owned(),
                        status,
                        terms: agreement.terms().to_json_value(),
                    },
                )
                .await?;
        }
    }
    Ok(logins)
}

async fn merchant_token(store: &dyn Store, at: OffsetDateTime) -> anyhow::Result<String> {
    let operator = country("EG")?;
    let (secret, secret_hash) = barid_web::new_api_token();
    store
        .create_api_token(
            &actor(operator, at),
            &NewApiToken {
                operator,
                name: "demo merchant (Cairo online shop)".to_owned(),
                secret_hash,
                role: Role::Merchant,
                office: Some(SiteCode::parse("EG-CAI-01")?),
                partner: None,
            },
        )
        .await?;
    Ok(secret)
}

/// Builds the demo network in `database` and returns what to print.
pub async fn seed(
    store: Arc<dyn Store>,
    reference: &barid_core::ReferenceData,
    items: usize,
    at: OffsetDateTime,
) -> anyhow::Result<Seeded> {
    let logins = seed_network(store.as_ref(), at, None).await?;
    let merchant_token = merchant_token(store.as_ref(), at).await?;
    let items = demo_traffic::accept_and_move(store.as_ref(), reference, items, at).await?;
    crate::demo_quality::seed_history(store.as_ref(), reference, at).await?;
    Ok(Seeded {
        logins,
        merchant_token,
        items,
    })
}

fn print_summary(address: SocketAddr, seeded: &Seeded) {
    let base = format!("http://{address}");
    println!();
    println!("Barid demo network: Egypt Post, Jordan Post, Palestine Post, Iraq Post, Libya Post");
    println!(
        "  web:       {base}/          (log in below; Arabic by default, English via the switch)"
    );
    println!("  tracking:  {base}/track     (public, no login)");
    println!("  API:       {base}/api/docs/ (OpenAPI reference)");
    println!();
    println!("Logins (passwords are random and shown only now):");
    for login in &seeded.logins {
        println!(
            "  {:<16} {:<12} {}  ({})",
            login.username,
            login.role.as_str(),
            login.password,
            login.operator
        );
    }
    println!();
    println!("Merchant API token for Egypt Post (Authorization: Bearer …):");
    println!("  {}", seeded.merchant_token);
    println!();
    println!("Items to try on the tracking page:");
    for item in seeded.items.iter().take(8) {
        println!("  {base}/track/{}   {}", item.s10, item.story);
    }
    println!();
}

fn write_summary_json(path: &std::path::Path, address: SocketAddr, seeded: &Seeded) {
    let summary = serde_json::json!({
        "base_url": format!("http://{address}"),
        "logins": seeded.logins,
        "merchant_token": seeded.merchant_token,
        "items": seeded.items,
    });
    write_json(path, &summary);
}

/// Writes `value` to `path` as pretty JSON, or says on stderr why it could not: the demo
/// serves on all the same.
pub fn write_json(path: &Path, value: &impl serde::Serialize) {
    // Written whole to a temporary name and renamed, so a reader never sees half a file.
    let partial = path.with_extension("partial");
    let written = serde_json::to_vec_pretty(value)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&partial, bytes))
        .and_then(|()| std::fs::rename(&partial, path));
    if let Err(error) = written {
        eprintln!("could not write {}: {error}", path.display());
    }
}

pub fn demo(args: &DemoArgs) -> anyhow::Result<()> {
    if args.nodes {
        return crate::demo_nodes::demo_nodes(args);
    }
    let database = fresh_database(&args.dir)?;
    let url = format!("sqlite://{}", database.display());
    let mut config = Config::load(None, std::env::vars())?;
    config.database_url = barid_web::DatabaseUrl::new(url.clone());
    config.listen = SocketAddr::from(([127, 0, 0, 1], args.port));
    barid_web::init_logging(config.log_format, "warn")?;
    let items = args.items;
    runtime()?.block_on(async move {
        let sql_store = storage::open_sql(&url).await?;
        let reference = reference_files::load(config.reference_dir.as_deref())?;
        println!("building the demo network in {} …", database.display());
        let seeded = seed(Arc::new(sql_store.clone()), &reference, items, now()).await?;
        let summary_json = args.summary_json.clone();
        run_server(config, sql_store, reference, None, |address| {
            print_summary(address, &seeded);
            if let Some(path) = summary_json {
                write_summary_json(&path, address, &seeded);
            }
        })
        .await
    })
}
