//! ISO 3166-1 alpha-2 country codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country_table::COUNTRIES;

/// A country known to ISO 3166-1 alpha-2, e.g. `EG`, `PS`, `JO`.
///
/// In an S10 ID the same two letters are the issuer code of the country's designated operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 2]);

/// Why a text is not a country code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CountryCodeError {
    #[error("a country code has 2 letters, found {found:?}")]
    Format { found: String },
    #[error("{code} is not an ISO 3166-1 alpha-2 country code")]
    Unknown { code: String },
}

impl CountryCode {
    /// Parses two letters (any case, surrounding spaces ignored) and checks them against ISO 3166-1.
    pub fn parse(text: &str) -> Result<Self, CountryCodeError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        match bytes {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
                Self::from_letters([*a, *b]).ok_or(CountryCodeError::Unknown { code: upper })
            }
            _ => Err(CountryCodeError::Format {
                found: text.to_owned(),
            }),
        }
    }

    /// Builds from two upper-case ASCII letters if ISO lists them.
    pub(crate) fn from_letters(letters: [u8; 2]) -> Option<Self> {
        let code = std::str::from_utf8(&letters).ok()?;
        COUNTRIES
            .binary_search_by(|(known, _, _)| (*known).cmp(code))
            .ok()
            .map(|_| Self(letters))
    }

    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII upper-case letters, checked in `from_letters`.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    fn entry(&self) -> Option<&'static (&'static str, &'static str, &'static str)> {
        let code = self.as_str();
        COUNTRIES
            .binary_search_by(|(known, _, _)| (*known).cmp(code))
            .ok()
            .and_then(|index| COUNTRIES.get(index))
    }

    /// The English short name, e.g. "Egypt".
    pub fn name_en(&self) -> &'static str {
        self.entry().map_or("", |(_, en, _)| en)
    }

    /// The Arabic short name, e.g. "مصر".
    pub fn name_ar(&self) -> &'static str {
        self.entry().map_or("", |(_, _, ar)| ar)
    }

    /// Every ISO 3166-1 alpha-2 code, in alphabetical order.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        COUNTRIES.iter().filter_map(|(code, _, _)| {
            let bytes = code.as_bytes();
            match bytes {
                [a, b] => Some(CountryCode([*a, *b])),
                _ => None,
            }
        })
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CountryCode {
    type Err = CountryCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_partner_countries_parse_with_names() {
        for (code, en, ar) in [
            ("EG", "Egypt", "مصر"),
            ("PS", "Palestine", "فلسطين"),
            ("JO", "Jordan", "الأردن"),
            ("IQ", "Iraq", "العراق"),
            ("LY", "Libya", "ليبيا"),
        ] {
            let country = CountryCode::parse(code).unwrap();
            assert_eq!(country.as_str(), code);
            assert_eq!(country.name_en(), en);
            assert_eq!(country.name_ar(), ar);
        }
    }

    #[test]
    fn input_is_normalised() {
        assert_eq!(CountryCode::parse(" eg ").unwrap().as_str(), "EG");
    }

    #[test]
    fn unknown_and_malformed_codes_are_told_apart() {
        assert_eq!(
            CountryCode::parse("XX"),
            Err(CountryCodeError::Unknown { code: "XX".into() })
        );
        assert!(matches!(
            CountryCode::parse("E"),
            Err(CountryCodeError::Format { .. })
        ));
        assert!(matches!(
            CountryCode::parse("E1"),
            Err(CountryCodeError::Format { .. })
        ));
        assert!(matches!(
            CountryCode::parse("مص"),
            Err(CountryCodeError::Format { .. })
        ));
    }

    #[test]
    fn the_table_is_sorted_and_complete() {
        let codes: Vec<_> = CountryCode::all().map(|c| c.to_string()).collect();
        assert_eq!(codes.len(), 249);
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let parsed: CountryCode = serde_json::from_str("\"jo\"").unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"JO\"");
        assert!(serde_json::from_str::<CountryCode>("\"QQ\"").is_err());
    }
}
