//! Items encoded ahead (when their receptacle closes) and put together into an ITMATT later.

use barid_core::CountryCode;
use barid_messages::{BaridJsonV1, Envelope, Itmatt, MessageBody, MessageCodec, MessageType};
use proptest::prelude::*;
use serde_json::Value;
use time::macros::datetime;
use uuid::Uuid;

use crate::schemas::violations;
use crate::strategies::itmatt;
use crate::support::itmatt as sample_itmatt;

fn country(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

proptest! {
    #[test]
    fn an_itmatt_put_together_from_pieces_is_the_canonical_encoding(
        itmatt in itmatt(),
        split in 0usize..4,
    ) {
        let codec = BaridJsonV1;
        let items = itmatt.items();
        let split = split.min(items.len());
        let (first, second) = items.split_at(split);
        let first = codec.encode_items(first).unwrap();
        let second = codec.encode_items(second).unwrap();
        let mut pieces = codec.decode_items(&first).unwrap();
        pieces.extend(codec.decode_items(&second).unwrap());
        prop_assert_eq!(
            pieces.iter().map(|piece| piece.s10()).collect::<Vec<_>>(),
            items.iter().map(|item| item.s10).collect::<Vec<_>>()
        );

        let id = Uuid::from_u128(7);
        let at = datetime!(2026-12-06 10:15:00 +2);
        let (sender, recipient) = (items[0].origin_country, items[0].destination_country);
        let spliced = codec.encode_itmatt(id, sender, recipient, at, &pieces).unwrap();
        let envelope = Envelope::new(id, sender, recipient, at, MessageBody::Itmatt(itmatt.clone()))
            .unwrap();
        prop_assert_eq!(
            String::from_utf8(spliced.clone()).unwrap(),
            String::from_utf8(codec.encode(&envelope).unwrap()).unwrap()
        );
        prop_assert_eq!(codec.decode(&spliced).unwrap(), envelope);
        let value: Value = serde_json::from_slice(&spliced).unwrap();
        prop_assert_eq!(violations(MessageType::Itmatt, &value), Vec::<String>::new());
    }

    #[test]
    fn reading_arbitrary_text_as_encoded_items_never_panics(text in "\\PC{0,200}") {
        let _ = BaridJsonV1.decode_items(&text);
    }
}

#[test]
fn items_encoded_ahead_are_checked_as_an_itmatt_checks_them() {
    let codec = BaridJsonV1;
    let mut items = sample_itmatt().into_items();
    items[1].destination_country = items[1].origin_country;
    let error = codec.encode_items(&items).unwrap_err();
    assert_eq!(
        (error.code(), error.path()),
        ("invalid_field", Some("[1].destination_country"))
    );
}

#[test]
fn an_itmatt_of_pieces_needs_items_once_each_and_another_post() {
    let codec = BaridJsonV1;
    let items = sample_itmatt().into_items();
    let text = codec.encode_items(&items).unwrap();
    let pieces = codec.decode_items(&text).unwrap();
    let id = Uuid::from_u128(1);
    let at = datetime!(2026-12-06 10:15:00 +2);
    let (eg, ps) = (country("EG"), country("PS"));

    let empty = codec.encode_itmatt(id, eg, ps, at, &[]).unwrap_err();
    assert_eq!(empty.path(), Some("body.items"));

    let twice: Vec<_> = pieces.iter().chain(&pieces[..1]).copied().collect();
    let duplicate = codec.encode_itmatt(id, eg, ps, at, &twice).unwrap_err();
    assert_eq!(
        duplicate.path(),
        Some(format!("body.items[{}].s10", pieces.len()).as_str())
    );

    let to_oneself = codec.encode_itmatt(id, eg, eg, at, &pieces).unwrap_err();
    assert_eq!(to_oneself.path(), Some("recipient"));

    // What a store gives back damaged is refused, never half read.
    assert_eq!(
        codec
            .decode_items("[{\"s10\": \"RR123456784EG\"}]")
            .unwrap_err()
            .path(),
        Some("[0].s10")
    );
    assert_eq!(
        codec.decode_items("{").unwrap_err().code(),
        "malformed_json"
    );
    assert!(Itmatt::new(items).is_ok());
}
