//! Renders every document and checks it with the tools a post office would meet: poppler
//! renders the pages, zbarimg scans the barcode (at 200 and 100 dpi and in a 1-bit 203 dpi
//! render like a thermal printer's), pdftotext reads the text back (the Arabic in logical order)
//! and pdffonts lists the fonts. The tools are required: a missing one fails the test.
//!
//! The PDFs and PNGs stay in `target/tmp/barid-docs/<test>/` to be looked at. The
//! office-of-exchange documents' tests are in `exchange/`, the quality report's in `quality/`.

// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod exchange;
mod quality;
mod support;
mod tools;

use std::path::{Path, PathBuf};

use barid_core::{CustomsForm, Party, PartyDraft};
use barid_docs::{acceptance_receipt, cn22, cn23, customs_declaration, item_label};
use support::*;

/// The renders every barcode must survive: (dpi, 1-bit).
const RENDERS: [(u32, bool); 3] = [(200, false), (100, false), (203, true)];

/// Scans page `page` of `pdf` in every render and expects exactly the item ID.
fn assert_scans(pdf: &Path, page: usize) {
    for (dpi, mono) in RENDERS {
        let image = tools::render(pdf, page, dpi, mono);
        assert_eq!(
            tools::scan(&image),
            vec![format!("CODE-128:{ITEM_ID}")],
            "page {page} of {} at {dpi} dpi{}",
            pdf.display(),
            if mono { ", 1-bit" } else { "" }
        );
    }
}

/// pdftotext's output without the bidi embedding marks it adds around runs, with white space
/// collapsed.
fn plain_text(pdf: &Path) -> String {
    let text: String = tools::text(pdf)
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn save(test: &str, name: &str, pdf: &[u8]) -> PathBuf {
    tools::save(&tools::out_dir(test), name, pdf)
}

fn sample_label(test: &str) -> PathBuf {
    let (sender, addressee) = (sender(), addressee());
    save(
        test,
        "label",
        &item_label(&label_input(&sender, &addressee)).unwrap(),
    )
}

#[test]
fn the_label_barcode_scans_as_the_s10_id() {
    let pdf = sample_label("label_barcode");
    assert_eq!(tools::page_count(&pdf), 1);
    assert_scans(&pdf, 1);
}

#[test]
fn at_203_dpi_every_bar_is_a_whole_number_of_3_dot_modules() {
    let pdf = sample_label("label_dots");
    let image = tools::render(&pdf, 1, 203, true);
    // The label's bars run from 22.5 to 37.5 mm from the top; take the row at 30 mm.
    let row = tools::pbm_row(&image, (30.0 / 25.4 * 203.0) as usize);
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for pixel in row {
        match runs.last_mut() {
            Some((colour, count)) if *colour == pixel => *count += 1,
            _ => runs.push((pixel, 1)),
        }
    }
    // The widest white run on each side is a quiet zone; the symbol lies between them.
    let widest = |runs: &[(bool, usize)]| {
        runs.iter()
            .enumerate()
            .filter(|(_, (colour, _))| !colour)
            .max_by_key(|(_, (_, count))| *count)
            .map(|(index, _)| index)
            .unwrap()
    };
    let half = runs.len() / 2;
    let left = widest(&runs[..half]);
    let right = half + widest(&runs[half..]);
    let symbol = &runs[left + 1..right];
    assert!(
        runs[left].1 >= 30 && runs[right].1 >= 30,
        "quiet zones of 10 modules"
    );
    for (colour, count) in symbol {
        assert!(
            count % 3 == 0 && (3..=12).contains(count),
            "a {colour} run of {count} dots"
        );
    }
    // 156 modules from the start character to the end of the stop pattern.
    assert_eq!(
        symbol.iter().map(|(_, count)| count).sum::<usize>(),
        156 * 3
    );
}

#[test]
fn every_customs_page_and_the_receipt_carry_a_scannable_barcode() {
    let (sender, addressee) = (sender(), addressee());
    for (name, form, lines) in [
        ("cn22", CustomsForm::Cn22, 2),
        ("cn23", CustomsForm::Cn23, 4),
        ("cn22-continued", CustomsForm::Cn22, 12),
        ("cn23-continued", CustomsForm::Cn23, 45),
    ] {
        let declaration = declaration(form, lines);
        let pdf = save(
            "customs_barcodes",
            name,
            &customs_declaration(&customs_input(&declaration, &sender, &addressee)).unwrap(),
        );
        let pages = tools::page_count(&pdf);
        assert_eq!(
            pages > 1,
            name.ends_with("continued"),
            "{name} has {pages} pages"
        );
        for page in 1..=pages {
            assert_scans(&pdf, page);
        }
    }
    let pdf = save(
        "customs_barcodes",
        "receipt",
        &acceptance_receipt(&receipt_input()).unwrap(),
    );
    assert_scans(&pdf, 1);
}

#[test]
fn pdftotext_reads_the_arabic_in_logical_order_and_the_latin_text() {
    let pdf = sample_label("label_text");
    let text = plain_text(&pdf);
    for expected in [
        SENDER_NAME,
        ADDRESSEE_NAME,
        "البريد المصري",
        "البريد السريع",
        "رام الله",
        "حي المصيون",
        "فلسطين",
        "Mohamed Ahmed Abdallah",
        "Fatima Khalil",
        "Al-Masyoun",
        "Egypt Post",
        "EMS",
        "EE 123 456 785 EG",
        "PALESTINE",
        "1.250 kg",
        "450.00 EGP",
        "2026-11-22",
        "CN 23",
        "+970 59 123 4567",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    // Lines with Arabic commas or digits: poppler's reordering (reorderText) ends a right-to-left
    // section at a comma or a digit, so on a mostly Latin page it gives such a line's pieces in
    // visual order. Each word still comes back in logical order, never reversed.
    for phrase in [SENDER_STREET, ADDRESSEE_STREET, "القاهرة"] {
        assert_words_in_logical_order(&text, phrase);
    }
}

/// Every Arabic word of `phrase` is in `text` as typed, and not reversed.
fn assert_words_in_logical_order(text: &str, phrase: &str) {
    for word in phrase
        .split(|c: char| c.is_whitespace() || c == '،' || c.is_ascii_punctuation())
        .filter(|word| word.chars().any(|c| ('\u{0621}'..='\u{064A}').contains(&c)))
    {
        assert!(text.contains(word), "{word:?} not in {text:?}");
        let reversed: String = word.chars().rev().collect();
        if reversed != word {
            assert!(
                !text.contains(&reversed),
                "{word:?} is reversed in {text:?}"
            );
        }
    }
}

#[test]
fn the_cn23_text_has_every_field_value() {
    let (sender, addressee) = (sender(), addressee());
    let declaration = declaration(CustomsForm::Cn23, 3);
    let pdf = save(
        "cn23_text",
        "cn23",
        &cn23(&customs_input(&declaration, &sender, &addressee)).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "CUSTOMS DECLARATION",
        "إقرار جمركي",
        "May be opened officially",
        "CN 23",
        "Egypt Post",
        "EE 123 456 785 EG",
        SENDER_NAME,
        ADDRESSEE_NAME,
        "Mohamed Ahmed Abdallah",
        "Fatima Khalil",
        "Handmade olive-wood nativity set",
        "قمصان قطنية رجالية",
        "610510",
        "Egypt (EG)",
        "1.330",
        "3753.00 EGP",
        "450.00 EGP",
        "Sale of goods",
        "EXP-2026-0042",
        "CO-EG-77812, CO-EG-77813",
        "INV-2026-11-0193",
        "PS-VAT-562100345",
        "EG-EORI-99120",
        "2026-11-22",
        "I certify that the particulars given in this customs declaration are correct",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn the_receipt_text_has_the_tracking_hint_office_and_time() {
    let pdf = save(
        "receipt_text",
        "receipt",
        &acceptance_receipt(&receipt_input()).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "ACCEPTANCE RECEIPT",
        "إيصال قبول",
        "EE 123 456 785 EG",
        "EMS",
        "PALESTINE",
        "1.250 kg",
        "450.00 EGP",
        "Cairo Dokki post office",
        "مكتب بريد الدقي",
        "2026-11-22 14:05 UTC+02:00",
        "https://barid.example.org/track/EE123456785EG",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn every_font_is_embedded_subset_and_mapped_to_unicode() {
    let (sender, addressee) = (sender(), addressee());
    let declaration = declaration(CustomsForm::Cn23, 2);
    let input = customs_input(&declaration, &sender, &addressee);
    for (name, pdf) in [
        (
            "label",
            item_label(&label_input(&sender, &addressee)).unwrap(),
        ),
        ("cn22", cn22(&input).unwrap()),
        ("cn23", cn23(&input).unwrap()),
        ("receipt", acceptance_receipt(&receipt_input()).unwrap()),
    ] {
        let path = save("fonts", name, &pdf);
        let fonts = tools::fonts(&path);
        assert!(!fonts.is_empty(), "{name} lists no fonts");
        for font in &fonts {
            assert!(
                font.embedded && font.subset && font.unicode,
                "{name}: {font:?}"
            );
        }
        for family in ["NotoSans-Regular", "NotoSans-Bold", "NotoNaskhArabic"] {
            assert!(
                fonts.iter().any(|font| font.name.contains(family)),
                "{name} has no {family}: {fonts:?}"
            );
        }
    }
}

/// Checks with pdftotext -bbox that every word lies inside the label's frame (3 mm margin).
fn assert_words_inside(pdf: &Path, margin_pt: f32) -> Vec<tools::Word> {
    let (pages, words) = tools::words(pdf);
    for word in &words {
        let (width, height) = pages[word.page - 1];
        assert!(
            word.x_min >= margin_pt
                && word.x_max <= width - margin_pt
                && word.y_min >= margin_pt
                && word.y_max <= height - margin_pt,
            "{word:?} leaves the {width}×{height} page's {margin_pt} pt margin"
        );
    }
    words
}

#[test]
fn long_arabic_and_latin_addresses_wrap_and_stay_inside_the_label() {
    let margin = 3.0 * 72.0 / 25.4;
    for arabic in [true, false] {
        let party = longest_party(arabic);
        let name = if arabic { "arabic" } else { "latin" };
        let pdf = save(
            "long_addresses",
            name,
            &item_label(&label_input(&party, &party)).unwrap(),
        );
        let words = assert_words_inside(&pdf, margin);
        // The addressee's unbreakable 100-letter name is broken over several lines.
        let letter = if arabic { "ب" } else { "W" };
        let name_lines: Vec<&tools::Word> = words
            .iter()
            .filter(|word| {
                word.text.chars().all(|c| c.to_string() == letter) && word.text.chars().count() > 5
            })
            .collect();
        assert!(name_lines.len() >= 4, "{name}: {name_lines:?}");
        let mut tops: Vec<i32> = name_lines.iter().map(|word| word.y_min as i32).collect();
        tops.dedup();
        assert!(
            tops.len() >= 4,
            "{name}: the long name is not on several lines"
        );
        assert_scans(&pdf, 1);
    }
}

#[test]
fn empty_optional_fields_render_every_document() {
    let party = minimal_party();
    let mut input = label_input(&party, &party);
    input.customs_form = None;
    let pdf = save("minimal", "label", &item_label(&input).unwrap());
    assert_scans(&pdf, 1);
    assert!(plain_text(&pdf).contains("None / لا يوجد"));
    for form in [CustomsForm::Cn22, CustomsForm::Cn23] {
        let declaration = minimal_declaration(form);
        let pdf = save(
            "minimal",
            form.as_str(),
            &customs_declaration(&customs_input(&declaration, &party, &party)).unwrap(),
        );
        assert_eq!(tools::page_count(&pdf), 1);
        assert_scans(&pdf, 1);
        let text = plain_text(&pdf);
        assert!(
            text.contains(form.label()) && text.contains("Book"),
            "{text}"
        );
    }
}

#[test]
fn characters_missing_from_both_fonts_do_not_stop_a_label() {
    let party: Party = PartyDraft {
        name: "王小明 😀 שלום Ελένη".to_owned(),
        address_lines: vec!["東京都 1-2-3 ∰ ✈".to_owned()],
        city: "Tōkyō".to_owned(),
        country: "JP".to_owned(),
        ..PartyDraft::default()
    }
    .validate()
    .unwrap();
    let pdf = save(
        "missing_glyphs",
        "label",
        &item_label(&label_input(&party, &addressee())).unwrap(),
    );
    assert_scans(&pdf, 1);
    let text = plain_text(&pdf);
    assert!(text.contains("Ελένη") && text.contains("Tōkyō"), "{text}");
    assert!(tools::fonts(&pdf).iter().all(|font| font.embedded));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let (sender, addressee) = (sender(), addressee());
    let first = item_label(&label_input(&sender, &addressee)).unwrap();
    let second = item_label(&label_input(&sender, &addressee)).unwrap();
    assert_eq!(first, second);
    let declaration = declaration(CustomsForm::Cn23, 5);
    let input = customs_input(&declaration, &sender, &addressee);
    assert_eq!(cn23(&input).unwrap(), cn23(&input).unwrap());
}

#[test]
fn the_page_sizes_are_the_documented_ones() {
    let (sender, addressee) = (sender(), addressee());
    let size = |pdf: &Path| -> (f32, f32) {
        let (pages, _) = tools::words(pdf);
        pages[0]
    };
    let mm = |pt: f32| (pt * 25.4 / 72.0).round();
    let label = sample_label("page_sizes");
    assert_eq!((mm(size(&label).0), mm(size(&label).1)), (100.0, 150.0));
    for (form, expected) in [
        (CustomsForm::Cn22, (100.0, 150.0)),
        (CustomsForm::Cn23, (210.0, 297.0)),
    ] {
        let declaration = declaration(form, 1);
        let pdf = save(
            "page_sizes",
            form.as_str(),
            &customs_declaration(&customs_input(&declaration, &sender, &addressee)).unwrap(),
        );
        let (width, height) = size(&pdf);
        assert_eq!((mm(width), mm(height)), expected, "{form}");
    }
    let receipt = save(
        "page_sizes",
        "receipt",
        &acceptance_receipt(&receipt_input()).unwrap(),
    );
    assert_eq!(mm(size(&receipt).0), 80.0);
}
