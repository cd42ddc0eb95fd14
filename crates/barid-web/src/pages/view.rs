//! Turning domain values into the words and shapes pages show: dates with their UTC offset,
//! statuses with a tone, event and service names, and S10 parse errors in the reader's
//! language.

use barid_core::lifecycle::ItemStatus;
use barid_core::{ContentCategory, EventCode, ReasonCode, ReferenceData, S10Error, S10Service};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::i18n::Tr;

/// A moment as a page shows it: the local date and time where it happened, and that place's
/// UTC offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// E.g. `10 May 2026, 12:00` or `10 مايو 2026، 12:00`.
    pub text: String,
    /// E.g. `UTC+03:00`; always Latin, shown left to right.
    pub offset: String,
    /// RFC 3339 with the offset, for `<time datetime>`.
    pub iso: String,
}

pub fn when(t: &Tr, at: OffsetDateTime) -> When {
    let month = t.tr(&format!("month-{}", u8::from(at.month())));
    let text = t.lookup(
        "date-time",
        &[
            ("day", i64::from(at.day()).into()),
            ("month", month.into()),
            ("year", i64::from(at.year()).into()),
            (
                "time",
                format!("{:02}:{:02}", at.hour(), at.minute()).into(),
            ),
        ],
    );
    When {
        text,
        offset: utc_offset(at),
        iso: at.format(&Rfc3339).unwrap_or_default(),
    }
}

/// `UTC`, `UTC+03:00`, `UTC-05:00`, `UTC+05:45`.
pub fn utc_offset(at: OffsetDateTime) -> String {
    let offset = at.offset();
    if offset.is_utc() {
        return "UTC".to_owned();
    }
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!(
        "UTC{sign}{:02}:{:02}",
        offset.whole_hours().unsigned_abs(),
        offset.minutes_past_hour().unsigned_abs()
    )
}

/// The translation key of a status: `status-at-outward-office`.
pub fn status_key(status: ItemStatus) -> String {
    format!("status-{}", status.as_str().replace('_', "-"))
}

pub fn status_text(t: &Tr, status: ItemStatus) -> String {
    t.tr(&status_key(status))
}

/// How a status should look: `moving`, `done`, `attention` (someone must act or wait) or
/// `stopped` (it ended without delivery).
pub fn status_tone(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Delivered => "done",
        ItemStatus::ReturnedToSender
        | ItemStatus::ImportTerminated
        | ItemStatus::ExportCancelled => "stopped",
        ItemStatus::HeldByExportCustoms
        | ItemStatus::HeldAtOutwardOffice
        | ItemStatus::HeldAtInwardOffice
        | ItemStatus::HeldByImportCustoms
        | ItemStatus::HeldAtDeliveryOffice
        | ItemStatus::AtCollectionPoint
        | ItemStatus::DeliveryAttemptFailed
        | ItemStatus::ReturnPending => "attention",
        _ => "moving",
    }
}

/// The name of an event code from the reference data, or the code itself when unknown.
pub fn event_text(t: &Tr, reference: &ReferenceData, code: &EventCode) -> String {
    match reference.event(code) {
        Some(info) => t.pick(&info.names.en, &info.names.ar).to_owned(),
        None => t.tr1("event-unknown", "code", code.as_str()),
    }
}

/// The name of a reason code from the reference data, or the code itself when unknown.
pub fn reason_text(t: &Tr, reference: &ReferenceData, reason: &ReasonCode) -> String {
    match reference.reason(reason) {
        Some(info) => t.pick(&info.names.en, &info.names.ar).to_owned(),
        None => reason.as_str().to_owned(),
    }
}

pub fn service_key(service: S10Service) -> String {
    format!("service-{}", service.as_str().replace('_', "-"))
}

pub fn category_key(category: ContentCategory) -> String {
    format!("category-{}", category.as_str().replace('_', "-"))
}

/// Why a typed text is not an S10 ID, in the reader's language; the check-digit case names the
/// digit it should be.
pub fn s10_problem(t: &Tr, error: &S10Error) -> String {
    match error {
        S10Error::Length { found } => t.tr1("s10-error-length", "found", *found),
        S10Error::Format {
            position,
            expected,
            found,
        } => {
            let key = if expected.contains("digit") {
                "s10-error-format-digit"
            } else {
                "s10-error-format-letter"
            };
            t.tr2(key, "position", *position, "found", found.to_string())
        }
        S10Error::CheckDigit { expected, found } => t.tr2(
            "s10-error-check-digit",
            "expected",
            *expected,
            "found",
            *found,
        ),
        S10Error::ReservedServiceIndicator { indicator } => {
            t.tr1("s10-error-reserved", "indicator", indicator.as_str())
        }
        S10Error::UnknownCountry { code } => t.tr1("s10-error-country", "code", code.as_str()),
        S10Error::IndicatorFormat { found } => {
            t.tr1("s10-error-indicator", "found", found.as_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::strip_isolation;
    use barid_store::model::Language;
    use time::macros::datetime;

    #[test]
    fn times_keep_the_offset_of_where_they_happened() {
        let en = Tr::new(Language::En);
        let shown = when(&en, datetime!(2026-05-10 12:05:00 +03:00));
        assert_eq!(strip_isolation(&shown.text), "10 May 2026, 12:05");
        assert_eq!(shown.offset, "UTC+03:00");
        assert_eq!(shown.iso, "2026-05-10T12:05:00+03:00");
        assert_eq!(utc_offset(datetime!(2026-01-15 04:30 -05:00)), "UTC-05:00");
        assert_eq!(utc_offset(datetime!(2026-01-15 04:30 +05:45)), "UTC+05:45");
        assert_eq!(utc_offset(datetime!(2026-01-15 04:30 UTC)), "UTC");
        let ar = Tr::new(Language::Ar);
        let shown = when(&ar, datetime!(2026-05-10 12:05:00 +03:00));
        assert!(
            strip_isolation(&shown.text).contains("مايو"),
            "{}",
            shown.text
        );
    }

    #[test]
    fn the_check_digit_problem_names_the_expected_digit_in_both_languages() {
        let error = barid_core::S10Id::parse("RR123456784EG").unwrap_err();
        let en = strip_isolation(&s10_problem(&Tr::new(Language::En), &error));
        assert!(en.contains("should be 5"), "{en}");
        let ar = strip_isolation(&s10_problem(&Tr::new(Language::Ar), &error));
        assert!(ar.contains('5') && ar.contains('4'), "{ar}");
    }
}
