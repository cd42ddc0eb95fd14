//! The office of exchange, outward: arrival scans, export customs, receptacles and dispatch
//! closing. Shared by the JSON API and the HTML screens.
//!
//! The postal rules are barid-core's (`exchange`, `lifecycle`); the store keeps the rows and
//! serialises concurrent changes. This module loads what the rules need, asks them, and turns
//! their refusals into `refused` errors carrying the rule's own code, so a scanner screen can
//! say exactly why an item was not taken.

use barid_core::exchange::{
    self as domain, ItemFacts, Receptacle, ReceptacleState, RoutePlan, SeriesYear,
};
use barid_core::lifecycle::{self, CustomsClearance, EventSource, ItemState, LifecycleEvent};
use barid_core::{
    CountryCode, DispatchSeries, Grams, MailCategory, MailClass, MailSubclass, Milestone, Money,
    NextAction, OfficeCode, ReasonCode, S10Id, SiteCode,
};
use barid_store::StoreError;
use barid_store::model::*;
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// How often a step is retried when a concurrent change to the same item got in between.
pub(crate) const ATTEMPTS: usize = 3;

/// One of our offices of exchange, with its IMPC code, where the principal may act.
#[derive(Debug, Clone)]
pub struct ExchangeOffice {
    pub office: Office,
    pub impc: OfficeCode,
}

impl ExchangeOffice {
    pub fn site(&self) -> &SiteCode {
        &self.office.code
    }
}

/// The office named (or the principal's only office): an office of `kind` of the principal's
/// operator that the principal works at.
pub async fn our_office(
    state: &AppState,
    principal: &Principal,
    named: Option<&str>,
    kind: OfficeKind,
) -> ApiResult<Office> {
    let code = match named.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => SiteCode::parse(text)
            .map_err(|error| ApiError::invalid_body("office", error.to_string()))?,
        None => principal.home_office().cloned().ok_or_else(|| {
            ApiError::invalid_body(
                "office",
                "name the office: you work at more than one office, or none",
            )
        })?,
    };
    let office = state
        .store()
        .office(principal.operator, &code)
        .await?
        .ok_or_else(|| ApiError::not_found("office"))?;
    principal.require_office(&office.code)?;
    if office.kind != kind {
        return Err(ApiError::refused(
            &format!("not_a_{}_office", kind.as_str()),
            "office",
            format!(
                "{code} is a {} office, not a {} office",
                office.kind.as_str(),
                kind.as_str()
            ),
        ));
    }
    Ok(office)
}

/// The office named (or the principal's only office), which must be an office of exchange of
/// the principal's operator that the principal works at.
pub async fn office_of_exchange(
    state: &AppState,
    principal: &Principal,
    named: Option<&str>,
) -> ApiResult<ExchangeOffice> {
    let office = our_office(state, principal, named, OfficeKind::Exchange)
        .await
        .map_err(|error| match error.rule() {
            Some(_) => ApiError::refused(
                "not_an_office_of_exchange",
                "office",
                error
                    .message()
                    .replace("a exchange office", "an office of exchange"),
            ),
            None => error,
        })?;
    match office.impc {
        Some(impc) => Ok(ExchangeOffice { office, impc }),
        None => Err(ApiError::refused(
            "not_an_office_of_exchange",
            "office",
            format!("{} has no IMPC code", office.code),
        )),
    }
}

pub fn parse_s10(text: &str) -> ApiResult<S10Id> {
    S10Id::parse(text.trim()).map_err(|error| {
        ApiError::refused(
            "invalid_s10",
            "s10",
            format!("{:?} is not an S10 item ID: {error}", text.trim()),
        )
    })
}

/// Our copy of the item, or a refusal that says the office does not know it.
pub async fn known_item(state: &AppState, principal: &Principal, s10: &S10Id) -> ApiResult<Item> {
    state
        .store()
        .item(principal.operator, s10)
        .await?
        .ok_or_else(|| {
            ApiError::refused(
                "unknown_item",
                "s10",
                format!(
                    "{s10} is not known here: it was not accepted by this post or advised to it"
                ),
            )
        })
}

pub(crate) fn lifecycle_event(event: &ItemEvent) -> LifecycleEvent {
    LifecycleEvent {
        milestone: event.event.milestone,
        at: event.event.at,
        next_action: event.event.next_action,
        source: event.event.source,
    }
}

pub(crate) async fn item_state(state: &AppState, item: &Item) -> ApiResult<ItemState> {
    let events = state.store().item_events(item.operator, item.id).await?;
    Ok(state_of_events(&events))
}

/// The lifecycle state an item's stored events give.
pub(crate) fn state_of_events(events: &[ItemEvent]) -> ItemState {
    let stored: Vec<LifecycleEvent> = events.iter().map(lifecycle_event).collect();
    lifecycle::replay(&stored).state
}

/// What an event adds to its code, time and office.
#[derive(Debug, Clone, Default)]
pub struct EventDetails {
    pub reason: Option<ReasonCode>,
    pub next_action: Option<NextAction>,
    pub signatory: Option<String>,
    pub note: Option<String>,
    /// Duty and charges collected on delivery (`EMI`).
    pub collected: Option<Money>,
}

/// The recorded event, and whether it was recorded now or had been already (a second scan).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub item: Item,
    pub event: ItemEvent,
    pub repeated: bool,
}

fn refused_by_lifecycle(s10: &S10Id, error: &lifecycle::LifecycleError) -> ApiError {
    ApiError::refused(error.code(), "s10", format!("{s10}: {error}"))
}

/// Records a local event on our copy of the item, checked by the strict lifecycle rules.
pub async fn record_local_event(
    state: &AppState,
    principal: &Principal,
    s10: &S10Id,
    milestone: Milestone,
    office: &SiteCode,
    details: EventDetails,
) -> ApiResult<Recorded> {
    let code = state.reference().code_for(milestone).ok_or_else(|| {
        ApiError::internal(format!(
            "the reference data has no event code for {milestone}"
        ))
    })?;
    if let Some(reason) = &details.reason
        && state.reference().reason(reason).is_none()
    {
        return Err(ApiError::refused(
            "unknown_reason",
            "reason",
            format!("{} is not in the reason table", reason.as_str()),
        ));
    }
    let mut last_conflict = None;
    for _ in 0..ATTEMPTS {
        let item = known_item(state, principal, s10).await?;
        let at = state.now();
        let current = item_state(state, &item).await?;
        let next_action = match milestone {
            // The last attempt the delivery policy allows sends the item back, whatever the
            // office asked for.
            Milestone::DeliveryAttemptFailed => state
                .delivery_policy()
                .after_failed_attempt(&current, details.next_action),
            _ => details.next_action,
        };
        if milestone == Milestone::Delivered {
            check_duty_collected(state, &item, details.collected.as_ref()).await?;
        }
        let event = LifecycleEvent {
            milestone,
            at,
            next_action,
            source: EventSource::Local,
        };
        let next = lifecycle::apply_local(&current, &event)
            .map_err(|error| refused_by_lifecycle(s10, &error))?;
        let new_event = NewEvent {
            code,
            milestone,
            at,
            office: office.clone(),
            reason: details.reason.clone(),
            next_action,
            signatory: details.signatory.clone(),
            note: details.note.clone(),
            source: EventSource::Local,
            reported_by: None,
            collected: details.collected.filter(|money| !money.is_zero()),
        };
        let derived = DerivedStatus {
            status: next.status(),
            leg: next.leg(),
        };
        // The origin post follows its item at the destination: every event we record on a
        // partner's item is reported back to it.
        let report = crate::exchange_messages::emsevt(
            principal.operator,
            item.origin_country,
            vec![barid_messages::TrackingEvent {
                s10: *s10,
                code,
                milestone,
                at,
                office: office.clone(),
                reason: details.reason.clone(),
                next_action,
                signatory: details
                    .signatory
                    .as_deref()
                    .map(barid_messages::Signatory::parse)
                    .transpose()
                    .map_err(|error| ApiError::invalid_body("signatory", error.to_string()))?,
                note: details
                    .note
                    .as_deref()
                    .map(barid_messages::Note::parse)
                    .transpose()
                    .map_err(|error| ApiError::invalid_body("note", error.to_string()))?,
            }],
            at,
        )?;
        match state
            .store()
            .record_event(
                &principal.actor(at),
                item.id,
                item.version,
                &new_event,
                derived,
                &report,
            )
            .await
        {
            Ok(EventRecorded::Recorded(event)) | Ok(EventRecorded::Duplicate(event)) => {
                let item = known_item(state, principal, s10).await?;
                return Ok(Recorded {
                    item,
                    event,
                    repeated: false,
                });
            }
            Err(StoreError::Conflict { what, message }) => {
                last_conflict = Some(StoreError::Conflict { what, message });
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(last_conflict
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("event retries exhausted")))
}

/// Refuses a delivery that does not collect exactly the duty customs assessed.
async fn check_duty_collected(
    state: &AppState,
    item: &Item,
    collected: Option<&Money>,
) -> ApiResult<()> {
    let duties = state.store().duties_of(item.operator, &[item.id]).await?;
    let due = duties.first().map(|duty| &duty.amount);
    barid_core::delivery::check_collection(due, collected)
        .map_err(|error| ApiError::refused(error.code(), "collected", error.to_string()))
}

/// The outward arrival scan (`EMB`). Scanning an item that has already arrived here answers
/// with its arrival again (`repeated`), so a double scan is harmless; an item already in a
/// receptacle is refused, since it has been handled.
pub async fn scan_arrival(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    s10: &S10Id,
) -> ApiResult<Recorded> {
    let item = known_item(state, principal, s10).await?;
    if let Some(receptacle) = state
        .store()
        .active_receptacle_of(principal.operator, item.id)
        .await?
    {
        return Err(ApiError::refused(
            "already_bagged",
            "s10",
            format!("{s10} is already in receptacle {receptacle}"),
        ));
    }
    if item.origin_country != principal.operator && item.leg != barid_core::lifecycle::Leg::Return {
        return Err(ApiError::refused(
            "not_outward",
            "s10",
            format!("{s10} was not posted with us: it is inward mail, not for the outward office"),
        ));
    }
    let events = state.store().item_events(item.operator, item.id).await?;
    if let Some(arrival) = events.iter().rev().find(|event| {
        event.event.milestone == Milestone::ArrivedOutwardOffice
            && &event.event.office == office.site()
    }) && item.status == barid_core::lifecycle::ItemStatus::AtOutwardOffice
    {
        return Ok(Recorded {
            item,
            event: arrival.clone(),
            repeated: true,
        });
    }
    record_local_event(
        state,
        principal,
        s10,
        Milestone::ArrivedOutwardOffice,
        office.site(),
        EventDetails::default(),
    )
    .await
}

/// An export customs step at the outward office.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportCustomsStep {
    Present,
    Hold,
    Return,
}

impl ExportCustomsStep {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "present" => Some(Self::Present),
            "hold" => Some(Self::Hold),
            "return" => Some(Self::Return),
            _ => None,
        }
    }

    fn milestone(self) -> Milestone {
        match self {
            Self::Present => Milestone::PresentedExportCustoms,
            Self::Hold => Milestone::HeldExportCustoms,
            Self::Return => Milestone::ReturnedFromExportCustoms,
        }
    }
}

pub async fn export_customs(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    s10: &S10Id,
    step: ExportCustomsStep,
    details: EventDetails,
) -> ApiResult<Recorded> {
    if step == ExportCustomsStep::Hold && details.reason.is_none() {
        return Err(ApiError::refused(
            "reason_required",
            "reason",
            "a hold needs a reason from the reason table",
        ));
    }
    record_local_event(
        state,
        principal,
        s10,
        step.milestone(),
        office.site(),
        details,
    )
    .await
}

/// The agreements of the principal's operator, as domain values.
async fn agreements(
    state: &AppState,
    operator: CountryCode,
) -> ApiResult<Vec<barid_core::Agreement>> {
    crate::acceptance::agreements_of(state.store(), operator)
        .await
        .map_err(ApiError::from)
}

/// The route an agreement sets from this office to the destination office's country, for the
/// class, checked to end at that destination office.
pub async fn route_plan(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    destination: OfficeCode,
    class: MailClass,
) -> ApiResult<RoutePlan> {
    let mut last_error = None;
    for agreement in agreements(state, principal.operator).await? {
        if agreement.partner() != destination.country() {
            continue;
        }
        match RoutePlan::for_office(agreement.terms(), office.impc, destination.country(), class) {
            Ok(plan) if plan.destination_office() == destination => return Ok(plan),
            Ok(plan) => {
                last_error = Some(ApiError::refused(
                    "no_route",
                    "destination",
                    format!(
                        "the agreement routes class {} from {} to {}, not to {destination}",
                        class.letter(),
                        office.impc,
                        plan.destination_office()
                    ),
                ))
            }
            Err(error) => {
                last_error = Some(ApiError::refused(
                    error.code(),
                    "destination",
                    error.to_string(),
                ))
            }
        }
    }
    Err(last_error.unwrap_or_else(|| {
        ApiError::refused(
            "no_route",
            "destination",
            format!(
                "no agreement with {} routes class {} from {}",
                destination.country(),
                class.letter(),
                office.impc
            ),
        )
    }))
}

/// What the receptacle rules need to know of an item.
fn facts(
    state: &AppState,
    agreements: &[barid_core::Agreement],
    copy: &ReceptacleItemCopy,
    s10: S10Id,
) -> ApiResult<ItemFacts> {
    let service = state
        .reference()
        .services()
        .by_indicator(s10.service_indicator())
        .ok_or_else(|| {
            ApiError::refused(
                "unknown_service",
                "s10",
                format!(
                    "{s10}: no service of ours uses the indicator {}",
                    s10.service_indicator().as_str()
                ),
            )
        })?;
    // On the way back to its sender an item is bagged for its origin country.
    let destination = match copy.leg {
        barid_core::lifecycle::Leg::Outbound => copy.destination_country,
        barid_core::lifecycle::Leg::Return => copy.origin_country,
    };
    let category = agreements
        .iter()
        .filter(|agreement| agreement.partner() == destination)
        .find_map(|agreement| agreement.terms().service(&service.code))
        .map(|agreed| agreed.category)
        .unwrap_or(service.category);
    use barid_core::lifecycle::ItemStatus;
    Ok(ItemFacts {
        s10,
        destination,
        mail_class: service.mail_class,
        category,
        registered: matches!(
            copy.service,
            barid_core::s10::S10Service::Registered | barid_core::s10::S10Service::Insured
        ),
        held: matches!(
            copy.status,
            ItemStatus::HeldByExportCustoms
                | ItemStatus::HeldAtOutwardOffice
                | ItemStatus::PresentedToExportCustoms
        ),
        weight: copy.weight,
        // Only bagging asks (see `bag_item`); a closed receptacle's items were cleared then.
        awaiting_export_customs: false,
    })
}

fn copy_of(item: &Item) -> ReceptacleItemCopy {
    ReceptacleItemCopy {
        id: item.id,
        service: item.service,
        destination_country: item.destination_country,
        origin_country: item.origin_country,
        weight: item.weight,
        status: item.status,
        leg: item.leg,
        version: item.version,
    }
}

fn receptacle_refused(error: &domain::ReceptacleError) -> ApiError {
    ApiError::refused(error.code(), "s10", error.to_string())
}

/// The domain receptacle of a stored outward one.
fn domain_receptacle(
    state: &AppState,
    agreements: &[barid_core::Agreement],
    record: &ReceptacleRecord,
) -> ApiResult<Receptacle> {
    let mut items = Vec::with_capacity(record.items.len());
    for item in &record.items {
        let copy = item.item.as_ref().ok_or_else(|| {
            ApiError::internal(format!(
                "outward receptacle {} lists {} without our copy",
                record.id, item.s10
            ))
        })?;
        items.push(facts(state, agreements, copy, item.s10)?);
    }
    let receptacle_state = match (record.status, record.gross_weight) {
        (ReceptacleStatus::Open, _) => ReceptacleState::Open,
        (ReceptacleStatus::Closed, Some(grams)) => ReceptacleState::Closed {
            gross_weight: domain::GrossWeight::new(grams)
                .map_err(|error| receptacle_refused(&error))?,
        },
        (status, _) => {
            return Err(ApiError::refused(
                "receptacle_not_open",
                "receptacle",
                format!("receptacle {} is {status}", record.id),
            ));
        }
    };
    Receptacle::restore(record.series, items, receptacle_state)
        .map_err(|error| receptacle_refused(&error))
}

/// The operator's outward receptacle at this office.
pub async fn outward_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
) -> ApiResult<ReceptacleRecord> {
    match state.store().receptacle(principal.operator, id).await? {
        Some(record) if &record.office == office.site() => Ok(record),
        _ => Err(ApiError::not_found("receptacle")),
    }
}

/// What an operator chooses when opening a receptacle.
#[derive(Debug, Clone)]
pub struct ReceptacleChoice {
    pub destination: OfficeCode,
    pub category: MailCategory,
    pub subclass: MailSubclass,
}

pub async fn open_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    choice: &ReceptacleChoice,
) -> ApiResult<ReceptacleRecord> {
    let class = choice.subclass.class();
    let plan = route_plan(state, principal, office, choice.destination, class).await?;
    let series = plan
        .series(choice.category, choice.subclass)
        .map_err(|error| ApiError::refused(error.code(), "subclass", error.to_string()))?;
    let actor = principal.actor(state.now());
    Ok(state
        .store()
        .open_receptacle(
            &actor,
            &NewReceptacle {
                office: office.site().clone(),
                series,
                mail_class: class,
            },
        )
        .await?)
}

/// Scans an item into an open receptacle.
pub async fn bag_item(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
    s10: &S10Id,
) -> ApiResult<ReceptacleRecord> {
    let agreements = agreements(state, principal.operator).await?;
    let item = known_item(state, principal, s10).await?;
    if let Some(other) = state
        .store()
        .active_receptacle_of(principal.operator, item.id)
        .await?
    {
        let message = if other == id {
            format!("{s10} is already in this receptacle")
        } else {
            format!("{s10} is already in receptacle {other}")
        };
        return Err(ApiError::refused("already_bagged", "s10", message));
    }
    if !matches!(
        item.status,
        barid_core::lifecycle::ItemStatus::AtOutwardOffice
            | barid_core::lifecycle::ItemStatus::ReleasedByExportCustoms
            | barid_core::lifecycle::ItemStatus::HeldByExportCustoms
            | barid_core::lifecycle::ItemStatus::HeldAtOutwardOffice
            | barid_core::lifecycle::ItemStatus::PresentedToExportCustoms
    ) {
        return Err(ApiError::refused(
            "not_at_office",
            "s10",
            format!(
                "{s10} is {}, not at the outward office: scan its arrival first",
                item.status.as_str()
            ),
        ));
    }
    let record = outward_receptacle(state, principal, office, id).await?;
    let mut receptacle = domain_receptacle(state, &agreements, &record)?;
    let mut item_facts = facts(state, &agreements, &copy_of(&item), item.s10)?;
    item_facts.awaiting_export_customs =
        awaiting_export_customs(state, principal, office, &record, &item).await?;
    receptacle
        .add_item(item_facts)
        .map_err(|error| receptacle_refused(&error))?;
    let actor = principal.actor(state.now());
    Ok(state
        .store()
        .bag_item(&actor, id, record.version, item.id)
        .await?)
}

/// Goods going out on a route that needs export customs, not released by it yet. Items on
/// their way back to their sender are not exported again.
async fn awaiting_export_customs(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    record: &ReceptacleRecord,
    item: &Item,
) -> ApiResult<bool> {
    if item.customs.is_none() || item.leg == barid_core::lifecycle::Leg::Return {
        return Ok(false);
    }
    let plan = route_plan(
        state,
        principal,
        office,
        record.series.destination,
        record.mail_class,
    )
    .await?;
    if !plan.needs_export_customs() {
        return Ok(false);
    }
    Ok(item_state(state, item).await?.export_customs() != CustomsClearance::Released)
}

pub async fn unbag_item(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
    s10: &S10Id,
) -> ApiResult<ReceptacleRecord> {
    let record = outward_receptacle(state, principal, office, id).await?;
    let actor = principal.actor(state.now());
    Ok(state
        .store()
        .unbag_item(&actor, id, record.version, s10)
        .await?)
}

pub async fn close_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
    gross: Grams,
) -> ApiResult<ReceptacleRecord> {
    let agreements = agreements(state, principal.operator).await?;
    let record = outward_receptacle(state, principal, office, id).await?;
    let mut receptacle = domain_receptacle(state, &agreements, &record)?;
    receptacle.close(gross).map_err(|error| {
        ApiError::refused(error.code(), "gross_weight_grams", error.to_string())
    })?;
    let actor = principal.actor(state.now());
    Ok(state
        .store()
        .close_receptacle(&actor, id, record.version, gross)
        .await?)
}

pub async fn reopen_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: ReceptacleRowId,
    reason: &str,
) -> ApiResult<ReceptacleRecord> {
    let record = outward_receptacle(state, principal, office, id).await?;
    if record.status == ReceptacleStatus::Dispatched {
        return Err(ApiError::refused(
            "dispatch_closed",
            "receptacle",
            format!("receptacle {id} left with its dispatch; it can no longer be reopened"),
        ));
    }
    let actor = principal.actor(state.now());
    Ok(state
        .store()
        .reopen_receptacle(&actor, id, record.version, reason)
        .await?)
}

/// Builds the outbox messages of a closed dispatch. Supplied by the caller so that the
/// message formats stay out of this module's rules.
pub type MessageBuilder<'a> = dyn Fn(
        &domain::ClosedDispatch,
        &RoutePlan,
        OffsetDateTime,
    ) -> Result<Vec<NewOutboxMessage>, StoreError>
    + Send
    + Sync
    + 'a;

/// Closes the dispatch of `series` at this office with every closed receptacle of the series
/// (in the order they were opened).
pub async fn close_dispatch(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    series: DispatchSeries,
    messages: &MessageBuilder<'_>,
) -> ApiResult<DispatchRecord> {
    let records = receptacles_of_series(state, principal, office, series).await?;
    close_dispatch_of(state, principal, office, series, records, messages).await
}

/// The receptacles of the series being built at the office, open and closed.
pub async fn receptacles_of_series(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    series: DispatchSeries,
) -> ApiResult<Vec<ReceptacleRecord>> {
    Ok(state
        .store()
        .receptacles(
            principal.operator,
            &ReceptacleQuery {
                office: Some(office.site().clone()),
                statuses: vec![ReceptacleStatus::Open, ReceptacleStatus::Closed],
                dispatch: None,
            },
        )
        .await?
        .into_iter()
        .filter(|record| record.series == series)
        .collect())
}

/// [`close_dispatch`] with the series' receptacles already read.
pub async fn close_dispatch_of(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    series: DispatchSeries,
    records: Vec<ReceptacleRecord>,
    messages: &MessageBuilder<'_>,
) -> ApiResult<DispatchRecord> {
    let agreements = agreements(state, principal.operator).await?;
    if let Some(open) = records
        .iter()
        .find(|record| record.status == ReceptacleStatus::Open)
    {
        return Err(ApiError::refused(
            "open_receptacle",
            "receptacles",
            format!(
                "receptacle {} of this series is still open: close it with its weight, or empty \
                 it, before the dispatch closes",
                open.id
            ),
        ));
    }
    let class = records
        .first()
        .map(|record| record.mail_class)
        .unwrap_or_else(|| series.subclass.class());
    let plan = route_plan(state, principal, office, series.destination, class).await?;
    let receptacles = records
        .iter()
        .map(|record| domain_receptacle(state, &agreements, record))
        .collect::<ApiResult<Vec<_>>>()?;
    let at = state.now();
    let numbering = SeriesYear::on(series, at.date());
    // A trial close with the first number of the year: the rules (empty dispatch, too many
    // receptacles) do not depend on the number, and refusing here keeps the counter untouched.
    let trial_id = numbering.dispatch_id(barid_core::DispatchNumber::FIRST);
    domain::close_dispatch(trial_id, &mut receptacles.clone())
        .map_err(|error| ApiError::refused(error.code(), "receptacles", error.to_string()))?;

    let item_ids: Vec<ItemId> = records
        .iter()
        .flat_map(|record| {
            record
                .items
                .iter()
                .filter_map(|item| item.item.as_ref().map(|copy| copy.id))
        })
        .collect();
    let events = state
        .store()
        .events_of_items(principal.operator, &item_ids)
        .await?;
    let code = state
        .reference()
        .code_for(Milestone::DepartedOutwardOffice)
        .ok_or_else(|| ApiError::internal("the reference data has no code for EMC"))?;
    let departure = LifecycleEvent {
        milestone: Milestone::DepartedOutwardOffice,
        at,
        next_action: None,
        source: EventSource::Local,
    };
    // Each item's events so far: its status is derived from them, and the destination follows
    // our items from the counter: with the pre-advice and the ITMATT, in the same sequence
    // after them, it hears of every one of them and of this departure (a partner's events on
    // them reach it through us, see `inbox`).
    let mut stored_of: std::collections::HashMap<ItemId, Vec<&barid_store::model::ItemEvent>> =
        std::collections::HashMap::new();
    for event in &events {
        stored_of.entry(event.item).or_default().push(event);
    }
    let mut history_report = Vec::new();
    let mut planned_events = Vec::with_capacity(item_ids.len());
    for record in &records {
        for item in &record.items {
            let Some(copy) = &item.item else { continue };
            if copy.origin_country == principal.operator {
                for stored in stored_of.get(&copy.id).into_iter().flatten() {
                    history_report.push(crate::exchange_messages::tracking_event_of(
                        item.s10,
                        &stored.event,
                    ));
                }
            }
            let history: Vec<LifecycleEvent> = stored_of
                .get(&copy.id)
                .into_iter()
                .flatten()
                .map(|stored| lifecycle_event(stored))
                .collect();
            let current = lifecycle::replay(&history).state;
            let next = lifecycle::apply_local(&current, &departure)
                .map_err(|error| refused_by_lifecycle(&item.s10, &error))?;
            let departed = NewEvent {
                code,
                milestone: Milestone::DepartedOutwardOffice,
                at,
                office: office.site().clone(),
                reason: None,
                next_action: None,
                signatory: None,
                note: None,
                source: EventSource::Local,
                reported_by: None,
                collected: None,
            };
            if copy.origin_country == principal.operator {
                history_report.push(crate::exchange_messages::tracking_event_of(
                    item.s10, &departed,
                ));
            }
            planned_events.push(PlannedEvent {
                item: copy.id,
                expected_version: copy.version,
                event: departed,
                derived: DerivedStatus {
                    status: next.status(),
                    leg: next.leg(),
                },
            });
        }
    }
    let closing = DispatchClosing {
        office: office.site().clone(),
        series,
        mail_class: class,
        transit_office: plan.transit_office(),
        year: numbering.year,
        closed_at: at,
        receptacles: records
            .iter()
            .map(|record| (record.id, record.version))
            .collect(),
    };
    let row_ids: Vec<ReceptacleRowId> = records.iter().map(|record| record.id).collect();
    let planner = move |number: barid_core::DispatchNumber| -> Result<DispatchPlan, StoreError> {
        let s8 = numbering.dispatch_id(number);
        let mut numbered = receptacles.clone();
        let closed = domain::close_dispatch(s8, &mut numbered)
            .map_err(|error| StoreError::invalid("receptacles", error.to_string()))?;
        let mut outbox = messages(&closed, &plan, at)?;
        outbox.extend(crate::exchange_messages::emsevt(
            principal.operator,
            series.destination.country(),
            history_report.clone(),
            at,
        )?);
        Ok(DispatchPlan {
            s8,
            receptacles: row_ids
                .iter()
                .copied()
                .zip(closed.receptacles().iter().map(|receptacle| receptacle.id))
                .collect(),
            events: planned_events.clone(),
            outbox,
        })
    };
    let actor = principal.actor(at);
    let mut last = None;
    for _ in 0..ATTEMPTS {
        match state
            .store()
            .close_dispatch(&actor, &closing, &planner)
            .await
        {
            Ok(record) => return Ok(record),
            // Two first closings of a year meet on the new counter row: the loser retries.
            Err(StoreError::Conflict {
                what: "dispatch number",
                message,
            }) => {
                last = Some(StoreError::Conflict {
                    what: "dispatch number",
                    message,
                });
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(last
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("dispatch closing retries exhausted")))
}
