//! Pieces every v1 message uses.

use barid_core::FieldError;
use serde::{Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CodecError, join};
use crate::json::read::{Node, Object};
use crate::text::Text;

/// A time written in RFC 3339 with its own UTC offset (`2026-11-22T14:05:00+02:00`).
pub(super) struct Time(pub(super) OffsetDateTime);

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = self.0.format(&Rfc3339).map_err(|error| {
            serde::ser::Error::custom(format!(
                "{} cannot be written in RFC 3339, which takes years 0000 to 9999 and UTC offsets in whole minutes: {error}",
                self.0
            ))
        })?;
        serializer.serialize_str(&text)
    }
}

pub(super) fn time(time: OffsetDateTime) -> Time {
    Time(time)
}

pub(super) fn optional_time(time: Option<OffsetDateTime>) -> Option<Time> {
    time.map(Time)
}

/// Free text through [`Text::parse`].
pub(super) fn text<const MAX: usize>(node: &Node<'_>) -> Result<Text<MAX>, CodecError> {
    node.parse(Text::<MAX>::parse)
}

/// A string field handed to a core draft as is; absent is the draft's "not given" (blank).
pub(super) fn draft_string(object: &Object<'_>, key: &str) -> Result<String, CodecError> {
    object
        .optional_with(key, |node| node.str().map(str::to_owned))
        .map(Option::unwrap_or_default)
}

pub(super) fn required_string(object: &Object<'_>, key: &str) -> Result<String, CodecError> {
    object.required(key)?.str().map(str::to_owned)
}

pub(super) fn strings(node: &Node<'_>) -> Result<Vec<String>, CodecError> {
    node.list(|line| line.str().map(str::to_owned))
}

/// The problems a core draft found, under `prefix`, as one error: the first names the field,
/// the rest follow in the message so none is lost.
pub(super) fn field_errors(prefix: &str, errors: Vec<FieldError>) -> CodecError {
    let mut errors = errors.into_iter();
    let Some(first) = errors.next() else {
        return CodecError::invalid(prefix, "is not valid");
    };
    let rest: Vec<String> = errors
        .map(|error| format!("{}: {}", join(prefix, error.field()), error.message()))
        .collect();
    let message = if rest.is_empty() {
        first.message().to_owned()
    } else {
        format!("{}; also {}", first.message(), rest.join("; "))
    };
    CodecError::InvalidField {
        path: join(prefix, first.field()),
        message,
    }
}
