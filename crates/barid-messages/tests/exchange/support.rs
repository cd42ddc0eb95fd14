//! The golden scenario: registered letters and a parcel from Egypt to Palestine, the letters'
//! dispatch through Amman in closed transit. Every value is built through barid-core, the way
//! a node builds it, so the S10 check digits, S9 flags and weights and the discrepancies are
//! core's own.

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::exchange::{ReceivedReceptacle, close_dispatch, verify};
use barid_core::party::{LatinDraft, PartyDraft};
use barid_core::{
    CountryCode, Currency, CustomsDeclaration, DeclarationDraft, DispatchNumber, DispatchSeries,
    EventCode, Grams, ItemFacts, MailCategory, MailClass, MailStream, MailSubclass, Milestone,
    NextAction, OfficeCode, Party, ReasonCode, Receipt, Receptacle, S10Id, SdrRate, SeriesYear,
    SiteCode, WeightTolerance,
};
use barid_messages::{
    Emsevt, Envelope, ItemAttributes, Itmatt, MessageBody, MessageType, Predes, Resdes, Text,
    TrackingEvent, Transport, standard_milestone,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

pub fn country(text: &str) -> CountryCode {
    CountryCode::parse(text).unwrap()
}

pub fn office(text: &str) -> OfficeCode {
    OfficeCode::parse(text).unwrap()
}

pub fn s10(text: &str) -> S10Id {
    S10Id::parse(text).unwrap()
}

pub fn at(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

pub fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).unwrap()
}

/// Cairo-A to Ramallah, airmail, letter post subclass UN.
fn series() -> DispatchSeries {
    DispatchSeries {
        origin: office("EGCAIA"),
        destination: office("PSRMHA"),
        category: MailCategory::parse("A").unwrap(),
        subclass: MailSubclass::parse("UN").unwrap(),
    }
}

fn letter(id: &str, grams: u32) -> ItemFacts {
    ItemFacts {
        s10: s10(id),
        destination: country("PS"),
        mail_class: MailClass::parse("U").unwrap(),
        category: MailCategory::parse("A").unwrap(),
        registered: id.starts_with('R'),
        held: false,
        awaiting_export_customs: false,
        weight: Grams::new(grams),
    }
}

fn receptacle(items: &[(&str, u32)], gross: u32) -> Receptacle {
    let mut receptacle = Receptacle::open(series());
    for (id, grams) in items {
        receptacle.add_item(letter(id, *grams)).unwrap();
    }
    receptacle.close(Grams::new(gross)).unwrap();
    receptacle
}

/// Dispatch 0042 of 2026, closed at Cairo-A on 22 November: three receptacles.
pub fn predes() -> Predes {
    let date = time::macros::date!(2026 - 11 - 22);
    let id = SeriesYear::on(series(), date)
        .next_dispatch(Some(DispatchNumber::new(41).unwrap()))
        .unwrap();
    let mut receptacles = vec![
        receptacle(
            &[
                ("RR471203016EG", 640),
                ("RR471203020EG", 1_250),
                ("RR471203033EG", 980),
            ],
            4_350,
        ),
        receptacle(
            &[
                ("RR471203047EG", 1_900),
                ("RR471203055EG", 2_100),
                ("RR471203064EG", 1_450),
                ("RR471203078EG", 1_700),
            ],
            7_800,
        ),
        receptacle(&[("UA104522107EG", 820), ("UA104522115EG", 910)], 2_150),
    ];
    let closed = close_dispatch(id, &mut receptacles).unwrap();
    let transport = Transport {
        carrier: Some(Text::parse("Royal Jordanian").unwrap()),
        conveyance: Some(Text::parse("RJ504").unwrap()),
        departs_at: Some(at("2026-11-23T09:40:00+02:00")),
        arrives_at: Some(at("2026-11-23T11:55:00+03:00")),
    };
    Predes::from_closed_dispatch(
        &closed,
        Some(office("JOAMMA")),
        at("2026-11-22T14:05:00+02:00"),
        Some(transport),
    )
    .unwrap()
}

/// Ramallah's receipt: the first bag light, one letter missing and a stray one in it; the
/// second bag torn with a damaged letter inside; the third bag never arrived.
pub fn resdes() -> Resdes {
    let predes = predes();
    let advice = predes.pre_advice();
    let [first, second, _third] = &advice.receptacles[..] else {
        panic!("the scenario has three receptacles")
    };
    let receipt = Receipt {
        receptacles: vec![
            ReceivedReceptacle {
                id: first.id,
                measured_weight: Grams::new(4_050),
                items: vec![
                    s10("RR471203016EG"),
                    s10("RR471203020EG"),
                    s10("RR471203991EG"),
                ],
                damaged: false,
            },
            ReceivedReceptacle {
                id: second.id,
                measured_weight: Grams::new(7_810),
                items: second.items.clone(),
                damaged: true,
            },
        ],
        damaged_items: vec![s10("RR471203055EG")],
    };
    let discrepancies = verify(&advice, &receipt, WeightTolerance::default());
    Resdes::from_verification(
        predes.dispatch(),
        at("2026-11-25T10:30:00+02:00"),
        office("PSRMHA"),
        &receipt,
        discrepancies,
    )
    .unwrap()
}

fn egp_rate() -> SdrRate {
    SdrRate::parse("64.871234", Currency::EGP).unwrap()
}

fn line(
    description: &str,
    quantity: i64,
    net_weight_grams: i64,
    amount_minor: i64,
    hs_code: &str,
) -> DeclarationLineDraft {
    DeclarationLineDraft {
        description: description.into(),
        quantity,
        net_weight_grams,
        value: MoneyDraft {
            amount_minor,
            currency: "EGP".into(),
        },
        hs_code: hs_code.into(),
        origin: "EG".into(),
    }
}

fn party(draft: PartyDraft) -> Party {
    draft.validate().unwrap()
}

/// A gift of children's clothes on a CN 22, from Giza to Ramallah, in Arabic with a Latin
/// transliteration; the form is chosen by value at acceptance, as the counter does.
fn gift_letter() -> ItemAttributes {
    let declaration: CustomsDeclaration = DeclarationDraft {
        category: "gift".into(),
        lines: vec![
            line("Children's cotton T-shirts", 3, 450, 90_000, "610910"),
            line("Knitted wool hat", 1, 120, 35_000, "650500"),
        ],
        gross_weight_grams: 640,
        ..DeclarationDraft::default()
    }
    .validate(MailStream::LetterPost, &egp_rate())
    .unwrap();
    ItemAttributes {
        s10: s10("RR471203016EG"),
        mail_class: MailClass::parse("U").unwrap(),
        origin_country: country("EG"),
        destination_country: country("PS"),
        accepted_at: at("2026-11-21T11:20:00+02:00"),
        posting_office: SiteCode::parse("EG-12611").unwrap(),
        gross_weight: Grams::new(640),
        contents: Text::parse("ملابس أطفال قطنية").unwrap(),
        sender: party(PartyDraft {
            name: "محمد أحمد علي".into(),
            address_lines: vec!["١٢ شارع التحرير".into(), "الدقي".into()],
            city: "الجيزة".into(),
            postcode: "١٢٦١١".into(),
            country: "EG".into(),
            phone: "+20 ١٠٠ ١٢٣ ٤٥٦٧".into(),
            email: "m.ali@example.com.eg".into(),
            latin: Some(LatinDraft {
                name: "Mohamed Ahmed Ali".into(),
                address_lines: vec!["12 El-Tahrir St.".into(), "Dokki".into()],
                city: "Giza".into(),
            }),
            ..PartyDraft::default()
        }),
        addressee: party(PartyDraft {
            name: "ليلى خليل".into(),
            address_lines: vec!["٤٥ شارع الإرسال".into()],
            city: "رام الله".into(),
            country: "PS".into(),
            phone: "+970 59 123 4567".into(),
            latin: Some(LatinDraft {
                name: "Layla Khalil".into(),
                address_lines: vec!["45 Al-Irsal St.".into()],
                city: "Ramallah".into(),
            }),
            ..PartyDraft::default()
        }),
        customs: Some(declaration),
    }
}

/// Brass lanterns sold by a Cairo workshop to a Bethlehem shop: a parcel, so a CN 23.
fn sold_parcel() -> ItemAttributes {
    let declaration = DeclarationDraft {
        category: "sale_of_goods".into(),
        lines: vec![
            line(
                "Brass lantern, hand-engraved",
                4,
                3_200,
                1_800_000,
                "940550",
            ),
            line("Brass candle holder", 2, 600, 650_000, "830629"),
        ],
        gross_weight_grams: 4_200,
        postal_charges: Some(MoneyDraft {
            amount_minor: 85_000,
            currency: "EGP".into(),
        }),
        invoice_number: "KKC-2026-0117".into(),
        importer_reference: "PS562114870".into(),
        sender_customs_reference: "EG-EXP-448210".into(),
        ..DeclarationDraft::default()
    }
    .validate(MailStream::Parcel, &egp_rate())
    .unwrap();
    ItemAttributes {
        s10: s10("CP300188777EG"),
        mail_class: MailClass::parse("C").unwrap(),
        origin_country: country("EG"),
        destination_country: country("PS"),
        accepted_at: at("2026-11-21T13:45:00+02:00"),
        posting_office: SiteCode::parse("EG-11511").unwrap(),
        gross_weight: Grams::new(4_200),
        contents: Text::parse("Handmade brass lanterns and candle holders").unwrap(),
        sender: party(PartyDraft {
            name: "Hassan Mahmoud".into(),
            business_name: "Khan El Khalili Crafts".into(),
            address_lines: vec!["17 Al-Muizz Street".into(), "El Gamaleya".into()],
            city: "Cairo".into(),
            postcode: "11511".into(),
            country: "EG".into(),
            phone: "+20 2 2590 1234".into(),
            email: "orders@khanelkhalili-crafts.example".into(),
            ..PartyDraft::default()
        }),
        addressee: party(PartyDraft {
            name: "Rami Odeh".into(),
            business_name: "Odeh Home Store".into(),
            address_lines: vec!["210 Manger Street".into()],
            city: "Bethlehem".into(),
            country: "PS".into(),
            phone: "+970 2 274 5566".into(),
            ..PartyDraft::default()
        }),
        customs: Some(declaration),
    }
}

pub fn itmatt() -> Itmatt {
    Itmatt::new(vec![gift_letter(), sold_parcel()]).unwrap()
}

fn event(milestone: Milestone, time: &str, site: &str) -> TrackingEvent {
    let code = EventCode::parse(milestone.standard_code()).unwrap();
    assert_eq!(standard_milestone(&code), Some(milestone));
    TrackingEvent {
        s10: s10("RR471203016EG"),
        code,
        milestone,
        at: at(time),
        office: SiteCode::parse(site).unwrap(),
        reason: None,
        next_action: None,
        signatory: None,
        note: None,
    }
}

/// The gift letter in Palestine, from the inward office to its delivery at the second try.
pub fn emsevt() -> Emsevt {
    Emsevt::new(vec![
        event(
            Milestone::ArrivedInwardOffice,
            "2026-11-25T10:30:00+02:00",
            "PSRMHA",
        ),
        event(
            Milestone::PresentedImportCustoms,
            "2026-11-25T11:10:00+02:00",
            "PSRMHA",
        ),
        event(
            Milestone::ReleasedImportCustoms,
            "2026-11-25T15:45:00+02:00",
            "PSRMHA",
        ),
        event(
            Milestone::DepartedInwardOffice,
            "2026-11-26T08:00:00+02:00",
            "PSRMHA",
        ),
        event(
            Milestone::ArrivedDeliveryOffice,
            "2026-11-26T09:15:00+02:00",
            "PS-RAM-01",
        ),
        event(
            Milestone::OutForDelivery,
            "2026-11-26T09:40:00+02:00",
            "PS-RAM-01",
        ),
        TrackingEvent {
            reason: Some(ReasonCode::parse("03").unwrap()),
            next_action: Some(NextAction::Redeliver),
            note: Some(Text::parse("Addressee absent; notice left at the door").unwrap()),
            ..event(
                Milestone::DeliveryAttemptFailed,
                "2026-11-26T12:20:00+02:00",
                "PS-RAM-01",
            )
        },
        TrackingEvent {
            signatory: Some(Text::parse("ليلى خليل").unwrap()),
            ..event(
                Milestone::Delivered,
                "2026-11-27T10:05:00+02:00",
                "PS-RAM-01",
            )
        },
    ])
    .unwrap()
}

/// One golden message: its file name and its envelope.
pub struct Golden {
    pub file: &'static str,
    pub envelope: Envelope,
}

fn envelope(
    id: &str,
    sender: &str,
    recipient: &str,
    created_at: &str,
    sequence: u64,
    body: impl Into<MessageBody>,
) -> Envelope {
    Envelope::new(
        uuid(id),
        country(sender),
        country(recipient),
        at(created_at),
        body.into(),
    )
    .unwrap()
    .with_sequence(sequence)
}

pub fn golden() -> Vec<Golden> {
    vec![
        Golden {
            file: "predes.json",
            envelope: envelope(
                "6f1c2b9e-4d3a-4e8b-9a61-2c0d5e7f8a13",
                "EG",
                "PS",
                "2026-11-22T14:06:12+02:00",
                118,
                predes(),
            ),
        },
        Golden {
            file: "resdes.json",
            envelope: envelope(
                "b3e0a7d4-1f52-4c89-8e3b-7a9d2c4f6e01",
                "PS",
                "EG",
                "2026-11-25T10:41:07+02:00",
                57,
                resdes(),
            ),
        },
        Golden {
            file: "itmatt.json",
            envelope: envelope(
                "0d7c4e2a-9b18-4f63-a5e2-3c81f0b96d47",
                "EG",
                "PS",
                "2026-11-21T18:00:05+02:00",
                112,
                itmatt(),
            ),
        },
        Golden {
            file: "emsevt.json",
            envelope: envelope(
                "e5a91f37-6c2d-4b08-8f4e-1d9b7a3c5e62",
                "PS",
                "EG",
                "2026-11-27T10:06:30+02:00",
                58,
                emsevt(),
            ),
        },
    ]
}

/// The folder of the exchange docs, schemas and examples.
pub fn docs_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/exchange")
}

/// `BARID_BLESS=1 cargo test -p barid-messages` rewrites the golden and schema files from the
/// code; without it, a difference fails the test.
pub fn blessing() -> bool {
    std::env::var_os("BARID_BLESS").is_some()
}

pub fn schema_file(message_type: MessageType) -> String {
    format!(
        "{}.v1.schema.json",
        message_type.as_str().to_ascii_lowercase()
    )
}
