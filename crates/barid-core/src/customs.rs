//! Customs declarations CN 22 / CN 23 and the data ITMATT carries about an item's contents.
//!
//! A counter form or an API client fills a [`DeclarationDraft`] with raw strings and integers.
//! [`DeclarationDraft::validate`] checks all of it at once and returns either a
//! [`CustomsDeclaration`], which can only exist in a valid state, or every problem found as a
//! [`FieldError`] naming the field by its path (`lines[2].hs_code`), so a form can show each
//! error next to its input.
//!
//! Which form an item needs follows UPU rules: parcels always take a CN 23; letter post and EMS
//! take a CN 22 up to and including [`CN22_MAX_SDR`] SDR and a CN 23 above it.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::CountryCode;
pub use crate::field::{FieldError, FieldErrorKind};
use crate::field::{field_path, optional_text, required_country, required_text};
use crate::money::{Currency, Grams, Money, SdrRate, SdrRateError};
use crate::s10::S10Service;

/// The highest declared value, in SDR, for which a letter-post or EMS item may use a CN 22.
///
/// Sources disagree on whether exactly 300 SDR is "up to 300" or "300 or more". Barid follows
/// the wording "up to 300 SDR": a value equal to 300 SDR still takes a CN 22.
pub const CN22_MAX_SDR: u32 = 300;

/// The most content lines one declaration may hold (a CN 23 with continuation sheets).
pub const MAX_DECLARATION_LINES: usize = 99;
/// The longest description of one content line, in characters.
pub const DESCRIPTION_MAX_CHARS: usize = 200;
/// The longest explanation for category "other", in characters.
pub const EXPLANATION_MAX_CHARS: usize = 200;
/// The longest comment (quarantine, sanitary or phytosanitary inspection, other restrictions).
pub const COMMENTS_MAX_CHARS: usize = 500;
/// The longest reference: invoice, licence, certificate, importer or sender customs reference.
pub const REFERENCE_MAX_CHARS: usize = 50;
/// The most licence or certificate numbers one declaration may list.
pub const MAX_DOCUMENT_NUMBERS: usize = 10;

// ---------------------------------------------------------------------------------------------
// Categories, streams and forms

/// The category ticked in box 10 of a CN 23 (and on a CN 22). It decides which other fields
/// are required: documents need no HS code and may have no value; "other" needs an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContentCategory {
    Gift,
    Documents,
    CommercialSample,
    ReturnedGoods,
    SaleOfGoods,
    /// Anything else; the declaration must then say what in `category_explanation`.
    Other,
}

/// Why a text is not a content category.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{found:?} is not a content category (gift, documents, commercial_sample, returned_goods, \
     sale_of_goods or other)"
)]
pub struct ContentCategoryError {
    found: String,
}

impl ContentCategoryError {
    /// The stable machine-readable name of the problem.
    pub fn code(&self) -> &'static str {
        "unknown_category"
    }
}

impl ContentCategory {
    pub const ALL: [ContentCategory; 6] = [
        ContentCategory::Gift,
        ContentCategory::Documents,
        ContentCategory::CommercialSample,
        ContentCategory::ReturnedGoods,
        ContentCategory::SaleOfGoods,
        ContentCategory::Other,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ContentCategory::Gift => "gift",
            ContentCategory::Documents => "documents",
            ContentCategory::CommercialSample => "commercial_sample",
            ContentCategory::ReturnedGoods => "returned_goods",
            ContentCategory::SaleOfGoods => "sale_of_goods",
            ContentCategory::Other => "other",
        }
    }

    /// Parses the snake_case name, ignoring case and surrounding spaces.
    pub fn parse(text: &str) -> Result<Self, ContentCategoryError> {
        let wanted = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|category| category.as_str() == wanted)
            .ok_or_else(|| ContentCategoryError {
                found: text.to_owned(),
            })
    }

    /// Whether the declaration must explain the contents in free text ("other" only).
    pub fn requires_explanation(&self) -> bool {
        matches!(self, ContentCategory::Other)
    }

    /// Whether every line needs an HS tariff number. The CN 22 and CN 23 ask for it on
    /// commercial items (a sale, a commercial sample, goods returned to a seller); for gifts,
    /// documents and other items it is optional, and checked when given.
    pub fn requires_hs_code(&self) -> bool {
        matches!(
            self,
            ContentCategory::SaleOfGoods
                | ContentCategory::CommercialSample
                | ContentCategory::ReturnedGoods
        )
    }
}

impl fmt::Display for ContentCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContentCategory {
    type Err = ContentCategoryError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for ContentCategory {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ContentCategory {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The mail stream an item travels in, which decides the customs form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStream {
    /// Letter post, including small packets, registered, tracked and insured items.
    LetterPost,
    /// Express Mail Service.
    Ems,
    /// Parcel post, including e-commerce parcels.
    Parcel,
}

impl MailStream {
    pub fn as_str(&self) -> &'static str {
        match self {
            MailStream::LetterPost => "letter_post",
            MailStream::Ems => "ems",
            MailStream::Parcel => "parcel",
        }
    }
}

impl From<S10Service> for MailStream {
    /// C* and H* IDs are parcels, E* IDs are EMS, and every other range is letter post.
    fn from(service: S10Service) -> Self {
        match service {
            S10Service::Parcel | S10Service::EcommerceParcel => MailStream::Parcel,
            S10Service::Ems => MailStream::Ems,
            S10Service::Registered
            | S10Service::Tracked
            | S10Service::Insured
            | S10Service::OtherLetterPost
            | S10Service::MBag
            | S10Service::Ibrs
            | S10Service::DomesticOrBilateral
            | S10Service::Unassigned => MailStream::LetterPost,
        }
    }
}

/// Which customs declaration form an item carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomsForm {
    /// The small label form for low-value letter-post and EMS items.
    Cn22,
    /// The full declaration: parcels, and letter-post or EMS items above [`CN22_MAX_SDR`].
    Cn23,
}

impl CustomsForm {
    /// The snake_case code: `cn22`, `cn23`.
    pub fn as_str(&self) -> &'static str {
        match self {
            CustomsForm::Cn22 => "cn22",
            CustomsForm::Cn23 => "cn23",
        }
    }

    /// The name printed on the form: `CN 22`, `CN 23`.
    pub fn label(&self) -> &'static str {
        match self {
            CustomsForm::Cn22 => "CN 22",
            CustomsForm::Cn23 => "CN 23",
        }
    }
}

impl fmt::Display for CustomsForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How [`DeclarationDraft`] settles the form: chosen by value at acceptance, or kept as stored.
#[derive(Debug, Clone, Copy)]
enum FormChoice<'a> {
    ByValue {
        stream: MailStream,
        rate: &'a SdrRate,
    },
    Stored(CustomsForm),
}

/// Why the form could not be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormChoiceError {
    #[error("the SDR rate is for {rate} but the declaration is in {declaration}")]
    SdrRateCurrencyMismatch {
        rate: Currency,
        declaration: Currency,
    },
}

impl FormChoiceError {
    /// The stable machine-readable name of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            FormChoiceError::SdrRateCurrencyMismatch { .. } => "sdr_rate_currency_mismatch",
        }
    }
}

/// Chooses CN 22 or CN 23 for an item.
///
/// Parcels always take a CN 23. Letter post and EMS take a CN 22 when `total_value` is at most
/// [`CN22_MAX_SDR`] SDR at `rate` (compared exactly, see [`SdrRate::compare_with_sdr`]) and a
/// CN 23 above. `rate` must be for the declaration's currency, for every stream, so that a
/// caller passing the wrong rate is caught even on parcels.
pub fn choose_form(
    stream: MailStream,
    total_value: &Money,
    rate: &SdrRate,
) -> Result<CustomsForm, FormChoiceError> {
    let mismatch = || FormChoiceError::SdrRateCurrencyMismatch {
        rate: rate.currency(),
        declaration: total_value.currency(),
    };
    if rate.currency() != total_value.currency() {
        return Err(mismatch());
    }
    match stream {
        MailStream::Parcel => Ok(CustomsForm::Cn23),
        MailStream::LetterPost | MailStream::Ems => {
            match rate.compare_with_sdr(total_value, CN22_MAX_SDR) {
                Ok(Ordering::Less | Ordering::Equal) => Ok(CustomsForm::Cn22),
                Ok(Ordering::Greater) => Ok(CustomsForm::Cn23),
                Err(SdrRateError::CurrencyMismatch { .. }) => Err(mismatch()),
                // `compare_with_sdr` fails only on a currency mismatch, checked above; should it
                // ever fail otherwise, the full form is the one customs never refuses.
                Err(_) => Ok(CustomsForm::Cn23),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HS codes

/// A Harmonized System tariff number: the 6-digit international subheading, optionally
/// followed by national digits, 6 to 10 digits in all (e.g. `610910`, `6109100010`).
///
/// Input as printed on invoices (`6109.10`, `6109 10 00`) is accepted; dots and spaces are
/// dropped once, in `parse`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode(String);

/// Why a text is not an HS code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsCodeError {
    #[error("an HS code has 6 to 10 digits, found {found}")]
    Length { found: usize },
    #[error("an HS code has only digits (dots and spaces are ignored), found {found:?}")]
    Character { found: char },
}

impl HsCodeError {
    /// The stable machine-readable name of the problem (the same for every variant).
    pub fn code(&self) -> &'static str {
        "invalid_hs_code"
    }
}

impl HsCode {
    pub const MIN_DIGITS: usize = 6;
    pub const MAX_DIGITS: usize = 10;

    /// Parses 6 to 10 ASCII digits; dots and spaces anywhere are dropped first.
    pub fn parse(text: &str) -> Result<Self, HsCodeError> {
        let mut digits = String::with_capacity(Self::MAX_DIGITS);
        for c in text.chars().filter(|c| !matches!(c, '.' | ' ')) {
            if !c.is_ascii_digit() {
                return Err(HsCodeError::Character { found: c });
            }
            digits.push(c);
        }
        if !(Self::MIN_DIGITS..=Self::MAX_DIGITS).contains(&digits.len()) {
            return Err(HsCodeError::Length {
                found: digits.len(),
            });
        }
        Ok(Self(digits))
    }

    /// All the digits, e.g. `"6109100010"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The internationally harmonised 6-digit subheading, which ITMATT carries.
    pub fn subheading(&self) -> &str {
        self.0.get(..Self::MIN_DIGITS).unwrap_or(&self.0)
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for HsCode {
    type Err = HsCodeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl Serialize for HsCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HsCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Drafts: raw input

/// An amount as a form or API sends it: minor units and a currency code not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoneyDraft {
    pub amount_minor: i64,
    pub currency: String,
}

impl From<Money> for MoneyDraft {
    fn from(money: Money) -> Self {
        Self {
            amount_minor: money.amount_minor(),
            currency: money.currency().to_string(),
        }
    }
}

/// One content line as entered, before any check. Blank strings mean "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclarationLineDraft {
    pub description: String,
    pub quantity: i64,
    pub net_weight_grams: i64,
    pub value: MoneyDraft,
    pub hs_code: String,
    pub origin: String,
}

/// A customs declaration as a counter form or an API client gives it, before any check.
///
/// Numbers are `i64` so that a negative or oversized input becomes a field error rather than a
/// failure to read the request; blank strings mean "not given". Missing fields deserialise to
/// their defaults, so they are reported as `required` by [`DeclarationDraft::validate`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeclarationDraft {
    /// A [`ContentCategory`] name, e.g. `"gift"`.
    pub category: String,
    /// Required when the category is `other`, refused otherwise.
    pub category_explanation: String,
    pub lines: Vec<DeclarationLineDraft>,
    pub gross_weight_grams: i64,
    /// The total value as declared on the form; when given it must equal the sum of the lines.
    pub total_value: Option<MoneyDraft>,
    /// The total net weight as declared; when given it must equal the sum of the lines.
    pub total_net_weight_grams: Option<i64>,
    /// Postage and fees paid, including insurance (CN 23 box 9). Any currency.
    pub postal_charges: Option<MoneyDraft>,
    /// Goods subject to quarantine, sanitary/phytosanitary inspection or other restrictions.
    pub comments: String,
    /// The licence box is ticked: at least one licence number is then required.
    pub licence: bool,
    pub licence_numbers: Vec<String>,
    /// The certificate box is ticked: at least one certificate number is then required.
    pub certificate: bool,
    pub certificate_numbers: Vec<String>,
    pub invoice_number: String,
    /// The addressee's tax code, VAT number or importer code.
    pub importer_reference: String,
    pub sender_customs_reference: String,
}

// ---------------------------------------------------------------------------------------------
// Validated declaration

/// One validated content line of a declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationLine {
    description: String,
    quantity: u32,
    net_weight: Grams,
    value: Money,
    hs_code: Option<HsCode>,
    origin: CountryCode,
}

impl DeclarationLine {
    /// The detailed description, e.g. "2 men's cotton shirts".
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Always more than zero.
    pub fn quantity(&self) -> u32 {
        self.quantity
    }

    /// The net weight of the line (all its articles), always more than zero.
    pub fn net_weight(&self) -> Grams {
        self.net_weight
    }

    /// The value of the line (all its articles); zero only for documents.
    pub fn value(&self) -> Money {
        self.value
    }

    /// Absent only for documents.
    pub fn hs_code(&self) -> Option<&HsCode> {
        self.hs_code.as_ref()
    }

    /// The country of origin of the goods.
    pub fn origin(&self) -> CountryCode {
        self.origin
    }
}

/// A customs declaration that passed every check in [`DeclarationDraft::validate`].
///
/// Only validation builds one, so holding a `CustomsDeclaration` means its totals add up, its
/// lines share one currency, and its form was chosen for the item's stream and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomsDeclaration {
    category: ContentCategory,
    explanation: Option<String>,
    lines: Vec<DeclarationLine>,
    gross_weight: Grams,
    total_net_weight: Grams,
    total_value: Money,
    postal_charges: Option<Money>,
    comments: Option<String>,
    licence_numbers: Vec<String>,
    certificate_numbers: Vec<String>,
    invoice_number: Option<String>,
    importer_reference: Option<String>,
    sender_customs_reference: Option<String>,
    form: CustomsForm,
}

impl CustomsDeclaration {
    pub fn category(&self) -> ContentCategory {
        self.category
    }

    /// The explanation of the contents; present exactly when the category is `other`.
    pub fn explanation(&self) -> Option<&str> {
        self.explanation.as_deref()
    }

    /// One or more lines, at most [`MAX_DECLARATION_LINES`].
    pub fn lines(&self) -> &[DeclarationLine] {
        &self.lines
    }

    /// The weight of the whole item, at least the total net weight.
    pub fn gross_weight(&self) -> Grams {
        self.gross_weight
    }

    /// The sum of the lines' net weights.
    pub fn total_net_weight(&self) -> Grams {
        self.total_net_weight
    }

    /// The sum of the lines' values, in the declaration's one currency.
    pub fn total_value(&self) -> Money {
        self.total_value
    }

    /// The currency every line value is declared in.
    pub fn currency(&self) -> Currency {
        self.total_value.currency()
    }

    pub fn postal_charges(&self) -> Option<Money> {
        self.postal_charges
    }

    pub fn comments(&self) -> Option<&str> {
        self.comments.as_deref()
    }

    /// Non-empty exactly when the licence box is ticked.
    pub fn licence_numbers(&self) -> &[String] {
        &self.licence_numbers
    }

    pub fn has_licence(&self) -> bool {
        !self.licence_numbers.is_empty()
    }

    /// Non-empty exactly when the certificate box is ticked.
    pub fn certificate_numbers(&self) -> &[String] {
        &self.certificate_numbers
    }

    pub fn has_certificate(&self) -> bool {
        !self.certificate_numbers.is_empty()
    }

    pub fn invoice_number(&self) -> Option<&str> {
        self.invoice_number.as_deref()
    }

    /// The addressee's tax code, VAT number or importer code.
    pub fn importer_reference(&self) -> Option<&str> {
        self.importer_reference.as_deref()
    }

    pub fn sender_customs_reference(&self) -> Option<&str> {
        self.sender_customs_reference.as_deref()
    }

    /// The form chosen at validation, for the stream and SDR rate given then.
    pub fn form(&self) -> CustomsForm {
        self.form
    }

    /// The draft this declaration validates from, with the totals filled in: for editing a
    /// declaration, or for storing it and validating it again on load.
    pub fn to_draft(&self) -> DeclarationDraft {
        DeclarationDraft {
            category: self.category.as_str().to_owned(),
            category_explanation: self.explanation.clone().unwrap_or_default(),
            lines: self
                .lines
                .iter()
                .map(|line| DeclarationLineDraft {
                    description: line.description.clone(),
                    quantity: i64::from(line.quantity),
                    net_weight_grams: i64::from(line.net_weight.get()),
                    value: line.value.into(),
                    hs_code: line
                        .hs_code
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    origin: line.origin.to_string(),
                })
                .collect(),
            gross_weight_grams: i64::from(self.gross_weight.get()),
            total_value: Some(self.total_value.into()),
            total_net_weight_grams: Some(i64::from(self.total_net_weight.get())),
            postal_charges: self.postal_charges.map(MoneyDraft::from),
            comments: self.comments.clone().unwrap_or_default(),
            licence: self.has_licence(),
            licence_numbers: self.licence_numbers.clone(),
            certificate: self.has_certificate(),
            certificate_numbers: self.certificate_numbers.clone(),
            invoice_number: self.invoice_number.clone().unwrap_or_default(),
            importer_reference: self.importer_reference.clone().unwrap_or_default(),
            sender_customs_reference: self.sender_customs_reference.clone().unwrap_or_default(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// What was learnt from one line draft, even when the line as a whole is invalid, so the
/// declaration-level checks can still run on the parts that are sound.
struct LineCheck {
    currency: Option<Currency>,
    net_weight: Option<Grams>,
    value: Option<Money>,
    line: Option<DeclarationLine>,
}

/// Checks a whole number that must be more than zero and fit in a `u32`.
fn positive_u32(raw: i64, field: &str, errors: &mut Vec<FieldError>) -> Option<u32> {
    if raw <= 0 {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::NotPositive,
            format!("must be more than zero, found {raw}"),
        ));
        return None;
    }
    match u32::try_from(raw) {
        Ok(value) => Some(value),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                FieldErrorKind::TooLarge,
                format!("must be at most {}, found {raw}", u32::MAX),
            ));
            None
        }
    }
}

/// Parses the currency of a money draft, reporting at `{prefix}.currency`.
fn draft_currency(raw: &str, prefix: &str, errors: &mut Vec<FieldError>) -> Option<Currency> {
    let field = field_path(prefix, "currency");
    if raw.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::Required,
            "is required",
        ));
        return None;
    }
    match Currency::parse(raw) {
        Ok(currency) => Some(currency),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                FieldErrorKind::UnknownCurrency,
                error.to_string(),
            ));
            None
        }
    }
}

fn validate_line(
    index: usize,
    draft: &DeclarationLineDraft,
    category: Option<ContentCategory>,
    errors: &mut Vec<FieldError>,
) -> LineCheck {
    let prefix = format!("lines[{index}]");
    let at = |field: &str| field_path(&prefix, field);
    let is_documents = category == Some(ContentCategory::Documents);

    let description = required_text(
        &draft.description,
        &at("description"),
        DESCRIPTION_MAX_CHARS,
        errors,
    );
    let quantity = positive_u32(draft.quantity, &at("quantity"), errors);
    let net_weight =
        positive_u32(draft.net_weight_grams, &at("net_weight_grams"), errors).map(Grams::new);

    let value_prefix = at("value");
    let currency = draft_currency(&draft.value.currency, &value_prefix, errors);
    let amount = draft.value.amount_minor;
    let amount_field = field_path(&value_prefix, "amount_minor");
    // Documents may be declared at zero; every other category needs a value. While the
    // category is unknown only the sign is checked, so one bad field gives one error.
    let amount_ok = if amount < 0 {
        errors.push(if is_documents || category.is_none() {
            FieldError::new(
                amount_field,
                FieldErrorKind::Negative,
                format!("must not be negative, found {amount}"),
            )
        } else {
            FieldError::new(
                amount_field,
                FieldErrorKind::NotPositive,
                format!("must be more than zero, found {amount}"),
            )
        });
        false
    } else if amount == 0 && category.is_some() && !is_documents {
        errors.push(FieldError::new(
            amount_field,
            FieldErrorKind::NotPositive,
            "must be more than zero; only documents may be declared without value",
        ));
        false
    } else {
        true
    };
    let value = currency
        .filter(|_| amount_ok)
        .map(|currency| Money::new(amount, currency));

    let hs_field = at("hs_code");
    let hs_code = if draft.hs_code.trim().is_empty() {
        if category.is_some_and(|category| category.requires_hs_code()) {
            errors.push(FieldError::new(
                hs_field,
                FieldErrorKind::Required,
                "is required for commercial items (sale of goods, commercial sample, returned goods)",
            ));
            None
        } else {
            Some(None)
        }
    } else {
        match HsCode::parse(&draft.hs_code) {
            Ok(code) => Some(Some(code)),
            Err(error) => {
                errors.push(FieldError::new(
                    hs_field,
                    FieldErrorKind::InvalidHsCode,
                    error.to_string(),
                ));
                None
            }
        }
    };

    let origin = required_country(&draft.origin, &at("origin"), errors);

    let line = match (description, quantity, net_weight, value, hs_code, origin) {
        (
            Some(description),
            Some(quantity),
            Some(net_weight),
            Some(value),
            Some(hs_code),
            Some(origin),
        ) => Some(DeclarationLine {
            description,
            quantity,
            net_weight,
            value,
            hs_code,
            origin,
        }),
        _ => None,
    };
    LineCheck {
        currency,
        net_weight,
        value,
        line,
    }
}

/// Checks the numbers of a ticked box (licence, certificate). Blank entries are skipped, as a
/// form with a fixed number of inputs sends them.
fn document_numbers(
    ticked: bool,
    numbers: &[String],
    field: &str,
    what: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut valid = Vec::new();
    let mut given = 0;
    for (index, raw) in numbers.iter().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        given += 1;
        let path = format!("{field}[{index}]");
        if let Some(number) = optional_text(raw, &path, REFERENCE_MAX_CHARS, errors) {
            valid.push(number);
        }
    }
    if ticked && given == 0 {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::Required,
            format!("at least one {what} number is required when the {what} box is ticked"),
        ));
    } else if !ticked && given > 0 {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::NotAllowed,
            format!("{what} numbers are given but the {what} box is not ticked"),
        ));
    } else if given > MAX_DOCUMENT_NUMBERS {
        errors.push(FieldError::new(
            field,
            FieldErrorKind::TooMany,
            format!("at most {MAX_DOCUMENT_NUMBERS} {what} numbers, found {given}"),
        ));
    }
    valid
}

impl DeclarationDraft {
    /// Checks every field and returns the declaration, or every problem found.
    ///
    /// `stream` and `rate` choose the form (see [`choose_form`]); `rate` must be for the
    /// currency the lines are declared in, otherwise the first line's currency gets a
    /// `sdr_rate_currency_mismatch` error.
    pub fn validate(
        self,
        stream: MailStream,
        rate: &SdrRate,
    ) -> Result<CustomsDeclaration, Vec<FieldError>> {
        self.build(FormChoice::ByValue { stream, rate })
    }

    /// Rebuilds a stored declaration: every field is checked as in [`Self::validate`], but the
    /// form is the one chosen at acceptance. Re-choosing it with a newer SDR rate could turn a
    /// CN 22 into a CN 23 after the item was posted.
    pub fn restore(self, form: CustomsForm) -> Result<CustomsDeclaration, Vec<FieldError>> {
        self.build(FormChoice::Stored(form))
    }

    fn build(self, choice: FormChoice<'_>) -> Result<CustomsDeclaration, Vec<FieldError>> {
        let mut errors = Vec::new();

        let category = if self.category.trim().is_empty() {
            errors.push(FieldError::new(
                "category",
                FieldErrorKind::Required,
                "is required",
            ));
            None
        } else {
            match ContentCategory::parse(&self.category) {
                Ok(category) => Some(category),
                Err(error) => {
                    errors.push(FieldError::new(
                        "category",
                        FieldErrorKind::UnknownCategory,
                        error.to_string(),
                    ));
                    None
                }
            }
        };

        let explanation = match category {
            Some(ContentCategory::Other) => required_text(
                &self.category_explanation,
                "category_explanation",
                EXPLANATION_MAX_CHARS,
                &mut errors,
            ),
            Some(other) => {
                if !self.category_explanation.trim().is_empty() {
                    errors.push(FieldError::new(
                        "category_explanation",
                        FieldErrorKind::NotAllowed,
                        format!("is only given for category other, not {other}"),
                    ));
                }
                None
            }
            None => None,
        };

        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                FieldErrorKind::Required,
                "at least one content line is required",
            ));
        } else if self.lines.len() > MAX_DECLARATION_LINES {
            errors.push(FieldError::new(
                "lines",
                FieldErrorKind::TooMany,
                format!(
                    "at most {MAX_DECLARATION_LINES} content lines, found {}",
                    self.lines.len()
                ),
            ));
        }
        let mut checks: Vec<LineCheck> = self
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| validate_line(index, line, category, &mut errors))
            .collect();

        // The first line with a readable currency sets the declaration's currency.
        let declaration_currency = checks
            .iter()
            .enumerate()
            .find_map(|(index, check)| check.currency.map(|currency| (index, currency)));
        if let Some((_, currency)) = declaration_currency {
            for (index, check) in checks.iter_mut().enumerate() {
                if let Some(found) = check.currency.filter(|found| *found != currency) {
                    errors.push(FieldError::new(
                        format!("lines[{index}].value.currency"),
                        FieldErrorKind::CurrencyMismatch,
                        format!("every line must be in {currency} like the first, found {found}"),
                    ));
                    check.value = None;
                    check.line = None;
                }
            }
        }

        // Totals are computed only when every line contributes a sound figure.
        let total_value = match (declaration_currency, checks.is_empty()) {
            (Some((_, currency)), false) => {
                checks
                    .iter()
                    .try_fold(Some(Money::zero(currency)), |sum, check| {
                        match (sum, check.value) {
                            (Some(sum), Some(value)) => sum.checked_add(&value).map(Some),
                            _ => Ok(None),
                        }
                    })
            }
            _ => Ok(None),
        };
        let total_value = total_value.unwrap_or_else(|error| {
            errors.push(FieldError::new(
                "total_value",
                FieldErrorKind::Overflow,
                error.to_string(),
            ));
            None
        });
        let total_net_weight = if checks.is_empty() {
            Ok(None)
        } else {
            checks.iter().try_fold(Some(Grams::ZERO), |sum, check| {
                match (sum, check.net_weight) {
                    (Some(sum), Some(weight)) => sum.checked_add(weight).map(Some),
                    _ => Ok(None),
                }
            })
        };
        let total_net_weight = total_net_weight.unwrap_or_else(|error| {
            errors.push(FieldError::new(
                "total_net_weight_grams",
                FieldErrorKind::Overflow,
                error.to_string(),
            ));
            None
        });

        if let Some(declared) = &self.total_value {
            let declared_currency = draft_currency(&declared.currency, "total_value", &mut errors);
            match (declared_currency, declaration_currency) {
                (Some(found), Some((_, expected))) if found != expected => {
                    errors.push(FieldError::new(
                        "total_value.currency",
                        FieldErrorKind::CurrencyMismatch,
                        format!("the total must be in {expected} like the lines, found {found}"),
                    ));
                }
                (Some(currency), _) => {
                    if let Some(total) = total_value
                        && total.amount_minor() != declared.amount_minor
                    {
                        errors.push(FieldError::new(
                            "total_value",
                            FieldErrorKind::TotalsDoNotAddUp,
                            format!(
                                "declared {} but the lines add up to {total}",
                                Money::new(declared.amount_minor, currency)
                            ),
                        ));
                    }
                }
                (None, _) => {}
            }
        }
        if let (Some(declared), Some(total)) = (self.total_net_weight_grams, total_net_weight)
            && declared != i64::from(total.get())
        {
            errors.push(FieldError::new(
                "total_net_weight_grams",
                FieldErrorKind::TotalsDoNotAddUp,
                format!(
                    "declared {declared} g but the lines add up to {} g",
                    total.get()
                ),
            ));
        }

        let gross_weight = positive_u32(self.gross_weight_grams, "gross_weight_grams", &mut errors)
            .map(Grams::new);
        if let (Some(gross), Some(net)) = (gross_weight, total_net_weight)
            && gross < net
        {
            errors.push(FieldError::new(
                "gross_weight_grams",
                FieldErrorKind::GrossWeightBelowNetWeight,
                format!(
                    "the gross weight {} g is less than the contents' net weight {} g",
                    gross.get(),
                    net.get()
                ),
            ));
        }

        let postal_charges = self.postal_charges.as_ref().and_then(|draft| {
            let currency = draft_currency(&draft.currency, "postal_charges", &mut errors);
            if draft.amount_minor < 0 {
                errors.push(FieldError::new(
                    "postal_charges.amount_minor",
                    FieldErrorKind::Negative,
                    format!("must not be negative, found {}", draft.amount_minor),
                ));
                return None;
            }
            currency.map(|currency| Money::new(draft.amount_minor, currency))
        });

        let comments = optional_text(&self.comments, "comments", COMMENTS_MAX_CHARS, &mut errors);
        let invoice_number = optional_text(
            &self.invoice_number,
            "invoice_number",
            REFERENCE_MAX_CHARS,
            &mut errors,
        );
        let importer_reference = optional_text(
            &self.importer_reference,
            "importer_reference",
            REFERENCE_MAX_CHARS,
            &mut errors,
        );
        let sender_customs_reference = optional_text(
            &self.sender_customs_reference,
            "sender_customs_reference",
            REFERENCE_MAX_CHARS,
            &mut errors,
        );
        let licence_numbers = document_numbers(
            self.licence,
            &self.licence_numbers,
            "licence_numbers",
            "licence",
            &mut errors,
        );
        let certificate_numbers = document_numbers(
            self.certificate,
            &self.certificate_numbers,
            "certificate_numbers",
            "certificate",
            &mut errors,
        );

        let form = match (total_value, declaration_currency, choice) {
            (Some(_), Some(_), FormChoice::Stored(form)) => Some(form),
            (Some(total), Some((index, _)), FormChoice::ByValue { stream, rate }) => {
                match choose_form(stream, &total, rate) {
                    Ok(form) => Some(form),
                    Err(error) => {
                        errors.push(FieldError::new(
                            format!("lines[{index}].value.currency"),
                            FieldErrorKind::SdrRateCurrencyMismatch,
                            format!(
                                "{error}; declare the values in {} or use a matching rate",
                                rate.currency()
                            ),
                        ));
                        None
                    }
                }
            }
            _ => None,
        };

        let lines: Option<Vec<DeclarationLine>> =
            checks.into_iter().map(|check| check.line).collect();

        // Every `None` below has pushed at least one error above, so `errors` is never empty
        // when the declaration cannot be built.
        match (
            category,
            lines,
            gross_weight,
            total_net_weight,
            total_value,
            form,
        ) {
            (
                Some(category),
                Some(lines),
                Some(gross_weight),
                Some(total_net_weight),
                Some(total_value),
                Some(form),
            ) if errors.is_empty() => Ok(CustomsDeclaration {
                category,
                explanation,
                lines,
                gross_weight,
                total_net_weight,
                total_value,
                postal_charges,
                comments,
                licence_numbers,
                certificate_numbers,
                invoice_number,
                importer_reference,
                sender_customs_reference,
                form,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn egp_rate() -> SdrRate {
        SdrRate::parse("64.871234", Currency::EGP).unwrap()
    }

    fn egp(text: &str) -> Money {
        Money::parse_decimal(text, Currency::EGP).unwrap()
    }

    fn jod(text: &str) -> Money {
        Money::parse_decimal(text, Currency::JOD).unwrap()
    }

    fn line(description: &str, value_minor: i64, grams: i64, hs: &str) -> DeclarationLineDraft {
        DeclarationLineDraft {
            description: description.into(),
            quantity: 2,
            net_weight_grams: grams,
            value: MoneyDraft {
                amount_minor: value_minor,
                currency: "EGP".into(),
            },
            hs_code: hs.into(),
            origin: "EG".into(),
        }
    }

    /// A gift of two lines worth 1 250.00 EGP in all, 900 g net, 1 000 g gross.
    fn valid_draft() -> DeclarationDraft {
        DeclarationDraft {
            category: "gift".into(),
            lines: vec![
                line("2 men's cotton shirts", 75_000, 600, "6109.10"),
                line("كتاب طبخ", 50_000, 300, "4901 99"),
            ],
            gross_weight_grams: 1000,
            ..DeclarationDraft::default()
        }
    }

    fn errors_of(draft: DeclarationDraft) -> Vec<(String, &'static str)> {
        errors_with(draft, MailStream::LetterPost, &egp_rate())
    }

    fn errors_with(
        draft: DeclarationDraft,
        stream: MailStream,
        rate: &SdrRate,
    ) -> Vec<(String, &'static str)> {
        draft
            .validate(stream, rate)
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

    fn validate(draft: DeclarationDraft) -> CustomsDeclaration {
        draft.validate(MailStream::LetterPost, &egp_rate()).unwrap()
    }

    // --- form choice ----------------------------------------------------------------------

    #[test]
    fn egp_boundary_at_300_sdr() {
        // 300 SDR at 64.871234 is 19 461.3702 EGP.
        let rate = egp_rate();
        for stream in [MailStream::LetterPost, MailStream::Ems] {
            assert_eq!(
                choose_form(stream, &egp("19461.37"), &rate),
                Ok(CustomsForm::Cn22)
            );
            assert_eq!(
                choose_form(stream, &egp("19461.38"), &rate),
                Ok(CustomsForm::Cn23)
            );
        }
        // At 64.87 EGP per SDR, 300 SDR is exactly 19 461.00 EGP.
        let round = SdrRate::parse("64.87", Currency::EGP).unwrap();
        let stream = MailStream::LetterPost;
        assert_eq!(
            choose_form(stream, &egp("19461.00"), &round),
            Ok(CustomsForm::Cn22)
        );
        assert_eq!(
            choose_form(stream, &egp("19461.01"), &round),
            Ok(CustomsForm::Cn23)
        );
        assert_eq!(
            choose_form(stream, &egp("0.01"), &round),
            Ok(CustomsForm::Cn22)
        );
    }

    #[test]
    fn jod_boundary_at_300_sdr_with_three_decimals() {
        // At 0.965 JOD per SDR, 300 SDR is exactly 289.500 JOD.
        let rate = SdrRate::parse("0.965000", Currency::JOD).unwrap();
        for stream in [MailStream::LetterPost, MailStream::Ems] {
            assert_eq!(
                choose_form(stream, &jod("289.500"), &rate),
                Ok(CustomsForm::Cn22)
            );
            assert_eq!(
                choose_form(stream, &jod("289.501"), &rate),
                Ok(CustomsForm::Cn23)
            );
        }
        // At 0.965432, 300 SDR is 289.6296 JOD.
        let rate = SdrRate::parse("0.965432", Currency::JOD).unwrap();
        let stream = MailStream::Ems;
        assert_eq!(
            choose_form(stream, &jod("289.629"), &rate),
            Ok(CustomsForm::Cn22)
        );
        assert_eq!(
            choose_form(stream, &jod("289.630"), &rate),
            Ok(CustomsForm::Cn23)
        );
    }

    #[test]
    fn parcels_always_take_a_cn23() {
        let rate = egp_rate();
        for value in ["0.00", "0.01", "100.00", "19461.37", "50000.00"] {
            assert_eq!(
                choose_form(MailStream::Parcel, &egp(value), &rate),
                Ok(CustomsForm::Cn23),
                "{value}"
            );
        }
    }

    #[test]
    fn a_rate_in_another_currency_is_refused_for_every_stream() {
        for stream in [MailStream::LetterPost, MailStream::Ems, MailStream::Parcel] {
            let error = choose_form(stream, &jod("1.000"), &egp_rate()).unwrap_err();
            assert_eq!(
                error,
                FormChoiceError::SdrRateCurrencyMismatch {
                    rate: Currency::EGP,
                    declaration: Currency::JOD
                }
            );
            assert_eq!(error.code(), "sdr_rate_currency_mismatch");
        }
    }

    #[test]
    fn s10_services_map_to_streams() {
        assert_eq!(MailStream::from(S10Service::Parcel), MailStream::Parcel);
        assert_eq!(
            MailStream::from(S10Service::EcommerceParcel),
            MailStream::Parcel
        );
        assert_eq!(MailStream::from(S10Service::Ems), MailStream::Ems);
        for service in [
            S10Service::Registered,
            S10Service::Tracked,
            S10Service::Insured,
            S10Service::OtherLetterPost,
            S10Service::MBag,
            S10Service::Ibrs,
            S10Service::DomesticOrBilateral,
            S10Service::Unassigned,
        ] {
            assert_eq!(
                MailStream::from(service),
                MailStream::LetterPost,
                "{service:?}"
            );
        }
        let id = crate::s10::S10Id::parse("CP123456025EG").unwrap();
        assert_eq!(MailStream::from(id.service()), MailStream::Parcel);
    }

    #[test]
    fn forms_and_streams_have_stable_names() {
        assert_eq!(CustomsForm::Cn22.as_str(), "cn22");
        assert_eq!(CustomsForm::Cn23.to_string(), "CN 23");
        assert_eq!(
            serde_json::to_string(&CustomsForm::Cn22).unwrap(),
            "\"cn22\""
        );
        assert_eq!(
            serde_json::to_string(&MailStream::LetterPost).unwrap(),
            "\"letter_post\""
        );
        assert_eq!(MailStream::Parcel.as_str(), "parcel");
    }

    // --- categories and HS codes ----------------------------------------------------------

    #[test]
    fn categories_round_trip_through_their_names() {
        for category in ContentCategory::ALL {
            assert_eq!(ContentCategory::parse(category.as_str()), Ok(category));
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(json, format!("\"{}\"", category.as_str()));
            assert_eq!(
                serde_json::from_str::<ContentCategory>(&json).unwrap(),
                category
            );
        }
        assert_eq!(
            ContentCategory::parse(" Sale_Of_Goods "),
            Ok(ContentCategory::SaleOfGoods)
        );
        let error = ContentCategory::parse("present").unwrap_err();
        assert_eq!(error.code(), "unknown_category");
        assert!(serde_json::from_str::<ContentCategory>("\"sale of goods\"").is_err());
        assert!(ContentCategory::Other.requires_explanation());
        assert!(!ContentCategory::Gift.requires_explanation());
    }

    #[test]
    fn a_stored_declaration_keeps_its_form_whatever_the_rate_is_now() {
        let declaration = valid_draft()
            .validate(MailStream::LetterPost, &egp_rate())
            .unwrap();
        assert_eq!(declaration.form(), CustomsForm::Cn22);
        let restored = declaration.to_draft().restore(CustomsForm::Cn22).unwrap();
        assert_eq!(restored, declaration);
        // A declaration stored as CN 23 (say, under an older, lower rate) stays CN 23.
        let as_cn23 = declaration.to_draft().restore(CustomsForm::Cn23).unwrap();
        assert_eq!(as_cn23.form(), CustomsForm::Cn23);
        // Fields are still checked.
        let mut broken = declaration.to_draft();
        broken.lines[0].origin = "ZZ".into();
        let errors = broken.restore(CustomsForm::Cn22).unwrap_err();
        assert_eq!(errors[0].field(), "lines[0].origin");
    }

    #[test]
    fn hs_codes_drop_dots_and_spaces() {
        assert_eq!(HsCode::parse("6109.10").unwrap().as_str(), "610910");
        assert_eq!(
            HsCode::parse(" 6109 10 00 10 ").unwrap().as_str(),
            "6109100010"
        );
        assert_eq!(
            HsCode::parse("6109.10.0010").unwrap().subheading(),
            "610910"
        );
        assert_eq!(HsCode::parse("61091000").unwrap().to_string(), "61091000");
        assert_eq!(
            HsCode::parse("61091"),
            Err(HsCodeError::Length { found: 5 })
        );
        assert_eq!(
            HsCode::parse("61091000101"),
            Err(HsCodeError::Length { found: 11 })
        );
        assert_eq!(HsCode::parse(""), Err(HsCodeError::Length { found: 0 }));
        assert_eq!(
            HsCode::parse("6109-10"),
            Err(HsCodeError::Character { found: '-' })
        );
        assert_eq!(
            HsCode::parse("٦١٠٩١٠"),
            Err(HsCodeError::Character { found: '٦' })
        );
        assert_eq!(
            HsCode::parse("6109\t10"),
            Err(HsCodeError::Character { found: '\t' })
        );
        assert_eq!(
            HsCode::parse("abcdef").unwrap_err().code(),
            "invalid_hs_code"
        );
        let parsed: HsCode = serde_json::from_str("\"6109.10\"").unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), "\"610910\"");
        assert!(serde_json::from_str::<HsCode>("\"6109\"").is_err());
    }

    // --- a valid declaration ---------------------------------------------------------------

    #[test]
    fn a_valid_draft_becomes_a_declaration() {
        let declaration = validate(valid_draft());
        assert_eq!(declaration.category(), ContentCategory::Gift);
        assert_eq!(declaration.explanation(), None);
        assert_eq!(declaration.lines().len(), 2);
        let first = &declaration.lines()[0];
        assert_eq!(first.description(), "2 men's cotton shirts");
        assert_eq!(first.quantity(), 2);
        assert_eq!(first.net_weight(), Grams::new(600));
        assert_eq!(first.value(), egp("750.00"));
        assert_eq!(first.hs_code().map(HsCode::as_str), Some("610910"));
        assert_eq!(first.origin().as_str(), "EG");
        assert_eq!(declaration.lines()[1].description(), "كتاب طبخ");
        assert_eq!(declaration.total_value(), egp("1250.00"));
        assert_eq!(declaration.currency(), Currency::EGP);
        assert_eq!(declaration.total_net_weight(), Grams::new(900));
        assert_eq!(declaration.gross_weight(), Grams::new(1000));
        assert_eq!(declaration.form(), CustomsForm::Cn22);
        assert!(!declaration.has_licence());
        assert!(!declaration.has_certificate());
        assert_eq!(declaration.postal_charges(), None);
    }

    #[test]
    fn the_form_follows_stream_and_value() {
        let parcel = valid_draft()
            .validate(MailStream::Parcel, &egp_rate())
            .unwrap();
        assert_eq!(parcel.form(), CustomsForm::Cn23);
        let mut draft = valid_draft();
        draft.lines[0].value.amount_minor = 1_946_137 - 50_000;
        assert_eq!(validate(draft.clone()).form(), CustomsForm::Cn22);
        draft.lines[0].value.amount_minor += 1;
        let declaration = draft.validate(MailStream::Ems, &egp_rate()).unwrap();
        assert_eq!(declaration.total_value(), egp("19461.38"));
        assert_eq!(declaration.form(), CustomsForm::Cn23);
    }

    #[test]
    fn every_optional_field_is_kept_trimmed() {
        let mut draft = valid_draft();
        draft.category = "other".into();
        draft.category_explanation = "  spare parts for a sewing machine ".into();
        draft.total_value = Some(MoneyDraft {
            amount_minor: 125_000,
            currency: "egp".into(),
        });
        draft.total_net_weight_grams = Some(900);
        draft.postal_charges = Some(MoneyDraft {
            amount_minor: 9_500,
            currency: "USD".into(),
        });
        draft.comments = "subject to phytosanitary inspection".into();
        draft.licence = true;
        draft.licence_numbers = vec![" LIC-1 ".into(), "".into(), "LIC-2".into()];
        draft.certificate = true;
        draft.certificate_numbers = vec!["CERT-9".into()];
        draft.invoice_number = "INV-2026-001".into();
        draft.importer_reference = "EG-TAX-123456789".into();
        draft.sender_customs_reference = "EORI-EG-1".into();
        let declaration = validate(draft);
        assert_eq!(declaration.category(), ContentCategory::Other);
        assert_eq!(
            declaration.explanation(),
            Some("spare parts for a sewing machine")
        );
        assert_eq!(
            declaration.postal_charges(),
            Some(Money::new(9_500, Currency::USD))
        );
        assert_eq!(
            declaration.comments(),
            Some("subject to phytosanitary inspection")
        );
        assert_eq!(declaration.licence_numbers(), ["LIC-1", "LIC-2"]);
        assert_eq!(declaration.certificate_numbers(), ["CERT-9"]);
        assert_eq!(declaration.invoice_number(), Some("INV-2026-001"));
        assert_eq!(declaration.importer_reference(), Some("EG-TAX-123456789"));
        assert_eq!(declaration.sender_customs_reference(), Some("EORI-EG-1"));
    }

    #[test]
    fn documents_need_no_hs_code_and_may_be_worth_nothing() {
        let mut draft = valid_draft();
        draft.category = "documents".into();
        draft.lines = vec![line("contract papers", 0, 120, "")];
        draft.gross_weight_grams = 150;
        let declaration = validate(draft);
        assert_eq!(declaration.lines()[0].hs_code(), None);
        assert_eq!(declaration.total_value(), egp("0"));
        assert_eq!(declaration.form(), CustomsForm::Cn22);
    }

    #[test]
    fn twenty_lines_and_the_maximum_are_accepted() {
        for count in [20, MAX_DECLARATION_LINES] {
            let mut draft = valid_draft();
            draft.lines = (0..count)
                .map(|i| line(&format!("item {i}"), 100, 10, "610910"))
                .collect();
            draft.gross_weight_grams = 10 * i64::try_from(count).unwrap();
            assert_eq!(validate(draft).lines().len(), count);
        }
    }

    #[test]
    fn a_declaration_round_trips_through_its_draft() {
        let mut draft = valid_draft();
        draft.licence = true;
        draft.licence_numbers = vec!["LIC-1".into()];
        draft.postal_charges = Some(MoneyDraft {
            amount_minor: 4_000,
            currency: "EGP".into(),
        });
        let declaration = validate(draft);
        assert_eq!(validate(declaration.to_draft()), declaration);
    }

    #[test]
    fn a_json_draft_with_missing_fields_reports_them_as_required() {
        let draft: DeclarationDraft =
            serde_json::from_str(r#"{"lines":[{"description":"shirt"}]}"#).unwrap();
        let errors = errors_of(draft);
        for expected in [
            ("category", "required"),
            ("lines[0].quantity", "not_positive"),
            ("lines[0].net_weight_grams", "not_positive"),
            ("lines[0].value.currency", "required"),
            ("lines[0].origin", "required"),
            ("gross_weight_grams", "not_positive"),
        ] {
            assert!(
                errors.contains(&(expected.0.to_owned(), expected.1)),
                "{expected:?} missing from {errors:?}"
            );
        }
    }

    // --- one test per rule --------------------------------------------------------------

    #[test]
    fn at_least_one_line_is_required() {
        let mut draft = valid_draft();
        draft.lines.clear();
        assert_eq!(errors_of(draft), only("lines", "required"));
    }

    #[test]
    fn too_many_lines_are_refused() {
        let mut draft = valid_draft();
        draft.lines = vec![line("pen", 100, 10, "960810"); MAX_DECLARATION_LINES + 1];
        draft.gross_weight_grams = 5000;
        assert_eq!(errors_of(draft), only("lines", "too_many"));
    }

    #[test]
    fn a_description_is_required_plain_and_bounded() {
        let mut draft = valid_draft();
        draft.lines[1].description = "   ".into();
        assert_eq!(errors_of(draft), only("lines[1].description", "required"));
        let mut draft = valid_draft();
        draft.lines[0].description = "ش".repeat(DESCRIPTION_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("lines[0].description", "too_long"));
        let mut draft = valid_draft();
        draft.lines[0].description = "ش".repeat(DESCRIPTION_MAX_CHARS);
        assert!(draft.validate(MailStream::LetterPost, &egp_rate()).is_ok());
        let mut draft = valid_draft();
        draft.lines[0].description = "shirts\nand socks".into();
        assert_eq!(
            errors_of(draft),
            only("lines[0].description", "control_character")
        );
    }

    #[test]
    fn quantity_must_be_positive() {
        for (quantity, code) in [
            (0, "not_positive"),
            (-3, "not_positive"),
            (1 << 40, "too_large"),
        ] {
            let mut draft = valid_draft();
            draft.lines[1].quantity = quantity;
            assert_eq!(
                errors_of(draft),
                only("lines[1].quantity", code),
                "{quantity}"
            );
        }
    }

    #[test]
    fn net_weight_must_be_positive() {
        let mut draft = valid_draft();
        draft.lines[0].net_weight_grams = 0;
        assert_eq!(
            errors_of(draft),
            only("lines[0].net_weight_grams", "not_positive")
        );
        let mut draft = valid_draft();
        draft.lines[0].net_weight_grams = -1;
        assert_eq!(
            errors_of(draft),
            only("lines[0].net_weight_grams", "not_positive")
        );
    }

    #[test]
    fn value_must_be_positive_except_for_documents() {
        let mut draft = valid_draft();
        draft.lines[0].value.amount_minor = 0;
        assert_eq!(
            errors_of(draft),
            only("lines[0].value.amount_minor", "not_positive")
        );
        let mut draft = valid_draft();
        draft.lines[0].value.amount_minor = -100;
        assert_eq!(
            errors_of(draft),
            only("lines[0].value.amount_minor", "not_positive")
        );
        let mut draft = valid_draft();
        draft.category = "documents".into();
        draft.lines[0].value.amount_minor = -100;
        assert_eq!(
            errors_of(draft),
            only("lines[0].value.amount_minor", "negative")
        );
    }

    #[test]
    fn hs_code_is_required_for_commercial_items_and_checked_when_given() {
        // The valid draft is a gift: the HS code is optional there.
        let mut draft = valid_draft();
        draft.lines[1].hs_code = " ".into();
        let declaration = draft.validate(MailStream::LetterPost, &egp_rate()).unwrap();
        assert_eq!(declaration.lines()[1].hs_code(), None);
        for category in ["commercial_sample", "returned_goods", "sale_of_goods"] {
            let mut draft = valid_draft();
            draft.category = category.into();
            draft.lines[0].hs_code = String::new();
            assert_eq!(
                errors_of(draft),
                only("lines[0].hs_code", "required"),
                "{category}"
            );
        }
        let mut draft = valid_draft();
        draft.lines[1].hs_code = "6109-10".into();
        assert_eq!(
            errors_of(draft),
            only("lines[1].hs_code", "invalid_hs_code")
        );
        let mut draft = valid_draft();
        draft.category = "documents".into();
        draft.lines[0].hs_code = "4901".into();
        assert_eq!(
            errors_of(draft),
            only("lines[0].hs_code", "invalid_hs_code")
        );
    }

    #[test]
    fn origin_is_required_on_every_line() {
        let mut draft = valid_draft();
        draft.lines[0].origin = String::new();
        assert_eq!(errors_of(draft), only("lines[0].origin", "required"));
        let mut draft = valid_draft();
        draft.category = "documents".into();
        draft.lines[1].origin = "XX".into();
        assert_eq!(errors_of(draft), only("lines[1].origin", "unknown_country"));
        let mut draft = valid_draft();
        draft.lines[1].origin = "Egypt".into();
        assert_eq!(errors_of(draft), only("lines[1].origin", "unknown_country"));
    }

    #[test]
    fn every_line_needs_a_known_currency() {
        let mut draft = valid_draft();
        draft.lines[0].value.currency = String::new();
        assert_eq!(
            errors_of(draft),
            only("lines[0].value.currency", "required")
        );
        let mut draft = valid_draft();
        draft.lines[1].value.currency = "QQQ".into();
        assert_eq!(
            errors_of(draft),
            only("lines[1].value.currency", "unknown_currency")
        );
    }

    #[test]
    fn all_lines_share_one_currency() {
        let mut draft = valid_draft();
        draft.lines[1].value.currency = "JOD".into();
        assert_eq!(
            errors_of(draft),
            only("lines[1].value.currency", "currency_mismatch")
        );
    }

    #[test]
    fn declared_total_value_must_add_up() {
        let mut draft = valid_draft();
        draft.total_value = Some(MoneyDraft {
            amount_minor: 125_001,
            currency: "EGP".into(),
        });
        assert_eq!(
            errors_of(draft),
            only("total_value", "totals_do_not_add_up")
        );
        let mut draft = valid_draft();
        draft.total_value = Some(MoneyDraft {
            amount_minor: 125_000,
            currency: "JOD".into(),
        });
        assert_eq!(
            errors_of(draft),
            only("total_value.currency", "currency_mismatch")
        );
        let mut draft = valid_draft();
        draft.total_value = Some(MoneyDraft {
            amount_minor: 125_000,
            currency: "EGP".into(),
        });
        assert_eq!(validate(draft).total_value(), egp("1250"));
    }

    #[test]
    fn declared_total_net_weight_must_add_up() {
        let mut draft = valid_draft();
        draft.total_net_weight_grams = Some(901);
        assert_eq!(
            errors_of(draft),
            only("total_net_weight_grams", "totals_do_not_add_up")
        );
        let mut draft = valid_draft();
        draft.total_net_weight_grams = Some(900);
        assert_eq!(validate(draft).total_net_weight(), Grams::new(900));
    }

    #[test]
    fn gross_weight_is_positive_and_at_least_the_net_weight() {
        let mut draft = valid_draft();
        draft.gross_weight_grams = 899;
        assert_eq!(
            errors_of(draft),
            only("gross_weight_grams", "gross_weight_below_net_weight")
        );
        let mut draft = valid_draft();
        draft.gross_weight_grams = 900;
        assert_eq!(validate(draft).gross_weight(), Grams::new(900));
        let mut draft = valid_draft();
        draft.gross_weight_grams = 0;
        assert_eq!(errors_of(draft), only("gross_weight_grams", "not_positive"));
        let mut draft = valid_draft();
        draft.gross_weight_grams = i64::from(u32::MAX) + 1;
        assert_eq!(errors_of(draft), only("gross_weight_grams", "too_large"));
    }

    #[test]
    fn the_category_is_required_and_known() {
        let mut draft = valid_draft();
        draft.category = String::new();
        assert_eq!(errors_of(draft), only("category", "required"));
        let mut draft = valid_draft();
        draft.category = "present".into();
        assert_eq!(errors_of(draft), only("category", "unknown_category"));
    }

    #[test]
    fn an_explanation_is_required_exactly_for_other() {
        let mut draft = valid_draft();
        draft.category = "other".into();
        assert_eq!(errors_of(draft), only("category_explanation", "required"));
        let mut draft = valid_draft();
        draft.category_explanation = "for my sister".into();
        assert_eq!(
            errors_of(draft),
            only("category_explanation", "not_allowed")
        );
        let mut draft = valid_draft();
        draft.category = "other".into();
        draft.category_explanation = "x".repeat(EXPLANATION_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("category_explanation", "too_long"));
    }

    #[test]
    fn licence_and_certificate_numbers_follow_their_boxes() {
        let mut draft = valid_draft();
        draft.licence = true;
        draft.licence_numbers = vec!["  ".into()];
        assert_eq!(errors_of(draft), only("licence_numbers", "required"));
        let mut draft = valid_draft();
        draft.licence_numbers = vec!["LIC-1".into()];
        assert_eq!(errors_of(draft), only("licence_numbers", "not_allowed"));
        let mut draft = valid_draft();
        draft.certificate = true;
        assert_eq!(errors_of(draft), only("certificate_numbers", "required"));
        let mut draft = valid_draft();
        draft.certificate_numbers = vec!["CERT-1".into()];
        assert_eq!(errors_of(draft), only("certificate_numbers", "not_allowed"));
        let mut draft = valid_draft();
        draft.certificate = true;
        draft.certificate_numbers = vec!["".into(), "C".repeat(REFERENCE_MAX_CHARS + 1)];
        assert_eq!(errors_of(draft), only("certificate_numbers[1]", "too_long"));
        let mut draft = valid_draft();
        draft.licence = true;
        draft.licence_numbers = (0..=MAX_DOCUMENT_NUMBERS)
            .map(|i| format!("L{i}"))
            .collect();
        assert_eq!(errors_of(draft), only("licence_numbers", "too_many"));
    }

    #[test]
    fn postal_charges_are_a_known_currency_and_not_negative() {
        let mut draft = valid_draft();
        draft.postal_charges = Some(MoneyDraft {
            amount_minor: -1,
            currency: "EGP".into(),
        });
        assert_eq!(
            errors_of(draft),
            only("postal_charges.amount_minor", "negative")
        );
        let mut draft = valid_draft();
        draft.postal_charges = Some(MoneyDraft {
            amount_minor: 100,
            currency: "EURO".into(),
        });
        assert_eq!(
            errors_of(draft),
            only("postal_charges.currency", "unknown_currency")
        );
    }

    #[test]
    fn free_text_references_are_bounded() {
        let long = "R".repeat(REFERENCE_MAX_CHARS + 1);
        for field in [
            "invoice_number",
            "importer_reference",
            "sender_customs_reference",
        ] {
            let mut draft = valid_draft();
            match field {
                "invoice_number" => draft.invoice_number = long.clone(),
                "importer_reference" => draft.importer_reference = long.clone(),
                _ => draft.sender_customs_reference = long.clone(),
            }
            assert_eq!(errors_of(draft), only(field, "too_long"));
        }
        let mut draft = valid_draft();
        draft.comments = "c".repeat(COMMENTS_MAX_CHARS + 1);
        assert_eq!(errors_of(draft), only("comments", "too_long"));
        let mut draft = valid_draft();
        draft.comments = "quarantine\u{0007}".into();
        assert_eq!(errors_of(draft), only("comments", "control_character"));
    }

    #[test]
    fn the_rate_must_be_for_the_declaration_currency() {
        let jod_rate = SdrRate::parse("0.965", Currency::JOD).unwrap();
        for stream in [MailStream::LetterPost, MailStream::Parcel] {
            assert_eq!(
                errors_with(valid_draft(), stream, &jod_rate),
                only("lines[0].value.currency", "sdr_rate_currency_mismatch")
            );
        }
    }

    #[test]
    fn overflowing_totals_are_reported_not_wrapped() {
        let mut draft = valid_draft();
        draft.lines[0].value.amount_minor = i64::MAX;
        assert_eq!(errors_of(draft), only("total_value", "overflow"));
        let mut draft = valid_draft();
        draft.lines[0].net_weight_grams = i64::from(u32::MAX);
        draft.gross_weight_grams = i64::from(u32::MAX);
        assert_eq!(errors_of(draft), only("total_net_weight_grams", "overflow"));
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let draft = DeclarationDraft {
            category: "other".into(),
            lines: vec![
                DeclarationLineDraft {
                    description: "phone case".into(),
                    quantity: 0,
                    net_weight_grams: 50,
                    value: MoneyDraft {
                        amount_minor: 2_000,
                        currency: "EGP".into(),
                    },
                    hs_code: "3926".into(),
                    origin: "CN".into(),
                },
                line("charger", 3_000, 100, "850440"),
                DeclarationLineDraft {
                    origin: "ZZ".into(),
                    ..line("cable", 500, 30, "")
                },
            ],
            gross_weight_grams: 100,
            total_value: Some(MoneyDraft {
                amount_minor: 1,
                currency: "EGP".into(),
            }),
            licence: true,
            ..DeclarationDraft::default()
        };
        assert_eq!(
            errors_of(draft),
            vec![
                ("category_explanation".to_owned(), "required"),
                ("lines[0].quantity".to_owned(), "not_positive"),
                ("lines[0].hs_code".to_owned(), "invalid_hs_code"),
                ("lines[2].origin".to_owned(), "unknown_country"),
                ("total_value".to_owned(), "totals_do_not_add_up"),
                (
                    "gross_weight_grams".to_owned(),
                    "gross_weight_below_net_weight"
                ),
                ("licence_numbers".to_owned(), "required"),
            ]
        );
    }

    #[test]
    fn field_errors_expose_path_code_and_message() {
        let error = FieldError::new("lines[2].hs_code", FieldErrorKind::InvalidHsCode, "bad");
        assert_eq!(error.field(), "lines[2].hs_code");
        assert_eq!(error.code(), "invalid_hs_code");
        assert_eq!(error.kind(), FieldErrorKind::InvalidHsCode);
        assert_eq!(error.to_string(), "lines[2].hs_code: bad");
    }

    fn hs_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            (0u8..=9, proptest::sample::select(vec!["", "", ".", " "])),
            6..=10,
        )
        .prop_map(|digits| {
            digits
                .into_iter()
                .map(|(digit, separator)| format!("{digit}{separator}"))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn hs_codes_round_trip(text in hs_text()) {
            let parsed = HsCode::parse(&text).unwrap();
            let shown = parsed.to_string();
            prop_assert_eq!(shown.len(), text.chars().filter(char::is_ascii_digit).count());
            prop_assert_eq!(HsCode::parse(&shown), Ok(parsed));
        }

        #[test]
        fn hs_code_parsing_never_panics(text in "\\PC{0,20}") {
            let _ = HsCode::parse(&text);
        }

        #[test]
        fn the_form_flips_exactly_above_300_sdr(
            micro in 1_000u64..=10_000_000_000,
            amount in 0i64..=10_000_000_000,
        ) {
            let rate = SdrRate::from_micro_units(Currency::JOD, micro).unwrap();
            let limit = rate.max_amount_within_sdr(CN22_MAX_SDR).unwrap();
            let value = Money::new(amount, Currency::JOD);
            let expected = if amount <= limit.amount_minor() { CustomsForm::Cn22 } else { CustomsForm::Cn23 };
            prop_assert_eq!(choose_form(MailStream::LetterPost, &value, &rate), Ok(expected));
            prop_assert_eq!(choose_form(MailStream::Parcel, &value, &rate), Ok(CustomsForm::Cn23));
        }
    }
}
