//! Sample inputs shared by the integration tests and the benchmark: an EMS item from Cairo to
//! Ramallah with Arabic parties and Latin transliterations, and edge cases; and an airmail
//! dispatch from Cairo-A to Ramallah in closed transit through Amman, with its receptacles,
//! registered items, delivery bill and irregularities.
#![allow(dead_code)]

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::party::LatinDraft;
use barid_core::{
    CountryCode, Currency, CustomsDeclaration, CustomsForm, DeclarationDraft, Discrepancy,
    DispatchId, Grams, Money, OfficeCode, Party, PartyDraft, ReceptacleId, ReceptacleSerial,
    ReceptacleWeight, S10Id, ServiceIndicator,
};
use barid_docs::{
    Bilingual, CustomsInput, DeliveryBillDispatch, DeliveryBillInput, DispatchHeader,
    DispatchReceptacle, LabelInput, Office, OfficeName, QualityDirection, QualityLegFigures,
    QualityMonthPoint, QualityReportInput, QualityServiceFigures, QualityStuckItem, ReceiptInput,
    ReceptacleLabelInput, RegisteredItem, Transport, VerificationNoteInput, service_name,
};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

pub const ITEM_ID: &str = "EE123456785EG";
pub const ACCEPTED_AT: OffsetDateTime = datetime!(2026-11-22 14:05:09 +02:00);
pub const OPERATOR: Bilingual<'static> = Bilingual::new("Egypt Post", "البريد المصري");
pub const SENDER_NAME: &str = "محمد أحمد عبد الله";
pub const SENDER_STREET: &str = "١٢ شارع التحرير، الدقي";
pub const ADDRESSEE_NAME: &str = "فاطمة خليل";
pub const ADDRESSEE_STREET: &str = "شارع الإرسال، عمارة النجمة، الطابق الثالث";

pub fn id() -> S10Id {
    S10Id::parse(ITEM_ID).unwrap()
}

pub fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

pub fn sender() -> Party {
    PartyDraft {
        name: SENDER_NAME.to_owned(),
        address_lines: vec![SENDER_STREET.to_owned()],
        city: "القاهرة".to_owned(),
        postcode: "12611".to_owned(),
        country: "EG".to_owned(),
        phone: "+20 2 3761 2345".to_owned(),
        email: "m.abdallah@example.com".to_owned(),
        latin: Some(LatinDraft {
            name: "Mohamed Ahmed Abdallah".to_owned(),
            address_lines: vec!["12 El Tahrir Street, Dokki".to_owned()],
            city: "Cairo".to_owned(),
        }),
        ..PartyDraft::default()
    }
    .validate()
    .unwrap()
}

pub fn addressee() -> Party {
    PartyDraft {
        name: ADDRESSEE_NAME.to_owned(),
        address_lines: vec![ADDRESSEE_STREET.to_owned(), "حي المصيون".to_owned()],
        city: "رام الله".to_owned(),
        country: "PS".to_owned(),
        phone: "+970 59 123 4567".to_owned(),
        latin: Some(LatinDraft {
            name: "Fatima Khalil".to_owned(),
            address_lines: vec![
                "Al-Irsal Street, Al-Najma Building, 3rd floor".to_owned(),
                "Al-Masyoun".to_owned(),
            ],
            city: "Ramallah".to_owned(),
        }),
        ..PartyDraft::default()
    }
    .validate()
    .unwrap()
}

/// A Latin-script party with only the required fields.
pub fn minimal_party() -> Party {
    PartyDraft {
        name: "Jo".to_owned(),
        address_lines: vec!["1 A St".to_owned()],
        city: "Amman".to_owned(),
        country: "JO".to_owned(),
        ..PartyDraft::default()
    }
    .validate()
    .unwrap()
}

/// Every field at its longest, in Arabic and Latin, with unbreakable words.
pub fn longest_party(arabic: bool) -> Party {
    let word = if arabic {
        "المستشفىالجامعيالكبير"
    } else {
        "Hauptbahnhofstrassenecke"
    };
    let line = |n: usize| {
        let mut text = String::new();
        while text.chars().count() + word.chars().count() < 100 {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(word);
        }
        let _ = n;
        text
    };
    let long_word: String = if arabic {
        "ب".repeat(100)
    } else {
        "W".repeat(100)
    };
    PartyDraft {
        name: long_word.clone(),
        business_name: line(0),
        address_lines: vec![line(1), line(2), line(3), long_word],
        city: if arabic {
            "م".repeat(60)
        } else {
            "C".repeat(60)
        },
        postcode: "1".repeat(20),
        country: "PS".to_owned(),
        phone: "+970 ".to_owned() + &"9".repeat(25),
        email: format!("{}@example.com", "x".repeat(64)),
        latin: Some(LatinDraft {
            name: "N".repeat(100),
            address_lines: vec![
                "Very long transliterated address line ".repeat(3)[..100].to_owned(),
                "W".repeat(100),
            ],
            city: "R".repeat(60),
        }),
    }
    .validate()
    .unwrap()
}

pub fn declaration(form: CustomsForm, lines: usize) -> CustomsDeclaration {
    let line = |n: usize| DeclarationLineDraft {
        description: if n.is_multiple_of(2) {
            format!("{} men's cotton shirts قمصان قطنية رجالية", n + 2)
        } else {
            "Handmade olive-wood nativity set, carved in Bethlehem, with gift box".to_owned()
        },
        quantity: (n + 2) as i64,
        net_weight_grams: 350 + 10 * n as i64,
        value: MoneyDraft {
            amount_minor: 125_000 + 100 * n as i64,
            currency: "EGP".to_owned(),
        },
        hs_code: "610510".to_owned(),
        origin: "EG".to_owned(),
    };
    let lines: Vec<_> = (0..lines).map(line).collect();
    let net: i64 = lines.iter().map(|l| l.net_weight_grams).sum();
    DeclarationDraft {
        category: "sale_of_goods".to_owned(),
        lines,
        gross_weight_grams: net + 250,
        postal_charges: Some(MoneyDraft {
            amount_minor: 45_000,
            currency: "EGP".to_owned(),
        }),
        comments: "Cotton textiles; no quarantine restrictions known. منسوجات قطنية".to_owned(),
        licence: true,
        licence_numbers: vec!["EXP-2026-0042".to_owned()],
        certificate: true,
        certificate_numbers: vec!["CO-EG-77812".to_owned(), "CO-EG-77813".to_owned()],
        invoice_number: "INV-2026-11-0193".to_owned(),
        importer_reference: "PS-VAT-562100345".to_owned(),
        sender_customs_reference: "EG-EORI-99120".to_owned(),
        ..DeclarationDraft::default()
    }
    .restore(form)
    .unwrap()
}

/// A gift declaration with only the required fields.
pub fn minimal_declaration(form: CustomsForm) -> CustomsDeclaration {
    DeclarationDraft {
        category: "gift".to_owned(),
        lines: vec![DeclarationLineDraft {
            description: "Book".to_owned(),
            quantity: 1,
            net_weight_grams: 300,
            value: MoneyDraft {
                amount_minor: 5000,
                currency: "EGP".to_owned(),
            },
            origin: "EG".to_owned(),
            ..DeclarationLineDraft::default()
        }],
        gross_weight_grams: 400,
        ..DeclarationDraft::default()
    }
    .restore(form)
    .unwrap()
}

pub fn label_input<'a>(sender: &'a Party, addressee: &'a Party) -> LabelInput<'a> {
    let item_id = id();
    LabelInput {
        item_id,
        operator: OPERATOR,
        service: service_name(item_id.service()),
        sender,
        addressee,
        origin: country("EG"),
        destination: addressee.country(),
        weight: Grams::new(1_250),
        postage: Money::new(45_000, Currency::EGP),
        accepted_at: ACCEPTED_AT,
        customs_form: Some(CustomsForm::Cn23),
    }
}

pub fn customs_input<'a>(
    declaration: &'a CustomsDeclaration,
    sender: &'a Party,
    addressee: &'a Party,
) -> CustomsInput<'a> {
    CustomsInput {
        item_id: id(),
        operator: OPERATOR,
        declaration,
        sender,
        addressee,
        office_of_origin: "Cairo Dokki / الدقي",
        posted_at: ACCEPTED_AT,
    }
}

pub fn receipt_input() -> ReceiptInput<'static> {
    let item_id = id();
    ReceiptInput {
        item_id,
        operator: OPERATOR,
        service: service_name(item_id.service()),
        destination: country("PS"),
        weight: Grams::new(1_250),
        postage: Money::new(45_000, Currency::EGP),
        office: "Cairo Dokki post office / مكتب بريد الدقي",
        accepted_at: ACCEPTED_AT,
        tracking_url: "https://barid.example.org/track/EE123456785EG",
    }
}

// --- office of exchange ---------------------------------------------------------------------

/// The last receptacle (003) of dispatch 0001 from Cairo-A to Ramallah, registered, 12.3 kg.
pub const RECEPTACLE_ID: &str = "EGCAIAPSRMHAAUN60001003110123";
/// Receptacle 001 of the same dispatch, not registered, 8.7 kg.
pub const ORDINARY_RECEPTACLE_ID: &str = "EGCAIAPSRMHAAUN60001001000087";
pub const DISPATCH_ID: &str = "EGCAIAPSRMHAAUN60001";
pub const CLOSED_AT: OffsetDateTime = datetime!(2026-11-22 18:30:00 +02:00);
pub const RECEIVED_AT: OffsetDateTime = datetime!(2026-11-23 09:10:00 +02:00);
pub const ORIGIN_OFFICE: OfficeName<'static> = OfficeName::new(
    "Cairo-A mail traffic centre",
    Some("مركز القاهرة أ لحركة البريد"),
);
pub const DESTINATION_OFFICE: OfficeName<'static> = OfficeName::new(
    "Ramallah international mail centre",
    Some("مركز رام الله الدولي للبريد"),
);

pub fn office(code: &str) -> OfficeCode {
    OfficeCode::parse(code).unwrap()
}

/// Amman, the closed-transit office.
pub fn transit_office() -> Office<'static> {
    Office {
        code: office("JOAMMA"),
        name: OfficeName::new("Amman", Some("عمان")),
    }
}

/// A measured gross weight that rounds to the S9 ID's weight.
pub fn gross_weight(id: &ReceptacleId) -> Grams {
    Grams::new(id.weight.grams() + 20)
}

pub fn receptacle_label_input(id: &str) -> ReceptacleLabelInput<'static> {
    let receptacle = ReceptacleId::parse(id).unwrap();
    ReceptacleLabelInput {
        receptacle,
        origin: ORIGIN_OFFICE,
        destination: DESTINATION_OFFICE,
        transit: None,
        gross_weight: gross_weight(&receptacle),
        item_count: 42,
        closed_at: CLOSED_AT,
    }
}

/// Dispatch 0001, Cairo-A to Ramallah in closed transit through Amman.
pub fn dispatch_header() -> DispatchHeader<'static> {
    DispatchHeader {
        id: DispatchId::parse(DISPATCH_ID).unwrap(),
        origin: ORIGIN_OFFICE,
        destination: DESTINATION_OFFICE,
        transit: Some(transit_office()),
        closed_at: CLOSED_AT,
    }
}

/// `count` receptacles of `dispatch` holding `items` items each: every third registered (a
/// quarter of its items plus one registered), the last with the highest-receptacle flag,
/// weights from 5.0 to 44.9 kg.
pub fn receptacles_with(dispatch: &str, count: u16, items: usize) -> Vec<DispatchReceptacle> {
    let dispatch = DispatchId::parse(dispatch).unwrap();
    (1..=count)
        .map(|serial| {
            let registered = serial % 3 == 0;
            let id = ReceptacleId {
                dispatch,
                serial: ReceptacleSerial::new(serial).unwrap(),
                highest: serial == count,
                registered,
                weight: ReceptacleWeight::from_tenths_of_kg(50 + serial * 37 % 400).unwrap(),
            };
            DispatchReceptacle {
                id,
                gross_weight: gross_weight(&id),
                items,
                registered_items: if registered { items / 4 + 1 } else { 0 },
            }
        })
        .collect()
}

/// `count` receptacles of dispatch 0001 with `items` items each.
pub fn dispatch_receptacles(count: u16, items: usize) -> Vec<DispatchReceptacle> {
    receptacles_with(DISPATCH_ID, count, items)
}

/// `count` receptacles of `dispatch` with 5 items each.
pub fn receptacles_of(dispatch: &str, count: u16) -> Vec<DispatchReceptacle> {
    receptacles_with(dispatch, count, 5)
}

/// The registered letter RR (serial) EG.
pub fn registered_s10(serial: u32) -> S10Id {
    S10Id::new(
        ServiceIndicator::parse("RR").unwrap(),
        serial,
        country("EG"),
    )
    .unwrap()
}

/// `count` registered items from Egypt to Palestine spread over `receptacles` receptacles.
pub fn registered_items(count: u32, receptacles: u16) -> Vec<RegisteredItem> {
    (0..count)
        .map(|n| RegisteredItem {
            item: registered_s10(1_000 + n),
            receptacle: ReceptacleSerial::new(
                u16::try_from(n % u32::from(receptacles)).unwrap() + 1,
            )
            .unwrap(),
            origin: country("EG"),
            destination: country("PS"),
        })
        .collect()
}

/// An airmail delivery bill from Cairo-A with the flight known.
pub fn delivery_bill_input<'a>(
    dispatches: &'a [DeliveryBillDispatch<'a>],
) -> DeliveryBillInput<'a> {
    DeliveryBillInput {
        office: Office {
            code: office("EGCAIA"),
            name: ORIGIN_OFFICE,
        },
        dispatches,
        transport: Transport {
            carrier: Some("EgyptAir Cargo"),
            flight: Some("MS 611"),
            loading: Some("CAI Cairo"),
            unloading: Some("AMM Amman"),
            departure: Some(datetime!(2026-11-22 23:40:00 +02:00)),
        },
        handed_over_at: datetime!(2026-11-22 21:00:00 +02:00),
    }
}

pub fn verification_note_input(discrepancies: &[Discrepancy]) -> VerificationNoteInput<'_> {
    VerificationNoteInput {
        dispatch: DispatchId::parse(DISPATCH_ID).unwrap(),
        origin: ORIGIN_OFFICE,
        destination: DESTINATION_OFFICE,
        received_at: RECEIVED_AT,
        discrepancies,
    }
}

/// One irregularity of every kind, about receptacles 001 to 003 of dispatch 0001.
pub fn every_discrepancy() -> Vec<Discrepancy> {
    let receptacles = dispatch_receptacles(3, 4);
    let [first, second, third] = [0, 1, 2].map(|n| receptacles[n].id);
    let mut relabelled = second;
    relabelled.registered = !relabelled.registered;
    vec![
        Discrepancy::MissingReceptacle {
            receptacle: first,
            advised_weight: Grams::new(8_700),
            advised_items: 4,
        },
        Discrepancy::ExtraReceptacle {
            receptacle: ReceptacleId::parse("EGCAIAPSRMHAAUN60001009000050").unwrap(),
            measured_weight: Grams::new(5_020),
            items: 2,
        },
        Discrepancy::LabelDiffers {
            receptacle: second,
            found: relabelled,
        },
        Discrepancy::DamagedReceptacle { receptacle: second },
        Discrepancy::WeightDifference {
            receptacle: third,
            advised: Grams::new(12_320),
            measured: Grams::new(11_100),
            tolerance: 616,
        },
        Discrepancy::MissingItem {
            receptacle: third,
            item: registered_s10(2),
        },
        Discrepancy::ExtraItem {
            receptacle: third,
            item: registered_s10(3),
        },
        Discrepancy::ItemInOtherReceptacle {
            receptacle: second,
            item: registered_s10(4),
            found_in: third,
        },
        Discrepancy::DamagedItem {
            receptacle: None,
            item: registered_s10(5),
        },
    ]
}

// --- quality of service ---------------------------------------------------------------------

/// The month of the sample quality report.
pub const QUALITY_MONTH: Date = date!(2026 - 11 - 01);
pub const QUALITY_GENERATED_AT: OffsetDateTime = datetime!(2026-12-01 08:00:00 +02:00);

/// A leg of a service's route.
pub fn quality_leg(
    (en, ar): (&str, &str),
    target_days: Option<u16>,
    items: u64,
    median_days: Option<u32>,
    within: Option<u64>,
) -> QualityLegFigures {
    QualityLegFigures {
        leg_en: en.to_owned(),
        leg_ar: ar.to_owned(),
        target_days,
        items,
        median_days,
        within_target_per_mille: within,
        late: matches!(within, Some(share) if share < 850),
    }
}

/// 12 months ending with November 2026, the share met rising by 10 per mille a month to
/// `last`, one month (March) with nothing counted.
pub fn quality_trend(last: u64, counted: u64) -> Vec<QualityMonthPoint> {
    (0..12u8)
        .map(|n| {
            let (year, month) = if n == 0 { (2025, 12) } else { (2026, n) };
            let empty = n == 3;
            QualityMonthPoint {
                month: Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), 1)
                    .unwrap(),
                met_per_mille: (!empty).then_some(last - 10 * u64::from(11 - n)),
                counted: if empty { 0 } else { counted + u64::from(n) * 7 },
            }
        })
        .collect()
}

/// A J+0..J+30 distribution peaking at J+`peak`.
pub fn quality_distribution(peak: usize, scale: u64) -> Vec<u64> {
    (0..31)
        .map(|day: usize| {
            let distance = day.abs_diff(peak) as u64;
            scale.saturating_sub(distance * scale / 4) + u64::from(day == 30)
        })
        .collect()
}

/// EMS, Egypt to Palestine via Jordan: J+5 for 85 %, measured 78.4 %, the transit leg late.
pub fn quality_ems() -> QualityServiceFigures {
    QualityServiceFigures {
        service_en: "EMS".to_owned(),
        service_ar: "البريد السريع".to_owned(),
        target_days: 5,
        target_per_mille: 850,
        met: 392,
        late: 81,
        overdue: 27,
        in_flight: 64,
        returned: 6,
        met_per_mille: Some(784),
        meets_target: false,
        distribution: quality_distribution(4, 80),
        median_days: Some(4),
        legs: vec![
            quality_leg(
                (
                    "Counter to outward office of exchange",
                    "من الشباك إلى مكتب التبادل الصادر",
                ),
                Some(1),
                564,
                Some(1),
                Some(962),
            ),
            quality_leg(
                ("Transit through Jordan", "العبور عبر الأردن"),
                Some(2),
                548,
                Some(3),
                Some(611),
            ),
            quality_leg(
                ("Import customs", "الجمارك عند الاستيراد"),
                None,
                530,
                Some(1),
                None,
            ),
            quality_leg(
                (
                    "Inward office to delivery",
                    "من مكتب التبادل الوارد إلى التسليم",
                ),
                Some(2),
                500,
                Some(1),
                Some(904),
            ),
        ],
        customs_held: 12,
        customs_hold_hours: Some(36),
        trend: quality_trend(784, 420),
    }
}

/// Registered letters, Egypt to Palestine: J+7 for 80 %, measured 86.2 %.
pub fn quality_registered() -> QualityServiceFigures {
    QualityServiceFigures {
        service_en: "Registered".to_owned(),
        service_ar: "بريد مسجل".to_owned(),
        target_days: 7,
        target_per_mille: 800,
        met: 1_120,
        late: 150,
        overdue: 29,
        in_flight: 210,
        returned: 14,
        met_per_mille: Some(862),
        meets_target: true,
        distribution: quality_distribution(6, 150),
        median_days: Some(6),
        legs: vec![quality_leg(
            (
                "Inward office to delivery",
                "من مكتب التبادل الوارد إلى التسليم",
            ),
            Some(3),
            1_299,
            Some(2),
            Some(930),
        )],
        customs_held: 0,
        customs_hold_hours: None,
        trend: quality_trend(862, 1_100),
    }
}

/// An EMS item stuck since `since`.
pub fn quality_stuck(serial: u32, since: OffsetDateTime, days: u32) -> QualityStuckItem {
    QualityStuckItem {
        s10: S10Id::new(
            ServiceIndicator::parse("EE").unwrap(),
            serial,
            country("EG"),
        )
        .unwrap(),
        step_en: "Arrived at inward office of exchange".to_owned(),
        step_ar: "وصلت إلى مكتب التبادل الوارد".to_owned(),
        since,
        days,
    }
}

/// The report of Egypt Post with Palestine for November 2026: EG to PS via Jordan (EMS and
/// registered, a late transit leg, 3 of 5 stuck items listed), PS to EG direct (EMS).
pub fn quality_report_input() -> QualityReportInput {
    let mut back = quality_ems();
    back.met = 40;
    back.late = 2;
    back.overdue = 1;
    back.met_per_mille = Some(930);
    back.meets_target = true;
    back.legs.truncate(1);
    back.customs_held = 0;
    back.customs_hold_hours = None;
    QualityReportInput {
        operator: country("EG"),
        partner: country("PS"),
        reference: "MoU EG-PS 2024/07".to_owned(),
        month: QUALITY_MONTH,
        generated_at: QUALITY_GENERATED_AT,
        directions: vec![
            QualityDirection {
                origin: country("EG"),
                destination: country("PS"),
                via: Some(country("JO")),
                services: vec![quality_ems(), quality_registered()],
                stuck: vec![
                    quality_stuck(12_345_678, datetime!(2026-11-12 10:15:00 +02:00), 12),
                    quality_stuck(12_345_679, datetime!(2026-11-16 16:40:00 +02:00), 10),
                    quality_stuck(12_345_680, datetime!(2026-11-19 09:05:00 +02:00), 8),
                ],
                stuck_total: 5,
                discrepancies: 3,
            },
            QualityDirection {
                origin: country("PS"),
                destination: country("EG"),
                via: None,
                services: vec![back],
                stuck: Vec::new(),
                stuck_total: 0,
                discrepancies: 0,
            },
        ],
    }
}

/// A direction with one service and nothing counted at all.
pub fn quality_empty_direction() -> QualityDirection {
    QualityDirection {
        origin: country("EG"),
        destination: country("PS"),
        via: None,
        services: vec![QualityServiceFigures {
            service_en: "EMS".to_owned(),
            service_ar: "البريد السريع".to_owned(),
            target_days: 5,
            target_per_mille: 850,
            met: 0,
            late: 0,
            overdue: 0,
            in_flight: 0,
            returned: 0,
            met_per_mille: None,
            meets_target: false,
            distribution: vec![0; 31],
            median_days: None,
            legs: Vec::new(),
            customs_held: 0,
            customs_hold_hours: None,
            trend: Vec::new(),
        }],
        stuck: Vec::new(),
        stuck_total: 0,
        discrepancies: 0,
    }
}
