//! The acceptance receipt handed to the sender: 80 mm wide, as long as its content, for the
//! receipt printers found at post office counters (it also prints on A4 at 100 %).
//!
//! It carries the item number (barcode and spaced text), service, destination, weight, postage
//! paid, the accepting office and time, and where to track the item.

use barid_core::{CountryCode, Grams, Money, S10Id};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, HAIRLINE, Page, mm, write_pdf};
use crate::format::{country_line, date_time};
use crate::parts::{caption, item_barcode};
use crate::strings::{self, Bilingual};
use crate::text::{Align, TextStyle};

/// What the acceptance receipt shows.
#[derive(Debug, Clone)]
pub struct ReceiptInput<'a> {
    pub item_id: S10Id,
    /// The designated operator, e.g. "Egypt Post" / "البريد المصري".
    pub operator: Bilingual<'a>,
    pub service: Bilingual<'a>,
    pub destination: CountryCode,
    pub weight: Grams,
    /// The postage the sender paid.
    pub postage: Money,
    /// The accepting office's name, in any script (or both).
    pub office: &'a str,
    /// When the item was accepted, in the office's offset.
    pub accepted_at: OffsetDateTime,
    /// The public tracking page, e.g. `https://barid.example/track/EE123456785EG`.
    pub tracking_url: &'a str,
}

pub(crate) const WIDTH_MM: f32 = 80.0;
const MARGIN_MM: f32 = 4.0;
/// The receipt is never shorter than this, so it is easy to handle.
const MIN_HEIGHT_MM: f32 = 100.0;

/// Renders the acceptance receipt as a one-page PDF.
pub fn acceptance_receipt(input: &ReceiptInput<'_>) -> Result<Vec<u8>, DocumentError> {
    let page = receipt_page(input)?;
    write_pdf(
        &[page],
        &DocumentInfo {
            title: format!("Acceptance receipt {}", input.item_id),
            created: input.accepted_at,
        },
    )
}

pub(crate) fn receipt_page(input: &ReceiptInput<'_>) -> Result<Page, DocumentError> {
    let mut page = Page::new(mm(WIDTH_MM), mm(MIN_HEIGHT_MM));
    let x = mm(MARGIN_MM);
    let width = mm(WIDTH_MM - 2.0 * MARGIN_MM);
    let mut y = mm(MARGIN_MM);
    let gap = mm(2.0);

    y += page.text(
        input.operator.en,
        TextStyle::bold(11.0),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += page.text(
        input.operator.ar,
        TextStyle::bold(12.0),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += mm(1.0);
    y += page.text(
        strings::RECEIPT.en,
        TextStyle::bold(10.0),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += page.text(
        strings::RECEIPT.ar,
        TextStyle::bold(11.0),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += gap;
    page.hrule(x, x + width, y, HAIRLINE);
    y += gap;
    y += item_barcode(&mut page, &input.item_id, x, y, width, mm(12.0), 3, 11.0)?;
    y += gap;
    page.hrule(x, x + width, y, HAIRLINE);
    y += gap;

    let service = format!("{}  {}", input.service.en, input.service.ar);
    let rows: [(Bilingual<'_>, String); 6] = [
        (strings::SERVICE, service),
        (strings::DESTINATION, country_line(input.destination)),
        (strings::WEIGHT, input.weight.to_string()),
        (strings::POSTAGE_PAID, input.postage.to_string()),
        (strings::ACCEPTING_OFFICE, input.office.to_owned()),
        (strings::ACCEPTED_AT, date_time(input.accepted_at)),
    ];
    for (label, value) in &rows {
        y += caption(&mut page, *label, TextStyle::regular(6.5), x, y, width)?;
        y += page.text(value, TextStyle::bold(9.5), x, y, width, Align::Start)?;
        y += mm(1.2);
    }
    y += gap * 0.5;
    page.hrule(x, x + width, y, HAIRLINE);
    y += gap;

    y += page.text(
        strings::TRACK.en,
        TextStyle::regular(7.5),
        x,
        y,
        width,
        Align::Left,
    )?;
    y += page.text(
        strings::TRACK.ar,
        TextStyle::regular(8.0),
        x,
        y,
        width,
        Align::Right,
    )?;
    y += page.text(
        input.tracking_url,
        TextStyle::bold(8.5),
        x,
        y,
        width,
        Align::Left,
    )?;
    y += gap;
    y += page.text(
        strings::KEEP_RECEIPT.en,
        TextStyle::regular(6.5),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += page.text(
        strings::KEEP_RECEIPT.ar,
        TextStyle::regular(7.0),
        x,
        y,
        width,
        Align::Center,
    )?;
    y += mm(MARGIN_MM);

    page.height = y.max(mm(MIN_HEIGHT_MM));
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::assert_tidy;
    use crate::support::*;

    #[test]
    fn the_receipt_is_tidy_and_grows_with_a_long_office_name() {
        let mut input = receipt_input();
        let page = receipt_page(&input).unwrap();
        assert_tidy(&page, mm(MARGIN_MM));
        assert!((page.height - mm(MIN_HEIGHT_MM)).abs() < 0.01 || page.height > mm(MIN_HEIGHT_MM));
        let office = "مكتب بريد ".repeat(30);
        input.office = &office;
        let url = format!("https://barid.example.org/track/{}", "X".repeat(200));
        input.tracking_url = &url;
        let long = receipt_page(&input).unwrap();
        assert_tidy(&long, mm(MARGIN_MM));
        assert!(long.height > page.height);
    }
}
