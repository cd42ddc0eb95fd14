//! The customs and money text parsers never panic, and round-trip what they accept.
#![no_main]

use barid_core::customs::ContentCategory;
use barid_core::{Currency, Grams, HsCode, Money, SdrRate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(code) = HsCode::parse(text) {
        assert_eq!(HsCode::parse(code.as_str()), Ok(code));
    }
    if let Ok(category) = ContentCategory::parse(text) {
        assert_eq!(ContentCategory::parse(category.as_str()), Ok(category));
    }
    if let Ok(currency) = Currency::parse(text) {
        assert_eq!(Currency::parse(currency.as_str()), Ok(currency));
    }
    for currency in [Currency::EGP, Currency::JOD] {
        if let Ok(money) = Money::parse_decimal(text, currency) {
            assert_eq!(
                Money::parse_decimal(&money.to_decimal_string(), currency),
                Ok(money)
            );
        }
        let _ = SdrRate::parse(text, currency);
    }
    let _ = Grams::parse_kg(text);
});
