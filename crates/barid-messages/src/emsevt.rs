//! EMSEVT: item tracking events, from the post where they happened to its partner posts.

use barid_core::lifecycle::EventSource;
use barid_core::{EventCode, LifecycleEvent, Milestone, NextAction, ReasonCode, S10Id, SiteCode};
use time::OffsetDateTime;

use crate::error::MessageError;
use crate::text::{Note, Signatory};

/// One event on one item.
///
/// Both the code and the milestone travel. The code is the sender's, from its own event table
/// (a post may add codes of its own), and is what people see; the milestone is what the code
/// means in the sender's table, and is what the receiver's lifecycle runs on, so the receiver
/// never needs the sender's table. For the 25 EMSEVT v3 codes, [`standard_milestone`] gives
/// the standard meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingEvent {
    pub s10: S10Id,
    pub code: EventCode,
    pub milestone: Milestone,
    /// When it happened, with the UTC offset of the office where it happened.
    pub at: OffsetDateTime,
    /// Where it happened: an IMPC code at an office of exchange, or the post's own code for a
    /// counter, sorting centre or delivery office.
    pub office: SiteCode,
    /// Why a delivery failed or an item is held, from the sender's reason table.
    pub reason: Option<ReasonCode>,
    pub next_action: Option<NextAction>,
    /// Who signed for or took delivery of the item.
    pub signatory: Option<Signatory>,
    pub note: Option<Note>,
}

impl TrackingEvent {
    /// The event as the receiver's lifecycle replays it: from a partner post.
    pub fn lifecycle_event(&self) -> LifecycleEvent {
        LifecycleEvent {
            milestone: self.milestone,
            at: self.at,
            next_action: self.next_action,
            source: EventSource::Partner,
        }
    }
}

/// The milestone EMSEVT v3 gives a standard code (`EMA` posted ... `EMI` delivered), or `None`
/// for a code of a post's own.
pub fn standard_milestone(code: &EventCode) -> Option<Milestone> {
    Milestone::ALL
        .into_iter()
        .find(|milestone| milestone.standard_code() == code.as_str())
}

/// Tracking events about one or more items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Emsevt {
    events: Vec<TrackingEvent>,
}

impl Emsevt {
    /// At least one event. Several events may be about the same item.
    pub fn new(events: Vec<TrackingEvent>) -> Result<Self, MessageError> {
        if events.is_empty() {
            return Err(MessageError::new(
                "events",
                "empty",
                "an EMSEVT carries at least one event".to_owned(),
            ));
        }
        Ok(Self { events })
    }

    pub fn events(&self) -> &[TrackingEvent] {
        &self.events
    }

    pub fn into_events(self) -> Vec<TrackingEvent> {
        self.events
    }
}
