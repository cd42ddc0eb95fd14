//! The destination post's last rules: duty assessed by import customs and collected on
//! delivery, and when an item the delivery office cannot hand over goes back to its sender.
//!
//! UPU tracking has no event for a duty assessment, so the duty is data kept with the item (the
//! store's `item_duties`), and what was collected is kept with the final delivery event (`EMI`).

use std::fmt;

use time::{Duration, OffsetDateTime};

use crate::event::NextAction;
use crate::lifecycle::{ItemState, ItemStatus, Leg};
use crate::money::Money;

/// Why a duty may not be assessed, or a delivery not recorded with what was collected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DutyError {
    #[error(
        "the item is {status}: customs assesses duty while the item is presented to it or held by \
         it"
    )]
    NotWithCustoms { status: ItemStatus },
    #[error("a duty is zero or more, not {amount}")]
    Negative { amount: Money },
    #[error("{due} of duty is due: collect it from the addressee before handing the item over")]
    NotCollected { due: Money },
    #[error("{due} of duty is due, not {collected}: collect exactly the amount assessed")]
    WrongAmount { due: Money, collected: Money },
    #[error("no duty was assessed on this item, so nothing is collected ({collected} given)")]
    NothingDue { collected: Money },
}

impl DutyError {
    /// The stable code an API error carries.
    pub fn code(&self) -> &'static str {
        match self {
            DutyError::NotWithCustoms { .. } => "not_with_customs",
            DutyError::Negative { .. } => "negative_duty",
            DutyError::NotCollected { .. } => "duty_not_collected",
            DutyError::WrongAmount { .. } => "duty_amount_differs",
            DutyError::NothingDue { .. } => "no_duty_due",
        }
    }
}

/// Whether import customs may assess `amount` on an item in `state`: while it is presented to
/// customs or held by it. A new assessment replaces the last.
pub fn check_assessment(state: &ItemState, amount: &Money) -> Result<(), DutyError> {
    if amount.is_negative() {
        return Err(DutyError::Negative { amount: *amount });
    }
    match state.status() {
        ItemStatus::PresentedToImportCustoms | ItemStatus::HeldByImportCustoms => Ok(()),
        status => Err(DutyError::NotWithCustoms { status }),
    }
}

/// What handing an item over must collect: exactly the duty assessed, in its currency, or
/// nothing (zero counts as nothing) when none was.
pub fn check_collection(due: Option<&Money>, collected: Option<&Money>) -> Result<(), DutyError> {
    let collected = collected.filter(|money| !money.is_zero());
    let due = due.filter(|money| !money.is_zero());
    match (due, collected) {
        (None, None) => Ok(()),
        (None, Some(collected)) => Err(DutyError::NothingDue {
            collected: *collected,
        }),
        (Some(due), None) => Err(DutyError::NotCollected { due: *due }),
        (Some(due), Some(collected)) if due == collected => Ok(()),
        (Some(due), Some(collected)) => Err(DutyError::WrongAmount {
            due: *due,
            collected: *collected,
        }),
    }
}

/// When an item the delivery office cannot hand over goes back to its sender: after
/// `attempts` failed delivery attempts, or once it has waited `days` days since it reached the
/// delivery office (at the counter for collection, or between attempts). Each post sets its
/// own; UPU rules leave the retention period to the posts (commonly 15 days, at most a month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    attempts: u8,
    days: u16,
}

/// Why a delivery policy cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the number of delivery attempts before a return is 1 to 9, not {0}")]
    Attempts(u8),
    #[error("the days an item waits before it goes back are 1 to 90, not {0}")]
    Days(u16),
}

impl DeliveryPolicy {
    /// Three attempts, fifteen days.
    pub const DEFAULT: DeliveryPolicy = DeliveryPolicy {
        attempts: 3,
        days: 15,
    };

    pub fn new(attempts: u8, days: u16) -> Result<Self, PolicyError> {
        if !(1..=9).contains(&attempts) {
            return Err(PolicyError::Attempts(attempts));
        }
        if !(1..=90).contains(&days) {
            return Err(PolicyError::Days(days));
        }
        Ok(Self { attempts, days })
    }

    pub fn attempts(&self) -> u8 {
        self.attempts
    }

    pub fn days(&self) -> u16 {
        self.days
    }

    /// What follows a failed attempt on an item in `state` (before the attempt): what the
    /// office asked for, unless this attempt is the last one allowed on the way to the
    /// addressee; then the item goes back to its sender. On the way back nothing is forced:
    /// the sender's post decides.
    pub fn after_failed_attempt(
        &self,
        state: &ItemState,
        asked: Option<NextAction>,
    ) -> Option<NextAction> {
        let this_attempt = state.failed_attempts_on_leg().saturating_add(1);
        if state.leg() == Leg::Outbound && this_attempt >= u32::from(self.attempts) {
            Some(NextAction::ReturnToSender)
        } else {
            asked
        }
    }

    /// Whether an item in `state` has waited out its time at the delivery office by `now`: on
    /// the way to the addressee, still waiting there (not out for delivery, not handed over),
    /// and there for `days` days or more.
    pub fn waited_out(&self, state: &ItemState, now: OffsetDateTime) -> bool {
        let waiting = matches!(
            state.status(),
            ItemStatus::AtDeliveryOffice
                | ItemStatus::HeldAtDeliveryOffice
                | ItemStatus::AtCollectionPoint
                | ItemStatus::DeliveryAttemptFailed
        );
        match state.at_delivery_office_since() {
            Some(since) if waiting && state.leg() == Leg::Outbound => {
                now - since >= Duration::days(i64::from(self.days))
            }
            _ => false,
        }
    }
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for DeliveryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} attempts or {} days", self.attempts, self.days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{EventSource, LifecycleEvent, apply_local};
    use crate::money::Currency;
    use crate::{Milestone, NextAction};
    use time::macros::datetime;

    const START: OffsetDateTime = datetime!(2026-03-01 08:00 +02:00);

    fn ils(minor: i64) -> Money {
        Money::new(minor, Currency::parse("ILS").unwrap())
    }

    fn state_after(milestones: &[Milestone]) -> ItemState {
        let mut state = ItemState::new();
        for (hour, milestone) in (0..).zip(milestones) {
            state = apply_local(
                &state,
                &LifecycleEvent {
                    milestone: *milestone,
                    at: START + Duration::hours(hour),
                    next_action: None,
                    source: EventSource::Local,
                },
            )
            .unwrap();
        }
        state
    }

    use Milestone as M;
    const TO_DELIVERY_OFFICE: &[Milestone] = &[
        M::Posted,
        M::ArrivedOutwardOffice,
        M::DepartedOutwardOffice,
        M::ArrivedInwardOffice,
        M::PresentedImportCustoms,
        M::ReleasedImportCustoms,
        M::DepartedInwardOffice,
        M::ArrivedDeliveryOffice,
    ];

    #[test]
    fn duty_is_assessed_only_while_customs_has_the_item() {
        let presented = state_after(&TO_DELIVERY_OFFICE[..5]);
        assert_eq!(check_assessment(&presented, &ils(12_500)), Ok(()));
        let released = state_after(&TO_DELIVERY_OFFICE[..6]);
        assert_eq!(
            check_assessment(&released, &ils(12_500))
                .unwrap_err()
                .code(),
            "not_with_customs"
        );
        assert_eq!(
            check_assessment(&presented, &ils(-1)).unwrap_err().code(),
            "negative_duty"
        );
    }

    #[test]
    fn delivery_collects_exactly_the_duty_due() {
        assert_eq!(check_collection(None, None), Ok(()));
        assert_eq!(check_collection(Some(&ils(0)), None), Ok(()));
        assert_eq!(check_collection(None, Some(&ils(0))), Ok(()));
        assert_eq!(check_collection(Some(&ils(900)), Some(&ils(900))), Ok(()));
        let code = |due: Option<Money>, collected: Option<Money>| {
            check_collection(due.as_ref(), collected.as_ref())
                .unwrap_err()
                .code()
        };
        assert_eq!(code(Some(ils(900)), None), "duty_not_collected");
        assert_eq!(code(Some(ils(900)), Some(ils(800))), "duty_amount_differs");
        let jod = Money::new(900, Currency::parse("JOD").unwrap());
        assert_eq!(code(Some(ils(900)), Some(jod)), "duty_amount_differs");
        assert_eq!(code(None, Some(ils(100))), "no_duty_due");
    }

    #[test]
    fn the_last_allowed_attempt_sends_the_item_back() {
        let policy = DeliveryPolicy::new(2, 15).unwrap();
        let mut state = state_after(TO_DELIVERY_OFFICE);
        assert_eq!(
            policy.after_failed_attempt(&state, Some(NextAction::Redeliver)),
            Some(NextAction::Redeliver),
            "the first of two attempts keeps what the office asked"
        );
        state = apply_local(
            &state,
            &LifecycleEvent {
                milestone: M::DeliveryAttemptFailed,
                at: START + Duration::hours(20),
                next_action: Some(NextAction::Redeliver),
                source: EventSource::Local,
            },
        )
        .unwrap();
        assert_eq!(
            policy.after_failed_attempt(&state, Some(NextAction::Redeliver)),
            Some(NextAction::ReturnToSender)
        );
        assert_eq!(
            DeliveryPolicy::new(1, 15)
                .unwrap()
                .after_failed_attempt(&state_after(TO_DELIVERY_OFFICE), None),
            Some(NextAction::ReturnToSender)
        );
    }

    #[test]
    fn an_item_waits_its_days_from_its_arrival_at_the_delivery_office() {
        let policy = DeliveryPolicy::new(3, 15).unwrap();
        let arrived = START + Duration::hours(7);
        let mut state = state_after(TO_DELIVERY_OFFICE);
        assert_eq!(state.at_delivery_office_since(), Some(arrived));
        assert!(!policy.waited_out(&state, arrived + Duration::days(14)));
        assert!(policy.waited_out(&state, arrived + Duration::days(15)));
        // Taken to the pick-up counter later: the days still count from the arrival.
        state = apply_local(
            &state,
            &LifecycleEvent {
                milestone: M::AtCollectionPoint,
                at: arrived + Duration::days(2),
                next_action: None,
                source: EventSource::Local,
            },
        )
        .unwrap();
        assert!(policy.waited_out(&state, arrived + Duration::days(15)));
        // Out for delivery, it is not waiting.
        let out = apply_local(
            &state,
            &LifecycleEvent {
                milestone: M::OutForDelivery,
                at: arrived + Duration::days(3),
                next_action: None,
                source: EventSource::Local,
            },
        )
        .unwrap();
        assert!(!policy.waited_out(&out, arrived + Duration::days(30)));
    }

    #[test]
    fn policies_have_sane_bounds() {
        assert!(DeliveryPolicy::new(0, 15).is_err());
        assert!(DeliveryPolicy::new(10, 15).is_err());
        assert!(DeliveryPolicy::new(3, 0).is_err());
        assert!(DeliveryPolicy::new(3, 91).is_err());
        assert_eq!(
            DeliveryPolicy::default().to_string(),
            "3 attempts or 15 days"
        );
    }
}
