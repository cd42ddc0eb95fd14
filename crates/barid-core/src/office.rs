//! IMPC office-of-exchange codes (UPU standard S34, code list 108): `EGCAIA`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::CountryCode;

/// Why a text is not an IMPC code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficeCodeError {
    #[error("an IMPC office code has 6 characters, this has {found}")]
    Length { found: usize },
    #[error("character {position} should be {expected}, found {found:?}")]
    Format {
        position: usize,
        expected: &'static str,
        found: char,
    },
    #[error("office code starts with {code}, which is not an ISO 3166-1 country code")]
    UnknownCountry { code: String },
}

/// A 6-character IMPC code: ISO country (2 letters) + location (3) + office at that location (1).
///
/// The location is normally an IATA code and the last character a letter, but UN/LOCODE
/// locations may hold digits, so positions 3 to 6 accept A-Z and 0-9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeCode {
    bytes: [u8; 6],
    country: CountryCode,
}

impl OfficeCode {
    /// Parses an IMPC code (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<Self, OfficeCodeError> {
        let chars: Vec<char> = text
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let [c1, c2, l1, l2, l3, o] = chars[..] else {
            return Err(OfficeCodeError::Length { found: chars.len() });
        };
        Self::from_chars([c1, c2, l1, l2, l3, o], 0)
    }

    /// Checks six upper-cased characters; `offset` shifts the reported positions when the code
    /// sits inside a longer ID.
    pub(crate) fn from_chars(chars: [char; 6], offset: usize) -> Result<Self, OfficeCodeError> {
        let mut bytes = [0u8; 6];
        for (index, (c, slot)) in chars.iter().zip(bytes.iter_mut()).enumerate() {
            let ok = if index < 2 {
                c.is_ascii_uppercase()
            } else {
                c.is_ascii_uppercase() || c.is_ascii_digit()
            };
            if !ok {
                return Err(OfficeCodeError::Format {
                    position: offset + index + 1,
                    expected: if index < 2 {
                        "a letter A-Z"
                    } else {
                        "a letter A-Z or a digit"
                    },
                    found: *c,
                });
            }
            *slot = *c as u8;
        }
        let [a, b, ..] = bytes;
        let country =
            CountryCode::from_letters([a, b]).ok_or_else(|| OfficeCodeError::UnknownCountry {
                code: String::from_utf8_lossy(&[a, b]).into_owned(),
            })?;
        Ok(Self { bytes, country })
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or("??????")
    }

    /// The country the office is in.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The location part, e.g. `CAI`.
    pub fn location(&self) -> &str {
        self.as_str().get(2..5).unwrap_or("")
    }

    /// The office letter at that location, e.g. `A`.
    pub fn office_letter(&self) -> char {
        let [.., letter] = self.bytes;
        char::from(letter)
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OfficeCode {
    type Err = OfficeCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for OfficeCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OfficeCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_offices_parse_into_their_parts() {
        let cairo = OfficeCode::parse("egcaia").unwrap();
        assert_eq!(cairo.as_str(), "EGCAIA");
        assert_eq!(cairo.country().as_str(), "EG");
        assert_eq!(cairo.location(), "CAI");
        assert_eq!(cairo.office_letter(), 'A');
        for code in ["EGCAIF", "JOAMMA", "PSRMHA", "IQBGWA", "LYTIPA", "LYBENA"] {
            assert_eq!(OfficeCode::parse(code).unwrap().to_string(), code);
        }
    }

    #[test]
    fn bad_codes_say_what_is_wrong() {
        assert_eq!(
            OfficeCode::parse("EGCAI"),
            Err(OfficeCodeError::Length { found: 5 })
        );
        assert!(matches!(
            OfficeCode::parse("E1CAIA"),
            Err(OfficeCodeError::Format { position: 2, .. })
        ));
        assert!(matches!(
            OfficeCode::parse("EGCA-A"),
            Err(OfficeCodeError::Format {
                position: 5,
                found: '-',
                ..
            })
        ));
        assert_eq!(
            OfficeCode::parse("XXCAIA"),
            Err(OfficeCodeError::UnknownCountry { code: "XX".into() })
        );
    }

    proptest! {
        #[test]
        fn parse_display_parse_is_exact(
            country in proptest::sample::select(CountryCode::all().collect::<Vec<_>>()),
            rest in "[A-Z0-9]{4}",
        ) {
            let text = format!("{country}{rest}");
            let office = OfficeCode::parse(&text).unwrap();
            prop_assert_eq!(office.to_string(), text.clone());
            prop_assert_eq!(OfficeCode::parse(&office.to_string()), Ok(office));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,12}") {
            let _ = OfficeCode::parse(&text);
        }
    }
}
