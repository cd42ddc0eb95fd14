//! Round trips with arbitrary valid messages, and decoding that never panics.

use barid_messages::{BaridJsonV1, CodecError, MessageCodec, MessageType};
use proptest::prelude::*;
use serde_json::Value;

use crate::schemas::violations;
use crate::strategies::envelope;
use crate::support::{docs_dir, golden};

const CODES: [&str; 7] = [
    "malformed_json",
    "unknown_message_type",
    "unsupported_version",
    "missing_field",
    "unknown_field",
    "invalid_field",
    "unencodable",
];

/// Whatever a decoder says about bad input must be a typed error with a stable code and a
/// message, pointing at a field when it is about one.
fn well_formed(error: &CodecError) -> bool {
    CODES.contains(&error.code())
        && !error.to_string().is_empty()
        && error.code() != "unencodable"
        && match error.code() {
            "malformed_json" => error.path().is_none(),
            _ => error.path().is_some(),
        }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "\\PC{0,20}".prop_map(Value::String),
        // Strings that look like the IDs, so the parsers get past the first character.
        "[A-Z]{2}[0-9]{9}[A-Z]{2}|[A-Z0-9]{20}|[A-Z0-9]{29}|[A-Z]{2}|2026-11-2[0-9]T1[0-9]:00:00\\+0[0-3]:00"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,12}".prop_map(String::from),
                    proptest::sample::select(vec![
                        "id",
                        "type",
                        "version",
                        "sender",
                        "recipient",
                        "sequence",
                        "created_at",
                        "body",
                        "receptacles",
                        "items",
                        "events",
                        "dispatch",
                        "s10",
                        "code",
                    ])
                    .prop_map(String::from),
                ],
                inner,
                0..6
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every place in a JSON value, as JSON Pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(list) => {
            for (index, child) in list.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn golden_values() -> Vec<Value> {
    golden()
        .iter()
        .map(|example| {
            let bytes = std::fs::read(docs_dir().join("examples").join(example.file)).unwrap();
            serde_json::from_slice(&bytes).unwrap()
        })
        .collect()
}

proptest! {
    #[test]
    fn any_valid_message_round_trips_to_the_same_bytes(envelope in envelope()) {
        let codec = BaridJsonV1;
        let bytes = codec.encode(&envelope).unwrap();
        let decoded = codec.decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &envelope);
        // Equality of times ignores the offset; the bytes do not.
        prop_assert_eq!(codec.encode(&decoded).unwrap(), bytes.clone());

        let body = codec.encode_body(envelope.body(), envelope.version()).unwrap();
        let stored = codec
            .decode_body(envelope.message_type(), envelope.version(), &body)
            .unwrap();
        prop_assert_eq!(&stored, envelope.body());
        prop_assert_eq!(codec.encode_body(&stored, envelope.version()).unwrap(), body);
    }

    #[test]
    fn numbering_a_stored_message_is_encoding_it_with_its_number(
        envelope in envelope(),
        sequence in 1u64..u64::MAX,
    ) {
        let codec = BaridJsonV1;
        let stored = codec.encode(&envelope).unwrap();
        let numbered = codec.with_sequence(&stored, sequence).unwrap();
        let expected = codec.encode(&envelope.clone().with_sequence(sequence)).unwrap();
        prop_assert_eq!(String::from_utf8(numbered.clone()).unwrap(), String::from_utf8(expected).unwrap());
        // Numbering again replaces the number.
        prop_assert_eq!(codec.with_sequence(&numbered, sequence).unwrap(), numbered);
    }

    #[test]
    fn any_valid_message_validates_against_its_schema(envelope in envelope()) {
        let bytes = BaridJsonV1.encode(&envelope).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(violations(envelope.message_type(), &value), Vec::<String>::new());
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let codec = BaridJsonV1;
        if let Err(error) = codec.decode(&bytes) {
            prop_assert!(well_formed(&error), "{error:?}");
        }
        for message_type in MessageType::ALL {
            let _ = codec.decode_body(message_type, 1, &bytes);
        }
        let _ = codec.with_sequence(&bytes, 1);
    }

    #[test]
    fn decoding_arbitrary_json_never_panics(value in json_value()) {
        let codec = BaridJsonV1;
        let bytes = serde_json::to_vec(&value).unwrap();
        match codec.decode(&bytes) {
            Ok(envelope) => {
                // Whatever decodes is a valid message, and so encodes.
                codec.encode(&envelope).unwrap();
            }
            Err(error) => prop_assert!(well_formed(&error), "{error:?}"),
        }
        for message_type in MessageType::ALL {
            if let Err(error) = codec.decode_body(message_type, 1, &bytes) {
                prop_assert!(well_formed(&error), "{error:?}");
            }
        }
    }

    #[test]
    fn decoding_a_damaged_golden_message_never_panics(
        example in proptest::sample::select(golden_values()),
        pick in any::<proptest::sample::Index>(),
        replacement in json_value(),
        remove in any::<bool>(),
    ) {
        let codec = BaridJsonV1;
        let mut value = example;
        let mut places = Vec::new();
        pointers(&value, String::new(), &mut places);
        let place = places[pick.index(places.len())].clone();
        match place.rsplit_once('/') {
            Some((parent, key)) if remove => {
                match value.pointer_mut(parent) {
                    Some(Value::Object(map)) => { map.remove(key); }
                    Some(Value::Array(list)) => {
                        let index: usize = key.parse().unwrap();
                        list.remove(index);
                    }
                    _ => {}
                }
            }
            _ => {
                if let Some(slot) = value.pointer_mut(&place) {
                    *slot = replacement;
                }
            }
        }
        let bytes = serde_json::to_vec(&value).unwrap();
        match codec.decode(&bytes) {
            Ok(envelope) => {
                codec.encode(&envelope).unwrap();
            }
            Err(error) => prop_assert!(well_formed(&error), "{error:?}"),
        }
    }
}
