//! `Idempotency-Key`s of API requests: reserved by a unique insert before the request runs,
//! completed with its response afterwards, so a retry gets the first response and two
//! concurrent requests with one key never both run. Bookkeeping: no audit entries.

use barid_core::CountryCode;
use time::OffsetDateTime;

use super::SqlStore;
use super::convert::{RowExt, micros};
use crate::model::IdempotencyReservation;
use crate::{StoreError, StoreResult};

pub(crate) async fn reserve(
    store: &SqlStore,
    operator: CountryCode,
    key: &str,
    request_hash: &str,
    at: OffsetDateTime,
) -> StoreResult<IdempotencyReservation> {
    let mut tx = store.write().await?;
    // On PostgreSQL a concurrent insert of the same key waits for the first to commit, then
    // does nothing; the SELECT below then sees the first request's row.
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (operator, idempotency_key, request_hash, created_at_utc) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (operator, idempotency_key) DO NOTHING \
         RETURNING request_hash",
    )
    .bind(operator.as_str())
    .bind(key)
    .bind(request_hash)
    .bind(micros(at)?)
    .fetch_optional(&mut *tx)
    .await?;
    let result = if inserted.is_some() {
        IdempotencyReservation::Reserved
    } else {
        let row = sqlx::query(
            "SELECT request_hash, response_status, response_body FROM idempotency_keys \
             WHERE operator = $1 AND idempotency_key = $2",
        )
        .bind(operator.as_str())
        .bind(key)
        .fetch_one(&mut *tx)
        .await?;
        if row.text("request_hash")? != request_hash {
            IdempotencyReservation::Mismatch
        } else {
            match (
                row.opt_int("response_status")?,
                row.opt_text("response_body")?,
            ) {
                (Some(status), Some(body)) => IdempotencyReservation::Completed {
                    status: u16::try_from(status).map_err(|_| {
                        StoreError::corrupt("idempotency key", "response status out of range")
                    })?,
                    body,
                },
                _ => IdempotencyReservation::InProgress,
            }
        }
    };
    tx.commit().await?;
    Ok(result)
}

pub(crate) async fn complete(
    store: &SqlStore,
    operator: CountryCode,
    key: &str,
    status: u16,
    body: &str,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let done = sqlx::query(
        "UPDATE idempotency_keys SET response_status = $3, response_body = $4, \
         completed_at_utc = $5 WHERE operator = $1 AND idempotency_key = $2",
    )
    .bind(operator.as_str())
    .bind(key)
    .bind(i64::from(status))
    .bind(body)
    .bind(micros(at)?)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found("idempotency key", key));
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn release(store: &SqlStore, operator: CountryCode, key: &str) -> StoreResult<()> {
    let mut tx = store.write().await?;
    sqlx::query(
        "DELETE FROM idempotency_keys WHERE operator = $1 AND idempotency_key = $2 \
         AND response_status IS NULL",
    )
    .bind(operator.as_str())
    .bind(key)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
