//! `barid partner …`: the links from a post hosted here to its partners' nodes, from the
//! command line, for setting a node up before anyone can log in (and for scripts). The same
//! checks as `PUT /api/v1/partners/{partner}/endpoint` (`barid_web::partner_links`).

use anyhow::Context;
use barid_core::CountryCode;
use clap::{Args, Subcommand};

use crate::server_commands::{ConfigArgs, cli_actor, runtime};
use crate::storage;

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Send an operator's messages for a partner to the partner's node, with the token that
    /// node issued (`barid token issue --role partner` there). A paused link stays paused.
    Connect(ConnectArgs),
    /// Stop sending to a partner; its messages wait in the outbox, in order.
    Pause(SteerArgs),
    /// Send to a partner again, oldest waiting message first.
    Resume(SteerArgs),
    /// The operator's partner links: endpoint, paused, messages waiting, last error.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The operator hosted on this node whose messages go out, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub operator: String,
    /// The partner, e.g. PS.
    #[arg(long, value_name = "CC")]
    pub partner: String,
    /// The partner node's base URL; messages go to URL/exchange/v1/messages.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// The partner token the partner's node issued to this operator. Read from the
    /// BARID_PARTNER_TOKEN environment variable when not given, so it stays out of the
    /// shell history.
    #[arg(
        long,
        value_name = "SECRET",
        env = "BARID_PARTNER_TOKEN",
        hide_env_values = true
    )]
    pub token: String,
}

#[derive(Debug, Args)]
pub struct SteerArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_name = "CC")]
    pub operator: String,
    #[arg(long, value_name = "CC")]
    pub partner: String,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_name = "CC")]
    pub operator: String,
}

fn country(text: &str, option: &str) -> anyhow::Result<CountryCode> {
    CountryCode::parse(text).with_context(|| format!("{option} {text:?}"))
}

pub fn run(command: &PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Connect(args) => connect(args),
        PartnerCommand::Pause(args) => steer(args, true),
        PartnerCommand::Resume(args) => steer(args, false),
        PartnerCommand::List(args) => list(args),
    }
}

fn connect(args: &ConnectArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = country(&args.operator, "--operator")?;
    let partner = country(&args.partner, "--partner")?;
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        known_operators(store.as_ref(), operator, partner).await?;
        let endpoint = barid_web::partner_links::connect(
            store.as_ref(),
            &cli_actor(operator),
            partner,
            &args.url,
            &args.token,
        )
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
        println!(
            "{operator}'s messages for {partner} go to {}/exchange/v1/messages{}",
            endpoint.url,
            if endpoint.paused {
                " (the link is paused)"
            } else {
                ""
            }
        );
        Ok(())
    })
}

async fn known_operators(
    store: &dyn barid_store::Store,
    operator: CountryCode,
    partner: CountryCode,
) -> anyhow::Result<()> {
    match store.operator(operator).await? {
        Some(known) if known.hosted => {}
        Some(_) => anyhow::bail!("{operator} is not hosted on this node"),
        None => anyhow::bail!("no operator {operator} here: add it with `barid operator add`"),
    }
    if store.operator(partner).await?.is_none() {
        anyhow::bail!(
            "no operator {partner} here: add the partner first with `barid operator add --code {partner} --partner …`"
        );
    }
    Ok(())
}

fn steer(args: &SteerArgs, paused: bool) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = country(&args.operator, "--operator")?;
    let partner = country(&args.partner, "--partner")?;
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        barid_web::partner_links::pause(store.as_ref(), &cli_actor(operator), partner, paused)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        println!(
            "sending from {operator} to {partner} {}",
            if paused { "is paused" } else { "has resumed" }
        );
        Ok(())
    })
}

fn list(args: &ListArgs) -> anyhow::Result<()> {
    let config = args.config.load()?;
    let operator = country(&args.operator, "--operator")?;
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let links = barid_web::partner_links::links(store.as_ref(), operator).await?;
        if links.is_empty() {
            println!("{operator} has no partner links yet");
        }
        for link in links {
            let url = match (&link.url, link.same_node) {
                (_, true) => "on this node".to_owned(),
                (Some(url), false) => url.clone(),
                (None, false) => "no endpoint".to_owned(),
            };
            println!(
                "{}  {url}{}  waiting {}  refused {}  quarantined {}{}",
                link.partner,
                if link.paused { "  PAUSED" } else { "" },
                link.pending,
                link.rejected,
                link.quarantined,
                link.last_error
                    .map(|error| format!("  last error: {error}"))
                    .unwrap_or_default()
            );
        }
        Ok(())
    })
}
