//! The monthly quality-of-service report through the same tools: pdftotext reads its figures
//! and captions back (the Arabic in logical order), pdffonts lists the fonts, and the same
//! input gives the same bytes.

use barid_docs::quality_report;

use crate::support::*;
use crate::{plain_text, save, tools};

#[test]
fn pdftotext_reads_the_quality_report() {
    let input = quality_report_input();
    let bytes = quality_report(&input).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let pdf = save("quality_report", "quality", &bytes);
    assert!(tools::page_count(&pdf) >= 2);
    let text = plain_text(&pdf);
    let stuck = input.directions[0].stuck[0].s10.human();
    for expected in [
        "Quality of service report",
        "تقرير جودة الخدمة",
        "Worst routes",
        "أسوأ المسارات",
        "EG · Egypt",
        "مصر",
        "PS · Palestine",
        "فلسطين",
        "MoU EG-PS 2024/07",
        "2026-11",
        "نوفمبر",
        "2026-12-01 08:00 UTC+02:00",
        "EG to PS via JO",
        "الأردن",
        "PS to EG, direct",
        "EMS",
        "البريد السريع",
        "Registered",
        "J+5",
        "85.0 %",
        "78.4 %",
        "86.2 %",
        "Below the target",
        "دون الهدف",
        "Meets the target",
        "يحقق الهدف",
        "Transit through Jordan",
        "LATE",
        "متأخرة",
        "Share met, last 12 months",
        "2025-12",
        "Items delivered per working day after posting",
        "30+",
        "Stuck items",
        "إرساليات متوقفة",
        &stuck,
        "Arrived at inward office of exchange",
        "وصلت إلى مكتب التبادل الوارد",
        "2026-11-12 10:15 UTC+02:00",
        "and 2 more not listed",
        "CN 43 discrepancies this month",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn a_report_with_nothing_to_show_renders_one_page_saying_so() {
    let mut input = quality_report_input();
    input.directions = Vec::new();
    let pdf = save("quality_report", "empty", &quality_report(&input).unwrap());
    assert_eq!(tools::page_count(&pdf), 1);
    let text = plain_text(&pdf);
    for expected in ["Quality of service report", "No items", "لا توجد إرساليات"] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
    input.directions = vec![quality_empty_direction()];
    let pdf = save(
        "quality_report",
        "no-items",
        &quality_report(&input).unwrap(),
    );
    let text = plain_text(&pdf);
    for expected in [
        "Not measured",
        "No items",
        "No leg measured",
        "No stuck item",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text:?}");
    }
}

#[test]
fn the_quality_report_embeds_its_fonts_on_a4() {
    let pdf = save(
        "quality_report",
        "fonts",
        &quality_report(&quality_report_input()).unwrap(),
    );
    let fonts = tools::fonts(&pdf);
    for font in &fonts {
        assert!(font.embedded && font.subset && font.unicode, "{font:?}");
    }
    for family in ["NotoSans", "NotoNaskhArabic"] {
        assert!(
            fonts.iter().any(|font| font.name.contains(family)),
            "no {family}: {fonts:?}"
        );
    }
    let mm = |pt: f32| (pt * 25.4 / 72.0).round();
    let (pages, _) = tools::words(&pdf);
    for (width, height) in pages {
        assert_eq!((mm(width), mm(height)), (210.0, 297.0));
    }
}

#[test]
fn the_same_quality_figures_give_the_same_bytes() {
    let input = quality_report_input();
    assert_eq!(
        quality_report(&input).unwrap(),
        quality_report(&input).unwrap()
    );
}
