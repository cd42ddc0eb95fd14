//! The CSV file of bulk acceptance: one row per item, its columns named like the acceptance
//! form's fields, and extra rows for items with several customs lines.
//!
//! - The first row names the columns; their order is free and every column but `reference`,
//!   `service`, `destination` and `weight_grams` may be left out. An unknown column refuses the
//!   file, so a misspelt one is not silently ignored.
//! - `reference` is the sender's own reference for the item. A row whose `reference` equals the
//!   previous row's adds one more customs line (`line.*` columns) to that item; its other cells
//!   are not read.
//! - UTF-8, with or without a byte order mark; comma-separated; Arabic and Latin text alike.
//!
//! Parsing never stores anything: [`parse`] either returns every item's draft or every problem
//! of the file, each with its line number.

use std::collections::BTreeMap;

use crate::acceptance::AcceptanceDraft;
use crate::acceptance_form::{Fields, MAX_LINES, draft_from_fields, form_field};

/// Every column a file may have, in the order of the template file.
pub const COLUMNS: [&str; 42] = [
    "reference",
    "service",
    "service_indicator",
    "destination",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "contents",
    "sender.name",
    "sender.business_name",
    "sender.address_line1",
    "sender.address_line2",
    "sender.city",
    "sender.postcode",
    "sender.country",
    "sender.phone",
    "sender.email",
    "addressee.name",
    "addressee.business_name",
    "addressee.address_line1",
    "addressee.address_line2",
    "addressee.city",
    "addressee.postcode",
    "addressee.country",
    "addressee.phone",
    "addressee.email",
    "addressee.latin.name",
    "addressee.latin.address_line1",
    "addressee.latin.city",
    "customs.category",
    "customs.category_explanation",
    "customs.invoice_number",
    "customs.comments",
    "customs.licence_numbers",
    "customs.certificate_numbers",
    "line.description",
    "line.quantity",
    "line.net_weight_grams",
    "line.value",
    "line.currency",
    "line.hs_code",
];

/// The columns every file must have.
pub const REQUIRED_COLUMNS: [&str; 4] = ["reference", "service", "destination", "weight_grams"];

/// `line.origin` is accepted too (it defaults to the operator's country), kept out of
/// [`COLUMNS`] only to keep the template short.
const OPTIONAL_COLUMNS: [&str; 1] = ["line.origin"];

/// Defaults for cells left blank, as at the counter.
#[derive(Debug, Clone, Default)]
pub struct CsvDefaults {
    /// The operator's country: the sender's country and each line's origin.
    pub country: String,
    /// The operator's currency, for line values.
    pub currency: String,
}

/// One item of the file.
#[derive(Debug, Clone)]
pub struct CsvItem {
    /// The file line of the item's first row (the header is line 1).
    pub line: usize,
    pub reference: String,
    pub draft: AcceptanceDraft,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub reference: String,
    /// The column, e.g. `line.value`.
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Why a file gives no items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvProblem {
    /// The file as a whole cannot be read (not CSV, no header, unknown column, too many items).
    File(String),
    /// These rows are wrong.
    Rows(Vec<RowProblem>),
}

/// The column of the file a problem's field path belongs to: `customs.lines[1].value` is
/// `line.value`.
pub fn column_of(path: &str) -> String {
    let field = form_field(path).unwrap_or_default();
    match field.strip_prefix("customs.lines.") {
        Some(rest) => rest.split_once('.').map_or_else(
            || "line.description".to_owned(),
            |(_, column)| format!("line.{column}"),
        ),
        None => field,
    }
}

struct Group {
    line: usize,
    reference: String,
    fields: BTreeMap<String, String>,
    lines: usize,
}

/// Reads a file of at most `max_items` items.
pub fn parse(
    bytes: &[u8],
    max_items: usize,
    defaults: &CsvDefaults,
) -> Result<Vec<CsvItem>, CsvProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CsvProblem::File("the file is empty".to_owned()));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| CsvProblem::File(format!("the first row cannot be read: {error}")))?
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    for name in &header {
        if !COLUMNS.contains(&name.as_str()) && !OPTIONAL_COLUMNS.contains(&name.as_str()) {
            return Err(CsvProblem::File(format!(
                "unknown column {name:?}; the columns are: {}",
                COLUMNS.join(", ")
            )));
        }
    }
    for required in REQUIRED_COLUMNS {
        if !header.iter().any(|name| name == required) {
            return Err(CsvProblem::File(format!(
                "the column {required:?} is missing"
            )));
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut problems = Vec::new();
    for (position, record) in reader.records().enumerate() {
        let line = position + 2;
        let record = record.map_err(|error| CsvProblem::File(format!("line {line}: {error}")))?;
        let cells: BTreeMap<&str, &str> = header
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        if cells.values().all(|cell| cell.is_empty()) {
            continue;
        }
        let reference = cells
            .get("reference")
            .copied()
            .unwrap_or_default()
            .to_owned();
        if reference.is_empty() {
            problems.push(RowProblem {
                line,
                reference,
                field: "reference".to_owned(),
                code: "required".to_owned(),
                message: "every row needs the item's reference".to_owned(),
            });
            continue;
        }
        let continues = groups
            .last()
            .is_some_and(|group| group.reference == reference);
        if !continues {
            if groups.len() == max_items {
                return Err(CsvProblem::File(format!(
                    "at most {max_items} items can be accepted from one file"
                )));
            }
            if groups.iter().any(|group| group.reference == reference) {
                problems.push(RowProblem {
                    line,
                    reference: reference.clone(),
                    field: "reference".to_owned(),
                    code: "duplicate_reference".to_owned(),
                    message: format!(
                        "reference {reference:?} is used by an earlier item; the rows of one item must follow each other"
                    ),
                });
                continue;
            }
            let mut fields: BTreeMap<String, String> = cells
                .iter()
                .filter(|(name, _)| !name.starts_with("line.") && **name != "reference")
                .map(|(name, cell)| ((*name).to_owned(), (*cell).to_owned()))
                .collect();
            let sender_country = fields.entry("sender.country".to_owned()).or_default();
            if sender_country.is_empty() {
                sender_country.clone_from(&defaults.country);
            }
            groups.push(Group {
                line,
                reference: reference.clone(),
                fields,
                lines: 0,
            });
        }
        let Some(group) = groups.last_mut() else {
            continue;
        };
        let has_line = cells
            .iter()
            .any(|(name, cell)| name.starts_with("line.") && !cell.is_empty());
        if !has_line {
            continue;
        }
        if group.lines == MAX_LINES {
            problems.push(RowProblem {
                line,
                reference,
                field: "line.description".to_owned(),
                code: "too_many_lines".to_owned(),
                message: format!("an item may have at most {MAX_LINES} customs lines"),
            });
            continue;
        }
        let index = group.lines;
        group.lines += 1;
        for (name, cell) in &cells {
            if let Some(column) = name.strip_prefix("line.") {
                group.fields.insert(
                    format!("customs.lines.{index}.{column}"),
                    (*cell).to_owned(),
                );
            }
        }
        for (column, default) in [
            ("currency", defaults.currency.as_str()),
            ("origin", defaults.country.as_str()),
            ("quantity", "1"),
        ] {
            let cell = group
                .fields
                .entry(format!("customs.lines.{index}.{column}"))
                .or_default();
            if cell.is_empty() {
                *cell = default.to_owned();
            }
        }
    }
    if groups.is_empty() && problems.is_empty() {
        return Err(CsvProblem::File("the file has no items".to_owned()));
    }
    let mut items = Vec::with_capacity(groups.len());
    for group in groups {
        let fields = Fields::from_pairs(group.fields.into_iter().collect());
        let (draft, issues) = draft_from_fields(&fields);
        problems.extend(issues.into_iter().map(|issue| RowProblem {
            line: group.line,
            reference: group.reference.clone(),
            field: column_of(&issue.field),
            code: issue.code,
            message: issue.message,
        }));
        items.push(CsvItem {
            line: group.line,
            reference: group.reference,
            draft,
        });
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        problems.sort_by_key(|problem| problem.line);
        Err(CsvProblem::Rows(problems))
    }
}

/// A file with the header and one example item of two customs lines, for the upload page.
pub fn template() -> String {
    let mut text = COLUMNS.join(",");
    text.push('\n');
    let example: [(&str, &str); 23] = [
        ("reference", "ORDER-1001"),
        ("service", "ems"),
        ("destination", "PS"),
        ("weight_grams", "1200"),
        ("contents", "Books and a scarf"),
        ("sender.name", "متجر النيل"),
        ("sender.address_line1", "12 شارع التحرير"),
        ("sender.city", "القاهرة"),
        ("sender.phone", "+20 2 2345 6789"),
        ("addressee.name", "سامي خليل"),
        ("addressee.address_line1", "شارع الإرسال 5"),
        ("addressee.city", "رام الله"),
        ("addressee.phone", "+970 2 298 7654"),
        ("addressee.latin.name", "Sami Khalil"),
        ("addressee.latin.address_line1", "5 Al-Irsal St"),
        ("addressee.latin.city", "Ramallah"),
        ("customs.category", "sale_of_goods"),
        ("customs.invoice_number", "INV-1001"),
        ("line.description", "Printed books"),
        ("line.quantity", "3"),
        ("line.net_weight_grams", "900"),
        ("line.value", "450.00"),
        ("line.hs_code", "490199"),
    ];
    let row = |cells: &[(&str, &str)]| -> String {
        COLUMNS
            .iter()
            .map(|column| {
                let cell = cells
                    .iter()
                    .find(|(name, _)| name == column)
                    .map_or("", |(_, value)| value);
                if cell.contains([',', '"']) {
                    format!("\"{}\"", cell.replace('"', "\"\""))
                } else {
                    cell.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    text.push_str(&row(&example));
    text.push('\n');
    text.push_str(&row(&[
        ("reference", "ORDER-1001"),
        ("line.description", "Silk scarf"),
        ("line.quantity", "1"),
        ("line.net_weight_grams", "150"),
        ("line.value", "300.00"),
        ("line.hs_code", "621410"),
    ]));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> CsvDefaults {
        CsvDefaults {
            country: "EG".to_owned(),
            currency: "EGP".to_owned(),
        }
    }

    #[test]
    fn the_template_reads_as_one_item_with_two_lines() {
        let items = parse(template().as_bytes(), 10, &defaults()).unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!((item.line, item.reference.as_str()), (2, "ORDER-1001"));
        assert_eq!(item.draft.sender.country, "EG");
        assert_eq!(item.draft.addressee.country, "PS");
        let customs = item.draft.customs.as_ref().unwrap();
        assert_eq!(customs.lines.len(), 2);
        assert_eq!(customs.lines[1].value.amount_minor, 30_000);
        assert_eq!(customs.lines[1].value.currency, "EGP");
        assert_eq!(customs.lines[1].origin, "EG");
    }

    #[test]
    fn a_byte_order_mark_and_blank_rows_are_ignored() {
        let empty_row = ",".repeat(COLUMNS.len() - 1);
        let text = format!("\u{feff}{}\n{empty_row}\n\n", template().trim_end());
        assert_eq!(parse(text.as_bytes(), 10, &defaults()).unwrap().len(), 1);
    }

    #[test]
    fn whole_file_problems_are_named() {
        let file = |text: &str| parse(text.as_bytes(), 1, &defaults()).unwrap_err();
        assert!(matches!(file(""), CsvProblem::File(m) if m.contains("empty")));
        assert!(
            matches!(file("reference,service,destination,weight_grams,colour\n"), CsvProblem::File(m) if m.contains("colour"))
        );
        assert!(
            matches!(file("reference,service,destination\n"), CsvProblem::File(m) if m.contains("weight_grams"))
        );
        assert!(matches!(
            file("reference,service,destination,weight_grams\nA,ems,PS,100\nB,ems,PS,100\n"),
            CsvProblem::File(m) if m.contains("at most 1")
        ));
        assert!(matches!(
            file("reference,service,destination,weight_grams\nA,ems,PS\n"),
            CsvProblem::File(m) if m.contains("line 2")
        ));
    }

    #[test]
    fn row_problems_name_line_and_column() {
        let text = "reference,service,destination,weight_grams,line.description,line.value\n\
                    A,ems,PS,heavy,Book,12\n\
                    ,ems,PS,100,,\n\
                    B,ems,PS,100,Shirt,12.999\n\
                    A,ems,PS,100,,\n";
        let CsvProblem::Rows(problems) = parse(text.as_bytes(), 10, &defaults()).unwrap_err()
        else {
            panic!("expected row problems");
        };
        let found: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (2, "weight_grams", "not_a_number"),
                (3, "reference", "required"),
                (4, "line.value", "too_many_decimals"),
                (5, "reference", "duplicate_reference"),
            ]
        );
    }

    #[test]
    fn issue_fields_map_to_columns() {
        assert_eq!(column_of("customs.lines[3].hs_code"), "line.hs_code");
        assert_eq!(
            column_of("customs.lines[0].value.amount_minor"),
            "line.value"
        );
        assert_eq!(column_of("customs.lines"), "line.description");
        assert_eq!(column_of("sender.address_lines"), "sender.address_line1");
        assert_eq!(column_of("destination"), "destination");
    }
}
