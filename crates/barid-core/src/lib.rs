//! Barid's pure postal domain.
//!
//! What belongs here: UPU identifiers (S10 items, S8 dispatches, S9 receptacles, IMPC offices),
//! code lists loaded from reference data, the item lifecycle, customs declaration rules, money
//! and weight. Every ID and code is a newtype built only by parsing.
//!
//! What does not: I/O of any kind, the clock (times are arguments), async runtimes, databases,
//! HTTP. CI checks that this crate depends on none of tokio, sqlx, axum, hyper or reqwest.

pub mod acceptance;
pub mod access;
pub mod agreement;
pub mod country;
mod country_table;
pub mod customs;
pub mod delivery;
pub mod dispatch;
pub mod event;
pub mod exchange;
pub mod field;
pub mod lifecycle;
pub mod money;
pub mod office;
pub mod party;
pub mod quality;
pub mod reference;
pub mod s10;
pub mod service;
pub mod tariff;

pub use acceptance::{AcceptanceRequest, Quote, Refusal, RefusalKind};
pub use access::{Role, SiteCode};
pub use agreement::{
    AcceptanceRefusal, Agreement, AgreementStatus, AgreementTerms, Route, Share, Suspension,
    TermsError,
};
pub use country::CountryCode;
pub use customs::{
    ContentCategory, CustomsDeclaration, CustomsForm, DeclarationDraft, HsCode, MailStream,
};
pub use delivery::{DeliveryPolicy, DutyError};
pub use dispatch::{
    DispatchId, DispatchNumber, DispatchSeries, DispatchYear, MailCategory, MailClass,
    MailSubclass, PostalIdError, ReceptacleId, ReceptacleSerial, ReceptacleWeight,
};
pub use event::{EventCode, Milestone, NextAction, ReasonCode};
pub use exchange::{
    ClosedDispatch, Discrepancy, DispatchCloseError, ItemFacts, PreAdvice, Receipt, Receptacle,
    ReceptacleError, ReceptacleState, RoutePlan, SeriesYear, WeightTolerance,
};
pub use field::{FieldError, FieldErrorKind};
pub use lifecycle::{ItemState, ItemStatus, Leg, LifecycleError, LifecycleEvent};
pub use money::{Currency, Grams, Money, SdrRate};
pub use office::OfficeCode;
pub use party::{Party, PartyDraft};
pub use reference::{ReferenceData, ReferenceTable};
pub use s10::{S10Error, S10Id, S10Range, S10Service, ServiceIndicator};
pub use service::{CustomsRule, ServiceCatalogue, ServiceCode, ServiceInfo};
pub use tariff::{Postage, SdrRates, TariffError, TariffTable, Zone};
