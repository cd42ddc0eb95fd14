//! The backend contract suite on PostgreSQL, each case on a database of its own created on the
//! server `BARID_TEST_POSTGRES_URL` points at and dropped afterwards. Without the variable the
//! local server (postgres://postgres@127.0.0.1:5432/postgres, as on every build machine) is
//! used, so `cargo test --workspace` always covers both backends; a server that cannot be
//! reached fails every case. Only `BARID_TEST_POSTGRES_URL=none` skips them, and says so.

use barid_store::contract::Fixture;

const VARIABLE: &str = "BARID_TEST_POSTGRES_URL";

const LOCAL_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn admin_url() -> Option<String> {
    match std::env::var(VARIABLE) {
        Ok(url) if url.trim() == "none" => {
            eprintln!("{VARIABLE}=none: the PostgreSQL contract tests are SKIPPED");
            None
        }
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => Some(LOCAL_SERVER.to_owned()),
    }
}

// Test setup: with the variable set, a server that cannot be reached fails the case loudly.
#[allow(clippy::panic)]
async fn fresh() -> Option<Fixture> {
    let url = admin_url()?;
    match barid_store_postgres::temporary(&url).await {
        Ok((store, database)) => Some(Fixture::new(store, database)),
        Err(error) => panic!(
            "no PostgreSQL test database could be made on {url} (set {VARIABLE} to another \
             server, or to `none` to skip these tests): {error}"
        ),
    }
}

barid_store::contract_tests!(fresh);

#[tokio::test]
async fn connection_failures_say_what_to_fix() {
    let Some(url) = admin_url() else {
        eprintln!("skipped: {VARIABLE}=none");
        return;
    };
    let error = barid_store_postgres::connect("postgres://postgres@127.0.0.1:1/barid")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            barid_store_postgres::ConnectError::Unreachable { .. }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("127.0.0.1:1"), "{error}");

    let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
    let missing =
        sqlx::ConnectOptions::to_url_lossy(&options.database("barid_no_such_database")).to_string();
    let error = barid_store_postgres::connect(&missing).await.unwrap_err();
    assert!(
        matches!(error, barid_store_postgres::ConnectError::NoDatabase { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("barid_no_such_database"),
        "{error}"
    );
}

#[tokio::test]
async fn the_test_database_is_dropped_with_its_guard() {
    use sqlx::Connection;
    let Some(url) = admin_url() else {
        eprintln!("skipped: {VARIABLE}=none");
        return;
    };
    let (store, database) = barid_store_postgres::temporary(&url).await.unwrap();
    let name = database.name().to_owned();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let exists = "SELECT COUNT(*) FROM pg_database WHERE datname = $1";
    let count: i64 = sqlx::query_scalar(exists)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(count, 1);
    // Dropped even while the store still holds connections to it.
    drop(database);
    let count: i64 = sqlx::query_scalar(exists)
        .bind(&name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(count, 0);
    drop(store);
}
