//! The rules the message constructors enforce between fields, and the values they give back.

use barid_core::exchange::{ReceivedReceptacle, verify};
use barid_core::lifecycle::EventSource;
use barid_core::{
    CustomsForm, EventCode, Grams, Milestone, NextAction, Receipt, ReceptacleWeight,
    WeightTolerance,
};
use barid_messages::{
    Emsevt, Envelope, Itmatt, MessageBody, MessageError, Predes, PredesReceptacle,
    ReceptacleCondition, Resdes, ResdesReceptacle, Transport, standard_milestone,
};

use crate::support::{at, country, emsevt, itmatt, office, predes, resdes, s10, uuid};

fn refused<T: std::fmt::Debug>(result: Result<T, MessageError>) -> (String, &'static str) {
    let error = result.unwrap_err();
    assert!(!error.message().is_empty());
    assert_eq!(
        error.to_string(),
        format!("{}: {}", error.field(), error.message())
    );
    (error.field().to_owned(), error.code())
}

fn expect(field: &str, code: &'static str) -> (String, &'static str) {
    (field.to_owned(), code)
}

fn rebuild(receptacles: Vec<PredesReceptacle>) -> Result<Predes, MessageError> {
    let predes = predes();
    Predes::new(
        predes.dispatch(),
        predes.transit_office(),
        predes.closed_at(),
        predes.transport().cloned(),
        receptacles,
    )
}

fn receptacles() -> Vec<PredesReceptacle> {
    predes().receptacles().to_vec()
}

#[test]
fn predes_reads_offices_class_and_flags_from_the_ids() {
    let predes = predes();
    assert_eq!(predes.dispatch().to_string(), "EGCAIAPSRMHAAUN60042");
    assert_eq!(predes.origin_office(), office("EGCAIA"));
    assert_eq!(predes.destination_office(), office("PSRMHA"));
    assert_eq!(predes.transit_office(), Some(office("JOAMMA")));
    assert_eq!(predes.mail_category().letter(), 'A');
    assert_eq!(predes.mail_subclass().as_str(), "UN");
    assert_eq!(predes.mail_class().letter(), 'U');
    let flags: Vec<(bool, bool)> = predes
        .receptacles()
        .iter()
        .map(|receptacle| (receptacle.is_registered(), receptacle.is_highest()))
        .collect();
    assert_eq!(flags, [(true, false), (true, false), (false, true)]);
}

#[test]
fn a_predes_is_what_the_inward_office_verifies_against() {
    let advice = predes().pre_advice();
    let receipt = Receipt {
        receptacles: advice
            .receptacles
            .iter()
            .map(|receptacle| ReceivedReceptacle {
                id: receptacle.id,
                measured_weight: receptacle.weight,
                items: receptacle.items.clone(),
                damaged: false,
            })
            .collect(),
        damaged_items: vec![],
    };
    assert_eq!(verify(&advice, &receipt, WeightTolerance::default()), []);
    assert_eq!(advice.receptacles[0].weight, Grams::new(4_350));
}

#[test]
fn predes_refuses_receptacles_that_no_closed_dispatch_has() {
    assert_eq!(refused(rebuild(vec![])), expect("receptacles", "empty"));

    let mut foreign = receptacles();
    foreign[1].id.dispatch.number = foreign[1].id.dispatch.number.next().unwrap();
    assert_eq!(
        refused(rebuild(foreign)),
        expect("receptacles[1].id", "foreign_receptacle")
    );

    let mut swapped = receptacles();
    swapped.swap(0, 1);
    assert_eq!(
        refused(rebuild(swapped)),
        expect("receptacles[0].id", "receptacle_order")
    );

    let mut two_highest = receptacles();
    two_highest[0].id.highest = true;
    assert_eq!(
        refused(rebuild(two_highest)),
        expect("receptacles[0].id", "highest_flag")
    );
    let mut no_highest = receptacles();
    no_highest[2].id.highest = false;
    assert_eq!(
        refused(rebuild(no_highest)),
        expect("receptacles[2].id", "highest_flag")
    );

    // 4.35 kg is labelled 0044; 4.25 kg would be 0043.
    let mut relabelled = receptacles();
    relabelled[0].gross_weight = Grams::new(4_249);
    let error = rebuild(relabelled).unwrap_err();
    assert_eq!(error.code(), "label_weight");
    assert_eq!(error.field(), "receptacles[0].gross_weight_grams");
    assert_eq!(
        error.message(),
        "the gross weight 4.249 kg rounds to 4.2 kg, but the receptacle ID EGCAIAPSRMHAAUN60042001010044 carries 4.4 kg"
    );
    let mut weightless = receptacles();
    weightless[2].gross_weight = Grams::new(40);
    weightless[2].id.weight = ReceptacleWeight::from_tenths_of_kg(0).unwrap();
    assert_eq!(
        refused(rebuild(weightless)),
        expect("receptacles[2].gross_weight_grams", "invalid_gross_weight")
    );

    let mut twice = receptacles();
    twice[2].items.push(s10("RR471203020EG"));
    let error = rebuild(twice).unwrap_err();
    assert_eq!(
        (error.field(), error.code()),
        ("receptacles[2].items[2]", "duplicate_item")
    );
    assert_eq!(
        error.message(),
        "item RR471203020EG is listed twice: already in receptacle EGCAIAPSRMHAAUN60042001010044"
    );
}

#[test]
fn predes_refuses_a_transit_office_at_either_end_and_an_arrival_before_departure() {
    let original = predes();
    let with = |transit, transport| {
        Predes::new(
            original.dispatch(),
            transit,
            original.closed_at(),
            transport,
            receptacles(),
        )
    };
    assert_eq!(
        refused(with(Some(office("PSRMHA")), None)),
        expect("transit_office", "transit_office")
    );
    assert_eq!(
        refused(with(Some(office("EGCAIA")), None)),
        expect("transit_office", "transit_office")
    );
    // 10:00 in Amman (+03:00) is 09:00 in Cairo (+02:00): before a 09:40 departure.
    let backwards = Transport {
        departs_at: Some(at("2026-11-23T09:40:00+02:00")),
        arrives_at: Some(at("2026-11-23T10:00:00+03:00")),
        ..Transport::default()
    };
    assert_eq!(
        refused(with(None, Some(backwards))),
        expect("transport.arrives_at", "arrival_before_departure")
    );
    let same_instant = Transport {
        departs_at: Some(at("2026-11-23T09:40:00+02:00")),
        arrives_at: Some(at("2026-11-23T10:40:00+03:00")),
        ..Transport::default()
    };
    assert!(with(None, Some(same_instant)).is_ok());
    assert!(with(None, Some(Transport::default())).is_ok());
}

#[test]
fn resdes_lists_each_receptacle_once_as_the_verification_counts_it() {
    let resdes = resdes();
    let listed: Vec<(String, u32, ReceptacleCondition)> = resdes
        .receptacles()
        .iter()
        .map(|r| (r.id.to_string(), r.measured_weight.get(), r.condition))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "EGCAIAPSRMHAAUN60042001010044".to_owned(),
                4_050,
                ReceptacleCondition::Sound
            ),
            (
                "EGCAIAPSRMHAAUN60042002010078".to_owned(),
                7_810,
                ReceptacleCondition::Damaged
            ),
        ]
    );
    let codes: Vec<&str> = resdes.discrepancies().iter().map(|d| d.code()).collect();
    assert_eq!(
        codes,
        [
            "weight_difference",
            "missing_item",
            "extra_item",
            "damaged_receptacle",
            "damaged_item",
            "missing_receptacle"
        ]
    );

    // Scanned twice, damaged on the second scan: one receptacle, first weight, damaged.
    let advice = predes().pre_advice();
    let first = &advice.receptacles[0];
    let scan = |grams, damaged| ReceivedReceptacle {
        id: first.id,
        measured_weight: Grams::new(grams),
        items: vec![],
        damaged,
    };
    let receipt = Receipt {
        receptacles: vec![scan(4_340, false), scan(4_900, true)],
        damaged_items: vec![],
    };
    let twice = Resdes::from_verification(
        advice.dispatch,
        at("2026-11-25T10:30:00+02:00"),
        office("PSRMHA"),
        &receipt,
        vec![],
    )
    .unwrap();
    assert_eq!(
        twice.receptacles(),
        [ResdesReceptacle {
            id: first.id,
            measured_weight: Grams::new(4_340),
            condition: ReceptacleCondition::Damaged,
        }]
    );

    let duplicate = Resdes::new(
        advice.dispatch,
        at("2026-11-25T10:30:00+02:00"),
        office("PSRMHA"),
        vec![
            twice.receptacles()[0].clone(),
            twice.receptacles()[0].clone(),
        ],
        vec![],
    );
    assert_eq!(
        refused(duplicate),
        expect("receptacles[1].id", "duplicate_receptacle")
    );
}

#[test]
fn itmatt_checks_each_item_as_the_counter_does() {
    let items = || itmatt().into_items();
    assert_eq!(refused(Itmatt::new(vec![])), expect("items", "empty"));

    let mut domestic = items();
    domestic[1].destination_country = country("EG");
    assert_eq!(
        refused(Itmatt::new(domestic)),
        expect("items[1].destination_country", "same_country")
    );

    let mut elsewhere = items();
    elsewhere[0].destination_country = country("JO");
    assert_eq!(
        refused(Itmatt::new(elsewhere)),
        expect("items[0].addressee.country", "destination_mismatch")
    );

    // The gift letter's CN 22 on a parcel ID.
    let mut parcel_on_cn22 = items();
    parcel_on_cn22[1].customs = parcel_on_cn22[0].customs.clone();
    assert_eq!(
        parcel_on_cn22[1].customs.as_ref().unwrap().form(),
        CustomsForm::Cn22
    );
    assert_eq!(
        refused(Itmatt::new(parcel_on_cn22)),
        expect("items[1].customs.form", "cn23_required")
    );
    // A letter may travel with a CN 23, and correspondence with no declaration at all.
    let mut letter_on_cn23 = items();
    letter_on_cn23[0].customs = letter_on_cn23[1].customs.clone();
    letter_on_cn23[1].customs = None;
    assert!(Itmatt::new(letter_on_cn23).is_ok());

    let mut twice = items();
    twice[1].s10 = twice[0].s10;
    twice[1].customs = None;
    assert_eq!(
        refused(Itmatt::new(twice)),
        expect("items[1].s10", "duplicate_item")
    );

    let itmatt = itmatt();
    let item = &itmatt.items()[1];
    assert_eq!(item.service_indicator().as_str(), "CP");
    assert_eq!(item.stream(), barid_core::MailStream::Parcel);
}

#[test]
fn emsevt_carries_milestones_for_the_receivers_lifecycle() {
    assert_eq!(refused(Emsevt::new(vec![])), expect("events", "empty"));
    let emsevt = emsevt();
    let failed = &emsevt.events()[6];
    let lifecycle = failed.lifecycle_event();
    assert_eq!(lifecycle.milestone, Milestone::DeliveryAttemptFailed);
    assert_eq!(lifecycle.next_action, Some(NextAction::Redeliver));
    assert_eq!(lifecycle.source, EventSource::Partner);
    assert_eq!(lifecycle.at, failed.at);
    for milestone in Milestone::ALL {
        let code = EventCode::parse(milestone.standard_code()).unwrap();
        assert_eq!(standard_milestone(&code), Some(milestone));
    }
    assert_eq!(standard_milestone(&EventCode::parse("ZZA").unwrap()), None);
}

#[test]
fn envelopes_check_who_may_send_what_to_whom() {
    let new = |sender: &str, recipient: &str, body: MessageBody| {
        Envelope::new(
            uuid("6f1c2b9e-4d3a-4e8b-9a61-2c0d5e7f8a13"),
            country(sender),
            country(recipient),
            at("2026-11-22T14:06:12+02:00"),
            body,
        )
    };
    let predes = || MessageBody::from(predes());
    let resdes = || MessageBody::from(resdes());
    assert!(new("EG", "PS", predes()).is_ok());
    // The closed transit post is pre-advised too.
    assert!(new("EG", "JO", predes()).is_ok());
    assert_eq!(
        refused(new("EG", "EG", predes())),
        expect("recipient", "same_post")
    );
    assert_eq!(
        refused(new("JO", "PS", predes())),
        expect("sender", "sender_mismatch")
    );
    assert_eq!(
        refused(new("EG", "IQ", predes())),
        expect("recipient", "recipient_mismatch")
    );
    assert!(new("PS", "EG", resdes()).is_ok());
    assert_eq!(
        refused(new("JO", "EG", resdes())),
        expect("sender", "sender_mismatch")
    );
    assert_eq!(
        refused(new("PS", "JO", resdes())),
        expect("recipient", "recipient_mismatch")
    );
    // Advance data and events go between any two posts.
    assert!(new("JO", "IQ", itmatt().into()).is_ok());
    assert!(new("LY", "EG", emsevt().into()).is_ok());

    let mut envelope = new("EG", "PS", predes()).unwrap();
    assert_eq!(envelope.sequence(), None);
    assert_eq!(envelope.version(), 1);
    envelope.set_sequence(Some(7));
    assert_eq!(envelope.clone().with_sequence(8).sequence(), Some(8));
    assert_eq!(envelope.sequence(), Some(7));
    assert_eq!(envelope.message_type(), barid_messages::MessageType::Predes);
}
