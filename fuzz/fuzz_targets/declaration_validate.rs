//! Any JSON an API client might send as a customs declaration or a party gives a declaration or
//! field errors, never a panic; and every field error names a field.
#![no_main]

use barid_core::customs::{DeclarationDraft, MailStream};
use barid_core::{Currency, PartyDraft, SdrRate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(rate) = SdrRate::parse("64.871234", Currency::EGP) else {
        return;
    };
    if let Ok(draft) = serde_json::from_str::<DeclarationDraft>(text) {
        for stream in [MailStream::LetterPost, MailStream::Ems, MailStream::Parcel] {
            if let Err(errors) = draft.clone().validate(stream, &rate) {
                assert!(!errors.is_empty());
                assert!(
                    errors
                        .iter()
                        .all(|e| !e.field().is_empty() && !e.code().is_empty())
                );
            }
        }
    }
    if let Ok(party) = serde_json::from_str::<PartyDraft>(text) {
        if let Err(errors) = party.validate() {
            assert!(!errors.is_empty());
        }
    }
});
