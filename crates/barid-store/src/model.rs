//! What the store keeps, as domain records. These are neither database rows (private to the SQL
//! code) nor web DTOs (in barid-web): conversions between the three are explicit.

use std::collections::BTreeSet;
use std::fmt;

use barid_core::lifecycle::{EventSource, ItemStatus, Leg};
use barid_core::s10::{S10Range, S10Service};
use barid_core::{
    CountryCode, Currency, CustomsDeclaration, DispatchId, DispatchNumber, DispatchSeries,
    EventCode, Grams, MailClass, Milestone, Money, NextAction, OfficeCode, Party, ReasonCode,
    ReceptacleId, Role, S10Id, SiteCode,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::StoreError;

/// A user's login name: 3 to 32 characters of a-z, 0-9, `.`, `_` and `-`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a username is 3 to 32 characters a-z, 0-9, '.', '_' or '-', found {found:?}")]
pub struct UsernameError {
    pub found: String,
}

impl Username {
    pub fn parse(text: &str) -> Result<Self, UsernameError> {
        let name = text.trim().to_ascii_lowercase();
        let valid = (3..=32).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if valid {
            Ok(Self(name))
        } else {
            Err(UsernameError {
                found: text.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! row_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// Internal number of an office. The API addresses offices by [`SiteCode`] instead.
    OfficeId
);
row_id!(UserId);
row_id!(TokenId);
row_id!(RangeId);
row_id!(
    /// Internal number of an item. The API addresses items by S10 ID instead.
    ItemId
);
row_id!(EventId);
row_id!(OutboxId);
row_id!(InboxId);
row_id!(AuditId);
row_id!(AgreementId);

/// The language a page or document is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    Ar,
    En,
}

impl Language {
    pub fn as_str(&self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::En => "en",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "ar" => Some(Language::Ar),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// A designated postal operator hosted on this node (or known as a partner). Identified by its
/// country: one designated operator per country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operator {
    pub code: CountryCode,
    pub name_en: String,
    pub name_ar: String,
    pub default_language: Language,
    pub currency: Currency,
    /// Hosted operators have users and data on this node; partners are only known by messages.
    pub hosted: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperator {
    pub code: CountryCode,
    pub name_en: String,
    pub name_ar: String,
    pub default_language: Language,
    pub currency: Currency,
    pub hosted: bool,
}

/// What an office does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    /// A post office counter where items are accepted.
    Counter,
    /// An office of exchange (outward, inward and transit work). Has an IMPC code.
    Exchange,
    /// A delivery office.
    Delivery,
    /// Head office: administration and supervision, no mail handling.
    Headquarters,
}

impl OfficeKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            OfficeKind::Counter => "counter",
            OfficeKind::Exchange => "exchange",
            OfficeKind::Delivery => "delivery",
            OfficeKind::Headquarters => "headquarters",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            OfficeKind::Counter,
            OfficeKind::Exchange,
            OfficeKind::Delivery,
            OfficeKind::Headquarters,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    pub id: OfficeId,
    pub operator: CountryCode,
    /// Unique on the node. For an office of exchange it equals its IMPC code.
    pub code: SiteCode,
    pub impc: Option<OfficeCode>,
    pub kind: OfficeKind,
    pub name_en: String,
    pub name_ar: String,
    pub city_en: String,
    pub city_ar: String,
    /// IANA time zone, e.g. `Africa/Cairo`, so local times carry the right UTC offset.
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOffice {
    pub operator: CountryCode,
    pub code: SiteCode,
    pub impc: Option<OfficeCode>,
    pub kind: OfficeKind,
    pub name_en: String,
    pub name_ar: String,
    pub city_en: String,
    pub city_ar: String,
    pub timezone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub operator: CountryCode,
    pub username: Username,
    pub display_name: String,
    pub roles: BTreeSet<Role>,
    /// The offices the user may act at, by code.
    pub offices: BTreeSet<SiteCode>,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

/// A user with the password hash, for login only. The hash is an argon2id PHC string.
#[derive(Clone, PartialEq, Eq)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCredentials")
            .field("user", &self.user)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub operator: CountryCode,
    pub username: Username,
    pub display_name: String,
    pub password_hash: String,
    pub roles: BTreeSet<Role>,
    pub offices: BTreeSet<SiteCode>,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("operator", &self.operator)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("password_hash", &"<redacted>")
            .field("roles", &self.roles)
            .field("offices", &self.offices)
            .finish()
    }
}

/// A login session. The cookie holds a random secret; the store keeps only its SHA-256 hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub user: User,
    /// Per-session token that every state-changing form and cookie-authenticated API call
    /// must echo back.
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("csrf_token", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub secret_hash: String,
    pub user: UserId,
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("user", &self.user)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// An API token for a machine: a partner post's node or a merchant. Shown once when issued;
/// the store keeps only its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    /// The operator whose data the token acts on.
    pub operator: CountryCode,
    pub name: String,
    pub role: Role,
    /// For office-bound roles: the office the token acts at.
    pub office: Option<SiteCode>,
    /// For partner tokens: the partner operator that holds it, which must be the sender of
    /// every message it delivers.
    pub partner: Option<CountryCode>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub operator: CountryCode,
    pub name: String,
    pub secret_hash: String,
    pub role: Role,
    pub office: Option<SiteCode>,
    pub partner: Option<CountryCode>,
}

impl fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiToken")
            .field("operator", &self.operator)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("office", &self.office)
            .field("partner", &self.partner)
            .finish_non_exhaustive()
    }
}

/// Who is making a change, from where, and when. Every mutating store call takes one and writes
/// the audit entry in the same transaction as the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub operator: CountryCode,
    pub user: Option<UserId>,
    pub token: Option<TokenId>,
    /// A readable name for the audit log: a username, a token name, or `system`/`cli`.
    pub name: String,
    pub office: Option<SiteCode>,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: AuditId,
    pub operator: CountryCode,
    pub actor: String,
    pub user: Option<UserId>,
    pub token: Option<TokenId>,
    pub office: Option<SiteCode>,
    /// What happened, e.g. `office.create`, `user.password`, `item.event`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// What changed, as JSON.
    pub details: serde_json::Value,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S10RangeRecord {
    pub id: RangeId,
    pub operator: CountryCode,
    pub range: S10Range,
    /// The serial the next issue takes; `None` once the range is used up.
    pub next_serial: Option<u32>,
    pub created_at: OffsetDateTime,
}

/// A new postal item, as accepted at a counter or learnt from a partner's data.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    pub operator: CountryCode,
    /// Where the ID comes from: a range of ours (issued in the same transaction) or the ID the
    /// origin post gave it.
    pub id: ItemIdSource,
    pub service: S10Service,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
    /// The office that accepted the item (ours) or first saw it.
    pub office: SiteCode,
    pub weight: Grams,
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    pub contents: String,
    pub sender: Party,
    pub addressee: Party,
    pub customs: Option<CustomsDeclaration>,
    pub postage: Option<Money>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemIdSource {
    Range(RangeId),
    Given(S10Id),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: ItemId,
    pub operator: CountryCode,
    pub s10: S10Id,
    pub service: S10Service,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
    pub office: SiteCode,
    pub weight: Grams,
    pub length_mm: Option<u32>,
    pub width_mm: Option<u32>,
    pub height_mm: Option<u32>,
    pub contents: String,
    pub sender: Party,
    pub addressee: Party,
    pub customs: Option<CustomsDeclaration>,
    pub postage: Option<Money>,
    /// Derived from the events; kept here for lists and searches.
    pub status: ItemStatus,
    pub leg: Leg,
    /// Bumped on every event; `record_event` checks it to refuse lost updates.
    pub version: i64,
    pub created_at: OffsetDateTime,
}

/// One tracking event to record on an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub code: EventCode,
    pub milestone: Milestone,
    /// When it happened, with the UTC offset of the office where it happened.
    pub at: OffsetDateTime,
    /// Where it happened: one of our offices, or a partner's IMPC code.
    pub office: SiteCode,
    pub reason: Option<ReasonCode>,
    pub next_action: Option<NextAction>,
    /// Who took delivery (EMI) or signed.
    pub signatory: Option<String>,
    pub note: Option<String>,
    pub source: EventSource,
    /// For partner events: the operator that reported it.
    pub reported_by: Option<CountryCode>,
    /// Duty and charges collected from the addressee on delivery (`EMI`). Staff only, like
    /// the signatory.
    pub collected: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemEvent {
    pub id: EventId,
    pub item: ItemId,
    pub event: NewEvent,
    pub recorded_at: OffsetDateTime,
}

/// What public tracking may show of an item, from every copy on the node (the origin post's
/// and the destination post's), read at once by [`Store::tracked_item`](crate::Store::tracked_item).
/// It holds no party, customs declaration, signatory, note or internal ID, so nothing built
/// from it can show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedItem {
    pub s10: S10Id,
    /// One per operator keeping the item, ordered by operator; never empty.
    pub copies: Vec<TrackedCopy>,
    /// The events of every copy: copy after copy (in the order of `copies`), each copy's in
    /// the order they were recorded.
    pub events: Vec<TrackedEvent>,
}

/// One operator's copy of a tracked item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackedCopy {
    pub operator: CountryCode,
    pub service: S10Service,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
}

/// One event of a tracked item, without its signatory and note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedEvent {
    /// The operator whose copy holds the event.
    pub operator: CountryCode,
    pub code: EventCode,
    pub milestone: Milestone,
    /// With the UTC offset of the office where it happened, as stored.
    pub at: OffsetDateTime,
    pub office: SiteCode,
    pub reason: Option<ReasonCode>,
    pub next_action: Option<NextAction>,
    pub source: EventSource,
    pub reported_by: Option<CountryCode>,
}

impl TrackedEvent {
    /// The public part of an event of `operator`'s copy: the signatory and note are dropped.
    pub fn public(operator: CountryCode, event: NewEvent) -> Self {
        Self {
            operator,
            code: event.code,
            milestone: event.milestone,
            at: event.at,
            office: event.office,
            reason: event.reason,
            next_action: event.next_action,
            source: event.source,
            reported_by: event.reported_by,
        }
    }
}

/// The item's state after an event, as the lifecycle derived it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DerivedStatus {
    pub status: ItemStatus,
    pub leg: Leg,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRecorded {
    /// Stored; the item's status and the outbox messages were written with it.
    Recorded(ItemEvent),
    /// The same event (item, code, time, office) was already stored: nothing changed.
    Duplicate(ItemEvent),
}

/// A message for a partner post, written in the same transaction as the change causing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxMessage {
    pub message_id: Uuid,
    pub recipient: CountryCode,
    /// PREDES, RESDES, ITMATT or EMSEVT.
    pub message_type: String,
    pub version: String,
    /// The message body, JSON.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub message_id: Uuid,
    pub sender: CountryCode,
    pub recipient: CountryCode,
    /// Per sender and recipient, from 1, without gaps.
    pub sequence: i64,
    pub message_type: String,
    pub version: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub attempts: u32,
    pub next_attempt_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub delivered_at: Option<OffsetDateTime>,
    /// Set when the partner's node refused the message on receipt.
    pub rejection: Option<Rejection>,
}

/// Why a partner's node refused a message it received: its acknowledgement's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The stable code, e.g. `not_applicable`.
    pub code: String,
    pub reason: String,
}

/// Delivery state towards one partner, for the exchange screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxBacklog {
    pub sender: CountryCode,
    pub recipient: CountryCode,
    pub pending: u64,
    pub oldest_pending_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    /// Messages delivered to the partner that its node refused.
    pub rejected: u64,
    /// The latest delivery to the partner, if any.
    pub last_delivered_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxMessage {
    pub message_id: Uuid,
    /// Our operator, to whom the message is addressed.
    pub recipient: CountryCode,
    pub sender: CountryCode,
    pub sequence: i64,
    pub message_type: String,
    pub version: String,
    pub body: String,
    pub received_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    Pending,
    Applied,
    Quarantined,
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Pending => "pending",
            InboxState::Applied => "applied",
            InboxState::Quarantined => "quarantined",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxMessage {
    pub id: InboxId,
    pub message: NewInboxMessage,
    pub state: InboxState,
    pub error: Option<String>,
    pub applied_at: Option<OffsetDateTime>,
    /// When it was last quarantined. A pending message with this set was released by an
    /// administrator ([`crate::Store::release_quarantined`]) and is applied out of its turn.
    pub quarantined_at: Option<OffsetDateTime>,
}

/// What recording events on our copy of an item needs to know of it: the optimistic check
/// compares `version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemVersion {
    pub id: ItemId,
    pub s10: S10Id,
    pub version: i64,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
}

/// New events on one item, with the item's status after the last of them: one version step
/// for all of them, checked against the version they were derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedItemEvents {
    pub item: ItemId,
    pub expected_version: i64,
    pub events: Vec<NewEvent>,
    pub derived: DerivedStatus,
}

/// A run of inbox messages settled in one transaction: the events they add, the messages that
/// were applied, the ones set aside with their reason, and what they cause to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InboxSettlement {
    pub events: Vec<PlannedItemEvents>,
    pub applied: Vec<InboxId>,
    pub quarantined: Vec<(InboxId, String)>,
    /// Messages the run causes (events passed on to another post), written with it.
    pub outbox: Vec<NewOutboxMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxInsert {
    Inserted(InboxId),
    /// A message with this ID from this sender is already in the inbox.
    Duplicate(InboxId),
}

/// Where to send messages for a partner operator, and how to authenticate there.
#[derive(Clone, PartialEq, Eq)]
pub struct PartnerEndpoint {
    pub operator: CountryCode,
    pub partner: CountryCode,
    /// Base URL of the partner's node, e.g. `https://barid.pal-post.ps`.
    pub url: String,
    /// The API token the partner issued to us. Needed in clear to send; never logged.
    pub outbound_token: String,
    pub paused: bool,
    pub updated_at: OffsetDateTime,
}

impl fmt::Debug for PartnerEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartnerEndpoint")
            .field("operator", &self.operator)
            .field("partner", &self.partner)
            .field("url", &self.url)
            .field("outbound_token", &"<redacted>")
            .field("paused", &self.paused)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Draft,
    Active,
    Suspended,
    Ended,
}

impl AgreementStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            AgreementStatus::Draft => "draft",
            AgreementStatus::Active => "active",
            AgreementStatus::Suspended => "suspended",
            AgreementStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            AgreementStatus::Draft,
            AgreementStatus::Active,
            AgreementStatus::Suspended,
            AgreementStatus::Ended,
        ]
        .into_iter()
        .find(|status| status.as_str() == text.trim())
    }
}

/// A bilateral agreement between two operators. The terms (services, routes, targets,
/// suspensions) are JSON until the agreements issue gives them types; every edit keeps the
/// previous version.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    pub id: AgreementId,
    pub operator: CountryCode,
    pub partner: CountryCode,
    /// The memorandum of understanding it implements.
    pub reference: String,
    pub status: AgreementStatus,
    pub version: i64,
    pub terms: serde_json::Value,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAgreement {
    pub operator: CountryCode,
    pub partner: CountryCode,
    pub reference: String,
    pub status: AgreementStatus,
    pub terms: serde_json::Value,
}

/// A page of a keyset-paginated list, newest first; pass `next` back as `before` to continue.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<i64>,
}

/// What staff search items by, within their operator. Built with [`ItemQuery::parse`] from what
/// was typed (or scanned) into one search box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemQuery {
    /// The exact S10 ID (parsed, so spaces and case are already normalised).
    S10(S10Id),
    /// Part of a sender's or addressee's name, business name or Latin transliteration, in
    /// Arabic or Latin script. Latin letters match whatever their case; Arabic matches
    /// whichever form of alef, yeh or teh marbuta was typed, with or without vowel marks.
    Name(String),
    /// Part of a sender's or addressee's phone number: its digits only (at least
    /// [`ItemQuery::MIN_PHONE_DIGITS`]), matched against the stored number's digits.
    Phone(String),
}

impl ItemQuery {
    /// The fewest characters a name search takes, so one letter does not list every item.
    pub const MIN_NAME_CHARS: usize = 2;
    /// The fewest digits a phone search takes.
    pub const MIN_PHONE_DIGITS: usize = 4;
    /// The longest text searched for.
    pub const MAX_CHARS: usize = 100;

    /// Reads a search box: a valid S10 ID is looked up exactly; text made of digits and phone
    /// separators (`+ - ( ) . /`, spaces), in Latin or Arabic-Indic digits, is a phone number;
    /// anything else is part of a name. `None` when there is too little to search for.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > Self::MAX_CHARS {
            return None;
        }
        if let Ok(s10) = S10Id::parse(text) {
            return Some(ItemQuery::S10(s10));
        }
        let digits: String = text.chars().filter_map(ascii_digit).collect();
        let phone_like = text
            .chars()
            .all(|c| ascii_digit(c).is_some() || c.is_whitespace() || "+-()./".contains(c));
        if phone_like {
            return (digits.len() >= Self::MIN_PHONE_DIGITS).then_some(ItemQuery::Phone(digits));
        }
        let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (name.chars().count() >= Self::MIN_NAME_CHARS).then_some(ItemQuery::Name(name))
    }
}

/// A digit in Latin, Arabic-Indic (٠-٩) or Eastern Arabic-Indic (۰-۹) form, as ASCII.
fn ascii_digit(c: char) -> Option<char> {
    let value = match c {
        '0'..='9' => u32::from(c) - u32::from('0'),
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        _ => return None,
    };
    char::from_digit(value, 10)
}

/// One line of an item search: enough to recognise the item and open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemSummary {
    pub s10: S10Id,
    pub service: S10Service,
    pub origin_country: CountryCode,
    pub destination_country: CountryCode,
    pub office: SiteCode,
    pub status: ItemStatus,
    pub sender_name: String,
    pub addressee_name: String,
    pub created_at: OffsetDateTime,
}

fn check_text(field: &'static str, text: &str, max_chars: usize) -> Result<(), StoreError> {
    if text.trim().is_empty() {
        return Err(StoreError::invalid(field, "is required"));
    }
    if text.chars().count() > max_chars {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {max_chars} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            "may not contain control characters",
        ));
    }
    Ok(())
}

/// An IANA zone name such as `Africa/Cairo` or `Asia/Hebron` (or `UTC`): the shape only, as
/// Barid carries no time-zone database in the store.
fn check_timezone(zone: &str) -> Result<(), StoreError> {
    let shaped = zone == "UTC"
        || (zone.contains('/')
            && zone.split('/').all(|part| {
                !part.is_empty()
                    && part.starts_with(|c: char| c.is_ascii_uppercase())
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
            }));
    if shaped {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "timezone",
            format!("{zone:?} is not an IANA time zone name such as Africa/Cairo"),
        ))
    }
}

impl NewOffice {
    /// The model's rules for a new office. Office codes are unique on the node, so each must
    /// start with its operator's country code: one operator cannot take another's codes.
    pub fn check(&self) -> Result<(), StoreError> {
        if !self.code.as_str().starts_with(self.operator.as_str()) {
            return Err(StoreError::invalid(
                "code",
                format!(
                    "office codes of {} start with {}, e.g. {}CAIA or {}-CAI-01",
                    self.operator, self.operator, self.operator, self.operator
                ),
            ));
        }
        match (self.kind, &self.impc) {
            (OfficeKind::Exchange, None) => {
                return Err(StoreError::invalid(
                    "impc",
                    "an office of exchange has an IMPC code",
                ));
            }
            (OfficeKind::Exchange, Some(impc)) if impc.as_str() != self.code.as_str() => {
                return Err(StoreError::invalid(
                    "code",
                    "an office of exchange's code is its IMPC code",
                ));
            }
            (kind, Some(_)) if kind != OfficeKind::Exchange => {
                return Err(StoreError::invalid(
                    "impc",
                    "only offices of exchange have IMPC codes",
                ));
            }
            _ => {}
        }
        check_text("name_en", &self.name_en, 120)?;
        check_text("name_ar", &self.name_ar, 120)?;
        check_text("city_en", &self.city_en, 80)?;
        check_text("city_ar", &self.city_ar, 80)?;
        check_timezone(&self.timezone)
    }
}

/// People log in; machines use tokens. Office-bound roles need an office to act at.
fn check_access(roles: &BTreeSet<Role>, offices: &BTreeSet<SiteCode>) -> Result<(), StoreError> {
    if let Some(machine) = roles.iter().find(|role| role.is_machine()) {
        return Err(StoreError::invalid(
            "roles",
            format!("{machine} is a role for API tokens, not for people"),
        ));
    }
    if offices.is_empty()
        && let Some(role) = roles.iter().find(|role| role.works_at_offices())
    {
        return Err(StoreError::invalid(
            "offices",
            format!("a user with the {role} role needs at least one office to work at"),
        ));
    }
    Ok(())
}

impl NewUser {
    pub fn check(&self) -> Result<(), StoreError> {
        check_text("display_name", &self.display_name, 100)?;
        check_access(&self.roles, &self.offices)
    }
}

/// The rules for changing a user's roles and offices (same as for a new user).
pub fn check_user_access(
    roles: &BTreeSet<Role>,
    offices: &BTreeSet<SiteCode>,
) -> Result<(), StoreError> {
    check_access(roles, offices)
}

impl NewApiToken {
    pub fn check(&self) -> Result<(), StoreError> {
        check_text("name", &self.name, 100)?;
        match (self.role, self.partner) {
            (Role::Partner, None) => {
                return Err(StoreError::invalid(
                    "partner",
                    "a partner token names the partner operator that holds it",
                ));
            }
            (Role::Partner, Some(partner)) if partner == self.operator => {
                return Err(StoreError::invalid(
                    "partner",
                    "a partner token is held by another operator than the one it acts for",
                ));
            }
            (role, Some(_)) if role != Role::Partner => {
                return Err(StoreError::invalid(
                    "partner",
                    "only partner tokens name a partner",
                ));
            }
            _ => {}
        }
        if self.role.works_at_offices() && self.office.is_none() {
            return Err(StoreError::invalid(
                "office",
                format!("a {} token acts at an office: name it", self.role),
            ));
        }
        Ok(())
    }
}

/// One item of a batch stored by `create_items`: the item, its first event and the state the
/// lifecycle derived from it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItemEntry {
    pub new: NewItem,
    pub first_event: NewEvent,
    pub derived: DerivedStatus,
}

/// What `reserve_idempotency_key` found for an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyReservation {
    /// The key was free and is now reserved for this request: complete it with the response,
    /// or release it if the request failed in a way that may succeed on a retry.
    Reserved,
    /// The key was used for the same request, which was answered with this response.
    Completed { status: u16, body: String },
    /// The key was used for the same request, which has not been answered yet.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

// --- offices of exchange -------------------------------------------------------------------

row_id!(
    /// Internal number of a receptacle: an outward receptacle has no S9 ID until its dispatch
    /// closes, so the store addresses receptacles by this number.
    ReceptacleRowId
);
row_id!(
    /// Internal number of a dispatch as one operator keeps it.
    DispatchRowId
);

/// Where a receptacle is in its life. Outward: `Open` → `Closed` → `Dispatched`. Inward and
/// transit: `Advised` (pre-advised, not yet here) → `Received` → `Opened` (inward only), or
/// `Missing` when verification finds it never came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceptacleStatus {
    Open,
    Closed,
    Dispatched,
    Advised,
    Received,
    Opened,
    Missing,
}

impl ReceptacleStatus {
    pub const ALL: [ReceptacleStatus; 7] = [
        ReceptacleStatus::Open,
        ReceptacleStatus::Closed,
        ReceptacleStatus::Dispatched,
        ReceptacleStatus::Advised,
        ReceptacleStatus::Received,
        ReceptacleStatus::Opened,
        ReceptacleStatus::Missing,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ReceptacleStatus::Open => "open",
            ReceptacleStatus::Closed => "closed",
            ReceptacleStatus::Dispatched => "dispatched",
            ReceptacleStatus::Advised => "advised",
            ReceptacleStatus::Received => "received",
            ReceptacleStatus::Opened => "opened",
            ReceptacleStatus::Missing => "missing",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

impl fmt::Display for ReceptacleStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An outward receptacle to open at one of our offices of exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReceptacle {
    pub office: SiteCode,
    pub series: DispatchSeries,
    pub mail_class: MailClass,
}

/// An item listed in a receptacle, with what bagging and closing rules need to know of our
/// copy of it (none for an item a partner advised that we do not hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptacleItem {
    pub s10: S10Id,
    pub item: Option<ReceptacleItemCopy>,
    pub advised: bool,
    pub scanned: bool,
    pub damaged: bool,
}

/// Our copy of an item in a receptacle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptacleItemCopy {
    pub id: ItemId,
    pub service: S10Service,
    pub destination_country: CountryCode,
    pub origin_country: CountryCode,
    pub weight: Grams,
    pub status: ItemStatus,
    pub leg: Leg,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptacleRecord {
    pub id: ReceptacleRowId,
    pub operator: CountryCode,
    /// Our office where it is built or handled.
    pub office: SiteCode,
    pub series: DispatchSeries,
    pub mail_class: MailClass,
    pub status: ReceptacleStatus,
    pub dispatch: Option<DispatchRowId>,
    pub s9: Option<ReceptacleId>,
    pub gross_weight: Option<Grams>,
    pub advised: bool,
    pub received_weight: Option<Grams>,
    pub damaged: bool,
    pub opened_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
    pub received_at: Option<OffsetDateTime>,
    pub version: i64,
    /// In the order bagged or advised.
    pub items: Vec<ReceptacleItem>,
}

/// Which receptacles to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptacleQuery {
    pub office: Option<SiteCode>,
    pub statuses: Vec<ReceptacleStatus>,
    pub dispatch: Option<DispatchRowId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchDirection {
    Outward,
    Transit,
    Inward,
}

impl DispatchDirection {
    pub fn as_str(&self) -> &'static str {
        match self {
            DispatchDirection::Outward => "outward",
            DispatchDirection::Transit => "transit",
            DispatchDirection::Inward => "inward",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Outward, Self::Transit, Self::Inward]
            .into_iter()
            .find(|direction| direction.as_str() == text)
    }
}

impl fmt::Display for DispatchDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a dispatch is. Outward: `Closed` (its messages are in the outbox). Transit:
/// `Expected` → `Received` → `Forwarded`. Inward: `Expected` → `Received` → `Verified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DispatchStatus {
    Closed,
    Expected,
    Received,
    Forwarded,
    Verified,
}

impl DispatchStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            DispatchStatus::Closed => "closed",
            DispatchStatus::Expected => "expected",
            DispatchStatus::Received => "received",
            DispatchStatus::Forwarded => "forwarded",
            DispatchStatus::Verified => "verified",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Closed,
            Self::Expected,
            Self::Received,
            Self::Forwarded,
            Self::Verified,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

impl fmt::Display for DispatchStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DispatchRecord {
    pub id: DispatchRowId,
    pub operator: CountryCode,
    pub s8: DispatchId,
    pub year: i32,
    pub transit_office: Option<OfficeCode>,
    pub mail_class: MailClass,
    pub direction: DispatchDirection,
    /// Our office handling it.
    pub office: SiteCode,
    pub status: DispatchStatus,
    pub advised: bool,
    pub closed_at: OffsetDateTime,
    pub received_at: Option<OffsetDateTime>,
    pub forwarded_at: Option<OffsetDateTime>,
    /// The verification note's discrepancies (JSON array), once verified.
    pub discrepancies: Option<serde_json::Value>,
    /// For an outward dispatch: the destination's response on receipt (the RESDES envelope,
    /// barid-json), once it arrived.
    pub partner_response: Option<String>,
    pub version: i64,
    /// In serial order, with their items.
    pub receptacles: Vec<ReceptacleRecord>,
}

/// Items waiting somewhere, for the lists of an office: import customs' queue, the items at a
/// delivery office, the items the delivery policy may send back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingQuery {
    /// At least one.
    pub statuses: Vec<ItemStatus>,
    /// Only items whose latest event happened at this office.
    pub office: Option<SiteCode>,
    /// The longest list wanted; the items waiting longest come first.
    pub limit: u32,
}

/// Duty assessed on an item by import customs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty {
    pub item: ItemId,
    pub amount: Money,
    /// The office of exchange where customs assessed it.
    pub office: SiteCode,
    pub note: Option<String>,
    pub assessed_at: OffsetDateTime,
}

/// An assessment, made on the item as the officer saw it (`expected_version`); a second one
/// replaces the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDuty {
    pub item: ItemId,
    pub expected_version: i64,
    pub amount: Money,
    pub office: SiteCode,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchQuery {
    pub office: Option<SiteCode>,
    pub direction: Option<DispatchDirection>,
    pub statuses: Vec<DispatchStatus>,
}

/// One line of a dispatch list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchSummary {
    pub id: DispatchRowId,
    pub s8: DispatchId,
    pub year: i32,
    pub direction: DispatchDirection,
    pub office: SiteCode,
    pub transit_office: Option<OfficeCode>,
    pub status: DispatchStatus,
    pub advised: bool,
    pub closed_at: OffsetDateTime,
    pub received_at: Option<OffsetDateTime>,
    pub receptacle_count: u32,
    pub item_count: u32,
    pub total_weight: u64,
}

/// What the web layer asks for when an operator closes a dispatch: the closed receptacles of
/// one series at one office, each at the version the operator saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchClosing {
    pub office: SiteCode,
    pub series: DispatchSeries,
    pub mail_class: MailClass,
    pub transit_office: Option<OfficeCode>,
    /// The calendar year of the closing date in the operator's time zone (numbers restart on
    /// 1 January).
    pub year: i32,
    pub closed_at: OffsetDateTime,
    /// In the order they become serials 001, 002, ...
    pub receptacles: Vec<(ReceptacleRowId, i64)>,
}

/// Everything closing writes once the number is known, computed by the caller from it (the
/// store only counts; barid-core and the messages decide the rest).
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchPlan {
    pub s8: DispatchId,
    /// The final S9 ID of each receptacle of the closing, in the same order.
    pub receptacles: Vec<(ReceptacleRowId, ReceptacleId)>,
    /// One event per item (`EMC`), each with the item's version as read and its new status.
    pub events: Vec<PlannedEvent>,
    pub outbox: Vec<NewOutboxMessage>,
}

/// An event recorded as part of a larger change (closing or receiving a dispatch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedEvent {
    pub item: ItemId,
    pub expected_version: i64,
    pub event: NewEvent,
    pub derived: DerivedStatus,
}

/// The messages a receptacle's arrival causes (a transit office's `EMJ` reports), computed from
/// the receptacle as received and whether this is its first arrival (not a second scan of its
/// label). Called once, inside the arrival's transaction, so the arrival and its reports are
/// written together or not at all.
pub type ArrivalReports<'a> =
    dyn Fn(&ReceptacleRecord, bool) -> Result<Vec<NewOutboxMessage>, StoreError> + Send + Sync + 'a;

/// Computes the plan from the number the counter gave. Called once, inside the closing
/// transaction; an error rolls everything back (the number included).
pub type DispatchPlanner<'a> =
    dyn Fn(DispatchNumber) -> Result<DispatchPlan, StoreError> + Send + Sync + 'a;

/// A partner's dispatch this operator expects as transit or inward office: from a pre-advice
/// (PREDES), or entered by hand when its receptacles arrived without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedDispatch {
    pub direction: DispatchDirection,
    /// Our office of exchange that receives it.
    pub office: SiteCode,
    pub s8: DispatchId,
    /// The full year of closing; the S8 ID carries only its last digit.
    pub year: i32,
    pub transit_office: Option<OfficeCode>,
    pub mail_class: MailClass,
    pub closed_at: OffsetDateTime,
    /// False for a dispatch entered by hand (no PREDES came).
    pub advised: bool,
    pub receptacles: Vec<ExpectedReceptacle>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedReceptacle {
    pub s9: ReceptacleId,
    pub gross_weight: Grams,
    pub items: Vec<S10Id>,
}

/// A receptacle scanned on arrival at a transit or inward office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptacleArrival {
    pub dispatch: DispatchRowId,
    /// The label as scanned; an S9 ID the pre-advice did not list is added as not advised.
    pub s9: ReceptacleId,
    pub measured_weight: Option<Grams>,
    pub damaged: bool,
}

/// How a dispatch's handling ends at a transit or inward office.
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchOutcome {
    pub status: DispatchStatus,
    /// The verification note's discrepancies (inward), as JSON.
    pub discrepancies: Option<serde_json::Value>,
    pub at: OffsetDateTime,
    pub events: Vec<PlannedEvent>,
    pub outbox: Vec<NewOutboxMessage>,
}

// --- quality of service ------------------------------------------------------------------

/// Items between two posts, one way, posted between two dates (both included): what the
/// quality figures are read for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualityScope {
    pub origin: CountryCode,
    pub destination: CountryCode,
    pub posted_from: time::Date,
    pub posted_until: time::Date,
}

/// A quality count of one service (by its S10 service indicator, `EE`, `RR`...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityCount {
    pub service: String,
    pub count: barid_core::quality::CountRow,
}

/// Where an item's journey stands, for lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityOutcome {
    /// Known (from a pre-advice) but not posted: nothing to measure.
    NotPosted,
    Open,
    Delivered,
    Returned,
}

impl QualityOutcome {
    pub fn of(timeline: &barid_core::quality::Timeline) -> Self {
        if timeline.first(barid_core::Milestone::Posted).is_none() {
            QualityOutcome::NotPosted
        } else if timeline.first(barid_core::Milestone::Delivered).is_some() {
            QualityOutcome::Delivered
        } else if timeline.returned_at.is_some() {
            QualityOutcome::Returned
        } else {
            QualityOutcome::Open
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            QualityOutcome::NotPosted => "not_posted",
            QualityOutcome::Open => "open",
            QualityOutcome::Delivered => "delivered",
            QualityOutcome::Returned => "returned",
        }
    }
}

/// One item as the quality figures see it: what a drill-down lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityItem {
    pub item: ItemId,
    pub s10: S10Id,
    pub origin: CountryCode,
    pub destination: CountryCode,
    /// The S10 service indicator.
    pub service: String,
    pub outcome: QualityOutcome,
    pub timeline: barid_core::quality::Timeline,
}

/// The stuck items of a scope: open, with nothing new since before a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckItems {
    /// Oldest first, at most the limit asked for.
    pub items: Vec<QualityItem>,
    /// How many there are in all, per last milestone reached.
    pub per_step: Vec<(barid_core::Milestone, u64)>,
}

/// A post's working days as an operator knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRecord {
    pub country: CountryCode,
    pub calendar: barid_core::quality::WorkingCalendar,
    pub updated_at: OffsetDateTime,
}

/// A dispatch between two posts with what was found wrong with it: our verification note
/// (inward) or the partner's answer (outward).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DispatchDiscrepancies {
    pub dispatch: DispatchRowId,
    pub s8: barid_core::DispatchId,
    pub direction: DispatchDirection,
    pub closed_at: OffsetDateTime,
    /// Each discrepancy's code (`missing_item`, `damaged_receptacle`...) on our verification
    /// note of an inward dispatch.
    pub codes: Vec<String>,
    /// The partner's answer (a RESDES, as received) about an outward dispatch.
    pub partner_response: Option<String>,
}
