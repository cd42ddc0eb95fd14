//! The receptacle (bag) label: CN 35 for airmail, CN 34 for surface mail.
//!
//! **Size.** 100 × 150 mm, the item label's thermal stock: an office of exchange then needs one
//! printer and one roll for item and bag labels, and the UPU's own layout (standard S47) is not
//! public. The price is the barcode's module: an S9 ID is 288 modules with its set C digits,
//! 308 with the quiet zones, which at 3 dots (0.375 mm) would need 115 mm; the label gives it 2
//! dots (0.25 mm, 77 mm in all), which Code 128 allows and handheld scanners read.
//!
//! From top to bottom: the form number and title, and the mail category white on black; the
//! registered band (red with a white "R" when the receptacle holds registered items, as the
//! red CN 35 label does); the S9 barcode with its spaced human-readable form; the office of
//! exchange of origin; the office of destination, larger, with the closed-transit office if
//! any; then dispatch number, receptacle number (with the last-receptacle mark), gross weight,
//! category and subclass, number of items and date of closing in a grid.
//!
//! **Which form.** Categories C and D (surface) get the CN 34, "bag label for surface mail";
//! A and B the CN 35, "airmail bag label", since S.A.L. mail is carried by air. The CN 36's
//! title is cut off in every public source Barid found, so it is not printed for S.A.L.

use barid_core::{Grams, MailCategory, ReceptacleId};
use time::OffsetDateTime;

use crate::DocumentError;
use crate::canvas::{DocumentInfo, FRAME, HAIRLINE, Ink, Page, mm, write_pdf};
use crate::exchange::{Office, OfficeName, kg_tenths, office_items, printed_tenths};
use crate::format::{date, ltr};
use crate::parts::{Item, barcode, caption, cell, draw_block, fit_block};
use crate::strings::{self, Bilingual};
use crate::text::{Align, Paragraph, TextStyle};

/// What a receptacle label shows. The web layer fills it from the closed dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceptacleLabelInput<'a> {
    /// Encoded in the barcode; its dispatch, serial, flags and weight are printed too.
    pub receptacle: ReceptacleId,
    /// The name of the office of exchange of origin (its code is in the S9 ID).
    pub origin: OfficeName<'a>,
    /// The name of the office of exchange of destination (its code is in the S9 ID).
    pub destination: OfficeName<'a>,
    /// The closed-transit office, printed under the destination; `None` for a direct dispatch.
    pub transit: Option<Office<'a>>,
    /// The weight measured at closing; it must round to the S9 ID's weight, which is printed.
    pub gross_weight: Grams,
    /// The S10-listed items in the receptacle.
    pub item_count: usize,
    /// When the receptacle's dispatch was closed, in the office's offset.
    pub closed_at: OffsetDateTime,
}

pub(crate) const WIDTH_MM: f32 = 100.0;
pub(crate) const HEIGHT_MM: f32 = 150.0;

/// Section boundaries, in millimetres from the top of the page.
const MARGIN: f32 = 3.0;
const HEADER_END: f32 = 20.0;
const BAND_END: f32 = 30.0;
const BARCODE_END: f32 = 57.0;
const FROM_END: f32 = 80.0;
const TO_END: f32 = 116.0;
const CATEGORY_BOX: f32 = 26.0;
const BAR_HEIGHT: f32 = 18.0;

/// The form number and title for a receptacle of `category`.
pub(crate) fn label_form(category: MailCategory) -> (&'static str, Bilingual<'static>) {
    match category.letter() {
        'C' | 'D' => ("CN 34", strings::CN34_TITLE),
        _ => ("CN 35", strings::CN35_TITLE),
    }
}

/// Renders one receptacle label as a one-page PDF.
pub fn receptacle_label(input: &ReceptacleLabelInput<'_>) -> Result<Vec<u8>, DocumentError> {
    receptacle_labels(std::slice::from_ref(input))
}

/// Renders the labels of several receptacles (a whole dispatch) as one PDF, a page each, in
/// the order given.
pub fn receptacle_labels(inputs: &[ReceptacleLabelInput<'_>]) -> Result<Vec<u8>, DocumentError> {
    let Some(first) = inputs.first() else {
        return Err(DocumentError::Empty(
            "a receptacle label PDF needs at least one receptacle",
        ));
    };
    let pages = inputs
        .iter()
        .map(label_page)
        .collect::<Result<Vec<_>, _>>()?;
    let title = match inputs {
        [one] => format!("Receptacle label {}", one.receptacle),
        _ => format!("Receptacle labels {}", first.receptacle.dispatch),
    };
    write_pdf(
        &pages,
        &DocumentInfo {
            title,
            created: first.closed_at,
        },
    )
}

pub(crate) fn label_page(input: &ReceptacleLabelInput<'_>) -> Result<Page, DocumentError> {
    let id = &input.receptacle;
    let tenths = printed_tenths(id, input.gross_weight)?;
    let mut page = Page::new(mm(WIDTH_MM), mm(HEIGHT_MM));
    let left = mm(MARGIN);
    let right = mm(WIDTH_MM - MARGIN);
    let width = right - left;
    let top = mm(MARGIN);
    let bottom = mm(HEIGHT_MM - MARGIN);
    let pad = mm(1.5);

    page.frame(left, top, width, bottom - top, FRAME);
    for y in [HEADER_END, BAND_END, BARCODE_END, FROM_END, TO_END] {
        page.hrule(left, right, mm(y), FRAME);
    }

    // Header: form number and title at the left; the category white on black at the right.
    let (form, title) = label_form(id.dispatch.category);
    let box_left = right - mm(CATEGORY_BOX);
    let title_width = box_left - left - 2.0 * pad;
    let header = fit_block(
        &[
            Item::new(form, TextStyle::bold(18.0)),
            Item::new(title.en, TextStyle::bold(7.5)),
            Item::new(title.ar, TextStyle::bold(8.0)),
        ],
        title_width,
        mm(HEADER_END) - top - pad,
    )?;
    draw_block(
        &mut page,
        &header,
        left + pad,
        top + pad * 0.5,
        title_width,
        Align::Left,
    );
    page.fill(box_left, top, right - box_left, mm(HEADER_END) - top);
    let category = fit_block(
        &[
            Item::new(
                id.dispatch.category.letter().to_string(),
                TextStyle::bold(26.0),
            ),
            Item::new(id.dispatch.subclass.as_str(), TextStyle::bold(9.0)),
        ],
        right - box_left - 2.0 * pad,
        mm(HEADER_END) - top,
    )?;
    centred_white(
        &mut page,
        &category,
        (
            box_left + pad,
            top,
            right - box_left - 2.0 * pad,
            mm(HEADER_END) - top,
        ),
    );

    // The registered band.
    let band = (left, mm(HEADER_END), width, mm(BAND_END - HEADER_END));
    if id.registered {
        registered_band(&mut page, band)?;
    } else {
        let text = format!(
            "{} / {}",
            strings::NOT_REGISTERED.en,
            strings::NOT_REGISTERED.ar
        );
        let paragraphs = fit_block(&[Item::new(text, TextStyle::regular(8.0))], width, band.3)?;
        let height: f32 = paragraphs.iter().map(Paragraph::height).sum();
        draw_block(
            &mut page,
            &paragraphs,
            left,
            band.1 + (band.3 - height) / 2.0,
            width,
            Align::Center,
        );
    }

    // The S9 barcode and its spaced form.
    barcode(
        &mut page,
        &id.to_string(),
        &id.human(),
        (left, mm(BAND_END) + mm(2.0), width),
        mm(BAR_HEIGHT),
        3,
        9.0,
    )?;

    // Origin and destination offices of exchange.
    office_block(
        &mut page,
        strings::FROM_OE,
        office_items(id.dispatch.origin, &input.origin, 14.0),
        (
            left + pad,
            mm(BARCODE_END) + mm(1.0),
            width - 2.0 * pad,
            mm(FROM_END - BARCODE_END) - mm(1.8),
        ),
    )?;
    let mut destination = office_items(id.dispatch.destination, &input.destination, 24.0);
    if let Some(transit) = &input.transit {
        destination.push(Item::new(
            format!(
                "{} / {}  {}  {}",
                strings::VIA.en,
                strings::VIA.ar,
                ltr(transit.code.as_str()),
                transit.name.en
            ),
            TextStyle::bold(8.5),
        ));
        if let Some(ar) = transit.name.ar.filter(|ar| !ar.trim().is_empty()) {
            destination.push(Item::new(ar, TextStyle::bold(9.0)));
        }
    }
    office_block(
        &mut page,
        strings::TO_OE,
        destination,
        (
            left + pad,
            mm(FROM_END) + mm(1.0),
            width - 2.0 * pad,
            mm(TO_END - FROM_END) - mm(1.8),
        ),
    )?;

    // Footer grid: 3 columns, 2 rows.
    let column = width / 3.0;
    let row = (bottom - mm(TO_END)) / 2.0;
    page.hrule(left, right, mm(TO_END) + row, HAIRLINE);
    page.vrule(left + column, mm(TO_END), bottom, HAIRLINE);
    page.vrule(left + 2.0 * column, mm(TO_END), bottom, HAIRLINE);
    let value = TextStyle::bold(11.0);
    let at = |index: usize| {
        (
            left + column * (index % 3) as f32,
            mm(TO_END) + row * (index / 3) as f32,
        )
    };
    let (x, y) = at(0);
    cell(
        &mut page,
        strings::DISPATCH_NUMBER,
        &format!("{:04}", id.dispatch.number.get()),
        value,
        x,
        y,
        column,
        row,
    )?;
    let (x, y) = at(1);
    let serial = format!("{:03}", id.serial.get());
    if id.highest {
        // The last receptacle tells the inward office how many to expect: white on black, so
        // it is seen at a glance.
        page.fill(x, y, column, row);
        let lines = fit_block(
            &[
                Item::new(
                    format!(
                        "{}  {}",
                        strings::RECEPTACLE_NO.en,
                        strings::RECEPTACLE_NO.ar
                    ),
                    TextStyle::regular(5.5),
                ),
                Item::new(serial, TextStyle::bold(12.0)),
                Item::new(strings::LAST_RECEPTACLE.en, TextStyle::bold(7.0)),
                Item::new(strings::LAST_RECEPTACLE.ar, TextStyle::bold(7.5)),
            ],
            column - 2.0 * pad,
            row,
        )?;
        centred_white(&mut page, &lines, (x + pad, y, column - 2.0 * pad, row));
    } else {
        cell(
            &mut page,
            strings::RECEPTACLE_NO,
            &serial,
            TextStyle::bold(14.0),
            x,
            y,
            column,
            row,
        )?;
    }
    let (x, y) = at(2);
    cell(
        &mut page,
        strings::GROSS_WEIGHT_KG,
        &kg_tenths(u64::from(tenths)),
        TextStyle::bold(14.0),
        x,
        y,
        column,
        row,
    )?;
    let (x, y) = at(3);
    cell(
        &mut page,
        strings::MAIL_SUBCLASS_SHORT,
        &format!(
            "{} / {}",
            id.dispatch.category.letter(),
            id.dispatch.subclass.as_str()
        ),
        value,
        x,
        y,
        column,
        row,
    )?;
    let (x, y) = at(4);
    cell(
        &mut page,
        strings::ITEM_COUNT,
        &input.item_count.to_string(),
        value,
        x,
        y,
        column,
        row,
    )?;
    let (x, y) = at(5);
    cell(
        &mut page,
        strings::CLOSED_AT,
        &date(input.closed_at),
        TextStyle::bold(8.0),
        x,
        y,
        column,
        row,
    )?;
    Ok(page)
}

/// The red band of a registered receptacle: a large white "R" at each end and "REGISTERED"
/// in both languages between them.
fn registered_band(
    page: &mut Page,
    (x, y, width, height): (f32, f32, f32, f32),
) -> Result<(), DocumentError> {
    page.fill_ink(x, y, width, height, Ink::Red);
    let mark_width = mm(14.0);
    let mark = fit_block(&[Item::new("R", TextStyle::bold(24.0))], mark_width, height)?;
    centred_white(page, &mark, (x, y, mark_width, height));
    centred_white(page, &mark, (x + width - mark_width, y, mark_width, height));
    let words = fit_block(
        &[Item::new(
            format!(
                "{}   {}",
                strings::REGISTERED_MARK.en,
                strings::REGISTERED_MARK.ar
            ),
            TextStyle::bold(13.0),
        )],
        width - 2.0 * mark_width,
        height,
    )?;
    centred_white(
        page,
        &words,
        (x + mark_width, y, width - 2.0 * mark_width, height),
    );
    Ok(())
}

/// Draws paragraphs in white, centred both ways in the box (x, y, width, height).
fn centred_white(
    page: &mut Page,
    paragraphs: &[Paragraph],
    (x, y, width, height): (f32, f32, f32, f32),
) {
    let total: f32 = paragraphs.iter().map(Paragraph::height).sum();
    let mut top = y + (height - total).max(0.0) / 2.0;
    for paragraph in paragraphs {
        top += page.paragraph_colored(paragraph, x, top, width, Align::Center, true);
    }
}

/// An office block under its caption, shrunk to fit the area (x, y, width, height).
fn office_block(
    page: &mut Page,
    label: Bilingual<'_>,
    items: Vec<Item>,
    (x, y, width, height): (f32, f32, f32, f32),
) -> Result<(), DocumentError> {
    let used = caption(page, label, TextStyle::bold(6.5), x, y, width)?;
    let paragraphs = fit_block(&items, width, height - used)?;
    draw_block(page, &paragraphs, x, y + used, width, Align::Start);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barcode::DOT_203;

    /// The quiet zone on each side of the S9 barcode, at its 2-dot module.
    const QUIET: f32 = 10.0 * 2.0 * DOT_203;
    use crate::canvas::assert_tidy;
    use crate::support::*;

    fn check(input: &ReceptacleLabelInput<'_>) -> Page {
        let page = label_page(input).unwrap();
        assert_tidy(&page, mm(MARGIN));
        // The bars and their quiet zones hold no text, and the module is 2 dots.
        let bars: Vec<_> = page
            .fills()
            .into_iter()
            .filter(|(_, y, _, _)| *y > mm(BAND_END) && *y < mm(BARCODE_END))
            .collect();
        let bar_left = bars.iter().map(|b| b.0).fold(f32::INFINITY, f32::min);
        let bar_right = bars.iter().map(|b| b.0 + b.2).fold(0.0, f32::max);
        assert!(bar_left - QUIET >= mm(MARGIN) && bar_right + QUIET <= mm(WIDTH_MM - MARGIN));
        let narrowest = bars.iter().map(|b| b.2).fold(f32::INFINITY, f32::min);
        assert!(
            (narrowest - 2.0 * DOT_203).abs() < DOT_203 / 5.0,
            "{narrowest}"
        );
        let (bar_top, bar_bottom) = (bars[0].1, bars[0].1 + bars[0].3);
        for (text, (x0, y0, x1, y1)) in page.text_extents() {
            let beside = x1 <= bar_left - QUIET || x0 >= bar_right + QUIET;
            let apart = y1 <= bar_top || y0 >= bar_bottom;
            assert!(beside || apart, "{text:?} is in the barcode's quiet zone");
        }
        // Every text line stays in one section band.
        let bands = [
            MARGIN,
            HEADER_END,
            BAND_END,
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
        page
    }

    fn texts(page: &Page) -> Vec<String> {
        page.text_extents().into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn a_registered_receptacle_gets_the_red_band_and_an_ordinary_one_does_not() {
        let registered = check(&receptacle_label_input(RECEPTACLE_ID));
        let red = registered.fills_of(Ink::Red);
        assert_eq!(red.len(), 1);
        let (_, y, _, height) = red[0];
        assert!(
            (y - mm(HEADER_END)).abs() < 0.01 && (height - mm(BAND_END - HEADER_END)).abs() < 0.01
        );
        let all = texts(&registered);
        assert_eq!(all.iter().filter(|t| *t == "R").count(), 2);
        assert!(all.iter().any(|t| t.contains("REGISTERED")));

        let ordinary = check(&receptacle_label_input(ORDINARY_RECEPTACLE_ID));
        assert!(ordinary.fills_of(Ink::Red).is_empty());
        let all = texts(&ordinary);
        assert!(!all.iter().any(|t| t == "R" || t.contains("REGISTERED")));
        assert!(all.iter().any(|t| t.contains("Ordinary mail")));
    }

    #[test]
    fn the_label_prints_the_s9_offices_weight_and_marks() {
        let page = check(&receptacle_label_input(RECEPTACLE_ID));
        let all = texts(&page);
        for expected in [
            "CN 35",
            "EGCAIA PSRMHA A UN 6 0001 003 1 1 0123",
            "EGCAIA",
            "PSRMHA",
            "Cairo-A mail traffic centre",
            "مركز رام الله الدولي للبريد",
            "12.3",
            "003",
            "0001",
            "LAST RECEPTACLE",
            "الكيس الأخير",
            "A / UN",
            "42",
            "2026-11-22",
        ] {
            assert!(
                all.iter().any(|t| t == expected),
                "{expected:?} not in {all:?}"
            );
        }
        let ordinary = check(&receptacle_label_input(ORDINARY_RECEPTACLE_ID));
        assert!(!texts(&ordinary).iter().any(|t| t.contains("LAST")));
    }

    #[test]
    fn surface_categories_get_the_cn_34() {
        for (letter, form) in [
            ("A", "CN 35"),
            ("B", "CN 35"),
            ("C", "CN 34"),
            ("D", "CN 34"),
        ] {
            assert_eq!(label_form(MailCategory::parse(letter).unwrap()).0, form);
        }
        let surface = ReceptacleId::parse("EGCAIAPSRMHACUN60001001000123").unwrap();
        let mut input = receptacle_label_input(RECEPTACLE_ID);
        input.receptacle = surface;
        assert!(texts(&check(&input)).iter().any(|t| t == "CN 34"));
    }

    #[test]
    fn a_weight_that_contradicts_the_s9_id_is_refused() {
        let mut input = receptacle_label_input(RECEPTACLE_ID);
        input.gross_weight = Grams::new(15_000);
        assert!(matches!(
            receptacle_label(&input),
            Err(DocumentError::WeightMismatch { .. })
        ));
        assert_eq!(
            receptacle_labels(&[]),
            Err(DocumentError::Empty(
                "a receptacle label PDF needs at least one receptacle"
            ))
        );
    }

    #[test]
    fn the_transit_office_is_printed_under_the_destination() {
        let mut input = receptacle_label_input(RECEPTACLE_ID);
        input.transit = Some(transit_office());
        let all = texts(&check(&input)).join("\n");
        assert!(all.contains("JOAMMA") && all.contains("Amman"), "{all}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Any office names (Latin, Arabic, very long, empty) give a tidy label and a PDF.
        #[test]
        fn any_office_names_give_a_label(
            origin in "\\PC{0,300}",
            destination in "[\u{0600}-\u{06FF} ]{0,200}",
            arabic in proptest::option::of("[\u{0600}-\u{06FF}a-zA-Z0-9 ,.-]{0,200}"),
            transit in proptest::option::of("\\PC{0,120}"),
        ) {
            let mut input = receptacle_label_input(RECEPTACLE_ID);
            input.origin = OfficeName::new(&origin, arabic.as_deref());
            input.destination = OfficeName::new(&destination, arabic.as_deref());
            input.transit = transit.as_deref().map(|name| Office {
                code: barid_core::OfficeCode::parse("JOAMMA").unwrap(),
                name: OfficeName::new(name, arabic.as_deref()),
            });
            check(&input);
            let pdf = receptacle_label(&input).unwrap();
            proptest::prop_assert!(pdf.starts_with(b"%PDF-"));
        }
    }
}
