//! Exchange with partner posts: the outbox (with its gapless sequences), the inbox (with its
//! deduplication and quarantine) and the partner endpoints.

use barid_core::CountryCode;
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use uuid::Uuid;

use super::SqlStore;
use super::audit::{self, Audit};
use super::convert::{RowExt, conflict_on_unique, flag, micros};
use super::people::require_operator;
use crate::model::*;
use crate::{StoreError, StoreResult};

// --- outbox ------------------------------------------------------------------------------

/// Writes messages from `sender` in the caller's transaction, each with the next sequence
/// number towards its recipient. The counter row is locked by the UPDATE until the transaction
/// ends, so concurrent writers queue behind it, and a rollback returns the numbers: the
/// sequence has no gaps. Returns a summary of each message for the audit entry.
pub(crate) async fn insert_outbox(
    conn: &mut AnyConnection,
    sender: CountryCode,
    messages: &[NewOutboxMessage],
    at: OffsetDateTime,
) -> StoreResult<Vec<serde_json::Value>> {
    let at = micros(at)?;
    let mut summary = Vec::with_capacity(messages.len());
    for message in messages {
        sqlx::query(
            "INSERT INTO outbox_sequences (operator, recipient, last_sequence) VALUES ($1, $2, 0) \
             ON CONFLICT (operator, recipient) DO NOTHING",
        )
        .bind(sender.as_str())
        .bind(message.recipient.as_str())
        .execute(&mut *conn)
        .await?;
        let row = sqlx::query(
            "UPDATE outbox_sequences SET last_sequence = last_sequence + 1 \
             WHERE operator = $1 AND recipient = $2 RETURNING last_sequence",
        )
        .bind(sender.as_str())
        .bind(message.recipient.as_str())
        .fetch_one(&mut *conn)
        .await?;
        let sequence = row.int("last_sequence")?;
        sqlx::query(
            "INSERT INTO outbox (operator, recipient, sequence, message_id, message_type, version, \
             body, created_at_utc, attempts, next_attempt_at_utc) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $8)",
        )
        .bind(sender.as_str())
        .bind(message.recipient.as_str())
        .bind(sequence)
        .bind(message.message_id.to_string())
        .bind(message.message_type.as_str())
        .bind(message.version.as_str())
        .bind(message.body.as_str())
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(conflict_on_unique("outbox message", || {
            format!("message {} is already in the outbox", message.message_id)
        }))?;
        summary.push(json!({
            "message_id": message.message_id.to_string(),
            "recipient": message.recipient.as_str(),
            "message_type": message.message_type,
            "sequence": sequence,
        }));
    }
    Ok(summary)
}

macro_rules! outbox_columns {
    () => {
        "o.id, o.message_id, o.operator, o.recipient, o.sequence, o.message_type, o.version, \
         o.body, o.created_at_utc, o.attempts, o.next_attempt_at_utc, o.last_error, \
         o.delivered_at_utc, o.rejected_code, o.rejected_reason"
    };
}

fn uuid(row: &AnyRow, column: &'static str) -> StoreResult<Uuid> {
    row.parsed(column, Uuid::parse_str)
}

fn outbox_row(row: &AnyRow) -> StoreResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: OutboxId(row.int("id")?),
        message_id: uuid(row, "message_id")?,
        sender: row.parsed("operator", CountryCode::parse)?,
        recipient: row.parsed("recipient", CountryCode::parse)?,
        sequence: row.int("sequence")?,
        message_type: row.text("message_type")?,
        version: row.text("version")?,
        body: row.text("body")?,
        created_at: row.utc("created_at_utc")?,
        attempts: row.u32("attempts")?,
        next_attempt_at: row.utc("next_attempt_at_utc")?,
        last_error: row.opt_text("last_error")?,
        delivered_at: row.opt_utc("delivered_at_utc")?,
        rejection: match (
            row.opt_text("rejected_code")?,
            row.opt_text("rejected_reason")?,
        ) {
            (Some(code), reason) => Some(Rejection {
                code,
                reason: reason.unwrap_or_default(),
            }),
            (None, _) => None,
        },
    })
}

/// Undelivered messages that are due, in sequence order, stopping before the first one that
/// is waiting for a retry: messages reach a partner in order, so a message waiting for its
/// retry holds back the ones behind it.
pub(crate) async fn pending_outbox(
    store: &SqlStore,
    sender: CountryCode,
    recipient: CountryCode,
    now: OffsetDateTime,
    limit: u32,
) -> StoreResult<Vec<OutboxMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        outbox_columns!(),
        " FROM outbox o \
         WHERE o.operator = $1 AND o.recipient = $2 AND o.delivered_at_utc IS NULL \
         AND o.next_attempt_at_utc <= $3 \
         AND NOT EXISTS (SELECT 1 FROM outbox w WHERE w.operator = o.operator \
         AND w.recipient = o.recipient AND w.delivered_at_utc IS NULL \
         AND w.next_attempt_at_utc > $3 AND w.sequence < o.sequence) \
         ORDER BY o.sequence LIMIT $4"
    ))
    .bind(sender.as_str())
    .bind(recipient.as_str())
    .bind(micros(now)?)
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(outbox_row).collect()
}

pub(crate) async fn outbox_since(
    store: &SqlStore,
    sender: CountryCode,
    recipient: CountryCode,
    message_type: Option<&str>,
    since: OffsetDateTime,
) -> StoreResult<Vec<OutboxMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        outbox_columns!(),
        " FROM outbox o \
         WHERE o.operator = $1 AND o.recipient = $2 AND o.created_at_utc >= $3 \
         AND ($4 = '' OR o.message_type = $4) \
         ORDER BY o.sequence"
    ))
    .bind(sender.as_str())
    .bind(recipient.as_str())
    .bind(micros(since)?)
    .bind(message_type.unwrap_or(""))
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(outbox_row).collect()
}

/// Marks messages delivered; a message delivered before keeps its first delivery time.
pub(crate) async fn mark_outbox_delivered(
    store: &SqlStore,
    ids: &[OutboxId],
    at: OffsetDateTime,
) -> StoreResult<()> {
    let at = micros(at)?;
    let mut tx = store.write().await?;
    for id in ids {
        let found = sqlx::query("SELECT delivered_at_utc FROM outbox WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("outbox message", id))?;
        if found.opt_int("delivered_at_utc")?.is_none() {
            sqlx::query("UPDATE outbox SET delivered_at_utc = $1, last_error = NULL WHERE id = $2")
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn mark_outbox_rejected(
    store: &SqlStore,
    rejected: &[(OutboxId, Rejection)],
    at: OffsetDateTime,
) -> StoreResult<()> {
    let at = micros(at)?;
    let mut tx = store.write().await?;
    for (id, rejection) in rejected {
        let changed = sqlx::query(
            "UPDATE outbox SET delivered_at_utc = COALESCE(delivered_at_utc, $1), \
             last_error = NULL, rejected_code = $2, rejected_reason = $3 WHERE id = $4",
        )
        .bind(at)
        .bind(rejection.code.as_str())
        .bind(rejection.reason.as_str())
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::not_found("outbox message", id));
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn rejected_outbox(
    store: &SqlStore,
    sender: CountryCode,
    limit: u32,
) -> StoreResult<Vec<OutboxMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        outbox_columns!(),
        " FROM outbox o WHERE o.operator = $1 AND o.rejected_code IS NOT NULL \
         ORDER BY o.id DESC LIMIT $2"
    ))
    .bind(sender.as_str())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(outbox_row).collect()
}

/// Counts a failed attempt and sets the time of the next one. No effect on a message that was
/// delivered meanwhile.
pub(crate) async fn mark_outbox_failed(
    store: &SqlStore,
    id: OutboxId,
    error: &str,
    next_attempt_at: OffsetDateTime,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let found = sqlx::query("SELECT id FROM outbox WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await?;
    if found.is_none() {
        return Err(StoreError::not_found("outbox message", id));
    }
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at_utc = $2 \
         WHERE id = $3 AND delivered_at_utc IS NULL",
    )
    .bind(error)
    .bind(micros(next_attempt_at)?)
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One line per recipient the sender ever wrote to, pending or not, by recipient code.
/// `last_error` is the error of the oldest pending message, the one holding the others back.
pub(crate) async fn outbox_backlog(
    store: &SqlStore,
    sender: CountryCode,
) -> StoreResult<Vec<OutboxBacklog>> {
    let rows = sqlx::query(
        "SELECT s.recipient, COUNT(o.id) AS pending, MIN(o.created_at_utc) AS oldest_at_utc, \
         (SELECT e.last_error FROM outbox e WHERE e.operator = s.operator \
          AND e.recipient = s.recipient AND e.delivered_at_utc IS NULL \
          ORDER BY e.sequence LIMIT 1) AS last_error, \
         (SELECT COUNT(*) FROM outbox r WHERE r.operator = s.operator \
          AND r.recipient = s.recipient AND r.rejected_code IS NOT NULL) AS rejected, \
         (SELECT MAX(d.delivered_at_utc) FROM outbox d WHERE d.operator = s.operator \
          AND d.recipient = s.recipient) AS last_delivered_at_utc \
         FROM outbox_sequences s LEFT JOIN outbox o ON o.operator = s.operator \
         AND o.recipient = s.recipient AND o.delivered_at_utc IS NULL \
         WHERE s.operator = $1 GROUP BY s.operator, s.recipient ORDER BY s.recipient",
    )
    .bind(sender.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter()
        .map(|row| {
            let pending = row.int("pending")?;
            Ok(OutboxBacklog {
                sender,
                recipient: row.parsed("recipient", CountryCode::parse)?,
                pending: u64::try_from(pending)
                    .map_err(|_| StoreError::corrupt("outbox", "negative count"))?,
                oldest_pending_at: row.opt_utc("oldest_at_utc")?,
                last_error: row.opt_text("last_error")?,
                rejected: u64::try_from(row.int("rejected")?)
                    .map_err(|_| StoreError::corrupt("outbox", "negative count"))?,
                last_delivered_at: row.opt_utc("last_delivered_at_utc")?,
            })
        })
        .collect()
}

// --- inbox -------------------------------------------------------------------------------

macro_rules! inbox_columns {
    () => {
        "id, message_id, operator, sender, sequence, message_type, version, body, \
         received_at_utc, state, error, applied_at_utc, quarantined_at_utc"
    };
}

fn inbox_row(row: &AnyRow) -> StoreResult<InboxMessage> {
    let state = match row.text("state")?.as_str() {
        "pending" => InboxState::Pending,
        "applied" => InboxState::Applied,
        "quarantined" => InboxState::Quarantined,
        other => return Err(StoreError::corrupt("inbox state", format!("{other:?}"))),
    };
    Ok(InboxMessage {
        id: InboxId(row.int("id")?),
        message: NewInboxMessage {
            message_id: uuid(row, "message_id")?,
            recipient: row.parsed("operator", CountryCode::parse)?,
            sender: row.parsed("sender", CountryCode::parse)?,
            sequence: row.int("sequence")?,
            message_type: row.text("message_type")?,
            version: row.text("version")?,
            body: row.text("body")?,
            received_at: row.utc("received_at_utc")?,
        },
        state,
        error: row.opt_text("error")?,
        applied_at: row.opt_utc("applied_at_utc")?,
        quarantined_at: row.opt_utc("quarantined_at_utc")?,
    })
}

pub(crate) async fn insert_inbox(
    store: &SqlStore,
    message: &NewInboxMessage,
) -> StoreResult<InboxInsert> {
    let mut tx = store.write().await?;
    let result = insert_inbox_on(&mut tx, message).await?;
    tx.commit().await?;
    Ok(result)
}

/// Every message in one transaction: a failure leaves none of them.
pub(crate) async fn insert_inbox_all(
    store: &SqlStore,
    messages: &[NewInboxMessage],
) -> StoreResult<Vec<InboxInsert>> {
    let mut tx = store.write().await?;
    let mut results = Vec::with_capacity(messages.len());
    for message in messages {
        results.push(insert_inbox_on(&mut tx, message).await?);
    }
    tx.commit().await?;
    Ok(results)
}

async fn insert_inbox_on(
    conn: &mut AnyConnection,
    message: &NewInboxMessage,
) -> StoreResult<InboxInsert> {
    let inserted = sqlx::query(
        "INSERT INTO inbox (operator, sender, message_id, sequence, message_type, version, body, \
         received_at_utc, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') \
         ON CONFLICT (operator, sender, message_id) DO NOTHING RETURNING id",
    )
    .bind(message.recipient.as_str())
    .bind(message.sender.as_str())
    .bind(message.message_id.to_string())
    .bind(message.sequence)
    .bind(message.message_type.as_str())
    .bind(message.version.as_str())
    .bind(message.body.as_str())
    .bind(micros(message.received_at)?)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match inserted {
        Some(row) => InboxInsert::Inserted(InboxId(row.int("id")?)),
        None => {
            let row = sqlx::query(
                "SELECT id FROM inbox WHERE operator = $1 AND sender = $2 AND message_id = $3",
            )
            .bind(message.recipient.as_str())
            .bind(message.sender.as_str())
            .bind(message.message_id.to_string())
            .fetch_one(&mut *conn)
            .await?;
            InboxInsert::Duplicate(InboxId(row.int("id")?))
        }
    })
}

pub(crate) async fn inbox_messages(
    store: &SqlStore,
    recipient: CountryCode,
    sender: CountryCode,
    message_ids: &[Uuid],
) -> StoreResult<Vec<InboxMessage>> {
    let mut found = Vec::new();
    for id in message_ids {
        let row = sqlx::query(concat!(
            "SELECT ",
            inbox_columns!(),
            " FROM inbox WHERE operator = $1 AND sender = $2 AND message_id = $3"
        ))
        .bind(recipient.as_str())
        .bind(sender.as_str())
        .bind(id.to_string())
        .fetch_optional(&store.reader)
        .await?;
        if let Some(row) = row {
            found.push(inbox_row(&row)?);
        }
    }
    found.sort_by_key(|message| (message.message.sequence, message.id.0));
    found.dedup_by_key(|message| message.id);
    Ok(found)
}

pub(crate) async fn pending_inbox(
    store: &SqlStore,
    recipient: CountryCode,
    sender: CountryCode,
    limit: u32,
) -> StoreResult<Vec<InboxMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        inbox_columns!(),
        " FROM inbox WHERE operator = $1 AND sender = $2 AND state = 'pending' \
         ORDER BY sequence, id LIMIT $3"
    ))
    .bind(recipient.as_str())
    .bind(sender.as_str())
    .bind(i64::from(limit))
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(inbox_row).collect()
}

pub(crate) async fn inbox_settled_through(
    store: &SqlStore,
    recipient: CountryCode,
    sender: CountryCode,
) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT COALESCE(MAX(sequence), 0) AS settled FROM inbox \
         WHERE operator = $1 AND sender = $2 AND state <> 'pending'",
    )
    .bind(recipient.as_str())
    .bind(sender.as_str())
    .fetch_one(&store.reader)
    .await?;
    row.int("settled")
}

pub(crate) async fn mark_inbox_applied(
    store: &SqlStore,
    id: InboxId,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let updated = sqlx::query(
        "UPDATE inbox SET state = 'applied', applied_at_utc = $1, error = NULL WHERE id = $2",
    )
    .bind(micros(at)?)
    .bind(id.0)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::not_found("inbox message", id));
    }
    tx.commit().await?;
    Ok(())
}

/// Sets the message aside for a person to look at, and audits it as a `system` action: a
/// partner's message that could not be applied is something an operator must be able to trace.
pub(crate) async fn mark_inbox_quarantined(
    store: &SqlStore,
    id: InboxId,
    reason: &str,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    quarantine(&mut tx, id, reason, at, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Quarantines one message in the caller's transaction. With `pending_of` (the operator a run
/// is settled for), only a pending message of that operator: one already settled is a
/// conflict instead.
async fn quarantine(
    conn: &mut AnyConnection,
    id: InboxId,
    reason: &str,
    at: OffsetDateTime,
    pending_of: Option<CountryCode>,
) -> StoreResult<()> {
    let query = match pending_of {
        Some(operator) => sqlx::query(
            "UPDATE inbox SET state = 'quarantined', error = $1, quarantined_at_utc = $2 \
             WHERE id = $3 AND state = 'pending' AND operator = $4 \
             RETURNING operator, sender, message_id, message_type, sequence",
        )
        .bind(reason)
        .bind(micros(at)?)
        .bind(id.0)
        .bind(operator.as_str()),
        None => sqlx::query(
            "UPDATE inbox SET state = 'quarantined', error = $1, quarantined_at_utc = $2 \
             WHERE id = $3 RETURNING operator, sender, message_id, message_type, sequence",
        )
        .bind(reason)
        .bind(micros(at)?)
        .bind(id.0),
    };
    let row = query.fetch_optional(&mut *conn).await?;
    let Some(row) = row else {
        return Err(if pending_of.is_some() {
            StoreError::conflict(
                "inbox message",
                format!("inbox message {id} was settled meanwhile"),
            )
        } else {
            StoreError::not_found("inbox message", id)
        });
    };
    let recipient = row.parsed("operator", CountryCode::parse)?;
    let actor = Actor {
        operator: recipient,
        user: None,
        token: None,
        name: "system".to_owned(),
        office: None,
        at,
    };
    audit::write(
        conn,
        &actor,
        Audit {
            operator: recipient,
            action: "inbox.quarantine",
            object_type: "inbox_message",
            object_id: id.to_string(),
            details: json!({
                "sender": row.text("sender")?,
                "message_id": row.text("message_id")?,
                "message_type": row.text("message_type")?,
                "sequence": row.int("sequence")?,
                "reason": reason,
            }),
        },
    )
    .await
}

pub(crate) async fn settle_inbox(
    store: &SqlStore,
    actor: &Actor,
    settlement: &InboxSettlement,
) -> StoreResult<()> {
    const CHUNK: usize = 500;
    let operator = actor.operator;
    let mut tx = store.write().await?;
    let updates: Vec<(ItemId, i64, DerivedStatus)> = settlement
        .events
        .iter()
        .map(|planned| (planned.item, planned.expected_version, planned.derived))
        .collect();
    super::dispatches::update_derived(&mut tx, actor, &updates).await?;
    let events: Vec<(ItemId, &NewEvent)> = settlement
        .events
        .iter()
        .flat_map(|planned| planned.events.iter().map(|event| (planned.item, event)))
        .collect();
    super::items::insert_events(&mut tx, store.dialect, operator, &events, actor.at).await?;
    for chunk in settlement.applied.chunks(CHUNK) {
        let placeholders = (0..chunk.len())
            .map(|index| format!("${}", index + 3))
            .collect::<Vec<_>>()
            .join(", ");
        // Only a pending message of ours: another applier that got there first makes this a
        // conflict, and nothing of the run is written twice.
        let sql = format!(
            "UPDATE inbox SET state = 'applied', applied_at_utc = $1, error = NULL \
             WHERE operator = $2 AND state = 'pending' AND id IN ({placeholders})"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(micros(actor.at)?)
            .bind(operator.as_str());
        for id in chunk {
            query = query.bind(id.0);
        }
        if query.execute(&mut *tx).await?.rows_affected() != chunk.len() as u64 {
            return Err(StoreError::conflict(
                "inbox message",
                "a message of the run was settled meanwhile, or is not addressed to us",
            ));
        }
    }
    for (id, reason) in &settlement.quarantined {
        quarantine(&mut tx, *id, reason, actor.at, Some(operator)).await?;
    }
    let outbox = insert_outbox(&mut tx, operator, &settlement.outbox, actor.at).await?;
    if !settlement.applied.is_empty() {
        audit::write(
            &mut tx,
            actor,
            Audit {
                operator,
                action: "inbox.apply",
                object_type: "inbox_message",
                object_id: settlement
                    .applied
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                details: json!({
                    "messages": settlement.applied.iter().map(|id| id.0).collect::<Vec<_>>(),
                    "items": settlement.events.len(),
                    "events": events.len(),
                    "outbox": outbox,
                }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Puts `actor.operator`'s quarantined message `message_id` back in line, for the applier to
/// try again once its cause is put right (the office it names added, say), and audits who did
/// it. The message keeps its reason and the time it was quarantined until it is applied.
pub(crate) async fn release_quarantined(
    store: &SqlStore,
    actor: &Actor,
    message_id: Uuid,
) -> StoreResult<InboxMessage> {
    let mut tx = store.write().await?;
    let rows = sqlx::query(concat!(
        "SELECT ",
        inbox_columns!(),
        " FROM inbox WHERE operator = $1 AND message_id = $2"
    ))
    .bind(actor.operator.as_str())
    .bind(message_id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let messages = rows
        .iter()
        .map(inbox_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let held: Vec<&InboxMessage> = messages
        .iter()
        .filter(|message| message.state == InboxState::Quarantined)
        .collect();
    let message = match (held.as_slice(), messages.first()) {
        ([one], _) => (*one).clone(),
        ([], None) => return Err(StoreError::not_found("inbox message", message_id)),
        ([], Some(other)) => {
            return Err(StoreError::conflict(
                "inbox message",
                format!(
                    "message {message_id} from {} is {}, not quarantined",
                    other.message.sender,
                    other.state.as_str()
                ),
            ));
        }
        (_, _) => {
            return Err(StoreError::conflict(
                "inbox message",
                format!("several partners sent a message with the ID {message_id}"),
            ));
        }
    };
    let released =
        sqlx::query("UPDATE inbox SET state = 'pending' WHERE id = $1 AND state = 'quarantined'")
            .bind(message.id.0)
            .execute(&mut *tx)
            .await?;
    // Another administrator released it between the read and the write.
    if released.rows_affected() != 1 {
        return Err(StoreError::conflict(
            "inbox message",
            format!("message {message_id} was released meanwhile"),
        ));
    }
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "inbox.release",
            object_type: "inbox_message",
            object_id: message.id.to_string(),
            details: json!({
                "sender": message.message.sender.as_str(),
                "message_id": message_id.to_string(),
                "message_type": message.message.message_type,
                "sequence": message.message.sequence,
                "reason": message.error,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(InboxMessage {
        state: InboxState::Pending,
        ..message
    })
}

pub(crate) async fn quarantined_inbox(
    store: &SqlStore,
    recipient: CountryCode,
) -> StoreResult<Vec<InboxMessage>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        inbox_columns!(),
        " FROM inbox WHERE operator = $1 AND state = 'quarantined' ORDER BY id"
    ))
    .bind(recipient.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(inbox_row).collect()
}

// --- partner endpoints -------------------------------------------------------------------

pub(crate) async fn set_partner_endpoint(
    store: &SqlStore,
    actor: &Actor,
    endpoint: &PartnerEndpoint,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    require_operator(&mut tx, endpoint.operator).await?;
    require_operator(&mut tx, endpoint.partner).await?;
    sqlx::query(
        "INSERT INTO partner_endpoints (operator, partner, url, outbound_token, paused, \
         updated_at_utc) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (operator, partner) DO UPDATE SET url = excluded.url, \
         outbound_token = excluded.outbound_token, paused = excluded.paused, \
         updated_at_utc = excluded.updated_at_utc",
    )
    .bind(endpoint.operator.as_str())
    .bind(endpoint.partner.as_str())
    .bind(endpoint.url.as_str())
    .bind(endpoint.outbound_token.as_str())
    .bind(flag(endpoint.paused))
    .bind(micros(endpoint.updated_at)?)
    .execute(&mut *tx)
    .await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: endpoint.operator,
            action: "partner_endpoint.set",
            object_type: "partner_endpoint",
            object_id: endpoint.partner.to_string(),
            // The token is a secret: the audit only says it was set.
            details: json!({
                "url": endpoint.url,
                "paused": endpoint.paused,
                "outbound_token": "<set>",
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn partner_endpoints(
    store: &SqlStore,
    operator: CountryCode,
) -> StoreResult<Vec<PartnerEndpoint>> {
    let rows = sqlx::query(
        "SELECT operator, partner, url, outbound_token, paused, updated_at_utc \
         FROM partner_endpoints WHERE operator = $1 ORDER BY partner",
    )
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PartnerEndpoint {
                operator: row.parsed("operator", CountryCode::parse)?,
                partner: row.parsed("partner", CountryCode::parse)?,
                url: row.text("url")?,
                outbound_token: row.text("outbound_token")?,
                paused: row.flag("paused")?,
                updated_at: row.utc("updated_at_utc")?,
            })
        })
        .collect()
}

pub(crate) async fn enqueue_messages(
    store: &SqlStore,
    actor: &Actor,
    messages: &[NewOutboxMessage],
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let summary = insert_outbox(&mut tx, actor.operator, messages, actor.at).await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "outbox.enqueue",
            object_type: "outbox",
            object_id: messages
                .first()
                .map(|message| message.message_id.to_string())
                .unwrap_or_default(),
            details: json!({ "outbox": summary }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
