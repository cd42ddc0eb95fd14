//! S8 dispatch identifiers (20 characters) and S9 receptacle identifiers (29 characters).
//!
//! ```text
//! EGCAIA JOAMMA A UN 5 0001 | 001 0 1 0123
//! origin dest   cat sub yr number | receptacle last registered weight(0.1 kg)
//! \________________ S8 ________________/
//! \___________________________ S9 ___________________________/
//! ```
//!
//! Category and subclass are checked for shape here; whether a post knows them is a question
//! for the reference data ([`crate::reference::ReferenceData`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::office::{OfficeCode, OfficeCodeError};

/// The part of an S8 or S9 ID a parse error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdField {
    OriginOffice,
    DestinationOffice,
    MailCategory,
    MailSubclass,
    /// Only when a mail class is parsed on its own (it is not a field of the IDs).
    MailClass,
    Year,
    DispatchNumber,
    ReceptacleSerial,
    HighestReceptacle,
    Registered,
    Weight,
}

impl IdField {
    pub fn name(&self) -> &'static str {
        match self {
            IdField::OriginOffice => "origin office",
            IdField::DestinationOffice => "destination office",
            IdField::MailCategory => "mail category",
            IdField::MailSubclass => "mail subclass",
            IdField::MailClass => "mail class",
            IdField::Year => "year",
            IdField::DispatchNumber => "dispatch number",
            IdField::ReceptacleSerial => "receptacle serial",
            IdField::HighestReceptacle => "highest-receptacle flag",
            IdField::Registered => "registered flag",
            IdField::Weight => "weight",
        }
    }

    /// First position (1-based) and length of the field in an S9 ID (and in an S8 ID for the
    /// first six fields).
    pub fn span(&self) -> (usize, usize) {
        match self {
            IdField::OriginOffice => (1, 6),
            IdField::DestinationOffice => (7, 6),
            IdField::MailCategory => (13, 1),
            IdField::MailSubclass => (14, 2),
            // The class is the subclass's first letter.
            IdField::MailClass => (14, 1),
            IdField::Year => (16, 1),
            IdField::DispatchNumber => (17, 4),
            IdField::ReceptacleSerial => (21, 3),
            IdField::HighestReceptacle => (24, 1),
            IdField::Registered => (25, 1),
            IdField::Weight => (26, 4),
        }
    }
}

/// Why a text is not an S8 or S9 ID, with the field, its position and the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostalIdError {
    #[error("{kind} has {expected} characters, this has {found}")]
    Length {
        kind: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("{} at position {}: {expected}, found {found:?}", field.name(), field.span().0)]
    Field {
        field: IdField,
        expected: &'static str,
        found: String,
    },
    #[error("{} at position {}: {source}", field.name(), field.span().0)]
    Office {
        field: IdField,
        #[source]
        source: OfficeCodeError,
    },
}

impl PostalIdError {
    /// A stable machine-readable name: `length`, or the snake_case field name.
    pub fn code(&self) -> &'static str {
        match self {
            PostalIdError::Length { .. } => "length",
            PostalIdError::Field { field, .. } | PostalIdError::Office { field, .. } => match field
            {
                IdField::OriginOffice => "origin_office",
                IdField::DestinationOffice => "destination_office",
                IdField::MailCategory => "mail_category",
                IdField::MailSubclass => "mail_subclass",
                IdField::MailClass => "mail_class",
                IdField::Year => "year",
                IdField::DispatchNumber => "dispatch_number",
                IdField::ReceptacleSerial => "receptacle_serial",
                IdField::HighestReceptacle => "highest_receptacle",
                IdField::Registered => "registered",
                IdField::Weight => "weight",
            },
        }
    }
}

fn field_error(field: IdField, expected: &'static str, found: &[char]) -> PostalIdError {
    PostalIdError::Field {
        field,
        expected,
        found: found.iter().collect(),
    }
}

fn letters<const N: usize>(field: IdField, chars: &[char]) -> Result<[u8; N], PostalIdError> {
    let mut out = [0u8; N];
    if chars.len() != N || !chars.iter().all(|c| c.is_ascii_uppercase()) {
        return Err(field_error(field, "letters A-Z", chars));
    }
    for (slot, c) in out.iter_mut().zip(chars) {
        *slot = *c as u8;
    }
    Ok(out)
}

fn number(field: IdField, chars: &[char]) -> Result<u16, PostalIdError> {
    if chars.is_empty() || !chars.iter().all(|c| c.is_ascii_digit()) {
        return Err(field_error(field, "digits 0-9", chars));
    }
    let text: String = chars.iter().collect();
    text.parse()
        .map_err(|_| field_error(field, "digits 0-9", chars))
}

fn flag(field: IdField, chars: &[char]) -> Result<bool, PostalIdError> {
    match chars {
        ['0'] => Ok(false),
        ['1'] => Ok(true),
        _ => Err(field_error(field, "0 or 1", chars)),
    }
}

/// Scanned IDs carry no spaces, but people type the spaced form printed on labels.
fn without_spaces(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn slice(chars: &[char], field: IdField) -> &[char] {
    let (start, len) = field.span();
    chars.get(start - 1..start - 1 + len).unwrap_or(&[])
}

fn office(chars: &[char], field: IdField) -> Result<OfficeCode, PostalIdError> {
    let part = slice(chars, field);
    let six: [char; 6] = part
        .try_into()
        .map_err(|_| field_error(field, "6 characters", part))?;
    OfficeCode::from_chars(six, field.span().0 - 1)
        .map_err(|source| PostalIdError::Office { field, source })
}

/// Mail category (UPU code list 115): one letter, e.g. `A` airmail/priority, `C` surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailCategory(u8);

impl MailCategory {
    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars: Vec<char> = text
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let [letter] = letters::<1>(IdField::MailCategory, &chars)?;
        Ok(Self(letter))
    }

    pub fn letter(&self) -> char {
        char::from(self.0)
    }
}

/// Mail subclass (UPU code list 117): two letters, the first being the mail class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailSubclass([u8; 2]);

impl MailSubclass {
    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars: Vec<char> = text
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        Ok(Self(letters::<2>(IdField::MailSubclass, &chars)?))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// The mail class: `U` letter post, `C` parcels, `E` EMS, `T` empty receptacles.
    pub fn class(&self) -> MailClass {
        MailClass(self.0[0])
    }
}

/// Mail class: the first letter of a subclass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailClass(u8);

impl MailClass {
    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars: Vec<char> = text
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let [letter] = letters::<1>(IdField::MailClass, &chars)?;
        Ok(Self(letter))
    }

    pub fn letter(&self) -> char {
        char::from(self.0)
    }
}

/// The last digit of the dispatch year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DispatchYear(u8);

impl DispatchYear {
    /// The digit for a calendar year (2026 gives 6).
    pub fn from_year(year: i32) -> Self {
        Self(u8::try_from(year.rem_euclid(10)).unwrap_or(0))
    }

    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars: Vec<char> = text.trim().chars().collect();
        match chars[..] {
            [c] if c.is_ascii_digit() => Ok(Self(c as u8 - b'0')),
            _ => Err(field_error(IdField::Year, "one digit 0-9", &chars)),
        }
    }

    pub fn digit(&self) -> u8 {
        self.0
    }
}

/// Dispatch number within a dispatch series and year: 0001 to 9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DispatchNumber(u16);

impl DispatchNumber {
    pub const FIRST: DispatchNumber = DispatchNumber(1);
    pub const LAST: DispatchNumber = DispatchNumber(9999);

    pub fn new(number: u16) -> Result<Self, PostalIdError> {
        if (1..=9999).contains(&number) {
            Ok(Self(number))
        } else {
            Err(PostalIdError::Field {
                field: IdField::DispatchNumber,
                expected: "0001 to 9999",
                found: number.to_string(),
            })
        }
    }

    pub fn get(&self) -> u16 {
        self.0
    }

    /// The number after this one, or `None` after 9999.
    pub fn next(&self) -> Option<Self> {
        Self::new(self.0 + 1).ok()
    }
}

/// Receptacle serial number within its dispatch: 001 to 999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceptacleSerial(u16);

impl ReceptacleSerial {
    pub fn new(serial: u16) -> Result<Self, PostalIdError> {
        if (1..=999).contains(&serial) {
            Ok(Self(serial))
        } else {
            Err(PostalIdError::Field {
                field: IdField::ReceptacleSerial,
                expected: "001 to 999",
                found: serial.to_string(),
            })
        }
    }

    pub fn get(&self) -> u16 {
        self.0
    }
}

/// Gross receptacle weight as the S9 ID carries it: units of 0.1 kg, 0 to 9999 (999.9 kg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceptacleWeight(u16);

impl ReceptacleWeight {
    pub fn from_tenths_of_kg(tenths: u16) -> Result<Self, PostalIdError> {
        if tenths <= 9999 {
            Ok(Self(tenths))
        } else {
            Err(Self::too_heavy(u32::from(tenths)))
        }
    }

    /// Rounds grams to the nearest 0.1 kg (half up), as weighed at closing.
    pub fn from_grams(grams: u32) -> Result<Self, PostalIdError> {
        let tenths = grams.saturating_add(50) / 100;
        match u16::try_from(tenths) {
            Ok(tenths) => Self::from_tenths_of_kg(tenths),
            Err(_) => Err(Self::too_heavy(tenths)),
        }
    }

    fn too_heavy(tenths: u32) -> PostalIdError {
        PostalIdError::Field {
            field: IdField::Weight,
            expected: "at most 999.9 kg",
            found: format!("{}.{} kg", tenths / 10, tenths % 10),
        }
    }

    pub fn tenths_of_kg(&self) -> u16 {
        self.0
    }

    pub fn grams(&self) -> u32 {
        u32::from(self.0) * 100
    }
}

impl fmt::Display for ReceptacleWeight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} kg", self.0 / 10, self.0 % 10)
    }
}

/// An S8 dispatch identifier: origin OE, destination OE, category, subclass, year digit and
/// dispatch number. Every receptacle of the dispatch starts with these 20 characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DispatchId {
    pub origin: OfficeCode,
    pub destination: OfficeCode,
    pub category: MailCategory,
    pub subclass: MailSubclass,
    pub year: DispatchYear,
    pub number: DispatchNumber,
}

/// The dispatch series a number belongs to: everything in an S8 ID but the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DispatchSeries {
    pub origin: OfficeCode,
    pub destination: OfficeCode,
    pub category: MailCategory,
    pub subclass: MailSubclass,
}

impl DispatchId {
    pub const LENGTH: usize = 20;

    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars = without_spaces(text);
        if chars.len() != Self::LENGTH {
            return Err(PostalIdError::Length {
                kind: "an S8 dispatch ID",
                expected: Self::LENGTH,
                found: chars.len(),
            });
        }
        Self::from_chars(&chars)
    }

    fn from_chars(chars: &[char]) -> Result<Self, PostalIdError> {
        let origin = office(chars, IdField::OriginOffice)?;
        let destination = office(chars, IdField::DestinationOffice)?;
        let [category] = letters::<1>(IdField::MailCategory, slice(chars, IdField::MailCategory))?;
        let subclass = letters::<2>(IdField::MailSubclass, slice(chars, IdField::MailSubclass))?;
        let year_chars = slice(chars, IdField::Year);
        let year = match year_chars {
            [c] if c.is_ascii_digit() => DispatchYear(*c as u8 - b'0'),
            _ => return Err(field_error(IdField::Year, "one digit 0-9", year_chars)),
        };
        let number_chars = slice(chars, IdField::DispatchNumber);
        let number = DispatchNumber::new(number(IdField::DispatchNumber, number_chars)?)
            .map_err(|_| field_error(IdField::DispatchNumber, "0001 to 9999", number_chars))?;
        Ok(Self {
            origin,
            destination,
            category: MailCategory(category),
            subclass: MailSubclass(subclass),
            year,
            number,
        })
    }

    pub fn series(&self) -> DispatchSeries {
        DispatchSeries {
            origin: self.origin,
            destination: self.destination,
            category: self.category,
            subclass: self.subclass,
        }
    }

    /// Spaced by field, for documents: `EGCAIA JOAMMA A UN 5 0001`.
    pub fn human(&self) -> String {
        format!(
            "{} {} {} {} {} {:04}",
            self.origin,
            self.destination,
            self.category.letter(),
            self.subclass.as_str(),
            self.year.0,
            self.number.0
        )
    }
}

impl fmt::Display for DispatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}{}{}{:04}",
            self.origin,
            self.destination,
            self.category.letter(),
            self.subclass.as_str(),
            self.year.0,
            self.number.0
        )
    }
}

/// An S9 receptacle identifier: the S8 dispatch ID, then the receptacle serial, the
/// highest-receptacle flag, the registered flag and the gross weight in 0.1 kg.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceptacleId {
    pub dispatch: DispatchId,
    pub serial: ReceptacleSerial,
    /// Set on the last (highest-numbered) receptacle of the dispatch.
    pub highest: bool,
    /// Set when the receptacle holds registered or insured items (red CN 35 label).
    pub registered: bool,
    pub weight: ReceptacleWeight,
}

impl ReceptacleId {
    pub const LENGTH: usize = 29;

    pub fn parse(text: &str) -> Result<Self, PostalIdError> {
        let chars = without_spaces(text);
        if chars.len() != Self::LENGTH {
            return Err(PostalIdError::Length {
                kind: "an S9 receptacle ID",
                expected: Self::LENGTH,
                found: chars.len(),
            });
        }
        let dispatch = DispatchId::from_chars(&chars)?;
        let serial_chars = slice(&chars, IdField::ReceptacleSerial);
        let serial = ReceptacleSerial::new(number(IdField::ReceptacleSerial, serial_chars)?)
            .map_err(|_| field_error(IdField::ReceptacleSerial, "001 to 999", serial_chars))?;
        let highest = flag(
            IdField::HighestReceptacle,
            slice(&chars, IdField::HighestReceptacle),
        )?;
        let registered = flag(IdField::Registered, slice(&chars, IdField::Registered))?;
        let weight_chars = slice(&chars, IdField::Weight);
        if weight_chars.len() != 4 {
            return Err(field_error(IdField::Weight, "4 digits", weight_chars));
        }
        let weight = ReceptacleWeight(number(IdField::Weight, weight_chars)?);
        Ok(Self {
            dispatch,
            serial,
            highest,
            registered,
            weight,
        })
    }

    /// Spaced by field, for documents: `EGCAIA JOAMMA A UN 5 0001 001 0 1 0123`.
    pub fn human(&self) -> String {
        format!(
            "{} {:03} {} {} {:04}",
            self.dispatch.human(),
            self.serial.0,
            u8::from(self.highest),
            u8::from(self.registered),
            self.weight.0
        )
    }
}

impl fmt::Display for ReceptacleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{:03}{}{}{:04}",
            self.dispatch,
            self.serial.0,
            u8::from(self.highest),
            u8::from(self.registered),
            self.weight.0
        )
    }
}

impl fmt::Display for MailCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

impl fmt::Display for MailClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

impl fmt::Display for MailSubclass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! text_id {
    ($type:ty) => {
        impl FromStr for $type {
            type Err = PostalIdError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_id!(DispatchId);
text_id!(ReceptacleId);
text_id!(MailCategory);
text_id!(MailClass);
text_id!(MailSubclass);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::CountryCode;
    use proptest::prelude::*;

    const EXAMPLE: &str = "EGCAIAJOAMMAAUN50001001010123";

    #[test]
    fn the_worked_example_parses_into_every_field() {
        let receptacle = ReceptacleId::parse(EXAMPLE).unwrap();
        let dispatch = receptacle.dispatch;
        assert_eq!(dispatch.origin.as_str(), "EGCAIA");
        assert_eq!(dispatch.destination.as_str(), "JOAMMA");
        assert_eq!(dispatch.category.letter(), 'A');
        assert_eq!(dispatch.subclass.as_str(), "UN");
        assert_eq!(dispatch.subclass.class().letter(), 'U');
        assert_eq!(dispatch.year.digit(), 5);
        assert_eq!(dispatch.number.get(), 1);
        assert_eq!(receptacle.serial.get(), 1);
        assert!(!receptacle.highest);
        assert!(receptacle.registered);
        assert_eq!(receptacle.weight.tenths_of_kg(), 123);
        assert_eq!(receptacle.weight.to_string(), "12.3 kg");
        assert_eq!(dispatch.to_string(), "EGCAIAJOAMMAAUN50001");
        assert_eq!(receptacle.to_string(), EXAMPLE);
        assert_eq!(receptacle.human(), "EGCAIA JOAMMA A UN 5 0001 001 0 1 0123");
        assert!(EXAMPLE.starts_with(&dispatch.to_string()));
        assert_eq!(
            ReceptacleId::parse(&receptacle.human()).unwrap(),
            receptacle
        );
        assert_eq!(DispatchId::parse(&dispatch.human()).unwrap(), dispatch);
    }

    #[test]
    fn the_s8_id_is_the_first_twenty_characters_of_the_s9_id() {
        let receptacle = ReceptacleId::parse(EXAMPLE).unwrap();
        assert_eq!(
            DispatchId::parse(&EXAMPLE[..20]).unwrap(),
            receptacle.dispatch
        );
    }

    #[test]
    fn building_from_fields_gives_the_same_text() {
        let dispatch = DispatchId {
            origin: OfficeCode::parse("EGCAIA").unwrap(),
            destination: OfficeCode::parse("PSRMHA").unwrap(),
            category: MailCategory::parse("a").unwrap(),
            subclass: MailSubclass::parse("CA").unwrap(),
            year: DispatchYear::from_year(2026),
            number: DispatchNumber::new(42).unwrap(),
        };
        let receptacle = ReceptacleId {
            dispatch,
            serial: ReceptacleSerial::new(7).unwrap(),
            highest: true,
            registered: false,
            weight: ReceptacleWeight::from_grams(30_049).unwrap(),
        };
        assert_eq!(dispatch.to_string(), "EGCAIAPSRMHAACA60042");
        assert_eq!(
            receptacle.to_string(),
            "EGCAIAPSRMHAACA600420071 00300".replace(' ', "")
        );
        assert_eq!(
            ReceptacleId::parse(&receptacle.to_string()).unwrap(),
            receptacle
        );
    }

    #[test]
    fn weights_round_to_the_nearest_tenth_of_a_kilogram() {
        assert_eq!(ReceptacleWeight::from_grams(0).unwrap().tenths_of_kg(), 0);
        assert_eq!(ReceptacleWeight::from_grams(49).unwrap().tenths_of_kg(), 0);
        assert_eq!(ReceptacleWeight::from_grams(50).unwrap().tenths_of_kg(), 1);
        assert_eq!(
            ReceptacleWeight::from_grams(12_345).unwrap().tenths_of_kg(),
            123
        );
        assert_eq!(
            ReceptacleWeight::from_grams(999_949)
                .unwrap()
                .tenths_of_kg(),
            9999
        );
        assert!(ReceptacleWeight::from_grams(999_950).is_err());
        assert_eq!(
            ReceptacleWeight::from_grams(u32::MAX)
                .unwrap_err()
                .to_string(),
            "weight at position 26: at most 999.9 kg, found \"4294967.2 kg\""
        );
    }

    #[test]
    fn each_bad_field_is_named_with_its_position_and_value() {
        let err = |text: &str| ReceptacleId::parse(text).unwrap_err();
        assert_eq!(
            err("EGCAIAJOAMMAAUN5000100101012"),
            PostalIdError::Length {
                kind: "an S9 receptacle ID",
                expected: 29,
                found: 28
            }
        );
        assert_eq!(err("XXCAIAJOAMMAAUN50001001010123").code(), "origin_office");
        assert_eq!(
            err("EGCAIAJ0AMMAAUN50001001010123").code(),
            "destination_office"
        );
        assert_eq!(err("EGCAIAJOAMMA1UN50001001010123").code(), "mail_category");
        assert_eq!(err("EGCAIAJOAMMAAU150001001010123").code(), "mail_subclass");
        assert_eq!(err("EGCAIAJOAMMAAUNX0001001010123").code(), "year");
        let zero_dispatch = err("EGCAIAJOAMMAAUN50000001010123");
        assert_eq!(zero_dispatch.code(), "dispatch_number");
        assert_eq!(
            zero_dispatch.to_string(),
            "dispatch number at position 17: 0001 to 9999, found \"0000\""
        );
        assert_eq!(
            err("EGCAIAJOAMMAAUN50001000010123").code(),
            "receptacle_serial"
        );
        assert_eq!(
            err("EGCAIAJOAMMAAUN50001001210123").code(),
            "highest_receptacle"
        );
        assert_eq!(err("EGCAIAJOAMMAAUN50001001070123").code(), "registered");
        assert_eq!(err("EGCAIAJOAMMAAUN5000100101012X").code(), "weight");
        let office_error = err("EGCAIAJOAM-AAUN50001001010123");
        assert_eq!(
            office_error.to_string(),
            "destination office at position 7: character 11 should be a letter A-Z or a digit, found '-'"
        );
    }

    #[test]
    fn serde_goes_through_the_parser() {
        let parsed: ReceptacleId = serde_json::from_str(&format!("\"{EXAMPLE}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            format!("\"{EXAMPLE}\"")
        );
        assert!(serde_json::from_str::<DispatchId>("\"EGCAIAJOAMMAAUN50000\"").is_err());
    }

    fn office_code() -> impl Strategy<Value = OfficeCode> {
        (
            proptest::sample::select(CountryCode::all().collect::<Vec<_>>()),
            "[A-Z0-9]{4}",
        )
            .prop_map(|(country, rest)| OfficeCode::parse(&format!("{country}{rest}")).unwrap())
    }

    fn dispatch_id() -> impl Strategy<Value = DispatchId> {
        (
            office_code(),
            office_code(),
            "[A-Z]",
            "[A-Z]{2}",
            0u8..10,
            1u16..=9999,
        )
            .prop_map(|(origin, destination, category, subclass, year, number)| {
                DispatchId {
                    origin,
                    destination,
                    category: MailCategory::parse(&category).unwrap(),
                    subclass: MailSubclass::parse(&subclass).unwrap(),
                    year: DispatchYear::from_year(i32::from(year)),
                    number: DispatchNumber::new(number).unwrap(),
                }
            })
    }

    proptest! {
        #[test]
        fn s8_build_parse_build_is_exact(dispatch in dispatch_id()) {
            let text = dispatch.to_string();
            prop_assert_eq!(text.len(), 20);
            let parsed = DispatchId::parse(&text).unwrap();
            prop_assert_eq!(parsed, dispatch);
            prop_assert_eq!(parsed.to_string(), text);
        }

        #[test]
        fn s9_build_parse_build_is_exact(
            dispatch in dispatch_id(),
            serial in 1u16..=999,
            highest: bool,
            registered: bool,
            weight in 0u16..=9999,
        ) {
            let receptacle = ReceptacleId {
                dispatch,
                serial: ReceptacleSerial::new(serial).unwrap(),
                highest,
                registered,
                weight: ReceptacleWeight::from_tenths_of_kg(weight).unwrap(),
            };
            let text = receptacle.to_string();
            prop_assert_eq!(text.len(), 29);
            let parsed = ReceptacleId::parse(&text).unwrap();
            prop_assert_eq!(parsed, receptacle);
            prop_assert_eq!(parsed.to_string(), text.clone());
            prop_assert_eq!(DispatchId::parse(&text[..20]).unwrap(), dispatch);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,40}") {
            let _ = ReceptacleId::parse(&text);
            let _ = DispatchId::parse(&text);
        }
    }
}
