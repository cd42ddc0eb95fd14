//! Store errors. The web layer matches on the variants, never on messages.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The object does not exist, or belongs to another operator (which callers must not be
    /// able to tell apart).
    #[error("{what} {key} not found")]
    NotFound { what: &'static str, key: String },
    /// A uniqueness rule or a concurrent change refused the write; nothing was written.
    #[error("{what}: {message}")]
    Conflict { what: &'static str, message: String },
    /// The record breaks a rule of the model (e.g. a clerk with no office); nothing was written.
    /// `field` names the offending field of the new record.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// An S10 range has no serial left.
    #[error("S10 range {range} is used up")]
    RangeExhausted { range: String },
    /// A stored value no longer parses: the database was edited by hand or by a newer Barid.
    #[error("stored {what} is not valid: {message}")]
    Corrupt { what: &'static str, message: String },
    /// The database could not be reached or failed.
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn not_found(what: &'static str, key: impl std::fmt::Display) -> Self {
        StoreError::NotFound {
            what,
            key: key.to_string(),
        }
    }

    pub fn conflict(what: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            what,
            message: message.into(),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn corrupt(what: &'static str, message: impl std::fmt::Display) -> Self {
        StoreError::Corrupt {
            what,
            message: message.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
