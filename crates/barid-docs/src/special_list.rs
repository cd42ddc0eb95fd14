//! The CN 33 special list of registered items (A4): it travels with the dispatch's letter bill
//! and lists every registered (or insured) item in it, so the office of destination can account
//! for each one.
//!
//! The dispatch header, as on the CN 31; then one line per item (running number, S10 ID, the
//! receptacle it is in, country of origin, country of destination), continued on as many
//! sheets as the list needs; the number of items; the two officers' signatures.

use barid_core::{CountryCode, ReceptacleSerial, S10Id};

use crate::DocumentError;
use crate::canvas::{DocumentInfo, Page, write_pdf};
use crate::exchange::{DispatchHeader, sheet_header, total_field};
use crate::format::country;
use crate::sheet::Sheet;
use crate::strings;
use crate::table::{Column, Table};
use crate::text::{Align, TextStyle};

/// One registered item of the dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisteredItem {
    pub item: S10Id,
    /// The receptacle of the dispatch the item is in.
    pub receptacle: ReceptacleSerial,
    /// The country the item was posted in.
    pub origin: CountryCode,
    /// The country it is addressed to.
    pub destination: CountryCode,
}

/// What a special list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialListInput<'a> {
    pub dispatch: DispatchHeader<'a>,
    /// Listed in the order given.
    pub items: &'a [RegisteredItem],
}

/// Renders the CN 33 special list.
pub fn special_list(input: &SpecialListInput<'_>) -> Result<Vec<u8>, DocumentError> {
    write_pdf(
        &special_list_pages(input)?,
        &DocumentInfo {
            title: format!("CN 33 special list {}", input.dispatch.id),
            created: input.dispatch.closed_at,
        },
    )
}

/// `EG  Egypt  مصر`.
fn country_cell(code: CountryCode) -> String {
    format!("{}  {}", code.as_str(), country(code))
}

pub(crate) fn special_list_pages(input: &SpecialListInput<'_>) -> Result<Vec<Page>, DocumentError> {
    let dispatch = &input.dispatch;
    let mut sheet = Sheet::new("CN 33", strings::CN33_TITLE, dispatch.id.human())?;
    sheet_header(
        &mut sheet,
        dispatch,
        (strings::CLOSED_AT, dispatch.closed_at),
    )?;
    let rows = input.items.iter().enumerate().map(|(index, line)| {
        vec![
            (index + 1).to_string(),
            line.item.human(),
            format!("{:03}", line.receptacle.get()),
            country_cell(line.origin),
            country_cell(line.destination),
        ]
    });
    let table = Table::new(
        vec![
            Column::new(strings::SERIAL, 0.08, Align::Right),
            Column::new(strings::ITEM_ID, 0.26, Align::Left),
            Column::new(strings::IN_RECEPTACLE, 0.14, Align::Center),
            Column::new(strings::ORIGIN_COUNTRY, 0.26, Align::Left),
            Column::new(strings::DESTINATION_COUNTRY, 0.26, Align::Left),
        ],
        rows,
        (sheet.x(), sheet.width()),
        TextStyle::regular(7.5),
        2,
    )?;
    sheet.table(&table)?;
    sheet.gap();
    sheet.fields(&[total_field(
        strings::TOTAL_REGISTERED,
        input.items.len().to_string(),
        1.0,
    )])?;
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
    fn every_item_is_listed_once_with_its_receptacle_and_countries() {
        let items = registered_items(3_000, 30);
        let items = &items[..150];
        let pages = special_list_pages(&SpecialListInput {
            dispatch: dispatch_header(),
            items,
        })
        .unwrap();
        assert!(pages.len() >= 3);
        for page in &pages {
            assert_tidy(page, mm(MARGIN_MM));
        }
        let all = texts(&pages);
        for line in items {
            let human = line.item.human();
            assert_eq!(all.iter().filter(|t| **t == human).count(), 1, "{human}");
        }
        for expected in [
            "CN 33",
            "EG  Egypt  مصر",
            "PS  Palestine  فلسطين",
            "150",
            "030",
        ] {
            assert!(all.iter().any(|t| t == expected), "{expected:?}");
        }
    }

    #[test]
    fn an_empty_list_still_renders_with_its_header_and_total() {
        let pages = special_list_pages(&SpecialListInput {
            dispatch: dispatch_header(),
            items: &[],
        })
        .unwrap();
        assert_eq!(pages.len(), 1);
        assert_tidy(&pages[0], mm(MARGIN_MM));
        assert!(texts(&pages).iter().any(|t| t == "0"));
    }
}
