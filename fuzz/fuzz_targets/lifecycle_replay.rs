//! Any sequence of events, in any order, with any times and sources, replays to a state with
//! one flag per event; and events that strict application accepts replay to the same state.
#![no_main]

use barid_core::lifecycle::{EventSource, ItemState, LifecycleEvent, apply_local, replay};
use barid_core::{Milestone, NextAction};
use libfuzzer_sys::fuzz_target;
use time::{Duration, OffsetDateTime};

fuzz_target!(|bytes: &[u8]| {
    let start = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
    let events: Vec<LifecycleEvent> = bytes
        .chunks_exact(3)
        .map(|chunk| {
            let milestone = Milestone::ALL[usize::from(chunk[0]) % Milestone::ALL.len()];
            let next_action = match chunk[1] % 5 {
                0 => Some(NextAction::ReturnToSender),
                1 => Some(NextAction::Redeliver),
                _ => None,
            };
            let source = if chunk[1] & 0x80 == 0 {
                EventSource::Local
            } else {
                EventSource::Partner
            };
            let at = start + Duration::minutes(i64::from(chunk[2]));
            LifecycleEvent {
                milestone,
                at,
                next_action,
                source,
            }
        })
        .collect();
    let replayed = replay(&events);
    assert_eq!(replayed.flags.len(), events.len());

    let mut state = ItemState::new();
    let mut accepted = Vec::new();
    for event in &events {
        let local = LifecycleEvent {
            source: EventSource::Local,
            ..event.clone()
        };
        if let Ok(next) = apply_local(&state, &local) {
            state = next;
            accepted.push(local);
        }
    }
    assert_eq!(replay(&accepted).state, state);
});
