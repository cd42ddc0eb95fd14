//! `barid export` and `barid import`: the partner exchange by file, for posts with no online
//! link between their nodes.
//!
//! An export is what the HTTP transport would have sent: the operator's outbox messages for a
//! partner, each numbered with its outbox sequence, in the transport's batch body
//! (`{"messages": [envelope, ...]}`), or as CSV for people and spreadsheets. An import takes such
//! a file from the partner through the same inbox as the HTTP transport (deduplicated by
//! message ID, applied in the sender's sequence order by [`barid_web::inbox::apply_from`]),
//! after checking the whole file: a file with one bad message or row changes nothing.
//!
//! `docs/exchange/files.md` describes the commands, the formats and the CSV columns.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use barid_core::{CountryCode, ReferenceData};
use barid_messages::{BaridJsonV1, CodecError, Envelope, MessageCodec, MessageType};
use barid_store::Store;
use barid_store::model::{InboxId, InboxInsert, NewInboxMessage, Operator, OutboxMessage};
use barid_web::inbox::{self, Foreseen, Outcome as Applied};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::cli::Outcome;
use crate::server_commands::{ConfigArgs, now, runtime};
use crate::{reference_files, storage};

/// The messages a file can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportType {
    Emsevt,
    Itmatt,
    Predes,
}

impl ExportType {
    fn message_type(self) -> MessageType {
        match self {
            ExportType::Emsevt => MessageType::Emsevt,
            ExportType::Itmatt => MessageType::Itmatt,
            ExportType::Predes => MessageType::Predes,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FileFormat {
    /// The HTTP transport's batch body: {"messages": [envelope, ...]}.
    Json,
    /// One row per event (EMSEVT), customs line (ITMATT) or receptacle (PREDES).
    Csv,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Which messages: emsevt, itmatt or predes.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub message_type: ExportType,
    /// The messages written at or after this time: RFC 3339 (2026-11-22T14:00:00+02:00) or a
    /// date (2026-11-22, from midnight UTC).
    #[arg(long, value_name = "TIME")]
    pub since: String,
    /// The partner the messages are for, e.g. PS.
    #[arg(long, value_name = "CC")]
    pub partner: String,
    /// The sending operator, when this node hosts several, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub operator: Option<String>,
    #[arg(long, value_enum, default_value = "json")]
    pub format: FileFormat,
    /// The file to write (replaced if it exists); standard output by default.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// A JSON batch from `barid export --format json`, or a CSV of EMSEVT events.
    pub file: PathBuf,
    /// json or csv; by default from the file's extension (.csv), else JSON.
    #[arg(long, value_enum)]
    pub format: Option<FileFormat>,
    /// Take messages only from this partner, e.g. EG.
    #[arg(long, value_name = "CC")]
    pub partner: Option<String>,
    /// Take messages only for this hosted operator, e.g. PS.
    #[arg(long, value_name = "CC")]
    pub operator: Option<String>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

// --- the envelope as written (barid-json v1), for the CSV forms -------------------------------
//
// The CSV is read into these and the envelope decoded with `BaridJsonV1`, so a CSV row goes
// through exactly the checks of a JSON message and its errors name the field.

#[derive(Debug, Serialize, Deserialize)]
struct Wire<B> {
    id: String,
    #[serde(rename = "type")]
    message_type: String,
    version: u32,
    sender: String,
    recipient: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sequence: Option<u64>,
    created_at: String,
    body: B,
}

#[derive(Debug, Serialize, Deserialize)]
struct WireEmsevt {
    events: Vec<WireEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireEvent {
    s10: String,
    code: String,
    milestone: String,
    at: String,
    office: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    signatory: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireItmatt {
    items: Vec<WireItem>,
}

#[derive(Debug, Deserialize)]
struct WireItem {
    s10: String,
    mail_class: String,
    origin_country: String,
    destination_country: String,
    accepted_at: String,
    posting_office: String,
    gross_weight_grams: u64,
    contents: String,
    sender: WireParty,
    addressee: WireParty,
    #[serde(default)]
    customs: Option<WireCustoms>,
}

#[derive(Debug, Deserialize)]
struct WireParty {
    name: String,
    city: String,
    country: String,
}

#[derive(Debug, Deserialize)]
struct WireCustoms {
    form: String,
    category: String,
    lines: Vec<WireLine>,
}

#[derive(Debug, Deserialize)]
struct WireLine {
    description: String,
    quantity: u64,
    net_weight_grams: u64,
    value: WireMoney,
    #[serde(default)]
    hs_code: Option<String>,
    origin: String,
}

#[derive(Debug, Deserialize)]
struct WireMoney {
    amount_minor: i64,
    currency: String,
}

#[derive(Debug, Deserialize)]
struct WirePredes {
    dispatch: String,
    #[serde(default)]
    transit_office: Option<String>,
    closed_at: String,
    #[serde(default)]
    transport: Option<WireTransport>,
    receptacles: Vec<WireReceptacle>,
}

#[derive(Debug, Default, Deserialize)]
struct WireTransport {
    #[serde(default)]
    carrier: Option<String>,
    #[serde(default)]
    conveyance: Option<String>,
    #[serde(default)]
    departs_at: Option<String>,
    #[serde(default)]
    arrives_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WireReceptacle {
    id: String,
    gross_weight_grams: u64,
    items: Vec<String>,
}

// --- CSV rows ---------------------------------------------------------------------------------

/// The columns every CSV form starts with: the envelope of the row's message.
#[derive(Debug)]
struct MessageColumns {
    message_id: String,
    sequence: String,
    sender: String,
    recipient: String,
    created_at: String,
}

/// One EMSEVT event; also what `barid import` reads. `message_id`, `sequence` and
/// `created_at` may be left empty in a CSV made by hand.
#[derive(Debug, Serialize, Deserialize)]
struct EventRow {
    #[serde(default)]
    message_id: String,
    #[serde(default)]
    sequence: String,
    sender: String,
    recipient: String,
    #[serde(default)]
    created_at: String,
    s10: String,
    code: String,
    milestone: String,
    at: String,
    office: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    next_action: String,
    #[serde(default)]
    signatory: String,
    #[serde(default)]
    note: String,
}

/// One ITMATT customs line (an item without a declaration has one row, its line columns
/// empty).
#[derive(Debug, Serialize)]
struct ItemRow {
    message_id: String,
    sequence: String,
    sender: String,
    recipient: String,
    created_at: String,
    s10: String,
    mail_class: String,
    origin_country: String,
    destination_country: String,
    accepted_at: String,
    posting_office: String,
    gross_weight_grams: u64,
    contents: String,
    sender_name: String,
    sender_city: String,
    sender_country: String,
    addressee_name: String,
    addressee_city: String,
    addressee_country: String,
    customs_form: String,
    customs_category: String,
    line: Option<usize>,
    description: String,
    quantity: Option<u64>,
    net_weight_grams: Option<u64>,
    value_minor: Option<i64>,
    currency: String,
    hs_code: String,
    line_origin: String,
}

/// One PREDES receptacle.
#[derive(Debug, Serialize)]
struct ReceptacleRow {
    message_id: String,
    sequence: String,
    sender: String,
    recipient: String,
    created_at: String,
    dispatch: String,
    transit_office: String,
    closed_at: String,
    carrier: String,
    conveyance: String,
    departs_at: String,
    arrives_at: String,
    receptacle: String,
    gross_weight_grams: u64,
    item_count: usize,
    /// The S10 IDs, separated by spaces, in bagging order.
    items: String,
}

// --- export -----------------------------------------------------------------------------------

pub fn export(args: &ExportArgs) -> anyhow::Result<Outcome> {
    let config = args.config.load()?;
    let since = parse_since(&args.since)?;
    let partner = CountryCode::parse(&args.partner).context("--partner")?;
    let message_type = args.message_type.message_type();
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let operators = store.operators().await?;
        let operator = hosted_operator(&operators, args.operator.as_deref())?;
        if partner == operator {
            anyhow::bail!("--partner {partner} is the sending operator itself");
        }
        if !operators.iter().any(|known| known.code == partner) {
            anyhow::bail!("{partner} is not an operator this node knows");
        }
        let messages = store
            .outbox_since(operator, partner, Some(message_type.as_str()), since)
            .await?;
        let numbered = messages
            .iter()
            .map(numbered)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let text = match args.format {
            FileFormat::Json => batch(&numbered),
            FileFormat::Csv => csv_of(message_type, &numbered)?,
        };
        match &args.output {
            Some(path) => std::fs::write(path, text.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?,
            None => std::io::stdout().lock().write_all(text.as_bytes())?,
        }
        eprintln!(
            "exported {} {message_type} message(s) from {operator} to {partner} written since {}",
            numbered.len(),
            args.since.trim()
        );
        Ok(Outcome::Success)
    })
}

/// An RFC 3339 time, or a date from midnight UTC.
fn parse_since(text: &str) -> anyhow::Result<OffsetDateTime> {
    let text = text.trim();
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let date = (|| {
        let mut parts = text.splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day).ok()
    })();
    match date {
        Some(date) if text.len() == 10 => Ok(date.midnight().assume_utc()),
        _ => anyhow::bail!(
            "--since {text:?} is neither an RFC 3339 time (2026-11-22T14:00:00+02:00) nor a \
             date (2026-11-22)"
        ),
    }
}

/// The hosted operator `--operator` names, or the only one.
fn hosted_operator(operators: &[Operator], chosen: Option<&str>) -> anyhow::Result<CountryCode> {
    let hosted: Vec<CountryCode> = operators
        .iter()
        .filter(|operator| operator.hosted)
        .map(|operator| operator.code)
        .collect();
    match chosen {
        Some(text) => {
            let code = CountryCode::parse(text).context("--operator")?;
            if hosted.contains(&code) {
                Ok(code)
            } else {
                anyhow::bail!("--operator {code} is not hosted on this node")
            }
        }
        None => match hosted[..] {
            [only] => Ok(only),
            [] => anyhow::bail!("this node hosts no operator (barid operator add)"),
            _ => anyhow::bail!(
                "this node hosts {}: choose one with --operator",
                hosted
                    .iter()
                    .map(CountryCode::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        },
    }
}

/// The stored envelope numbered with its outbox sequence, as the transport sends it.
fn numbered(message: &OutboxMessage) -> anyhow::Result<String> {
    barid_web::partner_exchange::numbered(message)
        .with_context(|| format!("outbox message {} cannot be numbered", message.message_id))
}

/// The HTTP transport's batch body, with a final line break.
fn batch(numbered: &[String]) -> String {
    let mut body = String::from("{\"messages\":[");
    body.push_str(&numbered.join(","));
    body.push_str("]}\n");
    body
}

fn columns<B>(wire: &Wire<B>) -> MessageColumns {
    MessageColumns {
        message_id: wire.id.clone(),
        sequence: wire.sequence.map(|n| n.to_string()).unwrap_or_default(),
        sender: wire.sender.clone(),
        recipient: wire.recipient.clone(),
        created_at: wire.created_at.clone(),
    }
}

fn csv_of(message_type: MessageType, numbered: &[String]) -> anyhow::Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // The header is written even when there is no row, so the file is always readable.
    let mut rows = 0usize;
    for text in numbered {
        match message_type {
            MessageType::Emsevt => {
                let wire: Wire<WireEmsevt> = serde_json::from_str(text)?;
                let message = columns(&wire);
                for event in wire.body.events {
                    writer.serialize(EventRow {
                        message_id: message.message_id.clone(),
                        sequence: message.sequence.clone(),
                        sender: message.sender.clone(),
                        recipient: message.recipient.clone(),
                        created_at: message.created_at.clone(),
                        s10: event.s10,
                        code: event.code,
                        milestone: event.milestone,
                        at: event.at,
                        office: event.office,
                        reason: event.reason.unwrap_or_default(),
                        next_action: event.next_action.unwrap_or_default(),
                        signatory: event.signatory.unwrap_or_default(),
                        note: event.note.unwrap_or_default(),
                    })?;
                    rows += 1;
                }
            }
            MessageType::Itmatt => {
                let wire: Wire<WireItmatt> = serde_json::from_str(text)?;
                for item in &wire.body.items {
                    let lines: Vec<Option<(usize, &WireLine)>> = match &item.customs {
                        Some(customs) if !customs.lines.is_empty() => customs
                            .lines
                            .iter()
                            .enumerate()
                            .map(|(index, line)| Some((index + 1, line)))
                            .collect(),
                        _ => vec![None],
                    };
                    for line in lines {
                        writer.serialize(item_row(&wire, item, line))?;
                        rows += 1;
                    }
                }
            }
            MessageType::Predes => {
                let wire: Wire<WirePredes> = serde_json::from_str(text)?;
                let predes = &wire.body;
                let transport = predes.transport.as_ref();
                let field = |pick: fn(&WireTransport) -> &Option<String>| {
                    transport.and_then(|t| pick(t).clone()).unwrap_or_default()
                };
                for receptacle in &predes.receptacles {
                    let message = columns(&wire);
                    writer.serialize(ReceptacleRow {
                        message_id: message.message_id,
                        sequence: message.sequence,
                        sender: message.sender,
                        recipient: message.recipient,
                        created_at: message.created_at,
                        dispatch: predes.dispatch.clone(),
                        transit_office: predes.transit_office.clone().unwrap_or_default(),
                        closed_at: predes.closed_at.clone(),
                        carrier: field(|t| &t.carrier),
                        conveyance: field(|t| &t.conveyance),
                        departs_at: field(|t| &t.departs_at),
                        arrives_at: field(|t| &t.arrives_at),
                        receptacle: receptacle.id.clone(),
                        gross_weight_grams: receptacle.gross_weight_grams,
                        item_count: receptacle.items.len(),
                        items: receptacle.items.join(" "),
                    })?;
                    rows += 1;
                }
            }
            MessageType::Resdes => anyhow::bail!("RESDES has no CSV form"),
        }
    }
    if rows == 0 {
        write_header_only(&mut writer, message_type)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| anyhow::anyhow!("writing the CSV: {error}"))?;
    String::from_utf8(bytes).context("the CSV is UTF-8")
}

fn write_header_only(
    writer: &mut csv::Writer<Vec<u8>>,
    message_type: MessageType,
) -> anyhow::Result<()> {
    let message = [
        "message_id",
        "sequence",
        "sender",
        "recipient",
        "created_at",
    ];
    let rest: &[&str] = match message_type {
        MessageType::Emsevt => &[
            "s10",
            "code",
            "milestone",
            "at",
            "office",
            "reason",
            "next_action",
            "signatory",
            "note",
        ],
        MessageType::Itmatt => &[
            "s10",
            "mail_class",
            "origin_country",
            "destination_country",
            "accepted_at",
            "posting_office",
            "gross_weight_grams",
            "contents",
            "sender_name",
            "sender_city",
            "sender_country",
            "addressee_name",
            "addressee_city",
            "addressee_country",
            "customs_form",
            "customs_category",
            "line",
            "description",
            "quantity",
            "net_weight_grams",
            "value_minor",
            "currency",
            "hs_code",
            "line_origin",
        ],
        MessageType::Predes => &[
            "dispatch",
            "transit_office",
            "closed_at",
            "carrier",
            "conveyance",
            "departs_at",
            "arrives_at",
            "receptacle",
            "gross_weight_grams",
            "item_count",
            "items",
        ],
        MessageType::Resdes => &[],
    };
    writer.write_record(message.iter().chain(rest))?;
    Ok(())
}

fn item_row(wire: &Wire<WireItmatt>, item: &WireItem, line: Option<(usize, &WireLine)>) -> ItemRow {
    let customs = item.customs.as_ref();
    let message = columns(wire);
    ItemRow {
        message_id: message.message_id,
        sequence: message.sequence,
        sender: message.sender,
        recipient: message.recipient,
        created_at: message.created_at,
        s10: item.s10.clone(),
        mail_class: item.mail_class.clone(),
        origin_country: item.origin_country.clone(),
        destination_country: item.destination_country.clone(),
        accepted_at: item.accepted_at.clone(),
        posting_office: item.posting_office.clone(),
        gross_weight_grams: item.gross_weight_grams,
        contents: item.contents.clone(),
        sender_name: item.sender.name.clone(),
        sender_city: item.sender.city.clone(),
        sender_country: item.sender.country.clone(),
        addressee_name: item.addressee.name.clone(),
        addressee_city: item.addressee.city.clone(),
        addressee_country: item.addressee.country.clone(),
        customs_form: customs.map(|c| c.form.clone()).unwrap_or_default(),
        customs_category: customs.map(|c| c.category.clone()).unwrap_or_default(),
        line: line.map(|(number, _)| number),
        description: line.map(|(_, l)| l.description.clone()).unwrap_or_default(),
        quantity: line.map(|(_, l)| l.quantity),
        net_weight_grams: line.map(|(_, l)| l.net_weight_grams),
        value_minor: line.map(|(_, l)| l.value.amount_minor),
        currency: line
            .map(|(_, l)| l.value.currency.clone())
            .unwrap_or_default(),
        hs_code: line
            .and_then(|(_, l)| l.hs_code.clone())
            .unwrap_or_default(),
        line_origin: line.map(|(_, l)| l.origin.clone()).unwrap_or_default(),
    }
}

// --- import -----------------------------------------------------------------------------------

/// Where a message came from in the file, for the report.
#[derive(Debug, Clone)]
enum Origin {
    /// The position in the batch's `messages`, from 0.
    Message { index: usize, id: Option<Uuid> },
    /// CSV rows: the line of each event, in order.
    Rows { id: Uuid, lines: Vec<u64> },
}

impl Origin {
    fn describe(&self) -> String {
        match self {
            Origin::Message {
                index,
                id: Some(id),
            } => format!("message {index} ({id})"),
            Origin::Message { index, id: None } => format!("message {index}"),
            Origin::Rows { id, lines } => match (lines.first(), lines.last()) {
                (Some(first), Some(last)) if first != last => {
                    format!("lines {first}-{last} (message {id})")
                }
                (Some(first), _) => format!("line {first} (message {id})"),
                _ => format!("message {id}"),
            },
        }
    }

    /// The CSV line an error at `path` (`body.events[3].at`) is about.
    fn describe_at(&self, path: Option<&str>) -> String {
        if let (Origin::Rows { lines, .. }, Some(path)) = (self, path)
            && let Some(rest) = path.strip_prefix("body.events[")
            && let Some(index) = rest
                .split(']')
                .next()
                .and_then(|digits| digits.parse::<usize>().ok())
            && let Some(line) = lines.get(index)
        {
            return format!("line {line}");
        }
        self.describe()
    }
}

/// A message of the file, decoded.
struct Incoming {
    origin: Origin,
    envelope: Envelope,
    /// What goes into the inbox: the envelope as received (JSON), or as encoded (CSV).
    body: Option<String>,
    /// For CSV rows: number the message after the node's latest from the sender.
    needs_sequence: bool,
}

/// The problems found, each naming its message or line.
#[derive(Debug, Default)]
struct Report {
    problems: Vec<String>,
}

impl Report {
    fn add(&mut self, place: String, reason: impl std::fmt::Display) {
        self.problems.push(format!("{place}: {reason}"));
    }
}

fn codec_reason(error: &CodecError) -> String {
    match error.path() {
        Some(path) if !path.is_empty() => {
            format!("{} ({}, field {path})", error.message(), error.code())
        }
        _ => format!("{} ({})", error.message(), error.code()),
    }
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    file: String,
    messages: usize,
    applied: usize,
    duplicates: usize,
    /// Stored, waiting for an earlier message of the sender's sequence.
    queued: usize,
    quarantined: usize,
    /// Messages received before that this file's messages released.
    also_applied: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    quarantine_reasons: Vec<String>,
}

pub fn import(args: &ImportArgs, reference_dir: Option<PathBuf>) -> anyhow::Result<Outcome> {
    let config = args.config.load()?;
    let reference = reference_files::load(reference_dir.as_deref())?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let format = args.format.unwrap_or_else(|| format_of(&args.file, &bytes));
    let partner = args
        .partner
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .context("--partner")?;
    let only_operator = args
        .operator
        .as_deref()
        .map(CountryCode::parse)
        .transpose()
        .context("--operator")?;
    let file = args.file.display().to_string();
    runtime()?.block_on(async {
        let store = storage::open(config.database_url.expose()).await?;
        let mut report = Report::default();
        let incoming = match format {
            FileFormat::Json => read_batch(&bytes, &mut report),
            FileFormat::Csv => read_event_csv(&bytes, &mut report),
        };
        let checked = check_file(
            store.as_ref(),
            &reference,
            incoming,
            partner,
            only_operator,
            &mut report,
        )
        .await?;
        if !report.problems.is_empty() {
            let mut err = std::io::stderr().lock();
            writeln!(
                err,
                "{file}: nothing imported; {} problem(s):",
                report.problems.len()
            )?;
            for problem in &report.problems {
                writeln!(err, "  {problem}")?;
            }
            return Ok(Outcome::Invalid);
        }
        let summary = take_in(store, &reference, checked, file).await?;
        print_summary(&summary, args.json)?;
        Ok(if summary.quarantined > 0 {
            Outcome::Invalid
        } else {
            Outcome::Success
        })
    })
}

fn format_of(path: &Path, bytes: &[u8]) -> FileFormat {
    let csv_extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
    let first = bytes.iter().copied().find(|byte| {
        !byte.is_ascii_whitespace() && *byte != 0xEF && *byte != 0xBB && *byte != 0xBF
    });
    if csv_extension || first.is_some_and(|byte| byte != b'{') {
        FileFormat::Csv
    } else {
        FileFormat::Json
    }
}

fn progress(total: usize, what: &'static str) -> indicatif::ProgressBar {
    if total < 100 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta} left)")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch<'a> {
    #[serde(borrow)]
    messages: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    id: Option<String>,
}

fn read_batch(bytes: &[u8], report: &mut Report) -> Vec<Incoming> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.trim_start_matches('\u{feff}'),
        Err(error) => {
            report.add("the file".to_owned(), format!("not UTF-8 text: {error}"));
            return Vec::new();
        }
    };
    let batch: Batch<'_> = match serde_json::from_str(text) {
        Ok(batch) => batch,
        Err(error) => {
            report.add(
                "the file".to_owned(),
                format!("a batch is {{\"messages\": [envelope, ...]}}: {error}"),
            );
            return Vec::new();
        }
    };
    let bar = progress(batch.messages.len(), "reading");
    let mut incoming = Vec::with_capacity(batch.messages.len());
    for (index, raw) in batch.messages.iter().enumerate() {
        bar.inc(1);
        let id = serde_json::from_str::<Header>(raw.get())
            .ok()
            .and_then(|header| header.id)
            .and_then(|id| Uuid::try_parse(&id).ok());
        let origin = Origin::Message { index, id };
        match BaridJsonV1.decode(raw.get().as_bytes()) {
            Ok(envelope) => {
                if envelope.sequence().is_none_or(|sequence| sequence == 0) {
                    report.add(
                        origin.describe(),
                        "no sequence number from 1 (`sequence`): an exported message has its \
                         outbox sequence",
                    );
                    continue;
                }
                incoming.push(Incoming {
                    origin,
                    envelope,
                    body: Some(raw.get().to_owned()),
                    needs_sequence: false,
                });
            }
            Err(error) => report.add(origin.describe(), codec_reason(&error)),
        }
    }
    bar.finish_and_clear();
    incoming
}

/// The namespace of the message IDs derived from CSV rows.
const CSV_NAMESPACE: Uuid = Uuid::from_u128(0x6d1e_5b0a_93c4_4f7e_a2d8_0b1c_ea5e_7001);

/// A group of rows that become one EMSEVT.
struct RowGroup {
    id: Option<Uuid>,
    sequence: Option<u64>,
    sender: String,
    recipient: String,
    created_at: String,
    lines: Vec<u64>,
    events: Vec<WireEvent>,
}

fn optional(text: String) -> Option<String> {
    if text.trim().is_empty() {
        None
    } else {
        Some(text)
    }
}

fn read_event_csv(bytes: &[u8], report: &mut Report) -> Vec<Incoming> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => {
            report.add("line 1".to_owned(), format!("not a CSV header: {error}"));
            return Vec::new();
        }
    };
    let has = |name: &str| headers.iter().any(|header| header == name);
    if has("receptacle") || has("mail_class") {
        let what = if has("receptacle") {
            "PREDES receptacles"
        } else {
            "ITMATT items"
        };
        report.add(
            "line 1".to_owned(),
            format!(
                "this is a CSV of {what}: only EMSEVT events are imported from CSV; import the \
                 JSON export of PREDES and ITMATT (barid export --format json)"
            ),
        );
        return Vec::new();
    }
    // Rows naming a message ID form that message; rows without one form one message per
    // sender and recipient, with an ID derived from their content.
    let mut groups: Vec<RowGroup> = Vec::new();
    let mut by_key: HashMap<(Option<Uuid>, String, String), usize> = HashMap::new();
    let lines = bytes.iter().filter(|byte| **byte == b'\n').count();
    let bar = progress(lines, "reading");
    let mut records = reader.records();
    loop {
        bar.inc(1);
        let record = match records.next() {
            None => break,
            Some(Ok(record)) => record,
            Some(Err(error)) => {
                let line = error.position().map_or(0, csv::Position::line);
                report.add(format!("line {line}"), error);
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let place = format!("line {line}");
        let row: EventRow = match record.deserialize(Some(&headers)) {
            Ok(row) => row,
            Err(error) => {
                report.add(place, error);
                continue;
            }
        };
        let id = match optional(row.message_id) {
            None => None,
            Some(text) => match Uuid::try_parse(&text) {
                Ok(id) => Some(id),
                Err(error) => {
                    report.add(place, format!("message_id {text:?} is not a UUID: {error}"));
                    continue;
                }
            },
        };
        let sequence = match optional(row.sequence) {
            None => None,
            Some(text) => match text.parse::<u64>() {
                Ok(sequence) if sequence >= 1 => Some(sequence),
                _ => {
                    report.add(place, format!("sequence {text:?} is not a number from 1"));
                    continue;
                }
            },
        };
        let key = (id, row.sender.to_uppercase(), row.recipient.to_uppercase());
        let index = *by_key.entry(key).or_insert_with(|| {
            groups.push(RowGroup {
                id,
                sequence,
                sender: row.sender.clone(),
                recipient: row.recipient.clone(),
                created_at: row.created_at.clone(),
                lines: Vec::new(),
                events: Vec::new(),
            });
            groups.len() - 1
        });
        let Some(group) = groups.get_mut(index) else {
            continue;
        };
        if group.sequence != sequence || (id.is_some() && group.created_at != row.created_at) {
            report.add(
                place,
                format!(
                    "the rows of message {} disagree on its sequence or created_at",
                    id.map(|id| id.to_string()).unwrap_or_default()
                ),
            );
            continue;
        }
        let event = WireEvent {
            s10: row.s10,
            code: row.code,
            milestone: row.milestone,
            at: row.at,
            office: row.office,
            reason: optional(row.reason),
            next_action: optional(row.next_action),
            signatory: optional(row.signatory),
            note: optional(row.note),
        };
        // Each row is checked on its own first, so that every bad row is named, not only the
        // first of its message.
        if let Err(reason) = check_row(&row.sender, &row.recipient, &row.created_at, &event) {
            report.add(place, reason);
            continue;
        }
        group.lines.push(line);
        group.events.push(event);
    }
    bar.finish_and_clear();
    if groups.is_empty() && report.problems.is_empty() {
        report.add("the file".to_owned(), "no events: the CSV has no rows");
    }
    let mut incoming = Vec::with_capacity(groups.len());
    for group in groups {
        let id = group.id.unwrap_or_else(|| derived_id(&group));
        let created_at =
            optional(group.created_at.clone()).unwrap_or_else(|| latest_time(&group.events));
        let wire = Wire {
            id: id.to_string(),
            message_type: MessageType::Emsevt.as_str().to_owned(),
            version: MessageType::Emsevt.current_version(),
            sender: group.sender,
            recipient: group.recipient,
            sequence: group.sequence,
            created_at,
            body: WireEmsevt {
                events: group.events,
            },
        };
        let origin = Origin::Rows {
            id,
            lines: group.lines,
        };
        let decoded = serde_json::to_vec(&wire)
            .map_err(|error| error.to_string())
            .and_then(|bytes| {
                BaridJsonV1
                    .decode(&bytes)
                    .map_err(|error| codec_reason_at(&origin, &error))
            });
        match decoded {
            Ok(envelope) => incoming.push(Incoming {
                origin,
                needs_sequence: envelope.sequence().is_none(),
                envelope,
                body: None,
            }),
            Err(reason) => report.problems.push(reason),
        }
    }
    incoming
}

/// Decodes the row as an EMSEVT of its own.
fn check_row(
    sender: &str,
    recipient: &str,
    created_at: &str,
    event: &WireEvent,
) -> Result<(), String> {
    let wire = Wire {
        id: Uuid::nil().to_string(),
        message_type: MessageType::Emsevt.as_str().to_owned(),
        version: MessageType::Emsevt.current_version(),
        sender: sender.to_owned(),
        recipient: recipient.to_owned(),
        sequence: None,
        // A row without it is given one when its message is built.
        created_at: optional(created_at.to_owned())
            .unwrap_or_else(|| "2000-01-01T00:00:00Z".to_owned()),
        body: WireEmsevt {
            events: vec![event.clone()],
        },
    };
    let bytes = serde_json::to_vec(&wire).map_err(|error| error.to_string())?;
    BaridJsonV1.decode(&bytes).map(|_| ()).map_err(|error| {
        let column = error
            .path()
            .map(|path| path.strip_prefix("body.events[0].").unwrap_or(path))
            .filter(|column| !column.is_empty());
        match column {
            Some(column) => format!("{} ({}, column {column})", error.message(), error.code()),
            None => format!("{} ({})", error.message(), error.code()),
        }
    })
}

fn codec_reason_at(origin: &Origin, error: &CodecError) -> String {
    format!(
        "{}: {}",
        origin.describe_at(error.path()),
        codec_reason(error)
    )
}

/// A UUID v5 of the rows' content: the same rows give the same message ID.
fn derived_id(group: &RowGroup) -> Uuid {
    let mut content = format!("EMSEVT\u{1f}{}\u{1f}{}", group.sender, group.recipient);
    for event in &group.events {
        for field in [
            Some(&event.s10),
            Some(&event.code),
            Some(&event.milestone),
            Some(&event.at),
            Some(&event.office),
            event.reason.as_ref(),
            event.next_action.as_ref(),
            event.signatory.as_ref(),
            event.note.as_ref(),
        ] {
            content.push('\u{1f}');
            content.push_str(field.map_or("", String::as_str));
        }
        content.push('\u{1e}');
    }
    Uuid::new_v5(&CSV_NAMESPACE, content.as_bytes())
}

/// The latest event time of the rows, as written: the message's `created_at` when none is
/// given.
fn latest_time(events: &[WireEvent]) -> String {
    events
        .iter()
        .filter_map(|event| {
            OffsetDateTime::parse(&event.at, &Rfc3339)
                .ok()
                .map(|at| (at, &event.at))
        })
        .max_by_key(|(at, _)| *at)
        .map(|(_, text)| text.clone())
        .or_else(|| events.first().map(|event| event.at.clone()))
        .unwrap_or_default()
}

/// A message found good, to take in.
struct Checked {
    origin: Origin,
    message: NewInboxMessage,
    /// Already in the inbox (or earlier in the file): nothing to do.
    duplicate: bool,
}

/// Checks every message as the inbox would take and apply it, without writing: who it is
/// from and to, its sequence number, and what it refers to.
async fn check_file(
    store: &dyn Store,
    reference: &ReferenceData,
    incoming: Vec<Incoming>,
    partner: Option<CountryCode>,
    only_operator: Option<CountryCode>,
    report: &mut Report,
) -> anyhow::Result<Vec<Checked>> {
    let operators = store.operators().await?;
    let hosted: BTreeSet<CountryCode> = operators
        .iter()
        .filter(|operator| operator.hosted)
        .map(|operator| operator.code)
        .collect();
    let known: BTreeSet<CountryCode> = operators.iter().map(|operator| operator.code).collect();
    // The messages of each pair, in the file's order.
    let mut pairs: BTreeMap<(CountryCode, CountryCode), Vec<Incoming>> = BTreeMap::new();
    for message in incoming {
        let sender = message.envelope.sender();
        let recipient = message.envelope.recipient();
        let place = message.origin.describe();
        if !hosted.contains(&recipient) {
            report.add(
                place,
                format!("addressed to {recipient}, which this node does not host"),
            );
        } else if only_operator.is_some_and(|only| only != recipient) {
            report.add(
                place,
                format!(
                    "addressed to {recipient}, not to --operator {}",
                    display(only_operator)
                ),
            );
        } else if !known.contains(&sender) {
            report.add(
                place,
                format!(
                    "from {sender}, which this node does not know as a partner (barid operator \
                     add --partner)"
                ),
            );
        } else if partner.is_some_and(|partner| partner != sender) {
            report.add(
                place,
                format!("from {sender}, not from --partner {}", display(partner)),
            );
        } else {
            pairs.entry((recipient, sender)).or_default().push(message);
        }
    }
    let total: usize = pairs.values().map(Vec::len).sum();
    let bar = progress(total, "checking");
    let received_at = now();
    let mut checked = Vec::with_capacity(total);
    let mut foreseen: BTreeMap<CountryCode, Foreseen> = BTreeMap::new();
    for ((recipient, sender), messages) in pairs {
        let ids: Vec<Uuid> = messages
            .iter()
            .map(|message| message.envelope.message_id())
            .collect();
        let held: HashMap<Uuid, i64> = store
            .inbox_messages(recipient, sender, &ids)
            .await?
            .into_iter()
            .map(|held| (held.message.message_id, held.message.sequence))
            .collect();
        let settled = store.inbox_settled_through(recipient, sender).await?;
        let pending: HashSet<i64> = store
            .pending_inbox(recipient, sender, 1_000_000)
            .await?
            .into_iter()
            .filter(|waiting| !ids.contains(&waiting.message.message_id))
            .map(|waiting| waiting.message.sequence)
            .collect();
        let highest_known = pending.iter().copied().max().unwrap_or(0).max(settled);
        let highest_in_file = messages
            .iter()
            .filter_map(|message| message.envelope.sequence())
            .filter_map(|sequence| i64::try_from(sequence).ok())
            .max()
            .unwrap_or(0);
        let mut next_free = highest_known.max(highest_in_file);
        let mut seen: HashSet<Uuid> = HashSet::new();
        let mut used: HashMap<i64, Uuid> = HashMap::new();
        let mut fresh: Vec<(i64, Incoming)> = Vec::new();
        for mut message in messages {
            bar.inc(1);
            let id = message.envelope.message_id();
            let place = message.origin.describe();
            if let Some(sequence) = held.get(&id) {
                checked.push(done(message, *sequence, true, received_at));
                continue;
            }
            if !seen.insert(id) {
                // The same message twice in the file: taken once.
                checked.push(done(message, 0, true, received_at));
                continue;
            }
            if message.needs_sequence {
                next_free += 1;
                message.envelope.set_sequence(u64::try_from(next_free).ok());
            }
            let Some(sequence) = message
                .envelope
                .sequence()
                .and_then(|sequence| i64::try_from(sequence).ok())
            else {
                report.add(place, "the sequence number is too large");
                continue;
            };
            if sequence <= settled || pending.contains(&sequence) {
                report.add(
                    place,
                    format!(
                        "sequence number {sequence} from {sender} was already used by another \
                         message this node has"
                    ),
                );
                continue;
            }
            if let Some(other) = used.insert(sequence, id) {
                report.add(
                    place,
                    format!("sequence number {sequence} is also the number of message {other}"),
                );
                continue;
            }
            fresh.push((sequence, message));
        }
        // Checked in the order they will be applied. What follows a gap in the sequence waits
        // for the missing message, which may bring what it refers to: its references are
        // checked by the inbox when its turn comes.
        fresh.sort_by_key(|(sequence, _)| *sequence);
        let ahead = foreseen.entry(recipient).or_default();
        let mut due = settled + 1;
        let mut gap = false;
        for (sequence, message) in fresh {
            while pending.contains(&due) {
                due += 1;
            }
            gap = gap || sequence != due;
            due = sequence + 1;
            if gap {
                checked.push(done(message, sequence, false, received_at));
                continue;
            }
            match inbox::check(store, reference, recipient, &message.envelope, ahead).await? {
                Ok(()) => checked.push(done(message, sequence, false, received_at)),
                Err(reason) => report.add(message.origin.describe(), reason),
            }
        }
    }
    bar.finish_and_clear();
    Ok(checked)
}

fn display(code: Option<CountryCode>) -> String {
    code.map(|code| code.to_string()).unwrap_or_default()
}

fn done(message: Incoming, sequence: i64, duplicate: bool, received_at: OffsetDateTime) -> Checked {
    let envelope = message.envelope;
    let body = match message.body {
        Some(body) => body,
        None => BaridJsonV1
            .encode(&envelope)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default(),
    };
    Checked {
        origin: message.origin,
        message: NewInboxMessage {
            message_id: envelope.message_id(),
            recipient: envelope.recipient(),
            sender: envelope.sender(),
            sequence,
            message_type: envelope.message_type().as_str().to_owned(),
            version: envelope.version().to_string(),
            body,
            received_at,
        },
        duplicate,
    }
}

/// Stores the file's new messages in one transaction, then applies each sender's pending
/// messages in sequence order, as the HTTP transport does.
async fn take_in(
    store: Arc<dyn Store>,
    reference: &ReferenceData,
    checked: Vec<Checked>,
    file: String,
) -> anyhow::Result<Summary> {
    let mut summary = Summary {
        file,
        messages: checked.len(),
        ..Summary::default()
    };
    let (duplicates, fresh): (Vec<Checked>, Vec<Checked>) =
        checked.into_iter().partition(|checked| checked.duplicate);
    summary.duplicates = duplicates.len();
    let messages: Vec<NewInboxMessage> = fresh
        .iter()
        .map(|checked| checked.message.clone())
        .collect();
    if messages.iter().any(|message| message.body.is_empty()) {
        anyhow::bail!("a message could not be encoded again");
    }
    let inserted = store.insert_inbox_all(&messages).await?;
    let mut ours: HashMap<InboxId, &Origin> = HashMap::new();
    let mut pairs: BTreeSet<(CountryCode, CountryCode)> = BTreeSet::new();
    for (result, checked) in inserted.iter().zip(&fresh) {
        match result {
            InboxInsert::Inserted(id) => {
                ours.insert(*id, &checked.origin);
                pairs.insert((checked.message.recipient, checked.message.sender));
            }
            // Taken in by someone else meanwhile (the HTTP transport).
            InboxInsert::Duplicate(_) => summary.duplicates += 1,
        }
    }
    let at = now();
    let mut settled = 0;
    for (recipient, sender) in pairs {
        for (id, outcome) in
            inbox::apply_from(store.as_ref(), reference, recipient, sender, at).await?
        {
            match (ours.get(&id), outcome) {
                (Some(_), Applied::Applied) => {
                    summary.applied += 1;
                    settled += 1;
                }
                (Some(origin), Applied::Quarantined(reason)) => {
                    summary.quarantined += 1;
                    settled += 1;
                    summary
                        .quarantine_reasons
                        .push(format!("{}: {reason}", origin.describe()));
                }
                (None, _) => summary.also_applied += 1,
            }
        }
    }
    summary.queued = ours.len().saturating_sub(settled);
    Ok(summary)
}

fn print_summary(summary: &Summary, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(summary)?)?;
    } else {
        writeln!(
            out,
            "{}: {} message(s): {} applied, {} duplicate(s), {} queued (waiting for an earlier \
             sequence number), {} quarantined",
            summary.file,
            summary.messages,
            summary.applied,
            summary.duplicates,
            summary.queued,
            summary.quarantined
        )?;
        if summary.also_applied > 0 {
            writeln!(
                out,
                "also applied {} message(s) received earlier that were waiting for these",
                summary.also_applied
            )?;
        }
    }
    if !summary.quarantine_reasons.is_empty() {
        let mut err = std::io::stderr().lock();
        for reason in &summary.quarantine_reasons {
            writeln!(err, "quarantined: {reason}")?;
        }
    }
    Ok(())
}
