//! Reference data: the code lists a post may edit without a rebuild.
//!
//! Barid ships a default for every table (the CSV files under `data/`, embedded at compile
//! time). A node may replace any whole table with its own file at run time. This module only
//! parses text: reading the files is the caller's job, so the domain stays free of I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::country::CountryCode;
use crate::dispatch::{DispatchId, MailCategory, MailClass, MailSubclass};
use crate::event::{EventCode, Milestone, ReasonCode};
use crate::money::{Grams, Money};
use crate::service::{ServiceCatalogue, ServiceCode, ServiceInfo};
use crate::tariff::{SdrRates, TariffError, TariffTable};

/// One of the reference tables, named after its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceTable {
    EventCodes,
    MailCategories,
    MailClasses,
    MailSubclasses,
    NonDeliveryReasons,
    Services,
    Zones,
    Tariffs,
    SdrRates,
}

impl ReferenceTable {
    pub const ALL: [ReferenceTable; 9] = [
        ReferenceTable::EventCodes,
        ReferenceTable::MailCategories,
        ReferenceTable::MailClasses,
        ReferenceTable::MailSubclasses,
        ReferenceTable::NonDeliveryReasons,
        ReferenceTable::Services,
        ReferenceTable::Zones,
        ReferenceTable::Tariffs,
        ReferenceTable::SdrRates,
    ];

    /// The file name a table is read from, in `data/` and in an override folder.
    pub fn file_name(&self) -> &'static str {
        match self {
            ReferenceTable::EventCodes => "event_codes.csv",
            ReferenceTable::MailCategories => "mail_categories.csv",
            ReferenceTable::MailClasses => "mail_classes.csv",
            ReferenceTable::MailSubclasses => "mail_subclasses.csv",
            ReferenceTable::NonDeliveryReasons => "non_delivery_reasons.csv",
            ReferenceTable::Services => "services.csv",
            ReferenceTable::Zones => "zones.csv",
            ReferenceTable::Tariffs => "tariffs.csv",
            ReferenceTable::SdrRates => "sdr_rates.csv",
        }
    }

    /// The table Barid ships.
    pub fn embedded(&self) -> &'static str {
        match self {
            ReferenceTable::EventCodes => include_str!("../data/event_codes.csv"),
            ReferenceTable::MailCategories => include_str!("../data/mail_categories.csv"),
            ReferenceTable::MailClasses => include_str!("../data/mail_classes.csv"),
            ReferenceTable::MailSubclasses => include_str!("../data/mail_subclasses.csv"),
            ReferenceTable::NonDeliveryReasons => include_str!("../data/non_delivery_reasons.csv"),
            ReferenceTable::Services => include_str!("../data/services.csv"),
            ReferenceTable::Zones => include_str!("../data/zones.csv"),
            ReferenceTable::Tariffs => include_str!("../data/tariffs.csv"),
            ReferenceTable::SdrRates => include_str!("../data/sdr_rates.csv"),
        }
    }
}

impl fmt::Display for ReferenceTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// Why a reference file cannot be used. Nothing from a file with an error is used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceDataError {
    #[error("{table}, line {line}: {message}")]
    Row {
        table: ReferenceTable,
        line: u64,
        message: String,
    },
    #[error("{table}, line {line}: code {code} appears twice")]
    Duplicate {
        table: ReferenceTable,
        line: u64,
        code: String,
    },
    /// A value that cannot be used, in a named column.
    #[error("{table}, line {line}, field {field}: {message}")]
    Field {
        table: ReferenceTable,
        line: u64,
        field: &'static str,
        message: String,
    },
    #[error("{table}: the table is empty")]
    Empty { table: ReferenceTable },
    #[error("{table}: no code stands for milestone {milestone}, so that step cannot be recorded")]
    MissingMilestone {
        table: ReferenceTable,
        milestone: Milestone,
    },
    #[error(
        "{table}, line {line}: subclass {subclass} belongs to mail class {class}, which mail_classes.csv does not list"
    )]
    UnknownClass {
        table: ReferenceTable,
        line: u64,
        subclass: String,
        class: char,
    },
}

/// English and Arabic names of a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Names {
    pub en: String,
    pub ar: String,
}

impl Names {
    /// The name in a language: `ar` gives Arabic, anything else English.
    pub fn in_language(&self, language: &str) -> &str {
        if language == "ar" { &self.ar } else { &self.en }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventInfo {
    pub code: EventCode,
    pub milestone: Milestone,
    pub names: Names,
}

/// The delivery bill a dispatch of a category travels with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeliveryBill {
    /// Airmail (category A).
    #[serde(rename = "CN38")]
    Cn38,
    /// S.A.L. (category B).
    #[serde(rename = "CN41")]
    Cn41,
    /// Surface (categories C and D).
    #[serde(rename = "CN37")]
    Cn37,
    /// Empty receptacles (mail class T), whatever the category.
    #[serde(rename = "CN47")]
    Cn47,
}

impl DeliveryBill {
    pub fn form_name(&self) -> &'static str {
        match self {
            DeliveryBill::Cn38 => "CN 38",
            DeliveryBill::Cn41 => "CN 41",
            DeliveryBill::Cn37 => "CN 37",
            DeliveryBill::Cn47 => "CN 47",
        }
    }

    /// Parses the spelling used in the reference files: `CN38`, `CN41`, `CN37`, `CN47`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "CN38" => Ok(DeliveryBill::Cn38),
            "CN41" => Ok(DeliveryBill::Cn41),
            "CN37" => Ok(DeliveryBill::Cn37),
            "CN47" => Ok(DeliveryBill::Cn47),
            other => Err(format!(
                "delivery_bill must be CN38, CN41, CN37 or CN47, found {other:?}"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryInfo {
    pub code: char,
    pub delivery_bill: DeliveryBill,
    pub names: Names,
}

/// A mail class; a class with its own delivery bill (T, empty receptacles: CN 47) overrides the
/// category's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassInfo {
    pub code: char,
    pub delivery_bill: Option<DeliveryBill>,
    pub names: Names,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeInfo {
    pub code: String,
    pub names: Names,
}

/// The unknown codes an S8 or S9 ID uses, if any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownCode {
    #[error("mail category {0} is not in mail_categories.csv")]
    MailCategory(char),
    #[error("mail subclass {0} is not in mail_subclasses.csv")]
    MailSubclass(String),
}

/// All reference tables, parsed and checked.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    events: BTreeMap<EventCode, EventInfo>,
    categories: BTreeMap<MailCategory, CategoryInfo>,
    classes: BTreeMap<MailClass, ClassInfo>,
    subclasses: BTreeMap<MailSubclass, CodeInfo>,
    reasons: BTreeMap<ReasonCode, CodeInfo>,
    services: ServiceCatalogue,
    tariffs: TariffTable,
    sdr_rates: SdrRates,
}

#[derive(Deserialize)]
struct EventRow {
    code: String,
    milestone: String,
    name_en: String,
    name_ar: String,
}

#[derive(Deserialize)]
struct CategoryRow {
    code: String,
    delivery_bill: String,
    name_en: String,
    name_ar: String,
}

#[derive(Deserialize)]
struct ClassRow {
    code: String,
    delivery_bill: String,
    name_en: String,
    name_ar: String,
}

#[derive(Deserialize)]
struct CodeRow {
    code: String,
    name_en: String,
    name_ar: String,
}

/// Reads every row of a CSV table, keyed by the parsed code; duplicates and bad rows fail the
/// whole table.
fn read_table<Row, Key, Value>(
    table: ReferenceTable,
    text: &str,
    mut convert: impl FnMut(Row) -> Result<(Key, Value), String>,
) -> Result<BTreeMap<Key, Value>, ReferenceDataError>
where
    Row: for<'de> Deserialize<'de>,
    Key: Ord + fmt::Display,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let row_error = |line: u64, error: &dyn fmt::Display| ReferenceDataError::Row {
        table,
        line,
        message: error.to_string(),
    };
    let headers = reader
        .headers()
        .map_err(|error| row_error(1, &error))?
        .clone();
    let mut rows = BTreeMap::new();
    for record in reader.records() {
        let record =
            record.map_err(|error| row_error(error.position().map_or(0, |p| p.line()), &error))?;
        let line = record.position().map_or(0, |p| p.line());
        let row: Row = record
            .deserialize(Some(&headers))
            .map_err(|error| row_error(line, &error))?;
        let (key, value) = convert(row).map_err(|message| row_error(line, &message))?;
        let code = key.to_string();
        if rows.insert(key, value).is_some() {
            return Err(ReferenceDataError::Duplicate { table, line, code });
        }
    }
    if rows.is_empty() {
        return Err(ReferenceDataError::Empty { table });
    }
    Ok(rows)
}

/// Reads every row of a CSV table with the line it sits on, for tables whose checks need the
/// order of the rows or report the column at fault. A row that cannot be read fails the table.
pub(crate) fn read_rows<Row>(
    table: ReferenceTable,
    text: &str,
) -> Result<Vec<(u64, Row)>, ReferenceDataError>
where
    Row: for<'de> Deserialize<'de>,
{
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let row_error = |line: u64, error: &dyn fmt::Display| ReferenceDataError::Row {
        table,
        line,
        message: error.to_string(),
    };
    let headers = reader
        .headers()
        .map_err(|error| row_error(1, &error))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|error| row_error(error.position().map_or(0, |p| p.line()), &error))?;
        let line = record.position().map_or(0, |p| p.line());
        let row: Row = record
            .deserialize(Some(&headers))
            .map_err(|error| row_error(line, &error))?;
        rows.push((line, row));
    }
    if rows.is_empty() {
        return Err(ReferenceDataError::Empty { table });
    }
    Ok(rows)
}

pub(crate) fn names(en: String, ar: String) -> Result<Names, String> {
    if en.is_empty() || ar.is_empty() {
        return Err("both name_en and name_ar are needed".into());
    }
    Ok(Names { en, ar })
}

impl ReferenceData {
    /// The tables Barid ships.
    pub fn embedded() -> Result<Self, ReferenceDataError> {
        Self::with_overrides(&[])
    }

    /// The shipped tables, with each table in `overrides` replaced whole by the given CSV text.
    pub fn with_overrides(
        overrides: &[(ReferenceTable, &str)],
    ) -> Result<Self, ReferenceDataError> {
        let text = |table: ReferenceTable| {
            overrides
                .iter()
                .rev()
                .find(|(overridden, _)| *overridden == table)
                .map_or_else(|| table.embedded(), |(_, text)| *text)
        };

        let events = read_table(
            ReferenceTable::EventCodes,
            text(ReferenceTable::EventCodes),
            |row: EventRow| {
                let code = EventCode::parse(&row.code).map_err(|e| e.to_string())?;
                let milestone = Milestone::parse(&row.milestone).map_err(|e| e.to_string())?;
                Ok((
                    code,
                    EventInfo {
                        code,
                        milestone,
                        names: names(row.name_en, row.name_ar)?,
                    },
                ))
            },
        )?;
        for milestone in Milestone::ALL {
            if !events.values().any(|info| info.milestone == milestone) {
                return Err(ReferenceDataError::MissingMilestone {
                    table: ReferenceTable::EventCodes,
                    milestone,
                });
            }
        }

        let categories = read_table(
            ReferenceTable::MailCategories,
            text(ReferenceTable::MailCategories),
            |row: CategoryRow| {
                let category = MailCategory::parse(&row.code).map_err(|e| e.to_string())?;
                let delivery_bill = DeliveryBill::parse(&row.delivery_bill)?;
                Ok((
                    category,
                    CategoryInfo {
                        code: category.letter(),
                        delivery_bill,
                        names: names(row.name_en, row.name_ar)?,
                    },
                ))
            },
        )?;

        let classes = read_table(
            ReferenceTable::MailClasses,
            text(ReferenceTable::MailClasses),
            |row: ClassRow| {
                let class = MailClass::parse(&row.code).map_err(|e| e.to_string())?;
                let delivery_bill = match row.delivery_bill.as_str() {
                    "" => None,
                    bill => Some(DeliveryBill::parse(bill)?),
                };
                Ok((
                    class,
                    ClassInfo {
                        code: class.letter(),
                        delivery_bill,
                        names: names(row.name_en, row.name_ar)?,
                    },
                ))
            },
        )?;

        let subclasses = read_table(
            ReferenceTable::MailSubclasses,
            text(ReferenceTable::MailSubclasses),
            |row: CodeRow| {
                let subclass = MailSubclass::parse(&row.code).map_err(|e| e.to_string())?;
                Ok((
                    subclass,
                    CodeInfo {
                        code: subclass.as_str().to_owned(),
                        names: names(row.name_en, row.name_ar)?,
                    },
                ))
            },
        )?;
        for (line, subclass) in (2u64..).zip(subclasses.keys()) {
            if !classes.contains_key(&subclass.class()) {
                return Err(ReferenceDataError::UnknownClass {
                    table: ReferenceTable::MailSubclasses,
                    line,
                    subclass: subclass.as_str().to_owned(),
                    class: subclass.class().letter(),
                });
            }
        }

        let reasons = read_table(
            ReferenceTable::NonDeliveryReasons,
            text(ReferenceTable::NonDeliveryReasons),
            |row: CodeRow| {
                let reason = ReasonCode::parse(&row.code).map_err(|e| e.to_string())?;
                Ok((
                    reason.clone(),
                    CodeInfo {
                        code: reason.as_str().to_owned(),
                        names: names(row.name_en, row.name_ar)?,
                    },
                ))
            },
        )?;

        let services = ServiceCatalogue::parse(text(ReferenceTable::Services))?;
        let tariffs = TariffTable::parse(
            text(ReferenceTable::Zones),
            text(ReferenceTable::Tariffs),
            &services,
        )?;
        let sdr_rates = SdrRates::parse(text(ReferenceTable::SdrRates))?;

        Ok(Self {
            events,
            categories,
            classes,
            subclasses,
            reasons,
            services,
            tariffs,
            sdr_rates,
        })
    }

    /// The postal products an operator sells (`services.csv`).
    pub fn services(&self) -> &ServiceCatalogue {
        &self.services
    }

    pub fn service(&self, code: &ServiceCode) -> Option<&ServiceInfo> {
        self.services.get(code)
    }

    /// Zones and tariffs of every operator the node hosts (`zones.csv`, `tariffs.csv`).
    pub fn tariffs(&self) -> &TariffTable {
        &self.tariffs
    }

    /// The SDR rates customs uses to choose CN 22 or CN 23 (`sdr_rates.csv`).
    pub fn sdr_rates(&self) -> &SdrRates {
        &self.sdr_rates
    }

    /// The postage for an item: see [`TariffTable::price`].
    pub fn price(
        &self,
        operator: CountryCode,
        service: &ServiceCode,
        destination: CountryCode,
        weight: Grams,
    ) -> Result<Money, TariffError> {
        self.tariffs.price(operator, service, destination, weight)
    }

    pub fn event(&self, code: &EventCode) -> Option<&EventInfo> {
        self.events.get(code)
    }

    /// All event codes in lifecycle order (by milestone, then code).
    pub fn events(&self) -> impl Iterator<Item = &EventInfo> {
        let mut events: Vec<&EventInfo> = self.events.values().collect();
        events.sort_by_key(|info| (info.milestone, info.code));
        events.into_iter()
    }

    /// The code a post records for a milestone: the standard one if the table has it, else the
    /// first code (alphabetically) that stands for the milestone.
    pub fn code_for(&self, milestone: Milestone) -> Option<EventCode> {
        EventCode::parse(milestone.standard_code())
            .ok()
            .filter(|code| {
                self.events
                    .get(code)
                    .is_some_and(|info| info.milestone == milestone)
            })
            .or_else(|| {
                self.events
                    .values()
                    .find(|info| info.milestone == milestone)
                    .map(|info| info.code)
            })
    }

    pub fn category(&self, category: &MailCategory) -> Option<&CategoryInfo> {
        self.categories.get(category)
    }

    pub fn categories(&self) -> impl Iterator<Item = &CategoryInfo> {
        self.categories.values()
    }

    pub fn class(&self, class: &MailClass) -> Option<&ClassInfo> {
        self.classes.get(class)
    }

    pub fn classes(&self) -> impl Iterator<Item = &ClassInfo> {
        self.classes.values()
    }

    /// The delivery bill a dispatch travels with: its mail class's own bill (CN 47 for empty
    /// receptacles), else its category's (CN 38, CN 41 or CN 37). `None` for unknown codes.
    pub fn delivery_bill(&self, dispatch: &DispatchId) -> Option<DeliveryBill> {
        match self.classes.get(&dispatch.subclass.class()) {
            Some(ClassInfo {
                delivery_bill: Some(bill),
                ..
            }) => Some(*bill),
            _ => self
                .categories
                .get(&dispatch.category)
                .map(|info| info.delivery_bill),
        }
    }

    pub fn subclass(&self, subclass: &MailSubclass) -> Option<&CodeInfo> {
        self.subclasses.get(subclass)
    }

    pub fn subclasses(&self) -> impl Iterator<Item = &CodeInfo> {
        self.subclasses.values()
    }

    pub fn reason(&self, reason: &ReasonCode) -> Option<&CodeInfo> {
        self.reasons.get(reason)
    }

    pub fn reasons(&self) -> impl Iterator<Item = &CodeInfo> {
        self.reasons.values()
    }

    /// Checks that a dispatch's category and subclass are in the code lists.
    pub fn check_dispatch(&self, dispatch: &DispatchId) -> Result<(), UnknownCode> {
        if !self.categories.contains_key(&dispatch.category) {
            return Err(UnknownCode::MailCategory(dispatch.category.letter()));
        }
        if !self.subclasses.contains_key(&dispatch.subclass) {
            return Err(UnknownCode::MailSubclass(
                dispatch.subclass.as_str().to_owned(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tables_load() {
        let data = ReferenceData::embedded().unwrap();
        assert_eq!(data.events().count(), 25);
        assert_eq!(data.categories().count(), 4);
        for milestone in Milestone::ALL {
            let code = data.code_for(milestone).unwrap();
            assert_eq!(code.as_str(), milestone.standard_code());
        }
        let emi = data.event(&EventCode::parse("EMI").unwrap()).unwrap();
        assert_eq!(emi.milestone, Milestone::Delivered);
        assert_eq!(emi.names.en, "Final delivery");
        assert_eq!(emi.names.in_language("ar"), "تم التسليم");
        let bills: Vec<_> = data
            .categories()
            .map(|c| (c.code, c.delivery_bill))
            .collect();
        assert_eq!(
            bills,
            [
                ('A', DeliveryBill::Cn38),
                ('B', DeliveryBill::Cn41),
                ('C', DeliveryBill::Cn37),
                ('D', DeliveryBill::Cn37)
            ]
        );
        let bill = |id: &str| data.delivery_bill(&DispatchId::parse(id).unwrap());
        assert_eq!(bill("EGCAIAJOAMMAAUN50001"), Some(DeliveryBill::Cn38));
        assert_eq!(bill("EGCAIAJOAMMABUN50001"), Some(DeliveryBill::Cn41));
        assert_eq!(bill("EGCAIAJOAMMADCA50001"), Some(DeliveryBill::Cn37));
        assert_eq!(bill("EGCAIAJOAMMACTE50001"), Some(DeliveryBill::Cn47));
        assert_eq!(bill("EGCAIAJOAMMAZUN50001"), None);
        for subclass in ["CA", "CB", "CC", "CD", "CE", "CF", "UN"] {
            assert!(
                data.subclass(&MailSubclass::parse(subclass).unwrap())
                    .is_some(),
                "{subclass}"
            );
        }
        assert!(data.reason(&ReasonCode::parse("03").unwrap()).is_some());
    }

    #[test]
    fn an_override_replaces_a_whole_table() {
        let categories = "code,delivery_bill,name_en,name_ar\nA,CN38,Priority,أولوية\n";
        let data =
            ReferenceData::with_overrides(&[(ReferenceTable::MailCategories, categories)]).unwrap();
        assert_eq!(data.categories().count(), 1);
        let dispatch = DispatchId::parse("EGCAIAJOAMMACCA60001").unwrap();
        assert_eq!(
            data.check_dispatch(&dispatch),
            Err(UnknownCode::MailCategory('C'))
        );
        let known = DispatchId::parse("EGCAIAJOAMMAACA60001").unwrap();
        assert_eq!(data.check_dispatch(&known), Ok(()));
    }

    #[test]
    fn a_post_may_add_an_event_code_for_a_milestone() {
        let mut events = ReferenceTable::EventCodes.embedded().to_owned();
        events.push_str("EMX,delivered,Delivered (legacy code),سُلّمت (رمز قديم)\n");
        let data = ReferenceData::with_overrides(&[(ReferenceTable::EventCodes, &events)]).unwrap();
        assert_eq!(
            data.event(&EventCode::parse("EMX").unwrap())
                .unwrap()
                .milestone,
            Milestone::Delivered
        );
        // The standard code still wins when both exist.
        assert_eq!(data.code_for(Milestone::Delivered).unwrap().as_str(), "EMI");
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let header = "code,milestone,name_en,name_ar\n";
        let bad_milestone = format!("{header}EMA,teleported,Posting,قبول\n");
        let error = ReferenceData::with_overrides(&[(ReferenceTable::EventCodes, &bad_milestone)])
            .unwrap_err();
        assert!(
            matches!(error, ReferenceDataError::Row { line: 2, .. }),
            "{error}"
        );

        let missing = format!("{header}EMA,posted,Posting,قبول\n");
        let error =
            ReferenceData::with_overrides(&[(ReferenceTable::EventCodes, &missing)]).unwrap_err();
        assert!(
            matches!(error, ReferenceDataError::MissingMilestone { .. }),
            "{error}"
        );

        let twice = "code,name_en,name_ar\n03,Absent,غائب\n03,Absent,غائب\n";
        let error = ReferenceData::with_overrides(&[(ReferenceTable::NonDeliveryReasons, twice)])
            .unwrap_err();
        assert_eq!(
            error,
            ReferenceDataError::Duplicate {
                table: ReferenceTable::NonDeliveryReasons,
                line: 3,
                code: "03".into()
            }
        );

        let no_arabic = "code,name_en,name_ar\n03,Absent,\n";
        assert!(
            ReferenceData::with_overrides(&[(ReferenceTable::NonDeliveryReasons, no_arabic)])
                .is_err()
        );

        let orphan = "code,name_en,name_ar\nZZ,Mystery,لغز\n";
        let error =
            ReferenceData::with_overrides(&[(ReferenceTable::MailSubclasses, orphan)]).unwrap_err();
        assert!(
            matches!(error, ReferenceDataError::UnknownClass { class: 'Z', .. }),
            "{error}"
        );

        let empty = "code,name_en,name_ar\n";
        assert!(matches!(
            ReferenceData::with_overrides(&[(ReferenceTable::MailClasses, empty)]),
            Err(ReferenceDataError::Empty { .. })
        ));
        assert!(
            ReferenceData::with_overrides(&[(ReferenceTable::MailClasses, "\u{0}\u{1}garbage")])
                .is_err()
        );
    }
}
