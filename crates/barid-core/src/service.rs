//! Postal services (products) an operator sells at the counter: EMS, registered letter, tracked
//! packet, parcel, e-commerce parcel, insured letter.
//!
//! A service is reference data (`services.csv`), not an enum: a post adds or retires a product
//! without a rebuild. Each row says which S10 service indicators items of the service are
//! numbered from, which mail class, category and subclass they are dispatched in, the heaviest
//! item accepted, and which customs stream (and so which declaration rules) applies.
//!
//! What does not belong here: prices (see [`crate::tariff`]) and whether a partner post takes
//! the service (see [`crate::agreement`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::customs::MailStream;
use crate::dispatch::{MailCategory, MailClass, MailSubclass};
use crate::money::Grams;
use crate::reference::{Names, ReferenceDataError, ReferenceTable, names, read_rows};
use crate::s10::ServiceIndicator;

/// The longest service code, in characters.
pub const SERVICE_CODE_MAX_CHARS: usize = 32;

/// Why a text is not a service code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a service code is 1 to {SERVICE_CODE_MAX_CHARS} characters a-z, 0-9 and _, starting with a \
     letter, found {found:?}"
)]
pub struct ServiceCodeError {
    found: String,
}

impl ServiceCodeError {
    /// The stable machine-readable name of the problem.
    pub fn code(&self) -> &'static str {
        "invalid_service_code"
    }
}

/// The code of a postal service, e.g. `ems`, `registered`, `parcel`: lower-case ASCII letters,
/// digits and `_`, starting with a letter. Whether the code is in `services.csv` is checked
/// where the catalogue is at hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceCode(String);

impl ServiceCode {
    /// Parses a code, ignoring case and surrounding spaces: `" EMS "` gives `ems`.
    pub fn parse(text: &str) -> Result<Self, ServiceCodeError> {
        let code = text.trim().to_ascii_lowercase();
        let mut bytes = code.bytes();
        let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
        let rest_ok = bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !starts_with_letter || !rest_ok || code.len() > SERVICE_CODE_MAX_CHARS {
            return Err(ServiceCodeError {
                found: text.to_owned(),
            });
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ServiceCode {
    type Err = ServiceCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for ServiceCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ServiceCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// When an item of a service needs a customs declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomsRule {
    /// Always: the service exists to carry goods (parcels, e-commerce parcels, small packets).
    Always,
    /// Only when the item holds goods. An item accepted without a declaration is taken as
    /// correspondence or documents only, on the sender's word, and carries no customs form.
    IfGoods,
}

impl CustomsRule {
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomsRule::Always => "always",
            CustomsRule::IfGoods => "if_goods",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "always" => Ok(CustomsRule::Always),
            "if_goods" => Ok(CustomsRule::IfGoods),
            other => Err(format!("must be always or if_goods, found {other:?}")),
        }
    }
}

/// One postal service, as `services.csv` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    pub code: ServiceCode,
    /// The S10 service indicators items of this service are numbered from, the usual one first.
    #[serde(serialize_with = "indicators_as_text")]
    pub indicators: Vec<ServiceIndicator>,
    /// The mail class it is dispatched in (`U` letter post, `C` parcels, `E` EMS).
    pub mail_class: MailClass,
    /// The mail category used when the agreement with the destination does not set one.
    pub category: MailCategory,
    /// The mail subclass its dispatches carry; its first letter is `mail_class`.
    pub subclass: MailSubclass,
    /// The heaviest item accepted, whatever the destination.
    pub max_weight: Grams,
    /// Letter post, EMS or parcel: decides the customs form (CN 22 or CN 23).
    pub stream: MailStream,
    pub customs: CustomsRule,
    pub names: Names,
}

fn indicators_as_text<S: Serializer>(
    indicators: &[ServiceIndicator],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(indicators.iter().map(ServiceIndicator::as_str))
}

impl ServiceInfo {
    /// The indicator new S10 IDs are issued from unless the clerk picks another of the list.
    pub fn default_indicator(&self) -> Option<ServiceIndicator> {
        self.indicators.first().copied()
    }
}

/// Every service of `services.csv`, by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCatalogue {
    services: BTreeMap<ServiceCode, ServiceInfo>,
}

#[derive(Deserialize)]
struct ServiceRow {
    code: String,
    indicators: String,
    mail_class: String,
    category: String,
    subclass: String,
    max_weight_grams: String,
    stream: String,
    customs: String,
    name_en: String,
    name_ar: String,
}

fn parse_stream(text: &str) -> Result<MailStream, String> {
    match text.trim() {
        "letter_post" => Ok(MailStream::LetterPost),
        "ems" => Ok(MailStream::Ems),
        "parcel" => Ok(MailStream::Parcel),
        other => Err(format!(
            "must be letter_post, ems or parcel, found {other:?}"
        )),
    }
}

impl ServiceCatalogue {
    /// Reads `services.csv`, checking each value and that the subclass is of the service's class.
    ///
    /// The category and subclass are not looked up in the other code lists here, so that a post
    /// replacing `mail_categories.csv` or `mail_subclasses.csv` is not forced to edit this table
    /// in the same step; a dispatch using an unlisted code is refused when it is built
    /// ([`crate::reference::ReferenceData::check_dispatch`]).
    pub(crate) fn parse(text: &str) -> Result<Self, ReferenceDataError> {
        const TABLE: ReferenceTable = ReferenceTable::Services;
        let rows: Vec<(u64, ServiceRow)> = read_rows(TABLE, text)?;
        let mut services = BTreeMap::new();
        let mut indicator_owner: BTreeMap<ServiceIndicator, ServiceCode> = BTreeMap::new();
        for (line, row) in rows {
            let field = |field: &'static str, message: String| ReferenceDataError::Field {
                table: TABLE,
                line,
                field,
                message,
            };
            let code = ServiceCode::parse(&row.code).map_err(|e| field("code", e.to_string()))?;
            let stream = parse_stream(&row.stream).map_err(|e| field("stream", e))?;
            let mut indicators = Vec::new();
            for text in row.indicators.split_whitespace() {
                let indicator = ServiceIndicator::parse(text)
                    .map_err(|e| field("indicators", e.to_string()))?;
                if MailStream::from(indicator.service()) != stream {
                    return Err(field(
                        "indicators",
                        format!(
                            "{indicator} numbers {} items, not {} items",
                            MailStream::from(indicator.service()).as_str(),
                            stream.as_str()
                        ),
                    ));
                }
                if let Some(owner) = indicator_owner.get(&indicator) {
                    return Err(field(
                        "indicators",
                        format!("{indicator} already belongs to service {owner}"),
                    ));
                }
                indicator_owner.insert(indicator, code.clone());
                if !indicators.contains(&indicator) {
                    indicators.push(indicator);
                }
            }
            if indicators.is_empty() {
                return Err(field(
                    "indicators",
                    "at least one S10 service indicator is needed".into(),
                ));
            }
            let mail_class = MailClass::parse(&row.mail_class)
                .map_err(|e| field("mail_class", e.to_string()))?;
            let category =
                MailCategory::parse(&row.category).map_err(|e| field("category", e.to_string()))?;
            let subclass =
                MailSubclass::parse(&row.subclass).map_err(|e| field("subclass", e.to_string()))?;
            if subclass.class() != mail_class {
                return Err(field(
                    "subclass",
                    format!(
                        "{subclass} belongs to mail class {}, not {mail_class}",
                        subclass.class()
                    ),
                ));
            }
            let max_weight = match row.max_weight_grams.parse::<u32>() {
                Ok(grams) if grams > 0 => Grams::new(grams),
                _ => {
                    return Err(field(
                        "max_weight_grams",
                        format!(
                            "must be a whole number of grams above zero, found {:?}",
                            row.max_weight_grams
                        ),
                    ));
                }
            };
            let customs = CustomsRule::parse(&row.customs).map_err(|e| field("customs", e))?;
            let blank = if row.name_en.is_empty() {
                "name_en"
            } else {
                "name_ar"
            };
            let names = names(row.name_en, row.name_ar).map_err(|e| field(blank, e))?;
            let info = ServiceInfo {
                code: code.clone(),
                indicators,
                mail_class,
                category,
                subclass,
                max_weight,
                stream,
                customs,
                names,
            };
            if services.insert(code.clone(), info).is_some() {
                return Err(ReferenceDataError::Duplicate {
                    table: TABLE,
                    line,
                    code: code.to_string(),
                });
            }
        }
        Ok(Self { services })
    }

    pub fn get(&self, code: &ServiceCode) -> Option<&ServiceInfo> {
        self.services.get(code)
    }

    /// Every service, by code.
    pub fn iter(&self) -> impl Iterator<Item = &ServiceInfo> {
        self.services.values()
    }

    /// The service whose items are numbered from this indicator.
    pub fn by_indicator(&self, indicator: ServiceIndicator) -> Option<&ServiceInfo> {
        self.services
            .values()
            .find(|info| info.indicators.contains(&indicator))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::{ReferenceData, ReferenceTable};
    use proptest::prelude::*;

    fn code(text: &str) -> ServiceCode {
        ServiceCode::parse(text).unwrap()
    }

    #[test]
    fn service_codes_are_normalised_and_checked() {
        assert_eq!(code(" EMS ").as_str(), "ems");
        assert_eq!(code("small_packet2").as_str(), "small_packet2");
        for bad in ["", "2ems", "e-ms", "éms", "_x", &"a".repeat(33)] {
            let error = ServiceCode::parse(bad).unwrap_err();
            assert_eq!(error.code(), "invalid_service_code", "{bad}");
        }
        let json = serde_json::to_string(&code("parcel")).unwrap();
        assert_eq!(json, "\"parcel\"");
        assert_eq!(
            serde_json::from_str::<ServiceCode>("\"Parcel\"").unwrap(),
            code("parcel")
        );
        assert!(serde_json::from_str::<ServiceCode>("\"par cel\"").is_err());
    }

    #[test]
    fn the_shipped_services_load() {
        let data = ReferenceData::embedded().unwrap();
        let services = data.services();
        let ems = services.get(&code("ems")).unwrap();
        assert_eq!(ems.default_indicator().unwrap().as_str(), "EE");
        assert_eq!(ems.mail_class.letter(), 'E');
        assert_eq!(ems.stream, MailStream::Ems);
        assert_eq!(ems.max_weight, Grams::new(30_000));
        assert_eq!(ems.customs, CustomsRule::IfGoods);
        let registered = services.get(&code("registered")).unwrap();
        assert_eq!(registered.max_weight, Grams::new(2_000));
        assert_eq!(registered.subclass.as_str(), "UR");
        let parcel = services.get(&code("parcel")).unwrap();
        assert_eq!(parcel.stream, MailStream::Parcel);
        assert_eq!(parcel.customs, CustomsRule::Always);
        for (indicator, service) in [
            ("EE", "ems"),
            ("RR", "registered"),
            ("LX", "tracked"),
            ("CP", "parcel"),
            ("HA", "ecommerce"),
            ("VV", "insured"),
        ] {
            let indicator = ServiceIndicator::parse(indicator).unwrap();
            assert_eq!(
                services.by_indicator(indicator).unwrap().code.as_str(),
                service
            );
        }
        assert!(services.iter().all(|s| !s.names.ar.is_empty()));
    }

    fn load(services: &str) -> Result<ReferenceData, ReferenceDataError> {
        ReferenceData::with_overrides(&[(ReferenceTable::Services, services)])
    }

    const HEADER: &str = "code,indicators,mail_class,category,subclass,max_weight_grams,stream,customs,name_en,name_ar\n";

    fn field_of(error: &ReferenceDataError) -> (u64, &'static str) {
        match error {
            ReferenceDataError::Field { line, field, .. } => (*line, field),
            other => panic!("expected a field error, got {other}"),
        }
    }

    #[test]
    fn bad_service_rows_name_the_line_and_field() {
        let good = "ems,EE,E,A,EM,30000,ems,if_goods,EMS,البريد السريع\n";
        let cases = [
            (
                "ems,RR,E,A,EM,30000,ems,if_goods,EMS,البريد السريع\n",
                "indicators",
            ),
            (
                "ems,,E,A,EM,30000,ems,if_goods,EMS,البريد السريع\n",
                "indicators",
            ),
            (
                "ems,EA,E,A,UR,30000,ems,if_goods,EMS,البريد السريع\n",
                "subclass",
            ),
            (
                "ems,EA,E,A,E,30000,ems,if_goods,EMS,البريد السريع\n",
                "subclass",
            ),
            (
                "ems,EA,E,AB,EM,30000,ems,if_goods,EMS,البريد السريع\n",
                "category",
            ),
            (
                "ems,EA,E,A,EM,0,ems,if_goods,EMS,البريد السريع\n",
                "max_weight_grams",
            ),
            (
                "ems,EA,E,A,EM,1.5,ems,if_goods,EMS,البريد السريع\n",
                "max_weight_grams",
            ),
            (
                "ems,EA,E,A,EM,30000,express,if_goods,EMS,البريد السريع\n",
                "stream",
            ),
            (
                "ems,EA,E,A,EM,30000,ems,sometimes,EMS,البريد السريع\n",
                "customs",
            ),
            ("ems,EA,E,A,EM,30000,ems,if_goods,EMS,\n", "name_ar"),
            (
                "e-ms,EE,E,A,EM,30000,ems,if_goods,EMS,البريد السريع\n",
                "code",
            ),
        ];
        for (row, expected) in cases {
            let error = load(&format!("{HEADER}{good}{row}")).unwrap_err();
            assert_eq!(field_of(&error), (3, expected), "{row}: {error}");
            assert!(error.to_string().starts_with("services.csv, line 3, field"));
        }
        let again = "ems,EA,E,A,EM,30000,ems,if_goods,EMS,البريد السريع\n";
        let error = load(&format!("{HEADER}{good}{again}")).unwrap_err();
        assert!(
            matches!(error, ReferenceDataError::Duplicate { line: 3, .. }),
            "{error}"
        );
        let shared =
            format!("{HEADER}{good}ems2,EA EE,E,A,EM,30000,ems,if_goods,EMS 2,البريد السريع ٢\n");
        let error = load(&shared).unwrap_err();
        assert_eq!(field_of(&error), (3, "indicators"));
        assert!(error.to_string().contains("already belongs to service ems"));
    }

    proptest! {
        #[test]
        fn service_codes_round_trip(text in "[a-zA-Z][a-zA-Z0-9_]{0,31}") {
            let code = ServiceCode::parse(&text).unwrap();
            prop_assert_eq!(code.as_str(), text.to_ascii_lowercase());
            prop_assert_eq!(ServiceCode::parse(code.as_str()), Ok(code.clone()));
            let json = serde_json::to_string(&code).unwrap();
            prop_assert_eq!(serde_json::from_str::<ServiceCode>(&json).unwrap(), code);
        }

        #[test]
        fn service_code_parsing_never_panics(text in "\\PC{0,40}") {
            if let Ok(code) = ServiceCode::parse(&text) {
                prop_assert!(code.as_str().len() <= SERVICE_CODE_MAX_CHARS);
            }
        }
    }
}
