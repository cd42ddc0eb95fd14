//! Turning a filled acceptance form into an [`AcceptanceDraft`], and an acceptance issue's
//! field path back into the form field it belongs to. The web form and the CSV upload share it:
//! a CSV file's columns are the form's field names, so both read an item the same way.
//!
//! What belongs here: reading fields (Arabic-Indic digits, decimal amounts in the line's
//! currency, comma lists). What does not: the rules of acceptance ([`crate::acceptance`]).

use std::collections::{BTreeMap, BTreeSet};

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::party::{LatinDraft, ascii_digits};
use barid_core::{ContentCategory, Currency, DeclarationDraft, Money, PartyDraft};

use crate::acceptance::{AcceptanceDraft, AcceptanceIssue};

/// The most customs lines one item may have on the form or in a CSV file.
pub const MAX_LINES: usize = 20;

/// The form as the clerk filled it: field name → value, in the names the template uses
/// (`sender.name`, `customs.lines.0.value`).
#[derive(Debug, Clone, Default)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    /// The value typed, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", |value| value.trim())
    }

    pub fn set_default(&mut self, name: &str, value: impl Into<String>) {
        let entry = self.0.entry(name.to_owned()).or_default();
        if entry.trim().is_empty() {
            *entry = value.into();
        }
    }

    /// The customs line indices present, in order.
    pub fn line_indices(&self) -> Vec<usize> {
        let indices: BTreeSet<usize> = self
            .0
            .keys()
            .filter_map(|key| key.strip_prefix("customs.lines."))
            .filter_map(|rest| rest.split_once('.'))
            .filter_map(|(index, _)| index.parse().ok())
            .filter(|index| *index < MAX_LINES)
            .collect();
        indices.into_iter().collect()
    }
}

/// The form field an issue's path belongs to: `customs.lines[0].value.amount_minor` is
/// `customs.lines.0.value`, `sender.address_lines[1]` is `sender.address_line2`.
pub fn form_field(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let mut name = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let (before, after) = rest.split_at(open);
        let close = after.find(']')?;
        let index = after.get(1..close)?;
        name.push_str(before);
        name.push('.');
        name.push_str(index);
        rest = after.get(close + 1..)?;
    }
    name.push_str(rest);
    let name = name
        .replace(".value.amount_minor", ".value")
        .replace(".value.currency", ".currency");
    let mut parts: Vec<String> = name.split('.').map(str::to_owned).collect();
    // Address lines are two inputs; a numbered licence or certificate is one comma list.
    if let Some(position) = parts.iter().position(|part| part == "address_lines") {
        let line = parts
            .get(position + 1)
            .and_then(|index| index.parse::<usize>().ok())
            .map_or(1, |index| index + 1);
        parts.truncate(position);
        parts.push(format!("address_line{line}"));
    } else if let Some(position) = parts
        .iter()
        .position(|part| part == "licence_numbers" || part == "certificate_numbers")
    {
        parts.truncate(position + 1);
    } else if parts.last().is_some_and(|part| part == "licence") {
        parts.pop();
        parts.push("licence_numbers".to_owned());
    } else if parts.last().is_some_and(|part| part == "certificate") {
        parts.pop();
        parts.push("certificate_numbers".to_owned());
    } else if parts.as_slice() == ["customs", "lines"] {
        parts.extend(["0".to_owned(), "description".to_owned()]);
    }
    Some(parts.join("."))
}

fn number(fields: &Fields, name: &str, issues: &mut Vec<AcceptanceIssue>) -> Option<i64> {
    let text = fields.get(name);
    if text.is_empty() {
        return None;
    }
    let ascii = ascii_digits(text);
    match ascii.parse::<i64>() {
        Ok(value) => Some(value),
        Err(_) => {
            issues.push(AcceptanceIssue {
                field: name.to_owned(),
                code: "not_a_number".to_owned(),
                message: format!("{name} must be a whole number, found {text:?}"),
            });
            None
        }
    }
}

fn list(text: &str) -> Vec<String> {
    text.split([',', '،', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

fn party(fields: &Fields, prefix: &str, fallback_country: &str) -> PartyDraft {
    let at = |field: &str| fields.get(&format!("{prefix}.{field}")).to_owned();
    let lines = |base: &str| -> Vec<String> {
        [
            at(&format!("{base}address_line1")),
            at(&format!("{base}address_line2")),
        ]
        .into_iter()
        .filter(|line| !line.is_empty())
        .collect()
    };
    let latin = LatinDraft {
        name: at("latin.name"),
        address_lines: lines("latin."),
        city: at("latin.city"),
    };
    let has_latin =
        !latin.name.is_empty() || !latin.address_lines.is_empty() || !latin.city.is_empty();
    let country = at("country");
    PartyDraft {
        name: at("name"),
        business_name: at("business_name"),
        address_lines: lines(""),
        city: at("city"),
        postcode: at("postcode"),
        country: if country.is_empty() {
            fallback_country.to_owned()
        } else {
            country
        },
        phone: at("phone"),
        email: at("email"),
        latin: has_latin.then_some(latin),
    }
}

/// The draft the form describes, and the problems of fields that do not even read (a weight
/// that is not a number, a value that is not an amount).
pub fn draft_from_fields(fields: &Fields) -> (AcceptanceDraft, Vec<AcceptanceIssue>) {
    let mut issues = Vec::new();
    let destination = fields.get("destination").to_ascii_uppercase();
    let weight = number(fields, "weight_grams", &mut issues).unwrap_or(0);
    let mut lines = Vec::new();
    for index in fields.line_indices() {
        let at = |field: &str| format!("customs.lines.{index}.{field}");
        let typed = ["description", "net_weight_grams", "value", "hs_code"]
            .iter()
            .any(|field| !fields.get(&at(field)).is_empty());
        if !typed {
            continue;
        }
        let currency_text = fields.get(&at("currency")).to_ascii_uppercase();
        let value_text = fields.get(&at("value"));
        let amount_minor = match Currency::parse(&currency_text) {
            Ok(currency) if !value_text.is_empty() => {
                match Money::parse_decimal(&ascii_digits(value_text), currency) {
                    Ok(money) => money.amount_minor(),
                    Err(error) => {
                        issues.push(AcceptanceIssue {
                            field: at("value"),
                            code: error.code().to_owned(),
                            message: error.to_string(),
                        });
                        0
                    }
                }
            }
            // An unknown currency or a missing value is the declaration's to report.
            _ => 0,
        };
        lines.push(DeclarationLineDraft {
            description: fields.get(&at("description")).to_owned(),
            quantity: number(fields, &at("quantity"), &mut issues).unwrap_or(0),
            net_weight_grams: number(fields, &at("net_weight_grams"), &mut issues).unwrap_or(0),
            value: MoneyDraft {
                amount_minor,
                currency: currency_text,
            },
            hs_code: fields.get(&at("hs_code")).to_owned(),
            origin: fields.get(&at("origin")).to_ascii_uppercase(),
        });
    }
    let licence_numbers = list(fields.get("customs.licence_numbers"));
    let certificate_numbers = list(fields.get("customs.certificate_numbers"));
    let customs_typed = !lines.is_empty()
        || !fields.get("customs.invoice_number").is_empty()
        || !licence_numbers.is_empty()
        || !certificate_numbers.is_empty()
        || fields.get("customs.category") == ContentCategory::Other.as_str();
    let customs = customs_typed.then(|| DeclarationDraft {
        category: fields.get("customs.category").to_owned(),
        category_explanation: fields.get("customs.category_explanation").to_owned(),
        lines,
        gross_weight_grams: number(fields, "customs.gross_weight_grams", &mut issues)
            .unwrap_or(weight),
        total_value: None,
        total_net_weight_grams: None,
        postal_charges: None,
        comments: fields.get("customs.comments").to_owned(),
        licence: !licence_numbers.is_empty(),
        licence_numbers,
        certificate: !certificate_numbers.is_empty(),
        certificate_numbers,
        invoice_number: fields.get("customs.invoice_number").to_owned(),
        importer_reference: fields.get("customs.importer_reference").to_owned(),
        sender_customs_reference: fields.get("customs.sender_customs_reference").to_owned(),
    });
    let draft = AcceptanceDraft {
        service: fields.get("service").to_owned(),
        service_indicator: fields.get("service_indicator").to_ascii_uppercase(),
        weight_grams: weight,
        length_mm: number(fields, "length_mm", &mut issues),
        width_mm: number(fields, "width_mm", &mut issues),
        height_mm: number(fields, "height_mm", &mut issues),
        contents: fields.get("contents").to_owned(),
        sender: party(fields, "sender", ""),
        addressee: party(fields, "addressee", &destination),
        customs,
        destination,
    };
    (draft, issues)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn issue_paths_map_to_the_form_fields() {
        for (path, field) in [
            ("weight_grams", "weight_grams"),
            ("customs.lines[0].hs_code", "customs.lines.0.hs_code"),
            (
                "customs.lines[2].value.amount_minor",
                "customs.lines.2.value",
            ),
            (
                "customs.lines[1].value.currency",
                "customs.lines.1.currency",
            ),
            ("sender.address_lines", "sender.address_line1"),
            ("addressee.address_lines[1]", "addressee.address_line2"),
            (
                "sender.latin.address_lines[0]",
                "sender.latin.address_line1",
            ),
            ("customs.licence_numbers[0]", "customs.licence_numbers"),
            ("customs.licence", "customs.licence_numbers"),
            ("customs.lines", "customs.lines.0.description"),
        ] {
            assert_eq!(form_field(path).as_deref(), Some(field), "{path}");
        }
        assert_eq!(form_field(""), None);
        assert_eq!(form_field("a[").as_deref(), None);
    }

    #[test]
    fn the_form_becomes_a_draft_with_customs_lines_in_minor_units() {
        let form = fields(&[
            ("service", "ems"),
            ("destination", "ps"),
            ("weight_grams", "١٢٠٠"),
            ("contents", "Books"),
            ("sender.name", "أحمد"),
            ("sender.address_line1", "12 شارع التحرير"),
            ("sender.city", "القاهرة"),
            ("sender.country", "EG"),
            ("addressee.name", "Sami"),
            ("addressee.address_line1", "Main St"),
            ("addressee.address_line2", ""),
            ("addressee.city", "Ramallah"),
            ("addressee.latin.name", "Sami"),
            ("customs.category", "sale_of_goods"),
            ("customs.lines.0.description", "Phone"),
            ("customs.lines.0.quantity", "2"),
            ("customs.lines.0.net_weight_grams", "800"),
            ("customs.lines.0.value", "25000.50"),
            ("customs.lines.0.currency", "egp"),
            ("customs.lines.0.hs_code", "851712"),
            ("customs.lines.0.origin", "eg"),
            ("customs.lines.1.currency", "EGP"),
            ("customs.lines.1.origin", "EG"),
            ("customs.licence_numbers", "L1, L2"),
        ]);
        let (draft, issues) = draft_from_fields(&form);
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(draft.weight_grams, 1200);
        assert_eq!(draft.destination, "PS");
        assert_eq!(
            draft.addressee.country, "PS",
            "blank country is the destination"
        );
        assert_eq!(draft.addressee.address_lines, ["Main St"]);
        assert!(draft.addressee.latin.is_some());
        assert!(draft.sender.latin.is_none());
        let customs = draft.customs.unwrap();
        assert_eq!(customs.lines.len(), 1, "an untouched line is skipped");
        assert_eq!(customs.lines[0].value.amount_minor, 2_500_050);
        assert_eq!(customs.lines[0].value.currency, "EGP");
        assert_eq!(
            customs.gross_weight_grams, 1200,
            "defaults to the item weight"
        );
        assert!(customs.licence);
        assert_eq!(customs.licence_numbers, ["L1", "L2"]);
    }

    #[test]
    fn unreadable_numbers_are_field_issues() {
        let form = fields(&[
            ("weight_grams", "heavy"),
            ("customs.lines.0.description", "Shirt"),
            ("customs.lines.0.value", "12.345"),
            ("customs.lines.0.currency", "EGP"),
        ]);
        let (_, issues) = draft_from_fields(&form);
        let fields: Vec<&str> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["weight_grams", "customs.lines.0.value"]);
    }

    #[test]
    fn a_documents_item_without_lines_has_no_declaration() {
        let (draft, _) = draft_from_fields(&fields(&[
            ("customs.category", "gift"),
            ("customs.lines.0.currency", "EGP"),
            ("customs.lines.0.quantity", "1"),
        ]));
        assert!(draft.customs.is_none());
    }
}
