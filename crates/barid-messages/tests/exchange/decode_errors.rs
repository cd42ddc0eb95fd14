//! What the decoder says about bad messages: a stable code, the path of the field, and the
//! reason in the words of the core parser or rule that refused it.

use barid_messages::{BaridJsonV1, CodecError, MessageCodec, MessageType};
use serde_json::{Value, json};

use crate::support::docs_dir;

fn example(file: &str) -> Value {
    let bytes = std::fs::read(docs_dir().join("examples").join(file)).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Sets (or with `None`, removes) the value at a JSON Pointer.
fn edit(mut value: Value, pointer: &str, new: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match (value.pointer_mut(parent).unwrap(), new) {
        (Value::Object(map), Some(new)) => {
            map.insert(key.to_owned(), new);
        }
        (Value::Object(map), None) => {
            map.remove(key).unwrap();
        }
        (Value::Array(list), Some(new)) => list[key.parse::<usize>().unwrap()] = new,
        (Value::Array(list), None) => {
            list.remove(key.parse::<usize>().unwrap());
        }
        _ => panic!("{pointer} is not inside an object or array"),
    }
    value
}

fn decode(value: &Value) -> CodecError {
    BaridJsonV1
        .decode(&serde_json::to_vec(value).unwrap())
        .unwrap_err()
}

/// (code, path, message)
fn error_of(file: &str, pointer: &str, new: Option<Value>) -> (&'static str, String, String) {
    let error = decode(&edit(example(file), pointer, new));
    let path = error.path().unwrap_or_default().to_owned();
    assert_eq!(error.to_string(), format!("{path}: {}", error.message()));
    (error.code(), path, error.message())
}

fn expect(code: &'static str, path: &str, message: &str) -> (&'static str, String, String) {
    (code, path.to_owned(), message.to_owned())
}

#[test]
fn bytes_that_are_not_json_say_where_they_break() {
    let error = BaridJsonV1
        .decode(b"{\n  \"id\": \"6f1c\",\n  \"type\": PREDES\n}")
        .unwrap_err();
    assert_eq!(error.code(), "malformed_json");
    assert_eq!(error.path(), None);
    let CodecError::MalformedJson { line, column, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*line, *column), (3, 11));
    for bytes in [&b""[..], b"\xff\xfe", b"{} {}", b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["] {
        assert_eq!(BaridJsonV1.decode(bytes).unwrap_err().code(), "malformed_json");
    }
}

#[test]
fn the_type_and_version_are_read_before_anything_else() {
    assert_eq!(
        error_of("predes.json", "/type", Some(json!("CARDIT"))),
        expect(
            "unknown_message_type",
            "type",
            "\"CARDIT\" is not a message type; expected PREDES, RESDES, ITMATT or EMSEVT"
        )
    );
    // A version 2 message with fields this node does not know is a version problem.
    let newer = edit(example("predes.json"), "/version", Some(json!(2)));
    let newer = edit(newer, "/priority", Some(json!("urgent")));
    let error = decode(&newer);
    assert_eq!(error.code(), "unsupported_version");
    assert_eq!(error.path(), Some("version"));
    assert_eq!(
        error.to_string(),
        "version: PREDES version 2 is not supported; this node reads version 1"
    );
    assert_eq!(
        error_of("predes.json", "/version", Some(json!("1"))),
        expect(
            "invalid_field",
            "version",
            "expected a whole number from 0, found a string"
        )
    );
    assert_eq!(
        error_of("emsevt.json", "/type", None),
        expect("missing_field", "type", "is required")
    );
    let not_an_object = decode(&json!(["PREDES"]));
    assert_eq!(
        not_an_object.to_string(),
        "(message): expected an object, found an array"
    );
    assert_eq!(not_an_object.path(), Some(""));
    assert_eq!(
        not_an_object.message(),
        "expected an object, found an array"
    );
}

#[test]
fn unknown_missing_and_null_fields_are_refused_at_their_path() {
    assert_eq!(
        error_of("predes.json", "/priority", Some(json!("urgent"))),
        expect(
            "unknown_field",
            "priority",
            "is not a field of this message"
        )
    );
    assert_eq!(
        error_of(
            "predes.json",
            "/body/transport/flight",
            Some(json!("RJ504"))
        ),
        expect(
            "unknown_field",
            "body.transport.flight",
            "is not a field of this message"
        )
    );
    assert_eq!(
        error_of(
            "predes.json",
            "/body/receptacles/1/gross_weight_grams",
            None
        ),
        expect(
            "missing_field",
            "body.receptacles[1].gross_weight_grams",
            "is required"
        )
    );
    // Absent is left out, never null.
    assert_eq!(
        error_of("predes.json", "/body/transit_office", Some(Value::Null)),
        expect(
            "invalid_field",
            "body.transit_office",
            "expected a string, found null"
        )
    );
    assert_eq!(
        error_of("itmatt.json", "/body/items/0/customs/licence_numbers", None),
        expect(
            "missing_field",
            "body.items[0].customs.licence_numbers",
            "is required"
        )
    );
    assert_eq!(
        error_of(
            "resdes.json",
            "/body/discrepancies/0/advised",
            Some(json!(1))
        ),
        expect(
            "unknown_field",
            "body.discrepancies[0].advised",
            "is not a field of this message"
        )
    );
}

#[test]
fn ids_and_codes_are_refused_with_the_core_parsers_reason() {
    assert_eq!(
        error_of(
            "predes.json",
            "/body/receptacles/0/items/2",
            Some(json!("RR471203034EG"))
        ),
        expect(
            "invalid_field",
            "body.receptacles[0].items[2]",
            "wrong check digit: it should be 3, found 4"
        )
    );
    assert_eq!(
        error_of(
            "predes.json",
            "/body/dispatch",
            Some(json!("EGCAIAPSRMHAAUN60000"))
        ),
        expect(
            "invalid_field",
            "body.dispatch",
            "dispatch number at position 17: 0001 to 9999, found \"0000\""
        )
    );
    assert_eq!(
        error_of("predes.json", "/sender", Some(json!("XX"))),
        expect(
            "invalid_field",
            "sender",
            "XX is not an ISO 3166-1 alpha-2 country code"
        )
    );
    assert_eq!(
        error_of(
            "emsevt.json",
            "/body/events/2/milestone",
            Some(json!("cleared"))
        ),
        (
            "invalid_field",
            "body.events[2].milestone".to_owned(),
            format!(
                "\"cleared\" is not a milestone; expected one of {}",
                barid_core::Milestone::ALL.map(|m| m.as_str()).join(", ")
            )
        )
    );
    assert_eq!(
        error_of(
            "resdes.json",
            "/body/receptacles/1/condition",
            Some(json!("wet"))
        ),
        expect(
            "invalid_field",
            "body.receptacles[1].condition",
            "expected sound or damaged, found \"wet\""
        )
    );
    let (code, path, message) = error_of(
        "resdes.json",
        "/body/discrepancies/3/code",
        Some(json!("lost_bag")),
    );
    assert_eq!(
        (code, path.as_str()),
        ("invalid_field", "body.discrepancies[3].code")
    );
    assert!(
        message.starts_with("\"lost_bag\" is not a discrepancy code; expected missing_receptacle")
    );
    assert_eq!(
        error_of("predes.json", "/id", Some(json!("not-a-uuid"))).0,
        "invalid_field"
    );
}

#[test]
fn numbers_and_times_say_what_was_expected() {
    assert_eq!(
        error_of(
            "predes.json",
            "/body/receptacles/0/gross_weight_grams",
            Some(json!(4350.0))
        ),
        expect(
            "invalid_field",
            "body.receptacles[0].gross_weight_grams",
            "expected a whole number from 0, found a decimal number"
        )
    );
    assert_eq!(
        error_of(
            "resdes.json",
            "/body/receptacles/0/measured_weight_grams",
            Some(json!(5_000_000_000_u64))
        ),
        expect(
            "invalid_field",
            "body.receptacles[0].measured_weight_grams",
            "a weight is at most 4294967295 grams, found 5000000000"
        )
    );
    let (code, path, message) = error_of(
        "predes.json",
        "/body/closed_at",
        Some(json!("2026-11-22 14:05")),
    );
    assert_eq!((code, path.as_str()), ("invalid_field", "body.closed_at"));
    assert!(
        message.starts_with(
            "expected an RFC 3339 time such as 2026-11-22T14:05:00+02:00, found \"2026-11-22 14:05\""
        ),
        "{message}"
    );
    assert_eq!(
        error_of("emsevt.json", "/sequence", Some(json!(-1))),
        expect(
            "invalid_field",
            "sequence",
            "expected a whole number from 0, found a whole number"
        )
    );
}

#[test]
fn rules_between_fields_are_refused_at_the_field_that_breaks_them() {
    assert_eq!(
        error_of(
            "predes.json",
            "/body/receptacles/1/id",
            Some(json!("EGCAIAPSRMHAAUN60043002010078"))
        ),
        expect(
            "invalid_field",
            "body.receptacles[1].id",
            "receptacle EGCAIAPSRMHAAUN60043002010078 belongs to dispatch EGCAIAPSRMHAAUN60043, not EGCAIAPSRMHAAUN60042"
        )
    );
    assert_eq!(
        error_of("predes.json", "/body/receptacles/2", None),
        expect(
            "invalid_field",
            "body.receptacles[1].id",
            "receptacle EGCAIAPSRMHAAUN60042002010078 is the last of the dispatch, so its highest-receptacle flag must be 1"
        )
    );
    assert_eq!(
        error_of("predes.json", "/recipient", Some(json!("IQ"))),
        expect(
            "invalid_field",
            "recipient",
            "a PREDES goes to the destination or closed transit post of the dispatch (JO or PS), not to IQ"
        )
    );
    assert_eq!(
        error_of("resdes.json", "/sender", Some(json!("JO"))),
        expect(
            "invalid_field",
            "sender",
            "a RESDES comes from the post of the receiving office PSRMHA (PS), not from JO"
        )
    );
    assert_eq!(
        error_of(
            "itmatt.json",
            "/body/items/1/customs/form",
            Some(json!("cn22"))
        ),
        expect(
            "invalid_field",
            "body.items[1].customs.form",
            "item CP300188777EG is a parcel, and parcels always take a CN 23, not a CN 22"
        )
    );
    assert_eq!(
        error_of("emsevt.json", "/body/events", Some(json!([]))),
        expect(
            "invalid_field",
            "body.events",
            "an EMSEVT carries at least one event"
        )
    );
}

#[test]
fn parties_and_declarations_are_refused_by_the_same_rules_as_the_counter() {
    assert_eq!(
        error_of(
            "itmatt.json",
            "/body/items/0/sender/address_lines",
            Some(json!(["  "]))
        ),
        expect(
            "invalid_field",
            "body.items[0].sender.address_lines[0]",
            "is required"
        )
    );
    assert_eq!(
        error_of(
            "itmatt.json",
            "/body/items/0/addressee/latin/city",
            Some(json!("رام الله"))
        ),
        expect(
            "invalid_field",
            "body.items[0].addressee.latin.city",
            "a transliteration must be in Latin script, found 'ر'"
        )
    );
    assert_eq!(
        error_of(
            "itmatt.json",
            "/body/items/1/customs/total_value/amount_minor",
            Some(json!(2_450_001))
        ),
        expect(
            "invalid_field",
            "body.items[1].customs.total_value",
            "declared 24500.01 EGP but the lines add up to 24500.00 EGP"
        )
    );
    // Every problem of a draft is reported, the first at its field.
    let (code, path, message) = error_of(
        "itmatt.json",
        "/body/items/1/customs/lines/0",
        Some(json!({
            "description": "",
            "quantity": 0,
            "net_weight_grams": 3200,
            "value": {"amount_minor": 1800000, "currency": "EGP"},
            "hs_code": "940550",
            "origin": "EG"
        })),
    );
    assert_eq!(
        (code, path.as_str()),
        (
            "invalid_field",
            "body.items[1].customs.lines[0].description"
        )
    );
    assert!(
        message.starts_with("is required; also body.items[1].customs.lines[0].quantity: must be more than zero, found 0"),
        "{message}"
    );
    assert_eq!(
        error_of(
            "itmatt.json",
            "/body/items/0/customs/lines/1/hs_code",
            Some(json!("6505"))
        )
        .1,
        "body.items[0].customs.lines[1].hs_code"
    );
}

#[test]
fn bodies_decoded_alone_have_paths_from_the_body() {
    let body = example("predes.json")["body"].clone();
    let body = edit(body, "/receptacles/0/items/0", Some(json!("RR47120301EG")));
    let error = BaridJsonV1
        .decode_body(MessageType::Predes, 1, &serde_json::to_vec(&body).unwrap())
        .unwrap_err();
    assert_eq!(error.path(), Some("receptacles[0].items[0]"));
    assert_eq!(
        error.to_string(),
        "receptacles[0].items[0]: an S10 ID has 13 characters, this has 12"
    );
    assert_eq!(
        BaridJsonV1
            .decode_body(MessageType::Resdes, 2, b"{}")
            .unwrap_err()
            .code(),
        "unsupported_version"
    );
}

#[test]
fn decoding_is_lenient_only_where_core_parsers_normalise() {
    // Lower-case IDs and codes read as their upper-case selves; the canonical form is upper case.
    let lower = edit(
        example("predes.json"),
        "/body/receptacles/0/items/0",
        Some(json!("rr 471 203 016 eg")),
    );
    let lower = edit(lower, "/sender", Some(json!("eg")));
    let envelope = BaridJsonV1
        .decode(&serde_json::to_vec(&lower).unwrap())
        .unwrap();
    let canonical = std::fs::read(docs_dir().join("examples/predes.json")).unwrap();
    assert_eq!(BaridJsonV1.encode(&envelope).unwrap(), canonical);
}

#[test]
fn times_rfc_3339_cannot_write_are_refused_when_encoding() {
    let golden = crate::support::golden();
    let envelope = &golden[3].envelope;
    let odd_offset = time::UtcOffset::from_hms(1, 0, 30).unwrap();
    let before_year_zero = time::macros::datetime!(-0001-12-31 0:00 UTC);
    for created_at in [
        envelope.created_at().to_offset(odd_offset),
        before_year_zero,
    ] {
        let message = barid_messages::Envelope::new(
            envelope.message_id(),
            envelope.sender(),
            envelope.recipient(),
            created_at,
            envelope.body().clone(),
        )
        .unwrap();
        let error = BaridJsonV1.encode(&message).unwrap_err();
        assert_eq!(error.code(), "unencodable", "{created_at}");
        assert_eq!(error.path(), None);
        assert!(
            error.message().contains("cannot be written in RFC 3339"),
            "{error}"
        );
    }
}
