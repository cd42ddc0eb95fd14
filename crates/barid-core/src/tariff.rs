//! Postage: destination zones, weight-step tariffs and the SDR rates customs needs.
//!
//! Postage is service × destination zone × weight step, in the operator's currency. A node may
//! host several operators, so every zone and tariff row names the operator it belongs to:
//! - `zones.csv` puts each destination country into one zone of an operator;
//! - `tariffs.csv` gives, for an operator, a service and a zone, the price of each weight step:
//!   a step covers every weight above the previous step's bound up to and including its own
//!   bound (`up_to_grams`), and the heaviest step is the most the operator takes to that zone.
//!
//! Tables are checked whole when they are loaded: steps increase, prices never fall as weight
//! rises, each operator charges in one currency, and every service and zone a tariff names
//! exists. So [`TariffTable::price`] is total and monotonic in weight for any loaded table.
//!
//! `sdr_rates.csv` holds what one SDR is worth in each currency, for the CN 22/CN 23 choice.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::CountryCode;
use crate::money::{Currency, Grams, Money, SdrRate};
use crate::reference::{ReferenceDataError, ReferenceTable, read_rows};
use crate::service::{ServiceCatalogue, ServiceCode};

/// The longest zone code, in characters.
pub const ZONE_MAX_CHARS: usize = 16;

/// Why a text is not a zone code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a zone is 1 to {ZONE_MAX_CHARS} characters A-Z, 0-9, _ or -, found {found:?}")]
pub struct ZoneError {
    found: String,
}

impl ZoneError {
    /// The stable machine-readable name of the problem.
    pub fn code(&self) -> &'static str {
        "invalid_zone"
    }
}

/// A tariff zone of one operator, e.g. `1` or `ARAB`: upper-case letters, digits, `_` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Zone(String);

impl Zone {
    /// Parses a zone code, upper-casing it and ignoring surrounding spaces.
    pub fn parse(text: &str) -> Result<Self, ZoneError> {
        let zone = text.trim().to_ascii_uppercase();
        let valid = !zone.is_empty()
            && zone.len() <= ZONE_MAX_CHARS
            && zone
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !valid {
            return Err(ZoneError {
                found: text.to_owned(),
            });
        }
        Ok(Self(zone))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Zone {
    type Err = ZoneError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Why no postage can be given. `code()` is the stable name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TariffError {
    #[error("operator {operator} has no tariff zone for {destination}")]
    NoZone {
        operator: CountryCode,
        destination: CountryCode,
    },
    #[error("operator {operator} has no {service} tariff for zone {zone}")]
    NoTariff {
        operator: CountryCode,
        service: ServiceCode,
        zone: Zone,
    },
    #[error(
        "{weight} is over the maximum of {maximum} for {service} to {destination} (zone {zone})"
    )]
    OverMaximum {
        service: ServiceCode,
        destination: CountryCode,
        zone: Zone,
        weight: Grams,
        /// The heaviest step of the tariff, never above the service's own maximum.
        maximum: Grams,
    },
}

impl TariffError {
    /// The stable machine-readable name of the problem, as used by the CLI and the API.
    pub fn code(&self) -> &'static str {
        match self {
            TariffError::NoZone { .. } => "no_zone",
            TariffError::NoTariff { .. } => "no_tariff",
            TariffError::OverMaximum { .. } => "too_heavy",
        }
    }
}

/// One weight step: the price of every weight above the previous step, up to `up_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeightStep {
    pub up_to: Grams,
    pub price: Money,
}

/// A price with where it comes from in the tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Postage {
    pub price: Money,
    /// The destination's zone.
    pub zone: Zone,
    /// The bound of the weight step charged.
    pub step: Grams,
}

/// The zones and weight-step tariffs of every operator the node hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TariffTable {
    zones: BTreeMap<(CountryCode, CountryCode), Zone>,
    currencies: BTreeMap<CountryCode, Currency>,
    /// Steps in increasing weight, for (operator, service, zone).
    steps: BTreeMap<(CountryCode, ServiceCode, Zone), Vec<WeightStep>>,
}

#[derive(Deserialize)]
struct ZoneRow {
    operator: String,
    destination: String,
    zone: String,
}

#[derive(Deserialize)]
struct TariffRow {
    operator: String,
    service: String,
    zone: String,
    up_to_grams: String,
    price_minor: String,
    currency: String,
}

impl TariffTable {
    /// Reads and checks `zones.csv` and `tariffs.csv` against the service catalogue.
    pub(crate) fn parse(
        zones_text: &str,
        tariffs_text: &str,
        services: &ServiceCatalogue,
    ) -> Result<Self, ReferenceDataError> {
        let mut zones = BTreeMap::new();
        for (line, row) in read_rows::<ZoneRow>(ReferenceTable::Zones, zones_text)? {
            let field = |field: &'static str, message: String| ReferenceDataError::Field {
                table: ReferenceTable::Zones,
                line,
                field,
                message,
            };
            let operator =
                CountryCode::parse(&row.operator).map_err(|e| field("operator", e.to_string()))?;
            let destination = CountryCode::parse(&row.destination)
                .map_err(|e| field("destination", e.to_string()))?;
            if destination == operator {
                return Err(field(
                    "destination",
                    format!(
                        "{destination} is the operator's own country; tariffs are international"
                    ),
                ));
            }
            let zone = Zone::parse(&row.zone).map_err(|e| field("zone", e.to_string()))?;
            if zones.insert((operator, destination), zone).is_some() {
                return Err(ReferenceDataError::Duplicate {
                    table: ReferenceTable::Zones,
                    line,
                    code: format!("{operator} {destination}"),
                });
            }
        }

        let mut currencies: BTreeMap<CountryCode, (Currency, u64)> = BTreeMap::new();
        let mut steps: BTreeMap<(CountryCode, ServiceCode, Zone), Vec<WeightStep>> =
            BTreeMap::new();
        for (line, row) in read_rows::<TariffRow>(ReferenceTable::Tariffs, tariffs_text)? {
            let field = |field: &'static str, message: String| ReferenceDataError::Field {
                table: ReferenceTable::Tariffs,
                line,
                field,
                message,
            };
            let operator =
                CountryCode::parse(&row.operator).map_err(|e| field("operator", e.to_string()))?;
            let service =
                ServiceCode::parse(&row.service).map_err(|e| field("service", e.to_string()))?;
            let Some(info) = services.get(&service) else {
                return Err(field(
                    "service",
                    format!("{service} is not in services.csv"),
                ));
            };
            let zone = Zone::parse(&row.zone).map_err(|e| field("zone", e.to_string()))?;
            if !zones
                .iter()
                .any(|((owner, _), known)| *owner == operator && *known == zone)
            {
                return Err(field(
                    "zone",
                    format!("operator {operator} puts no destination in zone {zone} in zones.csv"),
                ));
            }
            let up_to = match row.up_to_grams.parse::<u32>() {
                Ok(grams) if grams > 0 => Grams::new(grams),
                _ => {
                    return Err(field(
                        "up_to_grams",
                        format!(
                            "must be a whole number of grams above zero, found {:?}",
                            row.up_to_grams
                        ),
                    ));
                }
            };
            if up_to > info.max_weight {
                return Err(field(
                    "up_to_grams",
                    format!(
                        "{} g is over the {service} maximum of {} g in services.csv",
                        up_to.get(),
                        info.max_weight.get()
                    ),
                ));
            }
            let currency =
                Currency::parse(&row.currency).map_err(|e| field("currency", e.to_string()))?;
            match currencies.get(&operator) {
                Some((first, first_line)) if *first != currency => {
                    return Err(field(
                        "currency",
                        format!(
                            "operator {operator} charges in {first} (line {first_line}), found {currency}"
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    currencies.insert(operator, (currency, line));
                }
            }
            let price = match row.price_minor.parse::<i64>() {
                Ok(minor) if minor >= 0 => Money::new(minor, currency),
                _ => {
                    return Err(field(
                        "price_minor",
                        format!(
                            "must be a whole number of minor units ({}) of zero or more, found {:?}",
                            currency, row.price_minor
                        ),
                    ));
                }
            };
            let key = (operator, service.clone(), zone.clone());
            let list = steps.entry(key).or_default();
            if let Some(previous) = list.last() {
                if up_to <= previous.up_to {
                    return Err(field(
                        "up_to_grams",
                        format!(
                            "steps of {service} zone {zone} must increase: {} g follows {} g",
                            up_to.get(),
                            previous.up_to.get()
                        ),
                    ));
                }
                if price.amount_minor() < previous.price.amount_minor() {
                    return Err(field(
                        "price_minor",
                        format!(
                            "{service} zone {zone} costs less up to {} g ({price}) than up to {} g ({})",
                            up_to.get(),
                            previous.up_to.get(),
                            previous.price
                        ),
                    ));
                }
            }
            list.push(WeightStep { up_to, price });
        }

        Ok(Self {
            zones,
            currencies: currencies
                .into_iter()
                .map(|(operator, (currency, _))| (operator, currency))
                .collect(),
            steps,
        })
    }

    /// The zone an operator puts a destination country in.
    pub fn zone(&self, operator: CountryCode, destination: CountryCode) -> Option<&Zone> {
        self.zones.get(&(operator, destination))
    }

    /// The currency an operator charges postage in, if it has any tariff.
    pub fn currency(&self, operator: CountryCode) -> Option<Currency> {
        self.currencies.get(&operator).copied()
    }

    /// The weight steps of a service to a zone, lightest first.
    pub fn steps(
        &self,
        operator: CountryCode,
        service: &ServiceCode,
        zone: &Zone,
    ) -> &[WeightStep] {
        self.steps
            .get(&(operator, service.clone(), zone.clone()))
            .map_or(&[], Vec::as_slice)
    }

    /// The postage for an item of `weight` sent by `operator`'s `service` to `destination`: the
    /// price of the lightest step whose bound is at or above the weight. A step's bound is
    /// included, so an item of exactly 500 g pays the "up to 500 g" price and 501 g the next.
    ///
    /// A weight of zero falls in the first step: refusing weightless items is acceptance's job.
    pub fn price(
        &self,
        operator: CountryCode,
        service: &ServiceCode,
        destination: CountryCode,
        weight: Grams,
    ) -> Result<Money, TariffError> {
        self.postage(operator, service, destination, weight)
            .map(|postage| postage.price)
    }

    /// Like [`Self::price`], with the zone and the weight step that set the price.
    pub fn postage(
        &self,
        operator: CountryCode,
        service: &ServiceCode,
        destination: CountryCode,
        weight: Grams,
    ) -> Result<Postage, TariffError> {
        let zone = self
            .zone(operator, destination)
            .ok_or(TariffError::NoZone {
                operator,
                destination,
            })?;
        let steps = self.steps(operator, service, zone);
        let Some(heaviest) = steps.last() else {
            return Err(TariffError::NoTariff {
                operator,
                service: service.clone(),
                zone: zone.clone(),
            });
        };
        let index = steps.partition_point(|step| step.up_to < weight);
        steps
            .get(index)
            .map(|step| Postage {
                price: step.price,
                zone: zone.clone(),
                step: step.up_to,
            })
            .ok_or_else(|| TariffError::OverMaximum {
                service: service.clone(),
                destination,
                zone: zone.clone(),
                weight,
                maximum: heaviest.up_to,
            })
    }
}

/// What one SDR is worth in each currency (`sdr_rates.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdrRates {
    rates: BTreeMap<Currency, SdrRate>,
}

#[derive(Deserialize)]
struct SdrRateRow {
    currency: String,
    units_per_sdr: String,
}

impl SdrRates {
    pub(crate) fn parse(text: &str) -> Result<Self, ReferenceDataError> {
        const TABLE: ReferenceTable = ReferenceTable::SdrRates;
        let mut rates = BTreeMap::new();
        for (line, row) in read_rows::<SdrRateRow>(TABLE, text)? {
            let field = |field: &'static str, message: String| ReferenceDataError::Field {
                table: TABLE,
                line,
                field,
                message,
            };
            let currency =
                Currency::parse(&row.currency).map_err(|e| field("currency", e.to_string()))?;
            let rate = SdrRate::parse(&row.units_per_sdr, currency)
                .map_err(|e| field("units_per_sdr", e.to_string()))?;
            if rates.insert(currency, rate).is_some() {
                return Err(ReferenceDataError::Duplicate {
                    table: TABLE,
                    line,
                    code: currency.to_string(),
                });
            }
        }
        Ok(Self { rates })
    }

    /// A table of the given rates, e.g. the rates in force on a date kept elsewhere.
    pub fn from_rates(rates: impl IntoIterator<Item = SdrRate>) -> Self {
        Self {
            rates: rates
                .into_iter()
                .map(|rate| (rate.currency(), rate))
                .collect(),
        }
    }

    /// The rate for a currency, if the table has one.
    pub fn rate(&self, currency: Currency) -> Option<&SdrRate> {
        self.rates.get(&currency)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SdrRate> {
        self.rates.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceData;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    fn country(code: &str) -> CountryCode {
        CountryCode::parse(code).unwrap()
    }

    fn service(code: &str) -> ServiceCode {
        ServiceCode::parse(code).unwrap()
    }

    fn egp(pounds: i64) -> Money {
        Money::new(pounds * 100, Currency::EGP)
    }

    static SHIPPED: LazyLock<ReferenceData> = LazyLock::new(|| ReferenceData::embedded().unwrap());

    fn shipped() -> &'static ReferenceData {
        &SHIPPED
    }

    #[test]
    fn zones_are_normalised_and_checked() {
        assert_eq!(Zone::parse(" arab-1 ").unwrap().as_str(), "ARAB-1");
        for bad in ["", "zone 1", "é", &"1".repeat(17)] {
            assert_eq!(
                Zone::parse(bad).unwrap_err().code(),
                "invalid_zone",
                "{bad}"
            );
        }
    }

    #[test]
    fn ems_prices_at_each_step_boundary() {
        let data = shipped();
        let price = |grams: u32| {
            data.price(
                country("EG"),
                &service("ems"),
                country("JO"),
                Grams::new(grams),
            )
        };
        assert_eq!(
            data.tariffs()
                .zone(country("EG"), country("JO"))
                .unwrap()
                .as_str(),
            "1"
        );
        let steps =
            data.tariffs()
                .steps(country("EG"), &service("ems"), &Zone::parse("1").unwrap());
        assert_eq!(steps.first().unwrap().up_to, Grams::new(500));
        assert_eq!(steps.first().unwrap().price, egp(300));
        // Exactly at a step pays that step; one gram over pays the next.
        let mut previous_bound = 0;
        for step in steps {
            let bound = step.up_to.get();
            assert_eq!(price(bound), Ok(step.price), "at {bound} g");
            assert_eq!(
                price(previous_bound + 1),
                Ok(step.price),
                "just over {previous_bound} g"
            );
            previous_bound = bound;
        }
        assert_eq!(price(1), Ok(egp(300)));
        assert_eq!(price(0), Ok(egp(300)));
        assert_eq!(price(501), Ok(egp(380)));
        assert_eq!(price(1_000), Ok(egp(380)));
        assert_eq!(price(1_001), Ok(egp(520)));
        assert_eq!(price(30_000), Ok(egp(3_600)));
        assert_eq!(
            price(30_001),
            Err(TariffError::OverMaximum {
                service: service("ems"),
                destination: country("JO"),
                zone: Zone::parse("1").unwrap(),
                weight: Grams::new(30_001),
                maximum: Grams::new(30_000),
            })
        );
    }

    #[test]
    fn postage_follows_the_destination_zone_and_operator_currency() {
        let data = shipped();
        let ems_500 = |from: &str, to: &str| {
            data.price(country(from), &service("ems"), country(to), Grams::new(500))
        };
        assert_eq!(ems_500("EG", "PS"), Ok(egp(300)));
        assert_eq!(ems_500("EG", "LY"), Ok(egp(300)));
        assert_eq!(ems_500("EG", "IQ"), Ok(egp(350)));
        assert_eq!(ems_500("EG", "FR"), Ok(egp(450)));
        assert_eq!(ems_500("EG", "US"), Ok(egp(600)));
        assert_eq!(ems_500("JO", "EG").unwrap().currency(), Currency::JOD);
        assert_eq!(ems_500("PS", "EG").unwrap().currency(), Currency::ILS);
        assert_eq!(ems_500("IQ", "EG").unwrap().currency(), Currency::IQD);
        assert_eq!(ems_500("LY", "EG").unwrap().currency(), Currency::LYD);
        assert_eq!(data.tariffs().currency(country("EG")), Some(Currency::EGP));
        assert_eq!(data.tariffs().currency(country("FR")), None);
    }

    #[test]
    fn unknown_zone_missing_tariff_and_tariff_maximum_are_typed() {
        let data = shipped();
        let error = data
            .price(
                country("EG"),
                &service("ems"),
                country("AQ"),
                Grams::new(100),
            )
            .unwrap_err();
        assert_eq!(error.code(), "no_zone");
        assert_eq!(error.to_string(), "operator EG has no tariff zone for AQ");
        let error = data
            .price(
                country("FR"),
                &service("ems"),
                country("EG"),
                Grams::new(100),
            )
            .unwrap_err();
        assert_eq!(error.code(), "no_zone");
        // LY's demo tariff has EMS and registered letters only.
        let error = data
            .price(
                country("LY"),
                &service("parcel"),
                country("EG"),
                Grams::new(100),
            )
            .unwrap_err();
        assert_eq!(error.code(), "no_tariff");
        let error = data
            .price(
                country("EG"),
                &service("unknown"),
                country("JO"),
                Grams::new(100),
            )
            .unwrap_err();
        assert_eq!(error.code(), "no_tariff");
        // Letter post stops at 2 kg; parcels to zone 4 stop at 20 kg, below the 30 kg service
        // maximum, and the error names the tariff's own maximum.
        let error = data
            .price(
                country("EG"),
                &service("registered"),
                country("JO"),
                Grams::new(2_001),
            )
            .unwrap_err();
        assert!(
            matches!(error, TariffError::OverMaximum { maximum, .. } if maximum == Grams::new(2_000))
        );
        assert_eq!(error.code(), "too_heavy");
        let error = data
            .price(
                country("EG"),
                &service("parcel"),
                country("US"),
                Grams::new(20_001),
            )
            .unwrap_err();
        assert!(
            matches!(error, TariffError::OverMaximum { maximum, .. } if maximum == Grams::new(20_000))
        );
        assert!(
            error.to_string().contains("maximum of 20.000 kg"),
            "{error}"
        );
        assert!(
            data.price(
                country("EG"),
                &service("parcel"),
                country("FR"),
                Grams::new(30_000)
            )
            .is_ok()
        );
    }

    const ZONES: &str = "operator,destination,zone\nEG,JO,1\nEG,IQ,2\n";
    const TARIFF_HEADER: &str = "operator,service,zone,up_to_grams,price_minor,currency\n";

    fn load(zones: &str, tariffs: &str) -> Result<ReferenceData, ReferenceDataError> {
        ReferenceData::with_overrides(&[
            (ReferenceTable::Zones, zones),
            (ReferenceTable::Tariffs, tariffs),
        ])
    }

    fn field_error(error: ReferenceDataError) -> (ReferenceTable, u64, &'static str, String) {
        match error {
            ReferenceDataError::Field {
                table,
                line,
                field,
                message,
            } => (table, line, field, message),
            other => panic!("expected a field error, got {other}"),
        }
    }

    #[test]
    fn a_small_override_loads() {
        let tariffs = format!("{TARIFF_HEADER}EG,ems,1,500,30000,EGP\nEG,ems,1,1000,38000,EGP\n");
        let data = load(ZONES, &tariffs).unwrap();
        let price = |grams| {
            data.price(
                country("EG"),
                &service("ems"),
                country("JO"),
                Grams::new(grams),
            )
        };
        assert_eq!(price(999), Ok(egp(380)));
        assert_eq!(
            data.price(
                country("EG"),
                &service("ems"),
                country("IQ"),
                Grams::new(10)
            )
            .unwrap_err()
            .code(),
            "no_tariff"
        );
        assert_eq!(
            data.price(
                country("EG"),
                &service("ems"),
                country("PS"),
                Grams::new(10)
            )
            .unwrap_err()
            .code(),
            "no_zone"
        );
    }

    #[test]
    fn bad_tariff_tables_name_the_file_line_and_field() {
        let first = "EG,ems,1,500,30000,EGP\n";
        let cases: [(&str, &str, &str); 11] = [
            (
                "EG,ems,1,500,31000,EGP\n",
                "up_to_grams",
                "must increase: 500 g follows 500 g",
            ),
            (
                "EG,ems,1,400,31000,EGP\n",
                "up_to_grams",
                "must increase: 400 g follows 500 g",
            ),
            (
                "EG,ems,1,1000,29000,EGP\n",
                "price_minor",
                "costs less up to 1000 g",
            ),
            (
                "EG,ems,1,1000,38000,USD\n",
                "currency",
                "charges in EGP (line 2), found USD",
            ),
            ("EG,ems,1,1000,38000,EUROS\n", "currency", "3 letters"),
            ("EG,ems,1,1000,-5,EGP\n", "price_minor", "zero or more"),
            ("EG,ems,1,1000,380.00,EGP\n", "price_minor", "whole number"),
            ("EG,ems,1,0,38000,EGP\n", "up_to_grams", "above zero"),
            (
                "EG,ems,1,30001,38000,EGP\n",
                "up_to_grams",
                "over the ems maximum of 30000 g",
            ),
            (
                "EG,teleport,1,1000,38000,EGP\n",
                "service",
                "not in services.csv",
            ),
            (
                "EG,ems,9,1000,38000,EGP\n",
                "zone",
                "no destination in zone 9",
            ),
        ];
        for (row, field, message) in cases {
            let error = load(ZONES, &format!("{TARIFF_HEADER}{first}{row}")).unwrap_err();
            let text = error.to_string();
            let (table, line, found_field, found_message) = field_error(error);
            assert_eq!(table, ReferenceTable::Tariffs, "{row}");
            assert_eq!((line, found_field), (3, field), "{row}: {text}");
            assert!(found_message.contains(message), "{row}: {text}");
            assert!(text.starts_with("tariffs.csv, line 3, field "), "{text}");
        }
        // Steps of different zones or services are independent; other operators may use other
        // currencies.
        let fine = format!(
            "{TARIFF_HEADER}{first}EG,ems,2,100,10000,EGP\nEG,registered,1,20,4500,EGP\nJO,ems,1,500,8500,JOD\n"
        );
        let zones = format!("{ZONES}JO,EG,1\n");
        assert!(load(&zones, &fine).is_ok());

        let bad_zones = [
            ("EG,EG,1\n", "destination", "own country"),
            ("EG,XX,1\n", "destination", "not an ISO 3166-1"),
            ("XX,JO,1\n", "operator", "not an ISO 3166-1"),
            ("EG,FR,zone one\n", "zone", "a zone is"),
        ];
        for (row, field, message) in bad_zones {
            let error =
                load(&format!("{ZONES}{row}"), &format!("{TARIFF_HEADER}{first}")).unwrap_err();
            let text = error.to_string();
            let (table, line, found_field, found_message) = field_error(error);
            assert_eq!(
                (table, line, found_field),
                (ReferenceTable::Zones, 4, field),
                "{text}"
            );
            assert!(found_message.contains(message), "{text}");
            assert!(text.starts_with("zones.csv, line 4, field "), "{text}");
        }
        let error = load(
            &format!("{ZONES}EG,JO,2\n"),
            &format!("{TARIFF_HEADER}{first}"),
        )
        .unwrap_err();
        assert_eq!(
            error,
            ReferenceDataError::Duplicate {
                table: ReferenceTable::Zones,
                line: 4,
                code: "EG JO".into()
            }
        );
        assert!(matches!(
            load(ZONES, TARIFF_HEADER),
            Err(ReferenceDataError::Empty {
                table: ReferenceTable::Tariffs
            })
        ));
    }

    #[test]
    fn sdr_rates_load_and_bad_rows_are_refused() {
        let data = shipped();
        for currency in [
            Currency::EGP,
            Currency::JOD,
            Currency::ILS,
            Currency::IQD,
            Currency::LYD,
            Currency::USD,
            Currency::EUR,
        ] {
            let rate = data.sdr_rates().rate(currency).unwrap();
            assert_eq!(rate.currency(), currency);
        }
        assert_eq!(
            data.sdr_rates()
                .rate(Currency::EGP)
                .unwrap()
                .to_decimal_string(),
            "67.250000"
        );
        let load = |text: &str| ReferenceData::with_overrides(&[(ReferenceTable::SdrRates, text)]);
        let header = "currency,units_per_sdr\n";
        let error = load(&format!("{header}EGP,67.25\nUSD,1.3x\n")).unwrap_err();
        assert_eq!(field_error(error).1, 3);
        let error = load(&format!("{header}EGP,0\n")).unwrap_err();
        assert_eq!(field_error(error).2, "units_per_sdr");
        let error = load(&format!("{header}XAU,1\n")).unwrap_err();
        assert_eq!(field_error(error).2, "currency");
        let error = load(&format!("{header}EGP,67.25\negp,67.26\n")).unwrap_err();
        assert!(matches!(
            error,
            ReferenceDataError::Duplicate { line: 3, .. }
        ));
        let custom = SdrRates::from_rates([SdrRate::parse("1.5", Currency::USD).unwrap()]);
        assert!(custom.rate(Currency::USD).is_some());
        assert!(custom.rate(Currency::EGP).is_none());
    }

    proptest! {
        #[test]
        fn price_never_panics_and_is_monotonic_in_weight(
            operator in prop::sample::select(vec!["EG", "JO", "PS", "IQ", "LY", "FR"]),
            destination in prop::sample::select(vec!["EG", "JO", "PS", "IQ", "LY", "FR", "US", "AQ"]),
            service_code in prop::sample::select(vec!["ems", "registered", "tracked", "small_packet", "parcel", "ecommerce", "insured", "none"]),
            a in 0u32..=40_000,
            b in 0u32..=40_000,
        ) {
            let data = shipped();
            let (light, heavy) = if a <= b { (a, b) } else { (b, a) };
            let price = |grams| data.price(country(operator), &service(service_code), country(destination), Grams::new(grams));
            match (price(light), price(heavy)) {
                (Ok(cheap), Ok(dear)) => {
                    prop_assert_eq!(cheap.currency(), dear.currency());
                    prop_assert!(cheap.amount_minor() <= dear.amount_minor());
                }
                // Once too heavy, every heavier weight is too heavy too.
                (Err(TariffError::OverMaximum { .. }), other) => {
                    prop_assert!(matches!(other, Err(TariffError::OverMaximum { .. })), "{other:?}");
                }
                (Ok(_), Err(TariffError::OverMaximum { maximum, .. })) => {
                    prop_assert!(maximum.get() >= light && maximum.get() < heavy);
                }
                (Err(first), Err(second)) => prop_assert_eq!(first, second),
                (first, second) => prop_assert!(false, "{first:?} then {second:?}"),
            }
        }

        #[test]
        fn price_of_any_weight_never_panics(grams in any::<u32>()) {
            let data = shipped();
            let result = data.price(country("EG"), &service("ems"), country("JO"), Grams::new(grams));
            prop_assert_eq!(result.is_ok(), grams <= 30_000);
        }
    }
}
