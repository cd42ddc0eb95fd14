//! The audit log: written inside each mutating transaction, read newest first.

use barid_core::{CountryCode, SiteCode};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::convert::{RowExt, from_json, json_text, micros, rfc3339};
use crate::StoreResult;
use crate::model::{Actor, AuditEntry, AuditId, Page, TokenId, UserId};

/// One audit entry to write: what happened to which object of which operator.
pub(crate) struct Audit<'a> {
    /// The operator whose data changed.
    pub operator: CountryCode,
    /// E.g. `office.create`, `user.password`, `item.event`.
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: String,
    /// What changed. Never secrets.
    pub details: serde_json::Value,
}

/// Writes the entry in the caller's transaction, so it commits or rolls back with the change.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    actor: &Actor,
    audit: Audit<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (operator, actor, actor_operator, user_id, token_id, office, \
         action, object_type, object_id, details, at, at_utc) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(audit.operator.as_str())
    .bind(actor.name.as_str())
    .bind(actor.operator.as_str())
    .bind(actor.user.map(|user| user.0))
    .bind(actor.token.map(|token| token.0))
    .bind(actor.office.as_ref().map(SiteCode::as_str))
    .bind(audit.action)
    .bind(audit.object_type)
    .bind(audit.object_id)
    .bind(json_text(&audit.details)?)
    .bind(rfc3339(actor.at)?)
    .bind(micros(actor.at)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn audit_log(
    store: &SqlStore,
    operator: CountryCode,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Page<AuditEntry>> {
    // One row more than asked tells whether there is a next page.
    let rows = sqlx::query(
        "SELECT id, operator, actor, user_id, token_id, office, action, object_type, object_id, \
         details, at FROM audit_log WHERE operator = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(operator.as_str())
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit) + 1)
    .fetch_all(&store.reader)
    .await?;
    let mut items = rows.iter().map(entry).collect::<StoreResult<Vec<_>>>()?;
    let more = items.len() > limit as usize;
    items.truncate(limit as usize);
    let next = if more {
        items.last().map(|entry| entry.id.0)
    } else {
        None
    };
    Ok(Page { items, next })
}

fn entry(row: &AnyRow) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: AuditId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        actor: row.text("actor")?,
        user: row.opt_int("user_id")?.map(UserId),
        token: row.opt_int("token_id")?.map(TokenId),
        office: row.opt_parsed("office", SiteCode::parse)?,
        action: row.text("action")?,
        object_type: row.text("object_type")?,
        object_id: row.text("object_id")?,
        details: from_json("details", &row.text("details")?)?,
        at: row.offset_time("at")?,
    })
}
