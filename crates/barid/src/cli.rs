//! Command-line interface: `barid <noun> <verb>`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use barid_core::dispatch::DispatchId;
use barid_core::reference::{ReferenceData, UnknownCode};
use barid_core::s10::{S10Range, ServiceIndicator};
use barid_core::{CountryCode, ReceptacleId, S10Id};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::{demo, exchange_files, partner_commands, reference_files, server_commands};

/// Barid: an open-source international postal exchange system (UPU S10, S8, S9, EMSEVT).
#[derive(Debug, Parser)]
#[command(name = "barid", version, propagate_version = true)]
pub struct Cli {
    /// Folder whose CSV files replace Barid's shipped reference tables (event_codes.csv,
    /// mail_categories.csv, mail_classes.csv, mail_subclasses.csv, non_delivery_reasons.csv).
    /// Defaults to $BARID_REFERENCE_DIR when that is set and not empty.
    #[arg(long, global = true, value_name = "DIR")]
    reference_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the demo network (Egypt, Jordan, Palestine, Iraq, Libya posts with people,
    /// agreements and items in transit) in ./barid-demo and serve it.
    Demo(demo::DemoArgs),
    /// Run the server: the JSON API, the web pages and the exchange endpoints.
    Serve(server_commands::ServeArgs),
    /// Configuration files.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Create the database or bring it up to date (serve does this too).
    Migrate(server_commands::ConfigArgs),
    /// Copy the database while Barid runs (SQLite; PostgreSQL uses pg_dump).
    Backup(server_commands::BackupArgs),
    /// Postal operators hosted on this node or known as partners.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Offices: counters, offices of exchange, delivery offices.
    #[command(subcommand)]
    Office(OfficeCommand),
    /// People who log in.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens for machines: partner posts' nodes and merchants.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Links to partner posts' nodes: where an operator's messages go, pause, resume, list.
    #[command(subcommand)]
    Partner(partner_commands::PartnerCommand),
    /// S10 item identifiers: check them, issue them.
    #[command(subcommand)]
    S10(S10Command),
    /// S9 receptacle identifiers (29 characters).
    #[command(subcommand)]
    Receptacle(ReceptacleCommand),
    /// S8 dispatch identifiers (20 characters).
    #[command(subcommand)]
    Dispatch(DispatchCommand),
    /// List the tracking event codes (EMSEVT v3) in Arabic and English.
    Events(OutputArgs),
    /// Write the messages for a partner with no online link to a file (JSON batch or CSV).
    Export(exchange_files::ExportArgs),
    /// Take in a partner's exported file (JSON batch, or CSV of EMSEVT events) through the
    /// inbox, all or nothing. Exits 1, changing nothing, when any message or row is bad.
    Import(exchange_files::ImportArgs),
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration file with every setting at its default.
    Example,
}

#[derive(Debug, Subcommand)]
enum OperatorCommand {
    /// Add an operator.
    Add(server_commands::OperatorAddArgs),
}

#[derive(Debug, Subcommand)]
enum OfficeCommand {
    /// Add an office.
    Add(server_commands::OfficeAddArgs),
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add a user. The password is generated and printed once unless --password-stdin.
    Add(server_commands::UserAddArgs),
    /// Set a new password. Generated and printed once unless --password-stdin.
    Passwd(server_commands::UserPasswdArgs),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Issue an API token. The secret is printed once; only its hash is stored.
    Issue(server_commands::TokenIssueArgs),
}

#[derive(Debug, Subcommand)]
enum S10Command {
    /// Check S10 IDs. Prints one line per ID: valid, or the exact reason it is not.
    ///
    /// Exits 0 when every ID is valid and 1 otherwise. Spaces inside an ID and lower case are
    /// accepted, so quote an ID typed with spaces: barid s10 check "EE 123 456 785 EG".
    Check {
        /// The IDs to check, e.g. RR473124829GB.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the S10 ID for a serial number, computing its check digit.
    New {
        /// Two-letter service indicator, e.g. EE (EMS), RR (registered), CP (parcel).
        #[arg(long, value_name = "XX")]
        service: String,
        /// Issuer country: the ISO code of the post issuing the ID, e.g. EG.
        #[arg(long, value_name = "CC")]
        country: String,
        /// Serial number, 0 to 99999999.
        #[arg(long, value_name = "N")]
        serial: u32,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Subcommand)]
enum ReceptacleCommand {
    /// Split an S9 receptacle ID into its fields.
    Parse {
        /// The 29-character ID, e.g. EGCAIAJOAMMAAUN50001001010123.
        id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Subcommand)]
enum DispatchCommand {
    /// Split an S8 dispatch ID into its fields.
    Parse {
        /// The 20-character ID, e.g. EGCAIAJOAMMAAUN50001.
        id: String,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// Print JSON (one object per line) instead of text.
    #[arg(long)]
    json: bool,
}

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The command ran, and found invalid input.
    Invalid,
}

impl Outcome {
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Invalid => ExitCode::from(1),
        }
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    // Not locked for the whole command: a server started by it prints from its own tasks
    // (the listening line), which would wait forever for a lock held here.
    let mut out = std::io::stdout();
    let reference_dir = cli.reference_dir.clone().or_else(|| {
        std::env::var_os("BARID_REFERENCE_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
    });
    let reference = || reference_files::load(reference_dir.as_deref());
    match cli.command {
        Command::Demo(args) => demo::demo(&args).map(|()| Outcome::Success),
        Command::Serve(args) => {
            server_commands::serve(&args, reference_dir).map(|()| Outcome::Success)
        }
        Command::Config(ConfigCommand::Example) => {
            write!(out, "{}", barid_web::Config::example())?;
            Ok(Outcome::Success)
        }
        Command::Migrate(args) => server_commands::migrate(&args).map(|()| Outcome::Success),
        Command::Backup(args) => server_commands::backup(&args).map(|()| Outcome::Success),
        Command::Operator(OperatorCommand::Add(args)) => {
            server_commands::operator_add(&args).map(|()| Outcome::Success)
        }
        Command::Office(OfficeCommand::Add(args)) => {
            server_commands::office_add(&args).map(|()| Outcome::Success)
        }
        Command::User(UserCommand::Add(args)) => {
            server_commands::user_add(&args).map(|()| Outcome::Success)
        }
        Command::User(UserCommand::Passwd(args)) => {
            server_commands::user_passwd(&args).map(|()| Outcome::Success)
        }
        Command::Token(TokenCommand::Issue(args)) => {
            server_commands::token_issue(&args).map(|()| Outcome::Success)
        }
        Command::Partner(command) => partner_commands::run(&command).map(|()| Outcome::Success),
        Command::S10(S10Command::Check { ids, output }) => s10_check(&mut out, &ids, output.json),
        Command::S10(S10Command::New {
            service,
            country,
            serial,
            output,
        }) => s10_new(&mut out, &service, &country, serial, output.json),
        Command::Receptacle(ReceptacleCommand::Parse { id, output }) => {
            receptacle_parse(&mut out, &reference()?, &id, output.json)
        }
        Command::Dispatch(DispatchCommand::Parse { id, output }) => {
            dispatch_parse(&mut out, &reference()?, &id, output.json)
        }
        Command::Events(output) => events(&mut out, &reference()?, output.json),
        Command::Export(args) => exchange_files::export(&args),
        Command::Import(args) => exchange_files::import(&args, reference_dir),
    }
}

#[derive(Serialize)]
struct S10CheckLine<'a> {
    id: &'a str,
    valid: bool,
    error: Option<&'static str>,
    message: String,
}

fn s10_check(out: &mut impl Write, ids: &[String], json: bool) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::Success;
    for input in ids {
        let shown = &one_line(input);
        let line = match S10Id::parse(input) {
            Ok(id) => S10CheckLine {
                id: shown,
                valid: true,
                error: None,
                message: format!(
                    "valid: {} ({}), issued in {} ({})",
                    id.human(),
                    id.service().as_str(),
                    id.issuer(),
                    id.issuer().name_en()
                ),
            },
            Err(error) => {
                outcome = Outcome::Invalid;
                S10CheckLine {
                    id: shown,
                    valid: false,
                    error: Some(error.code()),
                    message: error.to_string(),
                }
            }
        };
        if json {
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else if line.valid {
            writeln!(out, "{}\t{}", line.id, line.message)?;
        } else {
            writeln!(
                out,
                "{}\tinvalid ({}): {}",
                line.id,
                line.error.unwrap_or(""),
                line.message
            )?;
        }
    }
    Ok(outcome)
}

/// The input as typed, on one line, so every ID gets exactly one output line.
fn one_line(input: &str) -> String {
    input.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Serialize)]
struct S10NewOutput {
    id: String,
    human: String,
    service: &'static str,
    check_digit: u8,
}

fn s10_new(
    out: &mut impl Write,
    service: &str,
    country: &str,
    serial: u32,
    json: bool,
) -> anyhow::Result<Outcome> {
    let indicator = ServiceIndicator::parse(service)
        .with_context(|| format!("--service {service:?} is not a usable service indicator"))?;
    let country = CountryCode::parse(country).with_context(|| format!("--country {country:?}"))?;
    let range = S10Range::new(indicator, country, serial, serial).context("--serial")?;
    let id = range.issue(Some(serial)).context("--serial")?.id;
    if json {
        let output = S10NewOutput {
            id: id.to_string(),
            human: id.human(),
            service: id.service().as_str(),
            check_digit: id.check_digit(),
        };
        writeln!(out, "{}", serde_json::to_string(&output)?)?;
    } else {
        writeln!(out, "{id}")?;
    }
    Ok(Outcome::Success)
}

#[derive(Serialize)]
struct InvalidId<'a> {
    id: &'a str,
    valid: bool,
    error: &'static str,
    message: String,
}

fn write_invalid(
    out: &mut impl Write,
    input: &str,
    code: &'static str,
    message: String,
    json: bool,
) -> anyhow::Result<Outcome> {
    if json {
        let line = InvalidId {
            id: input.trim(),
            valid: false,
            error: code,
            message,
        };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    } else {
        writeln!(out, "{}\tinvalid ({code}): {message}", input.trim())?;
    }
    Ok(Outcome::Invalid)
}

#[derive(Serialize)]
struct DispatchFields {
    dispatch_id: String,
    origin_office: String,
    origin_country: String,
    destination_office: String,
    destination_country: String,
    mail_category: String,
    mail_category_name: Option<String>,
    mail_subclass: String,
    mail_subclass_name: Option<String>,
    mail_class: String,
    mail_class_name: Option<String>,
    delivery_bill: Option<&'static str>,
    year_digit: u8,
    dispatch_number: u16,
}

#[derive(Serialize)]
struct ReceptacleFields {
    id: String,
    valid: bool,
    error: Option<&'static str>,
    #[serde(flatten)]
    dispatch: DispatchFields,
    receptacle_serial: u16,
    highest_receptacle: bool,
    registered: bool,
    weight_tenths_kg: u16,
    weight_grams: u32,
    /// Set when the category or subclass is not in the reference data.
    message: Option<String>,
}

fn dispatch_fields(reference: &ReferenceData, dispatch: &DispatchId) -> DispatchFields {
    let category = reference.category(&dispatch.category);
    DispatchFields {
        dispatch_id: dispatch.to_string(),
        origin_office: dispatch.origin.to_string(),
        origin_country: dispatch.origin.country().to_string(),
        destination_office: dispatch.destination.to_string(),
        destination_country: dispatch.destination.country().to_string(),
        mail_category: dispatch.category.to_string(),
        mail_category_name: category.map(|c| c.names.en.clone()),
        mail_subclass: dispatch.subclass.to_string(),
        mail_subclass_name: reference
            .subclass(&dispatch.subclass)
            .map(|c| c.names.en.clone()),
        mail_class: dispatch.subclass.class().to_string(),
        mail_class_name: reference
            .class(&dispatch.subclass.class())
            .map(|c| c.names.en.clone()),
        delivery_bill: reference
            .delivery_bill(dispatch)
            .map(|bill| bill.form_name()),
        year_digit: dispatch.year.digit(),
        dispatch_number: dispatch.number.get(),
    }
}

fn with_name(code: &str, name: Option<&String>) -> String {
    match name {
        Some(name) => format!("{code}  {name}"),
        None => format!("{code}  (not in the code list)"),
    }
}

fn write_dispatch_table(out: &mut impl Write, fields: &DispatchFields) -> std::io::Result<()> {
    let country_name = |code: &str| CountryCode::parse(code).map(|c| c.name_en()).unwrap_or("");
    let rows = [
        ("S8 dispatch ID", fields.dispatch_id.clone()),
        (
            "Origin office",
            format!(
                "{}  ({})",
                fields.origin_office,
                country_name(&fields.origin_country)
            ),
        ),
        (
            "Destination office",
            format!(
                "{}  ({})",
                fields.destination_office,
                country_name(&fields.destination_country)
            ),
        ),
        (
            "Mail category",
            with_name(&fields.mail_category, fields.mail_category_name.as_ref()),
        ),
        (
            "Mail subclass",
            with_name(&fields.mail_subclass, fields.mail_subclass_name.as_ref()),
        ),
        (
            "Mail class",
            with_name(&fields.mail_class, fields.mail_class_name.as_ref()),
        ),
        (
            "Delivery bill",
            fields.delivery_bill.unwrap_or("-").to_owned(),
        ),
        ("Year (last digit)", fields.year_digit.to_string()),
        ("Dispatch number", format!("{:04}", fields.dispatch_number)),
    ];
    for (label, value) in rows {
        writeln!(out, "{label:<22}{value}")?;
    }
    Ok(())
}

fn unknown_code(reference: &ReferenceData, dispatch: &DispatchId) -> Option<UnknownCode> {
    reference.check_dispatch(dispatch).err()
}

fn receptacle_parse(
    out: &mut impl Write,
    reference: &ReferenceData,
    input: &str,
    json: bool,
) -> anyhow::Result<Outcome> {
    let receptacle = match ReceptacleId::parse(input) {
        Ok(receptacle) => receptacle,
        Err(error) => return write_invalid(out, input, error.code(), error.to_string(), json),
    };
    let unknown = unknown_code(reference, &receptacle.dispatch);
    let fields = ReceptacleFields {
        id: receptacle.to_string(),
        valid: unknown.is_none(),
        error: unknown.as_ref().map(|_| "unknown_code"),
        dispatch: dispatch_fields(reference, &receptacle.dispatch),
        receptacle_serial: receptacle.serial.get(),
        highest_receptacle: receptacle.highest,
        registered: receptacle.registered,
        weight_tenths_kg: receptacle.weight.tenths_of_kg(),
        weight_grams: receptacle.weight.grams(),
        message: unknown.as_ref().map(ToString::to_string),
    };
    if json {
        writeln!(out, "{}", serde_json::to_string(&fields)?)?;
    } else {
        let yes_no = |flag: bool| if flag { "yes" } else { "no" };
        writeln!(out, "{:<22}{}", "S9 receptacle ID", fields.id)?;
        writeln!(out, "{:<22}{}", "S9 spaced form", receptacle.human())?;
        write_dispatch_table(out, &fields.dispatch)?;
        writeln!(
            out,
            "{:<22}{:03}",
            "Receptacle serial", fields.receptacle_serial
        )?;
        writeln!(
            out,
            "{:<22}{}",
            "Last receptacle",
            yes_no(fields.highest_receptacle)
        )?;
        writeln!(
            out,
            "{:<22}{}",
            "Registered items",
            yes_no(fields.registered)
        )?;
        writeln!(out, "{:<22}{}", "Gross weight", receptacle.weight)?;
        if let Some(problem) = &fields.message {
            writeln!(out, "warning: {problem}")?;
        }
    }
    Ok(if unknown.is_some() {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

#[derive(Serialize)]
struct DispatchOutput {
    id: String,
    valid: bool,
    error: Option<&'static str>,
    #[serde(flatten)]
    dispatch: DispatchFields,
    message: Option<String>,
}

fn dispatch_parse(
    out: &mut impl Write,
    reference: &ReferenceData,
    input: &str,
    json: bool,
) -> anyhow::Result<Outcome> {
    let dispatch = match DispatchId::parse(input) {
        Ok(dispatch) => dispatch,
        Err(error) => return write_invalid(out, input, error.code(), error.to_string(), json),
    };
    let unknown = unknown_code(reference, &dispatch);
    let output = DispatchOutput {
        id: dispatch.to_string(),
        valid: unknown.is_none(),
        error: unknown.as_ref().map(|_| "unknown_code"),
        dispatch: dispatch_fields(reference, &dispatch),
        message: unknown.as_ref().map(ToString::to_string),
    };
    if json {
        writeln!(out, "{}", serde_json::to_string(&output)?)?;
    } else {
        writeln!(out, "{:<22}{}", "S8 spaced form", dispatch.human())?;
        write_dispatch_table(out, &output.dispatch)?;
        if let Some(problem) = &output.message {
            writeln!(out, "warning: {problem}")?;
        }
    }
    Ok(if unknown.is_some() {
        Outcome::Invalid
    } else {
        Outcome::Success
    })
}

#[derive(Serialize)]
struct EventLine<'a> {
    code: &'a str,
    milestone: &'static str,
    name_en: &'a str,
    name_ar: &'a str,
}

fn events(out: &mut impl Write, reference: &ReferenceData, json: bool) -> anyhow::Result<Outcome> {
    if !json {
        writeln!(
            out,
            "{:<5} {:<30} {:<55} العربية",
            "code", "milestone", "English"
        )?;
    }
    for event in reference.events() {
        let line = EventLine {
            code: event.code.as_str(),
            milestone: event.milestone.as_str(),
            name_en: &event.names.en,
            name_ar: &event.names.ar,
        };
        if json {
            writeln!(out, "{}", serde_json::to_string(&line)?)?;
        } else {
            writeln!(
                out,
                "{:<5} {:<30} {:<55} {}",
                line.code, line.milestone, line.name_en, line.name_ar
            )?;
        }
    }
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
