//! The transit and inward offices of exchange: receiving a partner's dispatch receptacle by
//! receptacle, opening inward receptacles item by item (`EMD`), verifying what came against
//! the pre-advice (the CN 43 and the RESDES), and sending a closed transit dispatch on
//! (`EMJ` on arrival, `EMK` on departure, reported to the origin post).

use barid_core::exchange::{
    self as domain, AdvisedReceptacle, Discrepancy, PreAdvice, Receipt, ReceivedReceptacle,
    WeightTolerance,
};
use barid_core::lifecycle::{self, EventSource, LifecycleEvent};
use barid_core::{CountryCode, DispatchId, Grams, Milestone, Money, ReceptacleId, S10Id, SiteCode};
use barid_messages::{MessageBody, Resdes, TrackingEvent};
use barid_store::model::*;
use time::OffsetDateTime;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::exchange::ExchangeOffice;
use crate::exchange_messages::{emsevt, outbox_message};
use crate::state::AppState;

pub fn parse_s9(text: &str) -> ApiResult<ReceptacleId> {
    ReceptacleId::parse(text.trim()).map_err(|error| {
        ApiError::refused(
            "invalid_s9",
            "s9",
            format!("{:?} is not an S9 receptacle ID: {error}", text.trim()),
        )
    })
}

/// What the pre-advice announced: the advised receptacles with their advised items.
pub fn pre_advice(dispatch: &DispatchRecord) -> PreAdvice {
    PreAdvice {
        dispatch: dispatch.s8,
        receptacles: dispatch
            .receptacles
            .iter()
            .filter(|receptacle| receptacle.advised)
            .filter_map(|receptacle| {
                let id = receptacle.s9?;
                Some(AdvisedReceptacle {
                    id,
                    weight: receptacle
                        .gross_weight
                        .unwrap_or_else(|| Grams::new(id.weight.grams())),
                    items: receptacle
                        .items
                        .iter()
                        .filter(|item| item.advised)
                        .map(|item| item.s10)
                        .collect(),
                })
            })
            .collect(),
    }
}

/// What arrived: received and opened receptacles with the items found in them.
pub fn receipt(dispatch: &DispatchRecord) -> Receipt {
    let mut receipt = Receipt::default();
    for receptacle in &dispatch.receptacles {
        let (Some(id), true) = (
            receptacle.s9,
            matches!(
                receptacle.status,
                ReceptacleStatus::Received | ReceptacleStatus::Opened
            ),
        ) else {
            continue;
        };
        receipt.receptacles.push(ReceivedReceptacle {
            id,
            measured_weight: receptacle
                .received_weight
                .or(receptacle.gross_weight)
                .unwrap_or_else(|| Grams::new(id.weight.grams())),
            items: receptacle
                .items
                .iter()
                .filter(|item| item.scanned)
                .map(|item| item.s10)
                .collect(),
            damaged: receptacle.damaged,
        });
        receipt.damaged_items.extend(
            receptacle
                .items
                .iter()
                .filter(|item| item.scanned && item.damaged)
                .map(|item| item.s10),
        );
    }
    receipt
}

/// The discrepancies of a verified inward dispatch, as its CN 43 lists them.
pub fn discrepancies_of(dispatch: &DispatchRecord) -> ApiResult<Vec<Discrepancy>> {
    if dispatch.direction != DispatchDirection::Inward
        || dispatch.status != DispatchStatus::Verified
    {
        return Err(ApiError::refused(
            "not_verified",
            "dispatch",
            format!(
                "dispatch {} is a {} dispatch, {}: a verification note exists once an inward \
                 dispatch is verified",
                dispatch.s8, dispatch.direction, dispatch.status
            ),
        ));
    }
    Ok(domain::verify(
        &pre_advice(dispatch),
        &receipt(dispatch),
        WeightTolerance::default(),
    ))
}

/// The dispatch of the caller's operator at this office.
pub async fn partner_dispatch(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: DispatchRowId,
) -> ApiResult<DispatchRecord> {
    partner_only(
        state.store().dispatch(principal.operator, id).await?,
        office,
    )
}

/// A dispatch read from the store, if it is a partner's dispatch at this office.
fn partner_only(
    found: Option<DispatchRecord>,
    office: &ExchangeOffice,
) -> ApiResult<DispatchRecord> {
    match found {
        Some(dispatch)
            if &dispatch.office == office.site()
                && dispatch.direction != DispatchDirection::Outward =>
        {
            Ok(dispatch)
        }
        _ => Err(ApiError::not_found("dispatch")),
    }
}

/// The full year of a dispatch closed recently whose S8 ID ends in `digit`: this year or the
/// last year with that final digit.
fn year_of(s8: &DispatchId, now: OffsetDateTime) -> i32 {
    let year = now.year();
    let digit = i32::from(s8.year.digit());
    year - (year - digit).rem_euclid(10)
}

fn tracking_event(
    s10: S10Id,
    code: barid_core::EventCode,
    milestone: Milestone,
    at: OffsetDateTime,
    office: &ExchangeOffice,
) -> TrackingEvent {
    TrackingEvent {
        s10,
        code,
        milestone,
        at,
        office: office.site().clone(),
        reason: None,
        next_action: None,
        signatory: None,
        note: None,
    }
}

fn event_code(state: &AppState, milestone: Milestone) -> ApiResult<barid_core::EventCode> {
    state.reference().code_for(milestone).ok_or_else(|| {
        ApiError::internal(format!(
            "the reference data has no event code for {milestone}"
        ))
    })
}

/// A receptacle scanned on arrival. Its dispatch is the one the pre-advice announced; a label
/// of a dispatch nobody advised enters that dispatch by hand. At a transit office, each item
/// the pre-advice lists in it is reported to the origin post as arrived (`EMJ`).
pub async fn receive_receptacle(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    s9: ReceptacleId,
    measured_weight: Option<Grams>,
    damaged: bool,
) -> ApiResult<ReceptacleRecord> {
    let now = state.now();
    let actor = principal.actor(now);
    // Only the dispatch's state and its receptacles' matter here, not the items in them.
    let dispatch = match state
        .store()
        .expected_dispatch_head(principal.operator, &s9.dispatch)
        .await?
    {
        Some(dispatch) => dispatch,
        None => {
            let direction = if s9.dispatch.origin.country() == principal.operator {
                // From any of our own offices: ours to send, not to receive.
                return Err(ApiError::refused(
                    "own_dispatch",
                    "s9",
                    format!(
                        "{s9} was dispatched by {} from {}",
                        principal.operator, s9.dispatch.origin
                    ),
                ));
            } else if s9.dispatch.destination == office.impc {
                DispatchDirection::Inward
            } else {
                DispatchDirection::Transit
            };
            state
                .store()
                .record_expected_dispatch(
                    &actor,
                    &ExpectedDispatch {
                        direction,
                        office: office.site().clone(),
                        s8: s9.dispatch,
                        year: year_of(&s9.dispatch, now),
                        transit_office: (direction == DispatchDirection::Transit)
                            .then_some(office.impc),
                        mail_class: s9.dispatch.subclass.class(),
                        closed_at: now,
                        advised: false,
                        receptacles: Vec::new(),
                    },
                )
                .await?
        }
    };
    if &dispatch.office != office.site() {
        return Err(ApiError::refused(
            "other_office",
            "s9",
            format!(
                "dispatch {} is expected at {}, not here",
                dispatch.s8, dispatch.office
            ),
        ));
    }
    // A transit office keeps no item copy to record on: it reports each item's arrival to the
    // origins, in the same transaction as the arrival, the first time the receptacle arrives.
    let code = match dispatch.direction {
        DispatchDirection::Transit => Some(event_code(state, Milestone::ArrivedTransitOffice)?),
        _ => None,
    };
    let reports = |received: &ReceptacleRecord, first_arrival: bool| {
        let Some(code) = code.filter(|_| first_arrival) else {
            return Ok(Vec::new());
        };
        let events = received
            .items
            .iter()
            .map(|item| {
                tracking_event(item.s10, code, Milestone::ArrivedTransitOffice, now, office)
            })
            .collect();
        transit_reports(
            principal.operator,
            dispatch.s8.origin.country(),
            events,
            now,
        )
    };
    let received = state
        .store()
        .receive_receptacle(
            &actor,
            &ReceptacleArrival {
                dispatch: dispatch.id,
                s9,
                measured_weight,
                damaged,
            },
            &reports,
        )
        .await?;
    Ok(received)
}

/// The EMSEVTs of a transit office's events, which it keeps no item copy to record on: the
/// dispatch's origin post hears of every item, and each item's own origin post (the country of
/// its S10 ID, the issuer) of its own, which differ for returns (Palestine's dispatch back to Egypt carries
/// Egypt's items).
fn transit_reports(
    sender: CountryCode,
    dispatch_origin: CountryCode,
    events: Vec<TrackingEvent>,
    at: OffsetDateTime,
) -> Result<Vec<NewOutboxMessage>, barid_store::StoreError> {
    let mut by_recipient: std::collections::BTreeMap<CountryCode, Vec<TrackingEvent>> =
        std::collections::BTreeMap::new();
    for event in events {
        let item_origin = event.s10.issuer();
        if item_origin != dispatch_origin {
            by_recipient
                .entry(item_origin)
                .or_default()
                .push(event.clone());
        }
        by_recipient.entry(dispatch_origin).or_default().push(event);
    }
    let mut messages = Vec::new();
    for (recipient, events) in by_recipient {
        if recipient != sender {
            messages.extend(emsevt(sender, recipient, events, at)?);
        }
    }
    Ok(messages)
}

/// An item found when an inward receptacle is opened: `EMD` on our copy (when the origin's
/// advance data gave us one), reported to the origin post.
pub async fn open_item(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    receptacle: ReceptacleRowId,
    s10: &S10Id,
    damaged: bool,
) -> ApiResult<ReceptacleRecord> {
    // A partner's event can land on the item between our read and our write; the clerk's
    // scan still stands, so it is planned again on the item as it now is.
    let mut attempt = 1;
    loop {
        match open_item_once(state, principal, office, receptacle, s10, damaged).await {
            Err(error)
                if error.code() == ErrorCode::Conflict && attempt < crate::exchange::ATTEMPTS =>
            {
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

async fn open_item_once(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    receptacle: ReceptacleRowId,
    s10: &S10Id,
    damaged: bool,
) -> ApiResult<ReceptacleRecord> {
    let record = match state
        .store()
        .receptacle(principal.operator, receptacle)
        .await?
    {
        Some(record) if &record.office == office.site() && record.dispatch.is_some() => record,
        _ => return Err(ApiError::not_found("receptacle")),
    };
    // Its direction is all that matters here: the dispatch is read without its items.
    let dispatch = partner_only(
        state
            .store()
            .dispatch_head(
                principal.operator,
                record.dispatch.unwrap_or(DispatchRowId(0)),
            )
            .await?,
        office,
    )?;
    if dispatch.direction != DispatchDirection::Inward {
        return Err(ApiError::refused(
            "closed_transit",
            "receptacle",
            "a closed transit receptacle is sent on unopened",
        ));
    }
    if !matches!(
        record.status,
        ReceptacleStatus::Received | ReceptacleStatus::Opened
    ) {
        return Err(ApiError::refused(
            "receptacle_not_received",
            "receptacle",
            format!("scan receptacle {receptacle}'s label on arrival before opening it"),
        ));
    }
    let now = state.now();
    let mut events = Vec::new();
    let mut outbox = Vec::new();
    let already = record
        .items
        .iter()
        .any(|item| &item.s10 == s10 && item.scanned);
    if let (Some(item), false) = (state.store().item(principal.operator, s10).await?, already) {
        let history: Vec<LifecycleEvent> = state
            .store()
            .item_events(principal.operator, item.id)
            .await?
            .iter()
            .map(|stored| LifecycleEvent {
                milestone: stored.event.milestone,
                at: stored.event.at,
                next_action: stored.event.next_action,
                source: stored.event.source,
            })
            .chain([LifecycleEvent {
                milestone: Milestone::ArrivedInwardOffice,
                at: now,
                next_action: None,
                source: EventSource::Local,
            }])
            .collect();
        // The stages between posting and here happened at other posts: the arrival is a fact
        // and moves the item on whatever of them reached us.
        let state_after = lifecycle::replay(&history).state;
        let code = event_code(state, Milestone::ArrivedInwardOffice)?;
        events.push(PlannedEvent {
            item: item.id,
            expected_version: item.version,
            event: NewEvent {
                code,
                milestone: Milestone::ArrivedInwardOffice,
                at: now,
                office: office.site().clone(),
                reason: None,
                next_action: None,
                signatory: None,
                note: None,
                source: EventSource::Local,
                reported_by: None,
                collected: None,
            },
            derived: DerivedStatus {
                status: state_after.status(),
                leg: state_after.leg(),
            },
        });
        outbox = emsevt(
            principal.operator,
            item.origin_country,
            vec![tracking_event(
                *s10,
                code,
                Milestone::ArrivedInwardOffice,
                now,
                office,
            )],
            now,
        )?;
    }
    Ok(state
        .store()
        .scan_receptacle_item(
            &principal.actor(now),
            receptacle,
            s10,
            damaged,
            &events,
            &outbox,
        )
        .await?)
}

/// Verifies an inward dispatch against its pre-advice: the discrepancies become its
/// verification note (CN 43), and a RESDES tells the origin post what arrived.
pub async fn verify_dispatch(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: DispatchRowId,
) -> ApiResult<(DispatchRecord, Vec<Discrepancy>)> {
    let dispatch = partner_dispatch(state, principal, office, id).await?;
    if dispatch.direction != DispatchDirection::Inward {
        return Err(ApiError::refused(
            "closed_transit",
            "dispatch",
            "a transit dispatch is sent on, not verified",
        ));
    }
    if dispatch.status != DispatchStatus::Received {
        return Err(ApiError::refused(
            "dispatch_not_received",
            "dispatch",
            format!(
                "dispatch {} is {}: scan its receptacles first",
                dispatch.s8, dispatch.status
            ),
        ));
    }
    let now = state.now();
    let receipt = receipt(&dispatch);
    let discrepancies =
        domain::verify(&pre_advice(&dispatch), &receipt, WeightTolerance::default());
    let resdes = Resdes::from_verification(
        dispatch.s8,
        now,
        office.impc,
        &receipt,
        discrepancies.clone(),
    )
    .map_err(|error| ApiError::internal(format!("RESDES: {error}")))?;
    let origin = dispatch.s8.origin.country();
    let outbox = if origin == principal.operator {
        Vec::new()
    } else {
        vec![outbox_message(
            principal.operator,
            origin,
            now,
            MessageBody::Resdes(resdes),
        )?]
    };
    let finished = state
        .store()
        .finish_dispatch(
            &principal.actor(now),
            dispatch.id,
            dispatch.version,
            &DispatchOutcome {
                status: DispatchStatus::Verified,
                discrepancies: Some(
                    serde_json::to_value(&discrepancies).map_err(ApiError::internal)?,
                ),
                at: now,
                events: Vec::new(),
                outbox,
            },
        )
        .await?;
    Ok((finished, discrepancies))
}

/// Sends a closed transit dispatch on unopened (`EMK` for every item the received receptacles
/// carry, reported to the origin post). Receptacles advised but never received are marked
/// missing and listed on the dispatch.
pub async fn forward_dispatch(
    state: &AppState,
    principal: &Principal,
    office: &ExchangeOffice,
    id: DispatchRowId,
) -> ApiResult<DispatchRecord> {
    let dispatch = partner_dispatch(state, principal, office, id).await?;
    if dispatch.direction != DispatchDirection::Transit {
        return Err(ApiError::refused(
            "not_transit",
            "dispatch",
            "only a transit dispatch is sent on",
        ));
    }
    if dispatch.status != DispatchStatus::Received {
        return Err(ApiError::refused(
            "dispatch_not_received",
            "dispatch",
            format!(
                "dispatch {} is {}: scan its receptacles first",
                dispatch.s8, dispatch.status
            ),
        ));
    }
    let now = state.now();
    let code = event_code(state, Milestone::DepartedTransitOffice)?;
    let events = dispatch
        .receptacles
        .iter()
        .filter(|receptacle| receptacle.status == ReceptacleStatus::Received)
        .flat_map(|receptacle| receptacle.items.iter())
        .map(|item| {
            tracking_event(
                item.s10,
                code,
                Milestone::DepartedTransitOffice,
                now,
                office,
            )
        })
        .collect();
    let outbox = transit_reports(
        principal.operator,
        dispatch.s8.origin.country(),
        events,
        now,
    )?;
    Ok(state
        .store()
        .finish_dispatch(
            &principal.actor(now),
            dispatch.id,
            dispatch.version,
            &DispatchOutcome {
                status: DispatchStatus::Forwarded,
                discrepancies: None,
                at: now,
                events: Vec::new(),
                outbox,
            },
        )
        .await?)
}

/// The longest explanation kept with a duty.
const DUTY_NOTE_CHARS: usize = 500;

/// Import customs assesses `amount` of duty on an item it has in hand (presented or held),
/// replacing an earlier assessment.
pub async fn assess_duty(
    state: &AppState,
    principal: &Principal,
    office: &SiteCode,
    s10: &S10Id,
    amount: Money,
    note: Option<&str>,
) -> ApiResult<Duty> {
    if note.is_some_and(|note| note.chars().count() > DUTY_NOTE_CHARS) {
        return Err(ApiError::invalid_body(
            "note",
            format!("at most {DUTY_NOTE_CHARS} characters"),
        ));
    }
    let mut last_conflict = None;
    for _ in 0..crate::exchange::ATTEMPTS {
        let item = crate::exchange::known_item(state, principal, s10).await?;
        let current = crate::exchange::item_state(state, &item).await?;
        barid_core::delivery::check_assessment(&current, &amount)
            .map_err(|error| ApiError::refused(error.code(), "duty", error.to_string()))?;
        let assessment = NewDuty {
            item: item.id,
            expected_version: item.version,
            amount,
            office: office.clone(),
            note: note.map(str::to_owned),
        };
        match state
            .store()
            .assess_duty(&principal.actor(state.now()), &assessment)
            .await
        {
            Ok(duty) => return Ok(duty),
            Err(conflict @ barid_store::StoreError::Conflict { .. }) => {
                last_conflict = Some(conflict);
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(last_conflict
        .map(ApiError::from)
        .unwrap_or_else(|| ApiError::internal("duty retries exhausted")))
}
