//! Commands that need the database: `serve`, `migrate`, `backup` and the administration
//! commands that bootstrap a node (operators, offices, users, API tokens).

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use barid_core::{CountryCode, Currency, OfficeCode, Role, SiteCode};
use barid_store::Store;
use barid_store::model::{
    Actor, Language, NewApiToken, NewOffice, NewOperator, NewUser, OfficeKind, Username,
};
use barid_web::{AppState, Config};
use clap::Args;
use time::OffsetDateTime;

use crate::{reference_files, storage};

/// Where the configuration comes from; every database command takes these.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// TOML configuration file (`barid config example` prints one). Settings then come from
    /// `BARID_*` environment variables, then from the options below.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL: sqlite://PATH (the default is sqlite://barid.db in the working folder) or
    /// postgres://USER@HOST/DB. Same as BARID_DATABASE_URL.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

impl ConfigArgs {
    pub fn load(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(self.config.as_deref(), std::env::vars())?;
        if let Some(url) = &self.database {
            config.database_url = barid_web::DatabaseUrl::new(url.clone());
        }
        Ok(config)
    }
}

/// The one place the binary reads the clock; domain code takes the time as an argument.
#[allow(clippy::disallowed_methods)]
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(crate) fn cli_actor(operator: CountryCode) -> Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    Actor {
        operator,
        user: None,
        token: None,
        name: format!("cli:{who}"),
        office: None,
        at: now(),
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one). Same
    /// as BARID_LISTEN.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
}

pub fn serve(args: &ServeArgs, reference_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let mut config = args.config.load()?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if reference_dir.is_some() {
        config.reference_dir = reference_dir;
    }
    barid_web::init_logging(config.log_format, &config.log_filter)?;
    runtime()?.block_on(async move {
        let sql_store = storage::open_sql(config.database_url.expose()).await?;
        let reference = reference_files::load(config.reference_dir.as_deref())?;
        run_server(config, sql_store, reference, None, |_| {}).await
    })
}

/// Serves `store` until SIGTERM or Ctrl-C, then closes it: on `listener` when one is given,
/// else on a port it binds at `config.listen` (the nodes demo binds all its nodes' ports
/// first, to give each node its partners' addresses). `on_listening` runs once the port is
/// bound, with its address (the demo prints its logins then).
pub async fn run_server(
    config: Config,
    sql_store: barid_store::sql::SqlStore,
    reference: barid_core::ReferenceData,
    listener: Option<tokio::net::TcpListener>,
    on_listening: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let store: Arc<dyn Store> = Arc::new(sql_store.clone());
    // The PEM files are read before the port is bound, so a bad one stops Barid before
    // anything is announced as listening.
    let tls = match config.tls_files() {
        Some((cert, key)) => Some(
            barid_web::ServerTls::from_pem_files(cert, key)
                .context("setting up HTTPS (tls_cert, tls_key)")?,
        ),
        None => None,
    };
    let extra_roots = match &config.exchange_ca_file {
        Some(file) => barid_web::ExtraRoots::from_pem_file(file)
            .context("reading the partner exchange's roots (exchange_ca_file)")?,
        None => barid_web::ExtraRoots::none(),
    };
    let partners = barid_web::partner_exchange::PartnerDispatcher::with_extra_roots(
        std::time::Duration::from_secs(60),
        &extra_roots,
    )
    .map_err(|error| anyhow::anyhow!("setting up the partner exchange's HTTP client: {error}"))?;
    let listener = match listener {
        Some(listener) => listener,
        None => tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?,
    };
    let address = listener
        .local_addr()
        .context("reading the listening address")?;
    // Scripts and tests read this line to find the port, and the scheme to talk to it.
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("Barid listening on {scheme}://{address}");
    on_listening(address);
    std::io::stdout().flush().ok();
    tokio::spawn(remove_expired_sessions(store.clone()));
    tokio::spawn(deliver_between_hosted_operators(
        store.clone(),
        reference.clone(),
    ));
    tokio::spawn(deliver_to_partners(store.clone(), partners));
    let state = AppState::new(store, reference, config);
    tokio::spawn(send_back_waited_out_items(state.clone()));
    let served = match tls {
        Some(tls) => barid_web::serve_tls(state, listener, tls, shutdown_signal()).await,
        None => barid_web::serve(state, listener, shutdown_signal()).await,
    }
    .context("serving");
    // Closing the last connection lets SQLite checkpoint and remove its -wal and -shm
    // files, so the database is one self-contained file once Barid has stopped.
    sql_store.close().await;
    served
}

/// Messages between operators hosted on this node go from outbox to inbox, and are applied
/// there, within a second.
async fn deliver_between_hosted_operators(
    store: Arc<dyn Store>,
    reference: barid_core::ReferenceData,
) {
    let mut every_second = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        every_second.tick().await;
        match barid_web::dispatcher::deliver_hosted(store.as_ref(), now()).await {
            Ok(0) => {}
            Ok(delivered) => {
                tracing::debug!(delivered, "messages delivered between hosted operators")
            }
            Err(error) => {
                tracing::warn!(%error, "could not deliver messages between hosted operators")
            }
        }
        match barid_web::inbox::apply_hosted(store.as_ref(), &reference, now()).await {
            Ok(applied) if applied == barid_web::inbox::Applied::default() => {}
            Ok(applied) => tracing::debug!(
                applied = applied.applied,
                quarantined = applied.quarantined,
                "inbox messages applied"
            ),
            Err(error) => tracing::warn!(%error, "could not apply inbox messages"),
        }
    }
}

/// Messages for partners hosted on other nodes go to their endpoints over HTTP, checked every
/// second; a partner that fails is tried again later with backoff (the outbox keeps when).
async fn deliver_to_partners(
    store: Arc<dyn Store>,
    partners: barid_web::partner_exchange::PartnerDispatcher,
) {
    let mut every_second = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        every_second.tick().await;
        match partners.deliver(store.as_ref(), now()).await {
            Ok(sent) if sent == barid_web::partner_exchange::Sent::default() => {}
            Ok(sent) => tracing::debug!(
                delivered = sent.delivered,
                failed = sent.failed,
                "messages sent to partners"
            ),
            Err(error) => tracing::warn!(%error, "could not send messages to partners"),
        }
    }
}

/// Items that waited out their days at a delivery office go back to their senders; checked
/// every minute.
async fn send_back_waited_out_items(state: AppState) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        match barid_web::delivery_policy::send_back_waited_out(&state).await {
            Ok(0) => {}
            Ok(sent_back) => {
                tracing::info!(sent_back, "waited-out items sent back to their senders")
            }
            Err(error) => tracing::warn!(%error, "could not apply the delivery policy"),
        }
    }
}

/// Expired sessions are refused at once; this only keeps the table small.
async fn remove_expired_sessions(store: Arc<dyn Store>) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match store.delete_expired_sessions(now()).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "could not remove expired sessions"),
        }
    }
}

pub fn migrate(args: &ConfigArgs) -> anyhow::Result<()> {
    let config = args.load()?;
    runtime()?.block_on(async {
        let store = storage::open_sql(config.database_url.expose()).await?;
        store.close().await;
        println!("database {} is up to date", config.database_url);
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The backup file to write; it must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
}

pub fn backup(args: &BackupArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    runtime()?.block_on(async {
        storage::backup(config.database_url.expose(), &args.to).await?;
        println!("backed up {} to {}", config.database_url, args.to.display());
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct OperatorAddArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The operator's country code, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub code: String,
    /// English name, e.g. "Egypt Post".
    #[arg(long)]
    pub name_en: String,
    /// Arabic name, e.g. "البريد المصري".
    #[arg(long)]
    pub name_ar: String,
    /// The operator's currency, e.g. EGP.
    #[arg(long)]
    pub currency: String,
    /// Default language of its pages: ar or en.
    #[arg(long, default_value = "ar")]
    pub language: String,
    /// A partner known only through messages, not hosted on this node.
    #[arg(long)]
    pub partner: bool,
}

pub fn operator_add(args: &OperatorAddArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let code = CountryCode::parse(&args.code).context("--code")?;
    let new = NewOperator {
        code,
        name_en: args.name_en.trim().to_owned(),
        name_ar: args.name_ar.trim().to_owned(),
        default_language: Language::parse(&args.language).context("--language must be ar or en")?,
        currency: Currency::parse(&args.currency).context("--currency")?,
        hosted: !args.partner,
    };
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let operator = store.create_operator(&cli_actor(code), &new).await?;
        println!("operator {} ({}) added", operator.code, operator.name_en);
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct OfficeAddArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The operator the office belongs to, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub operator: String,
    /// The office's code: its IMPC code for an office of exchange (EGCAIA), or the post's own
    /// code (e.g. a postcode) for a counter or delivery office.
    #[arg(long)]
    pub code: String,
    /// counter, exchange, delivery or headquarters.
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub name_en: String,
    #[arg(long)]
    pub name_ar: String,
    #[arg(long)]
    pub city_en: String,
    #[arg(long)]
    pub city_ar: String,
    /// IANA time zone of the office, e.g. Africa/Cairo or Asia/Hebron.
    #[arg(long)]
    pub timezone: String,
}

pub fn office_add(args: &OfficeAddArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = CountryCode::parse(&args.operator).context("--operator")?;
    let kind = OfficeKind::parse(&args.kind)
        .context("--kind must be counter, exchange, delivery or headquarters")?;
    let code = SiteCode::parse(&args.code).context("--code")?;
    let impc = match kind {
        OfficeKind::Exchange => Some(
            OfficeCode::parse(code.as_str())
                .context("an office of exchange's --code is its 6-character IMPC code")?,
        ),
        _ => None,
    };
    let new = NewOffice {
        operator,
        code,
        impc,
        kind,
        name_en: args.name_en.trim().to_owned(),
        name_ar: args.name_ar.trim().to_owned(),
        city_en: args.city_en.trim().to_owned(),
        city_ar: args.city_ar.trim().to_owned(),
        timezone: args.timezone.trim().to_owned(),
    };
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let office = store.create_office(&cli_actor(operator), &new).await?;
        println!(
            "office {} ({}) added to {}",
            office.code, office.name_en, office.operator
        );
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The operator the user works for, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub operator: String,
    #[arg(long)]
    pub username: String,
    /// The name shown in the interface and the audit log.
    #[arg(long)]
    pub display_name: Option<String>,
    /// A role: admin, supervisor, clerk, oe_operator, customs or delivery. Repeat for several.
    #[arg(long = "role", required = true)]
    pub roles: Vec<String>,
    /// An office code the user works at. Repeat for several.
    #[arg(long = "office")]
    pub offices: Vec<String>,
    /// Read the password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

/// A password for a new account, shown once: 16 characters from a random 256-bit secret.
pub fn generated_password() -> String {
    barid_web::auth::secret::random_secret()
        .chars()
        .take(16)
        .collect()
}

fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn user_add(args: &UserAddArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = CountryCode::parse(&args.operator).context("--operator")?;
    let username = Username::parse(&args.username).context("--username")?;
    let roles = args
        .roles
        .iter()
        .map(|role| Role::parse(role))
        .collect::<Result<BTreeSet<_>, _>>()
        .context("--role")?;
    if let Some(machine) = roles.iter().find(|role| role.is_machine()) {
        anyhow::bail!("--role {machine} is for API tokens: use `barid token issue`");
    }
    let offices = args
        .offices
        .iter()
        .map(|office| SiteCode::parse(office))
        .collect::<Result<BTreeSet<_>, _>>()
        .context("--office")?;
    let (password, generated) = if args.password_stdin {
        (read_password_line()?, false)
    } else {
        (generated_password(), true)
    };
    let password_hash = barid_web::hash_password(&password)?;
    let new = NewUser {
        operator,
        display_name: args
            .display_name
            .clone()
            .unwrap_or_else(|| username.to_string()),
        username,
        password_hash,
        roles,
        offices,
    };
    runtime()?.block_on(async {
        let store: Arc<dyn Store> = storage::open(config.database_url.expose()).await?;
        let user = store.create_user(&cli_actor(operator), &new).await?;
        println!("user {} added to {}", user.username, user.operator);
        if generated {
            println!("password (shown once): {password}");
        }
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct UserPasswdArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long)]
    pub username: String,
    /// Read the new password from the first line of standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

pub fn user_passwd(args: &UserPasswdArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let username = Username::parse(&args.username).context("--username")?;
    let (password, generated) = if args.password_stdin {
        (read_password_line()?, false)
    } else {
        (generated_password(), true)
    };
    let password_hash = barid_web::hash_password(&password)?;
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let user = store
            .credentials(&username)
            .await?
            .with_context(|| format!("no user {username} on this node"))?
            .user;
        store
            .set_password(&cli_actor(user.operator), user.id, &password_hash)
            .await?;
        println!("password of {username} changed");
        if generated {
            println!("password (shown once): {password}");
        }
        Ok(())
    })
}

#[derive(Debug, Args)]
pub struct TokenIssueArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The operator whose data the token acts on, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub operator: String,
    /// A name for the token, e.g. "palestine-post-node".
    #[arg(long)]
    pub name: String,
    /// partner (a partner post's node) or merchant; staff roles also work for scripts.
    #[arg(long)]
    pub role: String,
    /// For a partner token: the partner operator that will hold it, e.g. PS.
    #[arg(long, value_name = "CC")]
    pub partner: Option<String>,
    /// For an office-bound role: the office the token acts at.
    #[arg(long)]
    pub office: Option<String>,
}

pub fn token_issue(args: &TokenIssueArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = CountryCode::parse(&args.operator).context("--operator")?;
    let role = Role::parse(&args.role).context("--role")?;
    let partner = args
        .partner
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .context("--partner")?;
    if role == Role::Partner && partner.is_none() {
        anyhow::bail!("a partner token needs --partner, the operator that will hold it");
    }
    if role != Role::Partner && partner.is_some() {
        anyhow::bail!("--partner only goes with --role partner");
    }
    let office = args
        .office
        .as_deref()
        .map(SiteCode::parse)
        .transpose()
        .context("--office")?;
    let (secret, secret_hash) = barid_web::new_api_token();
    let new = NewApiToken {
        operator,
        name: args.name.trim().to_owned(),
        secret_hash,
        role,
        office,
        partner,
    };
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let token = store.create_api_token(&cli_actor(operator), &new).await?;
        println!(
            "token {} ({}, {}) issued for {}",
            token.id, token.name, token.role, operator
        );
        println!("secret (shown once; send it as `Authorization: Bearer <secret>`): {secret}");
        Ok(())
    })
}
