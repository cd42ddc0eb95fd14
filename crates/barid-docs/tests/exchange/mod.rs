//! The office-of-exchange documents through the same tools: zbarimg scans every receptacle
//! label's S9 barcode, pdftotext reads every form back (its pages and the Arabic), pdffonts
//! lists the fonts and pdftoppm shows the registered label's red band.

use std::path::Path;

use barid_core::ReceptacleId;
use barid_docs::{
    DeliveryBillDispatch, DeliveryBillForm, LetterBillInput, ReceptacleLabelInput,
    SpecialListInput, Transport, delivery_bill, letter_bill, receptacle_label, receptacle_labels,
    special_list, verification_note,
};

use crate::support::*;
use crate::{plain_text, save, tools};

/// The renders every S9 barcode must survive: (dpi, 1-bit). Its module is 2 dots of a 203 dpi
/// printer (0.25 mm), so a 100 dpi screen render is below one pixel a module and not tried.
const S9_RENDERS: [(u32, bool); 3] = [(300, false), (200, false), (203, true)];

/// Scans page `page` of `pdf` in every render and expects exactly `id`.
fn assert_scans_as(pdf: &Path, page: usize, id: &ReceptacleId) {
    for (dpi, mono) in S9_RENDERS {
        let image = tools::render(pdf, page, dpi, mono);
        assert_eq!(
            tools::scan(&image),
            vec![format!("CODE-128:{id}")],
            "page {page} of {} at {dpi} dpi{}",
            pdf.display(),
            if mono { ", 1-bit" } else { "" }
        );
    }
}

/// How many times `needle` occurs in `text`.
fn occurrences(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn registered_and_ordinary_receptacle_labels_scan_as_their_s9_ids() {
    for (name, id) in [
        ("registered", RECEPTACLE_ID),
        ("ordinary", ORDINARY_RECEPTACLE_ID),
    ] {
        let input = receptacle_label_input(id);
        let pdf = save(
            "receptacle_label_barcode",
            name,
            &receptacle_label(&input).unwrap(),
        );
        assert_eq!(tools::page_count(&pdf), 1);
        assert_scans_as(&pdf, 1, &input.receptacle);
    }
}

#[test]
fn the_registered_label_has_a_red_band_and_the_ordinary_one_none() {
    // The band runs from 20 to 30 mm from the top; sample it between the two "R" marks.
    let point = (30.0, 21.0);
    let registered = save(
        "receptacle_label_band",
        "registered",
        &receptacle_label(&receptacle_label_input(RECEPTACLE_ID)).unwrap(),
    );
    let (r, g, b) = tools::pixel(&registered, 1, 50, point);
    assert!(r > 150 && g < 80 && b < 90, "({r}, {g}, {b}) is not red");
    let ordinary = save(
        "receptacle_label_band",
        "ordinary",
        &receptacle_label(&receptacle_label_input(ORDINARY_RECEPTACLE_ID)).unwrap(),
    );
    assert_eq!(tools::pixel(&ordinary, 1, 50, point), (255, 255, 255));
}

#[test]
fn a_dispatch_labels_pdf_has_a_page_per_receptacle_each_scanning_as_its_own_s9() {
    let receptacles = dispatch_receptacles(5, 20);
    let inputs: Vec<ReceptacleLabelInput<'_>> = receptacles
        .iter()
        .map(|receptacle| {
            let mut input = receptacle_label_input(RECEPTACLE_ID);
            input.receptacle = receptacle.id;
            input.gross_weight = receptacle.gross_weight;
            input.item_count = receptacle.items;
            input.transit = Some(transit_office());
            input
        })
        .collect();
    let pdf = save(
        "receptacle_labels",
        "dispatch",
        &receptacle_labels(&inputs).unwrap(),
    );
    assert_eq!(tools::page_count(&pdf), receptacles.len());
    for (index, receptacle) in receptacles.iter().enumerate() {
        assert_scans_as(&pdf, index + 1, &receptacle.id);
    }
    let text = plain_text(&pdf);
    // Receptacle 003 is registered; 005 is the last.
    assert_eq!(occurrences(&text, "REGISTERED"), 1, "{text}");
    assert_eq!(occurrences(&text, "LAST RECEPTACLE"), 1, "{text}");
}

#[test]
fn pdftotext_reads_the_receptacle_label() {
    let mut input = receptacle_label_input(RECEPTACLE_ID);
    input.transit = Some(transit_office());
    let pdf = save(
        "receptacle_label_text",
        "label",
        &receptacle_label(&input).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "CN 35",
        "Airmail receptacle label",
        "بطاقة كيس البريد الجوي",
        "REGISTERED",
        "مسجل",
        "EGCAIA PSRMHA A UN 6 0001 003 1 1 0123",
        "EGCAIA",
        "Cairo-A mail traffic centre",
        "مركز القاهرة أ لحركة البريد",
        "PSRMHA",
        "Ramallah international mail centre",
        "مركز رام الله الدولي للبريد",
        "JOAMMA",
        "عمان",
        "0001",
        "003",
        "LAST RECEPTACLE",
        "الكيس الأخير",
        "12.3",
        "A / UN",
        "42",
        "2026-11-22",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn the_letter_bill_of_120_receptacles_continues_over_numbered_pages() {
    let receptacles = dispatch_receptacles(120, 80);
    let pdf = save(
        "letter_bill",
        "cn31-120",
        &letter_bill(&LetterBillInput {
            dispatch: dispatch_header(),
            receptacles: &receptacles,
        })
        .unwrap(),
    );
    let pages = tools::page_count(&pdf);
    assert!(pages >= 3, "{pages} pages");
    let text = plain_text(&pdf);
    for receptacle in &receptacles {
        assert_eq!(
            occurrences(&text, &receptacle.id.human()),
            1,
            "{}",
            receptacle.id
        );
    }
    let tenths: u32 = receptacles
        .iter()
        .map(|r| u32::from(r.id.weight.tenths_of_kg()))
        .sum();
    let registered: usize = receptacles.iter().map(|r| r.registered_items).sum();
    for expected in [
        "CN 31".to_owned(),
        "LETTER BILL".to_owned(),
        "كشف الرسالة البريدية".to_owned(),
        "Closed transit via".to_owned(),
        "2026-11-22 18:30 UTC+02:00".to_owned(),
        format!("{}.{}", tenths / 10, tenths % 10),
        (120 * 80).to_string(),
        registered.to_string(),
        "Dispatching office of exchange: officer".to_owned(),
        "Receiving office of exchange: officer".to_owned(),
        format!("Page {pages} / {pages}"),
        "Continuation sheet".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected:?} not in the CN 31");
    }
}

#[test]
fn the_special_list_of_2000_items_lists_each_once_over_many_pages() {
    let items = registered_items(2_000, 50);
    let pdf = save(
        "special_list",
        "cn33-2000",
        &special_list(&SpecialListInput {
            dispatch: dispatch_header(),
            items: &items,
        })
        .unwrap(),
    );
    let pages = tools::page_count(&pdf);
    assert!(pages > 30, "{pages} pages");
    let text = plain_text(&pdf);
    for line in &items {
        assert_eq!(occurrences(&text, &line.item.human()), 1, "{}", line.item);
    }
    for expected in [
        "CN 33",
        "SPECIAL LIST",
        "الإرساليات المسجلة",
        "Egypt",
        "مصر",
        "Palestine",
        "فلسطين",
        "2000",
        &format!("Page {pages} / {pages}"),
    ] {
        assert!(text.contains(expected), "{expected:?} not in the CN 33");
    }
}

#[test]
fn the_delivery_bill_form_follows_the_category() {
    for (dispatch, form, title) in [
        ("EGCAIAPSRMHAAUN60001", DeliveryBillForm::Cn38, "Airmails"),
        (
            "EGCAIAPSRMHABUN60001",
            DeliveryBillForm::Cn41,
            "S.A.L. mails",
        ),
        (
            "EGCAIAPSRMHACUN60001",
            DeliveryBillForm::Cn37,
            "Surface mails",
        ),
        (
            "EGCAIAPSRMHADUN60001",
            DeliveryBillForm::Cn37,
            "Surface mails",
        ),
    ] {
        let receptacles = receptacles_of(dispatch, 4);
        let dispatches = [DeliveryBillDispatch {
            id: receptacles[0].id.dispatch,
            receptacles: &receptacles,
        }];
        let mut input = delivery_bill_input(&dispatches);
        if form == DeliveryBillForm::Cn37 {
            // Surface mail: the carrier fills in the transport by hand.
            input.transport = Transport::default();
        }
        let pdf = save(
            "delivery_bill_form",
            dispatch,
            &delivery_bill(&input).unwrap(),
        );
        let text = plain_text(&pdf);
        assert_eq!(
            text.contains("EgyptAir Cargo"),
            form != DeliveryBillForm::Cn37,
            "{dispatch}"
        );
        assert!(text.contains(form.label()), "{dispatch}: {text}");
        assert!(
            text.contains(&format!("DELIVERY BILL — {title}")),
            "{dispatch}: {text}"
        );
        for other in ["CN 37", "CN 38", "CN 41"] {
            if other != form.label() {
                assert!(!text.contains(other), "{dispatch} shows {other}");
            }
        }
    }
}

#[test]
fn pdftotext_reads_a_delivery_bill_of_several_dispatches() {
    let first = dispatch_receptacles(6, 10);
    let second = receptacles_of("EGCAIAJOAMMAAUN60007", 3);
    let dispatches = [
        DeliveryBillDispatch {
            id: first[0].id.dispatch,
            receptacles: &first,
        },
        DeliveryBillDispatch {
            id: second[0].id.dispatch,
            receptacles: &second,
        },
    ];
    let pdf = save(
        "delivery_bill_text",
        "cn38",
        &delivery_bill(&delivery_bill_input(&dispatches)).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "CN 38",
        "كشف التسليم",
        "EgyptAir Cargo",
        "MS 611",
        "CAI Cairo",
        "AMM Amman",
        "EGCAIA PSRMHA A UN 6 0001",
        "EGCAIA JOAMMA A UN 6 0007",
        "JOAMMA",
        "Registered (red-label) receptacles, listed separately",
        "Handed over by (office of exchange)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    // Registered receptacles (every third) are listed with their S9 ID; the others are not.
    for receptacle in first.iter().chain(&second) {
        assert_eq!(
            text.contains(&receptacle.id.human()),
            receptacle.id.registered,
            "{}",
            receptacle.id
        );
    }
}

#[test]
fn pdftotext_reads_the_verification_note_with_and_without_irregularities() {
    let discrepancies = every_discrepancy();
    let pdf = save(
        "verification_note",
        "cn43",
        &verification_note(&verification_note_input(&discrepancies)).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "CN 43",
        "VERIFICATION NOTE",
        "مذكرة التحقق",
        "Missing receptacle",
        "كيس مفقود",
        "Extra receptacle",
        "كيس زائد",
        "Weight difference",
        "فرق في الوزن",
        "Missing item",
        "إرسالية مفقودة",
        "Extra item",
        "إرسالية زائدة",
        "Damaged item",
        "إرسالية تالفة",
        "not received",
        "11.100 kg",
        "RR 000 000 028 EG",
        "2026-11-23 09:10 UTC+02:00",
        "Second officer (witness)",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    let clean = save(
        "verification_note",
        "cn43-clean",
        &verification_note(&verification_note_input(&[])).unwrap(),
    );
    let text = plain_text(&clean);
    assert!(
        text.contains("No irregularity found") && text.contains("لا توجد أي مخالفة"),
        "{text}"
    );
}

#[test]
fn the_exchange_documents_embed_their_fonts_and_have_their_sizes() {
    let receptacles = dispatch_receptacles(4, 10);
    let items = registered_items(20, 4);
    let dispatches = [DeliveryBillDispatch {
        id: receptacles[0].id.dispatch,
        receptacles: &receptacles,
    }];
    let discrepancies = every_discrepancy();
    let documents = [
        (
            "cn35",
            receptacle_label(&receptacle_label_input(RECEPTACLE_ID)).unwrap(),
            (100.0, 150.0),
        ),
        (
            "cn31",
            letter_bill(&LetterBillInput {
                dispatch: dispatch_header(),
                receptacles: &receptacles,
            })
            .unwrap(),
            (210.0, 297.0),
        ),
        (
            "cn33",
            special_list(&SpecialListInput {
                dispatch: dispatch_header(),
                items: &items,
            })
            .unwrap(),
            (210.0, 297.0),
        ),
        (
            "cn38",
            delivery_bill(&delivery_bill_input(&dispatches)).unwrap(),
            (210.0, 297.0),
        ),
        (
            "cn43",
            verification_note(&verification_note_input(&discrepancies)).unwrap(),
            (210.0, 297.0),
        ),
    ];
    let mm = |pt: f32| (pt * 25.4 / 72.0).round();
    for (name, pdf, size) in documents {
        let path = save("exchange_fonts", name, &pdf);
        let fonts = tools::fonts(&path);
        for font in &fonts {
            assert!(
                font.embedded && font.subset && font.unicode,
                "{name}: {font:?}"
            );
        }
        for family in ["NotoSans", "NotoNaskhArabic"] {
            assert!(
                fonts.iter().any(|font| font.name.contains(family)),
                "{name} has no {family}: {fonts:?}"
            );
        }
        let (pages, _) = tools::words(&path);
        for (width, height) in pages {
            assert_eq!((mm(width), mm(height)), size, "{name}");
        }
    }
}

#[test]
fn the_same_dispatch_gives_the_same_bytes() {
    let receptacles = dispatch_receptacles(30, 10);
    let input = LetterBillInput {
        dispatch: dispatch_header(),
        receptacles: &receptacles,
    };
    assert_eq!(letter_bill(&input).unwrap(), letter_bill(&input).unwrap());
    let labels = [
        receptacle_label_input(ORDINARY_RECEPTACLE_ID),
        receptacle_label_input(RECEPTACLE_ID),
    ];
    assert_eq!(
        receptacle_labels(&labels).unwrap(),
        receptacle_labels(&labels).unwrap()
    );
}
