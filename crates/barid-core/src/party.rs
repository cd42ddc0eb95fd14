//! Senders and addressees, as the "From" and "To" blocks of a CN 23 and of ITMATT.
//!
//! Names and addresses are written in the script of the country (Arabic or Latin) and are only
//! trimmed, never rewritten. Because transit posts and carriers may not read Arabic, a party
//! can also carry a Latin transliteration of its name, address and city.
//!
//! A [`PartyDraft`] holds the raw strings of a form or API request; [`PartyDraft::validate`]
//! checks every field and returns a [`Party`] or every [`FieldError`] at once.

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::field::{
    FieldError, FieldErrorKind, field_path, optional_text, required_country, required_text,
};

/// The longest name or business name, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// The longest address line, in characters.
pub const ADDRESS_LINE_MAX_CHARS: usize = 100;
/// The most address lines a party may have (the first is required).
pub const MAX_ADDRESS_LINES: usize = 4;
/// The longest city name, in characters.
pub const CITY_MAX_CHARS: usize = 60;
/// The longest postcode, in characters.
pub const POSTCODE_MAX_CHARS: usize = 20;
/// The longest phone number, in characters.
pub const PHONE_MAX_CHARS: usize = 30;
/// The longest e-mail address (RFC 5321's path limit).
pub const EMAIL_MAX_CHARS: usize = 254;

/// The Latin-script rendering of a party's name, address and city, for transit posts and
/// carriers that cannot read the original script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatinTransliteration {
    name: String,
    address_lines: Vec<String>,
    city: String,
}

impl LatinTransliteration {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One to [`MAX_ADDRESS_LINES`] lines.
    pub fn address_lines(&self) -> &[String] {
        &self.address_lines
    }

    pub fn city(&self) -> &str {
        &self.city
    }
}

/// A validated sender or addressee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    name: String,
    business_name: Option<String>,
    address_lines: Vec<String>,
    city: String,
    postcode: Option<String>,
    country: CountryCode,
    phone: Option<String>,
    email: Option<String>,
    latin: Option<LatinTransliteration>,
}

impl Party {
    /// The person's name, in any script.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn business_name(&self) -> Option<&str> {
        self.business_name.as_deref()
    }

    /// One to [`MAX_ADDRESS_LINES`] lines, none blank.
    pub fn address_lines(&self) -> &[String] {
        &self.address_lines
    }

    pub fn city(&self) -> &str {
        &self.city
    }

    /// As entered (Arabic-Indic digits turned into ASCII digits); its format is not checked,
    /// since it differs from country to country.
    pub fn postcode(&self) -> Option<&str> {
        self.postcode.as_deref()
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// Digits in ASCII, with the spaces and `+ - ( ) . /` the person typed.
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    pub fn latin(&self) -> Option<&LatinTransliteration> {
        self.latin.as_ref()
    }

    /// The draft this party validates from, for editing a stored party.
    pub fn to_draft(&self) -> PartyDraft {
        PartyDraft {
            name: self.name.clone(),
            business_name: self.business_name.clone().unwrap_or_default(),
            address_lines: self.address_lines.clone(),
            city: self.city.clone(),
            postcode: self.postcode.clone().unwrap_or_default(),
            country: self.country.to_string(),
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            latin: self.latin.as_ref().map(|latin| LatinDraft {
                name: latin.name.clone(),
                address_lines: latin.address_lines.clone(),
                city: latin.city.clone(),
            }),
        }
    }
}

/// The Latin transliteration as entered. All fields blank means "no transliteration".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LatinDraft {
    pub name: String,
    pub address_lines: Vec<String>,
    pub city: String,
}

impl LatinDraft {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.city.trim().is_empty()
            && self.address_lines.iter().all(|line| line.trim().is_empty())
    }
}

/// A sender or addressee as a counter form or API client gives it. Blank strings mean "not
/// given"; blank address lines after the first are skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartyDraft {
    pub name: String,
    pub business_name: String,
    pub address_lines: Vec<String>,
    pub city: String,
    pub postcode: String,
    /// An ISO 3166-1 alpha-2 code, e.g. `"EG"`.
    pub country: String,
    pub phone: String,
    pub email: String,
    pub latin: Option<LatinDraft>,
}

/// Turns Arabic-Indic (U+0660..) and Extended Arabic-Indic (U+06F0..) digits into ASCII ones,
/// so that phone numbers and postcodes typed on an Arabic keyboard are stored one way only.
pub fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from_u32(u32::from(c) - 0x0660 + u32::from('0')),
            '\u{06F0}'..='\u{06F9}' => char::from_u32(u32::from(c) - 0x06F0 + u32::from('0')),
            _ => Some(c),
        })
        .map(|c| c.unwrap_or('?'))
        .collect()
}

/// Whether a character can appear in a Latin-script transliteration: ASCII, Latin-1, Latin
/// Extended-A/B and Latin Extended Additional (accented letters such as ā or ḥ), the modifier
/// letters ʾ and ʿ that transliterate hamza and ʿayn, combining accents (for text typed in
/// decomposed form), and the typographic dashes and quotes of General Punctuation.
fn is_latin(c: char) -> bool {
    c.is_ascii()
        || ('\u{00A0}'..='\u{036F}').contains(&c)
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        || ('\u{2010}'..='\u{2027}').contains(&c)
}

/// The basic shape `local@domain.tld`: one `@`, no spaces, a dot inside the domain with no
/// empty label. Whether the mailbox exists is not this function's business.
fn is_plausible_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// Checks the address lines: the first is required, blank lines after it are skipped, and at
/// most [`MAX_ADDRESS_LINES`] may remain.
fn address_lines(
    raw: &[String],
    field: &str,
    check: impl Fn(&str, &str, &mut Vec<FieldError>) -> Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<Vec<String>> {
    let first_field = format!("{field}[0]");
    if raw.first().is_none_or(|line| line.trim().is_empty()) {
        errors.push(FieldError::new(
            first_field,
            FieldErrorKind::Required,
            "is required",
        ));
        return None;
    }
    let given = raw.iter().filter(|line| !line.trim().is_empty()).count();
    if given > MAX_ADDRESS_LINES {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::TooMany,
            format!("at most {MAX_ADDRESS_LINES} address lines, found {given}"),
        ));
        return None;
    }
    let mut lines = Vec::with_capacity(given);
    let mut all_valid = true;
    for (index, line) in raw.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match check(line, &format!("{field}[{index}]"), errors) {
            Some(line) => lines.push(line),
            None => all_valid = false,
        }
    }
    all_valid.then_some(lines)
}

/// Like `required_text`, and also refuses characters outside the Latin script.
fn required_latin(
    raw: &str,
    field: &str,
    max_chars: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = required_text(raw, field, max_chars, errors)?;
    if let Some(c) = text.chars().find(|c| !is_latin(*c)) {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::NotLatin,
            format!("a transliteration must be in Latin script, found {c:?}"),
        ));
        return None;
    }
    Some(text)
}

impl LatinDraft {
    fn validate(&self, prefix: &str, errors: &mut Vec<FieldError>) -> Option<LatinTransliteration> {
        let at = |field: &str| field_path(prefix, field);
        let name = required_latin(&self.name, &at("name"), NAME_MAX_CHARS, errors);
        let address_lines = address_lines(
            &self.address_lines,
            &at("address_lines"),
            |raw, field, errors| required_latin(raw, field, ADDRESS_LINE_MAX_CHARS, errors),
            errors,
        );
        let city = required_latin(&self.city, &at("city"), CITY_MAX_CHARS, errors);
        Some(LatinTransliteration {
            name: name?,
            address_lines: address_lines?,
            city: city?,
        })
    }
}

impl PartyDraft {
    /// Checks every field and returns the party, or every problem found, with paths such as
    /// `name`, `address_lines[0]` or `latin.city`.
    pub fn validate(self) -> Result<Party, Vec<FieldError>> {
        self.validate_under("")
    }

    /// Like [`PartyDraft::validate`], with every path under `prefix`: `validate_under("sender")`
    /// reports `sender.name`, `sender.address_lines[0]`, and so on.
    pub fn validate_under(self, prefix: &str) -> Result<Party, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = |field: &str| field_path(prefix, field);

        let name = required_text(&self.name, &at("name"), NAME_MAX_CHARS, &mut errors);
        let business_name = optional_text(
            &self.business_name,
            &at("business_name"),
            NAME_MAX_CHARS,
            &mut errors,
        );
        let address_lines = address_lines(
            &self.address_lines,
            &at("address_lines"),
            |raw, field, errors| required_text(raw, field, ADDRESS_LINE_MAX_CHARS, errors),
            &mut errors,
        );
        let city = required_text(&self.city, &at("city"), CITY_MAX_CHARS, &mut errors);
        let postcode = optional_text(
            &ascii_digits(&self.postcode),
            &at("postcode"),
            POSTCODE_MAX_CHARS,
            &mut errors,
        );
        let country = required_country(&self.country, &at("country"), &mut errors);

        let phone_field = at("phone");
        let phone = optional_text(
            &ascii_digits(&self.phone),
            &phone_field,
            PHONE_MAX_CHARS,
            &mut errors,
        )
        .filter(|phone| {
            let allowed = phone.chars().all(|c| {
                c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/')
            });
            let plus_only_first = !phone.chars().skip(1).any(|c| c == '+');
            let has_digit = phone.chars().any(|c| c.is_ascii_digit());
            let ok = allowed && plus_only_first && has_digit;
            if !ok {
                errors.push(FieldError::new(
                    phone_field.as_str(),
                    FieldErrorKind::InvalidPhone,
                    format!(
                        "a phone number has digits, spaces and + - ( ) . / only (+ first), \
                         found {phone:?}"
                    ),
                ));
            }
            ok
        });

        let email_field = at("email");
        let email = optional_text(&self.email, &email_field, EMAIL_MAX_CHARS, &mut errors).filter(
            |email| {
                let ok = is_plausible_email(email);
                if !ok {
                    errors.push(FieldError::new(
                        email_field.as_str(),
                        FieldErrorKind::InvalidEmail,
                        format!("an e-mail address looks like name@example.com, found {email:?}"),
                    ));
                }
                ok
            },
        );

        let latin = match self.latin.as_ref().filter(|latin| !latin.is_blank()) {
            Some(draft) => draft.validate(&at("latin"), &mut errors).map(Some),
            None => Some(None),
        };

        match (name, address_lines, city, country, latin) {
            (Some(name), Some(address_lines), Some(city), Some(country), Some(latin))
                if errors.is_empty() =>
            {
                Ok(Party {
                    name,
                    business_name,
                    address_lines,
                    city,
                    postcode,
                    country,
                    phone,
                    email,
                    latin,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arabic_sender() -> PartyDraft {
        PartyDraft {
            name: "  محمد أحمد علي ".into(),
            business_name: "".into(),
            address_lines: vec!["١٢ شارع التحرير".into(), "الدقي".into()],
            city: "الجيزة".into(),
            postcode: "١٢٦١١".into(),
            country: "eg".into(),
            phone: "+20 ١٠٠ ١٢٣ ٤٥٦٧".into(),
            email: "m.ali@example.com.eg".into(),
            latin: Some(LatinDraft {
                name: "Mohamed Ahmed Ali".into(),
                address_lines: vec!["12 El-Tahrir St.".into(), "Dokki".into()],
                city: "Giza".into(),
            }),
        }
    }

    fn latin_addressee() -> PartyDraft {
        PartyDraft {
            name: "Lina Haddad".into(),
            business_name: "Haddad Trading".into(),
            address_lines: vec!["Rainbow Street 5".into()],
            city: "Amman".into(),
            country: "JO".into(),
            ..PartyDraft::default()
        }
    }

    fn errors_of(draft: PartyDraft) -> Vec<(String, &'static str)> {
        draft
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|error| {
                assert!(!error.message().is_empty());
                (error.field().to_owned(), error.code())
            })
            .collect()
    }

    fn only(field: &str, code: &'static str) -> Vec<(String, &'static str)> {
        vec![(field.to_owned(), code)]
    }

    #[test]
    fn an_arabic_party_with_transliteration_is_accepted_and_trimmed() {
        let party = arabic_sender().validate().unwrap();
        assert_eq!(party.name(), "محمد أحمد علي");
        assert_eq!(party.business_name(), None);
        assert_eq!(party.address_lines(), ["١٢ شارع التحرير", "الدقي"]);
        assert_eq!(party.city(), "الجيزة");
        assert_eq!(party.postcode(), Some("12611"));
        assert_eq!(party.country().as_str(), "EG");
        assert_eq!(party.phone(), Some("+20 100 123 4567"));
        assert_eq!(party.email(), Some("m.ali@example.com.eg"));
        let latin = party.latin().unwrap();
        assert_eq!(latin.name(), "Mohamed Ahmed Ali");
        assert_eq!(latin.address_lines(), ["12 El-Tahrir St.", "Dokki"]);
        assert_eq!(latin.city(), "Giza");
    }

    #[test]
    fn a_latin_party_needs_no_transliteration() {
        let party = latin_addressee().validate().unwrap();
        assert_eq!(party.business_name(), Some("Haddad Trading"));
        assert_eq!(party.latin(), None);
        assert_eq!(party.phone(), None);
        assert_eq!(party.email(), None);
    }

    #[test]
    fn a_party_round_trips_through_its_draft() {
        for draft in [arabic_sender(), latin_addressee()] {
            let party = draft.validate().unwrap();
            assert_eq!(party.to_draft().validate().unwrap(), party);
        }
    }

    #[test]
    fn name_city_and_country_are_required() {
        let mut draft = latin_addressee();
        draft.name = " ".into();
        assert_eq!(errors_of(draft), only("name", "required"));
        let mut draft = latin_addressee();
        draft.city = String::new();
        assert_eq!(errors_of(draft), only("city", "required"));
        let mut draft = latin_addressee();
        draft.country = String::new();
        assert_eq!(errors_of(draft), only("country", "required"));
        let mut draft = latin_addressee();
        draft.country = "XX".into();
        assert_eq!(errors_of(draft), only("country", "unknown_country"));
    }

    #[test]
    fn the_first_address_line_is_required_and_four_is_the_most() {
        let mut draft = latin_addressee();
        draft.address_lines.clear();
        assert_eq!(errors_of(draft), only("address_lines[0]", "required"));
        let mut draft = latin_addressee();
        draft.address_lines = vec!["".into(), "Building 3".into()];
        assert_eq!(errors_of(draft), only("address_lines[0]", "required"));
        let mut draft = latin_addressee();
        draft.address_lines = (1..=5).map(|i| format!("line {i}")).collect();
        assert_eq!(errors_of(draft), only("address_lines", "too_many"));
        let mut draft = latin_addressee();
        draft.address_lines = vec!["a".into(), "".into(), "b".into(), "c".into(), "d".into()];
        assert_eq!(
            draft.validate().unwrap().address_lines(),
            ["a", "b", "c", "d"]
        );
        let mut draft = latin_addressee();
        draft.address_lines = vec!["a".into(), "b".repeat(ADDRESS_LINE_MAX_CHARS + 1)];
        assert_eq!(errors_of(draft), only("address_lines[1]", "too_long"));
    }

    #[test]
    fn control_characters_and_long_text_are_refused_per_field() {
        let mut draft = arabic_sender();
        draft.name = "محمد\u{0000}".into();
        assert_eq!(errors_of(draft), only("name", "control_character"));
        let mut draft = arabic_sender();
        draft.city = "Giza\tCity".into();
        assert_eq!(errors_of(draft), only("city", "control_character"));
        let mut draft = arabic_sender();
        draft.name = "م".repeat(NAME_MAX_CHARS);
        assert!(draft.validate().is_ok());
        let mut draft = arabic_sender();
        draft.name = "م".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("name", "too_long"));
        let mut draft = arabic_sender();
        draft.business_name = "b".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("business_name", "too_long"));
        let mut draft = arabic_sender();
        draft.postcode = "1".repeat(POSTCODE_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("postcode", "too_long"));
    }

    #[test]
    fn email_needs_the_basic_shape() {
        for good in ["a@b.co", "first.last+tag@mail.example.org"] {
            let mut draft = latin_addressee();
            draft.email = good.into();
            assert_eq!(draft.validate().unwrap().email(), Some(good));
        }
        for bad in [
            "lina",
            "@example.com",
            "lina@",
            "lina@example",
            "lina@@example.com",
            "lina@example..com",
            "lina @example.com",
            "lina@.com",
            "lina@example.com.",
        ] {
            let mut draft = latin_addressee();
            draft.email = bad.into();
            assert_eq!(errors_of(draft), only("email", "invalid_email"), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_are_digits_and_separators() {
        let mut draft = latin_addressee();
        draft.phone = "+962 (6) 555-0100".into();
        assert_eq!(draft.validate().unwrap().phone(), Some("+962 (6) 555-0100"));
        let mut draft = latin_addressee();
        draft.phone = "۰۷۹۱۲۳۴۵۶۷".into();
        assert_eq!(draft.validate().unwrap().phone(), Some("0791234567"));
        for bad in ["call me", "+", "0791+234", "079 123 4567 ext. 5"] {
            let mut draft = latin_addressee();
            draft.phone = bad.into();
            assert_eq!(errors_of(draft), only("phone", "invalid_phone"), "{bad}");
        }
        let mut draft = latin_addressee();
        draft.phone = "1".repeat(PHONE_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("phone", "too_long"));
    }

    #[test]
    fn a_transliteration_must_be_latin_and_complete() {
        let mut draft = arabic_sender();
        if let Some(latin) = draft.latin.as_mut() {
            latin.name = "محمد".into();
        }
        assert_eq!(errors_of(draft), only("latin.name", "not_latin"));
        let mut draft = arabic_sender();
        if let Some(latin) = draft.latin.as_mut() {
            latin.city = String::new();
        }
        assert_eq!(errors_of(draft), only("latin.city", "required"));
        let mut draft = arabic_sender();
        if let Some(latin) = draft.latin.as_mut() {
            latin.address_lines = vec!["Dokki".into(), "شارع".into()];
        }
        assert_eq!(
            errors_of(draft),
            only("latin.address_lines[1]", "not_latin")
        );
        let mut draft = arabic_sender();
        if let Some(latin) = draft.latin.as_mut() {
            latin.address_lines.clear();
        }
        assert_eq!(errors_of(draft), only("latin.address_lines[0]", "required"));
        // Accented Latin letters used in Arabic transliteration are Latin.
        let mut draft = arabic_sender();
        if let Some(latin) = draft.latin.as_mut() {
            latin.name = "Muḥammad ʿAlī".into();
        }
        assert_eq!(
            draft.validate().unwrap().latin().unwrap().name(),
            "Muḥammad ʿAlī"
        );
        // A transliteration left blank is no transliteration.
        let mut draft = arabic_sender();
        draft.latin = Some(LatinDraft {
            address_lines: vec![" ".into()],
            ..LatinDraft::default()
        });
        assert_eq!(draft.validate().unwrap().latin(), None);
    }

    #[test]
    fn paths_can_be_nested_and_all_errors_come_at_once() {
        let draft = PartyDraft {
            name: "".into(),
            address_lines: vec![],
            city: "Ramallah".into(),
            country: "P".into(),
            email: "nobody".into(),
            latin: Some(LatinDraft {
                name: "رام الله".into(),
                ..LatinDraft::default()
            }),
            ..PartyDraft::default()
        };
        let errors: Vec<_> = draft
            .validate_under("addressee")
            .unwrap_err()
            .into_iter()
            .map(|error| (error.field().to_owned(), error.code()))
            .collect();
        let expected: Vec<(String, &str)> = [
            ("addressee.name", "required"),
            ("addressee.address_lines[0]", "required"),
            ("addressee.country", "unknown_country"),
            ("addressee.email", "invalid_email"),
            ("addressee.latin.name", "not_latin"),
            ("addressee.latin.address_lines[0]", "required"),
            ("addressee.latin.city", "required"),
        ]
        .into_iter()
        .map(|(field, code)| (field.to_owned(), code))
        .collect();
        assert_eq!(errors, expected);
    }

    #[test]
    fn a_json_draft_with_missing_fields_reports_them() {
        let draft: PartyDraft = serde_json::from_str(r#"{"name":"Lina","country":"JO"}"#).unwrap();
        assert_eq!(
            errors_of(draft),
            vec![
                ("address_lines[0]".to_owned(), "required"),
                ("city".to_owned(), "required")
            ]
        );
    }
}
