//! Contract cases of quality of service: timelines and counts kept with the events, stuck
//! items, discrepancies and working calendars.

use std::sync::Arc;

use barid_core::lifecycle::ItemStatus;
use barid_core::quality::{CountMetric, QualityLeg, WorkingCalendar};
use barid_core::{Milestone, NextAction};
use time::Weekday;
use time::macros::{date, datetime};

use super::world::*;
use crate::Store;
use crate::model::*;

fn scope() -> QualityScope {
    QualityScope {
        origin: cc("EG"),
        destination: cc("PS"),
        posted_from: date!(2026 - 05 - 01),
        posted_until: date!(2026 - 05 - 31),
    }
}

/// The counts of the scope, as (metric, start, end, items), sorted.
async fn counts(store: &Arc<dyn Store>) -> Vec<(String, time::Date, time::Date, i64)> {
    let mut counts: Vec<_> = store
        .quality_counts(cc("EG"), &scope())
        .await
        .unwrap()
        .into_iter()
        .map(|count| {
            assert_eq!(count.service, "RR");
            (
                count.count.key.metric.as_str().to_owned(),
                count.count.key.start,
                count.count.key.end,
                count.count.items,
            )
        })
        .collect();
    counts.sort();
    counts
}

pub async fn quality_counts_follow_the_events_as_they_are_recorded(store: Arc<dyn Store>) {
    network(&store).await;
    // Posted on Sunday 10 May at 12:00 (UTC+3).
    let (item, _) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    assert_eq!(
        counts(&store).await,
        vec![(
            "open".to_owned(),
            date!(2026 - 05 - 10),
            date!(2026 - 05 - 10),
            1
        )]
    );
    store
        .record_event(
            &cli("EG"),
            item.id,
            1,
            &at_outward_office(datetime!(2026-05-11 09:00 +03:00)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();
    // The same event again (a retried request) changes nothing.
    store
        .record_event(
            &cli("EG"),
            item.id,
            2,
            &at_outward_office(datetime!(2026-05-11 09:00 +03:00)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();
    // Delivered in Gaza at 00:30 on the 15th local time, still the 14th in Cairo in UTC+2.
    let delivered = event(
        "EMI",
        Milestone::Delivered,
        datetime!(2026-05-15 00:30 +03:00),
        "PSGZAA",
    );
    store
        .record_event(
            &cli("EG"),
            item.id,
            2,
            &delivered,
            derived(ItemStatus::Delivered),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        counts(&store).await,
        vec![
            (
                "delivered".to_owned(),
                date!(2026 - 05 - 10),
                date!(2026 - 05 - 15),
                1
            ),
            (
                "leg_counter_to_outward_office".to_owned(),
                date!(2026 - 05 - 10),
                date!(2026 - 05 - 11),
                1
            ),
        ]
    );
    let items = store
        .quality_items(cc("EG"), &scope(), None, 10)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].s10, item.s10);
    assert_eq!(items[0].outcome, QualityOutcome::Delivered);
    assert_eq!(
        items[0].timeline.first(Milestone::Delivered),
        Some(delivered.at)
    );
    // Another operator sees nothing; an item posted outside the dates is not in the scope.
    assert!(
        store
            .quality_counts(cc("PS"), &scope())
            .await
            .unwrap()
            .is_empty()
    );
    let june = QualityScope {
        posted_from: date!(2026 - 06 - 01),
        posted_until: date!(2026 - 06 - 30),
        ..scope()
    };
    assert!(
        store
            .quality_items(cc("EG"), &june, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Every item already has its timeline: nothing to catch up.
    assert_eq!(store.catch_up_quality().await.unwrap(), 0);
}

pub async fn quality_items_page_and_stuck_items_are_the_oldest_open_ones(store: Arc<dyn Store>) {
    network(&store).await;
    let mut ids = Vec::new();
    for serial in 1..=5 {
        let (item, _) = accept(&store, ItemIdSource::Given(s10(serial)), &[])
            .await
            .unwrap();
        ids.push(item);
    }
    // Item 1 is sent back, item 2 reaches the outward office later than the others' posting.
    let mut back = event(
        "EMH",
        Milestone::DeliveryAttemptFailed,
        T0 + minutes(60),
        "EGCAIA",
    );
    back.next_action = Some(NextAction::ReturnToSender);
    store
        .record_event(
            &cli("EG"),
            ids[0].id,
            1,
            &back,
            derived(ItemStatus::ReturnPending),
            &[],
        )
        .await
        .unwrap();
    store
        .record_event(
            &cli("EG"),
            ids[1].id,
            1,
            &at_outward_office(T0 + minutes(600)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();
    let first = store
        .quality_items(cc("EG"), &scope(), None, 3)
        .await
        .unwrap();
    let last = first.last().unwrap();
    let rest = store
        .quality_items(
            cc("EG"),
            &scope(),
            Some((date!(2026 - 05 - 10), last.item)),
            10,
        )
        .await
        .unwrap();
    let paged: Vec<_> = first.iter().chain(&rest).map(|item| item.s10).collect();
    assert_eq!(paged, ids.iter().map(|item| item.s10).collect::<Vec<_>>());
    assert_eq!(first[0].outcome, QualityOutcome::Returned);
    let stuck = store
        .stuck_items(cc("EG"), cc("EG"), cc("PS"), T0 + minutes(300), 2)
        .await
        .unwrap();
    // Items 3, 4 and 5 have had nothing since posting; item 2 moved on at T0 + 10 h and item 1
    // is on its way back, which is not stuck.
    assert_eq!(stuck.per_step, vec![(Milestone::Posted, 3)]);
    assert_eq!(stuck.items.len(), 2);
    assert!(
        stuck
            .items
            .iter()
            .all(|item| [ids[2].s10, ids[3].s10, ids[4].s10].contains(&item.s10))
    );
    let later = store
        .stuck_items(cc("EG"), cc("EG"), cc("PS"), T0 + minutes(6000), 10)
        .await
        .unwrap();
    assert_eq!(
        later.per_step,
        vec![(Milestone::Posted, 3), (Milestone::ArrivedOutwardOffice, 1)]
    );
    // The returned item counts as a return; its leg to the outward office never happened.
    let returned = store
        .quality_counts(cc("EG"), &scope())
        .await
        .unwrap()
        .into_iter()
        .filter(|count| count.count.key.metric == CountMetric::Returned)
        .map(|count| count.count.items)
        .sum::<i64>();
    assert_eq!(returned, 1);
    let legs = store
        .quality_counts(cc("EG"), &scope())
        .await
        .unwrap()
        .into_iter()
        .filter(|count| {
            count.count.key.metric == CountMetric::Leg(QualityLeg::CounterToOutwardOffice)
        })
        .map(|count| count.count.items)
        .sum::<i64>();
    assert_eq!(legs, 1);
}

pub async fn working_calendars_are_set_replaced_and_audited(store: Arc<dyn Store>) {
    network(&store).await;
    assert!(store.calendars(cc("EG")).await.unwrap().is_empty());
    let egypt = WorkingCalendar::new(
        &[Weekday::Friday, Weekday::Saturday],
        [date!(2026 - 10 - 06), date!(2026 - 07 - 23)],
    )
    .unwrap();
    let set = store
        .set_calendar(&cli("EG"), cc("EG"), &egypt)
        .await
        .unwrap();
    assert_eq!(set.calendar, egypt);
    let europe = WorkingCalendar::new(&[Weekday::Saturday, Weekday::Sunday], []).unwrap();
    store
        .set_calendar(&cli("EG"), cc("FR"), &europe)
        .await
        .unwrap();
    let replaced = WorkingCalendar::new(&[Weekday::Friday], [date!(2026 - 10 - 06)]).unwrap();
    store
        .set_calendar(&cli("EG"), cc("EG"), &replaced)
        .await
        .unwrap();
    let calendars = store.calendars(cc("EG")).await.unwrap();
    assert_eq!(
        calendars
            .iter()
            .map(|record| (record.country, record.calendar.clone()))
            .collect::<Vec<_>>(),
        vec![(cc("EG"), replaced), (cc("FR"), europe)]
    );
    assert!(store.calendars(cc("PS")).await.unwrap().is_empty());
    assert_eq!(
        audit_actions(&store, "EG")
            .await
            .iter()
            .filter(|action| *action == "calendar.set")
            .count(),
        3
    );
}
