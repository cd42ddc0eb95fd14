//! Bilateral agreements between posts: the one source of truth for what two operators exchange.
//!
//! Cooperation starts from a memorandum of understanding; the joint working team then agrees:
//! - the **services** exchanged, each with its mail class and the mail category it travels in;
//! - the **routes**: direct from one office of exchange (OE) to the other, or in closed transit
//!   through a third post's OE (EG→PS mail travels closed through JOAMMA);
//! - the **targets** per service: end-to-end J+N with the share of items that must meet it, and
//!   optional targets per leg;
//! - the **suspensions**: a service (or all of them) stopped from a date, until a date or until
//!   further notice, with the reason in English and Arabic.
//!
//! [`AgreementTerms`] holds all of this. The store keeps it as JSON in `agreements.terms`, and
//! acceptance ([`crate::acceptance`]), routing and quality-of-service measurement all read it,
//! so there is no second list of suspensions or routes anywhere. Terms are only built by
//! [`AgreementTermsDraft::validate`] (or the JSON readers, which go through it), which reports
//! every problem at once with the path of the field (`routes[1].transit_office`).
//!
//! Dates are calendar days in the operator's time zone; the caller picks "today". A suspension's
//! `until` and the terms' `effective_until` are the last day included.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::format_description;

use crate::country::CountryCode;
use crate::dispatch::{MailCategory, MailClass};
use crate::office::OfficeCode;
use crate::reference::Names;
use crate::service::{ServiceCatalogue, ServiceCode};

/// The longest end-to-end or leg target, in days.
pub const MAX_TARGET_DAYS: u16 = 60;
/// The longest memorandum reference, in characters.
pub const REFERENCE_MAX_CHARS: usize = 100;
/// The longest suspension reason, in characters, per language.
pub const REASON_MAX_CHARS: usize = 300;

/// The demo network's agreements (EG-PS via JO, EG-JO, EG-IQ, EG-LY), as `barid demo` loads them.
pub const DEMO_AGREEMENTS_JSON: &str = include_str!("../data/demo_agreements.json");

// ---------------------------------------------------------------------------------------------
// Errors

/// What is wrong with a field of an agreement. `as_str()` is the stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermsErrorKind {
    /// The text is not JSON of the expected shape (syntax, wrong type, unknown field).
    InvalidJson,
    /// A required field is missing or blank.
    Required,
    /// A value that does not parse: date, office, country, class, category, service code.
    Invalid,
    /// A number outside its range (days, share).
    OutOfRange,
    /// Text longer than the field allows, or with control characters.
    InvalidText,
    /// The same service, class or target listed twice.
    Duplicate,
    /// Two fields that exclude each other are both given.
    NotAllowed,
    /// An end date before its start date.
    DateOrder,
    /// Two routes between the same countries for the same mail class.
    OverlappingRoute,
    /// An office or country that does not fit the agreement's parties.
    WrongCountry,
    /// A target or suspension for a service the agreement does not exchange.
    NotInServices,
    /// A service code `services.csv` does not list.
    UnknownService,
    /// A mail class that differs from the service's class in `services.csv`.
    ClassMismatch,
}

impl TermsErrorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TermsErrorKind::InvalidJson => "invalid_json",
            TermsErrorKind::Required => "required",
            TermsErrorKind::Invalid => "invalid",
            TermsErrorKind::OutOfRange => "out_of_range",
            TermsErrorKind::InvalidText => "invalid_text",
            TermsErrorKind::Duplicate => "duplicate",
            TermsErrorKind::NotAllowed => "not_allowed",
            TermsErrorKind::DateOrder => "date_order",
            TermsErrorKind::OverlappingRoute => "overlapping_route",
            TermsErrorKind::WrongCountry => "wrong_country",
            TermsErrorKind::NotInServices => "not_in_services",
            TermsErrorKind::UnknownService => "unknown_service",
            TermsErrorKind::ClassMismatch => "class_mismatch",
        }
    }
}

impl fmt::Display for TermsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field of an agreement: its path (`suspensions[0].until`; empty for the
/// document as a whole), a stable code and an English message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", field_prefix(.field))]
pub struct TermsError {
    field: String,
    kind: TermsErrorKind,
    message: String,
}

impl TermsError {
    fn new(field: impl Into<String>, kind: TermsErrorKind, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind,
            message: message.into(),
        }
    }

    /// A document that does not read as JSON of the right shape.
    pub fn json(error: &serde_json::Error) -> Self {
        Self::new(
            "",
            TermsErrorKind::InvalidJson,
            format!("line {}, column {}: {error}", error.line(), error.column()),
        )
    }

    /// The same error, its path under `prefix` (`terms` + `days` = `terms.days`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.field = path(prefix, &self.field);
        self
    }

    /// The path of the field, e.g. `routes[0].transit_office`.
    pub fn field(&self) -> &str {
        &self.field
    }

    pub fn kind(&self) -> TermsErrorKind {
        self.kind
    }

    /// The stable snake_case code, e.g. `date_order`.
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Every problem found in an agreement, for APIs that want one error value (serde's
/// `try_from`). Displays them joined by `; `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct TermsErrors(pub Vec<TermsError>);

fn field_prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

fn suspended_message(
    service: Option<&ServiceCode>,
    until: Option<&Date>,
    reason: &Names,
) -> String {
    let what = service.map_or_else(|| "all services are".to_owned(), |s| format!("{s} is"));
    let until = until.map_or_else(
        || "until further notice".to_owned(),
        |day| format!("until {}", format_date(*day)),
    );
    format!("{what} suspended {until}: {}", reason.en)
}

fn path(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if field.starts_with('[') => format!("{prefix}{field}"),
        (false, false) => format!("{prefix}.{field}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Small value types

/// Where an agreement stands. Only an active agreement lets items be accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Being negotiated: nothing is accepted under it yet.
    Draft,
    Active,
    /// Stopped as a whole (e.g. force majeure); suspensions in the terms stop single services.
    Suspended,
    Ended,
}

impl AgreementStatus {
    pub const ALL: [AgreementStatus; 4] = [
        AgreementStatus::Draft,
        AgreementStatus::Active,
        AgreementStatus::Suspended,
        AgreementStatus::Ended,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AgreementStatus::Draft => "draft",
            AgreementStatus::Active => "active",
            AgreementStatus::Suspended => "suspended",
            AgreementStatus::Ended => "ended",
        }
    }

    /// Parses the snake_case name, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Option<Self> {
        let wanted = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
    }
}

impl fmt::Display for AgreementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The share of items that must meet a target, in per mille (850 is 85 %), 1 to 1000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Share(u16);

impl Share {
    pub fn from_per_mille(per_mille: u16) -> Option<Self> {
        (1..=1000).contains(&per_mille).then_some(Self(per_mille))
    }

    pub fn from_percent(percent: u8) -> Option<Self> {
        (1..=100)
            .contains(&percent)
            .then(|| Self(u16::from(percent) * 10))
    }

    pub fn per_mille(&self) -> u16 {
        self.0
    }

    /// Whether `met` items out of `total` reach the share, in exact integers. No items: `false`.
    pub fn is_met_by(&self, met: u64, total: u64) -> bool {
        total > 0 && u128::from(met) * 1000 >= u128::from(self.0) * u128::from(total)
    }
}

impl fmt::Display for Share {
    /// `85 %`, or `85.5 %` when the share is not a whole percent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(10) {
            write!(f, "{} %", self.0 / 10)
        } else {
            write!(f, "{}.{} %", self.0 / 10, self.0 % 10)
        }
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("must be a date written YYYY-MM-DD, found {text:?}"))
}

fn format_date(date: Date) -> String {
    // `Date`'s Display is YYYY-MM-DD for the years an agreement can have.
    date.to_string()
}

// ---------------------------------------------------------------------------------------------
// Terms

/// A service both posts exchange, with the mail class and category its dispatches use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreedService {
    pub service: ServiceCode,
    pub mail_class: MailClass,
    /// The category items of this service travel in to this partner (A airmail, C surface...).
    pub category: MailCategory,
}

/// How dispatches between two offices of exchange travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The mail classes that take this route; empty means every class.
    pub mail_classes: Vec<MailClass>,
    /// The OE that closes the dispatch (IMPC).
    pub origin_office: OfficeCode,
    /// The OE the dispatch is addressed to; a closed transit dispatch is addressed to it too.
    pub destination_office: OfficeCode,
    /// The third post's OE a closed transit dispatch passes through unopened; `None` for direct.
    pub transit_office: Option<OfficeCode>,
    /// Goods (items with a customs declaration) on this route are presented to export customs
    /// at the origin office and released (`EXA`, then `EXC`) before they are bagged.
    pub export_customs: bool,
}

impl Route {
    /// Whether dispatches go through a third post's office unopened.
    pub fn is_closed_transit(&self) -> bool {
        self.transit_office.is_some()
    }

    /// Whether dispatches of this mail class take the route.
    pub fn carries(&self, class: MailClass) -> bool {
        self.mail_classes.is_empty() || self.mail_classes.contains(&class)
    }

    fn overlaps(&self, other: &Route) -> bool {
        self.origin_office.country() == other.origin_office.country()
            && self.destination_office.country() == other.destination_office.country()
            && (self.mail_classes.is_empty()
                || other.mail_classes.is_empty()
                || self
                    .mail_classes
                    .iter()
                    .any(|c| other.mail_classes.contains(c)))
    }
}

/// Optional targets per leg of the journey, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LegTargets {
    /// From acceptance at the counter to arrival at the outward OE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_to_outward_office: Option<u16>,
    /// From arrival at the outward OE to departure of the dispatch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outward_office_to_departure: Option<u16>,
    /// From departure to arrival at the inward OE, transit included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit: Option<u16>,
    /// From presentation to import customs to release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inward_customs: Option<u16>,
    /// From departure from the inward OE to delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inward_office_to_delivery: Option<u16>,
}

/// The quality-of-service target of one service: J+`days` for `share` of the items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTarget {
    pub service: ServiceCode,
    /// N in J+N: delivered by the N-th working day after posting.
    pub days: u16,
    pub share: Share,
    pub legs: LegTargets,
}

/// A service (or every service) stopped between two dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// `None` stops every service of the agreement.
    pub service: Option<ServiceCode>,
    /// The first day no item is accepted.
    pub from: Date,
    /// The last day no item is accepted; `None` until further notice.
    pub until: Option<Date>,
    pub reason: Names,
}

impl Suspension {
    /// Whether this suspension stops `service` on `date` (both ends included).
    pub fn covers(&self, service: &ServiceCode, date: Date) -> bool {
        self.applies_to(service)
            && self.from <= date
            && self.until.is_none_or(|until| date <= until)
    }

    fn applies_to(&self, service: &ServiceCode) -> bool {
        self.service
            .as_ref()
            .is_none_or(|stopped| stopped == service)
    }
}

/// Why an agreement does not let an item of a service be accepted on a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcceptanceRefusal {
    /// No agreement is in force with the destination's post on that date (none at all, not yet
    /// effective, ended, or still a draft).
    #[error("there is no agreement in force with the destination's post")]
    NoAgreement,
    #[error("the agreement with the destination's post does not include {service}")]
    ServiceNotInAgreement { service: ServiceCode },
    /// Stopped by a suspension; `until` is the last day of the suspension (following on
    /// suspensions included), `None` until further notice.
    #[error("{}", suspended_message(.service.as_ref(), .until.as_ref(), .reason))]
    Suspended {
        /// The service stopped, or `None` when every service is.
        service: Option<ServiceCode>,
        reason: Names,
        until: Option<Date>,
    },
}

impl AcceptanceRefusal {
    /// The stable machine-readable name of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            AcceptanceRefusal::NoAgreement => "no_agreement",
            AcceptanceRefusal::ServiceNotInAgreement { .. } => "service_not_in_agreement",
            AcceptanceRefusal::Suspended { .. } => "suspended",
        }
    }
}

/// The terms of an agreement, valid by construction. Serialises to the JSON the store keeps and
/// deserialises through [`AgreementTermsDraft::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AgreementTermsDraft", into = "AgreementTermsDraft")]
pub struct AgreementTerms {
    signed_on: Option<Date>,
    effective_from: Date,
    effective_until: Option<Date>,
    services: Vec<AgreedService>,
    routes: Vec<Route>,
    targets: Vec<ServiceTarget>,
    suspensions: Vec<Suspension>,
}

impl AgreementTerms {
    /// Reads terms from JSON text, checking every field.
    pub fn from_json(text: &str) -> Result<Self, Vec<TermsError>> {
        let draft: AgreementTermsDraft =
            serde_json::from_str(text).map_err(|e| vec![TermsError::json(&e)])?;
        draft.validate()
    }

    /// Reads terms from a JSON value, as the store hands them over.
    pub fn from_json_value(value: serde_json::Value) -> Result<Self, Vec<TermsError>> {
        let draft: AgreementTermsDraft =
            serde_json::from_value(value).map_err(|e| vec![TermsError::json(&e)])?;
        draft.validate()
    }

    /// The JSON value the store keeps.
    pub fn to_json_value(&self) -> serde_json::Value {
        serde_json::to_value(self.to_draft()).unwrap_or(serde_json::Value::Null)
    }

    /// The draft an edit form starts from; validating it unchanged gives these terms back.
    pub fn to_draft(&self) -> AgreementTermsDraft {
        let classes = |classes: &[MailClass]| classes.iter().map(ToString::to_string).collect();
        AgreementTermsDraft {
            signed_on: self.signed_on.map(format_date),
            effective_from: format_date(self.effective_from),
            effective_until: self.effective_until.map(format_date),
            services: self
                .services
                .iter()
                .map(|s| AgreedServiceDraft {
                    service: s.service.to_string(),
                    mail_class: s.mail_class.to_string(),
                    category: s.category.to_string(),
                })
                .collect(),
            routes: self
                .routes
                .iter()
                .map(|r| RouteDraft {
                    mail_classes: classes(&r.mail_classes),
                    origin_office: r.origin_office.to_string(),
                    destination_office: r.destination_office.to_string(),
                    transit_office: r.transit_office.map(|o| o.to_string()),
                    export_customs: r.export_customs,
                })
                .collect(),
            targets: self
                .targets
                .iter()
                .map(|t| ServiceTargetDraft {
                    service: t.service.to_string(),
                    days: Some(i64::from(t.days)),
                    share_per_mille: Some(i64::from(t.share.per_mille())),
                    share_percent: None,
                    legs: (t.legs != LegTargets::default()).then_some(t.legs),
                })
                .collect(),
            suspensions: self
                .suspensions
                .iter()
                .map(|s| SuspensionDraft {
                    service: s.service.as_ref().map(ToString::to_string),
                    from: format_date(s.from),
                    until: s.until.map(format_date),
                    reason: ReasonDraft {
                        en: s.reason.en.clone(),
                        ar: s.reason.ar.clone(),
                    },
                })
                .collect(),
        }
    }

    pub fn signed_on(&self) -> Option<Date> {
        self.signed_on
    }

    pub fn effective_from(&self) -> Date {
        self.effective_from
    }

    /// The last day the terms apply; `None` while open-ended.
    pub fn effective_until(&self) -> Option<Date> {
        self.effective_until
    }

    /// Whether the terms apply on `date` (both ends included).
    pub fn in_force_on(&self, date: Date) -> bool {
        self.effective_from <= date && self.effective_until.is_none_or(|until| date <= until)
    }

    pub fn services(&self) -> &[AgreedService] {
        &self.services
    }

    pub fn service(&self, code: &ServiceCode) -> Option<&AgreedService> {
        self.services.iter().find(|s| &s.service == code)
    }

    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    pub fn targets(&self) -> &[ServiceTarget] {
        &self.targets
    }

    pub fn target(&self, service: &ServiceCode) -> Option<&ServiceTarget> {
        self.targets.iter().find(|t| &t.service == service)
    }

    pub fn suspensions(&self) -> &[Suspension] {
        &self.suspensions
    }

    /// The route dispatches of `class` take from `origin` country to `destination` country.
    pub fn route(
        &self,
        origin: CountryCode,
        destination: CountryCode,
        class: MailClass,
    ) -> Option<&Route> {
        self.routes.iter().find(|route| {
            route.origin_office.country() == origin
                && route.destination_office.country() == destination
                && route.carries(class)
        })
    }

    /// The route a dispatch of `class` closed at `office` takes to `destination` country.
    pub fn route_from_office(
        &self,
        office: OfficeCode,
        destination: CountryCode,
        class: MailClass,
    ) -> Option<&Route> {
        self.routes.iter().find(|route| {
            route.origin_office == office
                && route.destination_office.country() == destination
                && route.carries(class)
        })
    }

    /// The suspension stopping `service` on `date`, if any, with the last day items stay
    /// refused: a suspension that starts the day after (or before) another ends extends it.
    pub fn suspension_on(
        &self,
        service: &ServiceCode,
        date: Date,
    ) -> Option<(&Suspension, Option<Date>)> {
        // The covering suspension that lasts longest gives the reason.
        let current = self
            .suspensions
            .iter()
            .filter(|s| s.covers(service, date))
            .max_by(|a, b| match (a.until, b.until) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => a.cmp(&b),
            })?;
        let mut last_day = current.until;
        // Each pass either extends the end or stops, and there are finitely many suspensions.
        while let Some(end) = last_day {
            let next_day = end.next_day();
            let extension = self.suspensions.iter().find(|s| {
                s.applies_to(service)
                    && next_day.is_some_and(|next| s.from <= next)
                    && s.until.is_none_or(|until| until > end)
            });
            match extension {
                Some(s) => last_day = s.until,
                None => break,
            }
        }
        Some((current, last_day))
    }

    /// Whether an item of `service` may be accepted under these terms on `date`.
    ///
    /// Refused with `no_agreement` outside the effective dates, `service_not_in_agreement` when
    /// the service is not exchanged, and `suspended` (with the reason and the last day) while a
    /// suspension covers the service.
    pub fn check_acceptance(
        &self,
        service: &ServiceCode,
        date: Date,
    ) -> Result<(), AcceptanceRefusal> {
        if !self.in_force_on(date) {
            return Err(AcceptanceRefusal::NoAgreement);
        }
        if self.service(service).is_none() {
            return Err(AcceptanceRefusal::ServiceNotInAgreement {
                service: service.clone(),
            });
        }
        if let Some((suspension, until)) = self.suspension_on(service, date) {
            return Err(AcceptanceRefusal::Suspended {
                service: suspension.service.clone(),
                reason: suspension.reason.clone(),
                until,
            });
        }
        Ok(())
    }

    /// Checks the services against `services.csv`: every code listed, with the same class.
    pub fn check_services(&self, catalogue: &ServiceCatalogue) -> Result<(), Vec<TermsError>> {
        let mut errors = Vec::new();
        for (index, agreed) in self.services.iter().enumerate() {
            match catalogue.get(&agreed.service) {
                None => errors.push(TermsError::new(
                    format!("services[{index}].service"),
                    TermsErrorKind::UnknownService,
                    format!("{} is not in services.csv", agreed.service),
                )),
                Some(info) if info.mail_class != agreed.mail_class => {
                    errors.push(TermsError::new(
                        format!("services[{index}].mail_class"),
                        TermsErrorKind::ClassMismatch,
                        format!(
                            "{} travels in mail class {}, not {}",
                            agreed.service, info.mail_class, agreed.mail_class
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl TryFrom<AgreementTermsDraft> for AgreementTerms {
    type Error = TermsErrors;
    fn try_from(draft: AgreementTermsDraft) -> Result<Self, Self::Error> {
        draft.validate().map_err(TermsErrors)
    }
}

impl From<AgreementTerms> for AgreementTermsDraft {
    fn from(terms: AgreementTerms) -> Self {
        terms.to_draft()
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts: the JSON shape, before any check

/// A service entry as written in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgreedServiceDraft {
    pub service: String,
    pub mail_class: String,
    pub category: String,
}

/// A route as written in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouteDraft {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mail_classes: Vec<String>,
    pub origin_office: String,
    pub destination_office: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transit_office: Option<String>,
    /// Goods are cleared by export customs before they are bagged; left out means no.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub export_customs: bool,
}

/// A target as written in JSON: the share in per mille or in percent, exactly one of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceTargetDraft {
    pub service: String,
    pub days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_per_mille: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_percent: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legs: Option<LegTargets>,
}

/// A suspension reason in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReasonDraft {
    pub en: String,
    pub ar: String,
}

/// A suspension as written in JSON; no `service` means every service.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SuspensionDraft {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    pub reason: ReasonDraft,
}

/// Agreement terms as a form or a JSON document gives them, before any check. Missing fields
/// take their defaults, so they are reported as `required` by [`Self::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgreementTermsDraft {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_on: Option<String>,
    pub effective_from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<String>,
    pub services: Vec<AgreedServiceDraft>,
    pub routes: Vec<RouteDraft>,
    pub targets: Vec<ServiceTargetDraft>,
    pub suspensions: Vec<SuspensionDraft>,
}

/// Collects errors while a draft is checked.
struct Checker {
    errors: Vec<TermsError>,
}

impl Checker {
    fn push(&mut self, field: impl Into<String>, kind: TermsErrorKind, message: impl Into<String>) {
        self.errors.push(TermsError::new(field, kind, message));
    }

    fn required<T>(
        &mut self,
        field: String,
        text: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        if text.trim().is_empty() {
            self.push(field, TermsErrorKind::Required, "is required");
            return None;
        }
        self.optional(field, Some(text), parse).flatten()
    }

    /// `None` or blank gives `Some(None)`; a bad value is an error and gives `None`.
    fn optional<T>(
        &mut self,
        field: String,
        text: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Option<T>> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Some(None),
            Some(text) => match parse(text) {
                Ok(value) => Some(Some(value)),
                Err(message) => {
                    self.push(field, TermsErrorKind::Invalid, message);
                    None
                }
            },
        }
    }

    fn days(&mut self, field: String, value: i64, minimum: u16) -> Option<u16> {
        match u16::try_from(value) {
            Ok(days) if (minimum..=MAX_TARGET_DAYS).contains(&days) => Some(days),
            _ => {
                self.push(
                    field,
                    TermsErrorKind::OutOfRange,
                    format!("must be {minimum} to {MAX_TARGET_DAYS} days, found {value}"),
                );
                None
            }
        }
    }

    fn text(&mut self, field: String, raw: &str, max_chars: usize) -> Option<String> {
        let text = raw.trim();
        if text.is_empty() {
            self.push(field, TermsErrorKind::Required, "is required");
            return None;
        }
        if let Some(c) = text.chars().find(|c| c.is_control()) {
            self.push(
                field,
                TermsErrorKind::InvalidText,
                format!(
                    "must not contain control characters, found U+{:04X}",
                    u32::from(c)
                ),
            );
            return None;
        }
        let length = text.chars().count();
        if length > max_chars {
            self.push(
                field,
                TermsErrorKind::InvalidText,
                format!("must be at most {max_chars} characters, found {length}"),
            );
            return None;
        }
        Some(text.to_owned())
    }
}

fn parse_service(text: &str) -> Result<ServiceCode, String> {
    ServiceCode::parse(text).map_err(|e| e.to_string())
}

fn parse_office(text: &str) -> Result<OfficeCode, String> {
    OfficeCode::parse(text).map_err(|e| e.to_string())
}

impl Checker {
    /// A service entry; its code joins `listed` even when another field is wrong, so targets
    /// and suspensions naming it are not reported as unknown too.
    fn service(
        &mut self,
        index: usize,
        draft: &AgreedServiceDraft,
        listed: &mut Vec<ServiceCode>,
    ) -> Option<AgreedService> {
        let at = |field: &str| format!("services[{index}].{field}");
        let code = self.required(at("service"), &draft.service, parse_service);
        if let Some(code) = &code {
            if listed.contains(code) {
                self.push(
                    at("service"),
                    TermsErrorKind::Duplicate,
                    format!("{code} is listed twice"),
                );
            } else {
                listed.push(code.clone());
            }
        }
        let mail_class = self.required(at("mail_class"), &draft.mail_class, |t| {
            MailClass::parse(t).map_err(|e| e.to_string())
        });
        let category = self.required(at("category"), &draft.category, |t| {
            MailCategory::parse(t).map_err(|e| e.to_string())
        });
        match (code, mail_class, category) {
            (Some(service), Some(mail_class), Some(category)) => Some(AgreedService {
                service,
                mail_class,
                category,
            }),
            _ => None,
        }
    }

    /// A route on its own; overlaps with earlier routes are checked by the caller.
    fn route(&mut self, index: usize, draft: &RouteDraft) -> Option<Route> {
        let at = |field: &str| format!("routes[{index}].{field}");
        let mut mail_classes = Vec::new();
        for (position, text) in draft.mail_classes.iter().enumerate() {
            let field = format!("routes[{index}].mail_classes[{position}]");
            let Some(class) = self.required(field.clone(), text, |t| {
                MailClass::parse(t).map_err(|e| e.to_string())
            }) else {
                continue;
            };
            if mail_classes.contains(&class) {
                self.push(
                    field,
                    TermsErrorKind::Duplicate,
                    format!("{class} is listed twice"),
                );
            } else {
                mail_classes.push(class);
            }
        }
        let origin = self.required(at("origin_office"), &draft.origin_office, parse_office);
        let destination = self.required(
            at("destination_office"),
            &draft.destination_office,
            parse_office,
        );
        let transit = self.optional(
            at("transit_office"),
            draft.transit_office.as_deref(),
            parse_office,
        );
        let (Some(origin), Some(destination), Some(transit)) = (origin, destination, transit)
        else {
            return None;
        };
        if origin.country() == destination.country() {
            self.push(
                at("destination_office"),
                TermsErrorKind::WrongCountry,
                format!(
                    "{destination} is in {}, the origin's own country",
                    destination.country()
                ),
            );
            return None;
        }
        if let Some(transit) = transit
            && (transit.country() == origin.country() || transit.country() == destination.country())
        {
            self.push(
                at("transit_office"),
                TermsErrorKind::WrongCountry,
                format!(
                    "closed transit goes through a third post; {transit} is in {}",
                    transit.country()
                ),
            );
            return None;
        }
        Some(Route {
            mail_classes,
            origin_office: origin,
            destination_office: destination,
            transit_office: transit,
            export_customs: draft.export_customs,
        })
    }

    fn share(&mut self, index: usize, draft: &ServiceTargetDraft) -> Option<Share> {
        let at = |field: &str| format!("targets[{index}].{field}");
        match (draft.share_per_mille, draft.share_percent) {
            (None, None) => {
                self.push(
                    at("share_per_mille"),
                    TermsErrorKind::Required,
                    "give the share as share_per_mille or share_percent",
                );
                None
            }
            (Some(_), Some(_)) => {
                self.push(
                    at("share_percent"),
                    TermsErrorKind::NotAllowed,
                    "give the share once: share_per_mille or share_percent, not both",
                );
                None
            }
            (Some(value), None) => {
                let share = u16::try_from(value).ok().and_then(Share::from_per_mille);
                if share.is_none() {
                    self.push(
                        at("share_per_mille"),
                        TermsErrorKind::OutOfRange,
                        format!("must be 1 to 1000, found {value}"),
                    );
                }
                share
            }
            (None, Some(value)) => {
                let share = u8::try_from(value).ok().and_then(Share::from_percent);
                if share.is_none() {
                    self.push(
                        at("share_percent"),
                        TermsErrorKind::OutOfRange,
                        format!("must be 1 to 100, found {value}"),
                    );
                }
                share
            }
        }
    }

    /// A target; whether its service is listed and has no other target is checked by the caller.
    fn target(&mut self, index: usize, draft: &ServiceTargetDraft) -> Option<ServiceTarget> {
        let at = |field: &str| format!("targets[{index}].{field}");
        let service = self.required(at("service"), &draft.service, parse_service);
        let days = match draft.days {
            None => {
                self.push(
                    at("days"),
                    TermsErrorKind::Required,
                    "is required (N in J+N)",
                );
                None
            }
            Some(days) => self.days(at("days"), days, 1),
        };
        let share = self.share(index, draft);
        let legs = draft.legs.unwrap_or_default();
        let mut legs_ok = true;
        for (name, value) in [
            ("counter_to_outward_office", legs.counter_to_outward_office),
            (
                "outward_office_to_departure",
                legs.outward_office_to_departure,
            ),
            ("transit", legs.transit),
            ("inward_customs", legs.inward_customs),
            ("inward_office_to_delivery", legs.inward_office_to_delivery),
        ] {
            if let Some(days) = value
                && days > MAX_TARGET_DAYS
            {
                self.push(
                    at(&format!("legs.{name}")),
                    TermsErrorKind::OutOfRange,
                    format!("must be 0 to {MAX_TARGET_DAYS} days, found {days}"),
                );
                legs_ok = false;
            }
        }
        match (service, days, share, legs_ok) {
            (Some(service), Some(days), Some(share), true) => Some(ServiceTarget {
                service,
                days,
                share,
                legs,
            }),
            _ => None,
        }
    }

    fn suspension(&mut self, index: usize, draft: &SuspensionDraft) -> Option<Suspension> {
        let at = |field: &str| format!("suspensions[{index}].{field}");
        let service = self.optional(at("service"), draft.service.as_deref(), parse_service);
        let from = self.required(at("from"), &draft.from, parse_date);
        let until = self.optional(at("until"), draft.until.as_deref(), parse_date);
        let in_order = match (from, until) {
            (Some(from), Some(Some(until))) if until < from => {
                self.push(
                    at("until"),
                    TermsErrorKind::DateOrder,
                    format!("{until} is before from {from}"),
                );
                false
            }
            _ => true,
        };
        let en = self.text(at("reason.en"), &draft.reason.en, REASON_MAX_CHARS);
        let ar = self.text(at("reason.ar"), &draft.reason.ar, REASON_MAX_CHARS);
        match (service, from, until, en, ar, in_order) {
            (Some(service), Some(from), Some(until), Some(en), Some(ar), true) => {
                Some(Suspension {
                    service,
                    from,
                    until,
                    reason: Names { en, ar },
                })
            }
            _ => None,
        }
    }
}

impl AgreementTermsDraft {
    /// Checks every field and returns the terms, or every problem found with its path.
    pub fn validate(self) -> Result<AgreementTerms, Vec<TermsError>> {
        let mut check = Checker { errors: Vec::new() };

        let signed_on = check
            .optional("signed_on".into(), self.signed_on.as_deref(), parse_date)
            .flatten();
        let effective_from =
            check.required("effective_from".into(), &self.effective_from, parse_date);
        let effective_until = check
            .optional(
                "effective_until".into(),
                self.effective_until.as_deref(),
                parse_date,
            )
            .flatten();
        if let (Some(from), Some(until)) = (effective_from, effective_until)
            && until < from
        {
            check.push(
                "effective_until",
                TermsErrorKind::DateOrder,
                format!("{until} is before effective_from {from}"),
            );
        }

        if self.services.is_empty() {
            check.push(
                "services",
                TermsErrorKind::Required,
                "at least one service is required",
            );
        }
        let mut services: Vec<AgreedService> = Vec::new();
        let mut listed: Vec<ServiceCode> = Vec::new();
        for (index, draft) in self.services.iter().enumerate() {
            services.extend(check.service(index, draft, &mut listed));
        }
        let not_listed = |check: &mut Checker, field: String, code: &ServiceCode| {
            let missing = !listed.contains(code);
            if missing {
                check.push(
                    field,
                    TermsErrorKind::NotInServices,
                    format!("{code} is not among the agreement's services"),
                );
            }
            missing
        };

        let mut routes: Vec<Route> = Vec::new();
        for (index, draft) in self.routes.iter().enumerate() {
            let Some(route) = check.route(index, draft) else {
                continue;
            };
            if let Some(earlier) = routes.iter().position(|known| known.overlaps(&route)) {
                check.push(
                    format!("routes[{index}].mail_classes"),
                    TermsErrorKind::OverlappingRoute,
                    format!(
                        "route {earlier} already carries a mail class of this route from {} to {}",
                        route.origin_office.country(),
                        route.destination_office.country()
                    ),
                );
                continue;
            }
            routes.push(route);
        }

        let mut targets: Vec<ServiceTarget> = Vec::new();
        let mut with_target: Vec<ServiceCode> = Vec::new();
        for (index, draft) in self.targets.iter().enumerate() {
            // A readable code is checked against the services first, so that its errors come
            // before those of the other fields; `target` reports blank or unreadable codes.
            if let Ok(code) = ServiceCode::parse(&draft.service) {
                let field = format!("targets[{index}].service");
                if with_target.contains(&code) {
                    check.push(
                        field,
                        TermsErrorKind::Duplicate,
                        format!("{code} already has a target"),
                    );
                } else if !not_listed(&mut check, field, &code) {
                    with_target.push(code);
                }
            }
            targets.extend(check.target(index, draft));
        }

        let mut suspensions: Vec<Suspension> = Vec::new();
        for (index, draft) in self.suspensions.iter().enumerate() {
            if let Some(Ok(code)) = draft
                .service
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(ServiceCode::parse)
            {
                not_listed(&mut check, format!("suspensions[{index}].service"), &code);
            }
            suspensions.extend(check.suspension(index, draft));
        }

        match effective_from {
            Some(effective_from) if check.errors.is_empty() => Ok(AgreementTerms {
                signed_on,
                effective_from,
                effective_until,
                services,
                routes,
                targets,
                suspensions,
            }),
            _ => Err(check.errors),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Agreements: the parties around the terms

/// The reason given when a whole agreement has status `suspended`.
fn agreement_suspended() -> Names {
    Names {
        en: "The agreement with this post is suspended".into(),
        ar: "الاتفاقية مع هذا البريد معلقة".into(),
    }
}

/// One operator's copy of an agreement with a partner post. The store keeps `operator`,
/// `partner`, `reference` and `status` in columns and the terms as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AgreementDraft", into = "AgreementDraft")]
pub struct Agreement {
    operator: CountryCode,
    partner: CountryCode,
    reference: String,
    status: AgreementStatus,
    terms: AgreementTerms,
}

/// An agreement as written in JSON (the demo file), before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgreementDraft {
    pub operator: String,
    pub partner: String,
    /// The memorandum of understanding it implements.
    pub reference: String,
    pub status: String,
    pub terms: AgreementTermsDraft,
}

impl AgreementDraft {
    /// Checks the parties, the status and the terms, and that every route runs between the two
    /// parties. Paths of the terms start with `terms.`.
    pub fn validate(self) -> Result<Agreement, Vec<TermsError>> {
        let mut check = Checker { errors: Vec::new() };
        let country = |t: &str| CountryCode::parse(t).map_err(|e| e.to_string());
        let operator = check.required("operator".into(), &self.operator, country);
        let partner = check.required("partner".into(), &self.partner, country);
        if let (Some(operator), Some(partner)) = (operator, partner)
            && operator == partner
        {
            check.push(
                "partner",
                TermsErrorKind::WrongCountry,
                format!("an agreement is between two posts; both are {operator}"),
            );
        }
        let reference = check.text("reference".into(), &self.reference, REFERENCE_MAX_CHARS);
        let status = check.required("status".into(), &self.status, |t| {
            AgreementStatus::parse(t)
                .ok_or_else(|| format!("must be draft, active, suspended or ended, found {t:?}"))
        });
        let terms = match self.terms.validate() {
            Ok(terms) => Some(terms),
            Err(errors) => {
                check
                    .errors
                    .extend(errors.into_iter().map(|e| e.prefixed("terms")));
                None
            }
        };
        if let (Some(operator), Some(partner), Some(terms)) = (operator, partner, &terms) {
            let parties = [operator, partner];
            for (index, route) in terms.routes.iter().enumerate() {
                for (field, office) in [
                    ("origin_office", route.origin_office),
                    ("destination_office", route.destination_office),
                ] {
                    if !parties.contains(&office.country()) {
                        check.push(
                            format!("terms.routes[{index}].{field}"),
                            TermsErrorKind::WrongCountry,
                            format!(
                                "{office} is in {}, not in {operator} or {partner}",
                                office.country()
                            ),
                        );
                    }
                }
            }
        }
        match (operator, partner, reference, status, terms) {
            (Some(operator), Some(partner), Some(reference), Some(status), Some(terms))
                if check.errors.is_empty() =>
            {
                Ok(Agreement {
                    operator,
                    partner,
                    reference,
                    status,
                    terms,
                })
            }
            _ => Err(check.errors),
        }
    }
}

impl TryFrom<AgreementDraft> for Agreement {
    type Error = TermsErrors;
    fn try_from(draft: AgreementDraft) -> Result<Self, Self::Error> {
        draft.validate().map_err(TermsErrors)
    }
}

impl From<Agreement> for AgreementDraft {
    fn from(agreement: Agreement) -> Self {
        agreement.to_draft()
    }
}

impl Agreement {
    /// The draft an edit form starts from.
    pub fn to_draft(&self) -> AgreementDraft {
        AgreementDraft {
            operator: self.operator.to_string(),
            partner: self.partner.to_string(),
            reference: self.reference.clone(),
            status: self.status.as_str().to_owned(),
            terms: self.terms.to_draft(),
        }
    }

    /// Builds an agreement from its parts, as the store holds them.
    pub fn new(
        operator: CountryCode,
        partner: CountryCode,
        reference: &str,
        status: AgreementStatus,
        terms: AgreementTerms,
    ) -> Result<Self, Vec<TermsError>> {
        AgreementDraft {
            operator: operator.to_string(),
            partner: partner.to_string(),
            reference: reference.to_owned(),
            status: status.as_str().to_owned(),
            terms: terms.to_draft(),
        }
        .validate()
    }

    /// Reads a JSON array of agreements, e.g. [`DEMO_AGREEMENTS_JSON`]. Paths start with the
    /// index: `[2].terms.suspensions[0].from`.
    pub fn list_from_json(text: &str) -> Result<Vec<Self>, Vec<TermsError>> {
        let drafts: Vec<AgreementDraft> =
            serde_json::from_str(text).map_err(|e| vec![TermsError::json(&e)])?;
        let mut agreements = Vec::new();
        let mut errors = Vec::new();
        for (index, draft) in drafts.into_iter().enumerate() {
            match draft.validate() {
                Ok(agreement) => agreements.push(agreement),
                Err(found) => {
                    errors.extend(found.into_iter().map(|e| e.prefixed(&format!("[{index}]"))))
                }
            }
        }
        if errors.is_empty() {
            Ok(agreements)
        } else {
            Err(errors)
        }
    }

    /// The demo network's agreements, from [`DEMO_AGREEMENTS_JSON`].
    pub fn demo() -> Result<Vec<Self>, Vec<TermsError>> {
        Self::list_from_json(DEMO_AGREEMENTS_JSON)
    }

    pub fn operator(&self) -> CountryCode {
        self.operator
    }

    pub fn partner(&self) -> CountryCode {
        self.partner
    }

    pub fn reference(&self) -> &str {
        &self.reference
    }

    pub fn status(&self) -> AgreementStatus {
        self.status
    }

    pub fn terms(&self) -> &AgreementTerms {
        &self.terms
    }

    /// Whether `service` may be accepted under this agreement on `date`: a draft or ended
    /// agreement is no agreement, a suspended one refuses every service, and an active one
    /// answers by its terms ([`AgreementTerms::check_acceptance`]).
    pub fn check_acceptance(
        &self,
        service: &ServiceCode,
        date: Date,
    ) -> Result<(), AcceptanceRefusal> {
        match self.status {
            AgreementStatus::Draft | AgreementStatus::Ended => Err(AcceptanceRefusal::NoAgreement),
            AgreementStatus::Suspended => Err(AcceptanceRefusal::Suspended {
                service: None,
                reason: agreement_suspended(),
                until: None,
            }),
            AgreementStatus::Active => self.terms.check_acceptance(service, date),
        }
    }

    /// The route this operator's dispatches of `class` take to the partner.
    pub fn outbound_route(&self, class: MailClass) -> Option<&Route> {
        self.terms.route(self.operator, self.partner, class)
    }
}

/// The route a dispatch of `class` from `operator` to `destination` takes, and the agreement
/// that sets it. Draft agreements are ignored; an active one wins over a suspended or ended
/// one, so items accepted before a suspension still find their way.
pub fn find_route(
    agreements: &[Agreement],
    operator: CountryCode,
    destination: CountryCode,
    class: MailClass,
) -> Option<(&Agreement, &Route)> {
    let candidates = || {
        agreements.iter().filter(|a| {
            a.operator == operator && a.partner == destination && a.status != AgreementStatus::Draft
        })
    };
    candidates()
        .filter(|a| a.status == AgreementStatus::Active)
        .chain(candidates().filter(|a| a.status != AgreementStatus::Active))
        .find_map(|a| a.outbound_route(class).map(|route| (a, route)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceData;
    use proptest::prelude::*;
    use time::macros::date;

    fn code(text: &str) -> ServiceCode {
        ServiceCode::parse(text).unwrap()
    }

    fn country(text: &str) -> CountryCode {
        CountryCode::parse(text).unwrap()
    }

    fn class(letter: &str) -> MailClass {
        MailClass::parse(letter).unwrap()
    }

    fn office(text: &str) -> OfficeCode {
        OfficeCode::parse(text).unwrap()
    }

    fn errors_of(result: Result<AgreementTerms, Vec<TermsError>>) -> Vec<(String, &'static str)> {
        result
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field().to_owned(), e.code()))
            .collect()
    }

    const SAMPLE: &str = r#"{
        "signed_on": "2024-11-20",
        "effective_from": "2025-01-01",
        "services": [
            {"service": "ems", "mail_class": "E", "category": "A"},
            {"service": "registered", "mail_class": "U", "category": "A"},
            {"service": "parcel", "mail_class": "C", "category": "C"}
        ],
        "routes": [
            {"mail_classes": ["E"], "origin_office": "EGCAIF", "destination_office": "PSRMHA", "transit_office": "JOAMMA"},
            {"mail_classes": ["U", "C"], "origin_office": "EGCAIA", "destination_office": "PSRMHA", "transit_office": "JOAMMA"},
            {"origin_office": "PSRMHA", "destination_office": "EGCAIA", "transit_office": "JOAMMA"}
        ],
        "targets": [
            {"service": "ems", "days": 7, "share_percent": 85,
             "legs": {"counter_to_outward_office": 1, "transit": 3, "inward_office_to_delivery": 2}},
            {"service": "registered", "days": 10, "share_per_mille": 805}
        ],
        "suspensions": [
            {"service": "parcel", "from": "2025-03-01", "until": "2025-03-31",
             "reason": {"en": "No transport", "ar": "لا توجد وسيلة نقل"}},
            {"from": "2025-06-10", "until": "2025-06-12",
             "reason": {"en": "Border closed", "ar": "الحدود مغلقة"}}
        ]
    }"#;

    fn sample() -> AgreementTerms {
        AgreementTerms::from_json(SAMPLE).unwrap()
    }

    #[test]
    fn terms_read_from_json_and_round_trip() {
        let terms = sample();
        assert_eq!(terms.effective_from(), date!(2025 - 01 - 01));
        assert_eq!(terms.signed_on(), Some(date!(2024 - 11 - 20)));
        assert_eq!(terms.services().len(), 3);
        let ems = terms.target(&code("ems")).unwrap();
        assert_eq!((ems.days, ems.share.per_mille()), (7, 850));
        assert_eq!(ems.share.to_string(), "85 %");
        assert_eq!(ems.legs.transit, Some(3));
        assert_eq!(ems.legs.inward_customs, None);
        let registered = terms.target(&code("registered")).unwrap();
        assert_eq!(registered.share.to_string(), "80.5 %");

        let json = serde_json::to_string(&terms).unwrap();
        let back: AgreementTerms = serde_json::from_str(&json).unwrap();
        assert_eq!(back, terms);
        assert_eq!(
            AgreementTerms::from_json_value(terms.to_json_value()),
            Ok(terms.clone())
        );
        assert_eq!(terms.to_draft().validate(), Ok(terms.clone()));
        // The share is written back in per mille; optional empties are left out.
        assert!(json.contains("\"share_per_mille\":850"), "{json}");
        assert!(!json.contains("share_percent"), "{json}");
        assert!(!json.contains("effective_until"), "{json}");
    }

    #[test]
    fn shares_compare_exactly() {
        let share = Share::from_percent(85).unwrap();
        assert!(share.is_met_by(85, 100));
        assert!(!share.is_met_by(84, 100));
        assert!(share.is_met_by(17, 20));
        assert!(!share.is_met_by(0, 0));
        assert_eq!(Share::from_per_mille(0), None);
        assert_eq!(Share::from_per_mille(1001), None);
        assert_eq!(Share::from_percent(101), None);
    }

    #[test]
    fn bad_json_is_refused_with_its_position() {
        let errors = AgreementTerms::from_json("{\"services\": [}").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code(), "invalid_json");
        assert!(
            errors[0].message().starts_with("line 1, column"),
            "{}",
            errors[0]
        );
        let errors =
            AgreementTerms::from_json(r#"{"effective_from": "2025-01-01", "sevices": []}"#)
                .unwrap_err();
        assert_eq!(errors[0].code(), "invalid_json");
        assert!(
            errors[0].message().contains("unknown field `sevices`"),
            "{}",
            errors[0]
        );
        let errors = AgreementTerms::from_json(r#"{"targets": [{"days": "seven"}]}"#).unwrap_err();
        assert_eq!(errors[0].code(), "invalid_json");
    }

    #[test]
    fn every_problem_is_reported_with_its_field_path() {
        let json = r#"{
            "effective_from": "2025-02-30",
            "effective_until": "2024-01-01",
            "services": [
                {"service": "ems", "mail_class": "E", "category": "A"},
                {"service": "ems", "mail_class": "EE", "category": ""},
                {"service": "e ms", "mail_class": "U", "category": "A"}
            ],
            "routes": [
                {"mail_classes": ["E"], "origin_office": "EGCAIF", "destination_office": "PSRMHA", "transit_office": "PSJRCA"},
                {"mail_classes": ["E", "E"], "origin_office": "EGCAIF", "destination_office": "EGALYA"},
                {"mail_classes": ["U"], "origin_office": "EGCAIA", "destination_office": "JOAMMA"},
                {"origin_office": "EGCAIA", "destination_office": "JOAMMB"},
                {"mail_classes": ["C"], "origin_office": "EGCAI", "destination_office": ""}
            ],
            "targets": [
                {"service": "parcel", "days": 10, "share_percent": 80},
                {"service": "ems", "days": 0, "share_percent": 85, "share_per_mille": 850},
                {"service": "ems", "days": 5, "share_per_mille": 1200, "legs": {"transit": 61}},
                {"service": "ems"}
            ],
            "suspensions": [
                {"service": "letters", "from": "2025-03-01", "until": "2025-02-28",
                 "reason": {"en": "", "ar": "سبب"}},
                {"from": "", "reason": {"en": "Reason\u0007", "ar": "سبب"}}
            ]
        }"#;
        let errors = errors_of(AgreementTerms::from_json(json));
        let expected: Vec<(String, &str)> = [
            ("effective_from", "invalid"),
            ("services[1].service", "duplicate"),
            ("services[1].mail_class", "invalid"),
            ("services[1].category", "required"),
            ("services[2].service", "invalid"),
            ("routes[0].transit_office", "wrong_country"),
            ("routes[1].mail_classes[1]", "duplicate"),
            ("routes[1].destination_office", "wrong_country"),
            ("routes[3].mail_classes", "overlapping_route"),
            ("routes[4].origin_office", "invalid"),
            ("routes[4].destination_office", "required"),
            ("targets[0].service", "not_in_services"),
            ("targets[1].days", "out_of_range"),
            ("targets[1].share_percent", "not_allowed"),
            ("targets[2].service", "duplicate"),
            ("targets[2].share_per_mille", "out_of_range"),
            ("targets[2].legs.transit", "out_of_range"),
            ("targets[3].service", "duplicate"),
            ("targets[3].days", "required"),
            ("targets[3].share_per_mille", "required"),
            ("suspensions[0].service", "not_in_services"),
            ("suspensions[0].until", "date_order"),
            ("suspensions[0].reason.en", "required"),
            ("suspensions[1].from", "required"),
            ("suspensions[1].reason.en", "invalid_text"),
        ]
        .into_iter()
        .map(|(field, code)| (field.to_owned(), code))
        .collect();
        assert_eq!(errors, expected);

        let errors = errors_of(AgreementTerms::from_json(
            r#"{"effective_from": "2025-02-01", "effective_until": "2025-01-31", "services": []}"#,
        ));
        assert_eq!(
            errors,
            [
                ("effective_until".to_owned(), "date_order"),
                ("services".to_owned(), "required")
            ]
        );
        let errors = errors_of(AgreementTerms::from_json("{}"));
        assert_eq!(
            errors,
            [
                ("effective_from".to_owned(), "required"),
                ("services".to_owned(), "required")
            ]
        );
    }

    #[test]
    fn suspension_dates_include_the_first_and_last_day() {
        let terms = sample();
        let parcel = code("parcel");
        assert_eq!(
            terms.check_acceptance(&parcel, date!(2025 - 02 - 28)),
            Ok(())
        );
        let refusal = terms
            .check_acceptance(&parcel, date!(2025 - 03 - 01))
            .unwrap_err();
        assert_eq!(refusal.code(), "suspended");
        assert_eq!(
            refusal,
            AcceptanceRefusal::Suspended {
                service: Some(parcel.clone()),
                reason: Names {
                    en: "No transport".into(),
                    ar: "لا توجد وسيلة نقل".into()
                },
                until: Some(date!(2025 - 03 - 31)),
            }
        );
        assert_eq!(
            refusal.to_string(),
            "parcel is suspended until 2025-03-31: No transport"
        );
        assert!(
            terms
                .check_acceptance(&parcel, date!(2025 - 03 - 31))
                .is_err()
        );
        assert_eq!(
            terms.check_acceptance(&parcel, date!(2025 - 04 - 01)),
            Ok(())
        );
        // Other services are not stopped by the parcel suspension.
        assert_eq!(
            terms.check_acceptance(&code("ems"), date!(2025 - 03 - 15)),
            Ok(())
        );
        // A suspension of every service.
        for day in [date!(2025 - 06 - 10), date!(2025 - 06 - 12)] {
            let refusal = terms.check_acceptance(&code("ems"), day).unwrap_err();
            assert!(
                matches!(&refusal, AcceptanceRefusal::Suspended { service: None, until: Some(until), .. } if *until == date!(2025 - 06 - 12)),
                "{refusal:?}"
            );
            assert!(
                refusal
                    .to_string()
                    .starts_with("all services are suspended until")
            );
        }
        assert_eq!(
            terms.check_acceptance(&code("ems"), date!(2025 - 06 - 09)),
            Ok(())
        );
        assert_eq!(
            terms.check_acceptance(&code("ems"), date!(2025 - 06 - 13)),
            Ok(())
        );
    }

    #[test]
    fn open_ended_and_chained_suspensions() {
        let mut draft = sample().to_draft();
        draft.suspensions = vec![
            SuspensionDraft {
                service: Some("parcel".into()),
                from: "2025-03-01".into(),
                until: Some("2025-03-31".into()),
                reason: ReasonDraft {
                    en: "Strike".into(),
                    ar: "إضراب".into(),
                },
            },
            SuspensionDraft {
                service: None,
                from: "2025-04-01".into(),
                until: Some("2025-04-15".into()),
                reason: ReasonDraft {
                    en: "Border closed".into(),
                    ar: "الحدود مغلقة".into(),
                },
            },
            SuspensionDraft {
                service: Some("registered".into()),
                from: "2025-09-01".into(),
                until: None,
                reason: ReasonDraft {
                    en: "No flights".into(),
                    ar: "لا رحلات".into(),
                },
            },
        ];
        let terms = draft.validate().unwrap();
        // Parcels stay stopped from 1 March to 15 April: the second suspension follows on.
        let refusal = terms
            .check_acceptance(&code("parcel"), date!(2025 - 03 - 10))
            .unwrap_err();
        assert!(
            matches!(refusal, AcceptanceRefusal::Suspended { until: Some(until), .. } if until == date!(2025 - 04 - 15))
        );
        assert_eq!(
            terms.check_acceptance(&code("parcel"), date!(2025 - 04 - 16)),
            Ok(())
        );
        // Open-ended: refused from the first day on, with no end date.
        assert_eq!(
            terms.check_acceptance(&code("registered"), date!(2025 - 08 - 31)),
            Ok(())
        );
        for day in [date!(2025 - 09 - 01), date!(2031 - 01 - 01)] {
            let refusal = terms
                .check_acceptance(&code("registered"), day)
                .unwrap_err();
            assert!(
                matches!(refusal, AcceptanceRefusal::Suspended { until: None, .. }),
                "{refusal:?}"
            );
            assert_eq!(
                refusal.to_string(),
                "registered is suspended until further notice: No flights"
            );
        }
    }

    #[test]
    fn acceptance_outside_the_terms() {
        let terms = sample();
        assert_eq!(
            terms.check_acceptance(&code("ems"), date!(2024 - 12 - 31)),
            Err(AcceptanceRefusal::NoAgreement)
        );
        assert_eq!(
            terms.check_acceptance(&code("ems"), date!(2025 - 01 - 01)),
            Ok(())
        );
        let refusal = terms
            .check_acceptance(&code("ecommerce"), date!(2025 - 05 - 01))
            .unwrap_err();
        assert_eq!(refusal.code(), "service_not_in_agreement");
        let mut draft = terms.to_draft();
        draft.effective_until = Some("2025-12-31".into());
        let ending = draft.validate().unwrap();
        assert_eq!(
            ending.check_acceptance(&code("ems"), date!(2025 - 12 - 31)),
            Ok(())
        );
        assert_eq!(
            ending.check_acceptance(&code("ems"), date!(2026 - 01 - 01)),
            Err(AcceptanceRefusal::NoAgreement)
        );
        assert_eq!(AcceptanceRefusal::NoAgreement.code(), "no_agreement");
    }

    #[test]
    fn routes_pick_the_offices_for_the_mail_class() {
        let terms = sample();
        let ems = terms
            .route(country("EG"), country("PS"), class("E"))
            .unwrap();
        assert_eq!(ems.origin_office, office("EGCAIF"));
        assert_eq!(ems.destination_office, office("PSRMHA"));
        assert_eq!(ems.transit_office, Some(office("JOAMMA")));
        assert!(ems.is_closed_transit());
        let letters = terms
            .route(country("EG"), country("PS"), class("U"))
            .unwrap();
        assert_eq!(letters.origin_office, office("EGCAIA"));
        // The inbound route carries every class.
        let inbound = terms
            .route(country("PS"), country("EG"), class("E"))
            .unwrap();
        assert_eq!(inbound.destination_office, office("EGCAIA"));
        assert!(
            terms
                .route(country("EG"), country("JO"), class("U"))
                .is_none()
        );
        assert!(
            terms
                .route(country("EG"), country("PS"), class("T"))
                .is_none()
        );
        let from_office = terms
            .route_from_office(office("EGCAIA"), country("PS"), class("C"))
            .unwrap();
        assert_eq!(from_office, letters);
        assert!(
            terms
                .route_from_office(office("EGCAIF"), country("PS"), class("C"))
                .is_none()
        );
    }

    fn demo() -> Vec<Agreement> {
        Agreement::demo().unwrap_or_else(|errors| {
            panic!(
                "{}",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
    }

    #[test]
    fn the_demo_agreements_load_and_match_the_service_catalogue() {
        let agreements = demo();
        let partners: Vec<String> = agreements.iter().map(|a| a.partner().to_string()).collect();
        assert_eq!(partners, ["PS", "JO", "IQ", "LY"]);
        let reference = ReferenceData::embedded().unwrap();
        for agreement in &agreements {
            assert_eq!(agreement.operator(), country("EG"));
            assert_eq!(agreement.status(), AgreementStatus::Active);
            assert_eq!(
                agreement.terms().check_services(reference.services()),
                Ok(())
            );
            for agreed in agreement.terms().services() {
                assert!(
                    agreement.outbound_route(agreed.mail_class).is_some(),
                    "{} {}",
                    agreement.partner(),
                    agreed.service
                );
                assert!(agreement.terms().target(&agreed.service).is_some());
            }
            // Each agreement round-trips through JSON.
            let json = serde_json::to_string(agreement).unwrap();
            assert_eq!(
                &serde_json::from_str::<Agreement>(&json).unwrap(),
                agreement
            );
        }
    }

    #[test]
    fn demo_routes_and_suspensions_reflect_the_region() {
        let agreements = demo();
        let eg = country("EG");
        // EG→PS goes in closed transit through Amman, letters from EGCAIA and EMS from EGCAIF.
        let (agreement, route) = find_route(&agreements, eg, country("PS"), class("U")).unwrap();
        assert_eq!(agreement.partner(), country("PS"));
        assert_eq!(route.origin_office, office("EGCAIA"));
        assert_eq!(route.destination_office, office("PSRMHA"));
        assert_eq!(route.transit_office, Some(office("JOAMMA")));
        let (_, ems) = find_route(&agreements, eg, country("PS"), class("E")).unwrap();
        assert_eq!(ems.origin_office, office("EGCAIF"));
        assert_eq!(ems.transit_office, Some(office("JOAMMA")));
        // EG→JO and EG→IQ are direct.
        let (_, jo) = find_route(&agreements, eg, country("JO"), class("U")).unwrap();
        assert_eq!(
            (jo.destination_office, jo.transit_office),
            (office("JOAMMA"), None)
        );
        let (_, iq) = find_route(&agreements, eg, country("IQ"), class("E")).unwrap();
        assert_eq!(
            (iq.destination_office, iq.transit_office),
            (office("IQBGWA"), None)
        );
        assert!(find_route(&agreements, eg, country("SY"), class("U")).is_none());

        // Parcels to LY are suspended from 2025 until further notice; EMS still goes.
        let ly = agreements
            .iter()
            .find(|a| a.partner() == country("LY"))
            .unwrap();
        let refusal = ly
            .check_acceptance(&code("parcel"), date!(2025 - 10 - 01))
            .unwrap_err();
        match refusal {
            AcceptanceRefusal::Suspended { reason, until, .. } => {
                assert_eq!(until, None);
                assert!(reason.en.contains("transport"), "{}", reason.en);
                assert!(!reason.ar.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ly.check_acceptance(&code("ems"), date!(2025 - 10 - 01)),
            Ok(())
        );
        let first_day = ly
            .terms()
            .suspensions()
            .iter()
            .find(|s| s.service == Some(code("parcel")))
            .unwrap()
            .from;
        assert_eq!(first_day.year(), 2025);
        let day_before = first_day.previous_day().unwrap();
        assert_eq!(ly.check_acceptance(&code("parcel"), day_before), Ok(()));
    }

    #[test]
    fn agreement_status_and_parties() {
        let terms = sample();
        let agreement = Agreement::new(
            country("EG"),
            country("PS"),
            "MoU EG-PS 2024",
            AgreementStatus::Active,
            terms.clone(),
        )
        .unwrap();
        assert_eq!(
            agreement.check_acceptance(&code("ems"), date!(2025 - 05 - 01)),
            Ok(())
        );
        assert_eq!(
            agreement.outbound_route(class("E")).unwrap().origin_office,
            office("EGCAIF")
        );
        for (status, expected) in [
            (AgreementStatus::Draft, "no_agreement"),
            (AgreementStatus::Ended, "no_agreement"),
            (AgreementStatus::Suspended, "suspended"),
        ] {
            let other =
                Agreement::new(country("EG"), country("PS"), "MoU", status, terms.clone()).unwrap();
            assert_eq!(
                other
                    .check_acceptance(&code("ems"), date!(2025 - 05 - 01))
                    .unwrap_err()
                    .code(),
                expected
            );
        }
        // The routes must run between the two parties.
        let errors = Agreement::new(
            country("EG"),
            country("JO"),
            "MoU",
            AgreementStatus::Active,
            terms.clone(),
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields,
            [
                ("terms.routes[0].destination_office", "wrong_country"),
                ("terms.routes[1].destination_office", "wrong_country"),
                ("terms.routes[2].origin_office", "wrong_country"),
            ]
        );
        let errors = Agreement::new(
            country("EG"),
            country("EG"),
            " ",
            AgreementStatus::Active,
            terms,
        )
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields[..2],
            [("partner", "wrong_country"), ("reference", "required")]
        );

        let list = r#"[{"operator": "EG", "partner": "JO", "reference": "MoU", "status": "paused",
            "terms": {"effective_from": "2025-01-01", "services": [{"service": "ems", "mail_class": "E", "category": "Z9"}]}}]"#;
        let errors = Agreement::list_from_json(list).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields,
            [
                ("[0].status", "invalid"),
                ("[0].terms.services[0].category", "invalid")
            ]
        );
        assert_eq!(
            AgreementStatus::parse(" Active "),
            Some(AgreementStatus::Active)
        );
    }

    #[test]
    fn services_are_checked_against_the_catalogue() {
        let reference = ReferenceData::embedded().unwrap();
        let mut draft = sample().to_draft();
        draft.services.push(AgreedServiceDraft {
            service: "pigeon".into(),
            mail_class: "U".into(),
            category: "A".into(),
        });
        draft.services[0].mail_class = "U".into();
        let terms = draft.validate().unwrap();
        let errors = terms.check_services(reference.services()).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field(), e.code())).collect();
        assert_eq!(
            fields,
            [
                ("services[0].mail_class", "class_mismatch"),
                ("services[3].service", "unknown_service")
            ]
        );
    }

    proptest! {
        #[test]
        fn a_suspension_refuses_exactly_its_days(
            start in 0i64..400,
            length in 0i64..60,
            open_ended in any::<bool>(),
            day in 0i64..500,
        ) {
            let base = date!(2025 - 01 - 01);
            let from = base + time::Duration::days(start);
            let until = (!open_ended).then(|| from + time::Duration::days(length));
            let on = base + time::Duration::days(day);
            let mut draft = sample().to_draft();
            draft.suspensions = vec![SuspensionDraft {
                service: Some("ems".into()),
                from: from.to_string(),
                until: until.map(|d| d.to_string()),
                reason: ReasonDraft { en: "Reason".into(), ar: "سبب".into() },
            }];
            let terms = draft.validate().unwrap();
            let suspended = from <= on && until.is_none_or(|until| on <= until);
            match terms.check_acceptance(&code("ems"), on) {
                Ok(()) => prop_assert!(!suspended),
                Err(AcceptanceRefusal::Suspended { until: last, .. }) => {
                    prop_assert!(suspended);
                    prop_assert_eq!(last, until);
                }
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn reading_terms_never_panics(text in "\\PC{0,200}") {
            let _ = AgreementTerms::from_json(&text);
        }
    }
}
