//! The two ways a message can be wrong: a rule between its fields ([`MessageError`]), or bytes
//! that do not read as a message ([`CodecError`]).

use crate::envelope::MessageType;

/// A message whose fields are each valid but do not fit together: a receptacle of another
/// dispatch, a parcel declared on a CN 22, a PREDES sent by a post that did not close the
/// dispatch...
///
/// `field()` is the path of the offending field in the barid-json body (or envelope), such as
/// `receptacles[2].id`, so that a decoding error can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct MessageError {
    field: String,
    code: &'static str,
    message: String,
}

impl MessageError {
    pub(crate) fn new(field: impl Into<String>, code: &'static str, message: String) -> Self {
        Self {
            field: field.into(),
            code,
            message,
        }
    }

    /// The path of the field, e.g. `receptacles[2].id` or `recipient`.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The stable snake_case name of the rule, e.g. `foreign_receptacle`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// An English sentence saying what is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with its path under `prefix` (`body`, `items[3]`).
    pub(crate) fn under(self, prefix: &str) -> Self {
        Self {
            field: join(prefix, &self.field),
            ..self
        }
    }
}

/// Joins two paths: `("body", "receptacles[0]")` gives `body.receptacles[0]`.
pub(crate) fn join(prefix: &str, field: &str) -> String {
    match (prefix.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{field}"),
    }
}

/// Why bytes could not be read as a message, or a message could not be written.
///
/// `code()` is stable, for the exchange endpoint's error responses and for tests; `path()` is
/// the field at fault (`body.receptacles[0].id`), as the API's `field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("not well-formed JSON: {message}")]
    MalformedJson {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("type: {found:?} is not a message type; expected PREDES, RESDES, ITMATT or EMSEVT")]
    UnknownMessageType { found: String },
    #[error("version: {message_type} version {found} is not supported; this node reads version {}", supported_list(.supported))]
    UnsupportedVersion {
        message_type: MessageType,
        found: u64,
        supported: &'static [u32],
    },
    #[error("{path}: is required")]
    MissingField { path: String },
    #[error("{path}: is not a field of this message")]
    UnknownField { path: String },
    #[error("{}: {message}", shown(.path))]
    InvalidField { path: String, message: String },
    #[error("the message cannot be written: {message}")]
    Unencodable { message: String },
}

fn supported_list(versions: &[u32]) -> String {
    versions
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The whole message has the empty path; say so rather than print nothing.
fn shown(path: &str) -> &str {
    if path.is_empty() { "(message)" } else { path }
}

impl CodecError {
    /// The stable snake_case name of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            CodecError::MalformedJson { .. } => "malformed_json",
            CodecError::UnknownMessageType { .. } => "unknown_message_type",
            CodecError::UnsupportedVersion { .. } => "unsupported_version",
            CodecError::MissingField { .. } => "missing_field",
            CodecError::UnknownField { .. } => "unknown_field",
            CodecError::InvalidField { .. } => "invalid_field",
            CodecError::Unencodable { .. } => "unencodable",
        }
    }

    /// The path of the field at fault, when the problem is about one field.
    pub fn path(&self) -> Option<&str> {
        match self {
            CodecError::UnknownMessageType { .. } => Some("type"),
            CodecError::UnsupportedVersion { .. } => Some("version"),
            CodecError::MissingField { path }
            | CodecError::UnknownField { path }
            | CodecError::InvalidField { path, .. } => Some(path),
            CodecError::MalformedJson { .. } | CodecError::Unencodable { .. } => None,
        }
    }

    /// The English explanation without the path, for an API error whose `field` carries the
    /// path: `wrong check digit: it should be 3, found 4`.
    pub fn message(&self) -> String {
        let full = self.to_string();
        match self.path() {
            Some(path) => full
                .strip_prefix(&format!("{}: ", shown(path)))
                .map(str::to_owned)
                .unwrap_or(full),
            None => full,
        }
    }

    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        CodecError::InvalidField {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl From<MessageError> for CodecError {
    fn from(error: MessageError) -> Self {
        CodecError::InvalidField {
            path: error.field,
            message: error.message,
        }
    }
}
