//! ITMATT v1, with the parties and customs declarations it carries.
//!
//! Parties and declarations are read into core's drafts and validated there, as a counter form
//! is, so the receiver holds them only if they pass the same rules; the draft's field paths
//! (`lines[0].hs_code`) are the wire's, under the item's path.

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::party::{LatinDraft, PartyDraft};
use barid_core::{
    ContentCategory, CountryCode, CustomsDeclaration, CustomsForm, DeclarationDraft, Grams, HsCode,
    MailClass, Money, Party, S10Id, SiteCode,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::common::{Time, draft_string, field_errors, required_string, strings, text, time};
use crate::error::CodecError;
use crate::itmatt::{ItemAttributes, Itmatt, check_item};
use crate::json::read::Node;

#[derive(Serialize)]
pub(in crate::json) struct ItmattV1<'a> {
    items: Vec<ItemV1<'a>>,
}

#[derive(Serialize)]
struct ItemV1<'a> {
    s10: S10Id,
    mail_class: MailClass,
    origin_country: CountryCode,
    destination_country: CountryCode,
    accepted_at: Time,
    posting_office: &'a SiteCode,
    gross_weight_grams: Grams,
    contents: &'a str,
    sender: PartyV1<'a>,
    addressee: PartyV1<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customs: Option<CustomsV1<'a>>,
}

#[derive(Serialize)]
struct PartyV1<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    business_name: Option<&'a str>,
    address_lines: &'a [String],
    city: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    postcode: Option<&'a str>,
    country: CountryCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latin: Option<LatinV1<'a>>,
}

#[derive(Serialize)]
struct LatinV1<'a> {
    name: &'a str,
    address_lines: &'a [String],
    city: &'a str,
}

#[derive(Serialize)]
struct CustomsV1<'a> {
    form: CustomsForm,
    category: ContentCategory,
    #[serde(skip_serializing_if = "Option::is_none")]
    category_explanation: Option<&'a str>,
    lines: Vec<LineV1<'a>>,
    gross_weight_grams: Grams,
    total_net_weight_grams: Grams,
    total_value: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    postal_charges: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<&'a str>,
    licence_numbers: &'a [String],
    certificate_numbers: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    importer_reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender_customs_reference: Option<&'a str>,
}

#[derive(Serialize)]
struct LineV1<'a> {
    description: &'a str,
    quantity: u32,
    net_weight_grams: Grams,
    value: Money,
    #[serde(skip_serializing_if = "Option::is_none")]
    hs_code: Option<&'a HsCode>,
    origin: CountryCode,
}

impl<'a> From<&'a Party> for PartyV1<'a> {
    fn from(party: &'a Party) -> Self {
        Self {
            name: party.name(),
            business_name: party.business_name(),
            address_lines: party.address_lines(),
            city: party.city(),
            postcode: party.postcode(),
            country: party.country(),
            phone: party.phone(),
            email: party.email(),
            latin: party.latin().map(|latin| LatinV1 {
                name: latin.name(),
                address_lines: latin.address_lines(),
                city: latin.city(),
            }),
        }
    }
}

impl<'a> From<&'a CustomsDeclaration> for CustomsV1<'a> {
    fn from(customs: &'a CustomsDeclaration) -> Self {
        Self {
            form: customs.form(),
            category: customs.category(),
            category_explanation: customs.explanation(),
            lines: customs
                .lines()
                .iter()
                .map(|line| LineV1 {
                    description: line.description(),
                    quantity: line.quantity(),
                    net_weight_grams: line.net_weight(),
                    value: line.value(),
                    hs_code: line.hs_code(),
                    origin: line.origin(),
                })
                .collect(),
            gross_weight_grams: customs.gross_weight(),
            total_net_weight_grams: customs.total_net_weight(),
            total_value: customs.total_value(),
            postal_charges: customs.postal_charges(),
            comments: customs.comments(),
            licence_numbers: customs.licence_numbers(),
            certificate_numbers: customs.certificate_numbers(),
            invoice_number: customs.invoice_number(),
            importer_reference: customs.importer_reference(),
            sender_customs_reference: customs.sender_customs_reference(),
        }
    }
}

impl<'a> From<&'a Itmatt> for ItmattV1<'a> {
    fn from(itmatt: &'a Itmatt) -> Self {
        Self {
            items: itmatt.items().iter().map(ItemV1::from).collect(),
        }
    }
}

impl<'a> From<&'a ItemAttributes> for ItemV1<'a> {
    fn from(item: &'a ItemAttributes) -> Self {
        Self {
            s10: item.s10,
            mail_class: item.mail_class,
            origin_country: item.origin_country,
            destination_country: item.destination_country,
            accepted_at: time(item.accepted_at),
            posting_office: &item.posting_office,
            gross_weight_grams: item.gross_weight,
            contents: item.contents.as_str(),
            sender: PartyV1::from(&item.sender),
            addressee: PartyV1::from(&item.addressee),
            customs: item.customs.as_ref().map(CustomsV1::from),
        }
    }
}

/// The indent of an item in a canonical ITMATT envelope: envelope, `body`, `items`.
const ITEM_INDENT: &str = "      ";

/// Encodes items' advance data ahead of the ITMATT that will carry them: a JSON list whose
/// items are written exactly as they will sit in the canonical envelope (pretty, indented at
/// their depth), so [`splice_envelope`] copies them unchanged. Each item is checked as
/// [`Itmatt::new`] checks it; the list may be empty.
pub(in crate::json) fn encode_items(items: &[ItemAttributes]) -> Result<String, CodecError> {
    let mut list = String::from("[");
    for (index, item) in items.iter().enumerate() {
        check_item(item).map_err(|error| CodecError::from(error.under(&format!("[{index}]"))))?;
        let pretty = serde_json::to_string_pretty(&ItemV1::from(item)).map_err(|error| {
            CodecError::Unencodable {
                message: error.to_string(),
            }
        })?;
        if index > 0 {
            list.push(',');
        }
        list.push('\n');
        list.push_str(ITEM_INDENT);
        // serde_json escapes line breaks inside strings, so every one here is layout.
        list.push_str(&pretty.replace('\n', &format!("\n{ITEM_INDENT}")));
    }
    list.push_str("\n]");
    Ok(list)
}

/// One item of a list written by [`encode_items`]: its S10 ID, and its JSON as written.
#[derive(Debug, Clone, Copy)]
pub struct EncodedItem<'a> {
    s10: S10Id,
    json: &'a RawValue,
}

impl EncodedItem<'_> {
    pub fn s10(&self) -> S10Id {
        self.s10
    }

    /// The length of the item's encoding, in bytes, as it goes into an ITMATT.
    pub fn encoded_len(&self) -> usize {
        self.json.get().len()
    }
}

#[derive(Deserialize)]
struct S10Only<'a> {
    #[serde(borrow)]
    s10: std::borrow::Cow<'a, str>,
}

/// Reads a list written by [`encode_items`] back into its items, without decoding them again:
/// only each item's S10 ID is read.
pub(in crate::json) fn decode_items(text: &str) -> Result<Vec<EncodedItem<'_>>, CodecError> {
    let malformed = |error: serde_json::Error| CodecError::MalformedJson {
        line: error.line(),
        column: error.column(),
        message: error.to_string(),
    };
    let list: Vec<&RawValue> = serde_json::from_str(text).map_err(malformed)?;
    list.into_iter()
        .enumerate()
        .map(|(index, json)| {
            let only: S10Only<'_> = serde_json::from_str(json.get()).map_err(malformed)?;
            let s10 = S10Id::parse(&only.s10).map_err(|error| {
                CodecError::invalid(format!("[{index}].s10"), error.to_string())
            })?;
            Ok(EncodedItem { s10, json })
        })
        .collect()
}

/// The ITMATT body with items encoded ahead.
#[derive(Serialize)]
pub(in crate::json) struct SplicedItmattV1<'a> {
    items: Vec<&'a RawValue>,
}

/// The body of an ITMATT of these items, checked as [`Itmatt::new`] checks a list: at least one
/// item, none twice (each was checked when it was encoded).
pub(in crate::json) fn spliced<'a>(
    items: &[EncodedItem<'a>],
) -> Result<SplicedItmattV1<'a>, CodecError> {
    if items.is_empty() {
        return Err(CodecError::invalid(
            "body.items",
            "an ITMATT carries at least one item",
        ));
    }
    let mut seen: std::collections::HashMap<S10Id, usize> =
        std::collections::HashMap::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if let Some(first) = seen.insert(item.s10, index) {
            return Err(CodecError::invalid(
                format!("body.items[{index}].s10"),
                format!(
                    "item {} is listed twice (first at items[{first}])",
                    item.s10
                ),
            ));
        }
    }
    Ok(SplicedItmattV1 {
        items: items.iter().map(|item| item.json).collect(),
    })
}

pub(super) fn decode(node: &Node<'_>) -> Result<Itmatt, CodecError> {
    let object = node.object(&["items"])?;
    let items = object.required("items")?.list(item)?;
    Itmatt::new(items).map_err(|error| error.under(node.path()).into())
}

fn item(node: &Node<'_>) -> Result<ItemAttributes, CodecError> {
    let object = node.object(&[
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
        "customs",
    ])?;
    Ok(ItemAttributes {
        s10: object.required("s10")?.parse(S10Id::parse)?,
        mail_class: object.required("mail_class")?.parse(MailClass::parse)?,
        origin_country: object
            .required("origin_country")?
            .parse(CountryCode::parse)?,
        destination_country: object
            .required("destination_country")?
            .parse(CountryCode::parse)?,
        accepted_at: object.required("accepted_at")?.time()?,
        posting_office: object.required("posting_office")?.parse(SiteCode::parse)?,
        gross_weight: object.required("gross_weight_grams")?.grams()?,
        contents: text(&object.required("contents")?)?,
        sender: party(&object.required("sender")?)?,
        addressee: party(&object.required("addressee")?)?,
        customs: object.optional_with("customs", customs)?,
    })
}

fn party(node: &Node<'_>) -> Result<Party, CodecError> {
    let object = node.object(&[
        "name",
        "business_name",
        "address_lines",
        "city",
        "postcode",
        "country",
        "phone",
        "email",
        "latin",
    ])?;
    let draft = PartyDraft {
        name: required_string(&object, "name")?,
        business_name: draft_string(&object, "business_name")?,
        address_lines: strings(&object.required("address_lines")?)?,
        city: required_string(&object, "city")?,
        postcode: draft_string(&object, "postcode")?,
        country: required_string(&object, "country")?,
        phone: draft_string(&object, "phone")?,
        email: draft_string(&object, "email")?,
        latin: object.optional_with("latin", latin)?,
    };
    draft
        .validate_under(node.path())
        .map_err(|errors| field_errors("", errors))
}

fn latin(node: &Node<'_>) -> Result<LatinDraft, CodecError> {
    let object = node.object(&["name", "address_lines", "city"])?;
    Ok(LatinDraft {
        name: required_string(&object, "name")?,
        address_lines: strings(&object.required("address_lines")?)?,
        city: required_string(&object, "city")?,
    })
}

fn customs(node: &Node<'_>) -> Result<CustomsDeclaration, CodecError> {
    let object = node.object(&[
        "form",
        "category",
        "category_explanation",
        "lines",
        "gross_weight_grams",
        "total_net_weight_grams",
        "total_value",
        "postal_charges",
        "comments",
        "licence_numbers",
        "certificate_numbers",
        "invoice_number",
        "importer_reference",
        "sender_customs_reference",
    ])?;
    let form = object.required("form")?.parse(|text| match text {
        "cn22" => Ok(CustomsForm::Cn22),
        "cn23" => Ok(CustomsForm::Cn23),
        other => Err(format!("expected cn22 or cn23, found {other:?}")),
    })?;
    let licence_numbers = strings(&object.required("licence_numbers")?)?;
    let certificate_numbers = strings(&object.required("certificate_numbers")?)?;
    let draft = DeclarationDraft {
        category: required_string(&object, "category")?,
        category_explanation: draft_string(&object, "category_explanation")?,
        lines: object.required("lines")?.list(line)?,
        gross_weight_grams: object.required("gross_weight_grams")?.i64()?,
        total_value: Some(money(&object.required("total_value")?)?),
        total_net_weight_grams: Some(object.required("total_net_weight_grams")?.i64()?),
        postal_charges: object.optional_with("postal_charges", money)?,
        comments: draft_string(&object, "comments")?,
        // The boxes are ticked exactly when numbers are given, so the wire carries only those.
        licence: !licence_numbers.is_empty(),
        licence_numbers,
        certificate: !certificate_numbers.is_empty(),
        certificate_numbers,
        invoice_number: draft_string(&object, "invoice_number")?,
        importer_reference: draft_string(&object, "importer_reference")?,
        sender_customs_reference: draft_string(&object, "sender_customs_reference")?,
    };
    // `restore` keeps the form the origin chose at acceptance: choosing it again here, with
    // this node's SDR rate, could turn the CN 22 on the item into a CN 23.
    draft
        .restore(form)
        .map_err(|errors| field_errors(node.path(), errors))
}

fn line(node: &Node<'_>) -> Result<DeclarationLineDraft, CodecError> {
    let object = node.object(&[
        "description",
        "quantity",
        "net_weight_grams",
        "value",
        "hs_code",
        "origin",
    ])?;
    Ok(DeclarationLineDraft {
        description: required_string(&object, "description")?,
        quantity: object.required("quantity")?.i64()?,
        net_weight_grams: object.required("net_weight_grams")?.i64()?,
        value: money(&object.required("value")?)?,
        hs_code: draft_string(&object, "hs_code")?,
        origin: required_string(&object, "origin")?,
    })
}

fn money(node: &Node<'_>) -> Result<MoneyDraft, CodecError> {
    let object = node.object(&["amount_minor", "currency"])?;
    Ok(MoneyDraft {
        amount_minor: object.required("amount_minor")?.i64()?,
        currency: required_string(&object, "currency")?,
    })
}
