//! Building blocks for the contract cases: a small postal network (Egypt, Palestine, Jordan),
//! actors, parties in Arabic and Latin script, customs declarations, items and events.

use std::collections::BTreeSet;
use std::sync::Arc;

use barid_core::customs::{DeclarationLineDraft, MailStream, MoneyDraft};
use barid_core::lifecycle::{EventSource, ItemStatus, Leg};
use barid_core::party::LatinDraft;
use barid_core::s10::S10Service;
use barid_core::{
    CountryCode, Currency, CustomsDeclaration, DeclarationDraft, EventCode, Grams, Milestone,
    Money, OfficeCode, Party, PartyDraft, Role, S10Id, S10Range, SdrRate, ServiceIndicator,
    SiteCode,
};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::model::*;
use crate::{Store, StoreError};

pub fn cc(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

pub fn site(code: &str) -> SiteCode {
    SiteCode::parse(code).unwrap()
}

pub fn username(name: &str) -> Username {
    Username::parse(name).unwrap()
}

/// Midday in Cairo, the time most of the cases run at.
pub const T0: OffsetDateTime = datetime!(2026-05-10 12:00:00 +03:00);

pub fn minutes(n: i64) -> time::Duration {
    time::Duration::minutes(n)
}

/// The node's command line acting for an operator, at `T0`.
pub fn cli(operator: &str) -> Actor {
    Actor {
        operator: cc(operator),
        user: None,
        token: None,
        name: "cli".to_owned(),
        office: None,
        at: T0,
    }
}

/// A user of `operator` at an office.
pub fn clerk(operator: &str, user: UserId, office: &str) -> Actor {
    Actor {
        operator: cc(operator),
        user: Some(user),
        token: None,
        name: "clerk".to_owned(),
        office: Some(site(office)),
        at: T0,
    }
}

pub fn new_operator(code: &str, hosted: bool) -> NewOperator {
    let (name_en, name_ar, currency) = match code {
        "EG" => ("Egypt Post", "البريد المصري", Currency::EGP),
        "PS" => ("Palestine Post", "بريد فلسطين", Currency::ILS),
        "JO" => ("Jordan Post", "البريد الأردني", Currency::JOD),
        _ => ("Iraq Post", "البريد العراقي", Currency::IQD),
    };
    NewOperator {
        code: cc(code),
        name_en: name_en.to_owned(),
        name_ar: name_ar.to_owned(),
        default_language: Language::Ar,
        currency,
        hosted,
    }
}

pub fn new_office(operator: &str, code: &str, impc: Option<&str>, kind: OfficeKind) -> NewOffice {
    NewOffice {
        operator: cc(operator),
        code: site(code),
        impc: impc.map(|impc| OfficeCode::parse(impc).unwrap()),
        kind,
        name_en: format!("Office {code}"),
        name_ar: format!("مكتب {code}"),
        city_en: "Cairo".to_owned(),
        city_ar: "القاهرة".to_owned(),
        timezone: "Africa/Cairo".to_owned(),
    }
}

/// Egypt and Palestine hosted on the node, Jordan known as a partner; each hosted operator
/// with an office of exchange and a counter or delivery office.
pub async fn network(store: &Arc<dyn Store>) {
    for (code, hosted) in [("EG", true), ("PS", true), ("JO", false)] {
        store
            .create_operator(&cli(code), &new_operator(code, hosted))
            .await
            .unwrap();
    }
    for office in [
        new_office("EG", "EGCAIA", Some("EGCAIA"), OfficeKind::Exchange),
        new_office("EG", "EG-CAIRO-1", None, OfficeKind::Counter),
        new_office("PS", "PSRMHA", Some("PSRMHA"), OfficeKind::Exchange),
        new_office("PS", "PS-RAMALLAH-1", None, OfficeKind::Delivery),
    ] {
        let operator = office.operator.to_string();
        store.create_office(&cli(&operator), &office).await.unwrap();
    }
}

/// Egypt, Palestine and Jordan all hosted on the node: the offices of [`network`], Jordan's
/// office of exchange `JOAMMA` (the closed transit office between Egypt and Palestine), and an
/// Egyptian delivery office `EG-GIZA-1` for items coming back to their senders.
pub async fn three_posts(store: &Arc<dyn Store>) {
    offices_of_three_posts(store, |_| true).await;
}

/// [`three_posts`] as the node of one of them sees it: only `hosted` is hosted here, the other
/// two are partners on nodes of their own.
pub async fn three_posts_on_the_node_of(store: &Arc<dyn Store>, hosted: &str) {
    offices_of_three_posts(store, |code| code == hosted).await;
}

async fn offices_of_three_posts(store: &Arc<dyn Store>, hosted: impl Fn(&str) -> bool) {
    for code in ["EG", "PS", "JO"] {
        store
            .create_operator(&cli(code), &new_operator(code, hosted(code)))
            .await
            .unwrap();
    }
    for office in [
        new_office("EG", "EGCAIA", Some("EGCAIA"), OfficeKind::Exchange),
        new_office("EG", "EG-CAIRO-1", None, OfficeKind::Counter),
        new_office("EG", "EG-GIZA-1", None, OfficeKind::Delivery),
        new_office("PS", "PSRMHA", Some("PSRMHA"), OfficeKind::Exchange),
        new_office("PS", "PS-RAMALLAH-1", None, OfficeKind::Delivery),
        new_office("JO", "JOAMMA", Some("JOAMMA"), OfficeKind::Exchange),
    ] {
        let operator = office.operator.to_string();
        store.create_office(&cli(&operator), &office).await.unwrap();
    }
}

pub fn new_user(operator: &str, name: &str, roles: &[Role], offices: &[&str]) -> NewUser {
    NewUser {
        operator: cc(operator),
        username: username(name),
        display_name: format!("{name} — مستخدم"),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$salt${name}"),
        roles: roles.iter().copied().collect(),
        offices: offices
            .iter()
            .map(|office| site(office))
            .collect::<BTreeSet<_>>(),
    }
}

pub async fn user(store: &Arc<dyn Store>, operator: &str, name: &str) -> User {
    store
        .create_user(
            &cli(operator),
            &new_user(
                operator,
                name,
                &[Role::Clerk],
                &[if operator == "EG" { "EGCAIA" } else { "PSRMHA" }],
            ),
        )
        .await
        .unwrap()
}

/// A sender in Arabic script with a Latin transliteration; Arabic-Indic digits in the postcode
/// and phone, as typed on an Arabic keyboard.
pub fn sender() -> Party {
    PartyDraft {
        name: "فاطمة الزهراء محمود".to_owned(),
        business_name: String::new(),
        address_lines: vec!["١٢ شارع التحرير".to_owned(), "الدقي".to_owned()],
        city: "الجيزة".to_owned(),
        postcode: "١٢٣١١".to_owned(),
        country: "EG".to_owned(),
        phone: "+٢٠ ١٠٠ ١٢٣ ٤٥٦٧".to_owned(),
        email: "fatma@example.eg".to_owned(),
        latin: Some(LatinDraft {
            name: "Fatma al-Zahraa Mahmoud".to_owned(),
            address_lines: vec!["12 Tahrir Street".to_owned(), "Dokki".to_owned()],
            city: "Giza".to_owned(),
        }),
    }
    .validate()
    .unwrap()
}

pub fn addressee() -> Party {
    PartyDraft {
        name: "أحمد خليل".to_owned(),
        business_name: "مكتبة الأمل".to_owned(),
        address_lines: vec!["شارع الإرسال ٥".to_owned()],
        city: "رام الله".to_owned(),
        postcode: String::new(),
        country: "PS".to_owned(),
        phone: "0599 123 456".to_owned(),
        email: String::new(),
        latin: None,
    }
    .validate()
    .unwrap()
}

fn line(description: &str, value_minor: i64, grams: i64, hs: &str) -> DeclarationLineDraft {
    DeclarationLineDraft {
        description: description.to_owned(),
        quantity: 2,
        net_weight_grams: grams,
        value: MoneyDraft {
            amount_minor: value_minor,
            currency: "EGP".to_owned(),
        },
        hs_code: hs.to_owned(),
        origin: "EG".to_owned(),
    }
}

fn egp_rate() -> SdrRate {
    SdrRate::parse("64.871234", Currency::EGP).unwrap()
}

/// A gift worth 1 250.00 EGP (about 19 SDR): a CN 22.
pub fn cn22() -> CustomsDeclaration {
    let declaration = DeclarationDraft {
        category: "gift".to_owned(),
        lines: vec![
            line("2 men's cotton shirts", 75_000, 600, "6109.10"),
            line("كتاب طبخ", 50_000, 300, "4901 99"),
        ],
        gross_weight_grams: 1000,
        ..DeclarationDraft::default()
    }
    .validate(MailStream::LetterPost, &egp_rate())
    .unwrap();
    assert_eq!(declaration.form(), barid_core::CustomsForm::Cn22);
    declaration
}

/// Sold goods worth 25 000.00 EGP (about 385 SDR) sent as letter post: a CN 23, with every
/// optional box filled in.
pub fn cn23() -> CustomsDeclaration {
    let declaration = DeclarationDraft {
        category: "sale_of_goods".to_owned(),
        lines: vec![
            line("هاتف محمول", 2_000_000, 400, "851713"),
            line("Leather wallet", 500_000, 200, "420231"),
        ],
        gross_weight_grams: 900,
        postal_charges: Some(MoneyDraft {
            amount_minor: 45_000,
            currency: "EGP".to_owned(),
        }),
        comments: "لا شيء".to_owned(),
        licence: true,
        licence_numbers: vec!["LIC-1".to_owned()],
        certificate: true,
        certificate_numbers: vec!["CERT-9".to_owned(), "CERT-10".to_owned()],
        invoice_number: "INV-2026-001".to_owned(),
        importer_reference: "PS-IMP-77".to_owned(),
        sender_customs_reference: "EG-EXP-5".to_owned(),
        ..DeclarationDraft::default()
    }
    .validate(MailStream::LetterPost, &egp_rate())
    .unwrap();
    assert_eq!(declaration.form(), barid_core::CustomsForm::Cn23);
    declaration
}

pub fn rr_range(first: u32, last: u32) -> S10Range {
    S10Range::new(
        ServiceIndicator::parse("RR").unwrap(),
        cc("EG"),
        first,
        last,
    )
    .unwrap()
}

pub fn s10(serial: u32) -> S10Id {
    S10Id::new(ServiceIndicator::parse("RR").unwrap(), serial, cc("EG")).unwrap()
}

pub fn new_item(id: ItemIdSource) -> NewItem {
    NewItem {
        operator: cc("EG"),
        id,
        service: S10Service::Registered,
        origin_country: cc("EG"),
        destination_country: cc("PS"),
        office: site("EG-CAIRO-1"),
        weight: Grams::new(1000),
        length_mm: Some(300),
        width_mm: Some(200),
        height_mm: None,
        contents: "كتب وملابس".to_owned(),
        sender: sender(),
        addressee: addressee(),
        customs: Some(cn22()),
        postage: Some(Money::new(12_550, Currency::EGP)),
    }
}

pub fn event(code: &str, milestone: Milestone, at: OffsetDateTime, office: &str) -> NewEvent {
    NewEvent {
        code: EventCode::parse(code).unwrap(),
        milestone,
        at,
        office: site(office),
        reason: None,
        next_action: None,
        signatory: None,
        note: None,
        source: EventSource::Local,
        reported_by: None,
        collected: None,
    }
}

pub fn accepted(at: OffsetDateTime) -> NewEvent {
    event("EMA", Milestone::Posted, at, "EG-CAIRO-1")
}

pub fn at_outward_office(at: OffsetDateTime) -> NewEvent {
    event("EMB", Milestone::ArrivedOutwardOffice, at, "EGCAIA")
}

pub fn derived(status: ItemStatus) -> DerivedStatus {
    DerivedStatus {
        status,
        leg: Leg::Outbound,
    }
}

pub fn message(recipient: &str, message_type: &str) -> NewOutboxMessage {
    NewOutboxMessage {
        message_id: Uuid::new_v4(),
        recipient: cc(recipient),
        message_type: message_type.to_owned(),
        version: "1".to_owned(),
        body: format!(r#"{{"type":"{message_type}","note":"رسالة"}}"#),
    }
}

/// Accepts an item with the given ID source, announcing it to Palestine with an ITMATT.
pub async fn accept(
    store: &Arc<dyn Store>,
    id: ItemIdSource,
    outbox: &[NewOutboxMessage],
) -> Result<(Item, ItemEvent), StoreError> {
    store
        .create_item(
            &cli("EG"),
            &new_item(id),
            &accepted(T0),
            derived(ItemStatus::Accepted),
            outbox,
        )
        .await
}

/// How many audit entries the operator has.
pub async fn audit_count(store: &Arc<dyn Store>, operator: &str) -> usize {
    store
        .audit_log(cc(operator), None, 10_000)
        .await
        .unwrap()
        .items
        .len()
}

/// The actions in the operator's audit log, oldest first.
pub async fn audit_actions(store: &Arc<dyn Store>, operator: &str) -> Vec<String> {
    let mut actions: Vec<String> = store
        .audit_log(cc(operator), None, 10_000)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|entry| entry.action)
        .collect();
    actions.reverse();
    actions
}

/// Every undelivered message from EG to `recipient` that is due at `at`.
pub async fn pending(
    store: &Arc<dyn Store>,
    recipient: &str,
    at: OffsetDateTime,
) -> Vec<OutboxMessage> {
    store
        .pending_outbox(cc("EG"), cc(recipient), at, 1000)
        .await
        .unwrap()
}

pub fn sequences(messages: &[OutboxMessage]) -> Vec<i64> {
    messages.iter().map(|message| message.sequence).collect()
}

pub fn inbox_message(sender: &str, sequence: i64) -> NewInboxMessage {
    NewInboxMessage {
        message_id: Uuid::new_v4(),
        recipient: cc("EG"),
        sender: cc(sender),
        sequence,
        message_type: "EMSEVT".to_owned(),
        version: "1".to_owned(),
        body: format!(r#"{{"sequence":{sequence},"office":"رام الله"}}"#),
        received_at: T0,
    }
}

#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("expected a Conflict, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>) {
    match result {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// A token of `operator` with `role`; partner tokens are held by PS (or EG for PS's).
pub fn new_token(operator: &str, name: &str, role: Role) -> NewApiToken {
    let partner = (role == Role::Partner).then(|| cc(if operator == "EG" { "PS" } else { "EG" }));
    NewApiToken {
        operator: cc(operator),
        name: name.to_owned(),
        secret_hash: format!("hash-{name}"),
        role,
        office: None,
        partner,
    }
}
