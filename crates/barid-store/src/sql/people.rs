//! Operators, offices, users with their roles and offices, sessions and API tokens.

use std::collections::{BTreeMap, BTreeSet};

use barid_core::{CountryCode, Currency, OfficeCode, Role, SiteCode};
use serde_json::json;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::SqlStore;
use super::audit::{self, Audit};
use super::convert::{RowExt, conflict_on_unique, flag, micros, stored_instant};
use crate::model::*;
use crate::{StoreError, StoreResult};

// --- operators ---------------------------------------------------------------------------

macro_rules! operator_columns {
    () => {
        "code, name_en, name_ar, default_language, currency, hosted, created_at_utc"
    };
}

fn operator_row(row: &AnyRow) -> StoreResult<Operator> {
    Ok(Operator {
        code: row.parsed("code", CountryCode::parse)?,
        name_en: row.text("name_en")?,
        name_ar: row.text("name_ar")?,
        default_language: row.parsed("default_language", |text| {
            Language::parse(text).ok_or_else(|| format!("unknown language {text:?}"))
        })?,
        currency: row.parsed("currency", Currency::parse)?,
        hosted: row.flag("hosted")?,
        created_at: row.utc("created_at_utc")?,
    })
}

pub(crate) async fn create_operator(
    store: &SqlStore,
    actor: &Actor,
    new: &NewOperator,
) -> StoreResult<Operator> {
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO operators (code, name_en, name_ar, default_language, currency, hosted, \
         created_at_utc) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.code.as_str())
    .bind(new.name_en.as_str())
    .bind(new.name_ar.as_str())
    .bind(new.default_language.as_str())
    .bind(new.currency.as_str())
    .bind(flag(new.hosted))
    .bind(micros(actor.at)?)
    .execute(&mut *tx)
    .await
    .map_err(conflict_on_unique("operator", || {
        format!("operator {} already exists", new.code)
    }))?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: new.code,
            action: "operator.create",
            object_type: "operator",
            object_id: new.code.to_string(),
            details: json!({
                "name_en": new.name_en,
                "name_ar": new.name_ar,
                "default_language": new.default_language.as_str(),
                "currency": new.currency.as_str(),
                "hosted": new.hosted,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Operator {
        code: new.code,
        name_en: new.name_en.clone(),
        name_ar: new.name_ar.clone(),
        default_language: new.default_language,
        currency: new.currency,
        hosted: new.hosted,
        created_at: stored_instant(actor.at)?,
    })
}

pub(crate) async fn operator(store: &SqlStore, code: CountryCode) -> StoreResult<Option<Operator>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        operator_columns!(),
        " FROM operators WHERE code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(&store.reader)
    .await?;
    row.as_ref().map(operator_row).transpose()
}

pub(crate) async fn operators(store: &SqlStore) -> StoreResult<Vec<Operator>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        operator_columns!(),
        " FROM operators ORDER BY code"
    ))
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(operator_row).collect()
}

/// NotFound unless the operator exists.
pub(crate) async fn require_operator(
    conn: &mut AnyConnection,
    code: CountryCode,
) -> StoreResult<()> {
    let found = sqlx::query("SELECT code FROM operators WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::not_found("operator", code)),
    }
}

// --- offices -----------------------------------------------------------------------------

macro_rules! office_columns {
    () => {
        "id, operator, code, impc, kind, name_en, name_ar, city_en, city_ar, timezone"
    };
}

fn office_row(row: &AnyRow) -> StoreResult<Office> {
    Ok(Office {
        id: OfficeId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        code: row.parsed("code", SiteCode::parse)?,
        impc: row.opt_parsed("impc", OfficeCode::parse)?,
        kind: row.parsed("kind", |text| {
            OfficeKind::parse(text).ok_or_else(|| format!("unknown office kind {text:?}"))
        })?,
        name_en: row.text("name_en")?,
        name_ar: row.text("name_ar")?,
        city_en: row.text("city_en")?,
        city_ar: row.text("city_ar")?,
        timezone: row.text("timezone")?,
    })
}

pub(crate) async fn create_office(
    store: &SqlStore,
    actor: &Actor,
    new: &NewOffice,
) -> StoreResult<Office> {
    new.check()?;
    let mut tx = store.write().await?;
    require_operator(&mut tx, new.operator).await?;
    let id: i64 =
        {
            let row = sqlx::query(
            "INSERT INTO offices (operator, code, impc, kind, name_en, name_ar, city_en, city_ar, \
             timezone, created_at_utc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(new.operator.as_str())
        .bind(new.code.as_str())
        .bind(new.impc.as_ref().map(OfficeCode::as_str))
        .bind(new.kind.as_str())
        .bind(new.name_en.as_str())
        .bind(new.name_ar.as_str())
        .bind(new.city_en.as_str())
        .bind(new.city_ar.as_str())
        .bind(new.timezone.as_str())
        .bind(micros(actor.at)?)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on_unique("office", || match &new.impc {
            Some(impc) => format!("office code {} or IMPC code {impc} is already used", new.code),
            None => format!("office code {} is already used", new.code),
        }))?;
            row.int("id")?
        };
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: new.operator,
            action: "office.create",
            object_type: "office",
            object_id: new.code.to_string(),
            details: json!({
                "impc": new.impc.as_ref().map(OfficeCode::as_str),
                "kind": new.kind.as_str(),
                "name_en": new.name_en,
                "name_ar": new.name_ar,
                "city_en": new.city_en,
                "city_ar": new.city_ar,
                "timezone": new.timezone,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Office {
        id: OfficeId(id),
        operator: new.operator,
        code: new.code.clone(),
        impc: new.impc,
        kind: new.kind,
        name_en: new.name_en.clone(),
        name_ar: new.name_ar.clone(),
        city_en: new.city_en.clone(),
        city_ar: new.city_ar.clone(),
        timezone: new.timezone.clone(),
    })
}

pub(crate) async fn office(
    store: &SqlStore,
    operator: CountryCode,
    code: &SiteCode,
) -> StoreResult<Option<Office>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        office_columns!(),
        " FROM offices WHERE operator = $1 AND code = $2"
    ))
    .bind(operator.as_str())
    .bind(code.as_str())
    .fetch_optional(&store.reader)
    .await?;
    row.as_ref().map(office_row).transpose()
}

pub(crate) async fn offices(store: &SqlStore, operator: CountryCode) -> StoreResult<Vec<Office>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        office_columns!(),
        " FROM offices WHERE operator = $1 ORDER BY code"
    ))
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(office_row).collect()
}

/// NotFound unless every office is one of the operator's.
async fn require_offices(
    conn: &mut AnyConnection,
    operator: CountryCode,
    offices: impl IntoIterator<Item = &SiteCode>,
) -> StoreResult<()> {
    for code in offices {
        let found = sqlx::query("SELECT id FROM offices WHERE operator = $1 AND code = $2")
            .bind(operator.as_str())
            .bind(code.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::not_found("office", code));
        }
    }
    Ok(())
}

// --- users -------------------------------------------------------------------------------

macro_rules! user_columns {
    () => {
        "id, operator, username, display_name, active, created_at_utc"
    };
}

/// A user row without its roles and offices, which come from their own tables.
fn user_row(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: UserId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        username: row.parsed("username", Username::parse)?,
        display_name: row.text("display_name")?,
        roles: BTreeSet::new(),
        offices: BTreeSet::new(),
        active: row.flag("active")?,
        created_at: row.utc("created_at_utc")?,
    })
}

/// Fills in the roles and offices of users of one operator (one query each).
async fn with_access(
    conn: &mut AnyConnection,
    operator: CountryCode,
    mut users: Vec<User>,
) -> StoreResult<Vec<User>> {
    if users.is_empty() {
        return Ok(users);
    }
    let mut roles: BTreeMap<i64, BTreeSet<Role>> = BTreeMap::new();
    for row in sqlx::query("SELECT user_id, role FROM user_roles WHERE operator = $1")
        .bind(operator.as_str())
        .fetch_all(&mut *conn)
        .await?
    {
        roles
            .entry(row.int("user_id")?)
            .or_default()
            .insert(row.parsed("role", Role::parse)?);
    }
    let mut offices: BTreeMap<i64, BTreeSet<SiteCode>> = BTreeMap::new();
    for row in sqlx::query("SELECT user_id, office FROM user_offices WHERE operator = $1")
        .bind(operator.as_str())
        .fetch_all(&mut *conn)
        .await?
    {
        offices
            .entry(row.int("user_id")?)
            .or_default()
            .insert(row.parsed("office", SiteCode::parse)?);
    }
    for user in &mut users {
        user.roles = roles.remove(&user.id.0).unwrap_or_default();
        user.offices = offices.remove(&user.id.0).unwrap_or_default();
    }
    Ok(users)
}

/// The roles and offices of one user.
async fn with_access_of_one(conn: &mut AnyConnection, mut user: User) -> StoreResult<User> {
    for row in sqlx::query("SELECT role FROM user_roles WHERE user_id = $1")
        .bind(user.id.0)
        .fetch_all(&mut *conn)
        .await?
    {
        user.roles.insert(row.parsed("role", Role::parse)?);
    }
    for row in sqlx::query("SELECT office FROM user_offices WHERE user_id = $1")
        .bind(user.id.0)
        .fetch_all(&mut *conn)
        .await?
    {
        user.offices.insert(row.parsed("office", SiteCode::parse)?);
    }
    Ok(user)
}

async fn insert_access(
    conn: &mut AnyConnection,
    operator: CountryCode,
    user: UserId,
    roles: &BTreeSet<Role>,
    offices: &BTreeSet<SiteCode>,
) -> StoreResult<()> {
    for role in roles {
        sqlx::query("INSERT INTO user_roles (operator, user_id, role) VALUES ($1, $2, $3)")
            .bind(operator.as_str())
            .bind(user.0)
            .bind(role.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for office in offices {
        sqlx::query("INSERT INTO user_offices (operator, user_id, office) VALUES ($1, $2, $3)")
            .bind(operator.as_str())
            .bind(user.0)
            .bind(office.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

fn role_names(roles: &BTreeSet<Role>) -> Vec<&'static str> {
    roles.iter().map(Role::as_str).collect()
}

fn office_names(offices: &BTreeSet<SiteCode>) -> Vec<&str> {
    offices.iter().map(SiteCode::as_str).collect()
}

pub(crate) async fn create_user(
    store: &SqlStore,
    actor: &Actor,
    new: &NewUser,
) -> StoreResult<User> {
    new.check()?;
    let mut tx = store.write().await?;
    require_operator(&mut tx, new.operator).await?;
    require_offices(&mut tx, new.operator, &new.offices).await?;
    let at = micros(actor.at)?;
    let row = sqlx::query(
        "INSERT INTO users (operator, username, display_name, password_hash, active, \
         created_at_utc, updated_at_utc) VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
    )
    .bind(new.operator.as_str())
    .bind(new.username.as_str())
    .bind(new.display_name.as_str())
    .bind(new.password_hash.as_str())
    .bind(at)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("user", || {
        format!("username {} is already taken", new.username)
    }))?;
    let id = UserId(row.int("id")?);
    insert_access(&mut tx, new.operator, id, &new.roles, &new.offices).await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: new.operator,
            action: "user.create",
            object_type: "user",
            object_id: new.username.to_string(),
            details: json!({
                "user_id": id.0,
                "display_name": new.display_name,
                "roles": role_names(&new.roles),
                "offices": office_names(&new.offices),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        id,
        operator: new.operator,
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        roles: new.roles.clone(),
        offices: new.offices.clone(),
        active: true,
        created_at: stored_instant(actor.at)?,
    })
}

pub(crate) async fn user(
    store: &SqlStore,
    operator: CountryCode,
    username: &Username,
) -> StoreResult<Option<User>> {
    let mut conn = store.reader.acquire().await?;
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE operator = $1 AND username = $2"
    ))
    .bind(operator.as_str())
    .bind(username.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => Ok(Some(with_access_of_one(&mut conn, user_row(&row)?).await?)),
        None => Ok(None),
    }
}

pub(crate) async fn users(store: &SqlStore, operator: CountryCode) -> StoreResult<Vec<User>> {
    let mut conn = store.reader.acquire().await?;
    let rows = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE operator = $1 ORDER BY username"
    ))
    .bind(operator.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let users = rows.iter().map(user_row).collect::<StoreResult<Vec<_>>>()?;
    with_access(&mut conn, operator, users).await
}

pub(crate) async fn credentials(
    store: &SqlStore,
    username: &Username,
) -> StoreResult<Option<UserCredentials>> {
    let mut conn = store.reader.acquire().await?;
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        ", password_hash FROM users WHERE username = $1"
    ))
    .bind(username.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let password_hash = row.text("password_hash")?;
    let user = with_access_of_one(&mut conn, user_row(&row)?).await?;
    Ok(Some(UserCredentials {
        user,
        password_hash,
    }))
}

/// The user's username, if the user is the actor's operator's; NotFound otherwise.
/// The username of one of the actor's operator's users, with the user's row locked until the
/// transaction ends: concurrent changes to one user then take turns on PostgreSQL instead of
/// deadlocking (SQLite serialises writers anyway).
async fn own_user(conn: &mut AnyConnection, actor: &Actor, user: UserId) -> StoreResult<Username> {
    let row =
        sqlx::query("UPDATE users SET id = id WHERE id = $1 AND operator = $2 RETURNING username")
            .bind(user.0)
            .bind(actor.operator.as_str())
            .fetch_optional(&mut *conn)
            .await?;
    match row {
        Some(row) => row.parsed("username", Username::parse),
        None => Err(StoreError::not_found("user", user)),
    }
}

pub(crate) async fn set_password(
    store: &SqlStore,
    actor: &Actor,
    user: UserId,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let username = own_user(&mut tx, actor, user).await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at_utc = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(micros(actor.at)?)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    // A new password ends every login made with the old one.
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "user.password",
            object_type: "user",
            object_id: username.to_string(),
            details: json!({ "user_id": user.0, "sessions_ended": ended }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn set_user_access(
    store: &SqlStore,
    actor: &Actor,
    user: UserId,
    roles: &BTreeSet<Role>,
    offices: &BTreeSet<SiteCode>,
) -> StoreResult<User> {
    crate::model::check_user_access(roles, offices)?;
    let mut tx = store.write().await?;
    let username = own_user(&mut tx, actor, user).await?;
    require_offices(&mut tx, actor.operator, offices).await?;
    let row = sqlx::query(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(user.0)
    .fetch_one(&mut *tx)
    .await?;
    let before = with_access_of_one(&mut tx, user_row(&row)?).await?;
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM user_offices WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    insert_access(&mut tx, actor.operator, user, roles, offices).await?;
    sqlx::query("UPDATE users SET updated_at_utc = $1 WHERE id = $2")
        .bind(micros(actor.at)?)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "user.access",
            object_type: "user",
            object_id: username.to_string(),
            details: json!({
                "user_id": user.0,
                "roles": { "from": role_names(&before.roles), "to": role_names(roles) },
                "offices": { "from": office_names(&before.offices), "to": office_names(offices) },
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(User {
        roles: roles.clone(),
        offices: offices.clone(),
        ..before
    })
}

pub(crate) async fn set_user_active(
    store: &SqlStore,
    actor: &Actor,
    user: UserId,
    active: bool,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let username = own_user(&mut tx, actor, user).await?;
    sqlx::query("UPDATE users SET active = $1, updated_at_utc = $2 WHERE id = $3")
        .bind(flag(active))
        .bind(micros(actor.at)?)
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    if !active {
        // A deactivated user is logged out everywhere at once.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
    }
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: if active {
                "user.activate"
            } else {
                "user.deactivate"
            },
            object_type: "user",
            object_id: username.to_string(),
            details: json!({ "user_id": user.0, "active": active }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// --- sessions (not audited: logins are the web layer's to log) ----------------------------

pub(crate) async fn create_session(store: &SqlStore, new: &NewSession) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let inserted = sqlx::query(
        "INSERT INTO sessions (secret_hash, operator, user_id, csrf_token, created_at_utc, \
         expires_at_utc) SELECT $1, operator, id, $2, $3, $4 FROM users WHERE id = $5 AND active = 1",
    )
    .bind(new.secret_hash.as_str())
    .bind(new.csrf_token.as_str())
    .bind(micros(new.created_at)?)
    .bind(micros(new.expires_at)?)
    .bind(new.user.0)
    .execute(&mut *tx)
    .await
    .map_err(conflict_on_unique("session", || "the session secret is already in use".to_owned()))?;
    if inserted.rows_affected() == 0 {
        return Err(StoreError::not_found("user", new.user));
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn session(
    store: &SqlStore,
    secret_hash: &str,
    now: OffsetDateTime,
) -> StoreResult<Option<Session>> {
    let mut conn = store.reader.acquire().await?;
    let row = sqlx::query(
        "SELECT s.csrf_token, s.created_at_utc AS session_created_at_utc, s.expires_at_utc, \
         u.id, u.operator, u.username, u.display_name, u.active, u.created_at_utc \
         FROM sessions s JOIN users u ON u.id = s.user_id AND u.operator = s.operator \
         WHERE s.secret_hash = $1 AND s.expires_at_utc > $2 AND u.active = 1",
    )
    .bind(secret_hash)
    .bind(micros(now)?)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let user = with_access_of_one(&mut conn, user_row(&row)?).await?;
    Ok(Some(Session {
        user,
        csrf_token: row.text("csrf_token")?,
        created_at: row.utc("session_created_at_utc")?,
        expires_at: row.utc("expires_at_utc")?,
    }))
}

pub(crate) async fn delete_session(store: &SqlStore, secret_hash: &str) -> StoreResult<()> {
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
        .bind(secret_hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn delete_expired_sessions(
    store: &SqlStore,
    now: OffsetDateTime,
) -> StoreResult<u64> {
    let mut tx = store.write().await?;
    let deleted = sqlx::query("DELETE FROM sessions WHERE expires_at_utc <= $1")
        .bind(micros(now)?)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deleted.rows_affected())
}

// --- API tokens --------------------------------------------------------------------------

macro_rules! token_columns {
    () => {
        "id, operator, name, role, office, partner, created_at_utc, revoked_at_utc"
    };
}

fn token_row(row: &AnyRow) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: TokenId(row.int("id")?),
        operator: row.parsed("operator", CountryCode::parse)?,
        name: row.text("name")?,
        role: row.parsed("role", Role::parse)?,
        office: row.opt_parsed("office", SiteCode::parse)?,
        partner: row.opt_parsed("partner", CountryCode::parse)?,
        created_at: row.utc("created_at_utc")?,
        revoked_at: row.opt_utc("revoked_at_utc")?,
    })
}

pub(crate) async fn create_api_token(
    store: &SqlStore,
    actor: &Actor,
    new: &NewApiToken,
) -> StoreResult<ApiToken> {
    new.check()?;
    let mut tx = store.write().await?;
    require_operator(&mut tx, new.operator).await?;
    require_offices(&mut tx, new.operator, &new.office).await?;
    let row = sqlx::query(
        "INSERT INTO api_tokens (operator, name, secret_hash, role, office, partner, \
         created_at_utc) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.operator.as_str())
    .bind(new.name.as_str())
    .bind(new.secret_hash.as_str())
    .bind(new.role.as_str())
    .bind(new.office.as_ref().map(SiteCode::as_str))
    .bind(new.partner.as_ref().map(CountryCode::as_str))
    .bind(micros(actor.at)?)
    .fetch_one(&mut *tx)
    .await
    .map_err(conflict_on_unique("api token", || {
        "the token secret is already in use".to_owned()
    }))?;
    let id = TokenId(row.int("id")?);
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: new.operator,
            action: "api_token.create",
            object_type: "api_token",
            object_id: id.to_string(),
            details: json!({
                "name": new.name,
                "role": new.role.as_str(),
                "office": new.office.as_ref().map(SiteCode::as_str),
                "partner": new.partner.as_ref().map(CountryCode::as_str),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ApiToken {
        id,
        operator: new.operator,
        name: new.name.clone(),
        role: new.role,
        office: new.office.clone(),
        partner: new.partner,
        created_at: stored_instant(actor.at)?,
        revoked_at: None,
    })
}

pub(crate) async fn api_token(
    store: &SqlStore,
    secret_hash: &str,
) -> StoreResult<Option<ApiToken>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        token_columns!(),
        " FROM api_tokens WHERE secret_hash = $1 AND revoked_at_utc IS NULL"
    ))
    .bind(secret_hash)
    .fetch_optional(&store.reader)
    .await?;
    row.as_ref().map(token_row).transpose()
}

pub(crate) async fn api_tokens(
    store: &SqlStore,
    operator: CountryCode,
) -> StoreResult<Vec<ApiToken>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        token_columns!(),
        " FROM api_tokens WHERE operator = $1 ORDER BY id"
    ))
    .bind(operator.as_str())
    .fetch_all(&store.reader)
    .await?;
    rows.iter().map(token_row).collect()
}

pub(crate) async fn revoke_api_token(
    store: &SqlStore,
    actor: &Actor,
    token: TokenId,
) -> StoreResult<()> {
    let mut tx = store.write().await?;
    let row =
        sqlx::query("SELECT name, revoked_at_utc FROM api_tokens WHERE id = $1 AND operator = $2")
            .bind(token.0)
            .bind(actor.operator.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("api token", token))?;
    if row.opt_int("revoked_at_utc")?.is_some() {
        // Revoking twice changes nothing.
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET revoked_at_utc = $1 WHERE id = $2")
        .bind(micros(actor.at)?)
        .bind(token.0)
        .execute(&mut *tx)
        .await?;
    audit::write(
        &mut tx,
        actor,
        Audit {
            operator: actor.operator,
            action: "api_token.revoke",
            object_type: "api_token",
            object_id: token.to_string(),
            details: json!({ "name": row.text("name")? }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
