//! The item label, 100 × 150 mm (the common thermal label stock).
//!
//! From top to bottom: the designated operator and the service (white on black, so a sorter
//! sees EMS at a glance); the Code 128 of the S10 ID with its spaced human-readable form; the
//! sender; the addressee (larger); then origin, destination, customs form, weight, postage and
//! date of acceptance in a grid. Every caption is in English and Arabic.

use barid_core::{CountryCode, CustomsForm, Grams, Money, Party, S10Id};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, FRAME, HAIRLINE, Page, mm, write_pdf};
use crate::format::{country, date};
use crate::parts::{Item, cell, draw_block, fit_block, item_barcode, party_block};
use crate::strings::{self, Bilingual};
use crate::text::{Align, TextStyle, layout};

/// What the item label shows. The web layer fills it from the item's record.
#[derive(Debug, Clone)]
pub struct LabelInput<'a> {
    /// Encoded in the barcode and printed as `RR 123 456 785 EG` under it.
    pub item_id: S10Id,
    /// The designated operator that accepted the item, e.g. "Egypt Post" / "البريد المصري".
    pub operator: Bilingual<'a>,
    /// The service, e.g. [`crate::service_name`] of the ID's service indicator.
    pub service: Bilingual<'a>,
    pub sender: &'a Party,
    pub addressee: &'a Party,
    /// The country of posting.
    pub origin: CountryCode,
    pub destination: CountryCode,
    pub weight: Grams,
    pub postage: Money,
    /// Printed as the date of acceptance, in the office's offset.
    pub accepted_at: OffsetDateTime,
    /// The customs form attached, if the item carries a declaration.
    pub customs_form: Option<CustomsForm>,
}

pub(crate) const WIDTH_MM: f32 = 100.0;
pub(crate) const HEIGHT_MM: f32 = 150.0;

/// Section boundaries, in millimetres from the top of the page.
const MARGIN: f32 = 3.0;
const HEADER_END: f32 = 20.0;
const BARCODE_END: f32 = 45.0;
const FROM_END: f32 = 78.0;
const TO_END: f32 = 126.0;
const SERVICE_BOX: f32 = 36.0;

/// Renders the item label as a one-page PDF.
pub fn item_label(input: &LabelInput<'_>) -> Result<Vec<u8>, DocumentError> {
    let page = label_page(input)?;
    write_pdf(
        &[page],
        &DocumentInfo {
            title: format!("Item label {}", input.item_id),
            created: input.accepted_at,
        },
    )
}

pub(crate) fn label_page(input: &LabelInput<'_>) -> Result<Page, DocumentError> {
    let mut page = Page::new(mm(WIDTH_MM), mm(HEIGHT_MM));
    let left = mm(MARGIN);
    let right = mm(WIDTH_MM - MARGIN);
    let width = right - left;
    let top = mm(MARGIN);
    let bottom = mm(HEIGHT_MM - MARGIN);
    let pad = mm(1.5);

    page.frame(left, top, width, bottom - top, FRAME);
    for y in [HEADER_END, BARCODE_END, FROM_END, TO_END] {
        page.hrule(left, right, mm(y), FRAME);
    }

    // Header: operator at the left, service white on black at the right.
    let service_left = right - mm(SERVICE_BOX);
    let operator_width = service_left - left - 2.0 * pad;
    let operator = fit_block(
        &[
            Item::new(input.operator.en, TextStyle::bold(10.0)),
            Item::new(input.operator.ar, TextStyle::bold(11.0)),
        ],
        operator_width,
        mm(HEADER_END) - top - 2.0 * pad,
    )?;
    draw_block(
        &mut page,
        &operator,
        left + pad,
        top + pad,
        operator_width,
        Align::Left,
    );

    page.fill(
        service_left,
        top,
        right - service_left,
        mm(HEADER_END) - top,
    );
    let service_width = right - service_left - 2.0 * pad;
    let service = fit_block(
        &[
            Item::new(
                input.service.en,
                TextStyle::bold(fit_size(input.service.en, 20.0, service_width)?),
            ),
            Item::new(input.service.ar, TextStyle::bold(10.0)),
        ],
        service_width,
        mm(HEADER_END) - top - 2.0 * pad,
    )?;
    let service_height: f32 = service.iter().map(|p| p.height()).sum();
    let mut y = top + (mm(HEADER_END) - top - service_height) / 2.0;
    for paragraph in &service {
        y += page.paragraph_colored(
            paragraph,
            service_left + pad,
            y,
            service_width,
            Align::Center,
            true,
        );
    }

    // Barcode: 3 dots (0.375 mm) modules, 15 mm bars.
    item_barcode(
        &mut page,
        &input.item_id,
        left,
        mm(HEADER_END) + mm(2.5),
        width,
        mm(15.0),
        3,
        12.0,
    )?;

    // Sender and addressee.
    party_block(
        &mut page,
        strings::FROM,
        input.sender,
        (
            left + pad,
            mm(BARCODE_END) + mm(1.0),
            width - 2.0 * pad,
            mm(FROM_END - BARCODE_END) - mm(1.8),
        ),
        (7.5, 8.5),
    )?;
    party_block(
        &mut page,
        strings::TO,
        input.addressee,
        (
            left + pad,
            mm(FROM_END) + mm(1.0),
            width - 2.0 * pad,
            mm(TO_END - FROM_END) - mm(1.8),
        ),
        (9.5, 11.0),
    )?;

    // Footer grid: 3 columns, 2 rows.
    let column = width / 3.0;
    let row = (bottom - mm(TO_END)) / 2.0;
    page.hrule(left, right, mm(TO_END) + row, HAIRLINE);
    page.vrule(left + column, mm(TO_END), bottom, HAIRLINE);
    page.vrule(left + 2.0 * column, mm(TO_END), bottom, HAIRLINE);
    let value = TextStyle::bold(8.0);
    let customs = input.customs_form.map_or_else(
        || format!("{} / {}", strings::NO_CUSTOMS.en, strings::NO_CUSTOMS.ar),
        |form| form.label().to_owned(),
    );
    let cells: [(Bilingual<'_>, String, TextStyle); 6] = [
        (strings::ORIGIN, country(input.origin), value),
        (strings::DESTINATION, country(input.destination), value),
        (strings::CUSTOMS, customs, TextStyle::bold(11.0)),
        (strings::WEIGHT, input.weight.to_string(), value),
        (strings::POSTAGE, input.postage.to_string(), value),
        (strings::DATE, date(input.accepted_at), value),
    ];
    for (index, (label, text, style)) in cells.iter().enumerate() {
        let x = left + column * (index % 3) as f32;
        let y = mm(TO_END) + row * (index / 3) as f32;
        cell(&mut page, *label, text, *style, x, y, column, row)?;
    }
    Ok(page)
}

/// The largest size up to `max` at which `text` fits on one line of `width`, at least 6 pt.
fn fit_size(text: &str, max: f32, width: f32) -> Result<f32, DocumentError> {
    let natural = layout(text, TextStyle::bold(max), f32::INFINITY)?.width();
    if natural <= width || natural <= 0.0 {
        return Ok(max);
    }
    Ok((max * width / natural).max(6.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canvas::assert_tidy;
    use crate::support::*;

    fn check(sender: &Party, addressee: &Party, customs: Option<CustomsForm>) -> Page {
        let mut input = label_input(sender, addressee);
        input.customs_form = customs;
        let page = label_page(&input).unwrap();
        assert_tidy(&page, mm(MARGIN));
        // The bars and their quiet zones hold no text.
        let fills = page.fills();
        let bars: Vec<_> = fills
            .iter()
            .filter(|(_, y, _, _)| *y > mm(HEADER_END) && *y < mm(BARCODE_END))
            .collect();
        let left = bars.iter().map(|b| b.0).fold(f32::INFINITY, f32::min);
        let right = bars.iter().map(|b| b.0 + b.2).fold(0.0, f32::max);
        let (top, bottom) = (bars[0].1, bars[0].1 + bars[0].3);
        let quiet = 10.0 * 3.0 * crate::barcode::DOT_203;
        assert!(left - quiet >= mm(MARGIN) && right + quiet <= mm(WIDTH_MM - MARGIN));
        for (text, (x0, y0, x1, y1)) in page.text_extents() {
            let beside = x1 <= left - quiet || x0 >= right + quiet;
            let apart = y1 <= top || y0 >= bottom;
            assert!(beside || apart, "{text:?} is in the barcode's quiet zone");
        }
        page
    }

    #[test]
    fn the_sample_label_is_tidy() {
        let page = check(&sender(), &addressee(), Some(CustomsForm::Cn23));
        let texts: Vec<String> = page.text_extents().into_iter().map(|(t, _)| t).collect();
        assert!(texts.iter().any(|t| t == "EE 123 456 785 EG"));
        assert!(texts.iter().any(|t| t == "CN 23"));
        assert!(texts.iter().any(|t| t.contains("Fatima Khalil")));
    }

    #[test]
    fn minimal_parties_and_no_customs_form() {
        let page = check(&minimal_party(), &minimal_party(), None);
        let texts: Vec<String> = page.text_extents().into_iter().map(|(t, _)| t).collect();
        assert!(texts.iter().any(|t| t.contains("None")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Any text a validated party can hold gives a tidy label and a PDF.
        #[test]
        fn any_party_text_gives_a_label(
            name in "\\PC{1,100}",
            line in "\\PC{1,100}",
            city in "[\u{0600}-\u{06FF}a-zA-Z0-9 ,.-]{1,60}",
            latin in proptest::option::of("[a-zA-Z0-9 ,.'-]{1,60}"),
        ) {
            let draft = barid_core::PartyDraft {
                name,
                address_lines: vec![line],
                city,
                country: "PS".to_owned(),
                latin: latin.map(|text| barid_core::party::LatinDraft {
                    name: text.clone(),
                    address_lines: vec![text.clone()],
                    city: text,
                }),
                ..barid_core::PartyDraft::default()
            };
            // Only what validation accepts reaches a label.
            proptest::prop_assume!(draft.clone().validate().is_ok());
            let party = draft.validate().unwrap();
            check(&party, &addressee(), Some(CustomsForm::Cn22));
            let pdf = item_label(&label_input(&party, &party)).unwrap();
            proptest::prop_assert!(pdf.starts_with(b"%PDF-"));
        }
    }

    #[test]
    fn the_longest_parties_stay_inside_their_sections() {
        for arabic in [true, false] {
            let party = longest_party(arabic);
            let page = check(&party, &party, Some(CustomsForm::Cn22));
            // Every text line stays in one section band.
            let bands = [
                MARGIN,
                HEADER_END,
                BARCODE_END,
                FROM_END,
                TO_END,
                HEIGHT_MM - MARGIN,
            ];
            for (text, (_, top, _, bottom)) in page.text_extents() {
                assert!(
                    bands
                        .windows(2)
                        .any(|w| top >= mm(w[0]) - 0.01 && bottom <= mm(w[1]) + 0.01),
                    "{text:?} ({top}..{bottom}) crosses a section boundary"
                );
            }
        }
    }
}
