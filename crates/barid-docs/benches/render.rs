//! Render time per document: `cargo bench -p barid-docs --bench render`.
//!
//! The target is under 2 ms per item label. The fonts are parsed once per process and
//! laid-out captions are cached per thread, as in a running server; every iteration renders a
//! label for another sender and addressee, so their text is shaped each time, as it would be.
//!
//! `dispatch_10000_items` renders the documents of closing a dispatch of 10,000 items in 50
//! receptacles (`cargo bench -p barid-docs --bench render -- dispatch_10000_items`): the 50
//! receptacle labels in one PDF, the CN 31, the CN 33 and the CN 38, one by one and together.
//! Every item is registered, the worst case for the CN 33 (10,000 lines, 200 pages). Closing
//! such a dispatch, documents included, must take under 1 s.

// Benchmark code: the samples are known to be valid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;

use barid_core::party::LatinDraft;
use barid_core::{CustomsForm, Party, PartyDraft, S10Id, ServiceIndicator};
use barid_docs::{
    DeliveryBillDispatch, LabelInput, LetterBillInput, ReceptacleLabelInput, SpecialListInput,
    acceptance_receipt, cn22, cn23, delivery_bill, item_label, letter_bill, receptacle_labels,
    special_list,
};
use criterion::{Criterion, criterion_group, criterion_main};

const VARIANTS: usize = 64;

/// A distinct Arabic party with a Latin transliteration for each `n`.
fn party(n: usize, country: &str) -> Party {
    let first = [
        "محمد",
        "فاطمة",
        "أحمد",
        "ليلى",
        "يوسف",
        "مريم",
        "خالد",
        "سارة",
    ][n % 8];
    let last = [
        "المصري",
        "خليل",
        "حسن",
        "النجار",
        "عبد الله",
        "الخطيب",
        "سليمان",
        "عودة",
    ][n / 8 % 8];
    PartyDraft {
        name: format!("{first} {last}"),
        address_lines: vec![format!("{} شارع التحرير، عمارة {}", n + 1, n % 13 + 2)],
        city: "القاهرة".to_owned(),
        postcode: format!("{}", 11_000 + n),
        country: country.to_owned(),
        phone: format!("+20 2 3761 {:04}", n),
        latin: Some(LatinDraft {
            name: format!("Person {n} Example"),
            address_lines: vec![format!(
                "{} El Tahrir Street, Building {}",
                n + 1,
                n % 13 + 2
            )],
            city: "Cairo".to_owned(),
        }),
        ..PartyDraft::default()
    }
    .validate()
    .unwrap()
}

fn documents(c: &mut Criterion) {
    let parties: Vec<(Party, Party)> = (0..VARIANTS)
        .map(|n| (party(n, "EG"), party(n + 1, "PS")))
        .collect();
    let indicator = ServiceIndicator::parse("EE").unwrap();
    let country = support::country("EG");
    let labels: Vec<LabelInput<'_>> = parties
        .iter()
        .enumerate()
        .map(|(n, (sender, addressee))| {
            let mut input = support::label_input(sender, addressee);
            input.item_id = S10Id::new(indicator, 12_345_000 + n as u32, country).unwrap();
            input
        })
        .collect();
    let mut next = 0;
    c.bench_function("item_label", |b| {
        b.iter(|| {
            next = (next + 1) % VARIANTS;
            item_label(black_box(&labels[next])).unwrap()
        })
    });

    let (sender, addressee) = (support::sender(), support::addressee());
    let cn22_declaration = support::declaration(CustomsForm::Cn22, 2);
    let cn22_input = support::customs_input(&cn22_declaration, &sender, &addressee);
    c.bench_function("cn22_2_lines", |b| {
        b.iter(|| cn22(black_box(&cn22_input)).unwrap())
    });
    let cn23_declaration = support::declaration(CustomsForm::Cn23, 4);
    let cn23_input = support::customs_input(&cn23_declaration, &sender, &addressee);
    c.bench_function("cn23_4_lines", |b| {
        b.iter(|| cn23(black_box(&cn23_input)).unwrap())
    });
    let receipt = support::receipt_input();
    c.bench_function("acceptance_receipt", |b| {
        b.iter(|| acceptance_receipt(black_box(&receipt)).unwrap())
    });
}

/// The documents of one closed dispatch of 10,000 items in 50 receptacles, all registered.
fn dispatch_documents(c: &mut Criterion) {
    let receptacles = support::dispatch_receptacles(50, 200);
    let labels: Vec<ReceptacleLabelInput<'_>> = receptacles
        .iter()
        .map(|receptacle| ReceptacleLabelInput {
            receptacle: receptacle.id,
            transit: Some(support::transit_office()),
            gross_weight: receptacle.gross_weight,
            item_count: receptacle.items,
            ..support::receptacle_label_input(support::RECEPTACLE_ID)
        })
        .collect();
    let bill = LetterBillInput {
        dispatch: support::dispatch_header(),
        receptacles: &receptacles,
    };
    let items = support::registered_items(10_000, 50);
    let list = SpecialListInput {
        dispatch: support::dispatch_header(),
        items: &items,
    };
    let dispatches = [DeliveryBillDispatch {
        id: bill.dispatch.id,
        receptacles: &receptacles,
    }];
    let delivery = support::delivery_bill_input(&dispatches);

    let mut group = c.benchmark_group("dispatch_10000_items");
    group.sample_size(10);
    group.bench_function("cn35_labels_x50", |b| {
        b.iter(|| receptacle_labels(black_box(&labels)).unwrap())
    });
    group.bench_function("cn31_letter_bill", |b| {
        b.iter(|| letter_bill(black_box(&bill)).unwrap())
    });
    group.bench_function("cn33_special_list", |b| {
        b.iter(|| special_list(black_box(&list)).unwrap())
    });
    group.bench_function("cn38_delivery_bill", |b| {
        b.iter(|| delivery_bill(black_box(&delivery)).unwrap())
    });
    group.bench_function("all_documents", |b| {
        b.iter(|| {
            let documents = [
                receptacle_labels(black_box(&labels)).unwrap(),
                letter_bill(black_box(&bill)).unwrap(),
                special_list(black_box(&list)).unwrap(),
                delivery_bill(black_box(&delivery)).unwrap(),
            ];
            documents.iter().map(Vec::len).sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, documents, dispatch_documents);
criterion_main!(benches);
