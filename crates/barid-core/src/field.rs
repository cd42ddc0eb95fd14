//! Field-level validation errors shared by every draft (customs declaration, parties, later
//! the acceptance form): a path to the field, a stable code and an English message.

use std::fmt;

use crate::country::CountryCode;

/// What is wrong with a field. `as_str()` is the stable snake_case code clients and tests use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldErrorKind {
    /// A required field is missing or blank.
    Required,
    /// Text longer than the field allows.
    TooLong,
    /// Text containing a control character (tab, line break, NUL...).
    ControlCharacter,
    /// A transliteration that is not in Latin script.
    NotLatin,
    /// More entries than the field allows (address lines, content lines, numbers).
    TooMany,
    /// An e-mail address without the basic `local@domain.tld` shape.
    InvalidEmail,
    /// A phone number with characters other than digits, spaces and `+ - ( ) . /`.
    InvalidPhone,
    /// Not an ISO 3166-1 alpha-2 country code.
    UnknownCountry,
    /// Not an ISO 4217 currency code Barid can count in.
    UnknownCurrency,
    /// Not one of the content categories.
    UnknownCategory,
    /// Not an HS tariff number of 6 to 10 digits.
    InvalidHsCode,
    /// A number that must be more than zero.
    NotPositive,
    /// A number that may be zero but not less.
    Negative,
    /// A number beyond what the field can hold.
    TooLarge,
    /// A field filled in where it must stay empty (e.g. an explanation for a category other than
    /// "other", or licence numbers with the licence box not ticked).
    NotAllowed,
    /// An amount in a different currency from the rest of the declaration.
    CurrencyMismatch,
    /// A declared total that differs from the sum of the lines.
    TotalsDoNotAddUp,
    /// A gross weight lighter than the net weight of the contents.
    GrossWeightBelowNetWeight,
    /// A sum too large to be represented.
    Overflow,
    /// The SDR rate supplied is for another currency than the declaration's.
    SdrRateCurrencyMismatch,
}

impl FieldErrorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FieldErrorKind::Required => "required",
            FieldErrorKind::TooLong => "too_long",
            FieldErrorKind::ControlCharacter => "control_character",
            FieldErrorKind::NotLatin => "not_latin",
            FieldErrorKind::TooMany => "too_many",
            FieldErrorKind::InvalidEmail => "invalid_email",
            FieldErrorKind::InvalidPhone => "invalid_phone",
            FieldErrorKind::UnknownCountry => "unknown_country",
            FieldErrorKind::UnknownCurrency => "unknown_currency",
            FieldErrorKind::UnknownCategory => "unknown_category",
            FieldErrorKind::InvalidHsCode => "invalid_hs_code",
            FieldErrorKind::NotPositive => "not_positive",
            FieldErrorKind::Negative => "negative",
            FieldErrorKind::TooLarge => "too_large",
            FieldErrorKind::NotAllowed => "not_allowed",
            FieldErrorKind::CurrencyMismatch => "currency_mismatch",
            FieldErrorKind::TotalsDoNotAddUp => "totals_do_not_add_up",
            FieldErrorKind::GrossWeightBelowNetWeight => "gross_weight_below_net_weight",
            FieldErrorKind::Overflow => "overflow",
            FieldErrorKind::SdrRateCurrencyMismatch => "sdr_rate_currency_mismatch",
        }
    }
}

impl fmt::Display for FieldErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one input field: its path in the draft (`lines[2].hs_code`,
/// `sender.address_lines[0]`), a stable code and an English message.
///
/// Validation returns every `FieldError` at once so that a form can mark all its fields in one
/// round trip; the API renders each as `{"error": code, "message": ..., "field": path}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    field: String,
    kind: FieldErrorKind,
    message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, kind: FieldErrorKind, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            kind,
            message: message.into(),
        }
    }

    /// The path of the field in the draft, e.g. `lines[0].origin`.
    pub fn field(&self) -> &str {
        &self.field
    }

    pub fn kind(&self) -> FieldErrorKind {
        self.kind
    }

    /// The stable snake_case code, e.g. `invalid_hs_code`.
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }

    /// A sentence in English saying what is wrong and, where useful, what was found.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Joins a prefix and a field name into a path: `("sender", "name")` gives `sender.name`.
pub(crate) fn field_path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// Trims a free-text input and checks it for control characters and length (in characters,
/// so Arabic and Latin text get the same limit). Blank gives `None` without an error.
pub(crate) fn optional_text(
    raw: &str,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = raw.trim();
    if text.is_empty() {
        return None;
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::ControlCharacter,
            format!(
                "must not contain control characters, found U+{:04X}",
                u32::from(c)
            ),
        ));
        return None;
    }
    let length = text.chars().count();
    if length > max_chars {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::TooLong,
            format!("must be at most {max_chars} characters, found {length}"),
        ));
        return None;
    }
    Some(text.to_owned())
}

/// Like [`optional_text`], but a blank input is a `required` error.
pub(crate) fn required_text(
    raw: &str,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    if raw.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::Required,
            "is required",
        ));
        return None;
    }
    optional_text(raw, field, max_chars, errors)
}

/// Parses a required country code, reporting `required` or `unknown_country` at `field`.
pub(crate) fn required_country(
    raw: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<CountryCode> {
    if raw.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::Required,
            "is required",
        ));
        return None;
    }
    match CountryCode::parse(raw) {
        Ok(country) => Some(country),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                FieldErrorKind::UnknownCountry,
                error.to_string(),
            ));
            None
        }
    }
}
