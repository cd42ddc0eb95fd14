//! The item lifecycle: which status an item is in, derived from its tracking events.
//!
//! An item travels along a *leg*: posted, outward office of exchange (with export customs),
//! departure, transit offices, inward office of exchange (with import customs), the domestic
//! network, and delivery. A return to sender keeps the S10 ID and starts a second leg that runs
//! the same stages in the other direction, ending in `returned_to_sender`.
//!
//! Two ways to apply events:
//! - [`apply_local`] is strict. It is used when a user of our node records an event: an event that
//!   cannot happen in the item's current state is a typed [`LifecycleError`], and it is never
//!   stored.
//! - [`replay`] is lenient. It derives the status from the stored event list, which also holds
//!   events from partner posts. Those may arrive late or with gaps, so replay sorts by event time,
//!   keeps every event, flags the ones that are out of sequence, and lets a stored event move the
//!   item forward even when the events in between never reached us (an event is a fact at some
//!   office, so a late partner event slotting in before ours never pulls the item back).
//!
//! What does not belong here: event codes and their texts (reference data, see [`crate::event`]),
//! storage, and the clock. Every time is an argument.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::event::{Milestone, NextAction};

/// Who recorded an event, which decides how strictly it is checked during [`replay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    /// Recorded by a user of our node: checked strictly before it is stored.
    Local,
    /// Received from a partner post: stored as received, flagged when out of sequence.
    Partner,
}

impl EventSource {
    pub fn as_str(&self) -> &'static str {
        match self {
            EventSource::Local => "local",
            EventSource::Partner => "partner",
        }
    }
}

impl fmt::Display for EventSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tracking event, reduced to what the lifecycle rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleEvent {
    pub milestone: Milestone,
    /// When it happened. Compared by instant, whatever the UTC offset.
    pub at: OffsetDateTime,
    /// What happens next; only [`NextAction::ReturnToSender`] changes the lifecycle.
    pub next_action: Option<NextAction>,
    pub source: EventSource,
}

/// Which way the item is travelling. A return to sender keeps the S10 ID and starts a new leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Leg {
    /// From the sender towards the addressee.
    #[default]
    Outbound,
    /// Back towards the sender, after a return-to-sender decision.
    Return,
}

impl Leg {
    pub fn as_str(&self) -> &'static str {
        match self {
            Leg::Outbound => "outbound",
            Leg::Return => "return",
        }
    }
}

impl fmt::Display for Leg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the item is, as derived from its latest event that counts.
///
/// `as_str()` (and serde) give the stable snake_case name used by the API and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// No event recorded yet (e.g. the item is only known from a pre-advice).
    NoEvents,
    /// EMA: posted at a counter or collected.
    Accepted,
    /// EMB: at the outward office of exchange.
    AtOutwardOffice,
    /// EXA: presented to export customs or security.
    PresentedToExportCustoms,
    /// EXB: held by export customs or security.
    HeldByExportCustoms,
    /// EXC: returned from export customs, free to leave.
    ReleasedByExportCustoms,
    /// EXD: held at the outward office of exchange.
    HeldAtOutwardOffice,
    /// EMC: left the outward office of exchange.
    DepartedOrigin,
    /// EMJ: at a transit office of exchange.
    AtTransitOffice,
    /// EMK: left a transit office of exchange.
    DepartedTransitOffice,
    /// EMD: at the inward office of exchange.
    AtInwardOffice,
    /// EDA: held at the inward office of exchange.
    HeldAtInwardOffice,
    /// EDB: presented to import customs.
    PresentedToImportCustoms,
    /// EME: held by import customs.
    HeldByImportCustoms,
    /// EDC: released to the post by import customs.
    ReleasedByImportCustoms,
    /// EMF: left the inward office of exchange.
    DepartedInwardOffice,
    /// EDD: in a domestic sorting centre.
    InSortingCentre,
    /// EDE: left a domestic sorting centre.
    LeftSortingCentre,
    /// EMG: at the delivery office.
    AtDeliveryOffice,
    /// EDF: held at the delivery office or depot.
    HeldAtDeliveryOffice,
    /// EDG: out for delivery.
    OutForDelivery,
    /// EDH: waiting at a collection point for the addressee.
    AtCollectionPoint,
    /// EMH: a delivery attempt failed.
    DeliveryAttemptFailed,
    /// EMI on the outbound leg. Final.
    Delivered,
    /// EDX: import terminated (seized, abandoned, destroyed). Final.
    ImportTerminated,
    /// EXX: export cancelled at origin. Final.
    ExportCancelled,
    /// A return to sender was decided; the return leg has not started moving yet.
    ReturnPending,
    /// EMI on the return leg: handed back to the sender. Final.
    ReturnedToSender,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 28] = [
        ItemStatus::NoEvents,
        ItemStatus::Accepted,
        ItemStatus::AtOutwardOffice,
        ItemStatus::PresentedToExportCustoms,
        ItemStatus::HeldByExportCustoms,
        ItemStatus::ReleasedByExportCustoms,
        ItemStatus::HeldAtOutwardOffice,
        ItemStatus::DepartedOrigin,
        ItemStatus::AtTransitOffice,
        ItemStatus::DepartedTransitOffice,
        ItemStatus::AtInwardOffice,
        ItemStatus::HeldAtInwardOffice,
        ItemStatus::PresentedToImportCustoms,
        ItemStatus::HeldByImportCustoms,
        ItemStatus::ReleasedByImportCustoms,
        ItemStatus::DepartedInwardOffice,
        ItemStatus::InSortingCentre,
        ItemStatus::LeftSortingCentre,
        ItemStatus::AtDeliveryOffice,
        ItemStatus::HeldAtDeliveryOffice,
        ItemStatus::OutForDelivery,
        ItemStatus::AtCollectionPoint,
        ItemStatus::DeliveryAttemptFailed,
        ItemStatus::Delivered,
        ItemStatus::ImportTerminated,
        ItemStatus::ExportCancelled,
        ItemStatus::ReturnPending,
        ItemStatus::ReturnedToSender,
    ];

    /// The stable snake_case name used by the API and the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            ItemStatus::NoEvents => "no_events",
            ItemStatus::Accepted => "accepted",
            ItemStatus::AtOutwardOffice => "at_outward_office",
            ItemStatus::PresentedToExportCustoms => "presented_to_export_customs",
            ItemStatus::HeldByExportCustoms => "held_by_export_customs",
            ItemStatus::ReleasedByExportCustoms => "released_by_export_customs",
            ItemStatus::HeldAtOutwardOffice => "held_at_outward_office",
            ItemStatus::DepartedOrigin => "departed_origin",
            ItemStatus::AtTransitOffice => "at_transit_office",
            ItemStatus::DepartedTransitOffice => "departed_transit_office",
            ItemStatus::AtInwardOffice => "at_inward_office",
            ItemStatus::HeldAtInwardOffice => "held_at_inward_office",
            ItemStatus::PresentedToImportCustoms => "presented_to_import_customs",
            ItemStatus::HeldByImportCustoms => "held_by_import_customs",
            ItemStatus::ReleasedByImportCustoms => "released_by_import_customs",
            ItemStatus::DepartedInwardOffice => "departed_inward_office",
            ItemStatus::InSortingCentre => "in_sorting_centre",
            ItemStatus::LeftSortingCentre => "left_sorting_centre",
            ItemStatus::AtDeliveryOffice => "at_delivery_office",
            ItemStatus::HeldAtDeliveryOffice => "held_at_delivery_office",
            ItemStatus::OutForDelivery => "out_for_delivery",
            ItemStatus::AtCollectionPoint => "at_collection_point",
            ItemStatus::DeliveryAttemptFailed => "delivery_attempt_failed",
            ItemStatus::Delivered => "delivered",
            ItemStatus::ImportTerminated => "import_terminated",
            ItemStatus::ExportCancelled => "export_cancelled",
            ItemStatus::ReturnPending => "return_pending",
            ItemStatus::ReturnedToSender => "returned_to_sender",
        }
    }

    pub fn parse(text: &str) -> Result<Self, UnknownItemStatus> {
        let wanted = text.trim();
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
            .ok_or_else(|| UnknownItemStatus {
                found: text.to_owned(),
            })
    }

    /// Whether no further event can follow.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            ItemStatus::Delivered
                | ItemStatus::ImportTerminated
                | ItemStatus::ExportCancelled
                | ItemStatus::ReturnedToSender
        )
    }

    /// How far along its leg an item in this status is.
    fn stage(&self) -> Stage {
        match self {
            ItemStatus::NoEvents | ItemStatus::ReturnPending => Stage::Start,
            ItemStatus::Accepted => Stage::Posted,
            ItemStatus::AtOutwardOffice
            | ItemStatus::PresentedToExportCustoms
            | ItemStatus::HeldByExportCustoms
            | ItemStatus::ReleasedByExportCustoms
            | ItemStatus::HeldAtOutwardOffice
            | ItemStatus::ExportCancelled => Stage::OutwardOffice,
            ItemStatus::DepartedOrigin => Stage::DepartedOutward,
            ItemStatus::AtTransitOffice | ItemStatus::DepartedTransitOffice => Stage::Transit,
            ItemStatus::AtInwardOffice
            | ItemStatus::HeldAtInwardOffice
            | ItemStatus::PresentedToImportCustoms
            | ItemStatus::HeldByImportCustoms
            | ItemStatus::ReleasedByImportCustoms
            | ItemStatus::ImportTerminated => Stage::InwardOffice,
            ItemStatus::DepartedInwardOffice => Stage::DepartedInward,
            ItemStatus::InSortingCentre
            | ItemStatus::LeftSortingCentre
            | ItemStatus::AtDeliveryOffice
            | ItemStatus::HeldAtDeliveryOffice
            | ItemStatus::OutForDelivery
            | ItemStatus::AtCollectionPoint
            | ItemStatus::DeliveryAttemptFailed => Stage::Domestic,
            ItemStatus::Delivered | ItemStatus::ReturnedToSender => Stage::Final,
        }
    }

    /// Posted or at the outward office of exchange, not yet departed: where export events happen.
    /// `ReturnPending` counts, as the start of the return leg.
    fn is_before_export(&self) -> bool {
        matches!(
            self,
            ItemStatus::Accepted
                | ItemStatus::AtOutwardOffice
                | ItemStatus::PresentedToExportCustoms
                | ItemStatus::HeldByExportCustoms
                | ItemStatus::ReleasedByExportCustoms
                | ItemStatus::HeldAtOutwardOffice
                | ItemStatus::ReturnPending
        )
    }

    /// At the inward office of exchange, between arrival (EMD) and departure (EMF).
    fn is_at_inward_office(&self) -> bool {
        matches!(
            self,
            ItemStatus::AtInwardOffice
                | ItemStatus::HeldAtInwardOffice
                | ItemStatus::PresentedToImportCustoms
                | ItemStatus::HeldByImportCustoms
                | ItemStatus::ReleasedByImportCustoms
        )
    }

    /// No event on this leg has moved the item yet: the first event of the item or of a return.
    fn is_leg_start(&self) -> bool {
        matches!(self, ItemStatus::NoEvents | ItemStatus::ReturnPending)
    }
}

impl fmt::Display for ItemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ItemStatus {
    type Err = UnknownItemStatus;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// A text that is not the name of an [`ItemStatus`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not an item status; expected one of {}", ItemStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))]
pub struct UnknownItemStatus {
    pub found: String,
}

/// Where an item is with one customs authority (export at origin, import at destination).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomsClearance {
    /// Not presented on this leg (letters, or customs not involved yet).
    #[default]
    NotPresented,
    /// Presented (EXA/EDB), no decision yet: the item may not move on.
    Presented,
    /// Held (EXB/EME): the item may not move on.
    Held,
    /// Returned to the post (EXC/EDC), or implied by a partner event further along.
    Released,
}

impl CustomsClearance {
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomsClearance::NotPresented => "not_presented",
            CustomsClearance::Presented => "presented",
            CustomsClearance::Held => "held",
            CustomsClearance::Released => "released",
        }
    }

    /// Customs has the item and has not given it back.
    pub fn is_pending(&self) -> bool {
        matches!(self, CustomsClearance::Presented | CustomsClearance::Held)
    }
}

impl fmt::Display for CustomsClearance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The item's lifecycle state. Built only by [`ItemState::new`], [`apply_local`] and [`replay`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    status: ItemStatus,
    leg: Leg,
    failed_attempts_on_leg: u32,
    last_event_at: Option<OffsetDateTime>,
    reached_inward_office: bool,
    seen_delivery_office: bool,
    /// When the item first reached a delivery office on this leg.
    at_delivery_office_since: Option<OffsetDateTime>,
    export_customs: CustomsClearance,
    import_customs: CustomsClearance,
}

impl ItemState {
    /// An item with no events yet.
    pub fn new() -> Self {
        Self {
            status: ItemStatus::NoEvents,
            leg: Leg::Outbound,
            failed_attempts_on_leg: 0,
            last_event_at: None,
            reached_inward_office: false,
            seen_delivery_office: false,
            at_delivery_office_since: None,
            export_customs: CustomsClearance::NotPresented,
            import_customs: CustomsClearance::NotPresented,
        }
    }

    /// When the item first reached a delivery office on this leg (its days of waiting count
    /// from then; see [`crate::delivery::DeliveryPolicy`]).
    pub fn at_delivery_office_since(&self) -> Option<OffsetDateTime> {
        self.at_delivery_office_since
    }

    pub fn status(&self) -> ItemStatus {
        self.status
    }

    pub fn leg(&self) -> Leg {
        self.leg
    }

    /// Failed delivery attempts (EMH) on the current leg.
    pub fn failed_attempts_on_leg(&self) -> u32 {
        self.failed_attempts_on_leg
    }

    /// The time of the latest event recorded, in or out of sequence. A new local event may not be
    /// earlier than this.
    pub fn last_event_at(&self) -> Option<OffsetDateTime> {
        self.last_event_at
    }

    /// Whether the item has reached its inward office of exchange (EMD) on the current leg.
    pub fn reached_inward_office(&self) -> bool {
        self.reached_inward_office
    }

    /// Whether the item has arrived at a delivery office (EMG) on the current leg.
    pub fn seen_delivery_office(&self) -> bool {
        self.seen_delivery_office
    }

    /// Export customs at the outward office of exchange of the current leg.
    pub fn export_customs(&self) -> CustomsClearance {
        self.export_customs
    }

    /// Import customs at the inward office of exchange of the current leg.
    pub fn import_customs(&self) -> CustomsClearance {
        self.import_customs
    }

    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }
}

impl Default for ItemState {
    fn default() -> Self {
        Self::new()
    }
}

/// Why an event cannot be applied to an item in its current state.
///
/// Each variant names the rule that was broken; `code()` is its stable snake_case name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error(
        "{attempted} ({code}) cannot be an item's first event: the first event must be posted (EMA), arrived at outward office (EMB), arrived at transit office (EMJ) or arrived at inward office (EMD)",
        code = .attempted.standard_code()
    )]
    InvalidFirstEvent { attempted: Milestone },
    #[error(
        "the item is already {status}, which is final: no {attempted} ({code}) event can follow it",
        code = .attempted.standard_code()
    )]
    AlreadyFinal {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the event time {at} is earlier than the item's latest event at {latest}; record events in time order"
    )]
    EarlierThanLatest {
        at: OffsetDateTime,
        latest: OffsetDateTime,
    },
    #[error(
        "posted (EMA) can only be an item's first event, but the item is already {status} on its {leg} leg"
    )]
    PostedNotFirst { status: ItemStatus, leg: Leg },
    #[error(
        "the item is already {status}: {attempted} ({code}) belongs to an earlier point of its journey",
        code = .attempted.standard_code()
    )]
    AlreadyPast {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status}: {attempted} ({code}) happens only at the outward office of exchange, before departure (EMC)",
        code = .attempted.standard_code()
    )]
    NotAtOutwardOffice {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status}: {attempted} ({code}) needs the item to be presented to customs first (EXA for export, EDB for import)",
        code = .attempted.standard_code()
    )]
    NotPresentedToCustoms {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status}: customs already has it, so {attempted} ({code}) cannot be recorded until customs returns it",
        code = .attempted.standard_code()
    )]
    AlreadyWithCustoms {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status} and customs has not released it (EXC for export, EDC for import), so {attempted} ({code}) cannot be recorded",
        code = .attempted.standard_code()
    )]
    NotReleasedByCustoms {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status}: departed transit office (EMK) needs an arrival at the transit office (EMJ) first"
    )]
    NotAtTransitOffice { status: ItemStatus },
    #[error(
        "the item is {status}: {attempted} ({code}) happens only at the inward office of exchange, between arrival (EMD) and departure (EMF)",
        code = .attempted.standard_code()
    )]
    NotAtInwardOffice {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status} and never reached its inward office of exchange (EMD) on this leg, so it cannot be delivered (EMI)"
    )]
    NotArrivedAtInwardOffice { status: ItemStatus },
    #[error(
        "the item is {status}: {attempted} ({code}) needs it to have left the inward office of exchange (EMF) first",
        code = .attempted.standard_code()
    )]
    NotDepartedInwardOffice {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status}: {attempted} ({code}) needs it to have arrived at a delivery office (EMG) on this leg",
        code = .attempted.standard_code()
    )]
    NotAtDeliveryOffice {
        status: ItemStatus,
        attempted: Milestone,
    },
    #[error(
        "the item is {status} and already travelling back to its sender: it cannot be returned a second time"
    )]
    AlreadyReturning { status: ItemStatus },
    #[error(
        "{attempted} ({code}) cannot carry a return to sender: that is decided only with held at inward office (EDA), held by customs (EME), held at delivery office (EDF), at collection point (EDH) or a failed delivery attempt (EMH)",
        code = .attempted.standard_code()
    )]
    ReturnNotAllowedFor { attempted: Milestone },
}

impl LifecycleError {
    /// The stable machine-readable name of the problem, as used by the API.
    pub fn code(&self) -> &'static str {
        match self {
            LifecycleError::InvalidFirstEvent { .. } => "invalid_first_event",
            LifecycleError::AlreadyFinal { .. } => "already_final",
            LifecycleError::EarlierThanLatest { .. } => "earlier_than_latest",
            LifecycleError::PostedNotFirst { .. } => "posted_not_first",
            LifecycleError::AlreadyPast { .. } => "already_past",
            LifecycleError::NotAtOutwardOffice { .. } => "not_at_outward_office",
            LifecycleError::NotPresentedToCustoms { .. } => "not_presented_to_customs",
            LifecycleError::AlreadyWithCustoms { .. } => "already_with_customs",
            LifecycleError::NotReleasedByCustoms { .. } => "not_released_by_customs",
            LifecycleError::NotAtTransitOffice { .. } => "not_at_transit_office",
            LifecycleError::NotAtInwardOffice { .. } => "not_at_inward_office",
            LifecycleError::NotArrivedAtInwardOffice { .. } => "not_arrived_at_inward_office",
            LifecycleError::NotDepartedInwardOffice { .. } => "not_departed_inward_office",
            LifecycleError::NotAtDeliveryOffice { .. } => "not_at_delivery_office",
            LifecycleError::AlreadyReturning { .. } => "already_returning",
            LifecycleError::ReturnNotAllowedFor { .. } => "return_not_allowed_for",
        }
    }
}

/// How one stored event fitted into the item's timeline during [`replay`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFlag {
    /// The strict rules accepted it where it falls in time.
    InSequence,
    /// The strict rules rejected it where it falls in time. It is kept; `reason` says why.
    OutOfSequence { reason: LifecycleError },
}

impl EventFlag {
    pub fn is_in_sequence(&self) -> bool {
        matches!(self, EventFlag::InSequence)
    }
}

/// The result of [`replay`]: the derived state and one flag per input event, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub state: ItemState,
    pub flags: Vec<EventFlag>,
}

/// The stages of one leg, in travel order. Used to tell forward from backward in [`replay`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Start,
    Posted,
    OutwardOffice,
    DepartedOutward,
    Transit,
    InwardOffice,
    DepartedInward,
    Domestic,
    Final,
}

fn milestone_stage(milestone: Milestone) -> Stage {
    match milestone {
        Milestone::Posted => Stage::Posted,
        Milestone::ArrivedOutwardOffice
        | Milestone::PresentedExportCustoms
        | Milestone::HeldExportCustoms
        | Milestone::ReturnedFromExportCustoms
        | Milestone::HeldOutwardOffice
        | Milestone::ExportCancelled => Stage::OutwardOffice,
        Milestone::DepartedOutwardOffice => Stage::DepartedOutward,
        Milestone::ArrivedTransitOffice | Milestone::DepartedTransitOffice => Stage::Transit,
        Milestone::ArrivedInwardOffice
        | Milestone::HeldInwardOffice
        | Milestone::PresentedImportCustoms
        | Milestone::HeldImportCustoms
        | Milestone::ReleasedImportCustoms
        | Milestone::ImportTerminated => Stage::InwardOffice,
        Milestone::DepartedInwardOffice => Stage::DepartedInward,
        Milestone::IntoSortingCentre
        | Milestone::OutOfSortingCentre
        | Milestone::ArrivedDeliveryOffice
        | Milestone::HeldDeliveryOffice
        | Milestone::OutForDelivery
        | Milestone::AtCollectionPoint
        | Milestone::DeliveryAttemptFailed => Stage::Domestic,
        Milestone::Delivered => Stage::Final,
    }
}

/// The status an item has right after `milestone` on `leg`.
fn status_after(milestone: Milestone, leg: Leg) -> ItemStatus {
    match milestone {
        Milestone::Posted => ItemStatus::Accepted,
        Milestone::ArrivedOutwardOffice => ItemStatus::AtOutwardOffice,
        Milestone::PresentedExportCustoms => ItemStatus::PresentedToExportCustoms,
        Milestone::HeldExportCustoms => ItemStatus::HeldByExportCustoms,
        Milestone::ReturnedFromExportCustoms => ItemStatus::ReleasedByExportCustoms,
        Milestone::HeldOutwardOffice => ItemStatus::HeldAtOutwardOffice,
        Milestone::ExportCancelled => ItemStatus::ExportCancelled,
        Milestone::DepartedOutwardOffice => ItemStatus::DepartedOrigin,
        Milestone::ArrivedTransitOffice => ItemStatus::AtTransitOffice,
        Milestone::DepartedTransitOffice => ItemStatus::DepartedTransitOffice,
        Milestone::ArrivedInwardOffice => ItemStatus::AtInwardOffice,
        Milestone::HeldInwardOffice => ItemStatus::HeldAtInwardOffice,
        Milestone::PresentedImportCustoms => ItemStatus::PresentedToImportCustoms,
        Milestone::HeldImportCustoms => ItemStatus::HeldByImportCustoms,
        Milestone::ReleasedImportCustoms => ItemStatus::ReleasedByImportCustoms,
        Milestone::DepartedInwardOffice => ItemStatus::DepartedInwardOffice,
        Milestone::IntoSortingCentre => ItemStatus::InSortingCentre,
        Milestone::OutOfSortingCentre => ItemStatus::LeftSortingCentre,
        Milestone::ArrivedDeliveryOffice => ItemStatus::AtDeliveryOffice,
        Milestone::HeldDeliveryOffice => ItemStatus::HeldAtDeliveryOffice,
        Milestone::OutForDelivery => ItemStatus::OutForDelivery,
        Milestone::AtCollectionPoint => ItemStatus::AtCollectionPoint,
        Milestone::DeliveryAttemptFailed => ItemStatus::DeliveryAttemptFailed,
        Milestone::Delivered => match leg {
            Leg::Outbound => ItemStatus::Delivered,
            Leg::Return => ItemStatus::ReturnedToSender,
        },
        Milestone::ImportTerminated => ItemStatus::ImportTerminated,
    }
}

/// The destination-side events that may carry a return-to-sender decision.
fn may_return_to_sender(milestone: Milestone) -> bool {
    matches!(
        milestone,
        Milestone::HeldInwardOffice
            | Milestone::HeldImportCustoms
            | Milestone::ImportTerminated
            | Milestone::HeldDeliveryOffice
            | Milestone::AtCollectionPoint
            | Milestone::DeliveryAttemptFailed
    )
}

fn asks_return_to_sender(event: &LifecycleEvent) -> bool {
    event.next_action == Some(NextAction::ReturnToSender)
}

/// Whether applying `event` starts the return leg.
fn starts_return(state: &ItemState, event: &LifecycleEvent) -> bool {
    state.leg == Leg::Outbound
        && asks_return_to_sender(event)
        && may_return_to_sender(event.milestone)
}

/// Records a strict event on an item, checking every lifecycle rule.
///
/// The event's `source` is not looked at: whoever calls this wants the strict rules. On success
/// the new state is returned and `state` is untouched.
pub fn apply_local(state: &ItemState, event: &LifecycleEvent) -> Result<ItemState, LifecycleError> {
    check(state, event)?;
    Ok(advance(state, event))
}

/// Derives an item's state from its whole stored event list (local and partner events).
///
/// Events are taken in time order (equal times keep their input order). Each is checked with the
/// strict rules. A rejected event (local or partner) is kept and flagged; if it takes the item at
/// least as far as it is (same stage or later, or a return to sender), the state moves to what
/// it implies, because a stored event is a fact at some office. Never fails.
pub fn replay(events: &[LifecycleEvent]) -> Replay {
    let mut in_time_order: Vec<(usize, &LifecycleEvent)> = events.iter().enumerate().collect();
    // `sort_by_key` is stable, so equal instants keep their input order.
    in_time_order.sort_by_key(|(_, event)| event.at);

    let mut state = ItemState::new();
    let mut flags: Vec<(usize, EventFlag)> = Vec::with_capacity(events.len());
    for (index, event) in in_time_order {
        let (next, flag) = apply_stored(&state, event);
        state = next;
        flags.push((index, flag));
    }
    flags.sort_by_key(|(index, _)| *index);

    Replay {
        state,
        flags: flags.into_iter().map(|(_, flag)| flag).collect(),
    }
}

/// One lenient step of [`replay`].
fn apply_stored(state: &ItemState, event: &LifecycleEvent) -> (ItemState, EventFlag) {
    match check(state, event) {
        Ok(()) => (advance(state, event), EventFlag::InSequence),
        Err(reason) => {
            // A stored event is a fact at some office, local or partner: when an earlier-timed
            // partner event has slotted in before it, it still moves the item forward.
            let mut next = if moves_forward(state, event) {
                advance(state, event)
            } else {
                state.clone()
            };
            // The event is stored either way, so later local events may not precede it.
            next.last_event_at = Some(latest(next.last_event_at, event.at));
            (next, EventFlag::OutOfSequence { reason })
        }
    }
}

/// Whether a rejected stored event still takes the item at least as far as it is.
fn moves_forward(state: &ItemState, event: &LifecycleEvent) -> bool {
    if state.is_terminal() {
        return false;
    }
    if starts_return(state, event) {
        // A return leg is later than anything on the outbound leg.
        return true;
    }
    // At the same stage the later event (by time) is the current fact: a partner EME without
    // the EDB before it still means customs holds the item.
    milestone_stage(event.milestone) >= state.status.stage()
}

fn latest(known: Option<OffsetDateTime>, at: OffsetDateTime) -> OffsetDateTime {
    match known {
        Some(known) if known > at => known,
        _ => at,
    }
}

/// The state after `event`, without checking any rule. Also used for forward jumps in replay,
/// where the steps in between are implied.
fn advance(state: &ItemState, event: &LifecycleEvent) -> ItemState {
    let last_event_at = Some(latest(state.last_event_at, event.at));
    if starts_return(state, event) {
        return ItemState {
            status: ItemStatus::ReturnPending,
            leg: Leg::Return,
            last_event_at,
            ..ItemState::new()
        };
    }

    let milestone = event.milestone;
    let stage = milestone_stage(milestone);
    let mut next = state.clone();
    next.status = status_after(milestone, state.leg);
    next.last_event_at = last_event_at;
    // Sorting on the way back to the returning post's outward office happens before any inward
    // office on the return leg.
    let sorting_on_the_way_back = returning_before_export(state)
        && matches!(
            milestone,
            Milestone::IntoSortingCentre | Milestone::OutOfSortingCentre
        );
    if stage >= Stage::InwardOffice && !sorting_on_the_way_back {
        next.reached_inward_office = true;
    }
    match milestone {
        Milestone::PresentedExportCustoms => next.export_customs = CustomsClearance::Presented,
        Milestone::HeldExportCustoms => next.export_customs = CustomsClearance::Held,
        Milestone::ReturnedFromExportCustoms => next.export_customs = CustomsClearance::Released,
        Milestone::PresentedImportCustoms => next.import_customs = CustomsClearance::Presented,
        Milestone::HeldImportCustoms => next.import_customs = CustomsClearance::Held,
        Milestone::ReleasedImportCustoms => next.import_customs = CustomsClearance::Released,
        Milestone::ArrivedDeliveryOffice
        | Milestone::HeldDeliveryOffice
        | Milestone::OutForDelivery
        | Milestone::AtCollectionPoint => {
            next.seen_delivery_office = true;
            next.at_delivery_office_since.get_or_insert(event.at);
        }
        Milestone::DeliveryAttemptFailed => {
            next.seen_delivery_office = true;
            next.at_delivery_office_since.get_or_insert(event.at);
            next.failed_attempts_on_leg = next.failed_attempts_on_leg.saturating_add(1);
        }
        _ => {}
    }
    // Past an office of exchange, its customs no longer holds the item. Strictly this is already
    // so; after a partner jump it is implied.
    if stage > Stage::OutwardOffice && next.export_customs.is_pending() {
        next.export_customs = CustomsClearance::Released;
    }
    if stage > Stage::InwardOffice && next.import_customs.is_pending() {
        next.import_customs = CustomsClearance::Released;
    }
    next
}

/// Every strict rule, in order: final status, time order, return to sender, then the milestone's
/// own preconditions.
fn check(state: &ItemState, event: &LifecycleEvent) -> Result<(), LifecycleError> {
    let status = state.status;
    let attempted = event.milestone;
    if status.is_terminal() {
        return Err(LifecycleError::AlreadyFinal { status, attempted });
    }
    if let Some(latest) = state.last_event_at
        && event.at < latest
    {
        return Err(LifecycleError::EarlierThanLatest {
            at: event.at,
            latest,
        });
    }
    if asks_return_to_sender(event) {
        if !may_return_to_sender(attempted) {
            return Err(LifecycleError::ReturnNotAllowedFor { attempted });
        }
        if state.leg == Leg::Return {
            return Err(LifecycleError::AlreadyReturning { status });
        }
    }
    check_milestone(state, attempted)
}

/// On the return leg, before the returning post's outward office: the item may pass through that
/// post's sorting centres on its way back (EDD/EDE), then reach the office (EMB) or leave (EMC).
fn returning_before_export(state: &ItemState) -> bool {
    state.leg == Leg::Return
        && !state.reached_inward_office
        && matches!(
            state.status,
            ItemStatus::ReturnPending | ItemStatus::InSortingCentre | ItemStatus::LeftSortingCentre
        )
}

fn check_milestone(state: &ItemState, attempted: Milestone) -> Result<(), LifecycleError> {
    use LifecycleError as E;
    use Milestone as M;

    let status = state.status;
    let stage = status.stage();
    let leg = state.leg;
    // Delivery keeps its own, more telling error even as a first event.
    if status == ItemStatus::NoEvents
        && !matches!(
            attempted,
            M::Posted
                | M::ArrivedOutwardOffice
                | M::ArrivedTransitOffice
                | M::ArrivedInwardOffice
                | M::Delivered
        )
    {
        return Err(E::InvalidFirstEvent { attempted });
    }
    let before_export = status.is_before_export() || returning_before_export(state);
    let at_inward = status.is_at_inward_office();

    match attempted {
        M::Posted if status == ItemStatus::NoEvents => Ok(()),
        M::Posted => Err(E::PostedNotFirst { status, leg }),

        M::ArrivedOutwardOffice
            if status.is_leg_start()
                || status == ItemStatus::Accepted
                || returning_before_export(state) =>
        {
            Ok(())
        }
        M::ArrivedOutwardOffice => Err(E::AlreadyPast { status, attempted }),

        M::PresentedExportCustoms if before_export && state.export_customs.is_pending() => {
            Err(E::AlreadyWithCustoms { status, attempted })
        }
        M::HeldExportCustoms | M::ReturnedFromExportCustoms
            if before_export && !state.export_customs.is_pending() =>
        {
            Err(E::NotPresentedToCustoms { status, attempted })
        }
        M::PresentedExportCustoms
        | M::HeldExportCustoms
        | M::ReturnedFromExportCustoms
        | M::HeldOutwardOffice
        | M::ExportCancelled => {
            if before_export {
                Ok(())
            } else {
                Err(E::NotAtOutwardOffice { status, attempted })
            }
        }

        M::DepartedOutwardOffice if before_export && state.export_customs.is_pending() => {
            Err(E::NotReleasedByCustoms { status, attempted })
        }
        M::DepartedOutwardOffice if before_export => Ok(()),
        M::DepartedOutwardOffice => Err(E::AlreadyPast { status, attempted }),

        // An arrival scan is a physical fact: the item has left wherever it was, even when its
        // departure (or every event of the origin post) never reached this node.
        M::ArrivedTransitOffice | M::ArrivedInwardOffice if !state.reached_inward_office => Ok(()),
        M::ArrivedTransitOffice | M::ArrivedInwardOffice => {
            Err(E::AlreadyPast { status, attempted })
        }

        M::DepartedTransitOffice if status == ItemStatus::AtTransitOffice => Ok(()),
        M::DepartedTransitOffice => Err(E::NotAtTransitOffice { status }),

        M::PresentedImportCustoms if at_inward && state.import_customs.is_pending() => {
            Err(E::AlreadyWithCustoms { status, attempted })
        }
        M::HeldImportCustoms | M::ReleasedImportCustoms
            if at_inward && !state.import_customs.is_pending() =>
        {
            Err(E::NotPresentedToCustoms { status, attempted })
        }
        M::HeldInwardOffice
        | M::PresentedImportCustoms
        | M::HeldImportCustoms
        | M::ReleasedImportCustoms
        | M::ImportTerminated => {
            if at_inward {
                Ok(())
            } else {
                Err(E::NotAtInwardOffice { status, attempted })
            }
        }

        M::DepartedInwardOffice if at_inward && state.import_customs.is_pending() => {
            Err(E::NotReleasedByCustoms { status, attempted })
        }
        M::DepartedInwardOffice if at_inward => Ok(()),
        M::DepartedInwardOffice if stage > Stage::InwardOffice => {
            Err(E::AlreadyPast { status, attempted })
        }
        M::DepartedInwardOffice => Err(E::NotAtInwardOffice { status, attempted }),

        M::IntoSortingCentre | M::OutOfSortingCentre
            if matches!(stage, Stage::DepartedInward | Stage::Domestic)
                || returning_before_export(state) =>
        {
            Ok(())
        }
        M::IntoSortingCentre | M::OutOfSortingCentre => {
            Err(E::NotDepartedInwardOffice { status, attempted })
        }

        M::ArrivedDeliveryOffice
            if matches!(
                status,
                ItemStatus::DepartedInwardOffice
                    | ItemStatus::InSortingCentre
                    | ItemStatus::LeftSortingCentre
            ) =>
        {
            Ok(())
        }
        // A second delivery office: transfer, or redirection after a failed attempt.
        M::ArrivedDeliveryOffice if stage == Stage::Domestic => Ok(()),
        M::ArrivedDeliveryOffice => Err(E::NotDepartedInwardOffice { status, attempted }),

        M::HeldDeliveryOffice
        | M::OutForDelivery
        | M::AtCollectionPoint
        | M::DeliveryAttemptFailed => {
            if stage == Stage::Domestic && state.seen_delivery_office {
                Ok(())
            } else {
                Err(E::NotAtDeliveryOffice { status, attempted })
            }
        }

        M::Delivered if !state.reached_inward_office => Err(E::NotArrivedAtInwardOffice { status }),
        M::Delivered if state.import_customs.is_pending() => {
            Err(E::NotReleasedByCustoms { status, attempted })
        }
        M::Delivered => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Milestone as M;
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::datetime;

    const START: OffsetDateTime = datetime!(2025-03-01 08:00 +02:00);

    /// The `n`th hour after the start of the test timeline.
    fn hour(n: i64) -> OffsetDateTime {
        START + Duration::hours(n)
    }

    fn local(milestone: Milestone, at: OffsetDateTime) -> LifecycleEvent {
        LifecycleEvent {
            milestone,
            at,
            next_action: None,
            source: EventSource::Local,
        }
    }

    fn partner(milestone: Milestone, at: OffsetDateTime) -> LifecycleEvent {
        LifecycleEvent {
            source: EventSource::Partner,
            ..local(milestone, at)
        }
    }

    fn returning(milestone: Milestone, at: OffsetDateTime) -> LifecycleEvent {
        LifecycleEvent {
            next_action: Some(NextAction::ReturnToSender),
            ..local(milestone, at)
        }
    }

    /// Applies local events one hour apart, starting from `state`.
    fn apply_all(state: &ItemState, milestones: &[Milestone]) -> Result<ItemState, LifecycleError> {
        let first = state
            .last_event_at()
            .map_or(0, |at| (at - START).whole_hours() + 1);
        let mut state = state.clone();
        for (offset, milestone) in (first..).zip(milestones) {
            state = apply_local(&state, &local(*milestone, hour(offset)))?;
        }
        Ok(state)
    }

    fn run(milestones: &[Milestone]) -> Result<ItemState, LifecycleError> {
        apply_all(&ItemState::new(), milestones)
    }

    /// Applies `prefix` (which must be accepted), then returns the error for `attempted`.
    fn rejection(prefix: &[Milestone], attempted: Milestone) -> LifecycleError {
        let state = run(prefix).unwrap();
        let at = state
            .last_event_at()
            .map_or(START, |at| at + Duration::hours(1));
        apply_local(&state, &local(attempted, at)).unwrap_err()
    }

    const HAPPY_PATH: [Milestone; 14] = [
        M::Posted,
        M::ArrivedOutwardOffice,
        M::PresentedExportCustoms,
        M::ReturnedFromExportCustoms,
        M::DepartedOutwardOffice,
        M::ArrivedTransitOffice,
        M::DepartedTransitOffice,
        M::ArrivedInwardOffice,
        M::PresentedImportCustoms,
        M::ReleasedImportCustoms,
        M::DepartedInwardOffice,
        M::ArrivedDeliveryOffice,
        M::OutForDelivery,
        M::Delivered,
    ];

    /// Outbound until the item waits at its delivery office.
    const TO_DELIVERY_OFFICE: [Milestone; 6] = [
        M::Posted,
        M::DepartedOutwardOffice,
        M::ArrivedInwardOffice,
        M::DepartedInwardOffice,
        M::ArrivedDeliveryOffice,
        M::OutForDelivery,
    ];

    // ---- strict mode: the journey ----

    #[test]
    fn happy_path_eg_jo_ps_ends_delivered() {
        let mut state = ItemState::new();
        let expected = [
            "accepted",
            "at_outward_office",
            "presented_to_export_customs",
            "released_by_export_customs",
            "departed_origin",
            "at_transit_office",
            "departed_transit_office",
            "at_inward_office",
            "presented_to_import_customs",
            "released_by_import_customs",
            "departed_inward_office",
            "at_delivery_office",
            "out_for_delivery",
            "delivered",
        ];
        for ((n, milestone), name) in (0..).zip(HAPPY_PATH).zip(expected) {
            state = apply_local(&state, &local(milestone, hour(n))).unwrap();
            assert_eq!(state.status().as_str(), name, "after {milestone}");
        }
        assert_eq!(state.status(), ItemStatus::Delivered);
        assert!(state.is_terminal());
        assert_eq!(state.leg(), Leg::Outbound);
        assert_eq!(state.failed_attempts_on_leg(), 0);
        assert!(state.reached_inward_office());
        assert_eq!(state.last_event_at(), Some(hour(13)));
        assert_eq!(run(&HAPPY_PATH), Ok(state));
    }

    #[test]
    fn delivery_without_inward_office_is_rejected() {
        let prefix = [M::Posted, M::ArrivedOutwardOffice, M::DepartedOutwardOffice];
        assert_eq!(
            rejection(&prefix, M::Delivered),
            LifecycleError::NotArrivedAtInwardOffice {
                status: ItemStatus::DepartedOrigin
            }
        );
        let in_transit = [M::Posted, M::DepartedOutwardOffice, M::ArrivedTransitOffice];
        assert_eq!(
            rejection(&in_transit, M::Delivered),
            LifecycleError::NotArrivedAtInwardOffice {
                status: ItemStatus::AtTransitOffice
            }
        );
        assert_eq!(
            rejection(&[], M::Delivered),
            LifecycleError::NotArrivedAtInwardOffice {
                status: ItemStatus::NoEvents
            }
        );
    }

    #[test]
    fn only_four_milestones_can_come_first() {
        for milestone in Milestone::ALL {
            let result = apply_local(&ItemState::new(), &local(milestone, START));
            match milestone {
                M::Posted => assert_eq!(result.unwrap().status(), ItemStatus::Accepted),
                M::ArrivedOutwardOffice => {
                    assert_eq!(result.unwrap().status(), ItemStatus::AtOutwardOffice)
                }
                M::ArrivedTransitOffice => {
                    assert_eq!(result.unwrap().status(), ItemStatus::AtTransitOffice)
                }
                M::ArrivedInwardOffice => {
                    let state = result.unwrap();
                    assert_eq!(state.status(), ItemStatus::AtInwardOffice);
                    assert!(state.reached_inward_office());
                }
                M::Delivered => assert_eq!(
                    result,
                    Err(LifecycleError::NotArrivedAtInwardOffice {
                        status: ItemStatus::NoEvents
                    })
                ),
                other => assert_eq!(
                    result,
                    Err(LifecycleError::InvalidFirstEvent { attempted: other }),
                    "{other}"
                ),
            }
        }
    }

    #[test]
    fn inbound_item_first_seen_at_inward_office_is_delivered() {
        let state = run(&[
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::ReleasedImportCustoms,
            M::DepartedInwardOffice,
            M::ArrivedDeliveryOffice,
            M::Delivered,
        ])
        .unwrap();
        assert_eq!(state.status(), ItemStatus::Delivered);
    }

    #[test]
    fn transit_post_first_sees_item_on_arrival() {
        let state = run(&[M::ArrivedTransitOffice, M::DepartedTransitOffice]).unwrap();
        assert_eq!(state.status(), ItemStatus::DepartedTransitOffice);
        assert!(!state.reached_inward_office());
        let state = apply_all(&state, &[M::ArrivedInwardOffice, M::Delivered]).unwrap();
        assert_eq!(state.status(), ItemStatus::Delivered);
    }

    #[test]
    fn item_can_pass_several_transit_offices() {
        let state = run(&[
            M::Posted,
            M::DepartedOutwardOffice,
            M::ArrivedTransitOffice,
            M::DepartedTransitOffice,
            M::ArrivedTransitOffice,
            M::DepartedTransitOffice,
            M::ArrivedInwardOffice,
        ])
        .unwrap();
        assert_eq!(state.status(), ItemStatus::AtInwardOffice);
    }

    #[test]
    fn item_can_depart_straight_after_posting() {
        let state = run(&[M::Posted, M::DepartedOutwardOffice]).unwrap();
        assert_eq!(state.status(), ItemStatus::DepartedOrigin);
    }

    #[test]
    fn posted_only_as_first_event() {
        assert_eq!(
            rejection(&[M::Posted], M::Posted),
            LifecycleError::PostedNotFirst {
                status: ItemStatus::Accepted,
                leg: Leg::Outbound
            }
        );
        assert_eq!(
            rejection(&[M::ArrivedOutwardOffice], M::Posted),
            LifecycleError::PostedNotFirst {
                status: ItemStatus::AtOutwardOffice,
                leg: Leg::Outbound
            }
        );
    }

    #[test]
    fn arrival_at_outward_office_only_once_and_before_departure() {
        assert_eq!(
            rejection(
                &[M::Posted, M::ArrivedOutwardOffice],
                M::ArrivedOutwardOffice
            ),
            LifecycleError::AlreadyPast {
                status: ItemStatus::AtOutwardOffice,
                attempted: M::ArrivedOutwardOffice
            }
        );
        assert_eq!(
            rejection(
                &[M::Posted, M::DepartedOutwardOffice],
                M::ArrivedOutwardOffice
            ),
            LifecycleError::AlreadyPast {
                status: ItemStatus::DepartedOrigin,
                attempted: M::ArrivedOutwardOffice
            }
        );
    }

    // ---- export customs and the outward office ----

    #[test]
    fn export_customs_needs_presentation_first() {
        for attempted in [M::HeldExportCustoms, M::ReturnedFromExportCustoms] {
            assert_eq!(
                rejection(&[M::Posted, M::ArrivedOutwardOffice], attempted),
                LifecycleError::NotPresentedToCustoms {
                    status: ItemStatus::AtOutwardOffice,
                    attempted
                }
            );
        }
        let done = [
            M::Posted,
            M::PresentedExportCustoms,
            M::ReturnedFromExportCustoms,
        ];
        assert_eq!(
            rejection(&done, M::ReturnedFromExportCustoms),
            LifecycleError::NotPresentedToCustoms {
                status: ItemStatus::ReleasedByExportCustoms,
                attempted: M::ReturnedFromExportCustoms
            }
        );
    }

    #[test]
    fn export_customs_hold_and_release() {
        let state = run(&[
            M::Posted,
            M::ArrivedOutwardOffice,
            M::PresentedExportCustoms,
            M::HeldExportCustoms,
        ])
        .unwrap();
        assert_eq!(state.status(), ItemStatus::HeldByExportCustoms);
        assert_eq!(state.export_customs(), CustomsClearance::Held);
        let state = apply_all(
            &state,
            &[M::ReturnedFromExportCustoms, M::DepartedOutwardOffice],
        )
        .unwrap();
        assert_eq!(state.status(), ItemStatus::DepartedOrigin);
    }

    #[test]
    fn cannot_present_twice_to_export_customs_without_a_decision() {
        for prefix in [
            &[M::Posted, M::PresentedExportCustoms][..],
            &[M::Posted, M::PresentedExportCustoms, M::HeldExportCustoms][..],
        ] {
            let status = run(prefix).unwrap().status();
            assert_eq!(
                rejection(prefix, M::PresentedExportCustoms),
                LifecycleError::AlreadyWithCustoms {
                    status,
                    attempted: M::PresentedExportCustoms
                }
            );
        }
        // Once released it may be presented again.
        let again = [
            M::Posted,
            M::PresentedExportCustoms,
            M::ReturnedFromExportCustoms,
            M::PresentedExportCustoms,
        ];
        assert_eq!(
            run(&again).unwrap().status(),
            ItemStatus::PresentedToExportCustoms
        );
    }

    #[test]
    fn export_events_only_before_departure() {
        let departed = [M::Posted, M::DepartedOutwardOffice];
        for attempted in [
            M::PresentedExportCustoms,
            M::HeldExportCustoms,
            M::ReturnedFromExportCustoms,
            M::HeldOutwardOffice,
            M::ExportCancelled,
        ] {
            assert_eq!(
                rejection(&departed, attempted),
                LifecycleError::NotAtOutwardOffice {
                    status: ItemStatus::DepartedOrigin,
                    attempted
                }
            );
        }
    }

    #[test]
    fn customs_holds_keep_items_at_the_outward_office() {
        let attempted = M::DepartedOutwardOffice;
        assert_eq!(
            rejection(
                &[M::Posted, M::PresentedExportCustoms, M::HeldExportCustoms],
                attempted
            ),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldByExportCustoms,
                attempted
            }
        );
        assert_eq!(
            rejection(&[M::Posted, M::PresentedExportCustoms], attempted),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::PresentedToExportCustoms,
                attempted
            }
        );
        // EMSEVT has no "hold lifted" code: the departure scan itself ends an office hold.
        let held_then_sent = [
            M::Posted,
            M::ArrivedOutwardOffice,
            M::HeldOutwardOffice,
            attempted,
        ];
        assert_eq!(
            run(&held_then_sent).unwrap().status(),
            ItemStatus::DepartedOrigin
        );
        // A customs decision lifts the hold too.
        let lifted = [
            M::Posted,
            M::HeldOutwardOffice,
            M::PresentedExportCustoms,
            M::ReturnedFromExportCustoms,
            M::DepartedOutwardOffice,
        ];
        assert_eq!(run(&lifted).unwrap().status(), ItemStatus::DepartedOrigin);
    }

    #[test]
    fn export_cancellation_is_final() {
        let state = run(&[M::Posted, M::ArrivedOutwardOffice, M::ExportCancelled]).unwrap();
        assert_eq!(state.status(), ItemStatus::ExportCancelled);
        assert!(state.is_terminal());
        assert_eq!(
            rejection(
                &[M::Posted, M::ArrivedOutwardOffice, M::ExportCancelled],
                M::DepartedOutwardOffice
            ),
            LifecycleError::AlreadyFinal {
                status: ItemStatus::ExportCancelled,
                attempted: M::DepartedOutwardOffice
            }
        );
    }

    #[test]
    fn departure_only_once() {
        assert_eq!(
            rejection(
                &[M::Posted, M::DepartedOutwardOffice],
                M::DepartedOutwardOffice
            ),
            LifecycleError::AlreadyPast {
                status: ItemStatus::DepartedOrigin,
                attempted: M::DepartedOutwardOffice
            }
        );
    }

    // ---- transit ----

    #[test]
    fn transit_offices_can_scan_an_item_until_it_reaches_its_inward_office() {
        for prefix in [
            &[M::Posted][..],
            &[M::Posted, M::ArrivedOutwardOffice],
            &[M::Posted, M::DepartedOutwardOffice],
            // A second transit office, with or without the first one's departure.
            &[M::ArrivedTransitOffice],
            &[M::ArrivedTransitOffice, M::DepartedTransitOffice],
        ] {
            let mut path = prefix.to_vec();
            path.push(M::ArrivedTransitOffice);
            assert_eq!(
                run(&path).unwrap().status(),
                ItemStatus::AtTransitOffice,
                "{prefix:?}"
            );
        }
        assert_eq!(
            rejection(&[M::ArrivedInwardOffice], M::ArrivedTransitOffice),
            LifecycleError::AlreadyPast {
                status: ItemStatus::AtInwardOffice,
                attempted: M::ArrivedTransitOffice
            }
        );
    }

    #[test]
    fn transit_departure_needs_transit_arrival() {
        assert_eq!(
            rejection(
                &[M::Posted, M::DepartedOutwardOffice],
                M::DepartedTransitOffice
            ),
            LifecycleError::NotAtTransitOffice {
                status: ItemStatus::DepartedOrigin
            }
        );
        assert_eq!(
            rejection(
                &[M::ArrivedTransitOffice, M::DepartedTransitOffice],
                M::DepartedTransitOffice
            ),
            LifecycleError::NotAtTransitOffice {
                status: ItemStatus::DepartedTransitOffice
            }
        );
    }

    // ---- the inward office and import customs ----

    #[test]
    fn the_inward_office_can_scan_an_item_whatever_origin_events_it_has() {
        // Partner departures often arrive late or not at all: the arrival scan is the fact.
        for prefix in [
            &[M::Posted][..],
            &[M::Posted, M::ArrivedOutwardOffice],
            &[
                M::Posted,
                M::ArrivedOutwardOffice,
                M::PresentedExportCustoms,
            ],
            &[M::Posted, M::ArrivedOutwardOffice, M::HeldOutwardOffice],
            &[M::Posted, M::PresentedExportCustoms, M::HeldExportCustoms],
            &[M::Posted, M::DepartedOutwardOffice, M::ArrivedTransitOffice],
        ] {
            let mut path = prefix.to_vec();
            path.push(M::ArrivedInwardOffice);
            let state = run(&path).unwrap();
            assert_eq!(state.status(), ItemStatus::AtInwardOffice, "{prefix:?}");
            assert!(!state.export_customs().is_pending(), "{prefix:?}");
        }
        assert_eq!(
            rejection(&[M::ArrivedInwardOffice], M::ArrivedInwardOffice),
            LifecycleError::AlreadyPast {
                status: ItemStatus::AtInwardOffice,
                attempted: M::ArrivedInwardOffice
            }
        );
    }

    #[test]
    fn inward_office_events_need_the_item_at_the_inward_office() {
        let departed = [M::Posted, M::DepartedOutwardOffice];
        for attempted in [
            M::HeldInwardOffice,
            M::PresentedImportCustoms,
            M::HeldImportCustoms,
            M::ReleasedImportCustoms,
            M::ImportTerminated,
            M::DepartedInwardOffice,
        ] {
            assert_eq!(
                rejection(&departed, attempted),
                LifecycleError::NotAtInwardOffice {
                    status: ItemStatus::DepartedOrigin,
                    attempted
                }
            );
        }
        let left = [M::ArrivedInwardOffice, M::DepartedInwardOffice];
        assert_eq!(
            rejection(&left, M::PresentedImportCustoms),
            LifecycleError::NotAtInwardOffice {
                status: ItemStatus::DepartedInwardOffice,
                attempted: M::PresentedImportCustoms
            }
        );
        assert_eq!(
            rejection(&left, M::DepartedInwardOffice),
            LifecycleError::AlreadyPast {
                status: ItemStatus::DepartedInwardOffice,
                attempted: M::DepartedInwardOffice
            }
        );
    }

    #[test]
    fn import_customs_needs_presentation_first() {
        for attempted in [M::HeldImportCustoms, M::ReleasedImportCustoms] {
            assert_eq!(
                rejection(&[M::ArrivedInwardOffice], attempted),
                LifecycleError::NotPresentedToCustoms {
                    status: ItemStatus::AtInwardOffice,
                    attempted
                }
            );
        }
        assert_eq!(
            rejection(
                &[M::ArrivedInwardOffice, M::PresentedImportCustoms],
                M::PresentedImportCustoms
            ),
            LifecycleError::AlreadyWithCustoms {
                status: ItemStatus::PresentedToImportCustoms,
                attempted: M::PresentedImportCustoms
            }
        );
    }

    #[test]
    fn customs_holds_keep_items_at_the_inward_office() {
        let attempted = M::DepartedInwardOffice;
        let presented = [M::ArrivedInwardOffice, M::PresentedImportCustoms];
        assert_eq!(
            rejection(&presented, attempted),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::PresentedToImportCustoms,
                attempted
            }
        );
        let held = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::HeldImportCustoms,
        ];
        assert_eq!(
            rejection(&held, attempted),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldByImportCustoms,
                attempted
            }
        );
        // An office hold (EDA) ends with the next movement scan.
        let office_hold = [M::ArrivedInwardOffice, M::HeldInwardOffice, attempted];
        assert_eq!(
            run(&office_hold).unwrap().status(),
            ItemStatus::DepartedInwardOffice
        );
        // Held at the office while customs still has the item: customs must release it first.
        let both = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::HeldInwardOffice,
        ];
        assert_eq!(
            rejection(&both, M::Delivered),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldAtInwardOffice,
                attempted: M::Delivered
            }
        );
        assert_eq!(
            rejection(&both, attempted),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldAtInwardOffice,
                attempted
            }
        );
        let released = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::HeldInwardOffice,
            M::HeldImportCustoms,
            M::ReleasedImportCustoms,
            M::DepartedInwardOffice,
        ];
        let state = run(&released).unwrap();
        assert_eq!(state.status(), ItemStatus::DepartedInwardOffice);
        assert_eq!(state.import_customs(), CustomsClearance::Released);
    }

    #[test]
    fn letters_leave_the_inward_office_without_customs() {
        let state = run(&[M::ArrivedInwardOffice, M::DepartedInwardOffice]).unwrap();
        assert_eq!(state.status(), ItemStatus::DepartedInwardOffice);
        assert_eq!(state.import_customs(), CustomsClearance::NotPresented);
    }

    #[test]
    fn import_termination_is_final() {
        let held = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::HeldImportCustoms,
        ];
        let state = apply_all(&run(&held).unwrap(), &[M::ImportTerminated]).unwrap();
        assert_eq!(state.status(), ItemStatus::ImportTerminated);
        assert!(state.is_terminal());
        let terminated = [M::ArrivedInwardOffice, M::ImportTerminated];
        assert_eq!(
            rejection(&terminated, M::Delivered),
            LifecycleError::AlreadyFinal {
                status: ItemStatus::ImportTerminated,
                attempted: M::Delivered
            }
        );
    }

    // ---- delivery ----

    #[test]
    fn delivery_straight_from_the_inward_office() {
        let state = run(&[M::ArrivedInwardOffice, M::Delivered]).unwrap();
        assert_eq!(state.status(), ItemStatus::Delivered);
        let cleared = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::ReleasedImportCustoms,
            M::Delivered,
        ];
        assert_eq!(run(&cleared).unwrap().status(), ItemStatus::Delivered);
        // Collected by the addressee at the inward office where it was held.
        let collected = [M::ArrivedInwardOffice, M::HeldInwardOffice, M::Delivered];
        assert_eq!(run(&collected).unwrap().status(), ItemStatus::Delivered);
    }

    #[test]
    fn no_delivery_while_customs_has_the_item() {
        let presented = [M::ArrivedInwardOffice, M::PresentedImportCustoms];
        assert_eq!(
            rejection(&presented, M::Delivered),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::PresentedToImportCustoms,
                attempted: M::Delivered
            }
        );
        let held = [
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::HeldImportCustoms,
        ];
        assert_eq!(
            rejection(&held, M::Delivered),
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldByImportCustoms,
                attempted: M::Delivered
            }
        );
    }

    #[test]
    fn domestic_network_needs_departure_from_inward_office() {
        let at_inward = [M::ArrivedInwardOffice];
        for attempted in [
            M::IntoSortingCentre,
            M::OutOfSortingCentre,
            M::ArrivedDeliveryOffice,
        ] {
            assert_eq!(
                rejection(&at_inward, attempted),
                LifecycleError::NotDepartedInwardOffice {
                    status: ItemStatus::AtInwardOffice,
                    attempted
                }
            );
        }
        let sorted = [
            M::ArrivedInwardOffice,
            M::DepartedInwardOffice,
            M::IntoSortingCentre,
            M::OutOfSortingCentre,
            M::ArrivedDeliveryOffice,
        ];
        assert_eq!(run(&sorted).unwrap().status(), ItemStatus::AtDeliveryOffice);
        // Sent back to a sorting centre after reaching the delivery office, then on to another.
        let redirected = apply_all(
            &run(&sorted).unwrap(),
            &[
                M::IntoSortingCentre,
                M::OutOfSortingCentre,
                M::ArrivedDeliveryOffice,
            ],
        )
        .unwrap();
        assert_eq!(redirected.status(), ItemStatus::AtDeliveryOffice);
    }

    #[test]
    fn customs_refusal_can_send_the_item_back() {
        let refused = apply_all(
            &run(&[
                M::Posted,
                M::DepartedOutwardOffice,
                M::ArrivedInwardOffice,
                M::PresentedImportCustoms,
            ])
            .unwrap(),
            &[],
        )
        .unwrap();
        let returning = apply_local(&refused, &returning(M::ImportTerminated, hour(10))).unwrap();
        assert_eq!(returning.status(), ItemStatus::ReturnPending);
        assert_eq!(returning.leg(), Leg::Return);
        // Without a return, EDX is final.
        let terminated = apply_local(&refused, &local(M::ImportTerminated, hour(10))).unwrap();
        assert!(terminated.is_terminal());
    }

    #[test]
    fn the_return_leg_may_pass_through_sorting_before_the_outward_office() {
        let outbound = run(&[
            M::Posted,
            M::DepartedOutwardOffice,
            M::ArrivedInwardOffice,
            M::DepartedInwardOffice,
            M::ArrivedDeliveryOffice,
        ])
        .unwrap();
        let pending =
            apply_local(&outbound, &returning(M::DeliveryAttemptFailed, hour(10))).unwrap();
        let back = apply_all(
            &pending,
            &[
                M::IntoSortingCentre,
                M::OutOfSortingCentre,
                M::ArrivedOutwardOffice,
                M::DepartedOutwardOffice,
                M::ArrivedInwardOffice,
                M::DepartedInwardOffice,
                M::IntoSortingCentre,
                M::ArrivedDeliveryOffice,
                M::Delivered,
            ],
        )
        .unwrap();
        assert_eq!(back.status(), ItemStatus::ReturnedToSender);
        // Before reaching the origin's inward office, delivery back to the sender is refused.
        let sorted = apply_all(&pending, &[M::IntoSortingCentre]).unwrap();
        assert!(!sorted.reached_inward_office());
        assert!(matches!(
            apply_all(&sorted, &[M::Delivered]),
            Err(LifecycleError::NotArrivedAtInwardOffice { .. })
        ));
    }

    #[test]
    fn a_second_delivery_office_is_a_transfer_or_redirection() {
        let mut path = TO_DELIVERY_OFFICE.to_vec();
        path.extend([
            M::DeliveryAttemptFailed,
            M::ArrivedDeliveryOffice,
            M::Delivered,
        ]);
        let state = run(&path).unwrap();
        assert_eq!(state.status(), ItemStatus::Delivered);
        assert_eq!(state.failed_attempts_on_leg(), 1);
        assert_eq!(
            rejection(&[M::ArrivedInwardOffice], M::ArrivedDeliveryOffice),
            LifecycleError::NotDepartedInwardOffice {
                status: ItemStatus::AtInwardOffice,
                attempted: M::ArrivedDeliveryOffice
            }
        );
    }

    #[test]
    fn delivery_office_events_need_arrival_at_a_delivery_office() {
        let sorting = [
            M::ArrivedInwardOffice,
            M::DepartedInwardOffice,
            M::IntoSortingCentre,
        ];
        for attempted in [
            M::HeldDeliveryOffice,
            M::OutForDelivery,
            M::AtCollectionPoint,
            M::DeliveryAttemptFailed,
        ] {
            assert_eq!(
                rejection(&sorting, attempted),
                LifecycleError::NotAtDeliveryOffice {
                    status: ItemStatus::InSortingCentre,
                    attempted
                }
            );
            assert_eq!(
                rejection(&[M::ArrivedInwardOffice], attempted),
                LifecycleError::NotAtDeliveryOffice {
                    status: ItemStatus::AtInwardOffice,
                    attempted
                }
            );
        }
    }

    #[test]
    fn failed_attempts_are_counted_then_delivered() {
        let state = run(&TO_DELIVERY_OFFICE).unwrap();
        let state = apply_all(&state, &[M::DeliveryAttemptFailed]).unwrap();
        assert_eq!(state.status(), ItemStatus::DeliveryAttemptFailed);
        assert_eq!(state.failed_attempts_on_leg(), 1);
        let state = apply_all(
            &state,
            &[
                M::OutForDelivery,
                M::DeliveryAttemptFailed,
                M::HeldDeliveryOffice,
            ],
        )
        .unwrap();
        assert_eq!(state.failed_attempts_on_leg(), 2);
        assert_eq!(state.status(), ItemStatus::HeldAtDeliveryOffice);
        let state = apply_all(&state, &[M::AtCollectionPoint, M::Delivered]).unwrap();
        assert_eq!(state.status(), ItemStatus::Delivered);
        assert_eq!(state.failed_attempts_on_leg(), 2);
    }

    #[test]
    fn other_next_actions_do_not_change_the_leg() {
        let state = run(&TO_DELIVERY_OFFICE).unwrap();
        for action in [NextAction::Redeliver, NextAction::HoldForCollection] {
            let event = LifecycleEvent {
                next_action: Some(action),
                ..local(M::DeliveryAttemptFailed, hour(10))
            };
            let next = apply_local(&state, &event).unwrap();
            assert_eq!(next.status(), ItemStatus::DeliveryAttemptFailed);
            assert_eq!(next.leg(), Leg::Outbound);
        }
    }

    #[test]
    fn nothing_follows_a_delivery() {
        for attempted in Milestone::ALL {
            assert_eq!(
                rejection(&HAPPY_PATH, attempted),
                LifecycleError::AlreadyFinal {
                    status: ItemStatus::Delivered,
                    attempted
                },
                "{attempted}"
            );
        }
        let state = run(&HAPPY_PATH).unwrap();
        assert_eq!(
            apply_local(&state, &returning(M::DeliveryAttemptFailed, hour(20))),
            Err(LifecycleError::AlreadyFinal {
                status: ItemStatus::Delivered,
                attempted: M::DeliveryAttemptFailed
            })
        );
    }

    // ---- time order ----

    #[test]
    fn local_events_cannot_be_earlier_than_the_latest() {
        let state = apply_local(&ItemState::new(), &local(M::Posted, hour(5))).unwrap();
        assert_eq!(
            apply_local(&state, &local(M::ArrivedOutwardOffice, hour(4))),
            Err(LifecycleError::EarlierThanLatest {
                at: hour(4),
                latest: hour(5)
            })
        );
        // Equal instants are fine, whatever the UTC offset.
        let same_instant = datetime!(2025-03-01 11:00 UTC);
        assert_eq!(same_instant, hour(5));
        let next = apply_local(&state, &local(M::ArrivedOutwardOffice, same_instant)).unwrap();
        assert_eq!(next.status(), ItemStatus::AtOutwardOffice);
    }

    // ---- return to sender ----

    /// Outbound to a failed attempt that sends the item back.
    fn return_pending() -> ItemState {
        let state = run(&TO_DELIVERY_OFFICE).unwrap();
        apply_local(&state, &returning(M::DeliveryAttemptFailed, hour(10))).unwrap()
    }

    #[test]
    fn return_to_sender_runs_a_second_leg() {
        let state = return_pending();
        assert_eq!(state.status(), ItemStatus::ReturnPending);
        assert_eq!(state.leg(), Leg::Return);
        assert_eq!(state.failed_attempts_on_leg(), 0);
        assert!(!state.reached_inward_office());
        assert!(!state.seen_delivery_office());
        assert!(!state.is_terminal());

        let back = [
            M::ArrivedOutwardOffice,
            M::PresentedExportCustoms,
            M::ReturnedFromExportCustoms,
            M::DepartedOutwardOffice,
            M::ArrivedTransitOffice,
            M::DepartedTransitOffice,
            M::ArrivedInwardOffice,
            M::PresentedImportCustoms,
            M::ReleasedImportCustoms,
            M::DepartedInwardOffice,
            M::ArrivedDeliveryOffice,
            M::DeliveryAttemptFailed,
            M::OutForDelivery,
        ];
        let state = apply_all(&state, &back).unwrap();
        assert_eq!(state.leg(), Leg::Return);
        assert_eq!(state.failed_attempts_on_leg(), 1);
        let state = apply_all(&state, &[M::Delivered]).unwrap();
        assert_eq!(state.status(), ItemStatus::ReturnedToSender);
        assert_eq!(state.leg(), Leg::Return);
        assert!(state.is_terminal());
        assert_eq!(
            apply_all(&state, &[M::OutForDelivery]),
            Err(LifecycleError::AlreadyFinal {
                status: ItemStatus::ReturnedToSender,
                attempted: M::OutForDelivery
            })
        );
    }

    #[test]
    fn every_destination_hold_can_start_a_return() {
        let cases: [(&[Milestone], Milestone); 5] = [
            (&[M::ArrivedInwardOffice], M::HeldInwardOffice),
            (
                &[M::ArrivedInwardOffice, M::PresentedImportCustoms],
                M::HeldImportCustoms,
            ),
            (&TO_DELIVERY_OFFICE, M::HeldDeliveryOffice),
            (&TO_DELIVERY_OFFICE, M::AtCollectionPoint),
            (&TO_DELIVERY_OFFICE, M::DeliveryAttemptFailed),
        ];
        for (prefix, milestone) in cases {
            let state = run(prefix).unwrap();
            let next = apply_local(&state, &returning(milestone, hour(20))).unwrap();
            assert_eq!(next.status(), ItemStatus::ReturnPending, "{milestone}");
            assert_eq!(next.leg(), Leg::Return);
            assert_eq!(next.import_customs(), CustomsClearance::NotPresented);
        }
    }

    #[test]
    fn return_leg_starts_like_a_new_item() {
        // The returning post may depart at once, or the origin's inward office may be first.
        for first in [
            M::ArrivedOutwardOffice,
            M::PresentedExportCustoms,
            M::DepartedOutwardOffice,
            M::ArrivedTransitOffice,
            M::ArrivedInwardOffice,
        ] {
            let next = apply_all(&return_pending(), &[first]).unwrap();
            assert_eq!(next.leg(), Leg::Return, "{first}");
        }
        assert_eq!(
            apply_all(&return_pending(), &[M::OutForDelivery]),
            Err(LifecycleError::NotAtDeliveryOffice {
                status: ItemStatus::ReturnPending,
                attempted: M::OutForDelivery
            })
        );
    }

    #[test]
    fn return_leg_delivery_needs_the_inward_office() {
        let state = apply_all(&return_pending(), &[M::DepartedOutwardOffice]).unwrap();
        assert_eq!(
            apply_all(&state, &[M::Delivered]),
            Err(LifecycleError::NotArrivedAtInwardOffice {
                status: ItemStatus::DepartedOrigin
            })
        );
    }

    #[test]
    fn posted_is_refused_on_the_return_leg() {
        assert_eq!(
            apply_all(&return_pending(), &[M::Posted]),
            Err(LifecycleError::PostedNotFirst {
                status: ItemStatus::ReturnPending,
                leg: Leg::Return
            })
        );
    }

    #[test]
    fn second_return_to_sender_is_refused() {
        let state = apply_all(
            &return_pending(),
            &[
                M::DepartedOutwardOffice,
                M::ArrivedInwardOffice,
                M::DepartedInwardOffice,
                M::ArrivedDeliveryOffice,
            ],
        )
        .unwrap();
        assert_eq!(
            apply_local(&state, &returning(M::DeliveryAttemptFailed, hour(30))),
            Err(LifecycleError::AlreadyReturning {
                status: ItemStatus::AtDeliveryOffice
            })
        );
        // A failed attempt without a return decision is fine on the return leg.
        let next = apply_local(&state, &local(M::DeliveryAttemptFailed, hour(30))).unwrap();
        assert_eq!(next.failed_attempts_on_leg(), 1);
    }

    #[test]
    fn return_to_sender_only_with_destination_holds() {
        let state = run(&TO_DELIVERY_OFFICE).unwrap();
        for attempted in [M::Delivered, M::OutForDelivery, M::ArrivedDeliveryOffice] {
            assert_eq!(
                apply_local(&state, &returning(attempted, hour(10))),
                Err(LifecycleError::ReturnNotAllowedFor { attempted })
            );
        }
        let origin = run(&[M::Posted]).unwrap();
        assert_eq!(
            apply_local(&origin, &returning(M::HeldOutwardOffice, hour(1))),
            Err(LifecycleError::ReturnNotAllowedFor {
                attempted: M::HeldOutwardOffice
            })
        );
    }

    #[test]
    fn return_decision_still_follows_the_milestone_rules() {
        let state = run(&[M::Posted, M::DepartedOutwardOffice]).unwrap();
        assert_eq!(
            apply_local(&state, &returning(M::DeliveryAttemptFailed, hour(5))),
            Err(LifecycleError::NotAtDeliveryOffice {
                status: ItemStatus::DepartedOrigin,
                attempted: M::DeliveryAttemptFailed
            })
        );
    }

    // ---- replay ----

    #[test]
    fn replay_of_nothing_is_a_new_item() {
        let replay = replay(&[]);
        assert_eq!(replay.state, ItemState::new());
        assert_eq!(replay.state.status(), ItemStatus::NoEvents);
        assert!(replay.flags.is_empty());
    }

    #[test]
    fn replay_of_the_happy_path_is_all_in_sequence() {
        let events: Vec<_> = (0..)
            .zip(HAPPY_PATH)
            .map(|(n, milestone)| local(milestone, hour(n)))
            .collect();
        let replay = replay(&events);
        assert_eq!(replay.state, run(&HAPPY_PATH).unwrap());
        assert_eq!(replay.flags, vec![EventFlag::InSequence; HAPPY_PATH.len()]);
    }

    #[test]
    fn late_partner_transit_event_slots_in_by_time() {
        let events = [
            local(M::Posted, hour(0)),
            local(M::DepartedOutwardOffice, hour(1)),
            local(M::ArrivedInwardOffice, hour(5)),
            // Jordan's transit scan arrives after Palestine's inward scan, but happened before.
            partner(M::ArrivedTransitOffice, hour(3)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.flags, vec![EventFlag::InSequence; 4]);
        assert_eq!(replay.state.status(), ItemStatus::AtInwardOffice);
        assert_eq!(replay.state.last_event_at(), Some(hour(5)));

        // Arrival and departure scans arriving together, in reverse input order.
        let mut with_departure = events.to_vec();
        with_departure.insert(0, partner(M::DepartedTransitOffice, hour(4)));
        let replay = super::replay(&with_departure);
        assert_eq!(replay.flags, vec![EventFlag::InSequence; 5]);
        assert_eq!(replay.state.status(), ItemStatus::AtInwardOffice);
    }

    #[test]
    fn inward_office_can_receive_an_item_last_seen_at_transit() {
        // Closed transit: the transit post scanned the arrival but not the departure.
        let state = run(&[M::Posted, M::DepartedOutwardOffice, M::ArrivedTransitOffice]).unwrap();
        let state = apply_all(&state, &[M::ArrivedInwardOffice]).unwrap();
        assert_eq!(state.status(), ItemStatus::AtInwardOffice);
        assert!(state.reached_inward_office());
    }

    #[test]
    fn partner_delivery_with_gaps_still_shows_delivered() {
        let events = [
            local(M::Posted, hour(0)),
            local(M::DepartedOutwardOffice, hour(1)),
            partner(M::Delivered, hour(48)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::Delivered);
        assert_eq!(
            replay.flags,
            vec![
                EventFlag::InSequence,
                EventFlag::InSequence,
                EventFlag::OutOfSequence {
                    reason: LifecycleError::NotArrivedAtInwardOffice {
                        status: ItemStatus::DepartedOrigin
                    }
                },
            ]
        );
    }

    #[test]
    fn partner_event_after_delivery_is_kept_and_flagged() {
        let mut events: Vec<_> = (0..)
            .zip(HAPPY_PATH)
            .map(|(n, milestone)| local(milestone, hour(n)))
            .collect();
        events.push(partner(M::ArrivedInwardOffice, hour(20)));
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::Delivered);
        assert_eq!(replay.flags.len(), events.len());
        assert_eq!(
            replay.flags.last(),
            Some(&EventFlag::OutOfSequence {
                reason: LifecycleError::AlreadyFinal {
                    status: ItemStatus::Delivered,
                    attempted: M::ArrivedInwardOffice
                }
            })
        );
        // It is stored, so a later local event may not precede it.
        assert_eq!(replay.state.last_event_at(), Some(hour(20)));
    }

    #[test]
    fn backward_partner_event_does_not_move_the_item() {
        let events = [
            local(M::ArrivedInwardOffice, hour(0)),
            local(M::DepartedInwardOffice, hour(1)),
            local(M::ArrivedDeliveryOffice, hour(2)),
            // The origin post's export hold, timed after our arrival: a clock or data error.
            partner(M::HeldOutwardOffice, hour(3)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::AtDeliveryOffice);
        assert_eq!(
            replay.flags.last(),
            Some(&EventFlag::OutOfSequence {
                reason: LifecycleError::NotAtOutwardOffice {
                    status: ItemStatus::AtDeliveryOffice,
                    attempted: M::HeldOutwardOffice
                }
            })
        );
    }

    #[test]
    fn a_same_stage_partner_event_is_the_latest_fact() {
        // A customs hold reported without the presentation before it still means customs holds
        // the item.
        let events = [
            partner(M::ArrivedInwardOffice, hour(0)),
            partner(M::HeldImportCustoms, hour(1)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::HeldByImportCustoms);
        assert_eq!(replay.state.import_customs(), CustomsClearance::Held);
        assert!(!replay.flags.last().unwrap().is_in_sequence());
    }

    #[test]
    fn a_stored_local_event_out_of_sequence_still_moves_the_item_forward() {
        let events = [
            local(M::Posted, hour(0)),
            local(M::Delivered, hour(1)),
            local(M::ArrivedOutwardOffice, hour(2)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::Delivered);
        assert_eq!(replay.flags[0], EventFlag::InSequence);
        assert_eq!(
            replay.flags[1],
            EventFlag::OutOfSequence {
                reason: LifecycleError::NotArrivedAtInwardOffice {
                    status: ItemStatus::Accepted
                }
            }
        );
        assert!(!replay.flags[2].is_in_sequence());
    }

    #[test]
    fn a_late_partner_hold_does_not_pull_back_our_arrival() {
        // The origin post reports an export hold that, by its time, precedes our EMD; the item
        // has physically arrived here, so our arrival still counts.
        let events = [
            partner(M::Posted, hour(0)),
            local(M::ArrivedInwardOffice, hour(5)),
            partner(M::PresentedExportCustoms, hour(1)),
            partner(M::HeldExportCustoms, hour(2)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::AtInwardOffice);
        assert!(!replay.state.export_customs().is_pending());
        assert!(replay.flags.iter().all(EventFlag::is_in_sequence));
    }

    #[test]
    fn flags_follow_input_order_not_time_order() {
        let events = [
            partner(M::Delivered, hour(9)),
            local(M::ArrivedOutwardOffice, hour(1)),
            local(M::Posted, hour(0)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::Delivered);
        assert!(!replay.flags[0].is_in_sequence());
        assert!(replay.flags[1].is_in_sequence());
        assert!(replay.flags[2].is_in_sequence());
    }

    #[test]
    fn equal_times_keep_input_order() {
        let at = hour(0);
        let in_order = replay(&[local(M::Posted, at), local(M::ArrivedOutwardOffice, at)]);
        assert_eq!(in_order.state.status(), ItemStatus::AtOutwardOffice);
        assert_eq!(in_order.flags, vec![EventFlag::InSequence; 2]);
        let swapped = replay(&[local(M::ArrivedOutwardOffice, at), local(M::Posted, at)]);
        assert_eq!(swapped.state.status(), ItemStatus::AtOutwardOffice);
        assert_eq!(
            swapped.flags[1],
            EventFlag::OutOfSequence {
                reason: LifecycleError::PostedNotFirst {
                    status: ItemStatus::AtOutwardOffice,
                    leg: Leg::Outbound
                }
            }
        );
    }

    #[test]
    fn partner_jump_past_customs_releases_the_item() {
        let events = [
            local(M::ArrivedInwardOffice, hour(0)),
            local(M::PresentedImportCustoms, hour(1)),
            // The customs release never reached us, but the delivery office has the item.
            partner(M::ArrivedDeliveryOffice, hour(5)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::AtDeliveryOffice);
        assert_eq!(replay.state.import_customs(), CustomsClearance::Released);
        assert!(replay.state.seen_delivery_office());
        let delivered = apply_local(&replay.state, &local(M::Delivered, hour(6))).unwrap();
        assert_eq!(delivered.status(), ItemStatus::Delivered);
    }

    #[test]
    fn partner_return_decision_starts_the_return_leg_even_with_gaps() {
        let events = [
            local(M::Posted, hour(0)),
            local(M::DepartedOutwardOffice, hour(1)),
            LifecycleEvent {
                source: EventSource::Partner,
                ..returning(M::DeliveryAttemptFailed, hour(30))
            },
            partner(M::DepartedOutwardOffice, hour(40)),
            local(M::ArrivedInwardOffice, hour(50)),
            local(M::Delivered, hour(51)),
        ];
        let replay = replay(&events);
        assert_eq!(replay.state.status(), ItemStatus::ReturnedToSender);
        assert_eq!(replay.state.leg(), Leg::Return);
        assert!(!replay.flags[2].is_in_sequence());
        assert!(
            replay
                .flags
                .iter()
                .enumerate()
                .all(|(i, f)| i == 2 || f.is_in_sequence())
        );
    }

    #[test]
    fn local_event_after_a_flagged_late_partner_event_must_not_precede_it() {
        let events = [local(M::Posted, hour(0)), partner(M::Delivered, hour(10))];
        let state = replay(&events).state;
        assert_eq!(
            apply_local(&state, &local(M::ArrivedOutwardOffice, hour(5))),
            Err(LifecycleError::AlreadyFinal {
                status: ItemStatus::Delivered,
                attempted: M::ArrivedOutwardOffice
            })
        );
        let flagged_backward = [
            local(M::ArrivedInwardOffice, hour(0)),
            partner(M::Posted, hour(10)),
        ];
        let state = replay(&flagged_backward).state;
        assert_eq!(state.status(), ItemStatus::AtInwardOffice);
        assert_eq!(
            apply_local(&state, &local(M::PresentedImportCustoms, hour(5))),
            Err(LifecycleError::EarlierThanLatest {
                at: hour(5),
                latest: hour(10)
            })
        );
    }

    // ---- names and codes ----

    #[test]
    fn status_names_are_stable_unique_and_round_trip() {
        let mut names = std::collections::BTreeSet::new();
        for status in ItemStatus::ALL {
            assert!(names.insert(status.as_str()), "{status}");
            assert_eq!(ItemStatus::parse(status.as_str()), Ok(status));
            assert_eq!(status.as_str().parse::<ItemStatus>(), Ok(status));
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<ItemStatus>(&json).unwrap(), status);
        }
        assert!(ItemStatus::parse("lost_in_space").is_err());
        let terminal: Vec<_> = ItemStatus::ALL
            .into_iter()
            .filter(ItemStatus::is_terminal)
            .map(|s| s.as_str())
            .collect();
        assert_eq!(
            terminal,
            [
                "delivered",
                "import_terminated",
                "export_cancelled",
                "returned_to_sender"
            ]
        );
    }

    #[test]
    fn every_milestone_leads_to_a_status_of_its_own_stage() {
        for milestone in Milestone::ALL {
            for leg in [Leg::Outbound, Leg::Return] {
                assert_eq!(
                    status_after(milestone, leg).stage(),
                    milestone_stage(milestone),
                    "{milestone}"
                );
            }
        }
    }

    #[test]
    fn error_codes_are_unique_snake_case_and_messages_say_what_was_wrong() {
        let errors = [
            LifecycleError::InvalidFirstEvent {
                attempted: M::OutForDelivery,
            },
            LifecycleError::AlreadyFinal {
                status: ItemStatus::Delivered,
                attempted: M::Delivered,
            },
            LifecycleError::EarlierThanLatest {
                at: hour(0),
                latest: hour(1),
            },
            LifecycleError::PostedNotFirst {
                status: ItemStatus::Accepted,
                leg: Leg::Return,
            },
            LifecycleError::AlreadyPast {
                status: ItemStatus::DepartedOrigin,
                attempted: M::ArrivedOutwardOffice,
            },
            LifecycleError::NotAtOutwardOffice {
                status: ItemStatus::DepartedOrigin,
                attempted: M::PresentedExportCustoms,
            },
            LifecycleError::NotPresentedToCustoms {
                status: ItemStatus::AtInwardOffice,
                attempted: M::HeldImportCustoms,
            },
            LifecycleError::AlreadyWithCustoms {
                status: ItemStatus::PresentedToImportCustoms,
                attempted: M::PresentedImportCustoms,
            },
            LifecycleError::NotReleasedByCustoms {
                status: ItemStatus::HeldByImportCustoms,
                attempted: M::DepartedInwardOffice,
            },
            LifecycleError::NotAtTransitOffice {
                status: ItemStatus::DepartedOrigin,
            },
            LifecycleError::NotAtInwardOffice {
                status: ItemStatus::DepartedOrigin,
                attempted: M::PresentedImportCustoms,
            },
            LifecycleError::NotArrivedAtInwardOffice {
                status: ItemStatus::DepartedOrigin,
            },
            LifecycleError::NotDepartedInwardOffice {
                status: ItemStatus::AtInwardOffice,
                attempted: M::IntoSortingCentre,
            },
            LifecycleError::NotAtDeliveryOffice {
                status: ItemStatus::InSortingCentre,
                attempted: M::OutForDelivery,
            },
            LifecycleError::AlreadyReturning {
                status: ItemStatus::AtDeliveryOffice,
            },
            LifecycleError::ReturnNotAllowedFor {
                attempted: M::Delivered,
            },
        ];
        let mut codes = std::collections::BTreeSet::new();
        for error in &errors {
            let code = error.code();
            assert!(codes.insert(code), "duplicate code {code}");
            assert!(
                code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code}"
            );
            let message = error.to_string();
            let (status, attempted) = match error {
                LifecycleError::AlreadyFinal { status, attempted }
                | LifecycleError::AlreadyPast { status, attempted }
                | LifecycleError::NotAtOutwardOffice { status, attempted }
                | LifecycleError::NotPresentedToCustoms { status, attempted }
                | LifecycleError::AlreadyWithCustoms { status, attempted }
                | LifecycleError::NotReleasedByCustoms { status, attempted }
                | LifecycleError::NotAtInwardOffice { status, attempted }
                | LifecycleError::NotDepartedInwardOffice { status, attempted }
                | LifecycleError::NotAtDeliveryOffice { status, attempted } => {
                    (Some(*status), Some(*attempted))
                }
                LifecycleError::InvalidFirstEvent { attempted }
                | LifecycleError::ReturnNotAllowedFor { attempted } => (None, Some(*attempted)),
                LifecycleError::PostedNotFirst { status, .. }
                | LifecycleError::NotAtTransitOffice { status }
                | LifecycleError::NotArrivedAtInwardOffice { status }
                | LifecycleError::AlreadyReturning { status } => (Some(*status), None),
                LifecycleError::EarlierThanLatest { .. } => (None, None),
            };
            if let Some(status) = status {
                assert!(message.contains(status.as_str()), "{message}");
            }
            if let Some(attempted) = attempted {
                assert!(message.contains(attempted.as_str()), "{message}");
                assert!(message.contains(attempted.standard_code()), "{message}");
            }
        }
        assert_eq!(codes.len(), errors.len());
        let not_arrived = errors
            .iter()
            .find(|e| matches!(e, LifecycleError::NotArrivedAtInwardOffice { .. }))
            .unwrap();
        assert_eq!(
            not_arrived.to_string(),
            "the item is departed_origin and never reached its inward office of exchange (EMD) on \
             this leg, so it cannot be delivered (EMI)"
        );
    }

    // ---- properties ----

    fn arbitrary_event() -> impl Strategy<Value = (Milestone, i64, bool, Option<NextAction>)> {
        (
            proptest::sample::select(Milestone::ALL.to_vec()),
            // Mostly forward in time, sometimes back.
            -90i64..600,
            any::<bool>(),
            proptest::option::weighted(0.15, proptest::sample::select(NextAction::ALL.to_vec())),
        )
    }

    /// Events whose times move by `raw`'s minute steps from `start`.
    fn events_from(
        start: OffsetDateTime,
        raw: &[(Milestone, i64, bool, Option<NextAction>)],
    ) -> Vec<LifecycleEvent> {
        let mut at = start;
        raw.iter()
            .map(|(milestone, step, from_partner, next_action)| {
                at += Duration::minutes(*step);
                let source = if *from_partner {
                    EventSource::Partner
                } else {
                    EventSource::Local
                };
                LifecycleEvent {
                    milestone: *milestone,
                    at,
                    next_action: *next_action,
                    source,
                }
            })
            .collect()
    }

    proptest! {
        #[test]
        fn replay_is_total_with_one_flag_per_event(raw in prop::collection::vec(arbitrary_event(), 0..60)) {
            let events = events_from(START, &raw);
            let replay = replay(&events);
            prop_assert_eq!(replay.flags.len(), events.len());
            prop_assert_eq!(
                replay.state.last_event_at(),
                events.iter().map(|event| event.at).max()
            );
        }

        #[test]
        fn replaying_accepted_local_events_gives_the_same_state(raw in prop::collection::vec(arbitrary_event(), 0..80)) {
            let mut state = ItemState::new();
            let mut accepted = Vec::new();
            for event in events_from(START, &raw) {
                if let Ok(next) = apply_local(&state, &event) {
                    state = next;
                    accepted.push(event);
                }
            }
            let replay = replay(&accepted);
            prop_assert_eq!(&replay.state, &state);
            prop_assert!(replay.flags.iter().all(EventFlag::is_in_sequence));
        }

        #[test]
        fn nothing_moves_a_delivered_item(raw in prop::collection::vec(arbitrary_event(), 0..40)) {
            let mut events: Vec<_> =
                (0..).zip(HAPPY_PATH).map(|(n, milestone)| local(milestone, hour(n))).collect();
            let delivered = run(&HAPPY_PATH).unwrap();
            // Only forward steps, so every extra event is timed after the delivery.
            let forward: Vec<_> = raw.iter().map(|(m, step, p, a)| (*m, step.abs(), *p, *a)).collect();
            let extra = events_from(hour(14), &forward);
            events.extend(extra.iter().cloned());
            let replay = replay(&events);
            prop_assert_eq!(replay.state.status(), ItemStatus::Delivered);
            prop_assert_eq!(replay.state.failed_attempts_on_leg(), delivered.failed_attempts_on_leg());
            prop_assert_eq!(replay.state.leg(), Leg::Outbound);
            for (event, flag) in extra.iter().zip(&replay.flags[HAPPY_PATH.len()..]) {
                prop_assert_eq!(
                    flag,
                    &EventFlag::OutOfSequence {
                        reason: LifecycleError::AlreadyFinal {
                            status: ItemStatus::Delivered,
                            attempted: event.milestone,
                        },
                    }
                );
            }
        }
    }
}
