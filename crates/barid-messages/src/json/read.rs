//! Reading a parsed JSON document field by field, keeping the path of each value, so every
//! error says where it is (`body.receptacles[2].items[0]`) as well as what is wrong.
//!
//! serde's derived deserialisers report a line and column at best, and a value's parser cannot
//! know its path; walking a `serde_json::Value` gives both, and never panics whatever it holds.

use std::fmt;

use barid_core::Grams;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{CodecError, join};

/// One JSON value and where it sits in the message.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    value: &'a Value,
    path: String,
}

/// A JSON object whose fields have all been checked to be known.
#[derive(Debug)]
pub(crate) struct Object<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a decimal number",
        Value::Number(_) => "a whole number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Node<'a> {
    pub(crate) fn new(value: &'a Value, path: &str) -> Self {
        Self {
            value,
            path: path.to_owned(),
        }
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn invalid(&self, message: impl fmt::Display) -> CodecError {
        CodecError::invalid(self.path.clone(), message.to_string())
    }

    fn expected(&self, what: &str) -> CodecError {
        self.invalid(format!("expected {what}, found {}", kind(self.value)))
    }

    /// The object, refusing any field not in `known`: within a version the format is closed,
    /// so a misspelt optional field is an error rather than silently dropped data.
    pub(crate) fn object(&self, known: &[&str]) -> Result<Object<'a>, CodecError> {
        let object = self.open_object()?;
        object.check_fields(known)?;
        Ok(object)
    }

    /// The object, before its fields are checked (the envelope reads its type first).
    pub(crate) fn open_object(&self) -> Result<Object<'a>, CodecError> {
        match self.value {
            Value::Object(map) => Ok(Object {
                map,
                path: self.path.clone(),
            }),
            _ => Err(self.expected("an object")),
        }
    }

    pub(crate) fn str(&self) -> Result<&'a str, CodecError> {
        match self.value {
            Value::String(text) => Ok(text),
            _ => Err(self.expected("a string")),
        }
    }

    /// The string through a core parser; its error message becomes the field's.
    pub(crate) fn parse<T, E: fmt::Display>(
        &self,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, CodecError> {
        parse(self.str()?).map_err(|error| self.invalid(error))
    }

    pub(crate) fn u64(&self) -> Result<u64, CodecError> {
        self.value
            .as_u64()
            .ok_or_else(|| self.expected("a whole number from 0"))
    }

    pub(crate) fn i64(&self) -> Result<i64, CodecError> {
        match self.value {
            Value::Number(number) => number
                .as_i64()
                .ok_or_else(|| self.invalid(format!("expected a whole number, found {number}"))),
            _ => Err(self.expected("a whole number")),
        }
    }

    pub(crate) fn grams(&self) -> Result<Grams, CodecError> {
        let grams = self.u64()?;
        u32::try_from(grams).map(Grams::new).map_err(|_| {
            self.invalid(format!(
                "a weight is at most {} grams, found {grams}",
                u32::MAX
            ))
        })
    }

    /// An RFC 3339 time; its UTC offset is kept.
    pub(crate) fn time(&self) -> Result<OffsetDateTime, CodecError> {
        let text = self.str()?;
        OffsetDateTime::parse(text, &Rfc3339).map_err(|error| {
            self.invalid(format!(
                "expected an RFC 3339 time such as 2026-11-22T14:05:00+02:00, found {text:?}: {error}"
            ))
        })
    }

    pub(crate) fn array(&self) -> Result<Vec<Node<'a>>, CodecError> {
        match self.value {
            Value::Array(values) => Ok(values
                .iter()
                .enumerate()
                .map(|(index, value)| Node {
                    value,
                    path: format!("{}[{index}]", self.path),
                })
                .collect()),
            _ => Err(self.expected("an array")),
        }
    }

    /// Each element of the array through `read`.
    pub(crate) fn list<T>(
        &self,
        read: impl FnMut(&Node<'a>) -> Result<T, CodecError>,
    ) -> Result<Vec<T>, CodecError> {
        self.array()?.iter().map(read).collect()
    }
}

impl<'a> Object<'a> {
    /// Refuses the first field not in `known`.
    pub(crate) fn check_fields(&self, known: &[&str]) -> Result<(), CodecError> {
        match self.map.keys().find(|key| !known.contains(&key.as_str())) {
            Some(key) => Err(CodecError::UnknownField {
                path: join(&self.path, key),
            }),
            None => Ok(()),
        }
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    pub(crate) fn required(&self, key: &str) -> Result<Node<'a>, CodecError> {
        self.optional(key).ok_or_else(|| CodecError::MissingField {
            path: join(&self.path, key),
        })
    }

    /// An absent field is `None`. `null` is not absence: it fails as the wrong type, so there
    /// is one way to leave a field out, as the encoder writes it.
    pub(crate) fn optional(&self, key: &str) -> Option<Node<'a>> {
        self.map.get(key).map(|value| Node {
            value,
            path: join(&self.path, key),
        })
    }

    /// An optional field through `read`.
    pub(crate) fn optional_with<T>(
        &self,
        key: &str,
        read: impl FnOnce(&Node<'a>) -> Result<T, CodecError>,
    ) -> Result<Option<T>, CodecError> {
        self.optional(key).as_ref().map(read).transpose()
    }
}
