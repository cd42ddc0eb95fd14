//! The demo's items and their journeys: accepted at Egyptian counters through the same
//! acceptance path as the API, then moved along the lifecycle by each post on its own copy of
//! the item (Egypt up to departure, Jordan in closed transit, Palestine from arrival to the
//! door), so that tracking merges one timeline from several posts. Each partner's event also
//! reaches Egypt's copy, reported by that partner, as the EMSEVT between two nodes carries it:
//! Egypt's own screens and quality figures then follow the item to the door.

use anyhow::Context;
use barid_core::lifecycle::{self, EventSource, LifecycleEvent};
use barid_core::{CountryCode, Milestone, NextAction, ReasonCode, ReferenceData, SiteCode};
use barid_store::Store;
use barid_store::model::{
    Actor, DerivedStatus, EventRecorded, Item, ItemIdSource, NewEvent, NewItem,
};
use time::{Duration, OffsetDateTime, UtcOffset};

/// An item the demo made, and what happened to it, for the printed summary.
#[derive(serde::Serialize)]
pub struct DemoItemSummary {
    pub s10: String,
    pub story: String,
}

/// Where an item is going and how far it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Journey {
    /// Accepted only.
    Accepted,
    /// Left Egypt.
    Departed,
    /// In closed transit at Amman.
    InTransit,
    /// Held by Palestinian customs.
    HeldByCustoms,
    /// Out for delivery.
    OutForDelivery,
    /// Delivered at the first attempt.
    Delivered,
    /// Delivered after a failed attempt.
    DeliveredSecondAttempt,
    /// Refused by the addressee and sent back to Cairo.
    Returned,
}

impl Journey {
    fn story(self) -> &'static str {
        match self {
            Journey::Accepted => "accepted at the counter",
            Journey::Departed => "left Egypt",
            Journey::InTransit => "in closed transit at Amman",
            Journey::HeldByCustoms => "held by customs in Ramallah",
            Journey::OutForDelivery => "out for delivery",
            Journey::Delivered => "delivered",
            Journey::DeliveredSecondAttempt => "delivered after a failed attempt",
            Journey::Returned => "refused by the addressee, on its way back to the sender",
        }
    }
}

const JOURNEYS: [Journey; 10] = [
    Journey::Delivered,
    Journey::InTransit,
    Journey::DeliveredSecondAttempt,
    Journey::HeldByCustoms,
    Journey::Accepted,
    Journey::OutForDelivery,
    Journey::Departed,
    Journey::Delivered,
    Journey::Returned,
    Journey::Delivered,
];

fn offset(hours: i8) -> UtcOffset {
    UtcOffset::from_hms(hours, 0, 0).unwrap_or(UtcOffset::UTC)
}

fn site(code: &str) -> anyhow::Result<SiteCode> {
    SiteCode::parse(code).with_context(|| format!("demo office {code}"))
}

fn cc(code: &str) -> anyhow::Result<CountryCode> {
    CountryCode::parse(code).with_context(|| format!("demo country {code}"))
}

/// `operator`'s copy of the item, and its history as the lifecycle replays it.
async fn copy_and_history(
    store: &dyn Store,
    operator: CountryCode,
    item: &Item,
) -> anyhow::Result<(Item, Vec<LifecycleEvent>)> {
    let current = store
        .item(operator, &item.s10)
        .await?
        .with_context(|| format!("{operator} has no copy of {}", item.s10))?;
    let history = store
        .item_events(operator, current.id)
        .await?
        .into_iter()
        .map(|event| LifecycleEvent {
            milestone: event.event.milestone,
            at: event.event.at,
            next_action: event.event.next_action,
            source: event.event.source,
        })
        .collect();
    Ok((current, history))
}

fn demo_actor(operator: CountryCode, office: Option<SiteCode>, at: OffsetDateTime) -> Actor {
    Actor {
        operator,
        user: None,
        token: None,
        name: "demo".to_owned(),
        office,
        at,
    }
}

/// A step's event, recorded by the post at the step's office.
fn local_event(
    reference: &ReferenceData,
    step: &Step,
    at: OffsetDateTime,
    signatory: Option<&str>,
) -> anyhow::Result<NewEvent> {
    let milestone = step.milestone;
    let code = reference
        .code_for(milestone)
        .with_context(|| format!("no event code for {milestone}"))?;
    Ok(NewEvent {
        code,
        milestone,
        at,
        office: site(step.office)?,
        reason: step.reason.map(ReasonCode::parse).transpose()?,
        next_action: step.next_action,
        signatory: signatory.map(str::to_owned),
        note: None,
        source: EventSource::Local,
        reported_by: None,
        collected: None,
    })
}

/// Records one event on one operator's copy, with the status the lifecycle derives; the
/// lifecycle refuses an event out of order, which keeps the journeys honest.
async fn record(
    store: &dyn Store,
    operator: CountryCode,
    item: &Item,
    event: &NewEvent,
) -> anyhow::Result<()> {
    let (current, history) = copy_and_history(store, operator, item).await?;
    let state = lifecycle::replay(&history).state;
    let next = lifecycle::apply_local(
        &state,
        &LifecycleEvent {
            milestone: event.milestone,
            at: event.at,
            next_action: event.next_action,
            source: EventSource::Local,
        },
    )
    .with_context(|| format!("demo event {} on {}", event.milestone, item.s10))?;
    let actor = demo_actor(operator, Some(event.office.clone()), event.at);
    let derived = DerivedStatus {
        status: next.status(),
        leg: next.leg(),
    };
    match store
        .record_event(&actor, current.id, current.version, event, derived, &[])
        .await?
    {
        EventRecorded::Recorded(_) | EventRecorded::Duplicate(_) => Ok(()),
    }
}

/// The origin post's copy hears of `reporter`'s event, as an EMSEVT between two nodes tells
/// it: recorded as reported by the partner, the status derived from the copy's whole history.
async fn report_to_origin(
    store: &dyn Store,
    item: &Item,
    event: &NewEvent,
    reporter: CountryCode,
) -> anyhow::Result<()> {
    let origin = item.origin_country;
    let (current, mut history) = copy_and_history(store, origin, item).await?;
    history.push(LifecycleEvent {
        milestone: event.milestone,
        at: event.at,
        next_action: event.next_action,
        source: EventSource::Partner,
    });
    let state = lifecycle::replay(&history).state;
    let reported = NewEvent {
        source: EventSource::Partner,
        reported_by: Some(reporter),
        ..event.clone()
    };
    let derived = DerivedStatus {
        status: state.status(),
        leg: state.leg(),
    };
    match store
        .record_event(
            &demo_actor(origin, None, event.at),
            current.id,
            current.version,
            &reported,
            derived,
            &[],
        )
        .await?
    {
        EventRecorded::Recorded(_) | EventRecorded::Duplicate(_) => Ok(()),
    }
}

/// A partner's copy of an item it learns about (in issue 5 and 6 this comes from PREDES and
/// ITMATT), with its first event.
async fn copy_to(
    store: &dyn Store,
    operator: CountryCode,
    item: &Item,
    event: &NewEvent,
) -> anyhow::Result<()> {
    let new = NewItem {
        operator,
        id: ItemIdSource::Given(item.s10),
        service: item.service,
        origin_country: item.origin_country,
        destination_country: item.destination_country,
        office: event.office.clone(),
        weight: item.weight,
        length_mm: item.length_mm,
        width_mm: item.width_mm,
        height_mm: item.height_mm,
        contents: item.contents.clone(),
        sender: item.sender.clone(),
        addressee: item.addressee.clone(),
        customs: item.customs.clone(),
        postage: None,
    };
    let event_state = lifecycle::apply_local(
        &lifecycle::ItemState::new(),
        &LifecycleEvent {
            milestone: event.milestone,
            at: event.at,
            next_action: event.next_action,
            source: EventSource::Local,
        },
    )?;
    let actor = demo_actor(operator, Some(event.office.clone()), event.at);
    let derived = DerivedStatus {
        status: event_state.status(),
        leg: event_state.leg(),
    };
    store.create_item(&actor, &new, event, derived, &[]).await?;
    Ok(())
}

/// One step of a demo journey, hours after acceptance.
struct Step {
    operator: &'static str,
    /// `true`: the operator learns of the item here (a copy of its own, see [`copy_to`]).
    first_sight: bool,
    milestone: Milestone,
    hours: i64,
    office: &'static str,
    next_action: Option<NextAction>,
    reason: Option<&'static str>,
    signed: bool,
}

const fn step(
    operator: &'static str,
    milestone: Milestone,
    hours: i64,
    office: &'static str,
) -> Step {
    Step {
        operator,
        first_sight: false,
        milestone,
        hours,
        office,
        next_action: None,
        reason: None,
        signed: false,
    }
}

/// The steps of `journey` for an item leaving through `outward` (EGCAIF for EMS, else
/// EGCAIA) and delivered from `delivery` (a delivery office code).
fn steps(journey: Journey, outward: &'static str, delivery: &'static str) -> Vec<Step> {
    use Milestone as M;
    let origin = [
        step("EG", M::ArrivedOutwardOffice, 5, outward),
        step("EG", M::PresentedExportCustoms, 7, outward),
        step("EG", M::ReturnedFromExportCustoms, 9, outward),
        step("EG", M::DepartedOutwardOffice, 20, outward),
    ];
    let transit = [
        Step {
            first_sight: true,
            ..step("JO", M::ArrivedTransitOffice, 30, "JOAMMA")
        },
        step("JO", M::DepartedTransitOffice, 44, "JOAMMA"),
    ];
    let inward = [
        Step {
            first_sight: true,
            ..step("PS", M::ArrivedInwardOffice, 52, "PSRMHA")
        },
        step("PS", M::PresentedImportCustoms, 54, "PSRMHA"),
    ];
    let cleared = [
        step("PS", M::ReleasedImportCustoms, 70, "PSRMHA"),
        step("PS", M::DepartedInwardOffice, 74, "PSRMHA"),
        step("PS", M::ArrivedDeliveryOffice, 80, delivery),
        step("PS", M::OutForDelivery, 96, delivery),
    ];
    let failed = |action| Step {
        next_action: Some(action),
        reason: Some(if action == NextAction::ReturnToSender {
            "04"
        } else {
            "03"
        }),
        ..step("PS", M::DeliveryAttemptFailed, 99, delivery)
    };
    let delivered = |hours| Step {
        signed: true,
        ..step("PS", M::Delivered, hours, delivery)
    };
    // Every journey is a prefix of the same road, then its own ending.
    let mut all: Vec<Step> = Vec::new();
    if journey == Journey::Accepted {
        return all;
    }
    all.extend(origin);
    if journey == Journey::Departed {
        return all;
    }
    let [arrived_at_transit, departed_transit] = transit;
    all.push(arrived_at_transit);
    if journey == Journey::InTransit {
        return all;
    }
    all.push(departed_transit);
    all.extend(inward);
    if journey == Journey::HeldByCustoms {
        all.push(Step {
            reason: Some("10"),
            ..step("PS", M::HeldImportCustoms, 58, "PSRMHA")
        });
        return all;
    }
    all.extend(cleared);
    match journey {
        Journey::Delivered => all.push(delivered(99)),
        Journey::DeliveredSecondAttempt => {
            all.push(failed(NextAction::Redeliver));
            all.push(step("PS", M::OutForDelivery, 120, delivery));
            all.push(delivered(122));
        }
        Journey::Returned => {
            all.push(failed(NextAction::ReturnToSender));
            all.push(step("PS", M::ArrivedOutwardOffice, 110, "PSRMHA"));
            all.push(step("PS", M::DepartedOutwardOffice, 130, "PSRMHA"));
        }
        Journey::Accepted
        | Journey::Departed
        | Journey::InTransit
        | Journey::HeldByCustoms
        | Journey::OutForDelivery => {}
    }
    all
}

/// The UTC offset of each demo post in November (no summer time).
fn local_offset(operator: &str) -> UtcOffset {
    match operator {
        "JO" | "IQ" => offset(3),
        _ => offset(2),
    }
}

/// Moves an Egyptian item to Palestine via Amman as far as `journey` says.
async fn travel(
    store: &dyn Store,
    reference: &ReferenceData,
    item: &Item,
    journey: Journey,
    accepted_at: OffsetDateTime,
    delivery_office: &'static str,
) -> anyhow::Result<()> {
    let outward = if item.s10.to_string().starts_with('E') {
        "EGCAIF"
    } else {
        "EGCAIA"
    };
    for step in steps(journey, outward, delivery_office) {
        let operator = cc(step.operator)?;
        let at = (accepted_at + Duration::hours(step.hours)).to_offset(local_offset(step.operator));
        let signatory = step.signed.then(|| item.addressee.name());
        let event = local_event(reference, &step, at, signatory)?;
        if step.first_sight {
            copy_to(store, operator, item, &event).await?;
        } else {
            record(store, operator, item, &event).await?;
        }
        if operator != item.origin_country {
            report_to_origin(store, item, &event, operator).await?;
        }
    }
    Ok(())
}

/// Accepts `count` items at Egyptian counters and moves them; returns what to print.
pub async fn accept_and_move(
    store: &dyn Store,
    reference: &ReferenceData,
    count: usize,
    now: OffsetDateTime,
) -> anyhow::Result<Vec<DemoItemSummary>> {
    let mut summaries = Vec::new();
    for index in 0..count {
        let plan = crate::demo_items::plan(index).context("demo item lists are empty")?;
        // Items are spread over the last three weeks, the oldest first.
        let age_hours = i64::try_from((count - index) * 8).unwrap_or(0) + 150;
        // Whole minutes, as a clerk's screen shows them.
        let accepted_at = (now - Duration::hours(age_hours)).to_offset(offset(2));
        let accepted_at = accepted_at
            - Duration::nanoseconds(i64::from(accepted_at.nanosecond()))
            - Duration::seconds(i64::from(accepted_at.second()));
        let item = crate::demo_items::accept(store, reference, &plan, accepted_at).await?;
        let journey = if plan.destination == "PS" {
            JOURNEYS
                .get(index % JOURNEYS.len())
                .copied()
                .unwrap_or(Journey::Accepted)
        } else {
            Journey::Accepted
        };
        travel(
            store,
            reference,
            &item,
            journey,
            accepted_at,
            plan.delivery_office,
        )
        .await?;
        summaries.push(DemoItemSummary {
            s10: item.s10.to_string(),
            story: format!(
                "{} → {}: {}",
                plan.origin_city,
                plan.destination_city,
                journey.story()
            ),
        });
    }
    // One item of each kind of journey first, so the list shows every story.
    let mut shown = Vec::new();
    let mut rest = Vec::new();
    for summary in summaries {
        let story = summary
            .story
            .rsplit(": ")
            .next()
            .unwrap_or_default()
            .to_owned();
        if shown
            .iter()
            .any(|s: &DemoItemSummary| s.story.ends_with(&story))
        {
            rest.push(summary);
        } else {
            shown.push(summary);
        }
    }
    shown.extend(rest);
    let summaries = shown;
    Ok(summaries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use barid_core::lifecycle::{ItemStatus, Leg, replay};
    use time::macros::datetime;

    #[test]
    fn every_journey_is_in_sequence_and_ends_where_its_story_says() {
        let start = datetime!(2026-11-10 09:00 +02:00);
        for (journey, status, leg) in [
            (Journey::Accepted, ItemStatus::Accepted, Leg::Outbound),
            (Journey::Departed, ItemStatus::DepartedOrigin, Leg::Outbound),
            (
                Journey::InTransit,
                ItemStatus::AtTransitOffice,
                Leg::Outbound,
            ),
            (
                Journey::HeldByCustoms,
                ItemStatus::HeldByImportCustoms,
                Leg::Outbound,
            ),
            (
                Journey::OutForDelivery,
                ItemStatus::OutForDelivery,
                Leg::Outbound,
            ),
            (Journey::Delivered, ItemStatus::Delivered, Leg::Outbound),
            (
                Journey::DeliveredSecondAttempt,
                ItemStatus::Delivered,
                Leg::Outbound,
            ),
            (Journey::Returned, ItemStatus::DepartedOrigin, Leg::Return),
        ] {
            let mut events = vec![LifecycleEvent {
                milestone: Milestone::Posted,
                at: start,
                next_action: None,
                source: EventSource::Local,
            }];
            events.extend(
                steps(journey, "EGCAIA", "PS-RAM-01")
                    .into_iter()
                    .map(|step| LifecycleEvent {
                        milestone: step.milestone,
                        at: start + Duration::hours(step.hours),
                        next_action: step.next_action,
                        source: EventSource::Local,
                    }),
            );
            let replayed = replay(&events);
            assert!(
                replayed.flags.iter().all(|flag| flag.is_in_sequence()),
                "{journey:?}"
            );
            assert_eq!(replayed.state.status(), status, "{journey:?}");
            assert_eq!(replayed.state.leg(), leg, "{journey:?}");
        }
    }
    #[tokio::test]
    async fn the_origin_copy_follows_each_item_to_the_door_as_its_partners_report_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("demo.db").display());
        let store = crate::storage::open(&url).await.unwrap();
        let reference = ReferenceData::embedded().unwrap();
        let now = datetime!(2026-11-20 12:00 +02:00);
        crate::demo::seed_network(store.as_ref(), now, None)
            .await
            .unwrap();
        let moved = accept_and_move(store.as_ref(), &reference, 16, now)
            .await
            .unwrap();
        let eg = CountryCode::parse("EG").unwrap();
        let mut delivered = 0;
        for summary in &moved {
            let s10 = barid_core::S10Id::parse(&summary.s10).unwrap();
            let egypt = store.item(eg, &s10).await.unwrap().unwrap();
            let events = store.item_events(eg, egypt.id).await.unwrap();
            let reported: Vec<_> = events
                .iter()
                .filter(|event| event.event.source == EventSource::Partner)
                .collect();
            if summary.story.ends_with(Journey::Delivered.story()) {
                delivered += 1;
                assert_eq!(egypt.status, ItemStatus::Delivered, "{}", summary.s10);
                let last = events.last().unwrap();
                assert_eq!(last.event.milestone, Milestone::Delivered);
                assert_eq!(last.event.reported_by, CountryCode::parse("PS").ok());
            }
            // Every partner event once on Egypt's copy, as each partner recorded it.
            for event in &reported {
                let partner = event.event.reported_by.unwrap();
                let copy = store.item(partner, &s10).await.unwrap().unwrap();
                let theirs = store.item_events(partner, copy.id).await.unwrap();
                assert!(
                    theirs
                        .iter()
                        .any(|their| their.event.code == event.event.code
                            && their.event.at == event.event.at
                            && their.event.office == event.event.office),
                    "{} {:?}",
                    summary.s10,
                    event.event
                );
            }
        }
        assert!(delivered > 0, "no delivered journey among {}", moved.len());
    }
}
