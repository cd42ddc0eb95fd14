//! The contract cases. Each takes a fresh, empty, migrated store.

use std::collections::BTreeSet;
use std::sync::Arc;

use barid_core::lifecycle::{EventSource, ItemStatus, Leg};
use barid_core::{Milestone, NextAction, ReasonCode, Role};
use serde_json::json;
use time::macros::{datetime, offset};

pub use super::office_cases::*;
pub use super::quality_cases::*;
use super::world::*;
use crate::model::*;
use crate::{Store, StoreError};

pub async fn ping_answers(store: Arc<dyn Store>) {
    store.ping().await.unwrap();
}

// --- operators and offices -----------------------------------------------------------------

pub async fn operators_are_created_read_and_listed(store: Arc<dyn Store>) {
    let eg = store
        .create_operator(&cli("EG"), &new_operator("EG", true))
        .await
        .unwrap();
    let jo = store
        .create_operator(&cli("JO"), &new_operator("JO", false))
        .await
        .unwrap();
    assert_eq!(eg.code, cc("EG"));
    assert_eq!(eg.name_ar, "البريد المصري");
    assert!(eg.hosted);
    assert!(!jo.hosted);
    assert_eq!(eg.created_at, T0);
    assert_eq!(store.operator(cc("EG")).await.unwrap(), Some(eg.clone()));
    assert_eq!(store.operator(cc("JO")).await.unwrap(), Some(jo.clone()));
    assert_eq!(store.operator(cc("IQ")).await.unwrap(), None);
    assert_eq!(store.operators().await.unwrap(), vec![eg, jo]);
}

pub async fn operator_code_conflict_writes_nothing(store: Arc<dyn Store>) {
    store
        .create_operator(&cli("EG"), &new_operator("EG", true))
        .await
        .unwrap();
    let mut again = new_operator("EG", false);
    again.name_en = "Someone else".to_owned();
    assert_conflict(store.create_operator(&cli("EG"), &again).await);
    let stored = store.operator(cc("EG")).await.unwrap().unwrap();
    assert_eq!(stored.name_en, "Egypt Post");
    assert!(stored.hosted);
    assert_eq!(audit_actions(&store, "EG").await, vec!["operator.create"]);
}

pub async fn offices_are_created_read_and_listed(store: Arc<dyn Store>) {
    store
        .create_operator(&cli("EG"), &new_operator("EG", true))
        .await
        .unwrap();
    let exchange = store
        .create_office(
            &cli("EG"),
            &new_office("EG", "EGCAIA", Some("EGCAIA"), OfficeKind::Exchange),
        )
        .await
        .unwrap();
    let counter = store
        .create_office(
            &cli("EG"),
            &new_office("EG", "EG-CAIRO-1", None, OfficeKind::Counter),
        )
        .await
        .unwrap();
    assert_eq!(
        exchange.impc.as_ref().map(|impc| impc.as_str()),
        Some("EGCAIA")
    );
    assert_eq!(counter.kind, OfficeKind::Counter);
    assert_eq!(counter.name_ar, "مكتب EG-CAIRO-1");
    assert_ne!(exchange.id, counter.id);
    assert_eq!(
        store.office(cc("EG"), &site("EGCAIA")).await.unwrap(),
        Some(exchange.clone())
    );
    assert_eq!(
        store.office(cc("EG"), &site("EG-CAIRO-1")).await.unwrap(),
        Some(counter.clone())
    );
    assert_eq!(
        store.office(cc("EG"), &site("EG-ALEX-1")).await.unwrap(),
        None
    );
    // Sorted by code.
    assert_eq!(
        store.offices(cc("EG")).await.unwrap(),
        vec![counter, exchange]
    );
}

pub async fn office_code_conflict_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let before = audit_count(&store, "PS").await;
    // Office codes are unique on the node, so each starts with its operator's country code:
    // PS cannot take one of EG's.
    assert!(matches!(
        store
            .create_office(
                &cli("PS"),
                &new_office("PS", "EG-CAIRO-1", None, OfficeKind::Counter),
            )
            .await,
        Err(StoreError::Invalid { field: "code", .. })
    ));
    // An IMPC code is taken once.
    assert_conflict(
        store
            .create_office(
                &cli("PS"),
                &new_office("PS", "PSRMHA", Some("PSRMHA"), OfficeKind::Exchange),
            )
            .await,
    );
    assert_eq!(
        store.office(cc("PS"), &site("EG-CAIRO-1")).await.unwrap(),
        None
    );
    assert_eq!(
        store.office(cc("PS"), &site("PS-OTHER")).await.unwrap(),
        None
    );
    assert_eq!(store.offices(cc("PS")).await.unwrap().len(), 2);
    assert_eq!(audit_count(&store, "PS").await, before);
}

pub async fn office_of_unknown_operator_is_not_found(store: Arc<dyn Store>) {
    assert_not_found(
        store
            .create_office(
                &cli("IQ"),
                &new_office("IQ", "IQ-BAGHDAD-1", None, OfficeKind::Counter),
            )
            .await,
    );
    assert!(store.offices(cc("IQ")).await.unwrap().is_empty());
}

/// Everything Egypt owns, for the cases about another operator reaching for it.
struct EgyptData {
    user: User,
    token: ApiToken,
    item: Item,
    agreement: Agreement,
}

async fn egypt_data(store: &Arc<dyn Store>) -> EgyptData {
    network(store).await;
    let user = user(store, "EG", "mona").await;
    let token = store
        .create_api_token(
            &cli("EG"),
            &NewApiToken {
                operator: cc("EG"),
                name: "merchant".to_owned(),
                secret_hash: "hash-merchant".to_owned(),
                role: Role::Merchant,
                office: None,
                partner: None,
            },
        )
        .await
        .unwrap();
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(1, 100))
        .await
        .unwrap();
    let (item, _) = accept(store, ItemIdSource::Range(range.id), &[])
        .await
        .unwrap();
    let agreement = store
        .create_agreement(
            &cli("EG"),
            &NewAgreement {
                operator: cc("EG"),
                partner: cc("JO"),
                reference: "MOU-EG-JO".to_owned(),
                status: AgreementStatus::Active,
                terms: json!({"services": ["RR"]}),
            },
        )
        .await
        .unwrap();
    EgyptData {
        user,
        token,
        item,
        agreement,
    }
}

pub async fn foreign_operator_reads_find_nothing(store: Arc<dyn Store>) {
    let eg = egypt_data(&store).await;
    let ps = cc("PS");
    assert_eq!(store.office(ps, &site("EGCAIA")).await.unwrap(), None);
    assert_eq!(store.user(ps, &eg.user.username).await.unwrap(), None);
    assert!(
        !store
            .users(ps)
            .await
            .unwrap()
            .iter()
            .any(|user| user.id == eg.user.id)
    );
    assert!(store.api_tokens(ps).await.unwrap().is_empty());
    assert!(store.s10_ranges(ps).await.unwrap().is_empty());
    assert_eq!(store.item(ps, &eg.item.s10).await.unwrap(), None);
    assert!(store.item_events(ps, eg.item.id).await.unwrap().is_empty());
    assert!(store.agreements(ps).await.unwrap().is_empty());
    assert_not_found(store.agreement_history(ps, eg.agreement.id).await);
    assert!(
        store
            .audit_log(ps, None, 1000)
            .await
            .unwrap()
            .items
            .iter()
            .all(|entry| entry.operator == ps)
    );
    // Egypt itself sees all of it.
    assert_eq!(
        store.item(cc("EG"), &eg.item.s10).await.unwrap(),
        Some(eg.item.clone())
    );
    assert_eq!(store.api_tokens(cc("EG")).await.unwrap(), vec![eg.token]);
}

pub async fn foreign_operator_writes_are_not_found_and_write_nothing(store: Arc<dyn Store>) {
    let eg = egypt_data(&store).await;
    let before_eg = audit_count(&store, "EG").await;
    let before_ps = audit_count(&store, "PS").await;
    let palestine = cli("PS");
    assert_not_found(store.set_password(&palestine, eg.user.id, "stolen").await);
    assert_not_found(
        store
            .set_user_access(
                &palestine,
                eg.user.id,
                &BTreeSet::from([Role::Admin]),
                &BTreeSet::new(),
            )
            .await,
    );
    assert_not_found(store.set_user_active(&palestine, eg.user.id, false).await);
    assert_not_found(store.revoke_api_token(&palestine, eg.token.id).await);
    assert_not_found(
        store
            .record_event(
                &palestine,
                eg.item.id,
                eg.item.version,
                &at_outward_office(T0 + minutes(30)),
                derived(ItemStatus::AtOutwardOffice),
                &[],
            )
            .await,
    );
    assert_not_found(
        store
            .update_agreement(
                &palestine,
                eg.agreement.id,
                1,
                AgreementStatus::Ended,
                &json!({}),
            )
            .await,
    );
    // Nothing changed.
    let credentials = store.credentials(&eg.user.username).await.unwrap().unwrap();
    assert_ne!(credentials.password_hash, "stolen");
    assert_eq!(credentials.user, eg.user);
    assert!(store.api_token("hash-merchant").await.unwrap().is_some());
    assert_eq!(
        store.item(cc("EG"), &eg.item.s10).await.unwrap(),
        Some(eg.item.clone())
    );
    assert_eq!(
        store.item_events(cc("EG"), eg.item.id).await.unwrap().len(),
        1
    );
    assert_eq!(
        store.agreements(cc("EG")).await.unwrap(),
        vec![eg.agreement]
    );
    assert_eq!(audit_count(&store, "EG").await, before_eg);
    assert_eq!(audit_count(&store, "PS").await, before_ps);
}

// --- users, sessions, tokens ---------------------------------------------------------------

pub async fn users_are_created_read_and_listed(store: Arc<dyn Store>) {
    network(&store).await;
    let mut new = new_user(
        "EG",
        "Mona.Clerk",
        &[Role::Clerk, Role::Customs],
        &["EG-CAIRO-1", "EGCAIA"],
    );
    new.display_name = "منى عبد الله".to_owned();
    let mona = store.create_user(&cli("EG"), &new).await.unwrap();
    assert_eq!(mona.username.as_str(), "mona.clerk");
    assert_eq!(mona.display_name, "منى عبد الله");
    assert_eq!(mona.roles, BTreeSet::from([Role::Clerk, Role::Customs]));
    assert_eq!(
        mona.offices,
        BTreeSet::from([site("EG-CAIRO-1"), site("EGCAIA")])
    );
    assert!(mona.active);
    assert_eq!(mona.created_at, T0);
    let admin = store
        .create_user(&cli("EG"), &new_user("EG", "admin", &[Role::Admin], &[]))
        .await
        .unwrap();
    assert_ne!(admin.id, mona.id);
    assert_eq!(
        store.user(cc("EG"), &username("MONA.CLERK")).await.unwrap(),
        Some(mona.clone())
    );
    assert_eq!(
        store.user(cc("EG"), &username("nobody")).await.unwrap(),
        None
    );
    assert_eq!(store.users(cc("EG")).await.unwrap(), vec![admin, mona]);
    assert!(store.users(cc("PS")).await.unwrap().is_empty());
}

pub async fn credentials_and_set_password(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = user(&store, "EG", "mona").await;
    let credentials = store.credentials(&username("mona")).await.unwrap().unwrap();
    assert_eq!(credentials.user, mona);
    assert_eq!(
        credentials.password_hash,
        "$argon2id$v=19$m=19456,t=2,p=1$salt$mona"
    );
    assert!(!format!("{credentials:?}").contains("argon2id"));
    assert!(
        store
            .credentials(&username("nobody"))
            .await
            .unwrap()
            .is_none()
    );

    store
        .create_session(&new_session("before-change", mona.id, 60))
        .await
        .unwrap();
    let admin = clerk("EG", mona.id, "EG-CAIRO-1");
    store
        .set_password(&admin, mona.id, "$argon2id$new")
        .await
        .unwrap();
    // A new password ends the logins made with the old one.
    assert!(store.session("before-change", T0).await.unwrap().is_none());
    let credentials = store.credentials(&username("mona")).await.unwrap().unwrap();
    assert_eq!(credentials.password_hash, "$argon2id$new");
    assert_not_found(
        store
            .set_password(&admin, UserId(999_999), "$argon2id$x")
            .await,
    );
    // The audit says the password changed, never what it is.
    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "user.password");
    assert_eq!(entry.object_id, "mona");
    assert!(!entry.details.to_string().contains("argon2id"));
}

pub async fn set_user_access_replaces_roles_and_offices(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = store
        .create_user(
            &cli("EG"),
            &new_user("EG", "mona", &[Role::Clerk], &["EG-CAIRO-1"]),
        )
        .await
        .unwrap();
    let roles = BTreeSet::from([Role::Supervisor, Role::OeOperator]);
    let offices = BTreeSet::from([site("EGCAIA")]);
    let updated = store
        .set_user_access(&cli("EG"), mona.id, &roles, &offices)
        .await
        .unwrap();
    assert_eq!(updated.roles, roles);
    assert_eq!(updated.offices, offices);
    assert_eq!(updated.id, mona.id);
    assert_eq!(
        store.user(cc("EG"), &mona.username).await.unwrap(),
        Some(updated)
    );

    let none = store
        .set_user_access(&cli("EG"), mona.id, &BTreeSet::new(), &BTreeSet::new())
        .await
        .unwrap();
    assert!(none.roles.is_empty() && none.offices.is_empty());
    let stored = store.user(cc("EG"), &mona.username).await.unwrap().unwrap();
    assert!(stored.roles.is_empty() && stored.offices.is_empty());

    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "user.access");
    assert_eq!(
        entry.details["roles"]["from"],
        json!(["supervisor", "oe_operator"])
    );
    assert_eq!(entry.details["roles"]["to"], json!([]));
}

pub async fn foreign_office_assignment_is_refused(store: Arc<dyn Store>) {
    network(&store).await;
    let before = audit_count(&store, "EG").await;
    assert_not_found(
        store
            .create_user(
                &cli("EG"),
                &new_user("EG", "mona", &[Role::Clerk], &["EG-CAIRO-1", "PSRMHA"]),
            )
            .await,
    );
    assert!(
        store
            .credentials(&username("mona"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.users(cc("EG")).await.unwrap().is_empty());

    let mona = store
        .create_user(
            &cli("EG"),
            &new_user("EG", "mona", &[Role::Clerk], &["EG-CAIRO-1"]),
        )
        .await
        .unwrap();
    assert_not_found(
        store
            .set_user_access(
                &cli("EG"),
                mona.id,
                &BTreeSet::from([Role::Delivery]),
                &BTreeSet::from([site("PS-RAMALLAH-1")]),
            )
            .await,
    );
    assert_eq!(
        store.user(cc("EG"), &mona.username).await.unwrap(),
        Some(mona)
    );

    assert_not_found(
        store
            .create_api_token(
                &cli("EG"),
                &NewApiToken {
                    operator: cc("EG"),
                    name: "counter".to_owned(),
                    secret_hash: "hash-1".to_owned(),
                    role: Role::Clerk,
                    office: Some(site("PSRMHA")),
                    partner: None,
                },
            )
            .await,
    );
    assert!(store.api_token("hash-1").await.unwrap().is_none());
    assert_eq!(audit_actions(&store, "EG").await.len(), before + 1);
}

pub async fn username_conflict_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = user(&store, "EG", "mona").await;
    let before = audit_count(&store, "PS").await;
    // Usernames are unique on the node, so login needs no operator.
    assert_conflict(
        store
            .create_user(
                &cli("PS"),
                &new_user("PS", "MONA", &[Role::Admin], &["PS-RAMALLAH-1"]),
            )
            .await,
    );
    assert!(store.users(cc("PS")).await.unwrap().is_empty());
    assert_eq!(
        store
            .credentials(&username("mona"))
            .await
            .unwrap()
            .unwrap()
            .user,
        mona
    );
    assert_eq!(audit_count(&store, "PS").await, before);
}

fn new_session(secret: &str, user: UserId, minutes_valid: i64) -> NewSession {
    NewSession {
        secret_hash: secret.to_owned(),
        user,
        csrf_token: format!("csrf-{secret}"),
        created_at: T0,
        expires_at: T0 + minutes(minutes_valid),
    }
}

pub async fn sessions_are_created_read_expired_and_deleted(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = store
        .create_user(
            &cli("EG"),
            &new_user("EG", "mona", &[Role::Clerk], &["EG-CAIRO-1"]),
        )
        .await
        .unwrap();
    let before = audit_count(&store, "EG").await;
    store
        .create_session(&new_session("s1", mona.id, 60))
        .await
        .unwrap();
    store
        .create_session(&new_session("s2", mona.id, 120))
        .await
        .unwrap();
    assert_conflict(store.create_session(&new_session("s1", mona.id, 60)).await);
    assert_not_found(
        store
            .create_session(&new_session("s3", UserId(999_999), 60))
            .await,
    );

    let session = store
        .session("s1", T0 + minutes(59))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.user, mona);
    assert_eq!(session.csrf_token, "csrf-s1");
    assert_eq!(session.created_at, T0);
    assert_eq!(session.expires_at, T0 + minutes(60));
    // Expired at its expiry time.
    assert!(
        store
            .session("s1", T0 + minutes(60))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.session("unknown", T0).await.unwrap().is_none());

    assert_eq!(
        store
            .delete_expired_sessions(T0 + minutes(90))
            .await
            .unwrap(),
        1
    );
    assert!(store.session("s1", T0).await.unwrap().is_none());
    assert!(
        store
            .session("s2", T0 + minutes(90))
            .await
            .unwrap()
            .is_some()
    );
    store.delete_session("s2").await.unwrap();
    assert!(store.session("s2", T0).await.unwrap().is_none());
    store.delete_session("s2").await.unwrap();
    assert_eq!(
        store
            .delete_expired_sessions(T0 + minutes(1000))
            .await
            .unwrap(),
        0
    );
    // Sessions are not audited.
    assert_eq!(audit_count(&store, "EG").await, before);
}

pub async fn deactivated_user_has_no_session(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = user(&store, "EG", "mona").await;
    store
        .create_session(&new_session("s1", mona.id, 60))
        .await
        .unwrap();
    assert!(store.session("s1", T0).await.unwrap().is_some());

    store
        .set_user_active(&cli("EG"), mona.id, false)
        .await
        .unwrap();
    assert!(store.session("s1", T0).await.unwrap().is_none());
    assert!(
        !store
            .credentials(&mona.username)
            .await
            .unwrap()
            .unwrap()
            .user
            .active
    );
    assert!(
        !store
            .user(cc("EG"), &mona.username)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    assert_not_found(store.create_session(&new_session("s2", mona.id, 60)).await);

    // Reactivated, the user logs in again; the old session stays gone.
    store
        .set_user_active(&cli("EG"), mona.id, true)
        .await
        .unwrap();
    assert!(
        store
            .user(cc("EG"), &mona.username)
            .await
            .unwrap()
            .unwrap()
            .active
    );
    assert!(store.session("s1", T0).await.unwrap().is_none());
    store
        .create_session(&new_session("s3", mona.id, 60))
        .await
        .unwrap();
    assert!(store.session("s3", T0).await.unwrap().is_some());
    let actions = audit_actions(&store, "EG").await;
    assert_eq!(
        actions[actions.len() - 2..],
        ["user.deactivate", "user.activate"]
    );
}

pub async fn api_tokens_are_created_looked_up_and_revoked(store: Arc<dyn Store>) {
    network(&store).await;
    let new = NewApiToken {
        operator: cc("EG"),
        name: "Palestine Post node".to_owned(),
        secret_hash: "hash-ps".to_owned(),
        role: Role::Partner,
        office: None,
        partner: Some(cc("PS")),
    };
    assert!(!format!("{new:?}").contains("hash-ps"));
    let token = store.create_api_token(&cli("EG"), &new).await.unwrap();
    assert_eq!(token.partner, Some(cc("PS")));
    assert_eq!(token.role, Role::Partner);
    assert_eq!(token.revoked_at, None);
    assert_eq!(token.created_at, T0);
    let counter = store
        .create_api_token(
            &cli("EG"),
            &NewApiToken {
                operator: cc("EG"),
                name: "counter kiosk".to_owned(),
                secret_hash: "hash-kiosk".to_owned(),
                role: Role::Clerk,
                office: Some(site("EG-CAIRO-1")),
                partner: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.api_token("hash-ps").await.unwrap(),
        Some(token.clone())
    );
    assert_eq!(
        store.api_token("hash-kiosk").await.unwrap(),
        Some(counter.clone())
    );
    assert_eq!(store.api_token("hash-other").await.unwrap(), None);
    assert_eq!(
        store.api_tokens(cc("EG")).await.unwrap(),
        vec![token.clone(), counter.clone()]
    );
    assert_conflict(store.create_api_token(&cli("EG"), &new).await);

    let mut later = cli("EG");
    later.at = T0 + minutes(5);
    store.revoke_api_token(&later, token.id).await.unwrap();
    assert_eq!(store.api_token("hash-ps").await.unwrap(), None);
    let listed = store.api_tokens(cc("EG")).await.unwrap();
    assert_eq!(listed[0].revoked_at, Some(T0 + minutes(5)));
    assert_eq!(listed[1], counter);
    // Revoking again changes nothing and is not audited twice.
    store.revoke_api_token(&later, token.id).await.unwrap();
    assert_not_found(store.revoke_api_token(&later, TokenId(999_999)).await);
    let actions = audit_actions(&store, "EG").await;
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "api_token.revoke")
            .count(),
        1
    );
    assert_eq!(
        actions
            .iter()
            .filter(|action| *action == "api_token.create")
            .count(),
        2
    );
}

// --- S10 ranges and items ------------------------------------------------------------------

pub async fn s10_ranges_are_created_listed_and_never_overlap(store: Arc<dyn Store>) {
    network(&store).await;
    let first = store
        .create_s10_range(&cli("EG"), &rr_range(1, 100))
        .await
        .unwrap();
    assert_eq!(first.operator, cc("EG"));
    assert_eq!(first.next_serial, Some(1));
    assert_eq!(first.range, rr_range(1, 100));
    assert_eq!(first.created_at, T0);
    assert_conflict(store.create_s10_range(&cli("EG"), &rr_range(50, 150)).await);
    assert_conflict(
        store
            .create_s10_range(&cli("EG"), &rr_range(100, 100))
            .await,
    );
    let second = store
        .create_s10_range(&cli("EG"), &rr_range(101, 200))
        .await
        .unwrap();
    let ems = barid_core::S10Range::new(
        barid_core::ServiceIndicator::parse("EE").unwrap(),
        cc("EG"),
        1,
        100,
    )
    .unwrap();
    let third = store.create_s10_range(&cli("EG"), &ems).await.unwrap();
    assert_eq!(
        store.s10_ranges(cc("EG")).await.unwrap(),
        vec![first, second, third]
    );
    assert_eq!(
        audit_actions(&store, "EG")
            .await
            .iter()
            .filter(|a| *a == "s10_range.create")
            .count(),
        3
    );
}

pub async fn concurrent_overlapping_ranges_create_exactly_one(store: Arc<dyn Store>) {
    network(&store).await;
    // The race needs the writers to interleave, so try several rounds.
    for round in 0..6u32 {
        let (first, last) = (round * 1000 + 1, round * 1000 + 100);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .create_s10_range(&cli("EG"), &rr_range(first, last))
                        .await
                })
            })
            .collect();
        let mut created = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => created += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(other) => panic!("expected success or conflict, got {other:?}"),
            }
        }
        assert_eq!(created, 1, "round {round}");
    }
    assert_eq!(store.s10_ranges(cc("EG")).await.unwrap().len(), 6);
}

pub async fn concurrent_access_changes_succeed_or_conflict(store: Arc<dyn Store>) {
    network(&store).await;
    let mona = store
        .create_user(
            &cli("EG"),
            &new_user("EG", "mona", &[Role::Clerk], &["EG-CAIRO-1"]),
        )
        .await
        .unwrap();
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let store = store.clone();
            let roles = if n % 2 == 0 {
                BTreeSet::from([Role::Clerk, Role::Supervisor])
            } else {
                BTreeSet::from([Role::OeOperator])
            };
            let offices = BTreeSet::from([site("EGCAIA")]);
            tokio::spawn(async move {
                store
                    .set_user_access(&cli("EG"), mona.id, &roles, &offices)
                    .await
            })
        })
        .collect();
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) | Err(StoreError::Conflict { .. }) => {}
            Err(other) => panic!("expected success or conflict, got {other:?}"),
        }
    }
    let stored = store.user(cc("EG"), &mona.username).await.unwrap().unwrap();
    assert!(
        stored.roles == BTreeSet::from([Role::Clerk, Role::Supervisor])
            || stored.roles == BTreeSet::from([Role::OeOperator]),
        "roles are one caller's whole set, never a mix: {:?}",
        stored.roles
    );
}

pub async fn create_item_issues_serials_in_order(store: Arc<dyn Store>) {
    network(&store).await;
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(10, 12))
        .await
        .unwrap();
    let mut issued = Vec::new();
    for _ in 0..3 {
        let (item, _) = accept(&store, ItemIdSource::Range(range.id), &[])
            .await
            .unwrap();
        issued.push(item.s10);
    }
    assert_eq!(issued, vec![s10(10), s10(11), s10(12)]);
    assert_eq!(
        issued[0].to_string(),
        format!("RR{:08}{}EG", 10, s10(10).check_digit())
    );
    let listed = store.s10_ranges(cc("EG")).await.unwrap();
    assert_eq!(listed[0].next_serial, None);
    for id in issued {
        assert!(store.item(cc("EG"), &id).await.unwrap().is_some());
    }
}

pub async fn range_exhaustion_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(7, 7))
        .await
        .unwrap();
    accept(
        &store,
        ItemIdSource::Range(range.id),
        &[message("PS", "ITMATT")],
    )
    .await
    .unwrap();
    let audit_before = audit_count(&store, "EG").await;

    let result = accept(
        &store,
        ItemIdSource::Range(range.id),
        &[message("PS", "ITMATT")],
    )
    .await;
    match result {
        Err(StoreError::RangeExhausted { range }) => assert!(range.contains("RR"), "{range}"),
        other => panic!("expected RangeExhausted, got {other:?}"),
    }
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1]);
    assert_eq!(audit_count(&store, "EG").await, audit_before);
    assert_eq!(
        store.s10_ranges(cc("EG")).await.unwrap()[0].next_serial,
        None
    );
    assert_eq!(store.item(cc("EG"), &s10(8)).await.unwrap(), None);

    // A range that is not the operator's, or none at all, is not found.
    let theirs = store
        .create_s10_range(
            &cli("PS"),
            &barid_core::S10Range::new(
                barid_core::ServiceIndicator::parse("RR").unwrap(),
                cc("PS"),
                1,
                100,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_not_found(accept(&store, ItemIdSource::Range(theirs.id), &[]).await);
    assert_not_found(accept(&store, ItemIdSource::Range(RangeId(999_999)), &[]).await);
    assert_eq!(
        store.s10_ranges(cc("PS")).await.unwrap()[0].next_serial,
        Some(1)
    );
}

pub async fn concurrent_create_item_gives_distinct_consecutive_serials(store: Arc<dyn Store>) {
    network(&store).await;
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(1000, 1999))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                accept(
                    &store,
                    ItemIdSource::Range(range.id),
                    &[message("PS", "ITMATT")],
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
    assert_eq!(serials, (1000..1050).collect::<Vec<u32>>());
    assert_eq!(
        store.s10_ranges(cc("EG")).await.unwrap()[0].next_serial,
        Some(1050)
    );
    assert_eq!(
        sequences(&pending(&store, "PS", T0).await),
        (1..=50).collect::<Vec<i64>>()
    );
}

pub async fn create_item_writes_item_event_and_outbox_together(store: Arc<dyn Store>) {
    network(&store).await;
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(1, 100))
        .await
        .unwrap();
    let messages = [
        message("PS", "ITMATT"),
        message("JO", "ITMATT"),
        message("PS", "EMSEVT"),
    ];
    let mut actor = clerk("EG", UserId(41), "EG-CAIRO-1");
    actor.token = Some(TokenId(7));
    let new = new_item(ItemIdSource::Range(range.id));
    let first = accepted(T0 - minutes(2));
    let (item, event) = store
        .create_item(
            &actor,
            &new,
            &first,
            derived(ItemStatus::Accepted),
            &messages,
        )
        .await
        .unwrap();

    assert_eq!(item.s10, s10(1));
    assert_eq!(item.status, ItemStatus::Accepted);
    assert_eq!(item.leg, Leg::Outbound);
    assert_eq!(item.version, 1);
    assert_eq!(item.sender, new.sender);
    assert_eq!(item.customs, new.customs);
    assert_eq!(item.postage, new.postage);
    assert_eq!(item.created_at, T0);
    assert_eq!(
        store.item(cc("EG"), &item.s10).await.unwrap(),
        Some(item.clone())
    );

    assert_eq!(event.item, item.id);
    assert_eq!(event.event, first);
    assert_eq!(event.recorded_at, T0);
    assert_eq!(
        store.item_events(cc("EG"), item.id).await.unwrap(),
        vec![event]
    );

    let to_ps = pending(&store, "PS", T0).await;
    assert_eq!(sequences(&to_ps), vec![1, 2]);
    assert_eq!(to_ps[0].message_id, messages[0].message_id);
    assert_eq!(to_ps[1].message_id, messages[2].message_id);
    assert_eq!(to_ps[0].sender, cc("EG"));
    assert_eq!(to_ps[0].body, messages[0].body);
    assert_eq!(to_ps[0].message_type, "ITMATT");
    assert_eq!(to_ps[0].version, "1");
    assert_eq!(to_ps[0].attempts, 0);
    assert_eq!(to_ps[0].created_at, T0);
    assert_eq!(to_ps[0].next_attempt_at, T0);
    assert_eq!(to_ps[0].last_error, None);
    assert_eq!(to_ps[0].delivered_at, None);
    assert_eq!(sequences(&pending(&store, "JO", T0).await), vec![1]);

    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "item.create");
    assert_eq!(entry.object_type, "item");
    assert_eq!(entry.object_id, item.s10.to_string());
    assert_eq!(entry.user, Some(UserId(41)));
    assert_eq!(entry.token, Some(TokenId(7)));
    assert_eq!(entry.office, Some(site("EG-CAIRO-1")));
    assert_eq!(entry.details["outbox"].as_array().map(Vec::len), Some(3));
}

pub async fn duplicate_s10_conflict_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let given = ItemIdSource::Given(s10(123));
    let (item, _) = accept(&store, given, &[message("PS", "ITMATT")])
        .await
        .unwrap();
    let audit_before = audit_count(&store, "EG").await;

    assert_conflict(accept(&store, given, &[message("PS", "ITMATT")]).await);
    assert_eq!(
        store.item(cc("EG"), &item.s10).await.unwrap(),
        Some(item.clone())
    );
    assert_eq!(store.item_events(cc("EG"), item.id).await.unwrap().len(), 1);
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1]);
    assert_eq!(audit_count(&store, "EG").await, audit_before);

    // The refused write gave its sequence number back: the next message is number 2.
    accept(
        &store,
        ItemIdSource::Given(s10(124)),
        &[message("PS", "ITMATT")],
    )
    .await
    .unwrap();
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1, 2]);

    // Another operator may hold an item with the same S10 ID (learnt from the origin post).
    let mut theirs = new_item(given);
    theirs.operator = cc("PS");
    store
        .create_item(
            &cli("PS"),
            &theirs,
            &accepted(T0),
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    // A message ID is used once.
    let reused = message("PS", "ITMATT");
    accept(
        &store,
        ItemIdSource::Given(s10(125)),
        std::slice::from_ref(&reused),
    )
    .await
    .unwrap();
    assert_conflict(accept(&store, ItemIdSource::Given(s10(126)), &[reused]).await);
    assert_eq!(store.item(cc("EG"), &s10(126)).await.unwrap(), None);
}

pub async fn customs_declarations_round_trip(store: Arc<dyn Store>) {
    network(&store).await;
    let mut with_cn23 = new_item(ItemIdSource::Given(s10(2)));
    with_cn23.customs = Some(cn23());
    let mut without = new_item(ItemIdSource::Given(s10(3)));
    without.customs = None;
    without.postage = None;
    without.length_mm = None;
    for new in [new_item(ItemIdSource::Given(s10(1))), with_cn23, without] {
        let (item, _) = store
            .create_item(
                &cli("EG"),
                &new,
                &accepted(T0),
                derived(ItemStatus::Accepted),
                &[],
            )
            .await
            .unwrap();
        let stored = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
        assert_eq!(stored, item);
        assert_eq!(stored.customs, new.customs);
        assert_eq!(
            stored.customs.as_ref().map(|customs| customs.form()),
            new.customs.as_ref().map(|customs| customs.form())
        );
        assert_eq!(stored.postage, new.postage);
        assert_eq!(stored.length_mm, new.length_mm);
    }
}

pub async fn record_event_updates_status_version_and_outbox(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, first) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    let mut actor = clerk("EG", UserId(3), "EGCAIA");
    actor.at = T0 + minutes(45);
    let arrived = at_outward_office(T0 + minutes(40));
    let recorded = store
        .record_event(
            &actor,
            item.id,
            1,
            &arrived,
            derived(ItemStatus::AtOutwardOffice),
            &[message("PS", "EMSEVT")],
        )
        .await
        .unwrap();
    let EventRecorded::Recorded(second) = recorded else {
        panic!("expected Recorded, got {recorded:?}");
    };
    assert_eq!(second.event, arrived);
    assert_eq!(second.recorded_at, T0 + minutes(45));
    let stored = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.status, ItemStatus::AtOutwardOffice);
    assert_eq!(
        store.item_events(cc("EG"), item.id).await.unwrap(),
        vec![first, second.clone()]
    );
    let outbox = pending(&store, "PS", T0 + minutes(45)).await;
    assert_eq!(sequences(&outbox), vec![1]);
    assert_eq!(outbox[0].message_type, "EMSEVT");

    // A return to sender: the derived leg is stored too, with the reason and next action.
    let mut attempt = at_outward_office(T0 + minutes(50));
    attempt.code = barid_core::EventCode::parse("EXX").unwrap();
    attempt.milestone = Milestone::ExportCancelled;
    attempt.reason = Some(ReasonCode::parse("03").unwrap());
    attempt.next_action = Some(NextAction::ReturnToSender);
    attempt.signatory = Some("Officer Hassan".to_owned());
    attempt.note = Some("refused by export customs".to_owned());
    let recorded = store
        .record_event(
            &actor,
            item.id,
            2,
            &attempt,
            DerivedStatus {
                status: ItemStatus::ReturnPending,
                leg: Leg::Return,
            },
            &[],
        )
        .await
        .unwrap();
    assert!(matches!(recorded, EventRecorded::Recorded(ref event) if event.event == attempt));
    let stored = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
    assert_eq!(
        (stored.status, stored.leg, stored.version),
        (ItemStatus::ReturnPending, Leg::Return, 3)
    );
    assert_eq!(
        store.item_events(cc("EG"), item.id).await.unwrap()[2].event,
        attempt
    );
    assert_not_found(
        store
            .record_event(
                &actor,
                ItemId(999_999),
                1,
                &attempt,
                derived(ItemStatus::Accepted),
                &[],
            )
            .await,
    );
}

pub async fn record_event_is_idempotent(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, _) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    let arrived = at_outward_office(datetime!(2026-05-10 12:40:00 +03:00));
    let status = derived(ItemStatus::AtOutwardOffice);
    let EventRecorded::Recorded(first) = store
        .record_event(
            &cli("EG"),
            item.id,
            1,
            &arrived,
            status,
            &[message("PS", "EMSEVT")],
        )
        .await
        .unwrap()
    else {
        panic!("the first recording is not a duplicate");
    };
    let audit_before = audit_count(&store, "EG").await;

    // Again, with the version the caller read before or after the first write, and the same
    // instant written with another UTC offset: stored once.
    let mut same_instant = arrived.clone();
    same_instant.at = arrived.at.to_offset(offset!(+02:00));
    for (version, again) in [(1, &arrived), (2, &arrived), (2, &same_instant)] {
        let result = store
            .record_event(
                &cli("EG"),
                item.id,
                version,
                again,
                status,
                &[message("PS", "EMSEVT")],
            )
            .await
            .unwrap();
        assert_eq!(result, EventRecorded::Duplicate(first.clone()));
    }
    let stored = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(store.item_events(cc("EG"), item.id).await.unwrap().len(), 2);
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1]);
    assert_eq!(audit_count(&store, "EG").await, audit_before);

    // The same code at the same time at another office is another event.
    let elsewhere = event(
        "EMB",
        Milestone::ArrivedOutwardOffice,
        arrived.at,
        "EG-CAIRO-1",
    );
    assert!(matches!(
        store
            .record_event(&cli("EG"), item.id, 2, &elsewhere, status, &[])
            .await
            .unwrap(),
        EventRecorded::Recorded(_)
    ));
}

pub async fn record_event_version_conflict_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, _) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    let audit_before = audit_count(&store, "EG").await;
    for stale in [0, 2, 5] {
        assert_conflict(
            store
                .record_event(
                    &cli("EG"),
                    item.id,
                    stale,
                    &at_outward_office(T0 + minutes(30)),
                    derived(ItemStatus::AtOutwardOffice),
                    &[message("PS", "EMSEVT")],
                )
                .await,
        );
    }
    assert_eq!(
        store.item(cc("EG"), &item.s10).await.unwrap(),
        Some(item.clone())
    );
    assert_eq!(store.item_events(cc("EG"), item.id).await.unwrap().len(), 1);
    assert!(pending(&store, "PS", T0).await.is_empty());
    assert_eq!(audit_count(&store, "EG").await, audit_before);
    assert!(
        store
            .outbox_backlog(cc("EG"))
            .await
            .unwrap()
            .iter()
            .all(|line| line.pending == 0)
    );
}

pub async fn concurrent_record_event_lets_one_writer_win(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, _) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    // Twenty different events, all derived from version 1: exactly one may be stored.
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .record_event(
                        &cli("EG"),
                        item.id,
                        1,
                        &at_outward_office(T0 + minutes(30 + n)),
                        derived(ItemStatus::AtOutwardOffice),
                        &[message("PS", "EMSEVT")],
                    )
                    .await
            })
        })
        .collect();
    let mut recorded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(EventRecorded::Recorded(_)) => recorded += 1,
            Err(StoreError::Conflict { .. }) => {}
            other => panic!("expected Recorded or Conflict, got {other:?}"),
        }
    }
    assert_eq!(recorded, 1);
    assert_eq!(
        store
            .item(cc("EG"), &item.s10)
            .await
            .unwrap()
            .unwrap()
            .version,
        2
    );
    assert_eq!(store.item_events(cc("EG"), item.id).await.unwrap().len(), 2);
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1]);
}

// --- exchange --------------------------------------------------------------------------------

pub async fn outbox_sequences_are_gapless_per_recipient(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, _) = accept(
        &store,
        ItemIdSource::Given(s10(1)),
        &[
            message("PS", "ITMATT"),
            message("JO", "ITMATT"),
            message("PS", "EMSEVT"),
        ],
    )
    .await
    .unwrap();
    store
        .record_event(
            &cli("EG"),
            item.id,
            1,
            &at_outward_office(T0 + minutes(30)),
            derived(ItemStatus::AtOutwardOffice),
            &[message("JO", "EMSEVT"), message("PS", "EMSEVT")],
        )
        .await
        .unwrap();
    assert_eq!(sequences(&pending(&store, "PS", T0).await), vec![1, 2, 3]);
    assert_eq!(sequences(&pending(&store, "JO", T0).await), vec![1, 2]);
    // Palestine's own messages to Jordan count from 1: sequences are per sender too.
    let mut theirs = new_item(ItemIdSource::Given(s10(9)));
    theirs.operator = cc("PS");
    store
        .create_item(
            &cli("PS"),
            &theirs,
            &accepted(T0),
            derived(ItemStatus::Accepted),
            &[message("JO", "ITMATT")],
        )
        .await
        .unwrap();
    let from_ps = store
        .pending_outbox(cc("PS"), cc("JO"), T0, 10)
        .await
        .unwrap();
    assert_eq!(sequences(&from_ps), vec![1]);
    assert_eq!(from_ps[0].sender, cc("PS"));
    assert_eq!(sequences(&pending(&store, "JO", T0).await), vec![1, 2]);
}

pub async fn concurrent_outbox_writes_keep_sequences_gapless(store: Arc<dyn Store>) {
    network(&store).await;
    let tasks: Vec<_> = (0..30)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                // Every third one collides on its S10 ID and must give its numbers back.
                let id = s10(if n % 3 == 0 { 1 } else { 100 + n });
                accept(
                    &store,
                    ItemIdSource::Given(id),
                    &[message("PS", "ITMATT"), message("JO", "ITMATT")],
                )
                .await
            })
        })
        .collect();
    let mut stored = 0;
    for task in tasks {
        if task.await.unwrap().is_ok() {
            stored += 1;
        }
    }
    // 20 unique IDs and one of the ten colliding ones.
    assert_eq!(stored, 21);
    assert_eq!(
        sequences(&pending(&store, "PS", T0).await),
        (1..=21).collect::<Vec<i64>>()
    );
    assert_eq!(
        sequences(&pending(&store, "JO", T0).await),
        (1..=21).collect::<Vec<i64>>()
    );
}

pub async fn pending_outbox_is_due_ordered_and_marked_delivered(store: Arc<dyn Store>) {
    network(&store).await;
    let messages = [
        message("PS", "ITMATT"),
        message("PS", "EMSEVT"),
        message("PS", "EMSEVT"),
    ];
    accept(&store, ItemIdSource::Given(s10(1)), &messages)
        .await
        .unwrap();
    // Not due before it was written.
    assert!(pending(&store, "PS", T0 - minutes(1)).await.is_empty());
    let all = pending(&store, "PS", T0).await;
    assert_eq!(sequences(&all), vec![1, 2, 3]);
    let ids: Vec<_> = all.iter().map(|message| message.message_id).collect();
    assert_eq!(
        ids,
        messages
            .iter()
            .map(|message| message.message_id)
            .collect::<Vec<_>>()
    );
    let first_two = store
        .pending_outbox(cc("EG"), cc("PS"), T0, 2)
        .await
        .unwrap();
    assert_eq!(sequences(&first_two), vec![1, 2]);
    assert!(
        store
            .pending_outbox(cc("EG"), cc("JO"), T0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .pending_outbox(cc("PS"), cc("EG"), T0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    store
        .mark_outbox_delivered(&[first_two[0].id, first_two[1].id], T0 + minutes(1))
        .await
        .unwrap();
    assert_eq!(
        sequences(&pending(&store, "PS", T0 + minutes(1)).await),
        vec![3]
    );
    // Delivering again is harmless; an unknown message is not found.
    store
        .mark_outbox_delivered(&[first_two[0].id], T0 + minutes(2))
        .await
        .unwrap();
    assert_not_found(store.mark_outbox_delivered(&[OutboxId(999_999)], T0).await);
    store
        .mark_outbox_delivered(&[all[2].id], T0 + minutes(3))
        .await
        .unwrap();
    assert!(pending(&store, "PS", T0 + minutes(3)).await.is_empty());
}

pub async fn failed_outbox_message_waits_for_its_retry_and_holds_back_the_rest(
    store: Arc<dyn Store>,
) {
    network(&store).await;
    accept(
        &store,
        ItemIdSource::Given(s10(1)),
        &[
            message("PS", "ITMATT"),
            message("PS", "EMSEVT"),
            message("PS", "EMSEVT"),
        ],
    )
    .await
    .unwrap();
    let all = pending(&store, "PS", T0).await;
    store
        .mark_outbox_failed(all[0].id, "connection refused", T0 + minutes(10))
        .await
        .unwrap();
    // Order is kept: while message 1 waits for its retry, 2 and 3 wait behind it.
    assert!(pending(&store, "PS", T0 + minutes(1)).await.is_empty());
    let retried = pending(&store, "PS", T0 + minutes(10)).await;
    assert_eq!(sequences(&retried), vec![1, 2, 3]);
    assert_eq!(retried[0].attempts, 1);
    assert_eq!(retried[0].last_error.as_deref(), Some("connection refused"));
    assert_eq!(retried[0].next_attempt_at, T0 + minutes(10));
    assert_eq!(retried[1].attempts, 0);

    store
        .mark_outbox_failed(all[0].id, "HTTP 503", T0 + minutes(30))
        .await
        .unwrap();
    let backlog = store.outbox_backlog(cc("EG")).await.unwrap();
    let to_ps = backlog
        .iter()
        .find(|line| line.recipient == cc("PS"))
        .unwrap();
    assert_eq!(to_ps.pending, 3);
    assert_eq!(to_ps.last_error.as_deref(), Some("HTTP 503"));
    let retried = pending(&store, "PS", T0 + minutes(30)).await;
    assert_eq!(retried[0].attempts, 2);

    // Once delivered, the rest follow at once.
    store
        .mark_outbox_delivered(&[all[0].id], T0 + minutes(31))
        .await
        .unwrap();
    assert_eq!(
        sequences(&pending(&store, "PS", T0 + minutes(31)).await),
        vec![2, 3]
    );
    // A failure reported after delivery changes nothing.
    store
        .mark_outbox_failed(all[0].id, "late", T0 + minutes(99))
        .await
        .unwrap();
    assert_eq!(
        sequences(&pending(&store, "PS", T0 + minutes(31)).await),
        vec![2, 3]
    );
    assert_not_found(store.mark_outbox_failed(OutboxId(999_999), "x", T0).await);
}

pub async fn outbox_backlog_per_recipient(store: Arc<dyn Store>) {
    network(&store).await;
    assert!(store.outbox_backlog(cc("EG")).await.unwrap().is_empty());
    let mut later = cli("EG");
    later.at = T0 + minutes(5);
    accept(
        &store,
        ItemIdSource::Given(s10(1)),
        &[message("PS", "ITMATT"), message("JO", "ITMATT")],
    )
    .await
    .unwrap();
    store
        .create_item(
            &later,
            &new_item(ItemIdSource::Given(s10(2))),
            &accepted(T0 + minutes(5)),
            derived(ItemStatus::Accepted),
            &[message("PS", "ITMATT")],
        )
        .await
        .unwrap();
    let to_jo = pending(&store, "JO", T0).await;
    store
        .mark_outbox_delivered(&[to_jo[0].id], T0 + minutes(6))
        .await
        .unwrap();
    let to_ps = pending(&store, "PS", T0 + minutes(5)).await;
    store
        .mark_outbox_delivered(&[to_ps[0].id], T0 + minutes(6))
        .await
        .unwrap();

    let backlog = store.outbox_backlog(cc("EG")).await.unwrap();
    assert_eq!(
        backlog,
        vec![
            OutboxBacklog {
                sender: cc("EG"),
                recipient: cc("JO"),
                pending: 0,
                oldest_pending_at: None,
                last_error: None,
                rejected: 0,
                last_delivered_at: Some(T0 + minutes(6)),
            },
            OutboxBacklog {
                sender: cc("EG"),
                recipient: cc("PS"),
                pending: 1,
                oldest_pending_at: Some(T0 + minutes(5)),
                last_error: None,
                rejected: 0,
                last_delivered_at: Some(T0 + minutes(6)),
            },
        ]
    );
    assert!(store.outbox_backlog(cc("PS")).await.unwrap().is_empty());

    // The partner refuses the last one: it is delivered, counted as refused, and listed with
    // the partner's reason.
    let refused = pending(&store, "PS", T0 + minutes(5)).await;
    let rejection = Rejection {
        code: "not_applicable".to_owned(),
        reason: "PS has no office of exchange with IMPC code PSXXXA".to_owned(),
    };
    store
        .mark_outbox_rejected(&[(refused[0].id, rejection.clone())], T0 + minutes(7))
        .await
        .unwrap();
    let backlog = store.outbox_backlog(cc("EG")).await.unwrap();
    let to_ps = backlog
        .iter()
        .find(|line| line.recipient == cc("PS"))
        .unwrap();
    assert_eq!((to_ps.pending, to_ps.rejected), (0, 1));
    assert_eq!(to_ps.last_delivered_at, Some(T0 + minutes(7)));
    let listed = store.rejected_outbox(cc("EG"), 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].message_id, refused[0].message_id);
    assert_eq!(listed[0].rejection, Some(rejection));
    assert!(listed[0].delivered_at.is_some());
    assert!(
        store
            .rejected_outbox(cc("PS"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store
            .mark_outbox_rejected(
                &[(OutboxId(9_999_999), listed[0].rejection.clone().unwrap())],
                T0
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn inbox_deduplicates_by_sender_and_message_id(store: Arc<dyn Store>) {
    network(&store).await;
    let second = inbox_message("PS", 2);
    let first = inbox_message("PS", 1);
    let InboxInsert::Inserted(second_id) = store.insert_inbox(&second).await.unwrap() else {
        panic!("a new message is inserted");
    };
    let InboxInsert::Inserted(first_id) = store.insert_inbox(&first).await.unwrap() else {
        panic!("a new message is inserted");
    };
    assert_eq!(
        store.insert_inbox(&second).await.unwrap(),
        InboxInsert::Duplicate(second_id)
    );
    let mut resent = first.clone();
    resent.body = "{}".to_owned();
    resent.sequence = 7;
    assert_eq!(
        store.insert_inbox(&resent).await.unwrap(),
        InboxInsert::Duplicate(first_id)
    );
    // The same message ID from another sender is another message.
    let mut from_jo = first.clone();
    from_jo.sender = cc("JO");
    assert!(matches!(
        store.insert_inbox(&from_jo).await.unwrap(),
        InboxInsert::Inserted(_)
    ));

    let waiting = store.pending_inbox(cc("EG"), cc("PS"), 10).await.unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].id, first_id);
    assert_eq!(waiting[0].message, first);
    assert_eq!(waiting[0].state, InboxState::Pending);
    assert_eq!(waiting[0].error, None);
    assert_eq!(waiting[0].applied_at, None);
    assert_eq!(waiting[1].message, second);
    assert_eq!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .pending_inbox(cc("EG"), cc("JO"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .pending_inbox(cc("PS"), cc("EG"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn inbox_messages_are_applied_or_quarantined(store: Arc<dyn Store>) {
    network(&store).await;
    let good = inbox_message("PS", 1);
    let bad = inbox_message("PS", 2);
    let InboxInsert::Inserted(good_id) = store.insert_inbox(&good).await.unwrap() else {
        panic!("inserted");
    };
    let InboxInsert::Inserted(bad_id) = store.insert_inbox(&bad).await.unwrap() else {
        panic!("inserted");
    };
    let settled = || store.inbox_settled_through(cc("EG"), cc("PS"));
    assert_eq!(settled().await.unwrap(), 0);
    store
        .mark_inbox_applied(good_id, T0 + minutes(1))
        .await
        .unwrap();
    assert_eq!(settled().await.unwrap(), 1);
    store
        .mark_inbox_quarantined(bad_id, "unknown S10 ID RR000000015EG", T0 + minutes(2))
        .await
        .unwrap();
    // A quarantined message is settled too: the messages after it go on.
    assert_eq!(settled().await.unwrap(), 2);
    assert_eq!(
        store
            .inbox_settled_through(cc("EG"), cc("JO"))
            .await
            .unwrap(),
        0
    );
    assert!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let quarantined = store.quarantined_inbox(cc("EG")).await.unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].id, bad_id);
    assert_eq!(quarantined[0].message, bad);
    assert_eq!(quarantined[0].state, InboxState::Quarantined);
    assert_eq!(
        quarantined[0].error.as_deref(),
        Some("unknown S10 ID RR000000015EG")
    );
    assert!(store.quarantined_inbox(cc("PS")).await.unwrap().is_empty());

    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "inbox.quarantine");
    assert_eq!(entry.actor, "system");
    assert_eq!(entry.object_id, bad_id.to_string());
    assert_eq!(entry.details["reason"], "unknown S10 ID RR000000015EG");

    // A message once applied is not offered again, even if it arrives again.
    assert_eq!(
        store.insert_inbox(&good).await.unwrap(),
        InboxInsert::Duplicate(good_id)
    );
    assert!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_not_found(store.mark_inbox_applied(InboxId(999_999), T0).await);
    assert_not_found(
        store
            .mark_inbox_quarantined(InboxId(999_999), "x", T0)
            .await,
    );
}

pub async fn a_quarantined_message_is_released_to_be_applied_again(store: Arc<dyn Store>) {
    network(&store).await;
    let first = inbox_message("PS", 1);
    let second = inbox_message("PS", 2);
    let third = inbox_message("PS", 3);
    let mut ids = Vec::new();
    for message in [&first, &second, &third] {
        let InboxInsert::Inserted(id) = store.insert_inbox(message).await.unwrap() else {
            panic!("inserted");
        };
        ids.push(id);
    }
    store.mark_inbox_applied(ids[0], T0).await.unwrap();
    store
        .mark_inbox_quarantined(ids[1], "no office PSRMHA", T0 + minutes(1))
        .await
        .unwrap();
    store
        .mark_inbox_applied(ids[2], T0 + minutes(2))
        .await
        .unwrap();
    let admin = cli("EG");

    let released = store
        .release_quarantined(&admin, second.message_id)
        .await
        .unwrap();
    assert_eq!(released.id, ids[1]);
    assert_eq!(released.state, InboxState::Pending);
    assert_eq!(released.message, second);
    // It keeps why and when it was set aside: the applier takes it out of its turn.
    assert_eq!(released.error.as_deref(), Some("no office PSRMHA"));
    assert_eq!(released.quarantined_at, Some(T0 + minutes(1)));
    let pending = store.pending_inbox(cc("EG"), cc("PS"), 10).await.unwrap();
    assert_eq!(pending, vec![released.clone()]);
    assert!(store.quarantined_inbox(cc("EG")).await.unwrap().is_empty());
    // The messages after it were settled: the sequence still counts them.
    assert_eq!(
        store
            .inbox_settled_through(cc("EG"), cc("PS"))
            .await
            .unwrap(),
        3
    );
    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "inbox.release");
    assert_eq!(entry.actor, admin.name);
    assert_eq!(entry.object_id, ids[1].to_string());
    assert_eq!(entry.details["reason"], "no office PSRMHA");
    assert_eq!(entry.details["sequence"], 2);

    // Only a quarantined message of ours: pending, applied, unknown or another post's.
    assert_conflict(store.release_quarantined(&admin, second.message_id).await);
    assert_conflict(store.release_quarantined(&admin, first.message_id).await);
    assert_not_found(
        store
            .release_quarantined(&admin, uuid::Uuid::new_v4())
            .await,
    );
    assert_not_found(
        store
            .release_quarantined(&cli("PS"), second.message_id)
            .await,
    );
    // Applied in the end, it leaves no reason behind.
    store
        .mark_inbox_applied(ids[1], T0 + minutes(3))
        .await
        .unwrap();
    let applied = store
        .inbox_messages(cc("EG"), cc("PS"), &[second.message_id])
        .await
        .unwrap();
    assert_eq!(applied[0].state, InboxState::Applied);
    assert_eq!(applied[0].error, None);
}

pub async fn inbox_runs_are_settled_whole_or_not_at_all(store: Arc<dyn Store>) {
    network(&store).await;
    let (first_item, posted) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    let (second_item, _) = accept(&store, ItemIdSource::Given(s10(2)), &[])
        .await
        .unwrap();
    let versions = store
        .item_versions(cc("EG"), &[s10(2), s10(1), s10(3)])
        .await
        .unwrap();
    let mut found: Vec<(barid_core::S10Id, ItemId, i64)> = versions
        .iter()
        .map(|version| (version.s10, version.id, version.version))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![(s10(1), first_item.id, 1), (s10(2), second_item.id, 1)]
    );

    let mut ids = Vec::new();
    for sequence in 1..=3 {
        let InboxInsert::Inserted(id) = store
            .insert_inbox(&inbox_message("PS", sequence))
            .await
            .unwrap()
        else {
            panic!("inserted");
        };
        ids.push(id);
    }
    let mut actor = cli("EG");
    actor.name = "exchange".to_owned();
    actor.at = T0 + minutes(90);
    let arrived = at_outward_office(T0 + minutes(40));
    let mut departed = at_outward_office(T0 + minutes(60));
    departed.code = barid_core::EventCode::parse("EMC").unwrap();
    departed.milestone = Milestone::DepartedOutwardOffice;
    let settlement = |first_version: i64| InboxSettlement {
        events: vec![
            PlannedItemEvents {
                item: first_item.id,
                expected_version: first_version,
                events: vec![arrived.clone(), departed.clone()],
                derived: derived(ItemStatus::DepartedOrigin),
            },
            PlannedItemEvents {
                item: second_item.id,
                expected_version: 1,
                events: vec![arrived.clone()],
                derived: derived(ItemStatus::AtOutwardOffice),
            },
        ],
        applied: vec![ids[0], ids[2]],
        quarantined: vec![(ids[1], "EG does not know the item RR000000090EG".to_owned())],
        outbox: vec![message("PS", "EMSEVT")],
    };
    let audit_before = audit_count(&store, "EG").await;

    // Planned from a version that is gone: nothing at all is written.
    assert_conflict(store.settle_inbox(&actor, &settlement(7)).await);
    assert_eq!(
        store
            .item_events(cc("EG"), first_item.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .item_events(cc("EG"), second_item.id)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(audit_count(&store, "EG").await, audit_before);
    assert!(pending(&store, "PS", T0 + minutes(90)).await.is_empty());

    store.settle_inbox(&actor, &settlement(1)).await.unwrap();
    let first_events = store.item_events(cc("EG"), first_item.id).await.unwrap();
    assert_eq!(
        first_events
            .iter()
            .map(|event| event.event.clone())
            .collect::<Vec<_>>(),
        vec![posted.event.clone(), arrived.clone(), departed.clone()]
    );
    assert!(
        first_events[1..]
            .iter()
            .all(|event| event.recorded_at == T0 + minutes(90))
    );
    let first = store.item(cc("EG"), &s10(1)).await.unwrap().unwrap();
    assert_eq!(
        (first.status, first.version),
        (ItemStatus::DepartedOrigin, 2)
    );
    let second = store.item(cc("EG"), &s10(2)).await.unwrap().unwrap();
    assert_eq!(
        (second.status, second.version),
        (ItemStatus::AtOutwardOffice, 2)
    );
    assert!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .inbox_settled_through(cc("EG"), cc("PS"))
            .await
            .unwrap(),
        3
    );
    let quarantined = store.quarantined_inbox(cc("EG")).await.unwrap();
    assert_eq!(quarantined.len(), 1);
    assert_eq!(quarantined[0].id, ids[1]);
    assert_eq!(
        quarantined[0].error.as_deref(),
        Some("EG does not know the item RR000000090EG")
    );
    let outbox = pending(&store, "PS", T0 + minutes(90)).await;
    assert_eq!(sequences(&outbox), vec![1]);
    let actions = audit_actions(&store, "EG").await;
    assert!(actions.iter().any(|action| action == "inbox.apply"));
    assert!(actions.iter().any(|action| action == "inbox.quarantine"));

    // Settled messages cannot be settled again: the whole run is refused.
    let again = InboxSettlement {
        events: Vec::new(),
        applied: vec![ids[0]],
        quarantined: Vec::new(),
        outbox: Vec::new(),
    };
    assert_conflict(store.settle_inbox(&actor, &again).await);
    let again = InboxSettlement {
        events: Vec::new(),
        applied: Vec::new(),
        quarantined: vec![(ids[2], "late".to_owned())],
        outbox: vec![message("PS", "EMSEVT")],
    };
    assert_conflict(store.settle_inbox(&actor, &again).await);
    assert_eq!(
        store
            .item_events(cc("EG"), first_item.id)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(pending(&store, "PS", T0 + minutes(90)).await.len(), 1);
}

pub async fn partner_endpoints_are_upserted_and_listed(store: Arc<dyn Store>) {
    network(&store).await;
    let endpoint = PartnerEndpoint {
        operator: cc("EG"),
        partner: cc("PS"),
        url: "https://barid.pal-post.ps".to_owned(),
        outbound_token: "tok-secret-ps".to_owned(),
        paused: false,
        updated_at: T0,
    };
    assert!(!format!("{endpoint:?}").contains("tok-secret-ps"));
    store
        .set_partner_endpoint(&cli("EG"), &endpoint)
        .await
        .unwrap();
    assert_eq!(
        store.partner_endpoints(cc("EG")).await.unwrap(),
        vec![endpoint.clone()]
    );

    let changed = PartnerEndpoint {
        url: "https://exchange.pal-post.ps".to_owned(),
        outbound_token: "tok-secret-2".to_owned(),
        paused: true,
        updated_at: T0 + minutes(5),
        ..endpoint.clone()
    };
    store
        .set_partner_endpoint(&cli("EG"), &changed)
        .await
        .unwrap();
    let jordan = PartnerEndpoint {
        partner: cc("JO"),
        url: "https://barid.jopost.jo".to_owned(),
        ..endpoint.clone()
    };
    store
        .set_partner_endpoint(&cli("EG"), &jordan)
        .await
        .unwrap();
    assert_eq!(
        store.partner_endpoints(cc("EG")).await.unwrap(),
        vec![jordan, changed]
    );
    assert!(store.partner_endpoints(cc("PS")).await.unwrap().is_empty());

    let unknown = PartnerEndpoint {
        partner: cc("IQ"),
        ..endpoint
    };
    assert_not_found(store.set_partner_endpoint(&cli("EG"), &unknown).await);
    let log = store.audit_log(cc("EG"), None, 100).await.unwrap();
    let entries: Vec<_> = log
        .items
        .iter()
        .filter(|entry| entry.action == "partner_endpoint.set")
        .collect();
    assert_eq!(entries.len(), 3);
    assert!(
        entries
            .iter()
            .all(|entry| !entry.details.to_string().contains("tok-secret"))
    );
}

fn new_agreement() -> NewAgreement {
    NewAgreement {
        operator: cc("EG"),
        partner: cc("PS"),
        reference: "MOU-2026-EG-PS".to_owned(),
        status: AgreementStatus::Draft,
        terms: json!({
            "services": ["RR", "CP"],
            "route": {"via": "JO"},
            "targets": {"J+N": 5},
            "note": "بريد مسجل وطرود",
        }),
    }
}

pub async fn agreements_keep_every_version(store: Arc<dyn Store>) {
    network(&store).await;
    let v1 = store
        .create_agreement(&cli("EG"), &new_agreement())
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.status, AgreementStatus::Draft);
    assert_eq!(v1.terms, new_agreement().terms);
    assert_eq!(store.agreements(cc("EG")).await.unwrap(), vec![v1.clone()]);

    let mut later = cli("EG");
    later.at = T0 + minutes(60);
    let terms = json!({"services": ["RR", "CP", "EE"], "targets": {"J+N": 4}});
    let v2 = store
        .update_agreement(&later, v1.id, 1, AgreementStatus::Active, &terms)
        .await
        .unwrap();
    assert_eq!(
        (v2.id, v2.version, v2.status),
        (v1.id, 2, AgreementStatus::Active)
    );
    assert_eq!(v2.terms, terms);
    assert_eq!(v2.updated_at, T0 + minutes(60));
    later.at = T0 + minutes(120);
    let v3 = store
        .update_agreement(&later, v1.id, 2, AgreementStatus::Suspended, &terms)
        .await
        .unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(store.agreements(cc("EG")).await.unwrap(), vec![v3.clone()]);
    assert_eq!(
        store.agreement_history(cc("EG"), v1.id).await.unwrap(),
        vec![v1, v2, v3]
    );
    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.action, "agreement.update");
    assert_eq!(entry.details["version"], json!({"from": 2, "to": 3}));
    assert_eq!(
        entry.details["status"],
        json!({"from": "active", "to": "suspended"})
    );
}

pub async fn agreement_version_conflict_writes_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let v1 = store
        .create_agreement(&cli("EG"), &new_agreement())
        .await
        .unwrap();
    let v2 = store
        .update_agreement(
            &cli("EG"),
            v1.id,
            1,
            AgreementStatus::Active,
            &json!({"v": 2}),
        )
        .await
        .unwrap();
    let audit_before = audit_count(&store, "EG").await;
    assert_conflict(
        store
            .update_agreement(
                &cli("EG"),
                v1.id,
                1,
                AgreementStatus::Ended,
                &json!({"v": "lost"}),
            )
            .await,
    );
    assert_eq!(store.agreements(cc("EG")).await.unwrap(), vec![v2.clone()]);
    assert_eq!(
        store.agreement_history(cc("EG"), v1.id).await.unwrap(),
        vec![v1, v2]
    );
    assert_eq!(audit_count(&store, "EG").await, audit_before);
    assert_not_found(
        store
            .update_agreement(
                &cli("EG"),
                AgreementId(999_999),
                1,
                AgreementStatus::Ended,
                &json!({}),
            )
            .await,
    );
    assert_conflict(store.create_agreement(&cli("EG"), &new_agreement()).await);
    let with_unknown_partner = NewAgreement {
        partner: cc("IQ"),
        ..new_agreement()
    };
    assert_not_found(
        store
            .create_agreement(&cli("EG"), &with_unknown_partner)
            .await,
    );
    assert_eq!(audit_count(&store, "EG").await, audit_before);
}

// --- audit -----------------------------------------------------------------------------------

pub async fn audit_entries_for_every_mutating_call(store: Arc<dyn Store>) {
    network(&store).await;
    let mut actor = clerk("EG", UserId(5), "EG-CAIRO-1");
    actor.name = "mona".to_owned();
    actor.at = datetime!(2026-05-10 09:30:00 +02:00);
    let admin = store
        .create_user(
            &actor,
            &new_user("EG", "ali", &[Role::Clerk], &["EG-CAIRO-1"]),
        )
        .await
        .unwrap();
    store
        .set_password(&actor, admin.id, "$argon2id$2")
        .await
        .unwrap();
    store
        .set_user_access(
            &actor,
            admin.id,
            &BTreeSet::from([Role::Admin]),
            &BTreeSet::new(),
        )
        .await
        .unwrap();
    store
        .set_user_active(&actor, admin.id, false)
        .await
        .unwrap();
    let token = store
        .create_api_token(
            &actor,
            &NewApiToken {
                operator: cc("EG"),
                name: "shop".to_owned(),
                secret_hash: "h".to_owned(),
                role: Role::Merchant,
                office: None,
                partner: None,
            },
        )
        .await
        .unwrap();
    store.revoke_api_token(&actor, token.id).await.unwrap();
    let range = store
        .create_s10_range(&actor, &rr_range(1, 10))
        .await
        .unwrap();
    let (item, _) = store
        .create_item(
            &actor,
            &new_item(ItemIdSource::Range(range.id)),
            &accepted(actor.at),
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    store
        .record_event(
            &actor,
            item.id,
            1,
            &at_outward_office(actor.at + minutes(5)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();
    store
        .set_partner_endpoint(
            &actor,
            &PartnerEndpoint {
                operator: cc("EG"),
                partner: cc("PS"),
                url: "https://ps.example".to_owned(),
                outbound_token: "t".to_owned(),
                paused: false,
                updated_at: actor.at,
            },
        )
        .await
        .unwrap();
    let agreement = store
        .create_agreement(&actor, &new_agreement())
        .await
        .unwrap();
    store
        .update_agreement(&actor, agreement.id, 1, AgreementStatus::Active, &json!({}))
        .await
        .unwrap();
    // Failed writes leave no entry.
    assert_conflict(
        store
            .create_user(&actor, &new_user("EG", "ali", &[], &[]))
            .await,
    );
    assert_conflict(
        store
            .update_agreement(&actor, agreement.id, 1, AgreementStatus::Ended, &json!({}))
            .await,
    );

    let log = store.audit_log(cc("EG"), None, 100).await.unwrap();
    let mine: Vec<&AuditEntry> = log
        .items
        .iter()
        .rev()
        .filter(|entry| entry.actor == "mona")
        .collect();
    let actions: Vec<&str> = mine.iter().map(|entry| entry.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "user.create",
            "user.password",
            "user.access",
            "user.deactivate",
            "api_token.create",
            "api_token.revoke",
            "s10_range.create",
            "item.create",
            "item.event",
            "partner_endpoint.set",
            "agreement.create",
            "agreement.update",
        ]
    );
    for entry in &mine {
        assert_eq!(entry.operator, cc("EG"));
        assert_eq!(entry.user, Some(UserId(5)));
        assert_eq!(entry.token, None);
        assert_eq!(entry.office, Some(site("EG-CAIRO-1")));
        assert_eq!(entry.at, actor.at);
        assert_eq!(entry.at.offset(), offset!(+02:00));
        assert!(!entry.object_type.is_empty() && !entry.object_id.is_empty());
        assert!(entry.details.is_object());
    }
    assert_eq!(mine[0].object_type, "user");
    assert_eq!(mine[0].object_id, "ali");
    assert_eq!(mine[7].object_id, item.s10.to_string());
    assert_eq!(mine[8].details["event"]["code"], "EMB");
    assert_eq!(mine[8].details["status"], "at_outward_office");
    // The operator and office setup of `network` is there too, done by the CLI.
    let setup: Vec<&str> = log
        .items
        .iter()
        .rev()
        .filter(|entry| entry.actor == "cli")
        .map(|entry| entry.action.as_str())
        .collect();
    assert_eq!(
        setup,
        vec!["operator.create", "office.create", "office.create"]
    );
}

pub async fn audit_log_pages_newest_first(store: Arc<dyn Store>) {
    store
        .create_operator(&cli("EG"), &new_operator("EG", true))
        .await
        .unwrap();
    for n in 1..=4 {
        let code = format!("EG-OFFICE-{n}");
        store
            .create_office(
                &cli("EG"),
                &new_office("EG", &code, None, OfficeKind::Counter),
            )
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut before = None;
    let mut pages = 0;
    loop {
        let page = store.audit_log(cc("EG"), before, 2).await.unwrap();
        assert!(page.items.len() <= 2);
        pages += 1;
        seen.extend(page.items.iter().map(|entry| entry.object_id.clone()));
        match page.next {
            Some(next) => {
                assert_eq!(Some(next), page.items.last().map(|entry| entry.id.0));
                before = Some(next);
            }
            None => break,
        }
        assert!(pages < 10, "the pages never end");
    }
    assert_eq!(
        seen,
        vec![
            "EG-OFFICE-4",
            "EG-OFFICE-3",
            "EG-OFFICE-2",
            "EG-OFFICE-1",
            "EG"
        ]
    );
    assert_eq!(pages, 3);
    let all = store.audit_log(cc("EG"), None, 5).await.unwrap();
    assert_eq!(all.items.len(), 5);
    assert_eq!(all.next, None);
    let ids: Vec<i64> = all.items.iter().map(|entry| entry.id.0).collect();
    assert!(ids.windows(2).all(|pair| pair[0] > pair[1]));
}

// --- text and time ---------------------------------------------------------------------------

pub async fn event_times_keep_their_utc_offset(store: Arc<dyn Store>) {
    network(&store).await;
    let cairo = datetime!(2026-01-15 09:15:42.123456789 +02:00);
    let (item, _) = store
        .create_item(
            &cli("EG"),
            &new_item(ItemIdSource::Given(s10(1))),
            &accepted(cairo),
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    // Amman is ahead of Cairo in winter; the event an hour later in UTC reads 11:15 there.
    let amman = datetime!(2026-01-15 11:15:00 +03:00);
    let mut transit = event("EMJ", Milestone::ArrivedTransitOffice, amman, "JOAMMA");
    transit.source = EventSource::Partner;
    transit.reported_by = Some(cc("JO"));
    let new_york = datetime!(2026-01-15 04:30:00 -05:00);
    let late = event("EMK", Milestone::DepartedTransitOffice, new_york, "JOAMMA");
    for (version, next) in [(1, &transit), (2, &late)] {
        store
            .record_event(
                &cli("EG"),
                item.id,
                version,
                next,
                derived(ItemStatus::AtTransitOffice),
                &[],
            )
            .await
            .unwrap();
    }
    let events = store.item_events(cc("EG"), item.id).await.unwrap();
    let times: Vec<_> = events.iter().map(|stored| stored.event.at).collect();
    assert_eq!(times, vec![cairo, amman, new_york]);
    let offsets: Vec<_> = times.iter().map(|at| at.offset()).collect();
    assert_eq!(
        offsets,
        vec![offset!(+02:00), offset!(+03:00), offset!(-05:00)]
    );
    assert_eq!(times[0].nanosecond(), 123_456_789);
    assert_eq!(times[1].hour(), 11);
    assert_eq!(events[1].event, transit);
    assert_eq!(events[2].event, late);
}

pub async fn arabic_text_round_trips(store: Arc<dyn Store>) {
    network(&store).await;
    let operator = store.operator(cc("PS")).await.unwrap().unwrap();
    assert_eq!(operator.name_ar, "بريد فلسطين");
    let mut office = new_office("EG", "EG-ALEX-1", None, OfficeKind::Counter);
    office.name_ar = "مكتب بريد الإسكندرية الرئيسي".to_owned();
    office.city_ar = "الإسكندرية".to_owned();
    let created = store.create_office(&cli("EG"), &office).await.unwrap();
    assert_eq!(
        store.office(cc("EG"), &site("EG-ALEX-1")).await.unwrap(),
        Some(created)
    );

    let mut new = new_item(ItemIdSource::Given(s10(1)));
    new.contents = "مصحف، وكتب أطفال، و«هدايا» — ١٠ قطع".to_owned();
    let mut first = accepted(T0);
    first.note = Some("سُلِّم إلى الموظّف ‏(نافذة ٣)".to_owned());
    first.signatory = Some("محمّد عبد الرحمن".to_owned());
    let (item, _) = store
        .create_item(&cli("EG"), &new, &first, derived(ItemStatus::Accepted), &[])
        .await
        .unwrap();
    let stored = store.item(cc("EG"), &item.s10).await.unwrap().unwrap();
    assert_eq!(stored.contents, new.contents);
    assert_eq!(stored.sender.name(), "فاطمة الزهراء محمود");
    assert_eq!(stored.sender.address_lines(), ["١٢ شارع التحرير", "الدقي"]);
    assert_eq!(stored.sender.postcode(), Some("12311"));
    assert_eq!(stored.addressee.business_name(), Some("مكتبة الأمل"));
    assert_eq!(stored.addressee.city(), "رام الله");
    assert_eq!(
        stored.customs.as_ref().unwrap().lines()[1].description(),
        "كتاب طبخ"
    );
    let events = store.item_events(cc("EG"), item.id).await.unwrap();
    assert_eq!(events[0].event.note, first.note);
    assert_eq!(events[0].event.signatory, first.signatory);

    let inbox = inbox_message("PS", 1);
    store.insert_inbox(&inbox).await.unwrap();
    assert_eq!(
        store.pending_inbox(cc("EG"), cc("PS"), 1).await.unwrap()[0]
            .message
            .body,
        inbox.body
    );
    let agreement = store
        .create_agreement(&cli("EG"), &new_agreement())
        .await
        .unwrap();
    assert_eq!(agreement.terms["note"], "بريد مسجل وطرود");
    assert_eq!(
        store.agreements(cc("EG")).await.unwrap()[0].terms["note"],
        "بريد مسجل وطرود"
    );
    let entry = store
        .audit_log(cc("EG"), None, 1)
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(entry.details["terms"]["note"], "بريد مسجل وطرود");
}

/// Egypt's item and Palestine's copy of it (as the destination keeps one), plus an unrelated
/// Egyptian item, for the cross-operator reads.
async fn copies_of_one_item(store: &Arc<dyn Store>) -> (Item, Item, Item) {
    network(store).await;
    let (eg, _) = accept(store, ItemIdSource::Given(s10(7)), &[])
        .await
        .unwrap();
    let mut copy = new_item(ItemIdSource::Given(s10(7)));
    copy.operator = cc("PS");
    copy.office = site("PSRMHA");
    let mut arrived = event(
        "EMD",
        Milestone::ArrivedInwardOffice,
        T0 + minutes(600),
        "PSRMHA",
    );
    arrived.at = arrived.at.to_offset(offset!(+02:00));
    let (ps, _) = store
        .create_item(
            &cli("PS"),
            &copy,
            &arrived,
            derived(ItemStatus::AtInwardOffice),
            &[],
        )
        .await
        .unwrap();
    let mut other = new_item(ItemIdSource::Given(s10(8)));
    other.sender = addressee();
    other.addressee = sender();
    let (other, _) = store
        .create_item(
            &cli("EG"),
            &other,
            &accepted(T0 + minutes(1)),
            derived(ItemStatus::Accepted),
            &[],
        )
        .await
        .unwrap();
    (eg, ps, other)
}

pub async fn items_by_s10_finds_every_operators_copy(store: Arc<dyn Store>) {
    let (eg, ps, _) = copies_of_one_item(&store).await;
    let copies = store.items_by_s10(&s10(7)).await.unwrap();
    assert_eq!(copies, vec![eg.clone(), ps.clone()]);
    assert_eq!(copies[0].operator, cc("EG"));
    assert_eq!(copies[1].operator, cc("PS"));
    assert_eq!(copies[1].status, ItemStatus::AtInwardOffice);
    // Each copy's events stay its operator's.
    let ps_events = store.item_events(cc("PS"), ps.id).await.unwrap();
    assert_eq!(ps_events.len(), 1);
    assert_eq!(ps_events[0].event.code.as_str(), "EMD");
    assert!(store.items_by_s10(&s10(9)).await.unwrap().is_empty());
    assert_eq!(store.items_by_s10(&s10(8)).await.unwrap().len(), 1);
}

pub async fn tracked_item_reads_every_copy_without_private_fields(store: Arc<dyn Store>) {
    let (eg, ps, _) = copies_of_one_item(&store).await;
    // Egypt records two more events, the second earlier in time than the first, one of them
    // with a reason, a next action, a signatory and a note.
    let mut cancelled = at_outward_office(T0 + minutes(120));
    cancelled.code = barid_core::EventCode::parse("EXX").unwrap();
    cancelled.milestone = Milestone::ExportCancelled;
    cancelled.reason = Some(ReasonCode::parse("03").unwrap());
    cancelled.next_action = Some(NextAction::ReturnToSender);
    cancelled.signatory = Some("Officer Hassan".to_owned());
    cancelled.note = Some("refused by export customs".to_owned());
    cancelled.at = cancelled.at.to_offset(offset!(+02:00));
    store
        .record_event(
            &cli("EG"),
            eg.id,
            1,
            &cancelled,
            derived(ItemStatus::ReturnPending),
            &[],
        )
        .await
        .unwrap();
    store
        .record_event(
            &cli("EG"),
            eg.id,
            2,
            &at_outward_office(T0 + minutes(60)),
            derived(ItemStatus::AtOutwardOffice),
            &[],
        )
        .await
        .unwrap();

    let tracked = store.tracked_item(&s10(7)).await.unwrap().unwrap();
    assert_eq!(tracked.s10, s10(7));
    assert_eq!(
        tracked.copies,
        vec![
            TrackedCopy {
                operator: cc("EG"),
                service: eg.service,
                origin_country: cc("EG"),
                destination_country: cc("PS"),
            },
            TrackedCopy {
                operator: cc("PS"),
                service: ps.service,
                origin_country: ps.origin_country,
                destination_country: ps.destination_country,
            },
        ]
    );
    // Copy after copy, each in the order recorded (not in time order), with every public field
    // as the full read gives it and the offsets kept.
    let mut full = store.item_events(cc("EG"), eg.id).await.unwrap();
    full.extend(store.item_events(cc("PS"), ps.id).await.unwrap());
    let operators = [cc("EG"), cc("EG"), cc("EG"), cc("PS")];
    assert_eq!(tracked.events.len(), full.len());
    assert_eq!(full.len(), operators.len());
    for ((tracked, full), operator) in tracked.events.iter().zip(&full).zip(operators) {
        let event = &full.event;
        assert_eq!(
            tracked,
            &TrackedEvent {
                operator,
                code: event.code,
                milestone: event.milestone,
                at: event.at,
                office: event.office.clone(),
                reason: event.reason.clone(),
                next_action: event.next_action,
                source: event.source,
                reported_by: event.reported_by,
            }
        );
    }
    let codes: Vec<&str> = tracked.events.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["EMA", "EXX", "EMB", "EMD"]);
    assert_eq!(tracked.events[1].at.offset(), offset!(+02:00));
    assert_eq!(
        tracked.events[1].reason,
        Some(ReasonCode::parse("03").unwrap())
    );
    assert_eq!(tracked.events[3].at.offset(), offset!(+02:00));

    // Unknown: nothing; the unrelated item: its one copy and its one event.
    assert_eq!(store.tracked_item(&s10(9)).await.unwrap(), None);
    let other = store.tracked_item(&s10(8)).await.unwrap().unwrap();
    assert_eq!(other.copies.len(), 1);
    assert_eq!(other.events.len(), 1);
    assert_eq!(other.events[0].operator, cc("EG"));
}

pub async fn search_items_by_s10_name_and_phone_within_the_operator(store: Arc<dyn Store>) {
    let (eg, ps, other) = copies_of_one_item(&store).await;
    let search = |operator: &'static str, text: &str| {
        let store = Arc::clone(&store);
        let text = text.to_owned();
        async move {
            let query = ItemQuery::parse(&text).unwrap_or_else(|| panic!("{text:?}"));
            store
                .search_items(cc(operator), &query, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|found| (found.s10, found.status))
                .collect::<Vec<_>>()
        }
    };
    let both = vec![
        (other.s10, ItemStatus::Accepted),
        (eg.s10, ItemStatus::Accepted),
    ];
    // By S10 ID, however it was typed, and only the operator's own copy.
    let typed = format!(" {} ", s10(7).human().to_lowercase());
    assert_eq!(
        search("EG", &typed).await,
        vec![(eg.s10, ItemStatus::Accepted)]
    );
    assert_eq!(
        search("PS", &s10(7).to_string()).await,
        vec![(ps.s10, ItemStatus::AtInwardOffice)]
    );
    // By part of a name: Arabic with or without hamza and vowel marks, Latin in any case,
    // business names; newest first.
    assert_eq!(search("EG", "الزهراء").await, both);
    assert_eq!(search("EG", "احمد").await, both);
    assert_eq!(search("EG", "أَحْمَد خليل").await, both);
    assert_eq!(search("EG", "zahraa MAHMOUD").await, both);
    assert_eq!(search("EG", "مكتبة الامل").await, both);
    assert!(search("EG", "Fatma Zahraa").await.is_empty());
    // LIKE's wildcards are plain characters.
    assert!(search("EG", "%%").await.is_empty());
    assert!(search("EG", "a_b").await.is_empty());
    // By phone: Latin or Arabic-Indic digits, with or without separators.
    assert_eq!(search("EG", "0599123456").await, both);
    assert_eq!(search("EG", "٠٥٩٩-١٢٣").await, both);
    assert_eq!(search("EG", "+20 100 123").await, both);
    assert!(search("EG", "0599 999").await.is_empty());
    // Palestine's copy has the same parties, but Egypt's items are not Palestine's.
    assert_eq!(
        search("PS", "احمد").await,
        vec![(ps.s10, ItemStatus::AtInwardOffice)]
    );
    assert!(search("JO", "احمد").await.is_empty());
    // The limit holds, and the summary carries what a result line shows.
    let limited = store
        .search_items(cc("EG"), &ItemQuery::Name("احمد".to_owned()), 1)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].s10, other.s10);
    assert_eq!(limited[0].sender_name, "أحمد خليل");
    assert_eq!(limited[0].addressee_name, "فاطمة الزهراء محمود");
    assert_eq!(limited[0].destination_country, cc("PS"));
    assert_eq!(limited[0].office, site("EG-CAIRO-1"));
    // Too little to search for.
    assert_eq!(ItemQuery::parse(" "), None);
    assert_eq!(ItemQuery::parse("a"), None);
    assert_eq!(ItemQuery::parse("059"), None);
    assert_eq!(
        ItemQuery::parse(&s10(7).to_string()),
        Some(ItemQuery::S10(s10(7)))
    );
    // A mistyped S10 ID is not an ID: it can only be part of a name, and finds nothing.
    let wrong = format!("RR00000007{}EG", (s10(7).check_digit() + 1) % 10);
    assert_eq!(
        ItemQuery::parse(&wrong),
        Some(ItemQuery::Name(wrong.clone()))
    );
    assert!(search("EG", &wrong).await.is_empty());
}

fn invalid_field<T: std::fmt::Debug>(result: Result<T, StoreError>) -> &'static str {
    match result {
        Err(StoreError::Invalid { field, .. }) => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

pub async fn model_rules_are_checked_before_anything_is_written(store: Arc<dyn Store>) {
    network(&store).await;
    let before = audit_count(&store, "EG").await;

    assert_eq!(
        invalid_field(
            store
                .create_user(&cli("EG"), &new_user("EG", "omar", &[Role::Clerk], &[]))
                .await
        ),
        "offices"
    );
    assert_eq!(
        invalid_field(
            store
                .create_user(&cli("EG"), &new_user("EG", "omar", &[Role::Partner], &[]))
                .await
        ),
        "roles"
    );
    let mut office = new_office("EG", "EG-GIZA-1", None, OfficeKind::Counter);
    office.timezone = "Nowhere".into();
    assert_eq!(
        invalid_field(store.create_office(&cli("EG"), &office).await),
        "timezone"
    );
    let mut jordan = new_office("EG", "JOAMMB", Some("JOAMMB"), OfficeKind::Exchange);
    jordan.operator = cc("EG");
    assert_eq!(
        invalid_field(store.create_office(&cli("EG"), &jordan).await),
        "code"
    );
    let mut token = new_token("EG", "partner-node", Role::Partner);
    token.partner = Some(cc("EG"));
    assert_eq!(
        invalid_field(store.create_api_token(&cli("EG"), &token).await),
        "partner"
    );
    let mut nameless = new_token("EG", "  ", Role::Supervisor);
    nameless.partner = None;
    assert_eq!(
        invalid_field(store.create_api_token(&cli("EG"), &nameless).await),
        "name"
    );
    let mut clerk_token = new_token("EG", "script", Role::Clerk);
    clerk_token.partner = None;
    clerk_token.office = None;
    assert_eq!(
        invalid_field(store.create_api_token(&cli("EG"), &clerk_token).await),
        "office"
    );
    assert_eq!(audit_count(&store, "EG").await, before, "nothing written");
}

// --- batches and idempotency keys ----------------------------------------------------------

fn entry(id: ItemIdSource) -> NewItemEntry {
    NewItemEntry {
        new: new_item(id),
        first_event: accepted(T0),
        derived: derived(ItemStatus::Accepted),
    }
}

pub async fn create_items_stores_all_or_nothing(store: Arc<dyn Store>) {
    network(&store).await;
    let range = store
        .create_s10_range(&cli("EG"), &rr_range(1, 3))
        .await
        .unwrap();
    let created = store
        .create_items(
            &cli("EG"),
            &[
                entry(ItemIdSource::Range(range.id)),
                entry(ItemIdSource::Range(range.id)),
            ],
        )
        .await
        .unwrap();
    let ids: Vec<_> = created.iter().map(|(item, _)| item.s10).collect();
    assert_eq!(ids, vec![s10(1), s10(2)]);
    let audit_before = audit_count(&store, "EG").await;

    // The second entry runs the range out: the first is rolled back with it.
    let result = store
        .create_items(
            &cli("EG"),
            &[
                entry(ItemIdSource::Range(range.id)),
                entry(ItemIdSource::Range(range.id)),
            ],
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::RangeExhausted { .. })),
        "{result:?}"
    );
    assert_eq!(store.item(cc("EG"), &s10(3)).await.unwrap(), None);
    assert_eq!(audit_count(&store, "EG").await, audit_before);
    assert_eq!(
        store.s10_ranges(cc("EG")).await.unwrap()[0].next_serial,
        Some(3)
    );
}

pub async fn idempotency_keys_are_reserved_completed_and_replayed(store: Arc<dyn Store>) {
    network(&store).await;
    let eg = cc("EG");
    assert_eq!(
        store
            .reserve_idempotency_key(eg, "key-1", "hash-a", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Reserved
    );
    assert_eq!(
        store
            .reserve_idempotency_key(eg, "key-1", "hash-a", T0)
            .await
            .unwrap(),
        IdempotencyReservation::InProgress
    );
    assert_eq!(
        store
            .reserve_idempotency_key(eg, "key-1", "hash-b", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Mismatch
    );
    store
        .complete_idempotency_key(eg, "key-1", 201, "{\"s10\":1}", T0)
        .await
        .unwrap();
    assert_eq!(
        store
            .reserve_idempotency_key(eg, "key-1", "hash-a", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Completed {
            status: 201,
            body: "{\"s10\":1}".to_owned()
        }
    );
    // A completed key stays; releasing it changes nothing.
    store.release_idempotency_key(eg, "key-1").await.unwrap();
    assert!(matches!(
        store
            .reserve_idempotency_key(eg, "key-1", "hash-a", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Completed { .. }
    ));
    // Keys are per operator.
    assert_eq!(
        store
            .reserve_idempotency_key(cc("PS"), "key-1", "hash-b", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Reserved
    );
    // A released key may be reserved again, for any request.
    store
        .reserve_idempotency_key(eg, "key-2", "hash-a", T0)
        .await
        .unwrap();
    store.release_idempotency_key(eg, "key-2").await.unwrap();
    assert_eq!(
        store
            .reserve_idempotency_key(eg, "key-2", "hash-b", T0)
            .await
            .unwrap(),
        IdempotencyReservation::Reserved
    );
    assert!(matches!(
        store
            .complete_idempotency_key(eg, "unknown", 201, "{}", T0)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn concurrent_reservations_of_one_key_reserve_it_once(store: Arc<dyn Store>) {
    network(&store).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            store
                .reserve_idempotency_key(cc("EG"), "same", "hash", T0)
                .await
                .unwrap()
        }));
    }
    let mut reserved = 0;
    for task in tasks {
        match task.await.unwrap() {
            IdempotencyReservation::Reserved => reserved += 1,
            IdempotencyReservation::InProgress => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(reserved, 1);
}

pub async fn items_waiting_by_status_and_latest_office(store: Arc<dyn Store>) {
    network(&store).await;
    let mut ids = Vec::new();
    for serial in 1..=3 {
        let (item, _) = accept(&store, ItemIdSource::Given(s10(serial)), &[])
            .await
            .unwrap();
        ids.push(item);
    }
    let mut actor = clerk("EG", UserId(3), "EGCAIA");
    // Item 2 reaches the office of exchange first, then item 1; item 3 stays at the counter.
    for (minute, item) in [(10, &ids[1]), (20, &ids[0])] {
        actor.at = T0 + minutes(minute);
        store
            .record_event(
                &actor,
                item.id,
                1,
                &at_outward_office(T0 + minutes(minute)),
                derived(ItemStatus::AtOutwardOffice),
                &[],
            )
            .await
            .unwrap();
    }
    let query = |statuses: Vec<ItemStatus>, office: Option<&str>, limit| WaitingQuery {
        statuses,
        office: office.map(site),
        limit,
    };
    let s10s = |items: Vec<Item>| items.iter().map(|item| item.s10).collect::<Vec<_>>();
    let waiting = store
        .items_waiting(
            cc("EG"),
            &query(vec![ItemStatus::AtOutwardOffice], Some("EGCAIA"), 10),
        )
        .await
        .unwrap();
    assert_eq!(s10s(waiting), vec![s10(2), s10(1)], "longest waiting first");
    let waiting = store
        .items_waiting(
            cc("EG"),
            &query(vec![ItemStatus::AtOutwardOffice], Some("EG-CAIRO-1"), 10),
        )
        .await
        .unwrap();
    assert!(waiting.is_empty(), "their latest event is at EGCAIA");
    let waiting = store
        .items_waiting(
            cc("EG"),
            &query(
                vec![ItemStatus::Accepted, ItemStatus::AtOutwardOffice],
                None,
                2,
            ),
        )
        .await
        .unwrap();
    assert_eq!(waiting.len(), 2, "the limit holds");
    let waiting = store
        .items_waiting(
            cc("PS"),
            &query(vec![ItemStatus::AtOutwardOffice], None, 10),
        )
        .await
        .unwrap();
    assert!(
        waiting.is_empty(),
        "another operator's items are not listed"
    );
    assert!(matches!(
        store
            .items_waiting(cc("EG"), &query(vec![], None, 10))
            .await,
        Err(StoreError::Invalid { .. })
    ));
}

pub async fn duty_is_assessed_replaced_and_collected_on_delivery(store: Arc<dyn Store>) {
    network(&store).await;
    let (item, _) = accept(&store, ItemIdSource::Given(s10(1)), &[])
        .await
        .unwrap();
    let mut officer = clerk("EG", UserId(4), "EGCAIA");
    officer.at = T0 + minutes(30);
    let ils = |minor| barid_core::Money::new(minor, barid_core::Currency::parse("ILS").unwrap());
    let assessment = NewDuty {
        item: item.id,
        expected_version: 1,
        amount: ils(12_500),
        office: site("EGCAIA"),
        note: Some("HS 6109: 12 % on the declared value".to_owned()),
    };
    let duty = store.assess_duty(&officer, &assessment).await.unwrap();
    assert_eq!(duty.amount, ils(12_500));
    assert_eq!(duty.assessed_at, T0 + minutes(30));
    // The item moved on: an assessment from the version before is refused and changes nothing.
    assert_conflict(store.assess_duty(&officer, &assessment).await);
    let replaced = store
        .assess_duty(
            &officer,
            &NewDuty {
                expected_version: 2,
                amount: ils(9_000),
                note: None,
                ..assessment.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.duties_of(cc("EG"), &[item.id]).await.unwrap(),
        vec![replaced]
    );
    assert!(
        store
            .duties_of(cc("PS"), &[item.id])
            .await
            .unwrap()
            .is_empty()
    );
    assert_not_found(
        store
            .assess_duty(
                &officer,
                &NewDuty {
                    item: ItemId(999_999),
                    ..assessment.clone()
                },
            )
            .await,
    );
    assert_eq!(
        audit_actions(&store, "EG")
            .await
            .iter()
            .filter(|action| *action == "item.duty")
            .count(),
        2
    );

    // What was collected on delivery stays with the delivery event (public tracking's
    // TrackedEvent has no field for it).
    let mut delivered = event("EMI", Milestone::Delivered, T0 + minutes(90), "EGCAIA");
    delivered.signatory = Some("Amal Haddad".to_owned());
    delivered.collected = Some(ils(9_000));
    officer.at = T0 + minutes(91);
    store
        .record_event(
            &officer,
            item.id,
            3,
            &delivered,
            derived(ItemStatus::Delivered),
            &[],
        )
        .await
        .unwrap();
    let events = store.item_events(cc("EG"), item.id).await.unwrap();
    assert_eq!(events.last().unwrap().event.collected, Some(ils(9_000)));
}

pub async fn outbox_since_lists_a_partners_messages_whatever_their_state(store: Arc<dyn Store>) {
    network(&store).await;
    let itmatt = message("PS", "ITMATT");
    let emsevt = message("PS", "EMSEVT");
    let to_jordan = message("JO", "EMSEVT");
    accept(
        &store,
        ItemIdSource::Given(s10(1)),
        &[itmatt.clone(), emsevt.clone(), to_jordan.clone()],
    )
    .await
    .unwrap();
    let mut later = cli("EG");
    later.at = T0 + minutes(60);
    let late = message("PS", "EMSEVT");
    store
        .enqueue_messages(&later, std::slice::from_ref(&late))
        .await
        .unwrap();
    // Delivered or not, a message is listed.
    let first = pending(&store, "PS", T0).await;
    store
        .mark_outbox_delivered(&[first[0].id], T0 + minutes(1))
        .await
        .unwrap();

    let since = |message_type: Option<&'static str>, at: time::OffsetDateTime, to: &'static str| {
        let store = Arc::clone(&store);
        async move {
            store
                .outbox_since(cc("EG"), cc(to), message_type, at)
                .await
                .unwrap()
        }
    };
    let all = since(None, T0, "PS").await;
    assert_eq!(sequences(&all), vec![1, 2, 3]);
    assert_eq!(
        all.iter().map(|m| m.message_id).collect::<Vec<_>>(),
        vec![itmatt.message_id, emsevt.message_id, late.message_id]
    );
    assert!(all[0].delivered_at.is_some());
    assert_eq!(all[2].created_at, T0 + minutes(60));
    assert_eq!(all[0].body, itmatt.body);
    assert_eq!(
        sequences(&since(Some("EMSEVT"), T0, "PS").await),
        vec![2, 3]
    );
    assert_eq!(sequences(&since(Some("ITMATT"), T0, "PS").await), vec![1]);
    assert!(since(Some("PREDES"), T0, "PS").await.is_empty());
    // The time is an instant: the same moment written in another offset.
    let utc_later = (T0 + minutes(1)).to_offset(time::UtcOffset::UTC);
    assert_eq!(sequences(&since(None, utc_later, "PS").await), vec![3]);
    assert!(since(None, T0 + minutes(61), "PS").await.is_empty());
    assert_eq!(sequences(&since(None, T0, "JO").await), vec![1]);
    assert!(
        store
            .outbox_since(cc("PS"), cc("EG"), None, T0)
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn insert_inbox_all_takes_every_message_or_none(store: Arc<dyn Store>) {
    network(&store).await;
    let first = inbox_message("PS", 1);
    let second = inbox_message("PS", 2);
    let answers = store
        .insert_inbox_all(&[second.clone(), first.clone(), second.clone()])
        .await
        .unwrap();
    let [
        InboxInsert::Inserted(second_id),
        InboxInsert::Inserted(first_id),
        again,
    ] = answers[..]
    else {
        panic!("two new messages are inserted: {answers:?}");
    };
    assert_eq!(again, InboxInsert::Duplicate(second_id));
    // The same messages again are duplicates.
    assert_eq!(
        store
            .insert_inbox_all(&[first.clone(), second.clone()])
            .await
            .unwrap(),
        vec![
            InboxInsert::Duplicate(first_id),
            InboxInsert::Duplicate(second_id)
        ]
    );
    assert_eq!(
        store.insert_inbox_all(&[]).await.unwrap(),
        Vec::<InboxInsert>::new()
    );
    let held = store
        .inbox_messages(
            cc("EG"),
            cc("PS"),
            &[second.message_id, first.message_id, uuid::Uuid::new_v4()],
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].id, first_id);
    assert_eq!(held[0].message, first);
    assert_eq!(held[0].state, InboxState::Pending);
    assert_eq!(held[1].message, second);
    // Another sender's messages are not these.
    assert!(
        store
            .inbox_messages(cc("EG"), cc("JO"), &[first.message_id])
            .await
            .unwrap()
            .is_empty()
    );

    // One message the store refuses (addressed to an operator it does not know) and the
    // good one before it is not kept either.
    let third = inbox_message("PS", 3);
    let mut stray = inbox_message("PS", 4);
    stray.recipient = cc("LY");
    assert!(
        store
            .insert_inbox_all(&[third.clone(), stray])
            .await
            .is_err()
    );
    assert!(
        store
            .inbox_messages(cc("EG"), cc("PS"), &[third.message_id])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .pending_inbox(cc("EG"), cc("PS"), 10)
            .await
            .unwrap()
            .len(),
        2
    );
    // Applied messages are still found, with their state.
    store.mark_inbox_applied(first_id, T0).await.unwrap();
    let held = store
        .inbox_messages(cc("EG"), cc("PS"), &[first.message_id])
        .await
        .unwrap();
    assert_eq!(held[0].state, InboxState::Applied);
}
