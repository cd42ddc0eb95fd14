//! Quality of service of an agreement: its targets against what the items did, one month at a
//! time, for the API, the dashboard pages, the CSV and the PDF report alike.
//!
//! The figures come from the counts the store keeps as events are recorded
//! (`barid_core::quality::counts`): a month of an agreement reads a few thousand count rows
//! whatever the number of items. Working days, verdicts and overdue items are worked out here,
//! with the calendars and targets of today. A drill-down reads the items behind a figure and
//! measures each with the same rules ([`barid_core::quality::measure`]).

use std::collections::BTreeMap;

use barid_core::agreement::ServiceTarget;
use barid_core::quality::{
    CountRow, QualityLeg, Tally, Verdict, WorkingCalendar, measure, tally_of_counts,
};
use barid_core::{AgreementTerms, CountryCode, Milestone, ServiceIndicator};
use barid_store::model::{Agreement, AgreementId, QualityItem, QualityScope};
use serde::Serialize;
use time::{Date, Duration, Month, OffsetDateTime};
use utoipa::ToSchema;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Items with nothing new for longer than this are stuck, unless asked otherwise.
pub const STUCK_DAYS: u16 = 5;
/// The most items a drill-down or a stuck list names.
pub const LIST_LIMIT: u32 = 200;
/// The months a trend covers, the reported one last.
pub const TREND_MONTHS: u32 = 12;

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    pub month: Month,
}

impl YearMonth {
    pub fn parse(text: &str) -> Option<Self> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
        (1900..=9999)
            .contains(&year)
            .then_some(Self { year, month })
    }

    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(&self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).unwrap_or(Date::MIN)
    }

    pub fn last_day(&self) -> Date {
        self.next().first_day().previous_day().unwrap_or(Date::MIN)
    }

    pub fn next(&self) -> Self {
        match self.month {
            Month::December => Self {
                year: self.year + 1,
                month: Month::January,
            },
            month => Self {
                year: self.year,
                month: month.next(),
            },
        }
    }

    pub fn previous(&self) -> Self {
        match self.month {
            Month::January => Self {
                year: self.year - 1,
                month: Month::December,
            },
            month => Self {
                year: self.year,
                month: month.previous(),
            },
        }
    }

    /// `n` months back (0 is this one).
    pub fn back(&self, n: u32) -> Self {
        (0..n).fold(*self, |month, _| month.previous())
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// The `month` query parameter, or this month.
pub fn month_or_now(state: &AppState, month: Option<&str>) -> ApiResult<YearMonth> {
    match month {
        None | Some("") => Ok(YearMonth::of(state.now().date())),
        Some(text) => YearMonth::parse(text).ok_or_else(|| {
            ApiError::invalid_query("month", format!("{text:?} is not a month: write 2026-11"))
        }),
    }
}

// --- the figures ---------------------------------------------------------------------------

/// An agreement's quality of service in a month, both ways.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementQuality {
    pub agreement: i64,
    #[schema(example = "EG")]
    pub operator: String,
    #[schema(example = "PS")]
    pub partner: String,
    #[schema(example = "MoU EG-PS 2024/07")]
    pub reference: String,
    /// The month of posting reported on.
    #[schema(example = "2026-11")]
    pub month: String,
    /// When the figures were worked out: items still travelling then are in flight or overdue.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: OffsetDateTime,
    /// Items are stuck after this many days with nothing new.
    pub stuck_days: u16,
    pub directions: Vec<DirectionQuality>,
}

/// One way of an agreement: the items posted in `origin` for `destination`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectionQuality {
    #[schema(example = "EG")]
    pub origin: String,
    #[schema(example = "PS")]
    pub destination: String,
    /// The post closed transit dispatches pass through, if the route has one.
    #[schema(example = "JO")]
    pub via: Option<String>,
    pub services: Vec<ServiceQuality>,
    pub stuck: StuckQuality,
    pub discrepancies: DiscrepancyQuality,
}

/// One service's figures against its target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceQuality {
    #[schema(example = "ems")]
    pub service: String,
    pub service_en: String,
    pub service_ar: String,
    /// J+N: N working days from posting to delivery.
    pub target_days: u16,
    /// The share of items to deliver by J+N, in per mille (850 = 85 %).
    pub target_per_mille: u16,
    /// Every item posted in the month.
    pub posted: u64,
    pub met: u64,
    pub late: u64,
    /// Not delivered and past J+N: counted as missed.
    pub overdue: u64,
    /// Not delivered, still able to meet J+N: not counted either way.
    pub in_flight: u64,
    pub returned: u64,
    /// Met, late and overdue: what the share is taken over.
    pub counted: u64,
    pub met_per_mille: Option<u64>,
    /// Whether the share met reaches the target; `null` with nothing counted yet.
    pub meets_target: Option<bool>,
    /// Working days from posting to delivery: items delivered on J+0, J+1, ... (the last
    /// holds J+30 and later).
    pub distribution: Vec<u64>,
    pub median_days: Option<u32>,
    /// The working days by which the target share of the delivered items arrived.
    pub target_share_days: Option<u32>,
    pub legs: Vec<LegQuality>,
    /// The legs that miss their targets, e.g. `transit`.
    pub late_legs: Vec<String>,
    pub customs: CustomsQuality,
    /// The share met month by month, the reported month last.
    pub trend: Vec<MonthQuality>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegQuality {
    #[schema(example = "transit")]
    pub leg: String,
    pub target_days: Option<u16>,
    /// Items that completed the leg.
    pub items: u64,
    pub median_days: Option<u32>,
    pub within_target: Option<u64>,
    pub within_target_per_mille: Option<u64>,
    /// Fewer than the service's target share completed the leg within its target.
    pub late: bool,
    pub distribution: Vec<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomsQuality {
    /// Items import customs held.
    pub held: u64,
    /// Held over posted, per mille.
    pub hold_rate_per_mille: Option<u64>,
    /// The average hold in hours (still-held items count until now).
    pub average_hold_hours: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthQuality {
    #[schema(example = "2026-10")]
    pub month: String,
    pub counted: u64,
    pub met_per_mille: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StuckQuality {
    /// How many items are stuck in all.
    pub total: u64,
    pub per_step: Vec<StuckStep>,
    /// The longest stuck first, at most 200.
    pub items: Vec<StuckItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StuckStep {
    /// The last step reached (`arrived_inward_office`...).
    pub milestone: String,
    pub items: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StuckItem {
    #[schema(example = "RR123456785EG")]
    pub s10: String,
    pub milestone: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub since: OffsetDateTime,
    /// Working days since, in the destination's calendar.
    pub days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscrepancyQuality {
    /// Dispatches closed in the month with a discrepancy.
    pub dispatches: u64,
    pub total: u64,
    pub per_code: Vec<DiscrepancyCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscrepancyCount {
    #[schema(example = "missing_item")]
    pub code: String,
    pub count: u64,
}

/// Every post's working days as this operator knows them.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    set: BTreeMap<CountryCode, WorkingCalendar>,
}

impl Calendars {
    pub async fn of(state: &AppState, operator: CountryCode) -> ApiResult<Self> {
        Ok(Self {
            set: state
                .store()
                .calendars(operator)
                .await?
                .into_iter()
                .map(|record| (record.country, record.calendar))
                .collect(),
        })
    }

    pub fn get(&self, country: &CountryCode) -> WorkingCalendar {
        self.set
            .get(country)
            .cloned()
            .unwrap_or_else(|| WorkingCalendar::default_for(country))
    }
}

/// The agreement of the caller's operator, with its terms.
pub async fn agreement_of(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
) -> ApiResult<(Agreement, AgreementTerms)> {
    let agreement = crate::api::agreements::find(state, principal.operator, id).await?;
    let terms = stored_terms(&agreement)?;
    Ok((agreement, terms))
}

/// An agreement's stored terms; they were checked when saved, so terms that no longer read
/// are the server's problem.
pub fn stored_terms(agreement: &Agreement) -> ApiResult<AgreementTerms> {
    AgreementTerms::from_json_value(agreement.terms.clone()).map_err(|errors| {
        ApiError::internal(format!(
            "agreement {} has stored terms that do not read ({} problems)",
            agreement.id,
            errors.len()
        ))
    })
}

/// The S10 service indicators of a service (`ems`: EE, EA).
fn indicators_of(state: &AppState, target: &ServiceTarget) -> Vec<ServiceIndicator> {
    state
        .reference()
        .service(&target.service)
        .map(|info| info.indicators.clone())
        .unwrap_or_default()
}

fn names_of(state: &AppState, target: &ServiceTarget) -> (String, String) {
    match state.reference().service(&target.service) {
        Some(info) => (info.names.en.clone(), info.names.ar.clone()),
        None => (
            target.service.as_str().to_owned(),
            target.service.as_str().to_owned(),
        ),
    }
}

/// The two ways of an agreement: ours to the partner first.
fn directions(agreement: &Agreement) -> [(CountryCode, CountryCode); 2] {
    [
        (agreement.operator, agreement.partner),
        (agreement.partner, agreement.operator),
    ]
}

fn via(terms: &AgreementTerms, origin: CountryCode, destination: CountryCode) -> Option<String> {
    terms
        .routes()
        .iter()
        .find(|route| {
            route.origin_office.country() == origin
                && route.destination_office.country() == destination
        })
        .and_then(|route| route.transit_office)
        .map(|office| office.country().to_string())
}

fn per_mille(part: u64, whole: u64) -> Option<u64> {
    (whole > 0).then(|| part * 1000 / whole)
}

/// An agreement's figures for `month` as of now.
pub async fn agreement_quality(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
    month: YearMonth,
    stuck_days: u16,
) -> ApiResult<AgreementQuality> {
    let (agreement, terms) = agreement_of(state, principal, id).await?;
    let now = state.now();
    let calendars = Calendars::of(state, principal.operator).await?;
    let mut result = Vec::new();
    for (origin, destination) in directions(&agreement) {
        result.push(
            direction_quality(
                state,
                principal.operator,
                &terms,
                (origin, destination),
                &calendars,
                month,
                now,
                stuck_days,
            )
            .await?,
        );
    }
    Ok(AgreementQuality {
        agreement: agreement.id.0,
        operator: agreement.operator.to_string(),
        partner: agreement.partner.to_string(),
        reference: agreement.reference.clone(),
        month: month.to_string(),
        as_of: now,
        stuck_days,
        directions: result,
    })
}

#[allow(clippy::too_many_arguments)]
async fn direction_quality(
    state: &AppState,
    operator: CountryCode,
    terms: &AgreementTerms,
    (origin, destination): (CountryCode, CountryCode),
    calendars: &Calendars,
    month: YearMonth,
    now: OffsetDateTime,
    stuck_days: u16,
) -> ApiResult<DirectionQuality> {
    let first_month = month.back(TREND_MONTHS - 1);
    let counts = state
        .store()
        .quality_counts(
            operator,
            &QualityScope {
                origin,
                destination,
                posted_from: first_month.first_day(),
                posted_until: month.last_day(),
            },
        )
        .await?;
    // Per service indicator and month of posting.
    let mut grouped: BTreeMap<(String, YearMonth), Vec<CountRow>> = BTreeMap::new();
    for count in counts {
        grouped
            .entry((count.service, YearMonth::of(count.count.key.posted_on)))
            .or_default()
            .push(count.count);
    }
    let origin_calendar = calendars.get(&origin);
    let destination_calendar = calendars.get(&destination);
    let mut services = Vec::new();
    for target in terms.targets() {
        let indicators: Vec<String> = indicators_of(state, target)
            .iter()
            .map(|indicator| indicator.as_str().to_owned())
            .collect();
        let tally_of = |wanted: YearMonth| {
            let rows = indicators
                .iter()
                .filter_map(|indicator| grouped.get(&(indicator.clone(), wanted)))
                .flatten();
            tally_of_counts(rows, target, &origin_calendar, &destination_calendar, now)
        };
        let tally = tally_of(month);
        let trend = (0..TREND_MONTHS)
            .rev()
            .map(|back| {
                let wanted = month.back(back);
                let tally = tally_of(wanted);
                MonthQuality {
                    month: wanted.to_string(),
                    counted: tally.counted(),
                    met_per_mille: tally.met_per_mille(),
                }
            })
            .collect();
        let (service_en, service_ar) = names_of(state, target);
        services.push(service_quality(
            target, &tally, service_en, service_ar, trend,
        ));
    }
    let stuck = stuck_quality(
        state,
        operator,
        (origin, destination),
        &destination_calendar,
        now,
        stuck_days,
    )
    .await?;
    let discrepancies = discrepancy_quality(state, operator, (origin, destination), month).await?;
    Ok(DirectionQuality {
        origin: origin.to_string(),
        destination: destination.to_string(),
        via: via(terms, origin, destination),
        services,
        stuck,
        discrepancies,
    })
}

fn service_quality(
    target: &ServiceTarget,
    tally: &Tally,
    service_en: String,
    service_ar: String,
    trend: Vec<MonthQuality>,
) -> ServiceQuality {
    let share = target.share.per_mille();
    let legs: Vec<LegQuality> = QualityLeg::ALL
        .iter()
        .zip(&tally.legs)
        .map(|(leg, buckets)| {
            let items: u64 = buckets.iter().sum();
            let target_days = leg.target(target);
            let within = target_days.map(|days| Tally::within(buckets, days));
            LegQuality {
                leg: leg.as_str().to_owned(),
                target_days,
                items,
                median_days: Tally::quantile(buckets, 500),
                within_target: within,
                within_target_per_mille: within.and_then(|within| per_mille(within, items)),
                late: within
                    .is_some_and(|within| items > 0 && !target.share.is_met_by(within, items)),
                distribution: buckets.clone(),
            }
        })
        .collect();
    let posted = tally.counted() + tally.in_flight + tally.returned;
    let hold_seconds = tally.customs_hold_total.whole_seconds().max(0);
    ServiceQuality {
        service: target.service.as_str().to_owned(),
        service_en,
        service_ar,
        target_days: target.days,
        target_per_mille: share,
        posted,
        met: tally.met,
        late: tally.late,
        overdue: tally.overdue,
        in_flight: tally.in_flight,
        returned: tally.returned,
        counted: tally.counted(),
        met_per_mille: tally.met_per_mille(),
        meets_target: (tally.counted() > 0).then(|| tally.meets(target)),
        distribution: {
            let mut buckets = tally.end_to_end.clone();
            buckets.resize(Tally::LONGEST + 1, 0);
            buckets
        },
        median_days: Tally::quantile(&tally.end_to_end, 500),
        target_share_days: Tally::quantile(&tally.end_to_end, share),
        late_legs: legs
            .iter()
            .filter(|leg| leg.late)
            .map(|leg| leg.leg.clone())
            .collect(),
        legs,
        customs: CustomsQuality {
            held: tally.customs_held,
            hold_rate_per_mille: per_mille(tally.customs_held, posted),
            average_hold_hours: (tally.customs_held > 0)
                .then(|| u64::try_from(hold_seconds).unwrap_or(0) / 3600 / tally.customs_held),
        },
        trend,
    }
}

async fn stuck_quality(
    state: &AppState,
    operator: CountryCode,
    (origin, destination): (CountryCode, CountryCode),
    calendar: &WorkingCalendar,
    now: OffsetDateTime,
    stuck_days: u16,
) -> ApiResult<StuckQuality> {
    // `stuck_days` working days of the destination before today: the list's "days" column
    // counts the same way.
    let today = now.date();
    let mut since = today;
    while calendar.working_days_after(since, today) < u32::from(stuck_days) {
        match since.previous_day() {
            Some(day) => since = day,
            None => break,
        }
    }
    let before = now - Duration::days((today - since).whole_days());
    let stuck = state
        .store()
        .stuck_items(operator, origin, destination, before, LIST_LIMIT)
        .await?;
    Ok(StuckQuality {
        total: stuck.per_step.iter().map(|(_, items)| items).sum(),
        per_step: stuck
            .per_step
            .iter()
            .map(|(milestone, items)| StuckStep {
                milestone: milestone.as_str().to_owned(),
                items: *items,
            })
            .collect(),
        items: stuck
            .items
            .iter()
            .filter_map(|item| {
                let (milestone, since) = item.timeline.last()?;
                Some(StuckItem {
                    s10: item.s10.to_string(),
                    milestone: milestone.as_str().to_owned(),
                    since,
                    days: calendar.working_days_after(since.date(), now.date()),
                })
            })
            .collect(),
    })
}

async fn discrepancy_quality(
    state: &AppState,
    operator: CountryCode,
    (origin, destination): (CountryCode, CountryCode),
    month: YearMonth,
) -> ApiResult<DiscrepancyQuality> {
    let from = month.first_day().midnight().assume_utc();
    let until = month.next().first_day().midnight().assume_utc();
    let dispatches = state
        .store()
        .dispatch_discrepancies(operator, origin, destination, from, until)
        .await?;
    let mut per_code: BTreeMap<String, u64> = BTreeMap::new();
    let mut with_any = 0;
    for dispatch in &dispatches {
        let mut codes = dispatch.codes.clone();
        if let Some(response) = dispatch.partner_response.as_deref()
            && let Some(resdes) =
                crate::exchange_messages::decode_partner_response(response, &dispatch.s8)
        {
            codes.extend(
                resdes
                    .discrepancies()
                    .iter()
                    .map(|discrepancy| discrepancy.code().to_owned()),
            );
        }
        if !codes.is_empty() {
            with_any += 1;
        }
        for code in codes {
            *per_code.entry(code).or_default() += 1;
        }
    }
    Ok(DiscrepancyQuality {
        dispatches: with_any,
        total: per_code.values().sum(),
        per_code: per_code
            .into_iter()
            .map(|(code, count)| DiscrepancyCount { code, count })
            .collect(),
    })
}

// --- the network -----------------------------------------------------------------------------

/// One way of one agreement this month, for the network overview.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteCompliance {
    pub agreement: i64,
    pub origin: String,
    pub destination: String,
    pub via: Option<String>,
    pub service: String,
    pub target_days: u16,
    pub target_per_mille: u16,
    pub counted: u64,
    pub in_flight: u64,
    pub met_per_mille: Option<u64>,
    /// `met`, `below` or `none` (nothing counted yet): the colour of the route.
    pub compliance: String,
    pub late_legs: Vec<String>,
}

/// Every agreement's routes and services in `month`, coloured by compliance.
pub async fn network(
    state: &AppState,
    principal: &Principal,
    month: YearMonth,
) -> ApiResult<Vec<RouteCompliance>> {
    let mut routes = Vec::new();
    for agreement in state.store().agreements(principal.operator).await? {
        let Ok(terms) = AgreementTerms::from_json_value(agreement.terms.clone()) else {
            continue;
        };
        if terms.targets().is_empty() {
            continue;
        }
        let quality = agreement_quality(state, principal, agreement.id, month, STUCK_DAYS).await?;
        for direction in quality.directions {
            // A service nobody posted this month has nothing to colour.
            for service in direction
                .services
                .into_iter()
                .filter(|service| service.posted > 0)
            {
                routes.push(RouteCompliance {
                    agreement: agreement.id.0,
                    origin: direction.origin.clone(),
                    destination: direction.destination.clone(),
                    via: direction.via.clone(),
                    service: service.service.clone(),
                    target_days: service.target_days,
                    target_per_mille: service.target_per_mille,
                    counted: service.counted,
                    in_flight: service.in_flight,
                    met_per_mille: service.met_per_mille,
                    compliance: match service.meets_target {
                        Some(true) => "met",
                        Some(false) => "below",
                        None => "none",
                    }
                    .to_owned(),
                    late_legs: service.late_legs,
                });
            }
        }
    }
    Ok(routes)
}

// --- drill-down ------------------------------------------------------------------------------

/// The items behind a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    Met,
    Late,
    Overdue,
    InFlight,
    Returned,
    CustomsHeld,
    /// Delivered on J+`n` (a bar of the distribution; 30 is J+30 and later).
    DeliveredOn(u32),
    /// Completed `leg` later than its target.
    LateLeg(QualityLeg),
}

impl Figure {
    pub fn parse(figure: &str, day: Option<u32>, leg: Option<&str>) -> Option<Self> {
        Some(match figure {
            "met" => Figure::Met,
            "late" => Figure::Late,
            "overdue" => Figure::Overdue,
            "in_flight" => Figure::InFlight,
            "returned" => Figure::Returned,
            "customs_held" => Figure::CustomsHeld,
            "delivered_on" => Figure::DeliveredOn(day?),
            "late_leg" => Figure::LateLeg(QualityLeg::parse(leg?)?),
            _ => return None,
        })
    }

    fn holds(
        &self,
        item: &QualityItem,
        target: &ServiceTarget,
        origin: &WorkingCalendar,
        destination: &WorkingCalendar,
        now: OffsetDateTime,
    ) -> bool {
        let measured = measure(&item.timeline, target, origin, destination, now);
        match self {
            Figure::Met => measured.verdict == Verdict::Met,
            Figure::Late => measured.verdict == Verdict::Late,
            Figure::Overdue => measured.verdict == Verdict::Overdue,
            Figure::InFlight => measured.verdict == Verdict::InFlight,
            Figure::Returned => measured.verdict == Verdict::Returned,
            Figure::CustomsHeld => measured.customs_hold.is_some(),
            Figure::DeliveredOn(day) => measured.end_to_end_days.is_some_and(|days| {
                days.min(Tally::LONGEST as u32) == (*day).min(Tally::LONGEST as u32)
            }),
            Figure::LateLeg(leg) => match (measured.leg(*leg), leg.target(target)) {
                (Some(days), Some(wanted)) => days > u32::from(wanted),
                _ => false,
            },
        }
    }
}

/// One item of a drill-down.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DrilledItem {
    #[schema(example = "RR123456785EG")]
    pub s10: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub posted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<OffsetDateTime>,
    /// `met`, `late`, `overdue`, `in_flight`, `returned`.
    pub verdict: String,
    /// Working days from posting to delivery.
    pub days: Option<u32>,
    /// The last step reached.
    pub last_milestone: Option<String>,
}

/// The items behind a figure, at most [`LIST_LIMIT`].
#[derive(Debug, Clone)]
pub struct Drilled {
    pub origin: CountryCode,
    pub destination: CountryCode,
    pub service: String,
    pub items: Vec<DrilledItem>,
    /// More items are behind the figure than listed.
    pub more: bool,
}

/// The items of one direction (ours to the partner when `None`) and service (the first target
/// when `None`) posted in `month` behind `figure`.
#[allow(clippy::too_many_arguments)]
pub async fn drill_down(
    state: &AppState,
    principal: &Principal,
    id: AgreementId,
    month: YearMonth,
    direction: Option<(CountryCode, CountryCode)>,
    service: Option<&str>,
    figure: Figure,
) -> ApiResult<Drilled> {
    let (agreement, terms) = agreement_of(state, principal, id).await?;
    let (origin, destination) = direction.unwrap_or((agreement.operator, agreement.partner));
    if !directions(&agreement).contains(&(origin, destination)) {
        return Err(ApiError::invalid_query(
            "direction",
            format!(
                "agreement {} is between {} and {}",
                agreement.id, agreement.operator, agreement.partner
            ),
        ));
    }
    let target = terms
        .targets()
        .iter()
        .find(|target| service.is_none_or(|service| target.service.as_str() == service))
        .ok_or_else(|| {
            ApiError::invalid_query(
                "service",
                format!(
                    "agreement {} sets no target for {}",
                    agreement.id,
                    service.unwrap_or("any service")
                ),
            )
        })?;
    let indicators: Vec<String> = indicators_of(state, target)
        .iter()
        .map(|indicator| indicator.as_str().to_owned())
        .collect();
    let calendars = Calendars::of(state, principal.operator).await?;
    let (origin_calendar, destination_calendar) =
        (calendars.get(&origin), calendars.get(&destination));
    let now = state.now();
    let scope = QualityScope {
        origin,
        destination,
        posted_from: month.first_day(),
        posted_until: month.last_day(),
    };
    const PAGE: u32 = 2_000;
    let mut found = Vec::new();
    let mut after = None;
    loop {
        let page = state
            .store()
            .quality_items(principal.operator, &scope, after, PAGE)
            .await?;
        for item in &page {
            if !indicators.contains(&item.service)
                || !figure.holds(item, target, &origin_calendar, &destination_calendar, now)
            {
                continue;
            }
            if found.len() == LIST_LIMIT as usize {
                return Ok(Drilled {
                    origin,
                    destination,
                    service: target.service.as_str().to_owned(),
                    items: found,
                    more: true,
                });
            }
            let measured = measure(
                &item.timeline,
                target,
                &origin_calendar,
                &destination_calendar,
                now,
            );
            found.push(DrilledItem {
                s10: item.s10.to_string(),
                posted_at: item.timeline.first(Milestone::Posted),
                delivered_at: item.timeline.first(Milestone::Delivered),
                verdict: measured.verdict.as_str().to_owned(),
                days: measured.end_to_end_days,
                last_milestone: item
                    .timeline
                    .last()
                    .map(|(milestone, _)| milestone.as_str().to_owned()),
            });
        }
        match page.last() {
            Some(last) if page.len() == PAGE as usize => {
                after = Some((
                    last.timeline
                        .first(Milestone::Posted)
                        .map_or(scope.posted_from, |at| at.date()),
                    last.item,
                ));
            }
            _ => {
                return Ok(Drilled {
                    origin,
                    destination,
                    service: target.service.as_str().to_owned(),
                    items: found,
                    more: false,
                });
            }
        }
    }
}

// --- the monthly report ----------------------------------------------------------------------

/// The bilingual name of a milestone, from the event codes' reference data.
pub fn milestone_names(state: &AppState, milestone: &str) -> (String, String) {
    Milestone::parse(milestone)
        .ok()
        .and_then(|milestone| state.reference().code_for(milestone))
        .and_then(|code| state.reference().event(&code))
        .map_or_else(
            || (milestone.to_owned(), milestone.to_owned()),
            |event| (event.names.en.clone(), event.names.ar.clone()),
        )
}

/// A leg's name in English and Arabic, as the pages name it.
fn leg_names(leg: &str) -> (String, String) {
    use crate::pages::i18n::Tr;
    use barid_store::model::Language;
    let key = format!("agreements-leg-{leg}");
    (
        Tr::new(Language::En).tr(&key),
        Tr::new(Language::Ar).tr(&key),
    )
}

fn country(code: &str) -> ApiResult<CountryCode> {
    CountryCode::parse(code).map_err(ApiError::internal)
}

/// What the PDF report prints of an agreement's month.
pub fn report_input(
    state: &AppState,
    quality: &AgreementQuality,
    month: YearMonth,
) -> ApiResult<barid_docs::QualityReportInput> {
    let mut directions = Vec::new();
    for direction in &quality.directions {
        let services = direction
            .services
            .iter()
            .map(|service| barid_docs::QualityServiceFigures {
                service_en: service.service_en.clone(),
                service_ar: service.service_ar.clone(),
                target_days: service.target_days,
                target_per_mille: service.target_per_mille,
                met: service.met,
                late: service.late,
                overdue: service.overdue,
                in_flight: service.in_flight,
                returned: service.returned,
                met_per_mille: service.met_per_mille,
                meets_target: service.meets_target.unwrap_or(false),
                distribution: service.distribution.clone(),
                median_days: service.median_days,
                legs: service
                    .legs
                    .iter()
                    .map(|leg| {
                        let (leg_en, leg_ar) = leg_names(&leg.leg);
                        barid_docs::QualityLegFigures {
                            leg_en,
                            leg_ar,
                            target_days: leg.target_days,
                            items: leg.items,
                            median_days: leg.median_days,
                            within_target_per_mille: leg.within_target_per_mille,
                            late: leg.late,
                        }
                    })
                    .collect(),
                customs_held: service.customs.held,
                customs_hold_hours: service.customs.average_hold_hours,
                trend: service
                    .trend
                    .iter()
                    .filter_map(|point| {
                        Some(barid_docs::QualityMonthPoint {
                            month: YearMonth::parse(&point.month)?.first_day(),
                            met_per_mille: point.met_per_mille,
                            counted: point.counted,
                        })
                    })
                    .collect(),
            })
            .collect();
        let stuck = direction
            .stuck
            .items
            .iter()
            .take(50)
            .map(|item| {
                let (step_en, step_ar) = milestone_names(state, &item.milestone);
                Ok(barid_docs::QualityStuckItem {
                    s10: barid_core::S10Id::parse(&item.s10).map_err(ApiError::internal)?,
                    step_en,
                    step_ar,
                    since: item.since,
                    days: item.days,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        directions.push(barid_docs::QualityDirection {
            origin: country(&direction.origin)?,
            destination: country(&direction.destination)?,
            via: direction.via.as_deref().map(country).transpose()?,
            services,
            stuck,
            stuck_total: direction.stuck.total,
            discrepancies: direction.discrepancies.total,
        });
    }
    Ok(barid_docs::QualityReportInput {
        operator: country(&quality.operator)?,
        partner: country(&quality.partner)?,
        reference: quality.reference.clone(),
        month: month.first_day(),
        generated_at: quality.as_of,
        directions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_and_step() {
        let november = YearMonth::parse("2026-11").unwrap();
        assert_eq!(november.to_string(), "2026-11");
        assert_eq!(november.first_day(), time::macros::date!(2026 - 11 - 01));
        assert_eq!(november.last_day(), time::macros::date!(2026 - 11 - 30));
        assert_eq!(november.back(11).to_string(), "2025-12");
        assert_eq!(november.next().next().to_string(), "2027-01");
        for bad in ["2026-13", "2026-1", "26-11", "november", "2026-00", ""] {
            assert!(YearMonth::parse(bad).is_none(), "{bad}");
        }
    }
}
