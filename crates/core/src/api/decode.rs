//! YAML text → API objects. Multi-document streams, empty documents skipped,
//! every error carrying the line and column it was found at.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml::Value;

use super::Object;

/// A position in the submitted text, 1-based like an editor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Why the text could not be turned into objects. Nothing is applied when this happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    pub location: Option<Location>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(Location { line, column }) => {
                write!(f, "line {line}, column {column}: {}", self.message)
            }
            None => write!(f, "{}", self.message),
        }
    }
}

impl From<serde_yaml::Error> for DecodeError {
    fn from(error: serde_yaml::Error) -> Self {
        let location = error.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        // serde_yaml writes positions into its message; they are reported separately.
        let message = strip_positions(&error.to_string());
        DecodeError { message, location }
    }
}

/// Removes every " at line N column M" from a serde_yaml message.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_end = digits(tail);
        match tail[line_end..].strip_prefix(" column ") {
            Some(after) if line_end > 0 && digits(after) > 0 => rest = &after[digits(after)..],
            _ => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn string_field<'a>(document: &'a Value, key: &str) -> Option<&'a str> {
    document.get(key).and_then(Value::as_str)
}

fn typed<T: DeserializeOwned>(document: serde_yaml::Deserializer<'_>) -> Result<T, DecodeError> {
    T::deserialize(document).map_err(DecodeError::from)
}

/// Decodes every document of `text`. Either all decode, or none is returned.
pub fn decode_all(text: &str) -> Result<Vec<Object>, DecodeError> {
    // First pass: syntax, and which kind each document is.
    let mut kinds = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(document)?;
        if value.is_null() {
            kinds.push(None);
            continue;
        }
        if !value.is_mapping() {
            return Err(DecodeError {
                message: "a document must be a mapping with apiVersion and kind".to_string(),
                location: None,
            });
        }
        let api_version = string_field(&value, "apiVersion").unwrap_or("").to_string();
        let kind = string_field(&value, "kind").unwrap_or("").to_string();
        kinds.push(Some((api_version, kind)));
    }
    // Second pass over the same text: decode each document as its type, so that
    // type errors keep their position in the text.
    let mut objects = Vec::new();
    for (document, kind) in serde_yaml::Deserializer::from_str(text).zip(kinds) {
        let Some((api_version, kind)) = kind else {
            continue;
        };
        let object = match (api_version.as_str(), kind.as_str()) {
            ("v1", "Namespace") => Object::Namespace(typed(document)?),
            ("v1", "Node") => Object::Node(typed(document)?),
            ("v1", "Pod") => Object::Pod(typed(document)?),
            ("apps/v1", "DaemonSet") => Object::DaemonSet(typed(document)?),
            ("scheduling.k8s.io/v1", "PriorityClass") => Object::PriorityClass(typed(document)?),
            ("", _) | (_, "") => {
                let mut missing = Vec::new();
                if api_version.is_empty() {
                    missing.push("apiVersion not set");
                }
                if kind.is_empty() {
                    missing.push("kind not set");
                }
                return Err(DecodeError {
                    message: format!("error validating data: [{}]", missing.join(", ")),
                    location: None,
                });
            }
            _ => {
                return Err(DecodeError {
                    message: format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
                    location: None,
                });
            }
        };
        objects.push(object);
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_with_empty_documents() {
        let text = "---\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: a\n---\n\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n";
        let objects = decode_all(text).unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[0].name(), "a");
        assert_eq!(objects[1].resource(), "namespace");
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let text = "apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n labels: x\n";
        let err = decode_all(text).unwrap_err();
        let location = err.location.expect("a location");
        assert_eq!(location.line, 5);
        assert!(!err.message.contains(" at line "), "{}", err.message);
    }

    #[test]
    fn type_errors_carry_line_and_column() {
        let text = "apiVersion: v1\nkind: Node\nmetadata:\n  name: a\nspec:\n  taints: 5\n";
        let err = decode_all(text).unwrap_err();
        assert_eq!(err.location.map(|l| l.line), Some(6), "{err}");
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }

    #[test]
    fn kinds_not_served_are_refused() {
        let err = decode_all("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n")
            .unwrap_err();
        assert_eq!(
            err.message,
            "no matches for kind \"Deployment\" in version \"apps/v1\""
        );
    }
}
