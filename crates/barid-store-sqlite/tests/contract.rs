//! The backend contract suite on SQLite, each case on a database file of its own, plus the
//! SQLite-only behaviour: URLs, missing folders, reopening, corrupt rows and backups.

use std::sync::Arc;

use barid_store::contract::{Fixture, world};
use barid_store::{Store, StoreError};

// Test setup: a database that cannot be made is a failed test.
#[allow(clippy::expect_used)]
async fn fresh() -> Option<Fixture> {
    let (store, folder) = barid_store_sqlite::temporary()
        .await
        .expect("a temporary SQLite database");
    Some(Fixture::new(store, folder))
}

barid_store::contract_tests!(fresh);

#[tokio::test]
async fn a_missing_folder_is_a_clear_error_and_creates_nothing() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("no-such-folder");
    let url = format!("sqlite://{}/barid.db", missing.display());
    let error = barid_store_sqlite::connect(&url).await.unwrap_err();
    assert!(
        matches!(&error, barid_store_sqlite::ConnectError::MissingFolder { folder } if *folder == missing),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
    assert!(message.contains("does not exist"), "{message}");
    assert!(!missing.exists());
}

#[tokio::test]
async fn the_file_is_created_in_an_existing_folder_and_data_survives_reopening() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("barid.db");
    let url = format!("sqlite://{}", path.display());
    let store = barid_store_sqlite::connect(&url).await.unwrap();
    assert!(path.is_file());
    let store: Arc<dyn Store> = Arc::new(store);
    world::network(&store).await;
    drop(store);

    // Reopening runs the migrations again, which must be a no-op.
    let again = barid_store_sqlite::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_eq!(again.operators().await.unwrap().len(), 3);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(again.reader())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(again.writer())
        .await
        .unwrap();
    assert_eq!(keys, 1);
    let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(again.reader())
        .await
        .unwrap();
    assert!(timeout >= 5000, "{timeout}");
}

#[tokio::test]
async fn a_folder_is_not_a_database() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().display());
    let error = barid_store_sqlite::connect(&url).await.unwrap_err();
    assert!(
        matches!(error, barid_store_sqlite::ConnectError::IsAFolder { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_a_clear_error() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("notes.txt");
    std::fs::write(
        &path,
        "this is not a database, just some text long enough to matter",
    )
    .unwrap();
    let error = barid_store_sqlite::open(&path).await.unwrap_err();
    assert!(
        matches!(
            error,
            barid_store_sqlite::ConnectError::Open { .. }
                | barid_store_sqlite::ConnectError::Migrate { .. }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_row_edited_by_hand_reads_as_corrupt() {
    let (store, _folder) = barid_store_sqlite::temporary().await.unwrap();
    let writer = store.writer().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    world::network(&store).await;
    let (item, _) = world::accept(
        &store,
        barid_store::model::ItemIdSource::Given(world::s10(1)),
        &[],
    )
    .await
    .unwrap();
    // Customs lines whose values no longer add up to the declared total.
    sqlx::query("UPDATE customs_lines SET value_minor = value_minor + 1 WHERE item_id = $1")
        .bind(item.id.0)
        .execute(&writer)
        .await
        .unwrap();
    let error = store.item(world::cc("EG"), &item.s10).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error:?}");
    // A status no version of Barid writes.
    sqlx::query("UPDATE items SET status = 'teleported' WHERE id = $1")
        .bind(item.id.0)
        .execute(&writer)
        .await
        .unwrap();
    sqlx::query("DELETE FROM customs_lines")
        .execute(&writer)
        .await
        .unwrap();
    sqlx::query("DELETE FROM customs_declarations")
        .execute(&writer)
        .await
        .unwrap();
    let error = store.item(world::cc("EG"), &item.s10).await.unwrap_err();
    assert!(
        matches!(error, StoreError::Corrupt { what: "status", .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn events_and_audit_entries_cannot_be_changed() {
    let (store, _folder) = barid_store_sqlite::temporary().await.unwrap();
    let writer = store.writer().clone();
    let store: Arc<dyn Store> = Arc::new(store);
    world::network(&store).await;
    world::accept(
        &store,
        barid_store::model::ItemIdSource::Given(world::s10(1)),
        &[],
    )
    .await
    .unwrap();
    for statement in [
        "UPDATE item_events SET office = 'ELSEWHERE'",
        "DELETE FROM item_events",
        "UPDATE audit_log SET actor = 'nobody'",
        "DELETE FROM audit_log",
    ] {
        let error = sqlx::query(statement).execute(&writer).await.unwrap_err();
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }
}

#[tokio::test]
async fn online_backup_copies_a_running_database() {
    let (store, folder) = barid_store_sqlite::temporary().await.unwrap();
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    world::network(&shared).await;
    let dest = folder.path().join("backup.db");
    barid_store_sqlite::backup(&store, &dest).await.unwrap();
    // Never over an existing file.
    let error = barid_store_sqlite::backup(&store, &dest).await.unwrap_err();
    assert!(
        matches!(error, barid_store_sqlite::BackupError::Exists { .. }),
        "{error:?}"
    );
    let missing = folder.path().join("nowhere").join("backup.db");
    let error = barid_store_sqlite::backup(&store, &missing)
        .await
        .unwrap_err();
    assert!(
        matches!(error, barid_store_sqlite::BackupError::MissingFolder { .. }),
        "{error:?}"
    );

    // The copy opens as a Barid database with the same data.
    let copy = barid_store_sqlite::open(&dest).await.unwrap();
    assert_eq!(
        copy.operators().await.unwrap(),
        shared.operators().await.unwrap()
    );
    assert_eq!(copy.offices(world::cc("EG")).await.unwrap().len(), 2);

    // From a URL, without opening the database for writing.
    let url = format!("sqlite://{}", folder.path().join("barid.db").display());
    let second = folder.path().join("backup-2.db");
    barid_store_sqlite::backup_url(&url, &second).await.unwrap();
    let copy = barid_store_sqlite::open(&second).await.unwrap();
    assert_eq!(copy.operators().await.unwrap().len(), 3);
    let error = barid_store_sqlite::backup_url(
        &format!("sqlite://{}", folder.path().join("absent.db").display()),
        &folder.path().join("backup-3.db"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, barid_store_sqlite::BackupError::NoDatabase { .. }),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_writing_one_file_wait_for_each_other() {
    // Two stores on one file stand for the server and the CLI: each has its own writer, so
    // only SQLite's locking (BEGIN IMMEDIATE and the busy timeout) keeps them apart.
    let (first, folder) = barid_store_sqlite::temporary().await.unwrap();
    let second = barid_store_sqlite::open(&folder.path().join("barid.db"))
        .await
        .unwrap();
    let first: Arc<dyn Store> = Arc::new(first);
    let second: Arc<dyn Store> = Arc::new(second);
    world::network(&first).await;
    let range = first
        .create_s10_range(&world::cli("EG"), &world::rr_range(1, 1000))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let store = Arc::clone(if n % 2 == 0 { &first } else { &second });
            tokio::spawn(async move {
                world::accept(
                    &store,
                    barid_store::model::ItemIdSource::Range(range.id),
                    &[world::message("PS", "ITMATT")],
                )
                .await
                .map(|(item, _)| item.s10.serial())
            })
        })
        .collect();
    let mut serials = Vec::new();
    for task in tasks {
        serials.push(task.await.unwrap().unwrap());
    }
    serials.sort_unstable();
    assert_eq!(serials, (1..=40).collect::<Vec<u32>>());
    let pending = world::pending(&second, "PS", world::T0).await;
    assert_eq!(world::sequences(&pending), (1..=40).collect::<Vec<i64>>());
}

#[tokio::test]
async fn a_database_from_before_quality_gets_every_items_timeline_once() {
    use barid_store::model::ItemIdSource;
    let (store, _folder) = barid_store_sqlite::temporary().await.unwrap();
    let shared: Arc<dyn Store> = Arc::new(store.clone());
    world::network(&shared).await;
    for serial in 1..=3 {
        world::accept(&shared, ItemIdSource::Given(world::s10(serial)), &[])
            .await
            .unwrap();
    }
    let counts = || async {
        sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT metric, posted_day, items FROM quality_counts ORDER BY 1, 2",
        )
        .fetch_all(store.reader())
        .await
        .unwrap()
    };
    let kept = counts().await;
    assert!(!kept.is_empty());
    // Caught up: as many timelines as items, nothing to do.
    assert_eq!(shared.catch_up_quality().await.unwrap(), 0);

    // As a database from before migration 0005: items, no timelines, no counts.
    sqlx::query("DELETE FROM quality_counts")
        .execute(store.writer())
        .await
        .unwrap();
    sqlx::query("DELETE FROM item_quality")
        .execute(store.writer())
        .await
        .unwrap();
    assert_eq!(shared.catch_up_quality().await.unwrap(), 3);
    assert_eq!(counts().await, kept);
    assert_eq!(shared.catch_up_quality().await.unwrap(), 0);
}
