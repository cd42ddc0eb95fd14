//! Conversions between rows and domain values: times, enums, JSON, and sqlx errors.
//!
//! The Any driver decodes only integers, text, floats and bytes, so every value goes through
//! one of the helpers here, and a stored value that no longer parses becomes
//! [`StoreError::Corrupt`] rather than a panic.

use std::fmt::Display;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{StoreError, StoreResult};

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if is_concurrency_failure(&error) {
            return StoreError::conflict(
                "concurrent change",
                "another change to the same data got in the way; try again",
            );
        }
        StoreError::Database(Box::new(error))
    }
}

/// PostgreSQL's serialization failure (40001) and deadlock (40P01): the transaction was rolled
/// back because of a concurrent one, so retrying is the answer, not a server error.
fn is_concurrency_failure(error: &sqlx::Error) -> bool {
    matches!(
        error,
        sqlx::Error::Database(db)
            if matches!(db.code().as_deref(), Some("40001") | Some("40P01"))
    )
}

/// Whether the database refused a write because of a UNIQUE or PRIMARY KEY constraint.
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Maps a unique violation to `Conflict` and anything else to `Database`.
pub(crate) fn conflict_on_unique(
    what: &'static str,
    message: impl FnOnce() -> String,
) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| {
        if is_unique_violation(&error) {
            StoreError::conflict(what, message())
        } else {
            StoreError::from(error)
        }
    }
}

/// A failure that is neither the caller's nor the database's: a value this code cannot store.
pub(crate) fn unstorable(what: &str, message: impl Display) -> StoreError {
    StoreError::Database(format!("cannot store {what}: {message}").into())
}

/// Unix microseconds, the `*_at_utc` columns.
pub(crate) fn micros(at: OffsetDateTime) -> StoreResult<i64> {
    i64::try_from(at.unix_timestamp_nanos().div_euclid(1000))
        .map_err(|_| unstorable("a time", format!("{at} is out of range")))
}

pub(crate) fn from_micros(what: &'static str, micros: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .map_err(|error| StoreError::corrupt(what, error))
}

/// The instant as the store gives it back from a `*_at_utc` column: UTC, whole microseconds.
pub(crate) fn stored_instant(at: OffsetDateTime) -> StoreResult<OffsetDateTime> {
    from_micros("time", micros(at)?)
}

/// RFC 3339 with the original UTC offset and every fraction digit, for the `*_at` columns.
pub(crate) fn rfc3339(at: OffsetDateTime) -> StoreResult<String> {
    at.format(&Rfc3339)
        .map_err(|error| unstorable("a time", format!("{at}: {error}")))
}

/// A JSON text column.
pub(crate) fn json_text<T: Serialize + ?Sized>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|error| unstorable("JSON", error))
}

pub(crate) fn from_json<T: DeserializeOwned>(what: &'static str, text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|error| StoreError::corrupt(what, error))
}

/// A snake_case enum through its serde name (S10Service, Leg, EventSource and the like).
pub(crate) fn from_serde_name<T: DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> StoreResult<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| StoreError::corrupt(what, format!("unknown value {text:?}")))
}

pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

pub(crate) fn opt_u32(value: Option<u32>) -> Option<i64> {
    value.map(i64::from)
}

/// Typed access to the columns of an Any row; every failure names the column.
pub(crate) trait RowExt {
    fn int(&self, column: &'static str) -> StoreResult<i64>;
    fn opt_int(&self, column: &'static str) -> StoreResult<Option<i64>>;
    fn text(&self, column: &'static str) -> StoreResult<String>;
    fn opt_text(&self, column: &'static str) -> StoreResult<Option<String>>;

    fn flag(&self, column: &'static str) -> StoreResult<bool> {
        match self.int(column)? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(StoreError::corrupt(
                column,
                format!("{other} is not 0 or 1"),
            )),
        }
    }

    fn u32(&self, column: &'static str) -> StoreResult<u32> {
        let value = self.int(column)?;
        u32::try_from(value)
            .map_err(|_| StoreError::corrupt(column, format!("{value} out of range")))
    }

    fn opt_u32(&self, column: &'static str) -> StoreResult<Option<u32>> {
        self.opt_int(column)?
            .map(|value| {
                u32::try_from(value)
                    .map_err(|_| StoreError::corrupt(column, format!("{value} out of range")))
            })
            .transpose()
    }

    /// A `*_at_utc` column, as a UTC time.
    fn utc(&self, column: &'static str) -> StoreResult<OffsetDateTime> {
        from_micros(column, self.int(column)?)
    }

    fn opt_utc(&self, column: &'static str) -> StoreResult<Option<OffsetDateTime>> {
        self.opt_int(column)?
            .map(|micros| from_micros(column, micros))
            .transpose()
    }

    /// A `*_at` column: RFC 3339 text with the original offset.
    fn offset_time(&self, column: &'static str) -> StoreResult<OffsetDateTime> {
        let text = self.text(column)?;
        OffsetDateTime::parse(&text, &Rfc3339)
            .map_err(|error| StoreError::corrupt(column, format!("{text:?}: {error}")))
    }

    /// A snake_case enum column, through the enum's serde name.
    fn named<T: DeserializeOwned>(&self, column: &'static str) -> StoreResult<T> {
        from_serde_name(column, &self.text(column)?)
    }

    /// A text column through a domain parser.
    fn parsed<T, E: Display>(
        &self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> StoreResult<T> {
        let text = self.text(column)?;
        parse(&text).map_err(|error| StoreError::corrupt(column, error))
    }

    fn opt_parsed<T, E: Display>(
        &self,
        column: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> StoreResult<Option<T>> {
        self.opt_text(column)?
            .map(|text| parse(&text).map_err(|error| StoreError::corrupt(column, error)))
            .transpose()
    }
}

fn column_error(column: &'static str, error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::ColumnDecode { source, .. } => StoreError::corrupt(column, source),
        other => StoreError::from(other),
    }
}

impl RowExt for AnyRow {
    fn int(&self, column: &'static str) -> StoreResult<i64> {
        self.try_get::<i64, _>(column)
            .map_err(|error| column_error(column, error))
    }

    fn opt_int(&self, column: &'static str) -> StoreResult<Option<i64>> {
        self.try_get::<Option<i64>, _>(column)
            .map_err(|error| column_error(column, error))
    }

    fn text(&self, column: &'static str) -> StoreResult<String> {
        self.try_get::<String, _>(column)
            .map_err(|error| column_error(column, error))
    }

    fn opt_text(&self, column: &'static str) -> StoreResult<Option<String>> {
        self.try_get::<Option<String>, _>(column)
            .map_err(|error| column_error(column, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn rfc3339_keeps_the_offset_and_the_fraction() {
        let at = datetime!(2026-03-01 09:15:42.123456789 +03:00);
        let text = rfc3339(at).unwrap();
        assert_eq!(text, "2026-03-01T09:15:42.123456789+03:00");
        let back = OffsetDateTime::parse(&text, &Rfc3339).unwrap();
        assert_eq!(back.offset(), at.offset());
        assert_eq!(back, at);
    }

    #[test]
    fn micros_round_down_and_come_back_in_utc() {
        let at = datetime!(1969-12-31 23:59:59.9999995 +02:00);
        let stored = stored_instant(at).unwrap();
        assert_eq!(stored.offset(), time::UtcOffset::UTC);
        assert_eq!(micros(stored).unwrap(), micros(at).unwrap());
        assert!(stored <= at && at - stored < time::Duration::microseconds(1));
    }
}
