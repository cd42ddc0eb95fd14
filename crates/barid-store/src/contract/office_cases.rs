//! Contract cases of the offices of exchange: receptacles, dispatch numbering and closing.

use std::sync::Arc;

use barid_core::exchange::SeriesYear;
use barid_core::lifecycle::ItemStatus;
use barid_core::{
    DispatchNumber, DispatchSeries, Grams, MailCategory, MailClass, MailSubclass, Milestone,
    OfficeCode, ReceptacleId, ReceptacleSerial, ReceptacleWeight, S10Id,
};

use super::world::*;
use crate::model::*;
use crate::{Store, StoreError};

fn series() -> DispatchSeries {
    DispatchSeries {
        origin: OfficeCode::parse("EGCAIA").unwrap(),
        destination: OfficeCode::parse("PSRMHA").unwrap(),
        category: MailCategory::parse("A").unwrap(),
        subclass: MailSubclass::parse("UR").unwrap(),
    }
}

fn new_receptacle() -> NewReceptacle {
    NewReceptacle {
        office: site("EGCAIA"),
        series: series(),
        mail_class: MailClass::parse("U").unwrap(),
    }
}

fn oe_operator() -> Actor {
    let mut actor = clerk("EG", UserId(7), "EGCAIA");
    actor.name = "oe".to_owned();
    actor
}

/// An accepted item of EG at its outward office (EMA then EMB).
async fn item_at_office(store: &Arc<dyn Store>, serial: u32) -> Item {
    let (item, _) = accept(store, ItemIdSource::Given(s10(serial)), &[])
        .await
        .unwrap();
    store
        .record_event(
            &cli("EG"),
            item.id,
            item.version,
            &at_outward_office(T0 + minutes(5)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();
    store.item(cc("EG"), &item.s10).await.unwrap().unwrap()
}

/// A closed receptacle holding the given items.
async fn closed_receptacle(store: &Arc<dyn Store>, items: &[&Item]) -> ReceptacleRecord {
    let mut receptacle = store
        .open_receptacle(&oe_operator(), &new_receptacle())
        .await
        .unwrap();
    for item in items {
        receptacle = store
            .bag_item(&oe_operator(), receptacle.id, receptacle.version, item.id)
            .await
            .unwrap();
    }
    store
        .close_receptacle(
            &oe_operator(),
            receptacle.id,
            receptacle.version,
            Grams::new(2500),
        )
        .await
        .unwrap()
}

fn closing(receptacles: &[&ReceptacleRecord]) -> DispatchClosing {
    DispatchClosing {
        office: site("EGCAIA"),
        series: series(),
        mail_class: MailClass::parse("U").unwrap(),
        transit_office: Some(OfficeCode::parse("JOAMMA").unwrap()),
        year: 2026,
        closed_at: T0 + minutes(30),
        receptacles: receptacles
            .iter()
            .map(|receptacle| (receptacle.id, receptacle.version))
            .collect(),
    }
}

/// The dispatch closed with this one receptacle.
async fn dispatch_of(store: &Arc<dyn Store>, receptacle: &ReceptacleRecord) -> DispatchRecord {
    store
        .close_dispatch(
            &oe_operator(),
            &closing(&[receptacle]),
            &*planner(vec![receptacle.clone()]),
        )
        .await
        .unwrap()
}

/// What the web layer would compute: S9 IDs numbered in order, EMC for every item, one PREDES
/// to the destination.
fn planner(receptacles: Vec<ReceptacleRecord>) -> Box<DispatchPlanner<'static>> {
    Box::new(move |number: DispatchNumber| {
        let s8 = SeriesYear {
            series: series(),
            year: 2026,
        }
        .dispatch_id(number);
        let count = receptacles.len();
        let mut planned = Vec::new();
        let mut events = Vec::new();
        for (index, receptacle) in receptacles.iter().enumerate() {
            let s9 = ReceptacleId {
                dispatch: s8,
                serial: ReceptacleSerial::new(u16::try_from(index + 1).unwrap()).unwrap(),
                highest: index + 1 == count,
                registered: true,
                weight: ReceptacleWeight::from_grams(2500).unwrap(),
            };
            planned.push((receptacle.id, s9));
            for item in &receptacle.items {
                let copy = item.item.as_ref().unwrap();
                events.push(PlannedEvent {
                    item: copy.id,
                    expected_version: copy.version,
                    event: event(
                        "EMC",
                        Milestone::DepartedOutwardOffice,
                        T0 + minutes(30),
                        "EGCAIA",
                    ),
                    derived: derived(ItemStatus::DepartedOrigin),
                });
            }
        }
        Ok(DispatchPlan {
            s8,
            receptacles: planned,
            events,
            outbox: vec![message("PS", "PREDES")],
        })
    })
}

pub async fn receptacles_are_opened_filled_closed_and_reopened(store: Arc<dyn Store>) {
    network(&store).await;
    let first = item_at_office(&store, 11).await;
    let second = item_at_office(&store, 12).await;
    let actor = oe_operator();
    let opened = store
        .open_receptacle(&actor, &new_receptacle())
        .await
        .unwrap();
    assert_eq!(opened.status, ReceptacleStatus::Open);
    assert_eq!(opened.series, series());
    assert_eq!(opened.s9, None);
    assert!(opened.items.is_empty());

    let one = store
        .bag_item(&actor, opened.id, opened.version, first.id)
        .await
        .unwrap();
    let two = store
        .bag_item(&actor, one.id, one.version, second.id)
        .await
        .unwrap();
    assert_eq!(
        two.items.iter().map(|item| item.s10).collect::<Vec<_>>(),
        vec![first.s10, second.s10]
    );
    let copy = two.items[0].item.as_ref().unwrap();
    assert_eq!(copy.id, first.id);
    assert_eq!(copy.status, ItemStatus::AtOutwardOffice);
    assert_eq!(copy.destination_country, cc("PS"));
    assert_eq!(
        store
            .active_receptacle_of(cc("EG"), second.id)
            .await
            .unwrap(),
        Some(opened.id)
    );

    let fewer = store
        .unbag_item(&actor, two.id, two.version, &first.s10)
        .await
        .unwrap();
    assert_eq!(fewer.items.len(), 1);
    assert_eq!(
        store
            .active_receptacle_of(cc("EG"), first.id)
            .await
            .unwrap(),
        None
    );
    assert_not_found(
        store
            .unbag_item(&actor, fewer.id, fewer.version, &first.s10)
            .await,
    );

    let closed = store
        .close_receptacle(&actor, fewer.id, fewer.version, Grams::new(1800))
        .await
        .unwrap();
    assert_eq!(closed.status, ReceptacleStatus::Closed);
    assert_eq!(closed.gross_weight, Some(Grams::new(1800)));
    assert!(closed.closed_at.is_some());
    // A closed receptacle takes no item.
    assert_conflict(
        store
            .bag_item(&actor, closed.id, closed.version, first.id)
            .await,
    );

    match store
        .reopen_receptacle(&actor, closed.id, closed.version, "  ")
        .await
    {
        Err(StoreError::Invalid {
            field: "reason", ..
        }) => {}
        other => panic!("expected the reason to be required, got {other:?}"),
    }
    let reopened = store
        .reopen_receptacle(&actor, closed.id, closed.version, "customs hold on an item")
        .await
        .unwrap();
    assert_eq!(reopened.status, ReceptacleStatus::Open);
    assert_eq!(reopened.gross_weight, None);
    assert_eq!(
        store.receptacle(cc("EG"), reopened.id).await.unwrap(),
        Some(reopened.clone())
    );
    let listed = store
        .receptacles(
            cc("EG"),
            &ReceptacleQuery {
                office: Some(site("EGCAIA")),
                statuses: vec![ReceptacleStatus::Open],
                dispatch: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(listed, vec![reopened]);
    // Another operator finds nothing.
    assert_eq!(store.receptacle(cc("PS"), opened.id).await.unwrap(), None);

    let actions = audit_actions(&store, "EG").await;
    for action in [
        "receptacle.open",
        "receptacle.add_item",
        "receptacle.remove_item",
        "receptacle.close",
        "receptacle.reopen",
    ] {
        assert!(actions.iter().any(|found| found == action), "{action}");
    }
}

pub async fn receptacle_advance_is_kept_for_its_closed_version_only(store: Arc<dyn Store>) {
    network(&store).await;
    let item = item_at_office(&store, 31).await;
    let actor = oe_operator();
    let opened = store
        .open_receptacle(&actor, &new_receptacle())
        .await
        .unwrap();
    let filled = store
        .bag_item(&actor, opened.id, opened.version, item.id)
        .await
        .unwrap();
    // An open receptacle keeps nothing: its contents may still change.
    assert!(
        !store
            .keep_receptacle_advance(cc("EG"), filled.id, filled.version, "{}")
            .await
            .unwrap()
    );
    let closed = store
        .close_receptacle(&actor, filled.id, filled.version, Grams::new(900))
        .await
        .unwrap();
    let data = r#"{"RR000000316EG":{"contents":"وثائق"}}"#;
    // Another operator's receptacle of the same row number, or a stale version: nothing kept.
    assert!(
        !store
            .keep_receptacle_advance(cc("PS"), closed.id, closed.version, data)
            .await
            .unwrap()
    );
    assert!(
        !store
            .keep_receptacle_advance(cc("EG"), closed.id, closed.version - 1, data)
            .await
            .unwrap()
    );
    assert!(
        store
            .keep_receptacle_advance(cc("EG"), closed.id, closed.version, data)
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .receptacle_advance(cc("EG"), &[closed.id, opened.id])
            .await
            .unwrap(),
        vec![(closed.id, data.to_owned())]
    );
    assert!(
        store
            .receptacle_advance(cc("PS"), &[closed.id])
            .await
            .unwrap()
            .is_empty()
    );
    // Reopened, its contents may change: the data is gone, and stays gone once it closes again.
    let reopened = store
        .reopen_receptacle(&actor, closed.id, closed.version, "one more item")
        .await
        .unwrap();
    let again = store
        .close_receptacle(&actor, reopened.id, reopened.version, Grams::new(900))
        .await
        .unwrap();
    assert!(
        store
            .receptacle_advance(cc("EG"), &[again.id])
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn an_item_is_in_one_receptacle_being_built(store: Arc<dyn Store>) {
    network(&store).await;
    let item = item_at_office(&store, 21).await;
    let actor = oe_operator();
    let a = store
        .open_receptacle(&actor, &new_receptacle())
        .await
        .unwrap();
    let b = store
        .open_receptacle(&actor, &new_receptacle())
        .await
        .unwrap();
    let a = store
        .bag_item(&actor, a.id, a.version, item.id)
        .await
        .unwrap();
    assert_conflict(store.bag_item(&actor, b.id, b.version, item.id).await);
    // The same receptacle twice is refused too.
    assert_conflict(store.bag_item(&actor, a.id, a.version, item.id).await);
    // A stale version is refused and writes nothing.
    let before = audit_count(&store, "EG").await;
    assert_conflict(store.bag_item(&actor, a.id, a.version - 1, item.id).await);
    assert_conflict(
        store
            .close_receptacle(&actor, a.id, a.version - 1, Grams::new(900))
            .await,
    );
    assert_eq!(audit_count(&store, "EG").await, before);
    assert_eq!(
        store
            .receptacle(cc("EG"), b.id)
            .await
            .unwrap()
            .unwrap()
            .items,
        vec![]
    );
}

pub async fn close_dispatch_writes_ids_events_and_outbox_together(store: Arc<dyn Store>) {
    network(&store).await;
    let items = [
        item_at_office(&store, 31).await,
        item_at_office(&store, 32).await,
        item_at_office(&store, 33).await,
    ];
    let first = closed_receptacle(&store, &[&items[0], &items[1]]).await;
    let second = closed_receptacle(&store, &[&items[2]]).await;
    let dispatch = store
        .close_dispatch(
            &oe_operator(),
            &closing(&[&first, &second]),
            &*planner(vec![first.clone(), second.clone()]),
        )
        .await
        .unwrap();
    assert_eq!(dispatch.s8.to_string(), "EGCAIAPSRMHAAUR60001");
    assert_eq!(dispatch.direction, DispatchDirection::Outward);
    assert_eq!(dispatch.status, DispatchStatus::Closed);
    assert_eq!(
        dispatch.transit_office,
        Some(OfficeCode::parse("JOAMMA").unwrap())
    );
    assert_eq!(dispatch.closed_at, T0 + minutes(30));
    assert_eq!(dispatch.closed_at.offset(), (T0 + minutes(30)).offset());
    let s9s: Vec<String> = dispatch
        .receptacles
        .iter()
        .map(|receptacle| receptacle.s9.unwrap().to_string())
        .collect();
    assert_eq!(
        s9s,
        vec![
            "EGCAIAPSRMHAAUR60001001010025",
            "EGCAIAPSRMHAAUR60001002110025"
        ]
    );
    assert!(
        dispatch
            .receptacles
            .iter()
            .all(
                |receptacle| receptacle.status == ReceptacleStatus::Dispatched
                    && receptacle.dispatch == Some(dispatch.id)
            )
    );
    assert_eq!(dispatch.receptacles[0].items.len(), 2);
    for item in &items {
        let now = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
        assert_eq!(now.status, ItemStatus::DepartedOrigin);
        assert_eq!(now.version, item.version + 1);
        let events = store.item_events(cc("EG"), item.id).await.unwrap();
        assert_eq!(events.last().unwrap().event.code.as_str(), "EMC");
        assert_eq!(
            store.active_receptacle_of(cc("EG"), item.id).await.unwrap(),
            None
        );
    }
    let outbox = pending(&store, "PS", T0 + minutes(60)).await;
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].message_type, "PREDES");
    assert!(
        audit_actions(&store, "EG")
            .await
            .iter()
            .any(|a| a == "dispatch.close")
    );
    assert_eq!(
        store.dispatch(cc("EG"), dispatch.id).await.unwrap(),
        Some(dispatch.clone())
    );
    let listed = store
        .dispatches(
            cc("EG"),
            &DispatchQuery {
                office: Some(site("EGCAIA")),
                direction: Some(DispatchDirection::Outward),
                statuses: vec![],
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].s8, dispatch.s8);
    assert_eq!(listed[0].receptacle_count, 2);
    assert_eq!(listed[0].item_count, 3);
    assert_eq!(listed[0].total_weight, 5000);
    assert_eq!(store.dispatch(cc("PS"), dispatch.id).await.unwrap(), None);
    let loaded = store
        .items_by_ids(cc("EG"), &[items[2].id, items[0].id])
        .await
        .unwrap();
    assert_eq!(
        loaded.iter().map(|item| item.s10).collect::<Vec<_>>(),
        vec![items[2].s10, items[0].s10]
    );
    assert_not_found(store.items_by_ids(cc("PS"), &[items[0].id]).await);
    let all_events = store
        .events_of_items(cc("EG"), &[items[0].id, items[2].id])
        .await
        .unwrap();
    assert_eq!(all_events.len(), 6);
    assert!(
        all_events[..3]
            .iter()
            .all(|event| event.item == items[0].id)
    );

    // The destination's response on receipt goes on the outward dispatch, and replaces an
    // earlier one; only our own outward dispatches take one.
    assert_eq!(dispatch.partner_response, None);
    for response in ["{\"first\":1}", "{\"second\":2}"] {
        let id = store
            .record_partner_response(&oe_operator(), &dispatch.s8, response)
            .await
            .unwrap();
        assert_eq!(id, dispatch.id);
    }
    let answered = store
        .dispatch(cc("EG"), dispatch.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.partner_response.as_deref(), Some("{\"second\":2}"));
    assert_eq!(answered.version, dispatch.version + 2);
    let unknown = barid_core::DispatchId::parse("EGCAIAPSRMHAAUR69999").unwrap();
    assert_not_found(
        store
            .record_partner_response(&oe_operator(), &unknown, "{}")
            .await,
    );
}

pub async fn close_dispatch_writes_nothing_when_a_receptacle_changed(store: Arc<dyn Store>) {
    network(&store).await;
    let item = item_at_office(&store, 41).await;
    let receptacle = closed_receptacle(&store, &[&item]).await;
    let mut stale = closing(&[&receptacle]);
    stale.receptacles[0].1 -= 1;
    let before = audit_count(&store, "EG").await;
    assert_conflict(
        store
            .close_dispatch(&oe_operator(), &stale, &*planner(vec![receptacle.clone()]))
            .await,
    );
    // A planner that fails rolls the number back too.
    let failing: Box<DispatchPlanner<'static>> =
        Box::new(|_| Err(StoreError::invalid("plan", "refused on purpose")));
    assert!(
        store
            .close_dispatch(&oe_operator(), &closing(&[&receptacle]), &*failing)
            .await
            .is_err()
    );
    assert_eq!(audit_count(&store, "EG").await, before);
    assert_eq!(
        store
            .item(cc("EG"), &item.s10)
            .await
            .unwrap()
            .unwrap()
            .status,
        ItemStatus::AtOutwardOffice
    );
    let dispatch = dispatch_of(&store, &receptacle).await;
    assert_eq!(
        dispatch.s8.number.get(),
        1,
        "the failed closings gave their number back"
    );
    // A dispatched receptacle cannot be dispatched again.
    let again = store
        .receptacle(cc("EG"), receptacle.id)
        .await
        .unwrap()
        .unwrap();
    assert_conflict(
        store
            .close_dispatch(
                &oe_operator(),
                &closing(&[&again]),
                &*planner(vec![again.clone()]),
            )
            .await,
    );
    assert_conflict(
        store
            .reopen_receptacle(&oe_operator(), again.id, again.version, "too late")
            .await,
    );
}

pub async fn concurrent_dispatch_closings_get_consecutive_numbers(store: Arc<dyn Store>) {
    network(&store).await;
    let mut receptacles = Vec::new();
    for serial in 0..8 {
        let item = item_at_office(&store, 100 + serial).await;
        receptacles.push(closed_receptacle(&store, &[&item]).await);
    }
    let tasks: Vec<_> = receptacles
        .into_iter()
        .map(|receptacle| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                // PostgreSQL may refuse the first closings of a year that meet on the new
                // counter row; the caller retries, as the web layer does.
                for _ in 0..20 {
                    match store
                        .close_dispatch(
                            &oe_operator(),
                            &closing(&[&receptacle]),
                            &*planner(vec![receptacle.clone()]),
                        )
                        .await
                    {
                        Ok(dispatch) => return dispatch.s8.number.get(),
                        Err(StoreError::Conflict { .. }) => tokio::task::yield_now().await,
                        Err(other) => panic!("{other:?}"),
                    }
                }
                panic!("closing kept conflicting");
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=8).collect::<Vec<u16>>());
    let listed = store
        .dispatches(
            cc("EG"),
            &DispatchQuery {
                office: None,
                direction: None,
                statuses: vec![DispatchStatus::Closed],
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 8);
}

fn expected(receptacles: Vec<ExpectedReceptacle>) -> ExpectedDispatch {
    let s8 = SeriesYear {
        series: series(),
        year: 2026,
    }
    .dispatch_id(DispatchNumber::FIRST);
    ExpectedDispatch {
        direction: DispatchDirection::Inward,
        office: site("PSRMHA"),
        s8,
        year: 2026,
        transit_office: Some(OfficeCode::parse("JOAMMA").unwrap()),
        mail_class: MailClass::parse("U").unwrap(),
        closed_at: T0,
        advised: true,
        receptacles,
    }
}

fn s9(serial: u16, highest: bool) -> ReceptacleId {
    ReceptacleId {
        dispatch: SeriesYear {
            series: series(),
            year: 2026,
        }
        .dispatch_id(DispatchNumber::FIRST),
        serial: ReceptacleSerial::new(serial).unwrap(),
        highest,
        registered: true,
        weight: ReceptacleWeight::from_grams(2500).unwrap(),
    }
}

pub async fn inward_dispatches_are_expected_received_opened_and_finished(store: Arc<dyn Store>) {
    network(&store).await;
    let ps = || {
        let mut actor = cli("PS");
        actor.office = Some(site("PSRMHA"));
        actor
    };
    let advised = expected(vec![
        ExpectedReceptacle {
            s9: s9(1, false),
            gross_weight: Grams::new(2500),
            items: vec![s10(61), s10(62)],
        },
        ExpectedReceptacle {
            s9: s9(2, true),
            gross_weight: Grams::new(2500),
            items: vec![s10(63)],
        },
    ]);
    let dispatch = store
        .record_expected_dispatch(&ps(), &advised)
        .await
        .unwrap();
    assert_eq!(dispatch.status, DispatchStatus::Expected);
    assert_eq!(dispatch.direction, DispatchDirection::Inward);
    assert_eq!(dispatch.receptacles.len(), 2);
    assert!(
        dispatch
            .receptacles
            .iter()
            .all(|receptacle| receptacle.status == ReceptacleStatus::Advised && receptacle.advised)
    );
    assert_eq!(dispatch.receptacles[0].items[1].s10, s10(62));
    assert!(dispatch.receptacles[0].items[0].advised);
    assert_conflict(store.record_expected_dispatch(&ps(), &advised).await);
    assert_eq!(
        store
            .expected_dispatch(cc("PS"), &advised.s8)
            .await
            .unwrap()
            .map(|found| found.id),
        Some(dispatch.id)
    );
    assert_eq!(
        store
            .expected_dispatch(cc("EG"), &advised.s8)
            .await
            .unwrap(),
        None
    );
    // Read without the items in its receptacles: the same dispatch, the items left out.
    let mut without_items = dispatch.clone();
    for receptacle in &mut without_items.receptacles {
        receptacle.items.clear();
    }
    assert_eq!(
        store
            .expected_dispatch_head(cc("PS"), &advised.s8)
            .await
            .unwrap(),
        Some(without_items.clone())
    );
    assert_eq!(
        store.dispatch_head(cc("PS"), dispatch.id).await.unwrap(),
        Some(without_items)
    );
    assert_eq!(
        store.dispatch_head(cc("EG"), dispatch.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .expected_dispatch_head(cc("EG"), &advised.s8)
            .await
            .unwrap(),
        None
    );

    // The first receptacle arrives, light and torn; an unadvised third one arrives too.
    let first = store
        .receive_receptacle(
            &ps(),
            &ReceptacleArrival {
                dispatch: dispatch.id,
                s9: s9(1, false),
                measured_weight: Some(Grams::new(1900)),
                damaged: true,
            },
            &|received, first| {
                // The reports are written with the arrival, once.
                assert!(first);
                assert_eq!(received.s9, Some(s9(1, false)));
                Ok(vec![message("EG", "EMSEVT")])
            },
        )
        .await
        .unwrap();
    assert_eq!(first.status, ReceptacleStatus::Received);
    assert_eq!(first.received_weight, Some(Grams::new(1900)));
    assert!(first.damaged);
    let reports = store
        .pending_outbox(cc("PS"), cc("EG"), T0 + minutes(600), 10)
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].message_type, "EMSEVT");
    // Its label scanned again: not a first arrival, and a failing report writes nothing.
    let again = store
        .receive_receptacle(
            &ps(),
            &ReceptacleArrival {
                dispatch: dispatch.id,
                s9: s9(1, false),
                measured_weight: None,
                damaged: false,
            },
            &|_, first| {
                assert!(!first);
                Err(StoreError::invalid("reports", "refused on purpose"))
            },
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Invalid { .. })),
        "{again:?}"
    );
    assert_eq!(
        store
            .pending_outbox(cc("PS"), cc("EG"), T0 + minutes(600), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let extra = store
        .receive_receptacle(
            &ps(),
            &ReceptacleArrival {
                dispatch: dispatch.id,
                s9: s9(3, true),
                measured_weight: None,
                damaged: false,
            },
            &|_, _| Ok(Vec::new()),
        )
        .await
        .unwrap();
    assert!(!extra.advised);
    // Opening the first: one advised item and one that was not advised.
    assert_conflict(
        store
            .scan_receptacle_item(&ps(), dispatch.receptacles[1].id, &s10(63), false, &[], &[])
            .await,
    );
    store
        .scan_receptacle_item(&ps(), first.id, &s10(61), false, &[], &[])
        .await
        .unwrap();
    let opened = store
        .scan_receptacle_item(&ps(), first.id, &s10(99), true, &[], &[])
        .await
        .unwrap();
    assert_eq!(opened.status, ReceptacleStatus::Opened);
    let found: Vec<(S10Id, bool, bool, bool)> = opened
        .items
        .iter()
        .map(|item| (item.s10, item.advised, item.scanned, item.damaged))
        .collect();
    assert_eq!(
        found,
        vec![
            (s10(61), true, true, false),
            (s10(62), true, false, false),
            (s10(99), false, true, true),
        ]
    );
    let received = store
        .dispatch(cc("PS"), dispatch.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received.status, DispatchStatus::Received);
    assert!(received.received_at.is_some());

    let outcome = DispatchOutcome {
        status: DispatchStatus::Verified,
        discrepancies: Some(serde_json::json!([{"code": "missing_receptacle"}])),
        at: T0 + minutes(90),
        events: vec![],
        outbox: vec![NewOutboxMessage {
            recipient: cc("EG"),
            ..message("EG", "RESDES")
        }],
    };
    assert_conflict(
        store
            .finish_dispatch(&ps(), dispatch.id, received.version - 1, &outcome)
            .await,
    );
    let finished = store
        .finish_dispatch(&ps(), dispatch.id, received.version, &outcome)
        .await
        .unwrap();
    assert_eq!(finished.status, DispatchStatus::Verified);
    assert_eq!(finished.discrepancies, outcome.discrepancies);
    let statuses: Vec<ReceptacleStatus> = finished
        .receptacles
        .iter()
        .map(|receptacle| receptacle.status)
        .collect();
    assert_eq!(
        statuses,
        vec![
            ReceptacleStatus::Opened,
            ReceptacleStatus::Missing,
            ReceptacleStatus::Received
        ]
    );
    // The arrival's report, then the finishing's message.
    assert_eq!(
        store
            .pending_outbox(cc("PS"), cc("EG"), T0 + minutes(120), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    // Finished is final.
    assert_conflict(
        store
            .finish_dispatch(&ps(), dispatch.id, finished.version, &outcome)
            .await,
    );
    assert_conflict(
        store
            .receive_receptacle(
                &ps(),
                &ReceptacleArrival {
                    dispatch: dispatch.id,
                    s9: s9(2, false),
                    measured_weight: None,
                    damaged: false,
                },
                &|_, _| Ok(Vec::new()),
            )
            .await,
    );
}

pub async fn dispatch_by_s8_is_the_latest_of_any_direction(store: Arc<dyn Store>) {
    network(&store).await;
    let item = item_at_office(&store, 41).await;
    let receptacle = closed_receptacle(&store, &[&item]).await;
    let outward = dispatch_of(&store, &receptacle).await;
    let s8 = outward.s8;
    assert_eq!(
        store.dispatch_by_s8(cc("EG"), &s8).await.unwrap(),
        Some(outward.clone())
    );
    assert_eq!(store.dispatch_by_s8(cc("PS"), &s8).await.unwrap(), None);
    let unknown = SeriesYear {
        series: series(),
        year: 2026,
    }
    .dispatch_id(DispatchNumber::new(2).unwrap());
    assert_eq!(
        store.dispatch_by_s8(cc("EG"), &unknown).await.unwrap(),
        None
    );

    // A copy of our own S8 (a receptacle of ours scanned on arrival by mistake, ten years
    // earlier): the outward dispatch is still the one found.
    let eg = || {
        let mut actor = cli("EG");
        actor.office = Some(site("EGCAIA"));
        actor
    };
    let older = ExpectedDispatch {
        direction: DispatchDirection::Transit,
        office: site("EGCAIA"),
        year: 2016,
        ..expected(Vec::new())
    };
    assert_eq!(older.s8, s8);
    store.record_expected_dispatch(&eg(), &older).await.unwrap();
    assert_eq!(
        store.dispatch_by_s8(cc("EG"), &s8).await.unwrap(),
        Some(outward.clone())
    );

    // Palestine's copies, inward or transit: of the latest year, the newest row.
    let ps = || {
        let mut actor = cli("PS");
        actor.office = Some(site("PSRMHA"));
        actor
    };
    let inward = store
        .record_expected_dispatch(&ps(), &expected(Vec::new()))
        .await
        .unwrap();
    store
        .record_expected_dispatch(
            &ps(),
            &ExpectedDispatch {
                year: 2016,
                ..expected(Vec::new())
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.dispatch_by_s8(cc("PS"), &s8).await.unwrap(),
        Some(inward)
    );
    let transit = store
        .record_expected_dispatch(
            &ps(),
            &ExpectedDispatch {
                direction: DispatchDirection::Transit,
                ..expected(Vec::new())
            },
        )
        .await
        .unwrap();
    let found = store.dispatch_by_s8(cc("PS"), &s8).await.unwrap().unwrap();
    assert_eq!(found.id, transit.id);
    assert_eq!(found.direction, DispatchDirection::Transit);
    assert_eq!(
        store.dispatch_by_s8(cc("EG"), &s8).await.unwrap(),
        Some(outward)
    );
}
