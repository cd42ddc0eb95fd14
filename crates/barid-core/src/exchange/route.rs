//! The route a dispatch takes, as the bilateral agreement sets it.
//!
//! A direct dispatch goes from our office of exchange to the partner's. A closed transit
//! dispatch (EG→PS through JOAMMA) is still addressed to the destination OE: its S8 ID names
//! PSRMHA, and the transit post forwards it unopened. Both the transit post and the destination
//! post receive the pre-advice, the transit post so that it can plan the onward transport and
//! answer for what it received.

use serde::Serialize;

use crate::agreement::{AgreementTerms, Route};
use crate::country::CountryCode;
use crate::dispatch::{DispatchSeries, MailCategory, MailClass, MailSubclass};
use crate::office::OfficeCode;

/// Why no route can be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error(
        "the agreement sets no route for mail class {class} from {origin_office} to {destination}"
    )]
    NoRoute {
        origin_office: OfficeCode,
        destination: CountryCode,
        class: MailClass,
    },
    #[error(
        "mail subclass {subclass} is not of mail class {class}; the subclass's first letter is its class"
    )]
    SubclassNotOfClass {
        subclass: MailSubclass,
        class: MailClass,
    },
}

impl RouteError {
    /// The stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            RouteError::NoRoute { .. } => "no_route",
            RouteError::SubclassNotOfClass { .. } => "subclass_not_of_class",
        }
    }
}

/// The offices a dispatch of one mail class goes through, taken from an agreement's route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoutePlan {
    class: MailClass,
    origin_office: OfficeCode,
    destination_office: OfficeCode,
    transit_office: Option<OfficeCode>,
    export_customs: bool,
}

impl RoutePlan {
    /// The route the agreement sets for a dispatch of `class` closed at `origin_office` for
    /// `destination` country ([`AgreementTerms::route_from_office`]).
    pub fn for_office(
        terms: &AgreementTerms,
        origin_office: OfficeCode,
        destination: CountryCode,
        class: MailClass,
    ) -> Result<Self, RouteError> {
        terms
            .route_from_office(origin_office, destination, class)
            .map(|route| Self::from_route(route, class))
            .ok_or(RouteError::NoRoute {
                origin_office,
                destination,
                class,
            })
    }

    /// The plan for a route found otherwise, e.g. by [`crate::agreement::find_route`].
    pub fn from_route(route: &Route, class: MailClass) -> Self {
        Self {
            class,
            origin_office: route.origin_office,
            destination_office: route.destination_office,
            transit_office: route.transit_office,
            export_customs: route.export_customs,
        }
    }

    /// Whether goods on this route must be released by export customs before they are bagged.
    pub fn needs_export_customs(&self) -> bool {
        self.export_customs
    }

    pub fn mail_class(&self) -> MailClass {
        self.class
    }

    pub fn origin_office(&self) -> OfficeCode {
        self.origin_office
    }

    /// The office the dispatch is addressed to, in transit or not.
    pub fn destination_office(&self) -> OfficeCode {
        self.destination_office
    }

    pub fn transit_office(&self) -> Option<OfficeCode> {
        self.transit_office
    }

    pub fn is_closed_transit(&self) -> bool {
        self.transit_office.is_some()
    }

    /// The offices that receive the pre-advice, in the order the dispatch reaches them: the
    /// transit office (closed transit only), then the destination office.
    pub fn advised_offices(&self) -> Vec<OfficeCode> {
        self.transit_office
            .into_iter()
            .chain([self.destination_office])
            .collect()
    }

    /// The posts (by country) that receive the pre-advice, in the same order.
    pub fn advised_operators(&self) -> Vec<CountryCode> {
        let mut operators: Vec<CountryCode> = Vec::new();
        for office in self.advised_offices() {
            // A transit office in the destination's own country would be one post, told once.
            if !operators.contains(&office.country()) {
                operators.push(office.country());
            }
        }
        operators
    }

    /// The dispatch series for this route in `category` and `subclass`; the subclass must be
    /// of the route's mail class.
    pub fn series(
        &self,
        category: MailCategory,
        subclass: MailSubclass,
    ) -> Result<DispatchSeries, RouteError> {
        if subclass.class() != self.class {
            return Err(RouteError::SubclassNotOfClass {
                subclass,
                class: self.class,
            });
        }
        Ok(DispatchSeries {
            origin: self.origin_office,
            destination: self.destination_office,
            category,
            subclass,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreement::{Agreement, find_route};
    use crate::exchange::test_support::{country, office};

    fn terms_with(partner: &str) -> AgreementTerms {
        Agreement::demo()
            .unwrap()
            .into_iter()
            .find(|agreement| agreement.partner() == country(partner))
            .unwrap()
            .terms()
            .clone()
    }

    fn class(text: &str) -> MailClass {
        MailClass::parse(text).unwrap()
    }

    #[test]
    fn egypt_to_palestine_goes_in_closed_transit_through_amman() {
        let terms = terms_with("PS");
        let plan =
            RoutePlan::for_office(&terms, office("EGCAIA"), country("PS"), class("U")).unwrap();
        assert!(plan.is_closed_transit());
        assert_eq!(plan.destination_office(), office("PSRMHA"));
        assert_eq!(plan.transit_office(), Some(office("JOAMMA")));
        assert_eq!(plan.advised_offices(), [office("JOAMMA"), office("PSRMHA")]);
        assert_eq!(plan.advised_operators(), [country("JO"), country("PS")]);
        // The dispatch is addressed to Ramallah, not to the transit office.
        let series = plan
            .series(
                MailCategory::parse("A").unwrap(),
                MailSubclass::parse("UN").unwrap(),
            )
            .unwrap();
        assert_eq!(series.origin, office("EGCAIA"));
        assert_eq!(series.destination, office("PSRMHA"));
        assert_eq!(
            plan.series(
                MailCategory::parse("A").unwrap(),
                MailSubclass::parse("CA").unwrap()
            )
            .unwrap_err()
            .code(),
            "subclass_not_of_class"
        );
    }

    #[test]
    fn egypt_to_jordan_is_direct_and_advises_only_jordan() {
        let terms = terms_with("JO");
        let plan =
            RoutePlan::for_office(&terms, office("EGCAIA"), country("JO"), class("U")).unwrap();
        assert!(!plan.is_closed_transit());
        assert_eq!(plan.advised_offices(), [office("JOAMMA")]);
        assert_eq!(plan.advised_operators(), [country("JO")]);
    }

    #[test]
    fn no_route_is_a_typed_error() {
        let terms = terms_with("PS");
        // EMS leaves from EGCAIF, not EGCAIA.
        let error =
            RoutePlan::for_office(&terms, office("EGCAIA"), country("PS"), class("E")).unwrap_err();
        assert_eq!(error.code(), "no_route");
        assert_eq!(
            error.to_string(),
            "the agreement sets no route for mail class E from EGCAIA to PS"
        );
    }

    #[test]
    fn a_route_found_across_agreements_gives_the_same_plan() {
        let agreements = Agreement::demo().unwrap();
        let (_, route) = find_route(&agreements, country("EG"), country("PS"), class("E")).unwrap();
        let plan = RoutePlan::from_route(route, class("E"));
        assert_eq!(plan.origin_office(), office("EGCAIF"));
        assert_eq!(
            plan,
            RoutePlan::for_office(
                &terms_with("PS"),
                office("EGCAIF"),
                country("PS"),
                class("E")
            )
            .unwrap()
        );
    }
}
