//! The small code parsers (country, event, reason, milestone, service indicator) never panic and
//! round-trip what they accept.
#![no_main]

use barid_core::{CountryCode, EventCode, Milestone, ReasonCode, ServiceIndicator};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(country) = CountryCode::parse(text) {
        assert_eq!(CountryCode::parse(country.as_str()), Ok(country));
    }
    if let Ok(code) = EventCode::parse(text) {
        assert_eq!(EventCode::parse(code.as_str()), Ok(code));
    }
    if let Ok(reason) = ReasonCode::parse(text) {
        assert_eq!(ReasonCode::parse(reason.as_str()), Ok(reason));
    }
    if let Ok(milestone) = Milestone::parse(text) {
        assert_eq!(Milestone::parse(milestone.as_str()), Ok(milestone));
    }
    if let Ok(indicator) = ServiceIndicator::parse(text) {
        assert_eq!(ServiceIndicator::parse(indicator.as_str()), Ok(indicator));
    }
});
