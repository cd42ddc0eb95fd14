//! Opens the store named by a database URL: the backend follows the scheme.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use barid_store::Store;
use barid_store::sql::SqlStore;

/// The backends Barid can run on, chosen from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => anyhow::bail!(
                "unknown database URL scheme {scheme:?}: use sqlite://path/to/barid.db or \
                 postgres://user@host/database"
            ),
        }
    }
}

/// Connects (running pending migrations) and returns the SQL store.
pub async fn open_sql(url: &str) -> anyhow::Result<SqlStore> {
    let store = match Backend::from_url(url)? {
        Backend::Sqlite => barid_store_sqlite::connect(url).await?,
        Backend::Postgres => barid_store_postgres::connect(url).await?,
    };
    // Items recorded before quality was measured (a database from an older Barid) get their
    // timelines once; afterwards two counts on the reader say there is nothing to do.
    let caught_up = store
        .catch_up_quality()
        .await
        .context("measuring the quality of the items recorded before this version")?;
    if caught_up > 0 {
        tracing::info!(
            items = caught_up,
            "quality timelines built for earlier items"
        );
    }
    Ok(store)
}

pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    Ok(Arc::new(open_sql(url).await?))
}

/// An online backup: SQLite copies itself consistently while Barid runs; PostgreSQL is backed
/// up with its own tool.
pub async fn backup(url: &str, destination: &Path) -> anyhow::Result<()> {
    match Backend::from_url(url)? {
        Backend::Sqlite => barid_store_sqlite::backup_url(url, destination)
            .await
            .with_context(|| format!("backing up to {}", destination.display())),
        Backend::Postgres => anyhow::bail!(
            "back up PostgreSQL with its own tool, while Barid runs: \
             pg_dump --format=custom --file={} \"<database URL>\" (see docs/operations.md)",
            destination.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_backend() {
        assert_eq!(
            Backend::from_url("sqlite://barid.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("sqlite:barid.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        for bad in ["mysql://u@h/db", "barid.db", ""] {
            let error = Backend::from_url(bad).unwrap_err().to_string();
            assert!(error.contains("unknown database URL scheme"), "{error}");
        }
    }
}
