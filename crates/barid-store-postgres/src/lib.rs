//! Barid on PostgreSQL, for posts that outgrow one SQLite file or run several servers.
//!
//! What belongs here: reading a `postgres://` URL, turning connection failures into errors that
//! say what to check, the PostgreSQL migrations, and throwaway databases for tests. What does
//! not: any query of the store itself; that is the shared [`SqlStore`] in barid-store.
//!
//! Transactions run at PostgreSQL's default READ COMMITTED level: the shared SQL moves every
//! counter with a single atomic statement, so nothing needs a stricter level.

use std::str::FromStr;

use barid_store::sql::Dialect;
pub use barid_store::sql::SqlStore;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection};

/// How PostgreSQL differs for the shared SQL: not at all, a plain `BEGIN` will do.
pub const DIALECT: Dialect = Dialect {
    name: "postgres",
    begin_write: None,
    json_array: "json_build_array",
    json_array_agg: "json_agg",
    json_rows_of_first_parameter: "json_array_elements(CAST($1 AS json)) WITH ORDINALITY AS j(value, key)",
};

/// Connections per server process.
const CONNECTIONS: u32 = 10;

/// The migrations in `migrations/`, embedded at compile time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// Why the PostgreSQL database could not be used. Messages name the server and database but
/// never the password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "not a PostgreSQL URL: {reason}; write postgres://USER:PASSWORD@HOST:5432/DATABASE \
         (or postgresql://...)"
    )]
    BadUrl { reason: String },
    #[error(
        "cannot reach the PostgreSQL server at {server}: {source}; check that it is running and \
         accepts TCP connections there (pg_isready -h HOST -p PORT)"
    )]
    Unreachable {
        server: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "the PostgreSQL server at {server} refused user {user:?}: {source}; check the user name \
         and password in the URL, and pg_hba.conf on the server"
    )]
    Authentication {
        server: String,
        user: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "the database {database:?} does not exist on {server}; create it first \
         (createdb -h HOST -p PORT -U USER {database}): Barid creates tables, not databases"
    )]
    NoDatabase { server: String, database: String },
    #[error("cannot connect to the PostgreSQL server at {server}: {source}")]
    Connect {
        server: String,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "cannot bring the database on {server} up to date: {source}; if it was changed by hand \
         or by a newer version of Barid, restore a backup (pg_restore) or run the matching version"
    )]
    Migrate {
        server: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
}

/// The parts of a URL that messages may show.
struct Target {
    options: PgConnectOptions,
    server: String,
    user: String,
    database: String,
}

fn target(url: &str) -> Result<Target, ConnectError> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConnectError::BadUrl {
            reason: "it does not start with postgres:// or postgresql://".to_owned(),
        });
    }
    let options = PgConnectOptions::from_str(url).map_err(|error| ConnectError::BadUrl {
        reason: error.to_string(),
    })?;
    let server = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    let user = options.get_username().to_owned();
    let database = options.get_database().unwrap_or(&user).to_owned();
    Ok(Target {
        options,
        server,
        user,
        database,
    })
}

/// Sorts a failure to connect into what the operator has to fix.
fn classify(target: &Target, source: sqlx::Error) -> ConnectError {
    let server = target.server.clone();
    match &source {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            ConnectError::Unreachable { server, source }
        }
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("3D000") => ConnectError::NoDatabase {
                server,
                database: target.database.clone(),
            },
            Some("28P01" | "28000") => ConnectError::Authentication {
                server,
                user: target.user.clone(),
                source,
            },
            _ => ConnectError::Connect { server, source },
        },
        _ => ConnectError::Connect { server, source },
    }
}

/// Connects to the database a `postgres://` URL names and brings its schema up to date. The
/// database must exist.
pub async fn connect(url: &str) -> Result<SqlStore, ConnectError> {
    let target = target(url)?;
    sqlx::any::install_default_drivers();
    let options = AnyConnectOptions::from_str(url).map_err(|error| ConnectError::BadUrl {
        reason: error.to_string(),
    })?;
    // One connection first, so that an unreachable server or a refused login fails at once
    // rather than after the pool has retried for its whole acquire timeout.
    let probe = AnyConnection::connect_with(&options)
        .await
        .map_err(|source| classify(&target, source))?;
    probe.close().await.ok();
    let pool = AnyPoolOptions::new()
        .max_connections(CONNECTIONS)
        .connect_with(options)
        .await
        .map_err(|source| classify(&target, source))?;
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| ConnectError::Migrate {
            server: target.server.clone(),
            source,
        })?;
    Ok(SqlStore::new(pool.clone(), pool, DIALECT))
}

/// A database created for one test on the server `admin_url` points at, dropped (with any
/// connection still open to it) when this guard is dropped, also when the test panics.
#[derive(Debug)]
pub struct TemporaryDatabase {
    url: String,
    name: String,
}

impl TemporaryDatabase {
    /// The database's name, `barid_test_…`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TemporaryDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with a
        // runtime of its own does the dropping.
        let url = self.url.clone();
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime
                .block_on(sqlx::Postgres::force_drop_database(&url))
                .map_err(|error| error.to_string())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop the test database {}: {error}", self.name),
            Err(_) => eprintln!(
                "could not drop the test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// A fresh, migrated database with a unique name on the server `admin_url` points at (any
/// database there will do, e.g. `postgres://postgres@127.0.0.1:5432/postgres`), for tests.
pub async fn temporary(admin_url: &str) -> Result<(SqlStore, TemporaryDatabase), ConnectError> {
    let admin = target(admin_url)?;
    let name = format!("barid_test_{}", uuid::Uuid::new_v4().simple());
    let url = admin
        .options
        .clone()
        .database(&name)
        .to_url_lossy()
        .to_string();
    sqlx::Postgres::create_database(&url)
        .await
        .map_err(|source| classify(&admin, source))?;
    let guard = TemporaryDatabase {
        url: url.clone(),
        name,
    };
    let store = connect(&url).await?;
    Ok((store, guard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_postgres_urls_are_accepted() {
        assert!(target("postgres://barid:secret@db.example:5433/barid").is_ok());
        assert!(target("postgresql://barid@localhost/barid").is_ok());
        let error = target("sqlite://barid.db").err().unwrap().to_string();
        assert!(error.contains("postgres://"), "{error}");
    }

    #[test]
    fn messages_name_the_server_but_not_the_password() {
        let target = target("postgres://barid:s3cret@db.example:5433/barid").unwrap();
        assert_eq!(target.server, "db.example:5433");
        assert_eq!(target.database, "barid");
        let error = classify(&target, sqlx::Error::PoolTimedOut).to_string();
        assert!(error.contains("db.example:5433"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }
}
