//! Bilateral agreements, versioned: every version stays in `agreement_versions`.

use barid_core::CountryCode;
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::audit::{self, Audit};
use super::convert::{RowExt, conflict_on_unique, from_json, json_text, micros, stored_instant};
use super::people::require_operator;
use crate::model::*;
use crate::{StoreError, StoreResult};

fn status_of(text: &str) -> Result<AgreementStatus, String> {
    AgreementStatus::parse(text).ok_or_else(|| format!("unknown agreement status {text:?}"))
}

fn agreement_row(row: &AnyRow) -> StoreResult<Agreement> {
    Ok(Agreement {
        id: AgreementId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        partner: row.parsed("partner", CountryCode::parse)?,
        reference: row.text("reference")?,
        status: row.parsed("status", status_of)?,
        version: row.int("version")?,
        terms: from_json("terms", &row.text("terms")?)?,
        updated_at: row.utc("updated_at_utc")?,
    })
}

async fn insert_version(
    conn: &mut AnyConnection,
    actor: &Actor,
    agreement: &Agreement,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO agreement_versions (operator, agreement_id, version, status, terms, \
         updated_at_utc, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(agreement.operator.as_str())
    .bind(agreement.id.0)
    .bind(agreement.version)
    .bind(agreement.status.as_str())
    .bind(json_text(&agreement.terms)?)
    .bind(micros(agreement.updated_at)?)
    .bind(actor.name.as_str())
    .execute(&mut *conn)
    .await
    .map_err(conflict_on_unique("agreement", || {
        format!(
            "agreement {} version {} exists",
            agreement.id, agreement.version
        )
    }))?;
    Ok(())
}

pub(crate) async fn create_agreement(
    store: &SqlStore,
    actor: &Actor,
    new: &NewAgreement,
) -> StoreResult<Agreement> {
    let mut tx = store.write().await?;
    require_operator(&mut tx, new.operator).await?;
    require_operator(&mut tx, new.partner).await?;
    let at = micros(actor.at)?;
    let row = sqlx::query(
        "INSERT INTO agreements (operator, partner, reference, status, version, terms, \
         created_at_utc, updated_at_utc) VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id",
    )
    .bind(new.operator.as_str())
    .bind(new.partner.as_str())
    .bind(new.reference.as_str())
    .bind(new.status.as_str())
    .bind(json_text(&new.terms)?)
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("agreement", || {
        format!(
            "an agreement {} between {} and {} already exists",
            new.reference, new.operator, new.partner
        )
    }))?;
    let agreement = Agreement {
        id: AgreementId(row.int("id")?),
        operator: new.operator,
        partner: new.partner,
        reference: new.reference.clone(),
        status: new.status,
        version: 1,
        terms: new.terms.clone(),
        updated_at: stored_instant(actor.at)?,
    };
    insert_version(&mut tx, actor, &agreement).await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: new.operator,
            action: "agreement.create",
            object_type: "agreement",
            object_id: agreement.id.to_string(),
            details: json!({
                "partner": new.partner.as_str(),
                "reference": new.reference,
                "status": new.status.as_str(),
                "version": 1,
                "terms": new.terms,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(agreement)
}

pub(crate) async fn update_agreement(
    store: &SqlStore,
    actor: &Actor,
    id: AgreementId,
    expected_version: i64,
    status: AgreementStatus,
    terms: &serde_json::Value,
) -> StoreResult<Agreement> {
    let mut tx = store.write().await?;
    let updated = sqlx::query(
        "UPDATE agreements SET status = $1, terms = $2, version = version + 1, \
         updated_at_utc = $3 WHERE id = $4 AND operator = $5 AND version = $6 \
         RETURNING id, operator, partner, reference, status, version, terms, updated_at_utc",
    )
    .bind(status.as_str())
    .bind(json_text(terms)?)
    .bind(micros(actor.at)?)
    .bind(id.0)
    .bind(actor.operator.as_str())
    .bind(expected_version)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = updated else {
        let current = sqlx::query("SELECT version FROM agreements WHERE id = $1 AND operator = $2")
            .bind(id.0)
            .bind(actor.operator.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match current {
            Some(row) => StoreError::conflict(
                "agreement",
                format!(
                    "agreement {id} is at version {}, not {expected_version}: reload it and retry",
                    row.int("version")?
                ),
            ),
            None => StoreError::not_found("agreement", id),
        });
    };
    let agreement = agreement_row(&row)?;
    let previous = sqlx::query(
        "SELECT status, terms FROM agreement_versions WHERE agreement_id = $1 AND version = $2",
    )
    .bind(id.0)
    .bind(expected_version)
    .fetch_optional(&mut *tx)
    .await?;
    insert_version(&mut tx, actor, &agreement).await?;
    let (previous_status, previous_terms) = match previous {
        Some(row) => (
            Some(row.text("status")?),
            Some(from_json::<serde_json::Value>(
                "terms",
                &row.text("terms")?,
            )?),
        ),
        None => (None, None),
    };
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "agreement.update",
            object_type: "agreement",
            object_id: id.to_string(),
            details: json!({
                "version": { "from": expected_version, "to": agreement.version },
                "status": { "from": previous_status, "to": status.as_str() },
                "terms": { "from": previous_terms, "to": terms },
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(agreement)
}

pub(crate) async fn agreements(
    store: &SqlStore,
    operator: CountryCode,
) -> StoreResult<Vec<Agreement>> {
    let rows = sqlx::query(
        "SELECT id, operator, partner, reference, status, version, terms, updated_at_utc \
         FROM agreements WHERE operator = $1 ORDER BY partner, reference, id",
    )
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(agreement_row).collect()
}

/// Oldest first. NotFound for an agreement that is not the operator's.
pub(crate) async fn agreement_history(
    store: &SqlStore,
    operator: CountryCode,
    id: AgreementId,
) -> StoreResult<Vec<Agreement>> {
    let rows = sqlx::query(
        "SELECT a.id, a.operator, a.partner, a.reference, v.status, v.version, v.terms, \
         v.updated_at_utc FROM agreement_versions v \
         JOIN agreements a ON a.id = v.agreement_id AND a.operator = v.operator \
         WHERE v.agreement_id = $1 AND v.operator = $2 ORDER BY v.version",
    )
    .bind(id.0)
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    if rows.is_empty() {
        return Err(StoreError::not_found("agreement", id));
    }
    rows.iter().map(agreement_row).collect()
}
