//! The office of exchange: bagging items into receptacles, numbering and closing dispatches,
//! choosing the route, and verifying what arrives against the pre-advice (CN 43).
//!
//! Everything here is pure computation over values the store hands in. The store keeps the
//! rows, serialises concurrent numbering and passes the date; this module decides what is
//! allowed and computes the identifiers and the discrepancies.
//!
//! - [`receptacle`]: an open receptacle takes items that fit its series, then closes with a
//!   gross weight; it can be reopened until its dispatch closes.
//! - [`numbering`]: the next dispatch number in a series and year (restarting at 0001 on
//!   1 January).
//! - [`dispatch`]: closing a dispatch gives each receptacle its serial, highest-receptacle flag
//!   and final S9 ID.
//! - [`route`]: the route an agreement sets for a dispatch, and which posts are pre-advised.
//! - [`verification`]: pre-advice against receipt, as the inward office's verification note.
//!
//! The rules and the choices made where the standards are silent are in `docs/domain.md`
//! ("Offices of exchange").

pub mod dispatch;
pub mod numbering;
pub mod receptacle;
pub mod route;
pub mod verification;

pub use dispatch::{ClosedDispatch, DispatchCloseError, DispatchedReceptacle, close_dispatch};
pub use numbering::{NumberingError, SeriesYear};
pub use receptacle::{GrossWeight, ItemFacts, Receptacle, ReceptacleError, ReceptacleState};
pub use route::{RouteError, RoutePlan};
pub use verification::{
    AdvisedReceptacle, Discrepancy, PreAdvice, Receipt, ReceivedReceptacle, ToleranceError,
    WeightTolerance, verify,
};

#[cfg(test)]
pub(crate) mod test_support {
    //! Builders shared by the tests of this module.

    use crate::country::CountryCode;
    use crate::dispatch::{DispatchSeries, MailCategory, MailClass, MailSubclass};
    use crate::money::Grams;
    use crate::office::OfficeCode;
    use crate::s10::{S10Id, ServiceIndicator};

    use super::receptacle::ItemFacts;

    pub fn office(text: &str) -> OfficeCode {
        OfficeCode::parse(text).unwrap()
    }

    pub fn country(text: &str) -> CountryCode {
        CountryCode::parse(text).unwrap()
    }

    /// Cairo-A to Ramallah, airmail, letter post subclass UN.
    pub fn series() -> DispatchSeries {
        DispatchSeries {
            origin: office("EGCAIA"),
            destination: office("PSRMHA"),
            category: MailCategory::parse("A").unwrap(),
            subclass: MailSubclass::parse("UN").unwrap(),
        }
    }

    pub fn s10(serial: u32) -> S10Id {
        S10Id::new(
            ServiceIndicator::parse("RR").unwrap(),
            serial,
            country("EG"),
        )
        .unwrap()
    }

    /// A registered letter to PS that fits [`series`].
    pub fn letter(serial: u32, grams: u32) -> ItemFacts {
        ItemFacts {
            s10: s10(serial),
            destination: country("PS"),
            mail_class: MailClass::parse("U").unwrap(),
            category: MailCategory::parse("A").unwrap(),
            registered: true,
            held: false,
            awaiting_export_customs: false,
            weight: Grams::new(grams),
        }
    }
}
