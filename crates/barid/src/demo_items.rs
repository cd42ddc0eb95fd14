//! The demo's items: senders in Cairo and Alexandria, addressees in Palestine, Jordan, Iraq
//! and Libya, with names and addresses in Arabic and their Latin transliterations, and customs
//! contents with HS codes. Deterministic: item `n` is always the same.

/// A person on an address label.
pub struct Person {
    pub name_ar: &'static str,
    pub name_latin: &'static str,
    pub street_ar: &'static str,
    pub street_latin: &'static str,
    pub city_ar: &'static str,
    pub city_latin: &'static str,
    pub postcode: &'static str,
    pub country: &'static str,
    pub phone: &'static str,
}

const fn person(
    name: (&'static str, &'static str),
    street: (&'static str, &'static str),
    city: (&'static str, &'static str),
    postcode: &'static str,
    country: &'static str,
    phone: &'static str,
) -> Person {
    Person {
        name_ar: name.0,
        name_latin: name.1,
        street_ar: street.0,
        street_latin: street.1,
        city_ar: city.0,
        city_latin: city.1,
        postcode,
        country,
        phone,
    }
}

pub const SENDERS: [Person; 6] = [
    person(
        ("محمد أحمد عبد الله", "Mohamed Ahmed Abdallah"),
        ("١٢ شارع التحرير، الدقي", "12 El Tahrir Street, Dokki"),
        ("الجيزة", "Giza"),
        "12611",
        "EG",
        "+20 100 123 4567",
    ),
    person(
        ("سارة محمود حسن", "Sara Mahmoud Hassan"),
        (
            "٤٥ شارع جامعة الدول العربية، المهندسين",
            "45 Gameat El Dewal El Arabeya St, Mohandessin",
        ),
        ("الجيزة", "Giza"),
        "12655",
        "EG",
        "+20 111 222 3344",
    ),
    person(
        ("أحمد علي إبراهيم", "Ahmed Ali Ibrahim"),
        (
            "٨ شارع صلاح سالم، مصر الجديدة",
            "8 Salah Salem St, Heliopolis",
        ),
        ("القاهرة", "Cairo"),
        "11757",
        "EG",
        "+20 122 555 0101",
    ),
    person(
        ("منى خالد يوسف", "Mona Khaled Youssef"),
        (
            "٢٣ طريق الحرية، سيدي جابر",
            "23 El Horreya Road, Sidi Gaber",
        ),
        ("الإسكندرية", "Alexandria"),
        "21523",
        "EG",
        "+20 103 777 8899",
    ),
    person(
        ("مؤسسة النيل للكتب", "Nile Books Foundation"),
        ("٥ شارع قصر النيل، وسط البلد", "5 Qasr El Nil St, Downtown"),
        ("القاهرة", "Cairo"),
        "11511",
        "EG",
        "+20 2 2392 1000",
    ),
    person(
        ("يوسف عمر فتحي", "Youssef Omar Fathy"),
        ("١٧ شارع فؤاد، محطة الرمل", "17 Fouad St, Raml Station"),
        ("الإسكندرية", "Alexandria"),
        "21131",
        "EG",
        "+20 100 909 1212",
    ),
];

/// (addressee, delivery office code, destination city in English)
pub const ADDRESSEES: [(Person, &str); 8] = [
    (
        person(
            ("فاطمة خليل", "Fatima Khalil"),
            (
                "شارع الإرسال، عمارة النجمة، الطابق الثالث",
                "Al-Irsal Street, Al-Najma Building, 3rd floor",
            ),
            ("رام الله", "Ramallah"),
            "P6030",
            "PS",
            "+970 59 123 4567",
        ),
        "PS-RAM-01",
    ),
    (
        person(
            ("خالد عبد الرحيم", "Khaled Abdel Rahim"),
            (
                "شارع رفيديا، بجانب جامعة النجاح",
                "Rafidia Street, near An-Najah University",
            ),
            ("نابلس", "Nablus"),
            "P4000",
            "PS",
            "+970 59 876 5432",
        ),
        "PS-NAB-01",
    ),
    (
        person(
            ("ليلى الجعبري", "Layla Al-Jaabari"),
            (
                "شارع عين سارة، عمارة الصالح",
                "Ein Sarah Street, Al-Saleh Building",
            ),
            ("الخليل", "Hebron"),
            "P9000",
            "PS",
            "+970 56 234 5678",
        ),
        "PS-HEB-01",
    ),
    (
        person(
            ("عمر أبو شعبان", "Omar Abu Shaaban"),
            (
                "شارع عمر المختار، الرمال",
                "Omar Al-Mukhtar Street, Al-Rimal",
            ),
            ("غزة", "Gaza"),
            "P1000",
            "PS",
            "+970 59 345 6789",
        ),
        "PS-GZA-01",
    ),
    (
        person(
            ("ريم الحسيني", "Reem Al-Husseini"),
            (
                "شارع الإرسال، مجمع البيرة التجاري",
                "Al-Irsal Street, Al-Bireh Commercial Complex",
            ),
            ("رام الله", "Ramallah"),
            "P6030",
            "PS",
            "+970 59 765 4321",
        ),
        "PS-RAM-01",
    ),
    (
        person(
            ("هاني الخطيب", "Hani Al-Khatib"),
            (
                "شارع الملكة رانيا، الجبيهة",
                "Queen Rania Street, Al-Jubaiha",
            ),
            ("عمّان", "Amman"),
            "11941",
            "JO",
            "+962 79 123 4567",
        ),
        "JO-IRB-01",
    ),
    (
        person(
            ("زينب حسين الموسوي", "Zainab Hussein Al-Mousawi"),
            (
                "شارع المتنبي، قرب سوق السراي",
                "Al-Mutanabbi Street, near Souq Al-Saray",
            ),
            ("بغداد", "Baghdad"),
            "10001",
            "IQ",
            "+964 770 123 4567",
        ),
        "IQ-BGW-01",
    ),
    (
        person(
            ("سالم بن عيسى", "Salem Ben Issa"),
            (
                "شارع عمر المختار، الظهرة",
                "Omar Al-Mukhtar Street, Al-Dahra",
            ),
            ("طرابلس", "Tripoli"),
            "",
            "LY",
            "+218 91 234 5678",
        ),
        "LY-TIP-01",
    ),
];

/// One customs line: description, quantity, net weight (g), value (minor units), HS code.
pub type Line = (&'static str, u32, u32, i64, &'static str);

/// What an item holds and under which service it goes.
pub struct Contents {
    pub service: &'static str,
    pub description: &'static str,
    /// `None`: documents only.
    pub category: Option<&'static str>,
    pub lines: &'static [Line],
}

pub const CONTENTS: [Contents; 6] = [
    Contents {
        service: "ems",
        description: "Documents: university certificates",
        category: None,
        lines: &[],
    },
    Contents {
        service: "small_packet",
        description: "Gift: books",
        category: Some("gift"),
        lines: &[("Arabic novels (3 books)", 3, 900, 45_000, "490199")],
    },
    Contents {
        service: "parcel",
        description: "Clothes and dates",
        category: Some("gift"),
        lines: &[
            ("Cotton shirts", 2, 600, 75_000, "610510"),
            ("Dates (1 kg box)", 1, 1000, 20_000, "080410"),
        ],
    },
    Contents {
        service: "registered",
        description: "Documents: contract copies",
        category: None,
        lines: &[],
    },
    Contents {
        service: "ems",
        description: "Commercial sample: olive-wood crafts",
        category: Some("commercial_sample"),
        lines: &[("Olive-wood carving", 1, 400, 90_000, "442090")],
    },
    Contents {
        service: "parcel",
        description: "Sale of goods: mobile phone accessories",
        category: Some("sale_of_goods"),
        lines: &[
            ("Phone cases", 10, 500, 150_000, "392690"),
            ("USB chargers", 4, 400, 120_000, "850440"),
        ],
    },
];

/// One demo item, fully decided.
pub struct Plan {
    pub sender: &'static Person,
    pub addressee: &'static Person,
    pub destination: &'static str,
    pub delivery_office: &'static str,
    pub origin_city: &'static str,
    pub destination_city: &'static str,
    pub counter: &'static str,
    pub contents: &'static Contents,
    /// Gross weight in grams.
    pub weight: u32,
}

/// Item `index` of the demo (the lists repeat).
pub fn plan(index: usize) -> Option<Plan> {
    // Most items go to Palestine, the case the demo is about.
    let (addressee, delivery_office) =
        ADDRESSEES.get((index * 5 + index / 3) % ADDRESSEES.len())?;
    plan_for(index, addressee, delivery_office)
}

/// Item `index` of the demo sent to an addressee in `country` (one of ADDRESSEES'), the
/// addressees there taken in turn.
pub fn plan_to(index: usize, country: &str) -> Option<Plan> {
    let there: Vec<&(Person, &'static str)> = ADDRESSEES
        .iter()
        .filter(|(addressee, _)| addressee.country == country)
        .collect();
    let (addressee, delivery_office) = there.get(index % there.len().max(1))?;
    plan_for(index, addressee, delivery_office)
}

fn plan_for(
    index: usize,
    addressee: &'static Person,
    delivery_office: &'static str,
) -> Option<Plan> {
    let sender = SENDERS.get(index % SENDERS.len())?;
    let mut contents = CONTENTS.get(index % CONTENTS.len())?;
    // Libya takes no parcels now (suspended): send EMS documents there instead.
    if addressee.country == "LY" && contents.service == "parcel" {
        contents = CONTENTS.first()?;
    }
    let goods: u32 = contents.lines.iter().map(|line| line.2).sum();
    Some(Plan {
        sender,
        addressee,
        destination: addressee.country,
        delivery_office,
        origin_city: sender.city_latin,
        destination_city: addressee.city_latin,
        counter: if sender.city_latin == "Alexandria" {
            "EG-ALY-01"
        } else {
            "EG-CAI-01"
        },
        contents,
        weight: goods + 150 + u32::try_from(index % 7).unwrap_or(0) * 40,
    })
}

fn party(person: &Person) -> barid_core::PartyDraft {
    barid_core::PartyDraft {
        name: person.name_ar.to_owned(),
        address_lines: vec![person.street_ar.to_owned()],
        city: person.city_ar.to_owned(),
        postcode: person.postcode.to_owned(),
        country: person.country.to_owned(),
        phone: person.phone.to_owned(),
        latin: Some(barid_core::party::LatinDraft {
            name: person.name_latin.to_owned(),
            address_lines: vec![person.street_latin.to_owned()],
            city: person.city_latin.to_owned(),
        }),
        ..barid_core::PartyDraft::default()
    }
}

fn declaration(plan: &Plan) -> Option<barid_core::DeclarationDraft> {
    use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
    let category = plan.contents.category?;
    Some(barid_core::DeclarationDraft {
        category: category.to_owned(),
        lines: plan
            .contents
            .lines
            .iter()
            .map(
                |(description, quantity, grams, value, hs)| DeclarationLineDraft {
                    description: (*description).to_owned(),
                    quantity: i64::from(*quantity),
                    net_weight_grams: i64::from(*grams),
                    value: MoneyDraft {
                        amount_minor: *value,
                        currency: "EGP".to_owned(),
                    },
                    hs_code: (*hs).to_owned(),
                    origin: "EG".to_owned(),
                },
            )
            .collect(),
        gross_weight_grams: i64::from(plan.weight),
        invoice_number: if category == "sale_of_goods" {
            "INV-2026-0457".to_owned()
        } else {
            String::new()
        },
        ..barid_core::DeclarationDraft::default()
    })
}

/// What the counter clerk enters for the planned item: the body of `POST /api/v1/items`.
pub fn draft(plan: &Plan) -> barid_web::acceptance::AcceptanceDraft {
    barid_web::acceptance::AcceptanceDraft {
        service: plan.contents.service.to_owned(),
        destination: plan.destination.to_owned(),
        weight_grams: i64::from(plan.weight),
        contents: plan.contents.description.to_owned(),
        sender: party(plan.sender),
        addressee: party(plan.addressee),
        customs: declaration(plan),
        ..barid_web::acceptance::AcceptanceDraft::default()
    }
}

/// Accepts the planned item at its Egyptian counter through the same path as the API.
pub async fn accept(
    store: &dyn barid_store::Store,
    reference: &barid_core::ReferenceData,
    plan: &Plan,
    at: time::OffsetDateTime,
) -> anyhow::Result<barid_store::model::Item> {
    use anyhow::Context;
    let operator = barid_core::CountryCode::parse("EG")?;
    let office = barid_core::SiteCode::parse(plan.counter)?;
    let actor = barid_store::model::Actor {
        operator,
        user: None,
        token: None,
        name: "demo".to_owned(),
        office: Some(office.clone()),
        at,
    };
    let accepted = barid_web::acceptance::accept(store, reference, &actor, &office, draft(plan))
        .await
        .map_err(|error| anyhow::anyhow!("{error:?}"))
        .with_context(|| format!("accepting demo item to {}", plan.destination_city))?;
    Ok(accepted.item)
}
