//! The CN 31 letter bill (A4): one per dispatch, made out at the office of exchange of origin
//! and checked by the office of destination, which signs it.
//!
//! The dispatch header (offices of exchange with codes and names, S8 ID, dispatch number, date
//! of closing, category, subclass and class, route); the receptacles, one line each (serial, S9
//! ID, registered flag, weight, items, registered items), continued on as many sheets as they
//! need; the totals (receptacles, weight, items, registered items); the two officers'
//! signatures.

use crate::DocumentError;
use crate::canvas::{DocumentInfo, Page, write_pdf};
use crate::exchange::{
    DispatchHeader, DispatchReceptacle, check_belongs, kg_tenths, printed_tenths, registered_mark,
    sheet_header, total_field,
};
use crate::sheet::Sheet;
use crate::strings;
use crate::table::{Column, Table};
use crate::text::{Align, TextStyle};

/// What a letter bill shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LetterBillInput<'a> {
    pub dispatch: DispatchHeader<'a>,
    /// The dispatch's receptacles, listed in the order given (serial order).
    pub receptacles: &'a [DispatchReceptacle],
}

/// Renders the CN 31 letter bill.
pub fn letter_bill(input: &LetterBillInput<'_>) -> Result<Vec<u8>, DocumentError> {
    write_pdf(
        &letter_bill_pages(input)?,
        &DocumentInfo {
            title: format!("CN 31 letter bill {}", input.dispatch.id),
            created: input.dispatch.closed_at,
        },
    )
}

pub(crate) fn letter_bill_pages(input: &LetterBillInput<'_>) -> Result<Vec<Page>, DocumentError> {
    let dispatch = &input.dispatch;
    let mut rows = Vec::with_capacity(input.receptacles.len());
    let (mut tenths, mut items, mut registered) = (0u64, 0usize, 0usize);
    for receptacle in input.receptacles {
        check_belongs(&dispatch.id, &receptacle.id)?;
        let weight = printed_tenths(&receptacle.id, receptacle.gross_weight)?;
        tenths += u64::from(weight);
        items += receptacle.items;
        registered += receptacle.registered_items;
        rows.push(vec![
            format!("{:03}", receptacle.id.serial.get()),
            receptacle.id.human(),
            registered_mark(receptacle.id.registered),
            kg_tenths(u64::from(weight)),
            receptacle.items.to_string(),
            receptacle.registered_items.to_string(),
        ]);
    }

    let mut sheet = Sheet::new("CN 31", strings::CN31_TITLE, dispatch.id.human())?;
    sheet_header(
        &mut sheet,
        dispatch,
        (strings::CLOSED_AT, dispatch.closed_at),
    )?;
    let table = Table::new(
        vec![
            Column::new(strings::RECEPTACLE_NO, 0.10, Align::Left),
            Column::new(strings::RECEPTACLE_ID, 0.42, Align::Left),
            Column::new(strings::REGISTERED_FLAG, 0.08, Align::Center).bold(),
            Column::new(strings::WEIGHT_KG, 0.13, Align::Right),
            Column::new(strings::ITEMS, 0.12, Align::Right),
            Column::new(strings::REGISTERED_ITEMS, 0.15, Align::Right),
        ],
        rows,
        (sheet.x(), sheet.width()),
        TextStyle::regular(7.5),
        2,
    )?;
    sheet.table(&table)?;
    sheet.gap();
    sheet.fields(&[
        total_field(
            strings::TOTAL_RECEPTACLES,
            input.receptacles.len().to_string(),
            0.25,
        ),
        total_field(strings::TOTAL_WEIGHT_KG, kg_tenths(tenths), 0.25),
        total_field(strings::TOTAL_ITEMS, items.to_string(), 0.25),
        total_field(strings::TOTAL_REGISTERED, registered.to_string(), 0.25),
    ])?;
    sheet.gap();
    sheet.signatures(&[strings::DISPATCHING_OFFICER, strings::RECEIVING_OFFICER])?;
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
    fn a_small_dispatch_fits_one_tidy_page_with_every_field() {
        let receptacles = dispatch_receptacles(3, 40);
        let pages = letter_bill_pages(&LetterBillInput {
            dispatch: dispatch_header(),
            receptacles: &receptacles,
        })
        .unwrap();
        assert_eq!(pages.len(), 1);
        assert_tidy(&pages[0], mm(MARGIN_MM));
        let all = texts(&pages).join("\n");
        for expected in [
            "CN 31",
            "LETTER BILL",
            "EGCAIA",
            "PSRMHA",
            "Cairo-A mail traffic centre",
            "EGCAIA PSRMHA A UN 6 0001",
            "0001",
            "2026-11-22 18:30 UTC+02:00",
            "A  Priority / airmail",
            "UN  (U: Letter post)",
            "Closed transit via",
            "JOAMMA",
            "EGCAIA PSRMHA A UN 6 0001 003 1 1",
            "Page 1 / 1",
        ] {
            assert!(all.contains(expected), "{expected:?} not in {all}");
        }
    }

    #[test]
    fn totals_add_up_the_printed_column() {
        let receptacles = dispatch_receptacles(7, 10);
        let pages = letter_bill_pages(&LetterBillInput {
            dispatch: dispatch_header(),
            receptacles: &receptacles,
        })
        .unwrap();
        let all = texts(&pages);
        let tenths: u64 = receptacles
            .iter()
            .map(|r| u64::from(r.id.weight.tenths_of_kg()))
            .sum();
        assert!(all.contains(&kg_tenths(tenths)));
        let items: usize = receptacles.iter().map(|r| r.items).sum();
        assert!(all.contains(&items.to_string()));
    }

    #[test]
    fn many_receptacles_continue_on_tidy_numbered_sheets() {
        let receptacles = dispatch_receptacles(120, 5);
        let pages = letter_bill_pages(&LetterBillInput {
            dispatch: dispatch_header(),
            receptacles: &receptacles,
        })
        .unwrap();
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        let all = texts(&pages);
        for receptacle in &receptacles {
            let human = receptacle.id.human();
            assert_eq!(all.iter().filter(|t| **t == human).count(), 1, "{human}");
        }
        let total = pages.len();
        assert!(
            all.iter()
                .any(|t| t.contains(&format!("Page {total} / {total}")))
        );
        assert!(all.iter().any(|t| t.contains("Continuation sheet")));
    }

    #[test]
    fn a_receptacle_of_another_dispatch_or_weight_is_refused() {
        let mut receptacles = dispatch_receptacles(2, 5);
        receptacles[1].gross_weight = barid_core::Grams::new(1);
        let input = LetterBillInput {
            dispatch: dispatch_header(),
            receptacles: &receptacles,
        };
        assert!(matches!(
            letter_bill(&input),
            Err(DocumentError::WeightMismatch { .. })
        ));
        let mut header = dispatch_header();
        header.id = barid_core::DispatchId::parse("EGCAIAPSRMHAAUN60002").unwrap();
        let receptacles = dispatch_receptacles(2, 5);
        let input = LetterBillInput {
            dispatch: header,
            receptacles: &receptacles,
        };
        assert!(matches!(
            letter_bill(&input),
            Err(DocumentError::NotInDispatch { .. })
        ));
    }
}
