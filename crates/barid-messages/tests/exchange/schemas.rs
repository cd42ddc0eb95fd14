//! The JSON Schemas (draft 2020-12) in `docs/exchange/schemas/`, one per message type.
//!
//! They are generated here from shared pieces, so the envelope and the common types read the
//! same in all four files; `BARID_BLESS=1` rewrites them. They describe the canonical form
//! the encoder writes; the decoder is the authority (it also runs the S10 check digit, the
//! country and currency tables and the rules between fields, which a schema cannot).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use barid_messages::MessageType;
use serde_json::{Map, Value, json};

use crate::support::{blessing, docs_dir, golden, schema_file};

/// Without look-ahead, which not every validator's regular expressions have: the dispatch
/// number is 0001-9999 and the receptacle serial 001-999.
const DISPATCH: &str = "[A-Z]{2}[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{4}[A-Z][A-Z]{2}[0-9](000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})";
const SERIAL: &str = "(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})";

fn common_defs() -> BTreeMap<&'static str, Value> {
    BTreeMap::from([
        (
            "uuid",
            json!({
                "type": "string",
                "format": "uuid",
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
            }),
        ),
        (
            "country",
            json!({
                "description": "An ISO 3166-1 alpha-2 country code.",
                "type": "string",
                "pattern": "^[A-Z]{2}$"
            }),
        ),
        (
            "time",
            json!({
                "description": "RFC 3339, with the UTC offset of the place where it happened.",
                "type": "string",
                "format": "date-time",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
            }),
        ),
        (
            "grams",
            json!({"description": "A weight in whole grams.", "type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64}),
        ),
        (
            "s10",
            json!({
                "description": "An S10 item ID (service indicator, 8-digit serial, check digit, issuer country). The decoder also checks the check digit and the country.",
                "type": "string",
                "pattern": "^[A-IL-RUVX-Z][A-Z][0-9]{9}[A-Z]{2}$"
            }),
        ),
        (
            "office",
            json!({
                "description": "An IMPC office-of-exchange code (UPU S34).",
                "type": "string",
                "pattern": "^[A-Z]{2}[A-Z0-9]{4}$"
            }),
        ),
        (
            "site",
            json!({
                "description": "An office: its IMPC code, or the post's own code for a counter or delivery office.",
                "type": "string",
                "pattern": "^[A-Z][A-Z0-9-]{1,15}$"
            }),
        ),
        (
            "dispatch",
            json!({
                "description": "An S8 dispatch ID (20 characters): origin and destination IMPC, mail category, subclass, year digit, number 0001-9999.",
                "type": "string",
                "pattern": format!("^{DISPATCH}$")
            }),
        ),
        (
            "receptacle",
            json!({
                "description": "An S9 receptacle ID (29 characters): the S8 ID, serial 001-999, highest-receptacle flag, registered flag, gross weight in 0.1 kg.",
                "type": "string",
                "pattern": format!("^{DISPATCH}{SERIAL}[01][01][0-9]{{4}}$")
            }),
        ),
        (
            "money",
            json!({
                "description": "An amount in minor units of an ISO 4217 currency.",
                "type": "object",
                "required": ["amount_minor", "currency"],
                "additionalProperties": false,
                "properties": {
                    "amount_minor": {"type": "integer"},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}
                }
            }),
        ),
    ])
}

fn text(max: u32) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/$defs/{name}")})
}

fn array_of(items: Value, min: u32) -> Value {
    json!({"type": "array", "minItems": min, "items": items})
}

fn closed(required: &[&str], properties: Value) -> Value {
    json!({
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "properties": properties
    })
}

fn predes_defs() -> Vec<(&'static str, Value)> {
    vec![
        (
            "predes",
            closed(
                &["dispatch", "closed_at", "receptacles"],
                json!({
                    "dispatch": reference("dispatch"),
                    "transit_office": reference("office"),
                    "closed_at": reference("time"),
                    "transport": closed(&[], json!({
                        "carrier": text(100),
                        "conveyance": text(35),
                        "departs_at": reference("time"),
                        "arrives_at": reference("time")
                    })),
                    "receptacles": {
                        "description": "In serial order from 001; the highest-receptacle flag is set on the last one only.",
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 999,
                        "items": reference("predes_receptacle")
                    }
                }),
            ),
        ),
        (
            "predes_receptacle",
            closed(
                &["id", "gross_weight_grams", "items"],
                json!({
                    "id": reference("receptacle"),
                    "gross_weight_grams": {
                        "description": "As weighed at closing; rounds (half up, to 0.1 kg) to the weight in the S9 ID.",
                        "type": "integer",
                        "minimum": 50,
                        "maximum": 999_949
                    },
                    "items": array_of(reference("s10"), 0)
                }),
            ),
        ),
    ]
}

fn discrepancy(code: &str, fields: &[(&str, &str)], optional: &[&str]) -> Value {
    let mut properties = Map::new();
    properties.insert("code".into(), json!({"const": code}));
    for (name, kind) in fields {
        let schema = match *kind {
            "count" | "tolerance" => json!({"type": "integer", "minimum": 0}),
            other => reference(other),
        };
        properties.insert((*name).into(), schema);
    }
    let required: Vec<&str> = ["code"]
        .into_iter()
        .chain(fields.iter().map(|(name, _)| *name))
        .filter(|name| !optional.contains(name))
        .collect();
    closed(&required, Value::Object(properties))
}

fn resdes_defs() -> Vec<(&'static str, Value)> {
    vec![
        (
            "resdes",
            closed(
                &[
                    "dispatch",
                    "received_at",
                    "office",
                    "receptacles",
                    "discrepancies",
                ],
                json!({
                    "dispatch": reference("dispatch"),
                    "received_at": reference("time"),
                    "office": reference("office"),
                    "receptacles": array_of(reference("resdes_receptacle"), 0),
                    "discrepancies": array_of(reference("discrepancy"), 0)
                }),
            ),
        ),
        (
            "resdes_receptacle",
            closed(
                &["id", "measured_weight_grams", "condition"],
                json!({
                    "id": reference("receptacle"),
                    "measured_weight_grams": reference("grams"),
                    "condition": {"enum": ["sound", "damaged"]}
                }),
            ),
        ),
        (
            "discrepancy",
            json!({
                "description": "One irregularity between the pre-advice and the receipt, as barid-core's verification reports it.",
                "oneOf": [
                    discrepancy("missing_receptacle", &[("receptacle", "receptacle"), ("advised_weight_grams", "grams"), ("advised_items", "count")], &[]),
                    discrepancy("extra_receptacle", &[("receptacle", "receptacle"), ("measured_weight_grams", "grams"), ("items", "count")], &[]),
                    discrepancy("label_differs", &[("receptacle", "receptacle"), ("found", "receptacle")], &[]),
                    discrepancy("damaged_receptacle", &[("receptacle", "receptacle")], &[]),
                    discrepancy("weight_difference", &[("receptacle", "receptacle"), ("advised_weight_grams", "grams"), ("measured_weight_grams", "grams"), ("tolerance_grams", "tolerance")], &[]),
                    discrepancy("missing_item", &[("receptacle", "receptacle"), ("item", "s10")], &[]),
                    discrepancy("extra_item", &[("receptacle", "receptacle"), ("item", "s10")], &[]),
                    discrepancy("item_in_other_receptacle", &[("receptacle", "receptacle"), ("item", "s10"), ("found_in", "receptacle")], &[]),
                    discrepancy("damaged_item", &[("receptacle", "receptacle"), ("item", "s10")], &["receptacle"])
                ]
            }),
        ),
    ]
}

fn itmatt_defs() -> Vec<(&'static str, Value)> {
    let latin_line = json!({"type": "string", "minLength": 1, "maxLength": 100});
    vec![
        (
            "itmatt",
            closed(&["items"], json!({"items": array_of(reference("item"), 1)})),
        ),
        (
            "item",
            closed(
                &[
                    "s10",
                    "mail_class",
                    "origin_country",
                    "destination_country",
                    "accepted_at",
                    "posting_office",
                    "gross_weight_grams",
                    "contents",
                    "sender",
                    "addressee",
                ],
                json!({
                    "s10": reference("s10"),
                    "mail_class": {"type": "string", "pattern": "^[A-Z]$"},
                    "origin_country": reference("country"),
                    "destination_country": reference("country"),
                    "accepted_at": reference("time"),
                    "posting_office": reference("site"),
                    "gross_weight_grams": reference("grams"),
                    "contents": text(200),
                    "sender": reference("party"),
                    "addressee": reference("party"),
                    "customs": reference("customs")
                }),
            ),
        ),
        (
            "party",
            closed(
                &["name", "address_lines", "city", "country"],
                json!({
                    "name": text(100),
                    "business_name": text(100),
                    "address_lines": {"type": "array", "minItems": 1, "maxItems": 4, "items": text(100)},
                    "city": text(60),
                    "postcode": text(20),
                    "country": reference("country"),
                    "phone": {"type": "string", "maxLength": 30, "pattern": "^\\+?[0-9 ()./-]*[0-9][0-9 ()./-]*$"},
                    "email": {"type": "string", "maxLength": 254, "pattern": "^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$"},
                    "latin": closed(&["name", "address_lines", "city"], json!({
                        "name": text(100),
                        "address_lines": {"type": "array", "minItems": 1, "maxItems": 4, "items": latin_line},
                        "city": text(60)
                    }))
                }),
            ),
        ),
        (
            "customs",
            json!({
                "type": "object",
                "required": [
                    "form", "category", "lines", "gross_weight_grams", "total_net_weight_grams",
                    "total_value", "licence_numbers", "certificate_numbers"
                ],
                "additionalProperties": false,
                "properties": {
                    "form": {"enum": ["cn22", "cn23"]},
                    "category": {"enum": ["gift", "documents", "commercial_sample", "returned_goods", "sale_of_goods", "other"]},
                    "category_explanation": text(200),
                    "lines": {"type": "array", "minItems": 1, "maxItems": 99, "items": reference("customs_line")},
                    "gross_weight_grams": {"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64},
                    "total_net_weight_grams": {"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64},
                    "total_value": reference("money"),
                    "postal_charges": reference("money"),
                    "comments": text(500),
                    "licence_numbers": {"type": "array", "maxItems": 10, "items": text(50)},
                    "certificate_numbers": {"type": "array", "maxItems": 10, "items": text(50)},
                    "invoice_number": text(50),
                    "importer_reference": text(50),
                    "sender_customs_reference": text(50)
                },
                "if": {"properties": {"category": {"const": "other"}}},
                "then": {"required": ["category_explanation"]},
                "else": {"not": {"required": ["category_explanation"]}}
            }),
        ),
        (
            "customs_line",
            closed(
                &[
                    "description",
                    "quantity",
                    "net_weight_grams",
                    "value",
                    "origin",
                ],
                json!({
                    "description": text(200),
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64},
                    "net_weight_grams": {"type": "integer", "minimum": 1, "maximum": 4_294_967_295_u64},
                    "value": reference("money"),
                    "hs_code": {"type": "string", "pattern": "^[0-9]{6,10}$"},
                    "origin": reference("country")
                }),
            ),
        ),
    ]
}

const MILESTONES: [&str; 25] = [
    "posted",
    "arrived_outward_office",
    "presented_export_customs",
    "held_export_customs",
    "returned_from_export_customs",
    "held_outward_office",
    "export_cancelled",
    "departed_outward_office",
    "arrived_transit_office",
    "departed_transit_office",
    "arrived_inward_office",
    "held_inward_office",
    "presented_import_customs",
    "held_import_customs",
    "released_import_customs",
    "departed_inward_office",
    "into_sorting_centre",
    "out_of_sorting_centre",
    "arrived_delivery_office",
    "held_delivery_office",
    "out_for_delivery",
    "at_collection_point",
    "delivery_attempt_failed",
    "delivered",
    "import_terminated",
];

fn emsevt_defs() -> Vec<(&'static str, Value)> {
    vec![
        (
            "emsevt",
            closed(
                &["events"],
                json!({"events": array_of(reference("event"), 1)}),
            ),
        ),
        (
            "event",
            closed(
                &["s10", "code", "milestone", "at", "office"],
                json!({
                    "s10": reference("s10"),
                    "code": {"description": "The sender's event code (EMSEVT v3 codes such as EMA, or its own).", "type": "string", "pattern": "^[A-Z]{3}$"},
                    "milestone": {"description": "What the code means in the sender's event table.", "enum": MILESTONES},
                    "at": reference("time"),
                    "office": reference("site"),
                    "reason": {"type": "string", "pattern": "^[A-Z0-9]{1,4}$"},
                    "next_action": {"enum": ["redeliver", "hold_for_collection", "return_to_sender"]},
                    "signatory": text(100),
                    "note": text(500)
                }),
            ),
        ),
    ]
}

/// The names of the common definitions a message's own definitions refer to.
fn used_common(defs: &Value) -> Vec<String> {
    let text = defs.to_string();
    common_defs()
        .into_keys()
        .filter(|name| text.contains(&format!("\"#/$defs/{name}\"")))
        .map(str::to_owned)
        .collect()
}

fn title(message_type: MessageType) -> &'static str {
    match message_type {
        MessageType::Predes => "PREDES: pre-advice of a dispatch",
        MessageType::Resdes => "RESDES: response on receipt of a dispatch",
        MessageType::Itmatt => "ITMATT: advance item and customs data (electronic CN 22/CN 23)",
        MessageType::Emsevt => "EMSEVT: item tracking events",
    }
}

pub fn schema(message_type: MessageType) -> Value {
    serde_json::to_value(document(message_type)).unwrap()
}

fn document(message_type: MessageType) -> SchemaDocument {
    let (body, own) = match message_type {
        MessageType::Predes => ("predes", predes_defs()),
        MessageType::Resdes => ("resdes", resdes_defs()),
        MessageType::Itmatt => ("itmatt", itmatt_defs()),
        MessageType::Emsevt => ("emsevt", emsevt_defs()),
    };
    let own_value = Value::Object(
        own.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    );
    let mut defs: BTreeMap<String, Value> =
        own.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let common = common_defs();
    let mut needed = used_common(&own_value);
    needed.extend(["uuid".to_owned(), "country".to_owned(), "time".to_owned()]);
    for name in needed {
        if let Some(def) = common.get(name.as_str()) {
            defs.insert(name, def.clone());
        }
    }
    SchemaDocument {
        schema: "https://json-schema.org/draft/2020-12/schema",
        id: format!(
            "urn:barid:exchange:{}:v1",
            message_type.as_str().to_ascii_lowercase()
        ),
        title: format!("Barid {}, version 1 (barid-json)", title(message_type)),
        description: "The canonical form Barid's encoder writes. Optional fields are left out when absent, never null. The decoder also checks what a schema cannot: S10 check digits, country and currency tables, and the rules between fields.",
        kind: "object",
        required: &[
            "id",
            "type",
            "version",
            "sender",
            "recipient",
            "created_at",
            "body",
        ],
        additional_properties: false,
        properties: json!({
            "id": reference("uuid"),
            "type": {"const": message_type.as_str()},
            "version": {"const": 1},
            "sender": reference("country"),
            "recipient": reference("country"),
            "sequence": {"description": "Set by the transport, per sender and recipient.", "type": "integer", "minimum": 0},
            "created_at": reference("time"),
            "body": reference(body)
        }),
        defs,
    }
}

/// The top level in reading order; serde_json's maps sort their keys, which would put
/// `$defs` first.
#[derive(serde::Serialize)]
struct SchemaDocument {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "$id")]
    id: String,
    title: String,
    description: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    required: &'static [&'static str],
    #[serde(rename = "additionalProperties")]
    additional_properties: bool,
    properties: Value,
    #[serde(rename = "$defs")]
    defs: BTreeMap<String, Value>,
}

fn pretty(document: &SchemaDocument) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).unwrap();
    bytes.push(b'\n');
    bytes
}

/// The compiled validator of each message type's schema file, built once per test run.
pub fn validator(message_type: MessageType) -> &'static jsonschema::Validator {
    static VALIDATORS: OnceLock<BTreeMap<MessageType, jsonschema::Validator>> = OnceLock::new();
    let all = VALIDATORS.get_or_init(|| {
        MessageType::ALL
            .into_iter()
            .map(|message_type| {
                let path = docs_dir().join("schemas").join(schema_file(message_type));
                let text = std::fs::read(&path).unwrap();
                let schema: Value = serde_json::from_slice(&text).unwrap();
                let validator = jsonschema::draft202012::options()
                    .should_validate_formats(true)
                    .build(&schema)
                    .unwrap();
                (message_type, validator)
            })
            .collect()
    });
    &all[&message_type]
}

/// Every schema violation of `instance`, as `path: message` lines.
pub fn violations(message_type: MessageType, instance: &Value) -> Vec<String> {
    validator(message_type)
        .iter_errors(instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

#[test]
fn schema_files_are_generated_from_one_source() {
    for message_type in MessageType::ALL {
        let path = docs_dir().join("schemas").join(schema_file(message_type));
        let generated = pretty(&document(message_type));
        if blessing() {
            std::fs::write(&path, &generated).unwrap();
        }
        let on_disk = std::fs::read(&path).unwrap();
        assert!(
            on_disk == generated,
            "{} is out of date; run BARID_BLESS=1 cargo test -p barid-messages",
            path.display()
        );
    }
}

#[test]
fn schemas_are_valid_draft_2020_12() {
    for message_type in MessageType::ALL {
        let schema = schema(message_type);
        assert_eq!(
            jsonschema::meta::validate(&schema).map_err(|error| error.to_string()),
            Ok(()),
            "{message_type}"
        );
        // Every reference resolves (the validator refuses to build otherwise).
        validator(message_type);
    }
}

#[test]
fn every_golden_example_validates_against_its_schema() {
    for example in golden() {
        let bytes = std::fs::read(docs_dir().join("examples").join(example.file)).unwrap();
        let instance: Value = serde_json::from_slice(&bytes).unwrap();
        let message_type = example.envelope.message_type();
        assert_eq!(
            violations(message_type, &instance),
            Vec::<String>::new(),
            "{}",
            example.file
        );
        for other in MessageType::ALL
            .into_iter()
            .filter(|other| *other != message_type)
        {
            assert!(
                !violations(other, &instance).is_empty(),
                "{} must not pass the {other} schema",
                example.file
            );
        }
    }
}

#[test]
fn schemas_refuse_what_the_decoder_refuses_by_shape() {
    let bytes = std::fs::read(docs_dir().join("examples/predes.json")).unwrap();
    let example: Value = serde_json::from_slice(&bytes).unwrap();
    let cases: [(&str, Value); 7] = [
        ("/body/priority", json!(true)),
        ("/body/receptacles/0/items/0", json!("SA471203016EG")),
        ("/body/receptacles/0/gross_weight_grams", json!(12.5)),
        ("/body/transit_office", Value::Null),
        ("/body/closed_at", json!("22/11/2026 14:05")),
        ("/body/dispatch", json!("EGCAIAPSRMHAAUN60000")),
        ("/version", json!(2)),
    ];
    for (pointer, value) in cases {
        let mut instance = example.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        match instance.pointer_mut(parent).unwrap() {
            Value::Object(map) => {
                map.insert(key.to_owned(), value);
            }
            Value::Array(list) => list[key.parse::<usize>().unwrap()] = value,
            _ => unreachable!(),
        }
        assert!(
            !violations(MessageType::Predes, &instance).is_empty(),
            "{pointer} should be refused"
        );
    }
}
