//! Barid on SQLite, the embedded default: one database file next to the server.
//!
//! What belongs here: turning a `sqlite:` URL into a file path (refusing a folder that does not
//! exist), connection settings (WAL, foreign keys, busy timeout, full sync), the SQLite
//! migrations, the online backup, and throwaway databases for tests. What does not: any query
//! of the store itself; that is the shared [`SqlStore`] in barid-store.
//!
//! Writes go through a pool of one connection that opens its transactions with
//! `BEGIN IMMEDIATE`, so writers queue in the pool instead of failing on SQLite's lock upgrade;
//! reads use a pool of their own and, thanks to WAL, never wait for a writer.

use std::path::{Path, PathBuf};

use barid_store::sql::Dialect;
pub use barid_store::sql::SqlStore;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor};

/// How SQLite differs for the shared SQL: write transactions take the write lock at once.
pub const DIALECT: Dialect = Dialect {
    name: "sqlite",
    begin_write: Some("BEGIN IMMEDIATE"),
    json_array: "json_array",
    json_array_agg: "json_group_array",
    json_rows_of_first_parameter: "json_each($1) AS j",
};

/// How long a connection waits for another process's write lock (the CLI while the server
/// runs, say) before giving up with "database is locked".
const BUSY_TIMEOUT_MS: u32 = 10_000;

/// Connections for reads. Writes have one connection of their own.
const READ_CONNECTIONS: u32 = 4;

/// The migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Why the SQLite database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "{url:?} is not a SQLite database URL: {reason}; write sqlite://path/to/barid.db \
         (relative to the working folder) or sqlite:///absolute/path/barid.db"
    )]
    BadUrl { url: String, reason: &'static str },
    #[error(
        "the folder {} for the SQLite database does not exist; Barid does not create it, so \
         that a typing mistake never starts an empty database in the wrong place: create it \
         first (mkdir -p {}) or choose another path",
        folder.display(),
        folder.display()
    )]
    MissingFolder { folder: PathBuf },
    #[error(
        "{} is not a folder, so the SQLite database {} cannot be kept in it",
        folder.display(),
        path.display()
    )]
    NotAFolder { folder: PathBuf, path: PathBuf },
    #[error("{} is a folder, not a SQLite database file", path.display())]
    IsAFolder { path: PathBuf },
    #[error(
        "cannot open the SQLite database {}: {source}; check that the file is a SQLite database \
         and that Barid may read and write it and its folder (SQLite keeps -wal and -shm files \
         next to it)",
        path.display()
    )]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "cannot bring the SQLite database {} up to date: {source}; if it was changed by hand or \
         by a newer version of Barid, restore a backup or run the matching version",
        path.display()
    )]
    Migrate {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("cannot create a temporary folder for a test database: {0}")]
    TempDir(#[source] std::io::Error),
}

/// The database file a `sqlite:` URL names: `sqlite://data/barid.db` is `data/barid.db` in
/// the working folder, `sqlite:///var/lib/barid/barid.db` an absolute path, and
/// `sqlite:barid.db` also works. In-memory databases and URL parameters are refused.
pub fn database_path(url: &str) -> Result<PathBuf, ConnectError> {
    let bad = |reason| ConnectError::BadUrl {
        url: url.to_owned(),
        reason,
    };
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| bad("it does not start with sqlite:"))?;
    if path.is_empty() {
        return Err(bad("it names no file"));
    }
    if path == ":memory:" || path.contains("mode=memory") {
        return Err(bad(
            "in-memory databases are not supported, Barid keeps its data in a file",
        ));
    }
    if path.contains('?') {
        return Err(bad("URL parameters are not supported"));
    }
    Ok(PathBuf::from(path))
}

/// Opens (creating the file if needed) the database a `sqlite:` URL names and brings its
/// schema up to date.
pub async fn connect(url: &str) -> Result<SqlStore, ConnectError> {
    open(&database_path(url)?).await
}

/// Opens (creating the file if needed) the database at `path` and brings its schema up to
/// date. The folder must exist.
pub async fn open(path: &Path) -> Result<SqlStore, ConnectError> {
    let path = checked_path(path)?;
    sqlx::any::install_default_drivers();
    let open_error = |source| ConnectError::Open {
        path: path.clone(),
        source,
    };

    let create = any_options(
        &SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true),
    )
    .map_err(open_error)?;
    // One connection first, so that a file that is not a database fails at once rather than
    // after the pool has retried for its whole acquire timeout.
    let mut probe = AnyConnection::connect_with(&create)
        .await
        .map_err(open_error)?;
    let probed = settings(&mut probe).await;
    probe.close().await.ok();
    probed.map_err(open_error)?;

    let writer = with_settings(AnyPoolOptions::new().max_connections(1))
        .connect_with(create)
        .await
        .map_err(open_error)?;
    MIGRATOR
        .run(&writer)
        .await
        .map_err(|source| ConnectError::Migrate {
            path: path.clone(),
            source,
        })?;

    let existing = SqliteConnectOptions::new().filename(&path);
    let reader = with_settings(AnyPoolOptions::new().max_connections(READ_CONNECTIONS))
        .connect_with(any_options(&existing).map_err(open_error)?)
        .await
        .map_err(open_error)?;
    Ok(SqlStore::new(reader, writer, DIALECT))
}

/// A fresh, migrated database in a new temporary folder, for tests (this crate's and other
/// crates'). The folder and the database go when the `TempDir` is dropped.
pub async fn temporary() -> Result<(SqlStore, tempfile::TempDir), ConnectError> {
    let folder = tempfile::Builder::new()
        .prefix("barid-test-")
        .tempdir()
        .map_err(ConnectError::TempDir)?;
    let store = open(&folder.path().join("barid.db")).await?;
    Ok((store, folder))
}

/// The path with its folder made absolute, after checking that the folder exists.
fn checked_path(path: &Path) -> Result<PathBuf, ConnectError> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if !folder.exists() {
        return Err(ConnectError::MissingFolder {
            folder: folder.to_path_buf(),
        });
    }
    if !folder.is_dir() {
        return Err(ConnectError::NotAFolder {
            folder: folder.to_path_buf(),
            path: path.to_path_buf(),
        });
    }
    if path.is_dir() {
        return Err(ConnectError::IsAFolder {
            path: path.to_path_buf(),
        });
    }
    let Some(name) = path.file_name() else {
        return Err(ConnectError::IsAFolder {
            path: path.to_path_buf(),
        });
    };
    let folder = folder
        .canonicalize()
        .map_err(|_| ConnectError::MissingFolder {
            folder: folder.to_path_buf(),
        })?;
    Ok(folder.join(name))
}

/// The Any driver takes a URL; SQLite's own options write it, escaping the path.
fn any_options(options: &SqliteConnectOptions) -> Result<AnyConnectOptions, sqlx::Error> {
    AnyConnectOptions::from_url(&options.to_url_lossy())
}

/// Every connection: WAL (readers never wait for the writer), foreign keys enforced, a busy
/// timeout for other processes, and a full sync so a committed write survives a power cut.
/// No ping before each use: the database is a local file, and the ping is one more round trip
/// to the connection's worker thread per query (5 – 15 % of tracking throughput, measured).
fn with_settings(options: AnyPoolOptions) -> AnyPoolOptions {
    options
        .test_before_acquire(false)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                settings(conn).await?;
                Ok(())
            })
        })
}

async fn settings(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute(sqlx::AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}"
    )))
    .await?;
    conn.execute("PRAGMA synchronous = FULL").await?;
    // SQLite's default page cache is 2 MB a connection: on a node with tens of thousands of
    // items in flight, applying a partner's events spent most of its time re-reading index
    // pages (183 µs an event at 50,000 items against 62 µs at 10,000). 64 MiB a connection is
    // only taken as pages are read.
    conn.execute("PRAGMA cache_size = -65536").await?;
    Ok(())
}

/// Why a backup could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} already exists; a backup never overwrites a file, choose a new name", path.display())]
    Exists { path: PathBuf },
    #[error("the folder {} for the backup does not exist; create it first", folder.display())]
    MissingFolder { folder: PathBuf },
    #[error("the backup path {} is not valid UTF-8; choose a plainer name", path.display())]
    PathNotUtf8 { path: PathBuf },
    #[error("there is no SQLite database at {}", path.display())]
    NoDatabase { path: PathBuf },
    #[error(transparent)]
    Url(#[from] ConnectError),
    #[error("the backup to {} failed: {source}", path.display())]
    Failed {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
}

/// An online backup of a running store: `VACUUM INTO` writes a consistent, compact copy of the
/// database to `dest` while the server goes on reading and writing. `dest` must not exist.
pub async fn backup(store: &SqlStore, dest: &Path) -> Result<(), BackupError> {
    let target = backup_target(dest)?;
    vacuum_into(store.reader(), &target, dest).await
}

/// A backup of the database a `sqlite:` URL names, without migrating or otherwise changing it
/// (the file is opened read-only); safe while a server uses the database.
pub async fn backup_url(url: &str, dest: &Path) -> Result<(), BackupError> {
    let source = database_path(url)?;
    if !source.is_file() {
        return Err(BackupError::NoDatabase { path: source });
    }
    let target = backup_target(dest)?;
    sqlx::any::install_default_drivers();
    let failed = |source| BackupError::Failed {
        path: dest.to_path_buf(),
        source,
    };
    let options = SqliteConnectOptions::new()
        .filename(&source)
        .read_only(true);
    let mut conn = AnyConnection::connect_with(&any_options(&options).map_err(failed)?)
        .await
        .map_err(failed)?;
    let result = sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(failed);
    conn.close().await.ok();
    result.map(|_| ())
}

fn backup_target(dest: &Path) -> Result<String, BackupError> {
    if dest.exists() {
        return Err(BackupError::Exists {
            path: dest.to_path_buf(),
        });
    }
    let folder = match dest.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(BackupError::MissingFolder {
            folder: folder.to_path_buf(),
        });
    }
    dest.to_str()
        .map(str::to_owned)
        .ok_or_else(|| BackupError::PathNotUtf8 {
            path: dest.to_path_buf(),
        })
}

async fn vacuum_into(pool: &AnyPool, target: &str, dest: &Path) -> Result<(), BackupError> {
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|source| BackupError::Failed {
            path: dest.to_path_buf(),
            source,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_files() {
        assert_eq!(
            database_path("sqlite://barid.db").unwrap(),
            PathBuf::from("barid.db")
        );
        assert_eq!(
            database_path("sqlite:barid.db").unwrap(),
            PathBuf::from("barid.db")
        );
        assert_eq!(
            database_path("sqlite:///var/lib/barid/barid.db").unwrap(),
            PathBuf::from("/var/lib/barid/barid.db")
        );
        assert_eq!(
            database_path("sqlite://data/barid.db").unwrap(),
            PathBuf::from("data/barid.db")
        );
    }

    #[test]
    fn other_urls_are_refused_with_the_reason() {
        for (url, reason) in [
            ("postgres://localhost/barid", "does not start with sqlite:"),
            ("sqlite://", "names no file"),
            ("sqlite::memory:", "in-memory"),
            ("sqlite://barid.db?mode=ro", "parameters"),
        ] {
            let error = database_path(url).unwrap_err().to_string();
            assert!(error.contains(reason), "{url}: {error}");
        }
    }
}
