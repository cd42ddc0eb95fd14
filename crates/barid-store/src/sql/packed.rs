//! Many rows read or written as one.
//!
//! Through sqlx's Any driver every row of a result crosses from the database's worker thread
//! to the waiting task on its own, with a wake-up each (about 10 µs per row on SQLite, measured
//! by `perf` in the dispatch-closing benchmark, where it was more than half of the time). Bulk
//! reads of thousands of rows (the items of a dispatch, their parties, customs lines and
//! events) therefore ask the database to fold their rows into one JSON array, one row per
//! statement, and read the columns back through the same [`RowExt`] as an ordinary row. Bulk
//! writes (the events of every item of a dispatch) bind one JSON array of rows and let the
//! database unfold it: one statement and one bound value, where multi-row `VALUES` lists cost
//! a bound parameter each (sqlx looks each one up by name).
//!
//! Every column is an integer or text (see the migrations), so JSON carries them exactly. Each
//! row is a JSON array of values, not an object: the names come once, in a second column, so
//! the database writes and Barid parses no key per value. Aggregates do not promise an order:
//! callers that need one sort what they get.

use std::sync::Arc;

use serde_json::Value;
use sqlx::any::AnyRow;

use super::Dialect;
use super::convert::{RowExt, from_json};
use crate::{StoreError, StoreResult};

/// The rows of a packed statement, as one JSON array of arrays.
const PACKED: &str = "packed";
/// The column names of those arrays' values, as one JSON array of strings.
const NAMES: &str = "packed_names";

/// One row of a packed result.
#[derive(Debug, Clone)]
pub(crate) struct PackedRow {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Dialect {
    /// `SELECT` of `columns` (as in an ordinary select list: `name`, `t.name` or
    /// `expression AS name`) packed into one row, followed by `rest` (`FROM … WHERE …`).
    pub(crate) fn packed_select(&self, columns: &str, rest: &str) -> String {
        let (names, expressions): (Vec<String>, Vec<&str>) = columns
            .split(',')
            .map(str::trim)
            .filter(|column| !column.is_empty())
            .map(|column| match column.rsplit_once(" AS ") {
                Some((expression, name)) => (format!("'{}'", name.trim()), expression.trim()),
                None => (
                    format!("'{}'", column.rsplit('.').next().unwrap_or(column)),
                    column,
                ),
            })
            .unzip();
        format!(
            "SELECT CAST({array}({names}) AS TEXT) AS {NAMES}, \
             CAST({agg}({array}({values})) AS TEXT) AS {PACKED} {rest}",
            array = self.json_array,
            agg = self.json_array_agg,
            names = names.join(", "),
            values = expressions.join(", "),
        )
    }
}

/// The type of a column written by [`Dialect::packed_insert`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Int,
    Text,
}

impl Dialect {
    /// `INSERT INTO table (columns) SELECT …` of the rows of `$1`, a JSON array of arrays
    /// (see [`pack`]), in their order.
    pub(crate) fn packed_insert(&self, table: &str, columns: &[(&str, Kind)]) -> String {
        let names = columns
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ");
        let values = columns
            .iter()
            .enumerate()
            .map(|(index, (_, kind))| match kind {
                Kind::Int => format!("CAST(j.value ->> {index} AS BIGINT)"),
                Kind::Text => format!("j.value ->> {index}"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "INSERT INTO {table} ({names}) SELECT {values} FROM {} ORDER BY j.key",
            self.json_rows_of_first_parameter
        )
    }
}

impl Dialect {
    /// [`Dialect::packed_insert`] with an `ON CONFLICT …` clause: an upsert. The rows must not
    /// repeat a key (PostgreSQL refuses to update a row twice in one statement).
    pub(crate) fn packed_upsert(
        &self,
        table: &str,
        columns: &[(&str, Kind)],
        on_conflict: &str,
    ) -> String {
        // SQLite reads `ON` after a bare `FROM` as a join's: the `WHERE true` ends the FROM.
        self.packed_insert(table, columns).replace(
            " ORDER BY j.key",
            &format!(" WHERE true ORDER BY j.key {on_conflict}"),
        )
    }
}

/// Rows for [`Dialect::packed_insert`]: one JSON array per row, in the order of its columns.
pub(crate) fn pack(rows: &[Vec<Value>]) -> StoreResult<String> {
    super::convert::json_text(rows)
}

/// The rows of a packed statement's row; no rows (PostgreSQL's aggregate gives NULL then) is
/// an empty list.
pub(crate) fn unpack(row: &AnyRow) -> StoreResult<Vec<PackedRow>> {
    let Some(text) = row.opt_text(PACKED)? else {
        return Ok(Vec::new());
    };
    let names: Arc<[String]> = from_json::<Vec<String>>(NAMES, &row.text(NAMES)?)?.into();
    from_json::<Vec<Vec<Value>>>(PACKED, &text)?
        .into_iter()
        .map(|values| {
            if values.len() == names.len() {
                Ok(PackedRow {
                    names: Arc::clone(&names),
                    values,
                })
            } else {
                Err(StoreError::corrupt(
                    PACKED,
                    format!(
                        "a row of {} values for {} columns",
                        values.len(),
                        names.len()
                    ),
                ))
            }
        })
        .collect()
}

impl PackedRow {
    fn value(&self, column: &'static str) -> StoreResult<&Value> {
        self.names
            .iter()
            .position(|name| name == column)
            .and_then(|index| self.values.get(index))
            .ok_or_else(|| StoreError::corrupt(column, "the column is missing from the row"))
    }
}

impl RowExt for PackedRow {
    fn int(&self, column: &'static str) -> StoreResult<i64> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::corrupt(column, "NULL where a number belongs"))
    }

    fn opt_int(&self, column: &'static str) -> StoreResult<Option<i64>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Number(number) => number
                .as_i64()
                .map(Some)
                .ok_or_else(|| StoreError::corrupt(column, format!("{number} is not an integer"))),
            other => Err(StoreError::corrupt(
                column,
                format!("{other} is not an integer"),
            )),
        }
    }

    fn text(&self, column: &'static str) -> StoreResult<String> {
        self.opt_text(column)?
            .ok_or_else(|| StoreError::corrupt(column, "NULL where text belongs"))
    }

    fn opt_text(&self, column: &'static str) -> StoreResult<Option<String>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            other => Err(StoreError::corrupt(column, format!("{other} is not text"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQLITE: Dialect = Dialect {
        name: "sqlite",
        begin_write: None,
        json_array: "json_array",
        json_array_agg: "json_group_array",
        json_rows_of_first_parameter: "json_each($1) AS j",
    };

    #[test]
    fn inserts_unfold_the_first_parameter_in_order() {
        assert_eq!(
            SQLITE.packed_insert("t", &[("a", Kind::Int), ("b", Kind::Text)]),
            "INSERT INTO t (a, b) SELECT CAST(j.value ->> 0 AS BIGINT), j.value ->> 1 \
             FROM json_each($1) AS j ORDER BY j.key"
        );
    }

    #[test]
    fn columns_become_named_pairs_of_one_aggregate() {
        assert_eq!(
            SQLITE.packed_select("id, e.code, e.id AS event_id", "FROM t"),
            "SELECT CAST(json_array('id', 'code', 'event_id') AS TEXT) AS packed_names, \
             CAST(json_group_array(json_array(id, e.code, e.id)) AS TEXT) AS packed FROM t"
        );
    }

    #[test]
    fn values_read_back_as_columns_and_wrong_types_are_corrupt() {
        let row = PackedRow {
            names: ["n", "t", "z", "f"].map(str::to_owned).into(),
            values: serde_json::from_str(r#"[7, "x", null, 1.5]"#).unwrap(),
        };
        assert_eq!(row.int("n").unwrap(), 7);
        assert_eq!(row.text("t").unwrap(), "x");
        assert_eq!(row.opt_text("z").unwrap(), None);
        assert_eq!(row.opt_int("z").unwrap(), None);
        assert!(row.int("f").is_err());
        assert!(row.text("n").is_err());
        assert!(row.int("missing").is_err());
    }
}
