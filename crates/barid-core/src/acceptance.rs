//! Counter acceptance rules: may this item be accepted, and for how much?
//!
//! [`quote`] is one pure function. Given the reference data (services, zones, tariffs), the
//! origin operator's agreements, the SDR rates and what the clerk entered, it returns either a
//! [`Quote`] (the postage, the S10 service indicator to issue from, the checked customs
//! declaration and its form, and how the item will be dispatched) or **every** reason to refuse
//! at once, each as a [`Refusal`] naming the form field it belongs to, so the counter form can
//! mark them all in one round trip.
//!
//! Rules where the UPU texts leave the choice to Barid:
//! - No agreement with the destination's post, or one not in force on the date, refuses at
//!   `destination` (`no_agreement`); a suspension, of one service or all, refuses at
//!   `destination` too (`suspended`, with the reason and the last day). A service the agreement
//!   does not include refuses at `service` (`service_not_in_agreement`).
//! - The weight is checked against the service's maximum (`services.csv`) and then against the
//!   heaviest tariff step for the destination's zone, which may be lower; `too_heavy` names the
//!   maximum that applies.
//! - Customs: services marked `always` in `services.csv` (parcels, e-commerce parcels, small
//!   packets) need a declaration. Services marked `if_goods` (EMS, registered, tracked, insured)
//!   may go without one: the item is then taken, on the sender's word, to hold correspondence or
//!   documents only, and carries no customs form. A declaration that is given is always checked,
//!   its gross weight must equal the item's weight, and its form (CN 22 or CN 23) is chosen with
//!   the SDR rate of the currency its lines are declared in.
//! - The mail category is the one the agreement sets for the service; the subclass is the
//!   service's.

use std::fmt;

use time::Date;

use crate::agreement::{AcceptanceRefusal, Agreement, Route};
use crate::country::CountryCode;
use crate::customs::{CustomsDeclaration, CustomsForm, DeclarationDraft};
use crate::dispatch::{MailCategory, MailClass, MailSubclass};
use crate::field::{FieldError, FieldErrorKind};
use crate::money::{Currency, Grams, Money};
use crate::reference::{Names, ReferenceData};
use crate::s10::ServiceIndicator;
use crate::service::{CustomsRule, ServiceCode};
use crate::tariff::{Postage, SdrRates, TariffError, Zone};

/// Why an item cannot be accepted. `code()` is the stable snake_case name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalKind {
    /// The service is not in `services.csv`.
    UnknownService,
    /// No agreement in force with the destination's post.
    NoAgreement,
    /// The agreement does not include the service.
    ServiceNotInAgreement,
    /// The service, or every service, to the destination is suspended.
    Suspended {
        reason: Names,
        /// The last day of the suspension; `None` until further notice.
        until: Option<Date>,
    },
    /// The agreement sets no route for the service's mail class.
    NoRoute,
    /// A weight of zero.
    NotPositive,
    /// Heavier than the service or the destination's tariff allows.
    TooHeavy { maximum: Grams },
    /// The operator's tariff puts the destination in no zone.
    NoZone,
    /// The operator has no tariff for the service in the destination's zone.
    NoTariff,
    /// An S10 service indicator the service does not issue from.
    IndicatorNotAllowed,
    /// The service needs a customs declaration and none was given.
    CustomsRequired,
    /// The declaration's values are in a currency with no SDR rate, so the form cannot be chosen.
    NoSdrRate { currency: Currency },
    /// The declaration's gross weight differs from the item's weight.
    WeightMismatch,
    /// A problem inside the customs declaration, as [`DeclarationDraft::validate`] found it.
    Customs(FieldErrorKind),
}

impl RefusalKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RefusalKind::UnknownService => "unknown_service",
            RefusalKind::NoAgreement => "no_agreement",
            RefusalKind::ServiceNotInAgreement => "service_not_in_agreement",
            RefusalKind::Suspended { .. } => "suspended",
            RefusalKind::NoRoute => "no_route",
            RefusalKind::NotPositive => "not_positive",
            RefusalKind::TooHeavy { .. } => "too_heavy",
            RefusalKind::NoZone => "no_zone",
            RefusalKind::NoTariff => "no_tariff",
            RefusalKind::IndicatorNotAllowed => "indicator_not_allowed",
            RefusalKind::CustomsRequired => "required",
            RefusalKind::NoSdrRate { .. } => "no_sdr_rate",
            RefusalKind::WeightMismatch => "weight_mismatch",
            RefusalKind::Customs(kind) => kind.as_str(),
        }
    }
}

impl fmt::Display for RefusalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reason to refuse an item, on one field of the acceptance form: `destination`,
/// `service`, `service_indicator`, `weight_grams`, `customs` or a path inside the declaration
/// (`customs.lines[0].hs_code`). Shaped like [`FieldError`]: path, stable code, English message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Refusal {
    field: String,
    kind: RefusalKind,
    message: String,
}

impl Refusal {
    fn new(field: impl Into<String>, kind: RefusalKind, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind,
            message: message.into(),
        }
    }

    fn customs(error: FieldError) -> Self {
        Self::new(
            format!("customs.{}", error.field()),
            RefusalKind::Customs(error.kind()),
            error.message(),
        )
    }

    pub fn field(&self) -> &str {
        &self.field
    }

    pub fn kind(&self) -> &RefusalKind {
        &self.kind
    }

    /// The stable snake_case code, e.g. `suspended`, `too_heavy`, `invalid_hs_code`.
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What the clerk entered, parsed. Parties, contents and dimensions are checked elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptanceRequest {
    /// The operator accepting the item (the origin post).
    pub operator: CountryCode,
    pub service: ServiceCode,
    /// The S10 indicator the clerk chose; `None` takes the service's usual one.
    pub indicator: Option<ServiceIndicator>,
    pub destination: CountryCode,
    pub weight: Grams,
    /// `None` when the sender declares no goods.
    pub customs: Option<DeclarationDraft>,
    /// The acceptance day, in the accepting office's time zone.
    pub date: Date,
}

/// An item that may be accepted, with everything needed to record and dispatch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    service: ServiceCode,
    postage: Money,
    zone: Zone,
    indicator: ServiceIndicator,
    customs: Option<CustomsDeclaration>,
    mail_class: MailClass,
    category: MailCategory,
    subclass: MailSubclass,
    route: Route,
    agreement_reference: String,
}

impl Quote {
    pub fn service(&self) -> &ServiceCode {
        &self.service
    }

    /// The postage, in the operator's currency.
    pub fn postage(&self) -> Money {
        self.postage
    }

    /// The destination's tariff zone.
    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The S10 service indicator the item's ID is issued from.
    pub fn service_indicator(&self) -> ServiceIndicator {
        self.indicator
    }

    /// The checked declaration; `None` for documents-only items of `if_goods` services.
    pub fn customs(&self) -> Option<&CustomsDeclaration> {
        self.customs.as_ref()
    }

    /// The customs form to print: CN 22, CN 23, or none.
    pub fn customs_form(&self) -> Option<CustomsForm> {
        self.customs.as_ref().map(CustomsDeclaration::form)
    }

    pub fn mail_class(&self) -> MailClass {
        self.mail_class
    }

    /// The mail category the item is dispatched in, as the agreement sets it.
    pub fn category(&self) -> MailCategory {
        self.category
    }

    pub fn subclass(&self) -> MailSubclass {
        self.subclass
    }

    /// The route its dispatch takes: outward OE, destination OE and any closed-transit OE.
    pub fn route(&self) -> &Route {
        &self.route
    }

    /// The memorandum reference of the agreement the item travels under.
    pub fn agreement_reference(&self) -> &str {
        &self.agreement_reference
    }
}

fn rank(refusal: &AcceptanceRefusal) -> u8 {
    match refusal {
        AcceptanceRefusal::NoAgreement => 0,
        AcceptanceRefusal::ServiceNotInAgreement { .. } => 1,
        AcceptanceRefusal::Suspended { .. } => 2,
    }
}

/// Checks an item against every acceptance rule and prices it, or returns every refusal.
///
/// `agreements` are the accepting operator's agreements (others are ignored); when several
/// cover the destination, the first that accepts the service wins, and if none does the most
/// specific refusal is given (suspended, then service not included, then no agreement).
/// `sdr_rates` chooses the customs form; [`ReferenceData::sdr_rates`] is the usual table.
pub fn quote(
    reference: &ReferenceData,
    agreements: &[Agreement],
    sdr_rates: &SdrRates,
    request: AcceptanceRequest,
) -> Result<Quote, Vec<Refusal>> {
    let AcceptanceRequest {
        operator,
        service,
        indicator,
        destination,
        weight,
        customs,
        date,
    } = request;
    let mut refusals = Vec::new();

    let info = reference.service(&service);
    if info.is_none() {
        refusals.push(Refusal::new(
            "service",
            RefusalKind::UnknownService,
            format!("{service} is not a service of this post"),
        ));
    }

    // The agreement with the destination's post.
    let mut accepted: Option<&Agreement> = None;
    let mut refused = AcceptanceRefusal::NoAgreement;
    for agreement in agreements
        .iter()
        .filter(|a| a.operator() == operator && a.partner() == destination)
    {
        match agreement.check_acceptance(&service, date) {
            Ok(()) => {
                accepted = Some(agreement);
                break;
            }
            Err(refusal) if rank(&refusal) > rank(&refused) => refused = refusal,
            Err(_) => {}
        }
    }
    if accepted.is_none() {
        let name = destination.name_en();
        refusals.push(match refused {
            AcceptanceRefusal::NoAgreement => Refusal::new(
                "destination",
                RefusalKind::NoAgreement,
                format!("there is no agreement in force with the post of {name} ({destination})"),
            ),
            AcceptanceRefusal::ServiceNotInAgreement { service } => Refusal::new(
                "service",
                RefusalKind::ServiceNotInAgreement,
                format!("the agreement with {name} ({destination}) does not include {service}"),
            ),
            AcceptanceRefusal::Suspended {
                service,
                reason,
                until,
            } => {
                let what = service.map_or_else(
                    || "every service".to_owned(),
                    |service| format!("{service}"),
                );
                let period = until.map_or_else(
                    || "until further notice".to_owned(),
                    |day| format!("until {day}"),
                );
                let message = format!(
                    "{what} to {name} ({destination}) is suspended {period}: {}",
                    reason.en
                );
                Refusal::new(
                    "destination",
                    RefusalKind::Suspended { reason, until },
                    message,
                )
            }
        });
    }
    let route = match (accepted, info) {
        (Some(agreement), Some(info)) => {
            let route = agreement.outbound_route(info.mail_class).cloned();
            if route.is_none() {
                refusals.push(Refusal::new(
                    "service",
                    RefusalKind::NoRoute,
                    format!(
                        "the agreement with {destination} sets no route for mail class {}",
                        info.mail_class
                    ),
                ));
            }
            route
        }
        _ => None,
    };

    // Weight and postage.
    let mut postage: Option<Postage> = None;
    if weight.is_zero() {
        refusals.push(Refusal::new(
            "weight_grams",
            RefusalKind::NotPositive,
            "the item must weigh at least 1 g",
        ));
    } else if let Some(info) = info {
        if weight > info.max_weight {
            refusals.push(Refusal::new(
                "weight_grams",
                RefusalKind::TooHeavy {
                    maximum: info.max_weight,
                },
                format!(
                    "{weight} is over the {service} maximum of {}",
                    info.max_weight
                ),
            ));
        } else {
            match reference
                .tariffs()
                .postage(operator, &service, destination, weight)
            {
                Ok(found) => postage = Some(found),
                Err(error @ TariffError::NoZone { .. }) => {
                    refusals.push(Refusal::new(
                        "destination",
                        RefusalKind::NoZone,
                        error.to_string(),
                    ));
                }
                Err(error @ TariffError::NoTariff { .. }) => {
                    refusals.push(Refusal::new(
                        "service",
                        RefusalKind::NoTariff,
                        error.to_string(),
                    ));
                }
                Err(error @ TariffError::OverMaximum { maximum, .. }) => {
                    refusals.push(Refusal::new(
                        "weight_grams",
                        RefusalKind::TooHeavy { maximum },
                        error.to_string(),
                    ));
                }
            }
        }
    }

    // The S10 indicator the ID is issued from.
    let indicator = info.and_then(|info| match indicator {
        None => info.default_indicator(),
        Some(chosen) if info.indicators.contains(&chosen) => Some(chosen),
        Some(chosen) => {
            let allowed: Vec<&str> = info
                .indicators
                .iter()
                .map(ServiceIndicator::as_str)
                .collect();
            refusals.push(Refusal::new(
                "service_indicator",
                RefusalKind::IndicatorNotAllowed,
                format!(
                    "{service} items are numbered from {}, not {chosen}",
                    allowed.join(" or ")
                ),
            ));
            None
        }
    });

    // Customs: `Some(None)` is a documents-only item without declaration.
    let declaration: Option<Option<CustomsDeclaration>> = match (info, customs) {
        (None, _) => None,
        (Some(info), None) => match info.customs {
            CustomsRule::IfGoods => Some(None),
            CustomsRule::Always => {
                refusals.push(Refusal::new(
                    "customs",
                    RefusalKind::CustomsRequired,
                    format!("{service} items carry goods and need a customs declaration"),
                ));
                None
            }
        },
        (Some(info), Some(draft)) => {
            // The first line with a readable currency sets the declaration's currency, as in
            // the declaration's own checks.
            let currency = draft.lines.iter().enumerate().find_map(|(index, line)| {
                Currency::parse(&line.value.currency)
                    .ok()
                    .map(|currency| (index, currency))
            });
            let rate = currency.and_then(|(_, currency)| sdr_rates.rate(currency));
            let result = match (currency, rate) {
                (_, Some(rate)) => draft.validate(info.stream, rate),
                (Some((index, currency)), None) => {
                    refusals.push(Refusal::new(
                        format!("customs.lines[{index}].value.currency"),
                        RefusalKind::NoSdrRate { currency },
                        format!(
                            "there is no SDR rate for {currency}, so CN 22 or CN 23 cannot be chosen; declare the values in a currency of sdr_rates.csv"
                        ),
                    ));
                    // Still report every other problem of the declaration.
                    match draft.restore(CustomsForm::Cn23) {
                        Ok(_) => Err(Vec::new()),
                        Err(errors) => Err(errors),
                    }
                }
                // No line has a readable currency, which the declaration's checks report.
                (None, None) => draft.restore(CustomsForm::Cn23),
            };
            match result {
                Ok(declaration) if declaration.gross_weight() != weight => {
                    refusals.push(Refusal::new(
                        "customs.gross_weight_grams",
                        RefusalKind::WeightMismatch,
                        format!(
                            "the declared gross weight {} differs from the item's weight {weight}",
                            declaration.gross_weight()
                        ),
                    ));
                    None
                }
                Ok(declaration) => Some(Some(declaration)),
                Err(errors) => {
                    refusals.extend(errors.into_iter().map(Refusal::customs));
                    None
                }
            }
        }
    };

    match (info, accepted, route, postage, indicator, declaration) {
        (
            Some(info),
            Some(agreement),
            Some(route),
            Some(postage),
            Some(indicator),
            Some(customs),
        ) if refusals.is_empty() => {
            let category = agreement
                .terms()
                .service(&service)
                .map_or(info.category, |agreed| agreed.category);
            Ok(Quote {
                service,
                postage: postage.price,
                zone: postage.zone,
                indicator,
                customs,
                mail_class: info.mail_class,
                category,
                subclass: info.subclass,
                route,
                agreement_reference: agreement.reference().to_owned(),
            })
        }
        // Every missing part above pushed a refusal, so the list is not empty.
        _ => Err(refusals),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customs::{DeclarationLineDraft, MoneyDraft};
    use crate::office::OfficeCode;
    use std::sync::LazyLock;
    use time::macros::date;

    static REFERENCE: LazyLock<ReferenceData> =
        LazyLock::new(|| ReferenceData::embedded().unwrap());
    static DEMO: LazyLock<Vec<Agreement>> = LazyLock::new(|| Agreement::demo().unwrap());

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn egp(pounds: i64) -> Money {
        Money::new(pounds * 100, Currency::EGP)
    }

    fn line(
        description: &str,
        value_minor: i64,
        currency: &str,
        grams: i64,
    ) -> DeclarationLineDraft {
        DeclarationLineDraft {
            description: description.into(),
            quantity: 1,
            net_weight_grams: grams,
            value: MoneyDraft {
                amount_minor: value_minor,
                currency: currency.into(),
            },
            hs_code: "6109.10".into(),
            origin: "EG".into(),
        }
    }

    fn gift(value_minor: i64, currency: &str, gross_grams: i64) -> DeclarationDraft {
        DeclarationDraft {
            category: "gift".into(),
            lines: vec![line(
                "Cotton shirts",
                value_minor,
                currency,
                gross_grams - 100,
            )],
            gross_weight_grams: gross_grams,
            ..DeclarationDraft::default()
        }
    }

    fn request(service: &str, destination: &str, grams: u32) -> AcceptanceRequest {
        AcceptanceRequest {
            operator: country("EG"),
            service: ServiceCode::parse(service).unwrap(),
            indicator: None,
            destination: country(destination),
            weight: Grams::new(grams),
            customs: None,
            date: date!(2025 - 10 - 01),
        }
    }

    fn run(request: AcceptanceRequest) -> Result<Quote, Vec<Refusal>> {
        quote(&REFERENCE, &DEMO, REFERENCE.sdr_rates(), request)
    }

    fn refusals(request: AcceptanceRequest) -> Vec<(String, &'static str)> {
        run(request)
            .unwrap_err()
            .into_iter()
            .map(|refusal| {
                assert!(!refusal.message().is_empty());
                (refusal.field().to_owned(), refusal.code())
            })
            .collect()
    }

    fn pairs(expected: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        expected
            .iter()
            .map(|(field, code)| ((*field).to_owned(), *code))
            .collect()
    }

    #[test]
    fn ems_to_palestine_goes_through_amman_with_a_cn22() {
        let mut item = request("ems", "PS", 1_000);
        item.customs = Some(gift(150_000, "EGP", 1_000));
        let quote = run(item).unwrap();
        assert_eq!(quote.postage(), egp(380));
        assert_eq!(quote.zone().as_str(), "1");
        assert_eq!(quote.service_indicator().as_str(), "EE");
        assert_eq!(quote.customs_form(), Some(CustomsForm::Cn22));
        assert_eq!(
            quote.customs().unwrap().total_value(),
            Money::new(150_000, Currency::EGP)
        );
        assert_eq!(
            (
                quote.mail_class().letter(),
                quote.category().letter(),
                quote.subclass().as_str()
            ),
            ('E', 'A', "EM")
        );
        let route = quote.route();
        assert_eq!(route.origin_office, OfficeCode::parse("EGCAIF").unwrap());
        assert_eq!(
            route.destination_office,
            OfficeCode::parse("PSRMHA").unwrap()
        );
        assert_eq!(
            route.transit_office,
            Some(OfficeCode::parse("JOAMMA").unwrap())
        );
        assert!(quote.agreement_reference().contains("EG-PS"));
        assert_eq!(quote.service().as_str(), "ems");
    }

    #[test]
    fn the_form_follows_the_sdr_value_and_the_declared_currency() {
        // 300 SDR at 67.25 EGP is 20,175.00 EGP: up to it a CN 22, above it a CN 23.
        let mut item = request("ems", "JO", 600);
        item.customs = Some(gift(2_017_500, "EGP", 600));
        assert_eq!(
            run(item.clone()).unwrap().customs_form(),
            Some(CustomsForm::Cn22)
        );
        item.customs = Some(gift(2_017_501, "EGP", 600));
        assert_eq!(
            run(item.clone()).unwrap().customs_form(),
            Some(CustomsForm::Cn23)
        );
        // Values declared in US dollars use the USD rate (1.366 per SDR: 409.80 USD).
        item.customs = Some(gift(40_980, "USD", 600));
        assert_eq!(
            run(item.clone()).unwrap().customs_form(),
            Some(CustomsForm::Cn22)
        );
        item.customs = Some(gift(40_981, "USD", 600));
        assert_eq!(run(item).unwrap().customs_form(), Some(CustomsForm::Cn23));
        // Parcels always take a CN 23.
        let mut parcel = request("parcel", "JO", 3_000);
        parcel.customs = Some(gift(10_000, "EGP", 3_000));
        let quote = run(parcel).unwrap();
        assert_eq!(quote.customs_form(), Some(CustomsForm::Cn23));
        assert_eq!(quote.postage(), egp(950));
        // EG-JO parcels travel by surface, as the agreement says.
        assert_eq!(quote.category().letter(), 'C');
        assert_eq!(quote.route().transit_office, None);
    }

    #[test]
    fn documents_only_letters_need_no_declaration_but_goods_services_do() {
        let quote = run(request("registered", "JO", 20)).unwrap();
        assert_eq!(quote.customs_form(), None);
        assert!(quote.customs().is_none());
        assert_eq!(quote.postage(), egp(45));
        assert_eq!(quote.service_indicator().as_str(), "RR");
        assert_eq!(
            run(request("registered", "JO", 21)).unwrap().postage(),
            egp(70)
        );
        assert_eq!(
            refusals(request("parcel", "JO", 3_000)),
            pairs(&[("customs", "required")])
        );
        assert_eq!(
            refusals(request("small_packet", "IQ", 300)),
            pairs(&[("customs", "required")])
        );
    }

    #[test]
    fn every_refusal_is_reported_at_once() {
        // Parcels to Libya are suspended, 31 kg is over the parcel maximum, RR is a letter
        // indicator, and a parcel needs a declaration.
        let mut item = request("parcel", "LY", 31_000);
        item.indicator = Some(ServiceIndicator::parse("RR").unwrap());
        let found = run(item).unwrap_err();
        let codes: Vec<(&str, &str)> = found.iter().map(|r| (r.field(), r.code())).collect();
        assert_eq!(
            codes,
            [
                ("destination", "suspended"),
                ("weight_grams", "too_heavy"),
                ("service_indicator", "indicator_not_allowed"),
                ("customs", "required"),
            ]
        );
        match found[0].kind() {
            RefusalKind::Suspended { reason, until } => {
                assert_eq!(*until, None);
                assert!(reason.en.contains("No transport"), "{}", reason.en);
                assert!(reason.ar.contains("ليبيا"), "{}", reason.ar);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            found[0].message().starts_with(
                "parcel to Libya (LY) is suspended until further notice: No transport"
            ),
            "{}",
            found[0].message()
        );
        assert_eq!(
            found[1].kind(),
            &RefusalKind::TooHeavy {
                maximum: Grams::new(30_000)
            }
        );
        assert!(
            found[1].message().contains("maximum of 30.000 kg"),
            "{}",
            found[1]
        );
        assert!(found[2].message().contains("CP or CA"), "{}", found[2]);

        // EMS to Libya still goes.
        assert!(run(request("ems", "LY", 500)).is_ok());
    }

    #[test]
    fn unknown_service_no_agreement_and_no_weight() {
        assert_eq!(
            refusals(request("pigeon", "SY", 0)),
            pairs(&[
                ("service", "unknown_service"),
                ("destination", "no_agreement"),
                ("weight_grams", "not_positive"),
            ])
        );
        // No agreement and no tariff zone either.
        assert_eq!(
            refusals(request("ems", "AQ", 500)),
            pairs(&[("destination", "no_agreement"), ("destination", "no_zone")])
        );
        // Agreements of other operators are not ours.
        let mut from_jordan = request("ems", "PS", 500);
        from_jordan.operator = country("JO");
        assert_eq!(
            refusals(from_jordan),
            pairs(&[("destination", "no_agreement")])
        );
        assert_eq!(
            refusals(request("insured", "PS", 20)),
            pairs(&[("service", "service_not_in_agreement")])
        );
    }

    #[test]
    fn suspension_and_effective_dates_decide_by_day() {
        let mut item = request("registered", "PS", 20);
        item.date = date!(2023 - 10 - 08);
        assert!(run(item.clone()).is_ok());
        for day in [date!(2023 - 10 - 09), date!(2023 - 11 - 30)] {
            item.date = day;
            let found = run(item.clone()).unwrap_err();
            assert_eq!(found.len(), 1);
            assert_eq!(
                found[0].kind(),
                &RefusalKind::Suspended {
                    reason: Names {
                        en: "Transport to the West Bank interrupted; mail held until closed transit via Amman resumed".into(),
                        ar: "انقطاع النقل إلى الضفة الغربية؛ حُجز البريد حتى استئناف العبور المغلق عبر عمّان".into(),
                    },
                    until: Some(date!(2023 - 11 - 30)),
                }
            );
            assert!(
                found[0]
                    .message()
                    .starts_with("every service to Palestine (PS) is suspended until 2023-11-30"),
                "{}",
                found[0].message()
            );
        }
        item.date = date!(2023 - 12 - 01);
        assert!(run(item.clone()).is_ok());
        // Before the EG-PS agreement took effect there was none.
        item.date = date!(2020 - 02 - 29);
        assert_eq!(refusals(item), pairs(&[("destination", "no_agreement")]));
    }

    fn agreement(json: &str) -> Agreement {
        let list = Agreement::list_from_json(json).unwrap();
        list.into_iter().next().unwrap()
    }

    #[test]
    fn the_tariff_maximum_and_missing_routes_refuse() {
        let us = agreement(
            r#"[{"operator": "EG", "partner": "US", "reference": "EG-US test", "status": "active",
                "terms": {"effective_from": "2025-01-01",
                    "services": [{"service": "parcel", "mail_class": "C", "category": "A"},
                                 {"service": "ems", "mail_class": "E", "category": "A"}],
                    "routes": [{"mail_classes": ["C"], "origin_office": "EGCAIA", "destination_office": "USJFKA"}]}}]"#,
        );
        let agreements = [us];
        let run = |request| quote(&REFERENCE, &agreements, REFERENCE.sdr_rates(), request);
        // Parcels to zone 4 stop at 20 kg in the tariff, below the 30 kg service maximum.
        let mut parcel = request("parcel", "US", 20_001);
        parcel.customs = Some(gift(10_000, "EGP", 20_001));
        let found = run(parcel.clone()).unwrap_err();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].field(), "weight_grams");
        assert_eq!(
            found[0].kind(),
            &RefusalKind::TooHeavy {
                maximum: Grams::new(20_000)
            }
        );
        parcel.weight = Grams::new(20_000);
        parcel.customs = Some(gift(10_000, "EGP", 20_000));
        assert_eq!(run(parcel).unwrap().postage(), egp(6_000));
        // The agreement sets no route for EMS.
        let found = run(request("ems", "US", 500)).unwrap_err();
        let codes: Vec<(&str, &str)> = found.iter().map(|r| (r.field(), r.code())).collect();
        assert_eq!(codes, [("service", "no_route")]);
    }

    #[test]
    fn the_first_accepting_agreement_wins_and_the_most_specific_refusal_is_given() {
        let draft = |status: &str| {
            format!(
                r#"[{{"operator": "EG", "partner": "JO", "reference": "EG-JO {status}", "status": "{status}",
                    "terms": {{"effective_from": "2025-01-01",
                        "services": [{{"service": "ems", "mail_class": "E", "category": "A"}}],
                        "routes": [{{"origin_office": "EGCAIF", "destination_office": "JOAMMA"}}]}}}}]"#
            )
        };
        let ended = agreement(&draft("ended"));
        let suspended = agreement(&draft("suspended"));
        let active = agreement(&draft("active"));
        let run = |agreements: &[Agreement], service: &str| {
            quote(
                &REFERENCE,
                agreements,
                REFERENCE.sdr_rates(),
                request(service, "JO", 500),
            )
        };
        let quote = run(&[ended.clone(), active.clone()], "ems").unwrap();
        assert_eq!(quote.agreement_reference(), "EG-JO active");
        let found = run(&[ended.clone(), suspended.clone()], "ems").unwrap_err();
        assert_eq!(found[0].code(), "suspended");
        assert!(
            found[0]
                .message()
                .contains("agreement with this post is suspended")
        );
        let found = run(&[ended, active], "registered").unwrap_err();
        assert_eq!(found[0].code(), "service_not_in_agreement");
    }

    #[test]
    fn customs_problems_are_reported_inside_the_customs_field() {
        // A bad HS code and a gross weight that is not the item's.
        let mut item = request("ems", "JO", 1_000);
        let mut declaration = gift(150_000, "EGP", 1_000);
        declaration.lines[0].hs_code = "61".into();
        item.customs = Some(declaration);
        assert_eq!(
            refusals(item.clone()),
            pairs(&[("customs.lines[0].hs_code", "invalid_hs_code")])
        );
        item.customs = Some(gift(150_000, "EGP", 900));
        let found = run(item.clone()).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].field(), found[0].code()),
            ("customs.gross_weight_grams", "weight_mismatch")
        );
        assert!(found[0].message().contains("0.900 kg"), "{}", found[0]);
        // Values in a currency without an SDR rate: the form cannot be chosen, and the other
        // problems of the declaration are still listed.
        let mut declaration = gift(150_000, "GBP", 1_000);
        declaration.category = "other".into();
        item.customs = Some(declaration);
        let found = run(item.clone()).unwrap_err();
        let codes: Vec<(&str, &str)> = found.iter().map(|r| (r.field(), r.code())).collect();
        assert_eq!(
            codes,
            [
                ("customs.lines[0].value.currency", "no_sdr_rate"),
                ("customs.category_explanation", "required"),
            ]
        );
        assert_eq!(
            found[0].kind(),
            &RefusalKind::NoSdrRate {
                currency: Currency::parse("GBP").unwrap()
            }
        );
        // No readable currency at all: the declaration's own checks say so.
        item.customs = Some(gift(150_000, "", 1_000));
        assert_eq!(
            refusals(item.clone()),
            pairs(&[("customs.lines[0].value.currency", "required")])
        );
        // An empty declaration on a documents-only service is still checked.
        item.customs = Some(DeclarationDraft::default());
        let found = refusals(item);
        assert!(
            found.contains(&("customs.lines".to_owned(), "required")),
            "{found:?}"
        );
        assert!(
            found.contains(&("customs.category".to_owned(), "required")),
            "{found:?}"
        );
    }

    #[test]
    fn the_clerk_may_pick_another_indicator_of_the_service() {
        let mut item = request("ems", "JO", 500);
        item.indicator = Some(ServiceIndicator::parse("EA").unwrap());
        assert_eq!(
            run(item.clone()).unwrap().service_indicator().as_str(),
            "EA"
        );
        item.indicator = Some(ServiceIndicator::parse("CP").unwrap());
        assert_eq!(
            refusals(item),
            pairs(&[("service_indicator", "indicator_not_allowed")])
        );
    }
}
