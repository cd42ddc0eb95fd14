//! S10 ranges, items with their parties and customs declarations, and item events.

use barid_core::customs::{DeclarationLineDraft, MoneyDraft};
use barid_core::party::LatinDraft;
use barid_core::{
    CountryCode, Currency, CustomsDeclaration, CustomsForm, DeclarationDraft, EventCode, Grams,
    ItemStatus, Milestone, Money, NextAction, Party, PartyDraft, ReasonCode, S10Id, S10Range,
    ServiceIndicator, SiteCode,
};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::audit::{self, Audit};
use super::convert::{
    RowExt, conflict_on_unique, from_json, json_text, micros, opt_u32, rfc3339, stored_instant,
};
use super::exchange::insert_outbox;
use super::packed::{PackedRow, unpack};
use super::people::require_operator;
use super::{Dialect, SqlStore};
use crate::model::*;
use crate::{StoreError, StoreResult};

// --- S10 ranges --------------------------------------------------------------------------

macro_rules! range_columns {
    () => {
        "id, operator, indicator, country, first_serial, last_serial, next_serial, created_at_utc"
    };
}

fn range_of(row: &AnyRow) -> StoreResult<S10Range> {
    let indicator = row.parsed("indicator", ServiceIndicator::parse)?;
    let country = row.parsed("country", CountryCode::parse)?;
    S10Range::new(
        indicator,
        country,
        row.u32("first_serial")?,
        row.u32("last_serial")?,
    )
    .map_err(|error| StoreError::corrupt("s10 range", error))
}

fn range_row(row: &AnyRow) -> StoreResult<S10RangeRecord> {
    Ok(S10RangeRecord {
        id: RangeId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        range: range_of(row)?,
        next_serial: row.opt_u32("next_serial")?,
        created_at: row.utc("created_at_utc")?,
    })
}

fn describe_range(range: &S10Range) -> String {
    format!(
        "{} {:08}-{:08} {}",
        range.indicator(),
        range.first(),
        range.last(),
        range.country()
    )
}

pub(crate) async fn create_s10_range(
    store: &SqlStore,
    actor: &Actor,
    range: &S10Range,
) -> StoreResult<S10RangeRecord> {
    let mut tx = store.write().await?;
    // The overlap check and the insert must not interleave with another range's: on
    // PostgreSQL (READ COMMITTED) both would pass the check. Locking the operator's row makes
    // range creation take turns per operator.
    sqlx::query("UPDATE operators SET code = code WHERE code = $1")
        .bind(actor.operator.as_str())
        .execute(&mut *tx)
        .await?;
    let overlapping = sqlx::query(concat!(
        "SELECT ",
        range_columns!(),
        " FROM s10_ranges WHERE operator = $1 AND indicator = $2 AND country = $3 \
         AND first_serial <= $4 AND last_serial >= $5"
    ))
    .bind(actor.operator.as_str())
    .bind(range.indicator().as_str())
    .bind(range.country().as_str())
    .bind(i64::from(range.last()))
    .bind(i64::from(range.first()))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = overlapping {
        let other = range_of(&row)?;
        return Err(StoreError::conflict(
            "s10 range",
            format!(
                "{} overlaps the range {} (id {})",
                describe_range(range),
                describe_range(&other),
                row.int("id")?
            ),
        ));
    }
    let row = sqlx::query(
        "INSERT INTO s10_ranges (operator, indicator, country, first_serial, last_serial, \
         next_serial, created_at_utc) VALUES ($1, $2, $3, $4, $5, $4, $6) RETURNING id",
    )
    .bind(actor.operator.as_str())
    .bind(range.indicator().as_str())
    .bind(range.country().as_str())
    .bind(i64::from(range.first()))
    .bind(i64::from(range.last()))
    .bind(micros(actor.at)?)
    .fetch_one(&mut *tx)
    .await?;
    let id = RangeId(row.int("id")?);
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "s10_range.create",
            object_type: "s10_range",
            object_id: id.to_string(),
            details: json!({
                "indicator": range.indicator().as_str(),
                "country": range.country().as_str(),
                "first": range.first(),
                "last": range.last(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(S10RangeRecord {
        id,
        operator: actor.operator,
        range: *range,
        next_serial: Some(range.first()),
        created_at: stored_instant(actor.at)?,
    })
}

pub(crate) async fn s10_ranges(
    store: &SqlStore,
    operator: CountryCode,
) -> StoreResult<Vec<S10RangeRecord>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        range_columns!(),
        " FROM s10_ranges WHERE operator = $1 ORDER BY id"
    ))
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(range_row).collect()
}

/// Takes the next serial of the range in the caller's transaction. The single UPDATE moves the
/// cursor atomically, so two transactions can never take the same serial, and a rollback
/// gives the serial back.
async fn issue_from_range(
    conn: &mut AnyConnection,
    operator: CountryCode,
    range_id: RangeId,
) -> StoreResult<S10Id> {
    let row = sqlx::query(
        "UPDATE s10_ranges SET next_serial = CASE WHEN next_serial < last_serial \
         THEN next_serial + 1 ELSE NULL END \
         WHERE id = $1 AND operator = $2 AND next_serial IS NOT NULL \
         RETURNING indicator, country, first_serial, last_serial, next_serial",
    )
    .bind(range_id.0)
    .bind(operator.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        let existing = sqlx::query(concat!(
            "SELECT ",
            range_columns!(),
            " FROM s10_ranges WHERE id = $1 AND operator = $2"
        ))
        .bind(range_id.0)
        .bind(operator.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        return Err(match existing {
            Some(row) => StoreError::RangeExhausted {
                range: describe_range(&range_of(&row)?),
            },
            None => StoreError::not_found("s10 range", range_id),
        });
    };
    let range = range_of(&row)?;
    let next = row.opt_u32("next_serial")?;
    let taken = match next {
        Some(next) => next
            .checked_sub(1)
            .ok_or_else(|| StoreError::corrupt("s10 range", "next serial below zero"))?,
        None => range.last(),
    };
    let issued = range
        .issue(Some(taken))
        .map_err(|error| StoreError::corrupt("s10 range", error))?;
    if issued.next_serial != next {
        return Err(StoreError::corrupt(
            "s10 range",
            format!("cursor {next:?} does not follow serial {taken}"),
        ));
    }
    Ok(issued.id)
}

// --- parties -----------------------------------------------------------------------------

async fn insert_party(
    conn: &mut AnyConnection,
    operator: CountryCode,
    item: ItemId,
    role: &str,
    party: &Party,
) -> StoreResult<()> {
    let latin = party.latin();
    sqlx::query(
        "INSERT INTO item_parties (operator, item_id, role, name, business_name, address_lines, \
         city, postcode, country, phone, email, latin_name, \
         latin_address_lines, latin_city) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(operator.as_str())
    .bind(item.0)
    .bind(role)
    .bind(party.name())
    .bind(party.business_name())
    .bind(json_text(party.address_lines())?)
    .bind(party.city())
    .bind(party.postcode())
    .bind(party.country().as_str())
    .bind(party.phone())
    .bind(party.email())
    .bind(latin.map(|latin| latin.name()))
    .bind(
        latin
            .map(|latin| json_text(latin.address_lines()))
            .transpose()?,
    )
    .bind(latin.map(|latin| latin.city()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds the party through the domain's validation, so a hand-edited row that no longer
/// validates is reported instead of being passed on.
fn party_row(row: &PackedRow) -> StoreResult<Party> {
    let latin = match row.opt_text("latin_name")? {
        Some(name) => Some(LatinDraft {
            name,
            address_lines: from_json(
                "latin_address_lines",
                &row.opt_text("latin_address_lines")?.unwrap_or_default(),
            )?,
            city: row.opt_text("latin_city")?.unwrap_or_default(),
        }),
        None => None,
    };
    let draft = PartyDraft {
        name: row.text("name")?,
        business_name: row.opt_text("business_name")?.unwrap_or_default(),
        address_lines: from_json("address_lines", &row.text("address_lines")?)?,
        city: row.text("city")?,
        postcode: row.opt_text("postcode")?.unwrap_or_default(),
        country: row.text("country")?,
        phone: row.opt_text("phone")?.unwrap_or_default(),
        email: row.opt_text("email")?.unwrap_or_default(),
        latin,
    };
    draft.validate().map_err(|errors| {
        StoreError::corrupt(
            "party",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

// --- customs declarations ----------------------------------------------------------------

async fn insert_customs(
    conn: &mut AnyConnection,
    operator: CountryCode,
    item: ItemId,
    customs: &CustomsDeclaration,
) -> StoreResult<()> {
    let charges = customs.postal_charges();
    sqlx::query(
        "INSERT INTO customs_declarations (operator, item_id, form, category, explanation, \
         currency, total_value_minor, total_net_weight_grams, gross_weight_grams, \
         postal_charges_minor, postal_charges_currency, comments, licence_numbers, \
         certificate_numbers, invoice_number, importer_reference, sender_customs_reference) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(operator.as_str())
    .bind(item.0)
    .bind(customs.form().as_str())
    .bind(customs.category().as_str())
    .bind(customs.explanation())
    .bind(customs.currency().as_str())
    .bind(customs.total_value().amount_minor())
    .bind(i64::from(customs.total_net_weight().get()))
    .bind(i64::from(customs.gross_weight().get()))
    .bind(charges.map(|money| money.amount_minor()))
    .bind(charges.map(|money| money.currency().as_str()))
    .bind(customs.comments())
    .bind(json_text(customs.licence_numbers())?)
    .bind(json_text(customs.certificate_numbers())?)
    .bind(customs.invoice_number())
    .bind(customs.importer_reference())
    .bind(customs.sender_customs_reference())
    .execute(&mut *conn)
    .await?;
    for (index, line) in customs.lines().iter().enumerate() {
        let line_no = i64::try_from(index + 1).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO customs_lines (operator, item_id, line_no, description, quantity, \
             net_weight_grams, value_minor, currency, hs_code, origin) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(operator.as_str())
        .bind(item.0)
        .bind(line_no)
        .bind(line.description())
        .bind(i64::from(line.quantity()))
        .bind(i64::from(line.net_weight().get()))
        .bind(line.value().amount_minor())
        .bind(line.value().currency().as_str())
        .bind(line.hs_code().map(|code| code.as_str()))
        .bind(line.origin().as_str())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn money_draft(amount_minor: i64, currency: String) -> MoneyDraft {
    MoneyDraft {
        amount_minor,
        currency,
    }
}

/// Rebuilds the declaration through the domain's validation.
///
/// The store is not given the SDR rate the form was chosen with, only the form. Validation
/// gives the same form back from a stream and rate that cannot choose otherwise: parcels always
/// take a CN 23, and at a rate of `u64::MAX` millionths per SDR every real letter-post value is
/// within 300 SDR, so it takes a CN 22. Everything else validation checks (totals, one
/// currency, HS codes, ticked boxes) does not depend on the rate.
const CUSTOMS_COLUMNS: &str = "item_id, form, category, explanation, currency, \
     total_value_minor, total_net_weight_grams, gross_weight_grams, postal_charges_minor, \
     postal_charges_currency, comments, licence_numbers, certificate_numbers, invoice_number, \
     importer_reference, sender_customs_reference";
const LINE_COLUMNS: &str = "item_id, line_no, description, quantity, net_weight_grams, value_minor, currency, hs_code, origin";
const PARTY_COLUMNS: &str = "item_id, role, name, business_name, address_lines, city, postcode, \
     country, phone, email, latin_name, latin_address_lines, latin_city";

/// The rows an item is rebuilt from besides its own: its parties and customs declaration.
#[derive(Default)]
struct ItemParts {
    parties: Vec<PackedRow>,
    customs: Option<PackedRow>,
    lines: Vec<PackedRow>,
}

/// Reads the parts of every item listed, three statements whatever their number.
async fn parts_of(
    conn: &mut AnyConnection,
    dialect: Dialect,
    items: &[i64],
) -> StoreResult<std::collections::HashMap<i64, ItemParts>> {
    let mut parts: std::collections::HashMap<i64, ItemParts> =
        items.iter().map(|id| (*id, ItemParts::default())).collect();
    if items.is_empty() {
        return Ok(parts);
    }
    let placeholders = (1..=items.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let fetch = |sql: String| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in items {
            query = query.bind(*id);
        }
        query
    };
    let parties = unpack(
        &fetch(dialect.packed_select(
            PARTY_COLUMNS,
            &format!("FROM item_parties WHERE item_id IN ({placeholders})"),
        ))
        .fetch_one(&mut *conn)
        .await?,
    )?;
    for row in parties {
        if let Some(entry) = parts.get_mut(&row.int("item_id")?) {
            entry.parties.push(row);
        }
    }
    let declarations = unpack(
        &fetch(dialect.packed_select(
            CUSTOMS_COLUMNS,
            &format!("FROM customs_declarations WHERE item_id IN ({placeholders})"),
        ))
        .fetch_one(&mut *conn)
        .await?,
    )?;
    for row in declarations {
        if let Some(entry) = parts.get_mut(&row.int("item_id")?) {
            entry.customs = Some(row);
        }
    }
    let mut lines = unpack(
        &fetch(dialect.packed_select(
            LINE_COLUMNS,
            &format!("FROM customs_lines WHERE item_id IN ({placeholders})"),
        ))
        .fetch_one(&mut *conn)
        .await?,
    )?
    .into_iter()
    .map(|line| Ok((line.int("item_id")?, line.int("line_no")?, line)))
    .collect::<StoreResult<Vec<_>>>()?;
    lines.sort_by_key(|(item, line_no, _)| (*item, *line_no));
    for (item, _, row) in lines {
        if let Some(entry) = parts.get_mut(&item) {
            entry.lines.push(row);
        }
    }
    Ok(parts)
}

fn customs_from(header: &PackedRow, lines: &[PackedRow]) -> StoreResult<CustomsDeclaration> {
    let lines = lines
        .iter()
        .map(|line| {
            Ok(DeclarationLineDraft {
                description: line.text("description")?,
                quantity: line.int("quantity")?,
                net_weight_grams: line.int("net_weight_grams")?,
                value: money_draft(line.int("value_minor")?, line.text("currency")?),
                hs_code: line.opt_text("hs_code")?.unwrap_or_default(),
                origin: line.text("origin")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let licence_numbers: Vec<String> =
        from_json("licence_numbers", &header.text("licence_numbers")?)?;
    let certificate_numbers: Vec<String> =
        from_json("certificate_numbers", &header.text("certificate_numbers")?)?;
    let postal_charges = match (
        header.opt_int("postal_charges_minor")?,
        header.opt_text("postal_charges_currency")?,
    ) {
        (Some(amount), Some(currency)) => Some(money_draft(amount, currency)),
        _ => None,
    };
    let currency_text = header.text("currency")?;
    let draft = DeclarationDraft {
        category: header.text("category")?,
        category_explanation: header.opt_text("explanation")?.unwrap_or_default(),
        lines,
        gross_weight_grams: header.int("gross_weight_grams")?,
        total_value: Some(money_draft(
            header.int("total_value_minor")?,
            currency_text.clone(),
        )),
        total_net_weight_grams: Some(header.int("total_net_weight_grams")?),
        postal_charges,
        comments: header.opt_text("comments")?.unwrap_or_default(),
        licence: !licence_numbers.is_empty(),
        licence_numbers,
        certificate: !certificate_numbers.is_empty(),
        certificate_numbers,
        invoice_number: header.opt_text("invoice_number")?.unwrap_or_default(),
        importer_reference: header.opt_text("importer_reference")?.unwrap_or_default(),
        sender_customs_reference: header
            .opt_text("sender_customs_reference")?
            .unwrap_or_default(),
    };
    let form: CustomsForm = header.named("form")?;
    let declaration = draft.restore(form).map_err(|errors| {
        StoreError::corrupt(
            "customs declaration",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    Ok(declaration)
}

// --- items -------------------------------------------------------------------------------

macro_rules! item_columns {
    () => {
        "id, operator, s10, service, origin_country, destination_country, office, weight_grams, \
         length_mm, width_mm, height_mm, contents, postage_minor, postage_currency, status, leg, \
         version, created_at_utc"
    };
}

pub(crate) async fn create_item(
    store: &SqlStore,
    actor: &Actor,
    new: &NewItem,
    first_event: &NewEvent,
    derived: DerivedStatus,
    outbox: &[NewOutboxMessage],
) -> StoreResult<(Item, ItemEvent)> {
    let mut tx = store.write().await?;
    let created = insert_item(
        &mut tx,
        store.dialect,
        actor,
        new,
        first_event,
        derived,
        outbox,
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Every entry in one transaction: all stored, or none.
pub(crate) async fn create_items(
    store: &SqlStore,
    actor: &Actor,
    entries: &[NewItemEntry],
) -> StoreResult<Vec<(Item, ItemEvent)>> {
    let mut tx = store.write().await?;
    let mut created = Vec::with_capacity(entries.len());
    for entry in entries {
        created.push(
            insert_item(
                &mut tx,
                store.dialect,
                actor,
                &entry.new,
                &entry.first_event,
                entry.derived,
                &[],
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(created)
}

/// The item, its parties, declaration, first event, outbox messages and audit entry, in the
/// caller's transaction.
async fn insert_item(
    tx: &mut AnyConnection,
    dialect: Dialect,
    actor: &Actor,
    new: &NewItem,
    first_event: &NewEvent,
    derived: DerivedStatus,
    outbox: &[NewOutboxMessage],
) -> StoreResult<(Item, ItemEvent)> {
    require_operator(&mut *tx, new.operator).await?;
    let (s10, range_id) = match new.id {
        ItemIdSource::Range(range) => (
            issue_from_range(&mut *tx, new.operator, range).await?,
            Some(range.0),
        ),
        ItemIdSource::Given(s10) => (s10, None),
    };
    let at = micros(actor.at)?;
    let row = sqlx::query(
        "INSERT INTO items (operator, s10, range_id, service, origin_country, \
         destination_country, office, weight_grams, length_mm, width_mm, height_mm, contents, \
         postage_minor, postage_currency, status, leg, version, created_at_utc, updated_at_utc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, \
         $17, $17) RETURNING id",
    )
    .bind(new.operator.as_str())
    .bind(s10.to_string())
    .bind(range_id)
    .bind(new.service.as_str())
    .bind(new.origin_country.as_str())
    .bind(new.destination_country.as_str())
    .bind(new.office.as_str())
    .bind(i64::from(new.weight.get()))
    .bind(opt_u32(new.length_mm))
    .bind(opt_u32(new.width_mm))
    .bind(opt_u32(new.height_mm))
    .bind(new.contents.as_str())
    .bind(new.postage.map(|money| money.amount_minor()))
    .bind(new.postage.map(|money| money.currency().as_str()))
    .bind(derived.status.as_str())
    .bind(derived.leg.as_str())
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("item", || {
        format!("operator {} already has an item {s10}", new.operator)
    }))?;
    let id = ItemId(row.int("id")?);
    insert_party(&mut *tx, new.operator, id, "sender", &new.sender).await?;
    insert_party(&mut *tx, new.operator, id, "addressee", &new.addressee).await?;
    if let Some(customs) = &new.customs {
        insert_customs(&mut *tx, new.operator, id, customs).await?;
    }
    let event = insert_event(&mut *tx, dialect, new.operator, id, first_event, actor).await?;
    let messages = insert_outbox(&mut *tx, new.operator, outbox, actor.at).await?;
    audit::write(
        &mut *tx,
        actor,
        Audit {
            operator: new.operator,
            action: "item.create",
            object_type: "item",
            object_id: s10.to_string(),
            details: json!({
                "item_id": id.0,
                "range_id": range_id,
                "service": new.service.as_str(),
                "origin_country": new.origin_country.as_str(),
                "destination_country": new.destination_country.as_str(),
                "office": new.office.as_str(),
                "weight_grams": new.weight.get(),
                "customs_form": new.customs.as_ref().map(|customs| customs.form().as_str()),
                "event": event_details(first_event)?,
                "status": derived.status.as_str(),
                "leg": derived.leg.as_str(),
                "outbox": messages,
            }),
        },
    )
    .await?;
    let item = Item {
        id,
        operator: new.operator,
        s10,
        service: new.service,
        origin_country: new.origin_country,
        destination_country: new.destination_country,
        office: new.office.clone(),
        weight: new.weight,
        length_mm: new.length_mm,
        width_mm: new.width_mm,
        height_mm: new.height_mm,
        contents: new.contents.clone(),
        sender: new.sender.clone(),
        addressee: new.addressee.clone(),
        customs: new.customs.clone(),
        postage: new.postage,
        status: derived.status,
        leg: derived.leg,
        version: 1,
        created_at: stored_instant(actor.at)?,
    };
    Ok((item, event))
}

pub(crate) async fn item(
    store: &SqlStore,
    operator: CountryCode,
    s10: &S10Id,
) -> StoreResult<Option<Item>> {
    let mut conn = store.reader.acquire().await?;
    let Some(row) = sqlx::query(concat!(
        "SELECT ",
        item_columns!(),
        " FROM items WHERE operator = $1 AND s10 = $2"
    ))
    .bind(operator.as_str())
    .bind(s10.to_string())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    item_of_row(&mut conn, store.dialect, &row).await.map(Some)
}

pub(crate) async fn items_by_s10(store: &SqlStore, s10: &S10Id) -> StoreResult<Vec<Item>> {
    let mut conn = store.reader.acquire().await?;
    // `operator IN (...)` lets both databases probe the (operator, s10) unique index once per
    // operator instead of scanning every item.
    let rows = sqlx::query(concat!(
        "SELECT ",
        item_columns!(),
        " FROM items WHERE operator IN (SELECT code FROM operators) AND s10 = $1 \
         ORDER BY operator"
    ))
    .bind(s10.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(item_of_row(&mut conn, store.dialect, row).await?);
    }
    Ok(items)
}

pub(crate) async fn items_by_ids(
    store: &SqlStore,
    operator: CountryCode,
    ids: &[ItemId],
) -> StoreResult<Vec<Item>> {
    use futures_util::{StreamExt, TryStreamExt};
    const CHUNK: usize = 500;
    // Two chunks at a time, each on its own connection: while the database packs one, Barid
    // unpacks the other, so both cores work (closing a dispatch of 10,000 items reads them all).
    const AT_ONCE: usize = 2;
    let reads: Vec<_> = ids
        .chunks(CHUNK)
        .map(|chunk| Box::pin(items_of_chunk(store, operator, chunk)))
        .collect();
    let chunks: Vec<Vec<Item>> = futures_util::stream::iter(reads)
        .buffered(AT_ONCE)
        .try_collect()
        .await?;
    Ok(chunks.into_iter().flatten().collect())
}

/// The items of `chunk`, in its order.
async fn items_of_chunk(
    store: &SqlStore,
    operator: CountryCode,
    chunk: &[ItemId],
) -> StoreResult<Vec<Item>> {
    let mut conn = store.reader.acquire().await?;
    let placeholders = (0..chunk.len())
        .map(|index| format!("${}", index + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = store.dialect.packed_select(
        item_columns!(),
        &format!("FROM items WHERE operator = $1 AND id IN ({placeholders})"),
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(operator.as_str());
    for id in chunk {
        query = query.bind(id.0);
    }
    let rows = unpack(&query.fetch_one(&mut *conn).await?)?;
    let mut found: std::collections::HashMap<ItemId, Item> =
        items_of_rows(&mut conn, store.dialect, &rows)
            .await?
            .into_iter()
            .map(|item| (item.id, item))
            .collect();
    chunk
        .iter()
        .map(|id| {
            found
                .remove(id)
                .ok_or_else(|| StoreError::not_found("item", id))
        })
        .collect()
}

/// Every copy with its events in one statement: one row per event (the copy's columns
/// repeated), or one row with NULL event columns for a copy without events. `operator IN (...)`
/// probes the (operator, s10) unique index once per operator, as in `items_by_s10`; the events
/// come through the (item_id, id) index in recording order. The signatory and note are not
/// selected: public tracking never shows them.
const TRACKED_ITEM: &str = "SELECT i.operator, i.service, i.origin_country, i.destination_country, \
     e.id AS event_id, e.code, e.milestone, e.at, e.office, e.reason, e.next_action, e.source, \
     e.reported_by \
     FROM items i LEFT JOIN item_events e ON e.item_id = i.id AND e.operator = i.operator \
     WHERE i.operator IN (SELECT code FROM operators) AND i.s10 = $1 \
     ORDER BY i.operator, e.id";

pub(crate) async fn tracked_item(
    store: &SqlStore,
    s10: &S10Id,
) -> StoreResult<Option<TrackedItem>> {
    let rows = sqlx::query(TRACKED_ITEM)
        .bind(s10.to_string())
        .fetch_all(&store.reader)
        .await?;
    let mut copies: Vec<TrackedCopy> = Vec::new();
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        let operator = row.parsed("operator", CountryCode::parse)?;
        if copies.last().map(|copy| copy.operator) != Some(operator) {
            copies.push(TrackedCopy {
                operator,
                service: row.named("service")?,
                origin_country: row.parsed("origin_country", CountryCode::parse)?,
                destination_country: row.parsed("destination_country", CountryCode::parse)?,
            });
        }
        if row.opt_int("event_id")?.is_none() {
            continue;
        }
        events.push(TrackedEvent::public(
            operator,
            event_of_row(row, Privacy::Public)?,
        ));
    }
    if copies.is_empty() {
        return Ok(None);
    }
    Ok(Some(TrackedItem {
        s10: *s10,
        copies,
        events,
    }))
}

/// The item of an `item_columns!()` row, with its parties and customs declaration.
async fn item_of_row(
    conn: &mut AnyConnection,
    dialect: Dialect,
    row: &AnyRow,
) -> StoreResult<Item> {
    let id = row.int("id")?;
    let mut parts = parts_of(conn, dialect, &[id]).await?;
    item_from(row, parts.remove(&id).unwrap_or_default())
}

/// The items of `item_columns!()` rows, their parts read in bulk.
async fn items_of_rows(
    conn: &mut AnyConnection,
    dialect: Dialect,
    rows: &[PackedRow],
) -> StoreResult<Vec<Item>> {
    let ids = rows
        .iter()
        .map(|row| row.int("id"))
        .collect::<StoreResult<Vec<_>>>()?;
    let mut parts = parts_of(conn, dialect, &ids).await?;
    rows.iter()
        .zip(&ids)
        .map(|(row, id)| item_from(row, parts.remove(id).unwrap_or_default()))
        .collect()
}

fn item_from(row: &impl RowExt, parts: ItemParts) -> StoreResult<Item> {
    let id = ItemId(row.int("id")?);
    let s10: S10Id = row.parsed("s10", S10Id::parse)?;
    let mut sender = None;
    let mut addressee = None;
    for party in &parts.parties {
        match party.text("role")?.as_str() {
            "sender" => sender = Some(party_row(party)?),
            "addressee" => addressee = Some(party_row(party)?),
            other => return Err(StoreError::corrupt("party role", format!("{other:?}"))),
        }
    }
    let missing = |role: &str| StoreError::corrupt("item", format!("item {s10} has no {role}"));
    let sender = sender.ok_or_else(|| missing("sender"))?;
    let addressee = addressee.ok_or_else(|| missing("addressee"))?;
    let customs = parts
        .customs
        .as_ref()
        .map(|header| customs_from(header, &parts.lines))
        .transpose()?;
    let postage = match (
        row.opt_int("postage_minor")?,
        row.opt_text("postage_currency")?,
    ) {
        (Some(amount), Some(currency)) => Some(Money::new(
            amount,
            Currency::parse(&currency).map_err(|error| StoreError::corrupt("postage", error))?,
        )),
        _ => None,
    };
    Ok(Item {
        id,
        operator: row.parsed("operator", CountryCode::parse)?,
        s10,
        service: row.named("service")?,
        origin_country: row.parsed("origin_country", CountryCode::parse)?,
        destination_country: row.parsed("destination_country", CountryCode::parse)?,
        office: row.parsed("office", SiteCode::parse)?,
        weight: Grams::new(row.u32("weight_grams")?),
        length_mm: row.opt_u32("length_mm")?,
        width_mm: row.opt_u32("width_mm")?,
        height_mm: row.opt_u32("height_mm")?,
        contents: row.text("contents")?,
        sender,
        addressee,
        customs,
        postage,
        status: row.parsed("status", ItemStatus::parse)?,
        leg: row.named("leg")?,
        version: row.int("version")?,
        created_at: row.utc("created_at_utc")?,
    })
}

// --- search ------------------------------------------------------------------------------

/// What name searches ignore: the forms of alef, alef maqsura and teh marbuta are folded to
/// one letter each, and tatweel and vowel marks are dropped. [`folded!`] applies the same
/// table in SQL (after ASCII lower-casing); [`fold_name`] applies it to the search text.
const NAME_FOLDS: [(char, &str); 16] = [
    ('\u{0623}', "\u{0627}"), // alef with hamza above
    ('\u{0625}', "\u{0627}"), // alef with hamza below
    ('\u{0622}', "\u{0627}"), // alef with madda
    ('\u{0671}', "\u{0627}"), // alef wasla
    ('\u{0649}', "\u{064A}"), // alef maqsura -> yeh
    ('\u{0629}', "\u{0647}"), // teh marbuta -> heh
    ('\u{0640}', ""),         // tatweel
    ('\u{064B}', ""),         // fathatan
    ('\u{064C}', ""),         // dammatan
    ('\u{064D}', ""),         // kasratan
    ('\u{064E}', ""),         // fatha
    ('\u{064F}', ""),         // damma
    ('\u{0650}', ""),         // kasra
    ('\u{0651}', ""),         // shadda
    ('\u{0652}', ""),         // sukun
    ('\u{0670}', ""),         // superscript alef
];

/// `column` lower-cased (ASCII, as SQLite's LOWER does) and folded with [`NAME_FOLDS`].
macro_rules! folded {
    ($column:literal) => {
        concat!(
            "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(",
            "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(LOWER(",
            $column,
            "), '\u{0623}', '\u{0627}'), '\u{0625}', '\u{0627}'), '\u{0622}', '\u{0627}'), ",
            "'\u{0671}', '\u{0627}'), '\u{0649}', '\u{064A}'), '\u{0629}', '\u{0647}'), ",
            "'\u{0640}', ''), '\u{064B}', ''), '\u{064C}', ''), '\u{064D}', ''), ",
            "'\u{064E}', ''), '\u{064F}', ''), '\u{0650}', ''), '\u{0651}', ''), ",
            "'\u{0652}', ''), '\u{0670}', '')"
        )
    };
}

/// `column` with the separators a phone number may hold removed, leaving its digits.
macro_rules! phone_digits {
    ($column:literal) => {
        concat!(
            "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(",
            $column,
            ", ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', ''), '/', '')"
        )
    };
}

macro_rules! summary_select {
    () => {
        "SELECT i.s10, i.service, i.origin_country, i.destination_country, i.office, i.status, \
         i.created_at_utc, \
         (SELECT s.name FROM item_parties s WHERE s.item_id = i.id AND s.role = 'sender') \
         AS sender_name, \
         (SELECT a.name FROM item_parties a WHERE a.item_id = i.id AND a.role = 'addressee') \
         AS addressee_name \
         FROM items i WHERE i.operator = $1 AND "
    };
}

macro_rules! summary_order {
    () => {
        " ORDER BY i.created_at_utc DESC, i.id DESC LIMIT $3"
    };
}

const SEARCH_BY_S10: &str = concat!(summary_select!(), "i.s10 = $2", summary_order!());

const SEARCH_BY_NAME: &str = concat!(
    summary_select!(),
    "i.id IN (SELECT p.item_id FROM item_parties p WHERE p.operator = $1 AND (",
    folded!("p.name"),
    " LIKE $2 ESCAPE '\\' OR ",
    folded!("p.business_name"),
    " LIKE $2 ESCAPE '\\' OR ",
    folded!("p.latin_name"),
    " LIKE $2 ESCAPE '\\'))",
    summary_order!()
);

const SEARCH_BY_PHONE: &str = concat!(
    summary_select!(),
    "i.id IN (SELECT p.item_id FROM item_parties p WHERE p.operator = $1 AND ",
    phone_digits!("p.phone"),
    " LIKE $2)",
    summary_order!()
);

/// The search text as [`folded!`] leaves a stored name: ASCII lower-cased and folded.
fn fold_name(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match NAME_FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => folded.push_str(to),
            None => folded.push(c.to_ascii_lowercase()),
        }
    }
    folded
}

/// A LIKE pattern matching `text` anywhere, with LIKE's own characters escaped by `\`.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub(crate) async fn search_items(
    store: &SqlStore,
    operator: CountryCode,
    query: &ItemQuery,
    limit: u32,
) -> StoreResult<Vec<ItemSummary>> {
    let (sql, value) = match query {
        ItemQuery::S10(s10) => (SEARCH_BY_S10, s10.to_string()),
        ItemQuery::Name(name) => (SEARCH_BY_NAME, contains_pattern(&fold_name(name.trim()))),
        ItemQuery::Phone(digits) => (SEARCH_BY_PHONE, contains_pattern(digits)),
    };
    let rows = sqlx::query(sql)
        .bind(operator.as_str())
        .bind(value)
        .bind(i64::from(limit))
        .fetch_all(&store.reader)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ItemSummary {
                s10: row.parsed("s10", S10Id::parse)?,
                service: row.named("service")?,
                origin_country: row.parsed("origin_country", CountryCode::parse)?,
                destination_country: row.parsed("destination_country", CountryCode::parse)?,
                office: row.parsed("office", SiteCode::parse)?,
                status: row.parsed("status", ItemStatus::parse)?,
                sender_name: row.opt_text("sender_name")?.unwrap_or_default(),
                addressee_name: row.opt_text("addressee_name")?.unwrap_or_default(),
                created_at: row.utc("created_at_utc")?,
            })
        })
        .collect()
}

// --- events ------------------------------------------------------------------------------

macro_rules! event_columns {
    () => {
        "id, item_id, code, milestone, at, office, reason, next_action, signatory, note, source, \
         reported_by, collected_minor, collected_currency, recorded_at_utc"
    };
}

pub(crate) const EVENT_COLUMNS: &str = event_columns!();

/// Whether a row holds an event's signatory and note: public tracking never selects them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Privacy {
    Staff,
    Public,
}

fn event_of_row(row: &impl RowExt, privacy: Privacy) -> StoreResult<NewEvent> {
    let private = |column: &'static str| match privacy {
        Privacy::Staff => row.opt_text(column),
        Privacy::Public => Ok(None),
    };
    Ok(NewEvent {
        code: row.parsed("code", EventCode::parse)?,
        milestone: row.parsed("milestone", Milestone::parse)?,
        at: row.offset_time("at")?,
        office: row.parsed("office", SiteCode::parse)?,
        reason: row.opt_parsed("reason", ReasonCode::parse)?,
        next_action: row.opt_parsed("next_action", NextAction::parse)?,
        signatory: private("signatory")?,
        note: private("note")?,
        source: row.named("source")?,
        reported_by: row.opt_parsed("reported_by", CountryCode::parse)?,
        collected: match privacy {
            Privacy::Staff => money_of(row, "collected_minor", "collected_currency")?,
            Privacy::Public => None,
        },
    })
}

/// The money of an amount column and a currency column, both NULL for none.
fn money_of(
    row: &impl RowExt,
    amount: &'static str,
    currency: &'static str,
) -> StoreResult<Option<Money>> {
    match (row.opt_int(amount)?, row.opt_text(currency)?) {
        (Some(minor), Some(code)) => Ok(Some(Money::new(
            minor,
            Currency::parse(&code).map_err(|error| StoreError::corrupt(currency, error))?,
        ))),
        (None, None) => Ok(None),
        _ => Err(StoreError::corrupt(
            amount,
            "an amount without its currency, or a currency without an amount",
        )),
    }
}

pub(crate) fn event_row(row: &impl RowExt) -> StoreResult<ItemEvent> {
    Ok(ItemEvent {
        id: EventId(row.int("id")?),
        item: ItemId(row.int("item_id")?),
        event: event_of_row(row, Privacy::Staff)?,
        recorded_at: row.utc("recorded_at_utc")?,
    })
}

fn event_details(event: &NewEvent) -> StoreResult<serde_json::Value> {
    Ok(json!({
        "code": event.code.as_str(),
        "milestone": event.milestone.as_str(),
        "at": rfc3339(event.at)?,
        "office": event.office.as_str(),
        "reason": event.reason.as_ref().map(ReasonCode::as_str),
        "next_action": event.next_action.map(|action| action.as_str()),
        "source": event.source.as_str(),
        "reported_by": event.reported_by.as_ref().map(CountryCode::as_str),
        "collected": event.collected.as_ref().map(ToString::to_string),
    }))
}

async fn insert_event(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    item: ItemId,
    event: &NewEvent,
    actor: &Actor,
) -> StoreResult<ItemEvent> {
    let row = sqlx::query(
        "INSERT INTO item_events (operator, item_id, code, milestone, at, at_utc, office, reason, \
         next_action, signatory, note, source, reported_by, collected_minor, collected_currency, \
         recorded_at_utc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         RETURNING id",
    )
    .bind(operator.as_str())
    .bind(item.0)
    .bind(event.code.as_str())
    .bind(event.milestone.as_str())
    .bind(rfc3339(event.at)?)
    .bind(micros(event.at)?)
    .bind(event.office.as_str())
    .bind(event.reason.as_ref().map(ReasonCode::as_str))
    .bind(event.next_action.map(|action| action.as_str()))
    .bind(event.signatory.as_deref())
    .bind(event.note.as_deref())
    .bind(event.source.as_str())
    .bind(event.reported_by.as_ref().map(CountryCode::as_str))
    .bind(event.collected.as_ref().map(Money::amount_minor))
    .bind(
        event
            .collected
            .as_ref()
            .map(|money| money.currency().as_str()),
    )
    .bind(micros(actor.at)?)
    .fetch_one(&mut *conn)
    .await
    .map_err(conflict_on_unique("item event", || {
        format!(
            "event {} at {} at {} was recorded meanwhile",
            event.code.as_str(),
            event.at,
            event.office
        )
    }))?;
    super::quality::track(conn, dialect, operator, &[(item, event)]).await?;
    Ok(ItemEvent {
        id: EventId(row.int("id")?),
        item,
        event: event.clone(),
        recorded_at: stored_instant(actor.at)?,
    })
}

/// Inserts many events in the caller's transaction with multi-row INSERTs (closing a dispatch
/// records one per item). The same event twice is refused by the unique key, as one by one.
pub(crate) async fn insert_events(
    conn: &mut AnyConnection,
    dialect: Dialect,
    operator: CountryCode,
    events: &[(ItemId, &NewEvent)],
    recorded_at: time::OffsetDateTime,
) -> StoreResult<()> {
    use super::packed::{Kind, pack};
    use serde_json::Value;
    // One statement per 2,000 events keeps a statement's JSON near a megabyte.
    const ROWS: usize = 2_000;
    let sql = dialect.packed_insert(
        "item_events",
        &[
            ("operator", Kind::Text),
            ("item_id", Kind::Int),
            ("code", Kind::Text),
            ("milestone", Kind::Text),
            ("at", Kind::Text),
            ("at_utc", Kind::Int),
            ("office", Kind::Text),
            ("reason", Kind::Text),
            ("next_action", Kind::Text),
            ("signatory", Kind::Text),
            ("note", Kind::Text),
            ("source", Kind::Text),
            ("reported_by", Kind::Text),
            ("collected_minor", Kind::Int),
            ("collected_currency", Kind::Text),
            ("recorded_at_utc", Kind::Int),
        ],
    );
    let recorded_at = micros(recorded_at)?;
    let text = |value: Option<&str>| value.map_or(Value::Null, Value::from);
    for chunk in events.chunks(ROWS) {
        let rows = chunk
            .iter()
            .map(|(item, event)| {
                Ok(vec![
                    Value::from(operator.as_str()),
                    Value::from(item.0),
                    Value::from(event.code.as_str()),
                    Value::from(event.milestone.as_str()),
                    Value::from(rfc3339(event.at)?),
                    Value::from(micros(event.at)?),
                    Value::from(event.office.as_str()),
                    text(event.reason.as_ref().map(ReasonCode::as_str)),
                    text(event.next_action.map(|action| action.as_str())),
                    text(event.signatory.as_deref()),
                    text(event.note.as_deref()),
                    Value::from(event.source.as_str()),
                    text(event.reported_by.as_ref().map(CountryCode::as_str)),
                    event
                        .collected
                        .as_ref()
                        .map_or(Value::Null, |money| Value::from(money.amount_minor())),
                    text(
                        event
                            .collected
                            .as_ref()
                            .map(|money| money.currency().as_str()),
                    ),
                    Value::from(recorded_at),
                ])
            })
            .collect::<StoreResult<Vec<_>>>()?;
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(pack(&rows)?)
            .execute(&mut *conn)
            .await
            .map_err(conflict_on_unique("item event", || {
                "one of the events was recorded meanwhile".to_owned()
            }))?;
    }
    super::quality::track(conn, dialect, operator, events).await
}

pub(crate) async fn item_events(
    store: &SqlStore,
    operator: CountryCode,
    item: ItemId,
) -> StoreResult<Vec<ItemEvent>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        event_columns!(),
        " FROM item_events WHERE item_id = $1 AND operator = $2 ORDER BY id"
    ))
    .bind(item.0)
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(event_row).collect()
}

pub(crate) async fn item_versions(
    store: &SqlStore,
    operator: CountryCode,
    s10s: &[S10Id],
) -> StoreResult<Vec<ItemVersion>> {
    const CHUNK: usize = 500;
    let mut versions = Vec::with_capacity(s10s.len());
    let mut conn = store.reader.acquire().await?;
    for chunk in s10s.chunks(CHUNK) {
        let placeholders = (0..chunk.len())
            .map(|index| format!("${}", index + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = store.dialect.packed_select(
            "id, s10, version, origin_country, destination_country",
            &format!("FROM items WHERE operator = $1 AND s10 IN ({placeholders})"),
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(operator.as_str());
        for s10 in chunk {
            query = query.bind(s10.to_string());
        }
        for row in unpack(&query.fetch_one(&mut *conn).await?)? {
            versions.push(ItemVersion {
                id: ItemId(row.int("id")?),
                s10: row.parsed("s10", S10Id::parse)?,
                version: row.int("version")?,
                origin_country: row.parsed("origin_country", CountryCode::parse)?,
                destination_country: row.parsed("destination_country", CountryCode::parse)?,
            });
        }
    }
    Ok(versions)
}

pub(crate) async fn record_event(
    store: &SqlStore,
    actor: &Actor,
    item: ItemId,
    expected_version: i64,
    event: &NewEvent,
    derived: DerivedStatus,
    outbox: &[NewOutboxMessage],
) -> StoreResult<EventRecorded> {
    let operator = actor.operator;
    let mut tx = store.write().await?;
    let row = sqlx::query("SELECT s10, version FROM items WHERE id = $1 AND operator = $2")
        .bind(item.0)
        .bind(operator.as_str())
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("item", item))?;
    let s10 = row.text("s10")?;

    // The same event again (a retry, a partner resending) is answered from what is stored,
    // whatever version the caller read: nothing else is written.
    let existing = sqlx::query(concat!(
        "SELECT ",
        event_columns!(),
        " FROM item_events WHERE item_id = $1 AND code = $2 AND at_utc = $3 AND office = $4"
    ))
    .bind(item.0)
    .bind(event.code.as_str())
    .bind(micros(event.at)?)
    .bind(event.office.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(existing) = existing {
        return Ok(EventRecorded::Duplicate(event_row(&existing)?));
    }

    let updated = sqlx::query(
        "UPDATE items SET status = $1, leg = $2, version = version + 1, updated_at_utc = $3 \
         WHERE id = $4 AND operator = $5 AND version = $6",
    )
    .bind(derived.status.as_str())
    .bind(derived.leg.as_str())
    .bind(micros(actor.at)?)
    .bind(item.0)
    .bind(operator.as_str())
    .bind(expected_version)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::conflict(
            "item",
            format!(
                "item {s10} is no longer at version {expected_version} (it was at {}): \
                 derive its status again and retry",
                row.int("version")?
            ),
        ));
    }
    let recorded = insert_event(&mut tx, store.dialect, operator, item, event, actor).await?;
    let messages = insert_outbox(&mut tx, operator, outbox, actor.at).await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator,
            action: "item.event",
            object_type: "item",
            object_id: s10,
            details: json!({
                "item_id": item.0,
                "event_id": recorded.id.0,
                "event": event_details(event)?,
                "status": derived.status.as_str(),
                "leg": derived.leg.as_str(),
                "version": expected_version + 1,
                "outbox": messages,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(EventRecorded::Recorded(recorded))
}

// --- lists of waiting items, duty ---------------------------------------------------------

pub(crate) async fn items_waiting(
    store: &SqlStore,
    operator: CountryCode,
    query: &WaitingQuery,
) -> StoreResult<Vec<Item>> {
    if query.statuses.is_empty() {
        return Err(StoreError::invalid("statuses", "name at least one status"));
    }
    let statuses = (0..query.statuses.len())
        .map(|index| format!("${}", index + 2))
        .collect::<Vec<_>>()
        .join(", ");
    // The latest event's office comes through the (item_id, id) index, one probe per item
    // of the statuses asked for (the items_status index finds those).
    let office = match query.office {
        Some(_) => format!(
            "AND (SELECT e.office FROM item_events e WHERE e.item_id = i.id ORDER BY e.id DESC \
             LIMIT 1) = ${}",
            query.statuses.len() + 2
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT i.id FROM items i WHERE i.operator = $1 AND i.status IN ({statuses}) {office} \
         ORDER BY i.updated_at_utc, i.id LIMIT {}",
        query.limit
    );
    let mut select = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(operator.as_str());
    for status in &query.statuses {
        select = select.bind(status.as_str());
    }
    if let Some(office) = &query.office {
        select = select.bind(office.as_str());
    }
    let ids = select
        .fetch_all(&store.reader)
        .await?
        .iter()
        .map(|row| row.int("id").map(ItemId))
        .collect::<StoreResult<Vec<_>>>()?;
    items_by_ids(store, operator, &ids).await
}

const DUTY_COLUMNS: &str = "item_id, amount_minor, currency, office, note, assessed_at_utc";

fn duty_of_row(row: &impl RowExt) -> StoreResult<Duty> {
    Ok(Duty {
        item: ItemId(row.int("item_id")?),
        amount: money_of(row, "amount_minor", "currency")?
            .ok_or_else(|| StoreError::corrupt("amount_minor", "a duty without an amount"))?,
        office: row.parsed("office", SiteCode::parse)?,
        note: row.opt_text("note")?,
        assessed_at: row.utc("assessed_at_utc")?,
    })
}

pub(crate) async fn assess_duty(
    store: &SqlStore,
    actor: &Actor,
    duty: &NewDuty,
) -> StoreResult<Duty> {
    let operator = actor.operator;
    if duty.amount.amount_minor() < 0 {
        return Err(StoreError::invalid("amount", "a duty is not negative"));
    }
    let mut tx = store.write().await?;
    let row = sqlx::query(
        "UPDATE items SET version = version + 1, updated_at_utc = $1 \
         WHERE id = $2 AND operator = $3 AND version = $4 RETURNING s10",
    )
    .bind(micros(actor.at)?)
    .bind(duty.item.0)
    .bind(operator.as_str())
    .bind(duty.expected_version)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        let exists = sqlx::query("SELECT version FROM items WHERE id = $1 AND operator = $2")
            .bind(duty.item.0)
            .bind(operator.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            None => StoreError::not_found("item", duty.item),
            Some(row) => StoreError::conflict(
                "item",
                format!(
                    "the item changed meanwhile (version {} instead of {}): look at it again",
                    row.int("version")?,
                    duty.expected_version
                ),
            ),
        });
    };
    let s10 = row.text("s10")?;
    sqlx::query("DELETE FROM item_duties WHERE item_id = $1 AND operator = $2")
        .bind(duty.item.0)
        .bind(operator.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO item_duties (item_id, operator, amount_minor, currency, office, note, \
         assessed_at_utc) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(duty.item.0)
    .bind(operator.as_str())
    .bind(duty.amount.amount_minor())
    .bind(duty.amount.currency().as_str())
    .bind(duty.office.as_str())
    .bind(duty.note.as_deref())
    .bind(micros(actor.at)?)
    .execute(&mut *tx)
    .await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator,
            action: "item.duty",
            object_type: "item",
            object_id: s10,
            details: json!({
                "item_id": duty.item.0,
                "amount": duty.amount.to_string(),
                "office": duty.office.as_str(),
                "note": duty.note,
                "version": duty.expected_version + 1,
            }),
        },
    )
    .await?;
    let stored = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {DUTY_COLUMNS} FROM item_duties WHERE item_id = $1 AND operator = $2"
    )))
    .bind(duty.item.0)
    .bind(operator.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let recorded = duty_of_row(&stored)?;
    tx.commit().await?;
    Ok(recorded)
}

pub(crate) async fn duties_of(
    store: &SqlStore,
    operator: CountryCode,
    items: &[ItemId],
) -> StoreResult<Vec<Duty>> {
    const CHUNK: usize = 500;
    let mut duties = Vec::new();
    for chunk in items.chunks(CHUNK) {
        let placeholders = (0..chunk.len())
            .map(|index| format!("${}", index + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {DUTY_COLUMNS} FROM item_duties WHERE operator = $1 \
             AND item_id IN ({placeholders}) ORDER BY item_id"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(operator.as_str());
        for item in chunk {
            query = query.bind(item.0);
        }
        for row in query.fetch_all(&store.reader).await? {
            duties.push(duty_of_row(&row)?);
        }
    }
    Ok(duties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_folding_and_rust_folding_use_the_same_table() {
        let sql = folded!("x");
        assert_eq!(sql.matches("REPLACE(").count(), NAME_FOLDS.len());
        for (from, to) in NAME_FOLDS {
            assert!(sql.contains(&format!("'{from}', '{to}'")), "{from:?}");
        }
        assert_eq!(fold_name("أحمد"), "احمد");
        assert_eq!(fold_name("مُحَمَّد"), "محمد");
        assert_eq!(fold_name("فاطمة Al-ZAHRAA"), "فاطمه al-zahraa");
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(contains_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
        assert_eq!(contains_pattern("0599"), "%0599%");
    }
}
