//! The CN 43 verification note (A4): drawn up by the office of exchange of destination when
//! what arrived differs from the pre-advice (and the letter bill), and sent to the office of
//! origin.
//!
//! The dispatch header with the date of receipt; one line per irregularity, in the order
//! `barid_core::exchange::verify` gives them (its kind in English and Arabic, the receptacle,
//! the item, what was expected and what was found), or "No irregularity found" when there is
//! none; the number of irregularities; the signatures of the verifying officer and a witness.
//!
//! The expected and found values are `barid-core`'s own (weights, IDs, "not received"), in
//! English, the working language between offices of exchange, so the note says exactly what
//! the RESDES message says.

use barid_core::{Discrepancy, DispatchId};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, Page, write_pdf};
use crate::exchange::{OfficeName, RouteField, dispatch_fields, total_field};
use crate::sheet::Sheet;
use crate::strings::{self, discrepancy_name};
use crate::table::{Cell, Column, Table};
use crate::text::{Align, TextStyle};

/// What a verification note shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationNoteInput<'a> {
    pub dispatch: DispatchId,
    /// The name of the office of exchange of origin (its code is in the S8 ID).
    pub origin: OfficeName<'a>,
    /// The name of the office of exchange of destination, which draws the note up.
    pub destination: OfficeName<'a>,
    /// When the dispatch was received, in the office's offset.
    pub received_at: OffsetDateTime,
    /// The irregularities found, in the order [`barid_core::exchange::verify`] gives them;
    /// empty when the dispatch arrived as advised.
    pub discrepancies: &'a [Discrepancy],
}

/// Renders the CN 43 verification note.
pub fn verification_note(input: &VerificationNoteInput<'_>) -> Result<Vec<u8>, DocumentError> {
    write_pdf(
        &verification_note_pages(input)?,
        &DocumentInfo {
            title: format!("CN 43 verification note {}", input.dispatch),
            created: input.received_at,
        },
    )
}

/// The cells of one irregularity's line.
fn cells(number: usize, discrepancy: &Discrepancy) -> Vec<Cell> {
    let name = discrepancy_name(discrepancy);
    vec![
        number.to_string().into(),
        Cell::lines(vec![name.en.to_owned(), name.ar.to_owned()]),
        discrepancy
            .receptacle()
            .map(|receptacle| receptacle.human())
            .unwrap_or_default()
            .into(),
        discrepancy
            .item()
            .map(|item| item.human())
            .unwrap_or_default()
            .into(),
        discrepancy.expected().into(),
        discrepancy.found().into(),
    ]
}

pub(crate) fn verification_note_pages(
    input: &VerificationNoteInput<'_>,
) -> Result<Vec<Page>, DocumentError> {
    let mut sheet = Sheet::new("CN 43", strings::CN43_TITLE, input.dispatch.human())?;
    for row in dispatch_fields(
        &input.dispatch,
        &input.origin,
        &input.destination,
        RouteField::Omitted,
        (strings::RECEIVED_AT, input.received_at),
    ) {
        sheet.fields(&row)?;
    }
    sheet.gap();
    if input.discrepancies.is_empty() {
        sheet.notice(strings::NO_IRREGULARITY, 12.0)?;
    } else {
        let table = Table::new(
            vec![
                Column::new(strings::SERIAL, 0.05, Align::Right),
                Column::new(strings::IRREGULARITY, 0.19, Align::Start).bold(),
                Column::new(strings::RECEPTACLE, 0.24, Align::Left),
                Column::new(strings::ITEM, 0.14, Align::Left),
                Column::new(strings::EXPECTED, 0.19, Align::Left),
                Column::new(strings::FOUND, 0.19, Align::Left),
            ],
            input
                .discrepancies
                .iter()
                .enumerate()
                .map(|(index, discrepancy)| cells(index + 1, discrepancy)),
            (sheet.x(), sheet.width()),
            TextStyle::regular(7.0),
            4,
        )?;
        sheet.table(&table)?;
    }
    sheet.gap();
    sheet.fields(&[total_field(
        strings::TOTAL_IRREGULARITIES,
        input.discrepancies.len().to_string(),
        1.0,
    )])?;
    sheet.gap();
    sheet.signatures(&[strings::VERIFYING_OFFICER, strings::WITNESS])?;
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::{assert_tidy, mm};
    use crate::sheet::MARGIN_MM;
    use crate::support::*;

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|page| page.text_extents().into_iter().map(|(text, _)| text))
            .collect()
    }

    #[test]
    fn every_kind_of_irregularity_gets_its_bilingual_name() {
        let discrepancies = every_discrepancy();
        let pages = verification_note_pages(&verification_note_input(&discrepancies)).unwrap();
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        // Lines joined with a space: a long name wraps onto the next line.
        let all = texts(&pages).join(" ");
        for discrepancy in &discrepancies {
            let name = discrepancy_name(discrepancy);
            assert!(all.contains(name.en), "{:?} missing", name.en);
            assert!(all.contains(name.ar), "{:?} missing from {all}", name.ar);
        }
        for expected in [
            "CN 43",
            "VERIFICATION NOTE",
            "Date of receipt",
            "not received",
            "not pre-advised",
            "damaged",
            "RR 000 000 028 EG",
            "EGCAIA PSRMHA A UN 6",
        ] {
            assert!(all.contains(expected), "{expected:?} not in {all}");
        }
        assert!(!all.contains("No irregularity found"));
        // The note leaves the route out: the receiving office may not know it.
        assert!(!all.contains("Direct"));
    }

    #[test]
    fn a_clean_receipt_says_so_in_both_languages() {
        let pages = verification_note_pages(&verification_note_input(&[])).unwrap();
        assert_eq!(pages.len(), 1);
        assert_tidy(&pages[0], mm(MARGIN_MM));
        let all = texts(&pages);
        assert!(all.iter().any(|t| t == "No irregularity found"));
        assert!(all.iter().any(|t| t == "لا توجد أي مخالفة"));
    }

    #[test]
    fn a_long_list_of_irregularities_continues_on_more_sheets() {
        let discrepancies: Vec<Discrepancy> =
            every_discrepancy().into_iter().cycle().take(200).collect();
        let pages = verification_note_pages(&verification_note_input(&discrepancies)).unwrap();
        assert!(pages.len() > 2);
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        assert!(texts(&pages).iter().any(|t| t == "200"));
    }
}
