//! The golden examples in `docs/exchange/examples/`: what the encoder writes for the scenario
//! in `support`, and what the decoder reads back to the same bytes.

use barid_messages::{BaridJsonV1, MessageCodec};

use crate::support::{blessing, docs_dir, golden};

#[test]
fn golden_examples_are_what_the_encoder_writes_for_the_scenario() {
    let codec = BaridJsonV1;
    for example in golden() {
        let path = docs_dir().join("examples").join(example.file);
        let encoded = codec.encode(&example.envelope).unwrap();
        if blessing() {
            std::fs::write(&path, &encoded).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap();
        assert!(
            on_disk == encoded,
            "{} differs from what the encoder writes; run BARID_BLESS=1 cargo test -p barid-messages \
             and review the diff\n{}",
            example.file,
            String::from_utf8_lossy(&encoded)
        );
    }
}

#[test]
fn golden_examples_decode_and_re_encode_byte_for_byte() {
    let codec = BaridJsonV1;
    for example in golden() {
        let bytes = std::fs::read(docs_dir().join("examples").join(example.file)).unwrap();
        let decoded = codec.decode(&bytes).unwrap();
        assert_eq!(decoded, example.envelope, "{}", example.file);
        assert_eq!(codec.encode(&decoded).unwrap(), bytes, "{}", example.file);
    }
}

#[test]
fn golden_bodies_round_trip_through_storage() {
    let codec = BaridJsonV1;
    for example in golden() {
        let envelope = example.envelope;
        let body = codec
            .encode_body(envelope.body(), envelope.version())
            .unwrap();
        let back = codec
            .decode_body(envelope.message_type(), envelope.version(), &body)
            .unwrap();
        assert_eq!(&back, envelope.body(), "{}", example.file);
        assert_eq!(
            codec.encode_body(&back, envelope.version()).unwrap(),
            body,
            "{}",
            example.file
        );
        // The stored body is the envelope's `body` member, indented as it stands alone.
        let whole: serde_json::Value =
            serde_json::from_slice(&codec.encode(&envelope).unwrap()).unwrap();
        let alone: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(whole["body"], alone, "{}", example.file);
    }
}

#[test]
fn times_keep_the_offset_of_the_office() {
    let codec = BaridJsonV1;
    let bytes = std::fs::read(docs_dir().join("examples/predes.json")).unwrap();
    let envelope = codec.decode(&bytes).unwrap();
    let barid_messages::MessageBody::Predes(predes) = envelope.body() else {
        panic!("predes.json holds a PREDES")
    };
    let transport = predes.transport().unwrap();
    assert_eq!(transport.departs_at.unwrap().offset().whole_hours(), 2);
    assert_eq!(transport.arrives_at.unwrap().offset().whole_hours(), 3);
    assert_eq!(envelope.created_at().offset().whole_hours(), 2);
}
