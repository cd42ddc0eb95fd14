//! Arbitrary valid messages, each value built through barid-core the way a node builds it.

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::party::{LatinDraft, PartyDraft};
use barid_core::{
    ContentCategory, CountryCode, CustomsDeclaration, CustomsForm, DeclarationDraft, Discrepancy,
    DispatchId, DispatchNumber, DispatchYear, EventCode, Grams, MailCategory, MailClass,
    MailStream, MailSubclass, Milestone, NextAction, OfficeCode, Party, ReasonCode, ReceptacleId,
    ReceptacleSerial, ReceptacleWeight, S10Id, ServiceIndicator, SiteCode,
};
use barid_messages::{
    Emsevt, Envelope, ItemAttributes, Itmatt, Predes, PredesReceptacle, ReceptacleCondition,
    Resdes, ResdesReceptacle, Text, TrackingEvent, Transport,
};
use proptest::prelude::*;
use proptest::sample::select;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

pub fn country() -> impl Strategy<Value = CountryCode> {
    select(CountryCode::all().collect::<Vec<_>>())
}

fn two_countries() -> impl Strategy<Value = (CountryCode, CountryCode)> {
    (country(), country()).prop_filter("two posts", |(a, b)| a != b)
}

fn office_in(country: CountryCode) -> impl Strategy<Value = OfficeCode> {
    "[A-Z0-9]{4}".prop_map(move |rest| OfficeCode::parse(&format!("{country}{rest}")).unwrap())
}

pub fn office() -> impl Strategy<Value = OfficeCode> {
    country().prop_flat_map(office_in)
}

pub fn s10() -> impl Strategy<Value = S10Id> {
    ("[A-IL-RUVX-Z][A-Z]", 0..=99_999_999u32, country()).prop_map(|(indicator, serial, issuer)| {
        S10Id::new(ServiceIndicator::parse(&indicator).unwrap(), serial, issuer).unwrap()
    })
}

fn site() -> impl Strategy<Value = SiteCode> {
    prop_oneof![
        office().prop_map(SiteCode::from),
        "[A-Z][A-Z0-9-]{1,15}".prop_map(|code| SiteCode::parse(&code).unwrap()),
    ]
}

/// Any instant from 2000 to 2100, nanoseconds included, at any whole-minute offset from
/// -12:00 to +14:00 (RFC 3339 has no offset seconds).
pub fn time() -> impl Strategy<Value = OffsetDateTime> {
    (
        946_684_800i64..4_102_444_800,
        0u32..1_000_000_000,
        -720i32..=840,
    )
        .prop_map(|(seconds, nanos, minutes)| {
            let utc = OffsetDateTime::from_unix_timestamp(seconds)
                .unwrap()
                .replace_nanosecond(nanos)
                .unwrap();
            utc.to_offset(UtcOffset::from_whole_seconds(minutes * 60).unwrap())
        })
}

/// Latin and Arabic words, with inner spaces and punctuation.
fn words(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9\u{0621}-\u{064A}][A-Za-z0-9 ,.'\u{0621}-\u{064A}-]{{0,{}}}",
        max - 1
    ))
    .unwrap()
}

fn latin_words(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-z0-9][A-Za-z0-9 ,.'ḥāīū-]{{0,{}}}", max - 1))
        .unwrap()
}

fn text<const MAX: usize>() -> impl Strategy<Value = Text<MAX>> {
    words(MAX.min(60)).prop_filter_map("blank", |text| Text::parse(&text).ok())
}

fn optional<T: std::fmt::Debug>(
    strategy: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(strategy)
}

fn blank_or(strategy: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    optional(strategy).prop_map(Option::unwrap_or_default)
}

pub fn party_in(country: CountryCode) -> impl Strategy<Value = Party> {
    (
        words(40),
        blank_or(words(40)),
        proptest::collection::vec(words(60), 1..=4),
        words(30),
        blank_or("[0-9A-Z]{3,10}".prop_map(String::from)),
        blank_or("\\+?[0-9]{2,4}( [0-9]{2,4}){0,3}".prop_map(String::from)),
        blank_or("[a-z0-9.]{1,10}@[a-z]{1,10}\\.[a-z]{2,3}".prop_map(String::from)),
        optional((
            latin_words(40),
            proptest::collection::vec(latin_words(60), 1..=4),
            latin_words(30),
        )),
    )
        .prop_filter_map(
            "a valid party",
            move |(name, business_name, address_lines, city, postcode, phone, email, latin)| {
                PartyDraft {
                    name,
                    business_name,
                    address_lines,
                    city,
                    postcode,
                    country: country.to_string(),
                    phone,
                    email,
                    latin: latin.map(|(name, address_lines, city)| LatinDraft {
                        name,
                        address_lines,
                        city,
                    }),
                }
                .validate()
                .ok()
            },
        )
}

fn currency() -> impl Strategy<Value = &'static str> {
    select(vec!["EGP", "JOD", "ILS", "USD", "IQD", "LYD", "XDR"])
}

fn declaration(form: CustomsForm) -> impl Strategy<Value = CustomsDeclaration> {
    (
        select(ContentCategory::ALL.to_vec()),
        words(80),
        currency(),
        proptest::collection::vec(
            (
                words(80),
                1i64..=50,
                1i64..=20_000,
                0i64..=5_000_000,
                ("[0-9]{6,10}", any::<bool>()),
                country(),
            ),
            1..=3,
        ),
        0i64..=2_000,
        optional((0i64..=100_000, currency())),
        blank_or(words(100)),
        proptest::collection::vec("[A-Z0-9-]{1,20}".prop_map(String::from), 0..=2),
        proptest::collection::vec("[A-Z0-9-]{1,20}".prop_map(String::from), 0..=2),
        (
            blank_or("[A-Z0-9-]{1,20}".prop_map(String::from)),
            blank_or("[A-Z0-9-]{1,20}".prop_map(String::from)),
            blank_or("[A-Z0-9-]{1,20}".prop_map(String::from)),
        ),
    )
        .prop_filter_map(
            "a valid declaration",
            move |(
                category,
                explanation,
                currency,
                lines,
                packing,
                charges,
                comments,
                licences,
                certificates,
                (invoice, importer, sender_reference),
            )| {
                let lines: Vec<DeclarationLineDraft> = lines
                    .into_iter()
                    .map(
                        |(description, quantity, net, amount, (hs_code, drop_hs), origin)| {
                            // Commercial items need an HS code on every line; others may omit it.
                            let hs_code = if drop_hs && !category.requires_hs_code() {
                                String::new()
                            } else {
                                hs_code
                            };
                            DeclarationLineDraft {
                                description,
                                quantity,
                                net_weight_grams: net,
                                value: MoneyDraft {
                                    amount_minor: amount,
                                    currency: currency.into(),
                                },
                                hs_code,
                                origin: origin.to_string(),
                            }
                        },
                    )
                    .collect();
                let net: i64 = lines.iter().map(|line| line.net_weight_grams).sum();
                DeclarationDraft {
                    category: category.as_str().into(),
                    category_explanation: if category == ContentCategory::Other {
                        explanation
                    } else {
                        String::new()
                    },
                    lines,
                    gross_weight_grams: net + packing,
                    postal_charges: charges.map(|(amount_minor, currency)| MoneyDraft {
                        amount_minor,
                        currency: currency.into(),
                    }),
                    comments,
                    licence: !licences.is_empty(),
                    licence_numbers: licences,
                    certificate: !certificates.is_empty(),
                    certificate_numbers: certificates,
                    invoice_number: invoice,
                    importer_reference: importer,
                    sender_customs_reference: sender_reference,
                    ..DeclarationDraft::default()
                }
                .restore(form)
                .ok()
            },
        )
}

fn item_attributes() -> impl Strategy<Value = ItemAttributes> {
    (s10(), two_countries())
        .prop_flat_map(|(s10, (origin, destination))| {
            let parcel = MailStream::from(s10.service()) == MailStream::Parcel;
            let form = if parcel {
                Just(CustomsForm::Cn23).boxed()
            } else {
                select(vec![CustomsForm::Cn22, CustomsForm::Cn23]).boxed()
            };
            (
                Just(s10),
                "[A-Z]".prop_map(|class| MailClass::parse(&class).unwrap()),
                Just((origin, destination)),
                time(),
                site(),
                0u32..=30_000,
                text::<200>(),
                party_in(origin),
                party_in(destination),
                optional(form.prop_flat_map(declaration)),
            )
        })
        .prop_map(
            |(
                s10,
                mail_class,
                (origin_country, destination_country),
                accepted_at,
                posting_office,
                grams,
                contents,
                sender,
                addressee,
                customs,
            )| ItemAttributes {
                s10,
                mail_class,
                origin_country,
                destination_country,
                accepted_at,
                posting_office,
                gross_weight: Grams::new(grams),
                contents,
                sender,
                addressee,
                customs,
            },
        )
}

pub fn itmatt() -> impl Strategy<Value = Itmatt> {
    proptest::collection::vec(item_attributes(), 1..=3)
        .prop_filter_map("unique items", |items| Itmatt::new(items).ok())
}

fn dispatch_between(
    origin: CountryCode,
    destination: CountryCode,
) -> impl Strategy<Value = DispatchId> {
    (
        office_in(origin),
        office_in(destination),
        "[A-Z]",
        "[A-Z]{2}",
        0i32..10,
        1u16..=9999,
    )
        .prop_map(
            |(origin, destination, category, subclass, year, number)| DispatchId {
                origin,
                destination,
                category: MailCategory::parse(&category).unwrap(),
                subclass: MailSubclass::parse(&subclass).unwrap(),
                year: DispatchYear::from_year(year),
                number: DispatchNumber::new(number).unwrap(),
            },
        )
}

fn transport() -> impl Strategy<Value = Transport> {
    (
        optional(text::<100>()),
        optional(text::<35>()),
        optional(time()),
        optional(0i64..200_000),
        time(),
    )
        .prop_map(|(carrier, conveyance, departs_at, flight_seconds, alone)| {
            // An arrival after the departure, at another offset, or on its own.
            let arrives_at = match (departs_at, flight_seconds) {
                (Some(departs), Some(seconds)) => {
                    Some((departs + time::Duration::seconds(seconds)).to_offset(alone.offset()))
                }
                (None, Some(_)) => Some(alone),
                (_, None) => None,
            };
            Transport {
                carrier,
                conveyance,
                departs_at,
                arrives_at,
            }
        })
}

/// A PREDES and the posts that send and receive it.
pub fn predes() -> impl Strategy<Value = (Predes, CountryCode, CountryCode)> {
    two_countries()
        .prop_flat_map(|(origin, destination)| {
            (
                dispatch_between(origin, destination),
                optional(office()),
                time(),
                optional(transport()),
                proptest::collection::vec((50u32..=999_949, any::<bool>()), 1..=5),
                proptest::collection::btree_set(s10(), 0..=12),
                any::<bool>(),
            )
        })
        .prop_filter_map(
            "a valid transit office",
            |(dispatch, transit, closed_at, transport, bags, items, to_transit)| {
                let count = bags.len();
                let items: Vec<S10Id> = items.into_iter().collect();
                let per_bag = items.len().div_ceil(count).max(1);
                let mut chunks = items.chunks(per_bag);
                let receptacles = bags
                    .into_iter()
                    .enumerate()
                    .map(|(index, (grams, registered))| PredesReceptacle {
                        id: ReceptacleId {
                            dispatch,
                            serial: ReceptacleSerial::new(u16::try_from(index + 1).unwrap())
                                .unwrap(),
                            highest: index + 1 == count,
                            registered,
                            weight: ReceptacleWeight::from_grams(grams).unwrap(),
                        },
                        gross_weight: Grams::new(grams),
                        items: chunks.next().map(<[S10Id]>::to_vec).unwrap_or_default(),
                    })
                    .collect();
                let predes =
                    Predes::new(dispatch, transit, closed_at, transport, receptacles).ok()?;
                let sender = dispatch.origin.country();
                let recipient = match transit {
                    Some(office) if to_transit && office.country() != sender => office.country(),
                    _ => dispatch.destination.country(),
                };
                Some((predes, sender, recipient))
            },
        )
}

fn receptacle_id() -> impl Strategy<Value = ReceptacleId> {
    (
        two_countries().prop_flat_map(|(a, b)| dispatch_between(a, b)),
        1u16..=999,
        any::<bool>(),
        any::<bool>(),
        0u16..=9999,
    )
        .prop_map(
            |(dispatch, serial, highest, registered, weight)| ReceptacleId {
                dispatch,
                serial: ReceptacleSerial::new(serial).unwrap(),
                highest,
                registered,
                weight: ReceptacleWeight::from_tenths_of_kg(weight).unwrap(),
            },
        )
}

fn discrepancy() -> impl Strategy<Value = Discrepancy> {
    let grams = || any::<u32>().prop_map(Grams::new);
    prop_oneof![
        (receptacle_id(), grams(), 0usize..1_000).prop_map(
            |(receptacle, advised_weight, advised_items)| {
                Discrepancy::MissingReceptacle {
                    receptacle,
                    advised_weight,
                    advised_items,
                }
            }
        ),
        (receptacle_id(), grams(), 0usize..1_000).prop_map(
            |(receptacle, measured_weight, items)| {
                Discrepancy::ExtraReceptacle {
                    receptacle,
                    measured_weight,
                    items,
                }
            }
        ),
        (receptacle_id(), receptacle_id())
            .prop_map(|(receptacle, found)| Discrepancy::LabelDiffers { receptacle, found }),
        receptacle_id().prop_map(|receptacle| Discrepancy::DamagedReceptacle { receptacle }),
        (receptacle_id(), grams(), grams(), any::<u64>()).prop_map(
            |(receptacle, advised, measured, tolerance)| Discrepancy::WeightDifference {
                receptacle,
                advised,
                measured,
                tolerance
            }
        ),
        (receptacle_id(), s10())
            .prop_map(|(receptacle, item)| Discrepancy::MissingItem { receptacle, item }),
        (receptacle_id(), s10())
            .prop_map(|(receptacle, item)| Discrepancy::ExtraItem { receptacle, item }),
        (receptacle_id(), s10(), receptacle_id()).prop_map(|(receptacle, item, found_in)| {
            Discrepancy::ItemInOtherReceptacle {
                receptacle,
                item,
                found_in,
            }
        }),
        (optional(receptacle_id()), s10())
            .prop_map(|(receptacle, item)| Discrepancy::DamagedItem { receptacle, item }),
    ]
}

/// A RESDES and the posts that send and receive it.
pub fn resdes() -> impl Strategy<Value = (Resdes, CountryCode, CountryCode)> {
    two_countries()
        .prop_flat_map(|(origin, destination)| {
            let dispatch = dispatch_between(origin, destination);
            (
                dispatch,
                time(),
                office_in(destination),
                proptest::collection::btree_map(
                    1u16..=999,
                    (
                        any::<bool>(),
                        any::<bool>(),
                        0u16..=9999,
                        any::<u32>(),
                        any::<bool>(),
                    ),
                    0..=4,
                ),
                proptest::collection::vec(discrepancy(), 0..=6),
            )
        })
        .prop_map(|(dispatch, received_at, office, scans, discrepancies)| {
            let receptacles = scans
                .into_iter()
                .map(
                    |(serial, (highest, registered, label, grams, damaged))| ResdesReceptacle {
                        id: ReceptacleId {
                            dispatch,
                            serial: ReceptacleSerial::new(serial).unwrap(),
                            highest,
                            registered,
                            weight: ReceptacleWeight::from_tenths_of_kg(label).unwrap(),
                        },
                        measured_weight: Grams::new(grams),
                        condition: if damaged {
                            ReceptacleCondition::Damaged
                        } else {
                            ReceptacleCondition::Sound
                        },
                    },
                )
                .collect();
            let resdes =
                Resdes::new(dispatch, received_at, office, receptacles, discrepancies).unwrap();
            (resdes, office.country(), dispatch.origin.country())
        })
}

fn tracking_event() -> impl Strategy<Value = TrackingEvent> {
    (
        s10(),
        "[A-Z]{3}",
        select(Milestone::ALL.to_vec()),
        time(),
        site(),
        optional("[A-Z0-9]{1,4}"),
        optional(select(NextAction::ALL.to_vec())),
        optional(text::<100>()),
        optional(text::<500>()),
    )
        .prop_map(
            |(s10, code, milestone, at, office, reason, next_action, signatory, note)| {
                TrackingEvent {
                    s10,
                    code: EventCode::parse(&code).unwrap(),
                    milestone,
                    at,
                    office,
                    reason: reason.map(|reason| ReasonCode::parse(&reason).unwrap()),
                    next_action,
                    signatory,
                    note,
                }
            },
        )
}

pub fn emsevt() -> impl Strategy<Value = Emsevt> {
    proptest::collection::vec(tracking_event(), 1..=6)
        .prop_map(|events| Emsevt::new(events).unwrap())
}

/// Any valid envelope, of any of the four types.
pub fn envelope() -> impl Strategy<Value = Envelope> {
    let predes = predes().prop_map(|(body, sender, recipient)| (body.into(), sender, recipient));
    let resdes = resdes().prop_map(|(body, sender, recipient)| (body.into(), sender, recipient));
    let itmatt = (itmatt(), two_countries())
        .prop_map(|(body, (sender, recipient))| (body.into(), sender, recipient));
    let emsevt = (emsevt(), two_countries())
        .prop_map(|(body, (sender, recipient))| (body.into(), sender, recipient));
    (
        prop_oneof![predes, resdes, itmatt, emsevt],
        any::<u128>(),
        time(),
        optional(any::<u64>()),
    )
        .prop_map(|((body, sender, recipient), id, created_at, sequence)| {
            let mut envelope =
                Envelope::new(Uuid::from_u128(id), sender, recipient, created_at, body).unwrap();
            envelope.set_sequence(sequence);
            envelope
        })
}
