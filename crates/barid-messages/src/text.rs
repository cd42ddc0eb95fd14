//! Bounded free text: contents descriptions, carrier names, signatories, notes.

use std::fmt;

/// Why a text cannot go into a message field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be blank")]
    Blank,
    #[error("must be at most {max} characters, found {found}")]
    TooLong { max: usize, found: usize },
    #[error("must not contain control characters, found U+{:04X}", u32::from(*found))]
    ControlCharacter { found: char },
}

impl TextError {
    /// The stable snake_case name, the same as core's field errors use.
    pub fn code(&self) -> &'static str {
        match self {
            TextError::Blank => "required",
            TextError::TooLong { .. } => "too_long",
            TextError::ControlCharacter { .. } => "control_character",
        }
    }
}

/// Trimmed, non-blank text of at most `MAX` characters (Arabic and Latin alike), without
/// control characters, which a partner's screens and printed forms could not show.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub const MAX_CHARS: usize = MAX;

    /// Trims the text, then checks it.
    pub fn parse(text: &str) -> Result<Self, TextError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(TextError::Blank);
        }
        if let Some(found) = trimmed.chars().find(|c| c.is_control()) {
            return Err(TextError::ControlCharacter { found });
        }
        let found = trimmed.chars().count();
        if found > MAX {
            return Err(TextError::TooLong { max: MAX, found });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an item holds, as described at the counter (the web form's limit).
pub type Contents = Text<200>;
/// An airline, shipping line or haulier.
pub type CarrierName = Text<100>;
/// A flight, voyage or truck number; 35 characters, as the EDIFACT transport identifier.
pub type Conveyance = Text<35>;
/// Who signed for or took delivery of an item.
pub type Signatory = Text<100>;
/// A free remark on an event.
pub type Note = Text<500>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded_in_characters() {
        assert_eq!(Text::<5>::parse("  قطن  ").unwrap().as_str(), "قطن");
        assert_eq!(Text::<3>::parse("قطنی").unwrap_err().code(), "too_long");
        assert_eq!(Text::<3>::parse(" \t ").unwrap_err(), TextError::Blank);
        assert_eq!(
            Text::<9>::parse("a\u{7}b").unwrap_err().to_string(),
            "must not contain control characters, found U+0007"
        );
    }
}
