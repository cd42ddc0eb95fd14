//! How values are written on documents: dates, times with their UTC offset, countries in both
//! languages, and parties' city lines. Money and weights use `barid-core`'s `Display`
//! (`125.00 EGP`, `1.250 kg`).

use barid_core::{CountryCode, Party};
use time::OffsetDateTime;

/// Left-to-right isolate: keeps numbers, codes and e-mail addresses in their own order inside
/// Arabic text (otherwise a phone number after an Arabic word has its groups reversed).
pub(crate) fn ltr(text: &str) -> String {
    format!("\u{2066}{text}\u{2069}")
}

/// `2026-11-22`.
pub(crate) fn date(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}

/// `2026-11-22 14:05 UTC+02:00`, in the office's own offset.
pub(crate) fn date_time(at: OffsetDateTime) -> String {
    let offset = at.offset();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "{} {:02}:{:02} UTC{sign}{:02}:{:02}",
        date(at),
        at.hour(),
        at.minute(),
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs()
    )
}

/// `Palestine  فلسطين`.
pub(crate) fn country(code: CountryCode) -> String {
    format!("{}  {}", code.name_en(), code.name_ar())
}

/// `PALESTINE  فلسطين (PS)`: the destination line of an address, capitals as UPU asks.
pub(crate) fn country_line(code: CountryCode) -> String {
    format!(
        "{}  {}  ({})",
        code.name_en().to_uppercase(),
        code.name_ar(),
        code.as_str()
    )
}

/// `Ramallah 00970`: the city, then the postcode if there is one.
pub(crate) fn city_line(party: &Party) -> String {
    match party.postcode() {
        Some(postcode) => format!("{} {}", party.city(), ltr(postcode)),
        None => party.city().to_owned(),
    }
}

/// Whether a text's first strong character is right to left (Arabic): its paragraph is
/// right-aligned and inline captions next to it are Arabic.
pub(crate) fn is_rtl(text: &str) -> bool {
    for c in text.chars() {
        match unicode_bidi::bidi_class(c) {
            unicode_bidi::BidiClass::R | unicode_bidi::BidiClass::AL => return true,
            unicode_bidi::BidiClass::L => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_keep_the_office_offset() {
        let at = datetime!(2026-11-22 14:05:09 +02:00);
        assert_eq!(date(at), "2026-11-22");
        assert_eq!(date_time(at), "2026-11-22 14:05 UTC+02:00");
        let west = datetime!(2026-01-02 03:04 -03:30);
        assert_eq!(date_time(west), "2026-01-02 03:04 UTC-03:30");
    }

    #[test]
    fn direction_follows_the_first_strong_character() {
        assert!(is_rtl("١٢ شارع"));
        assert!(!is_rtl("12 Main St شارع"));
        assert!(!is_rtl("12345"));
    }
}
