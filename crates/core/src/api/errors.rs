//! The API server's error answers (`metav1.Status` with a reason), with the
//! field causes that let the editor point at a line.

use std::fmt;

use super::validation::FieldError;

/// `metav1.StatusReason`, as kubectl prints it in `Error from server (Reason)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    BadRequest,
    NotFound,
    AlreadyExists,
    Invalid,
    Forbidden,
    /// 429: an eviction a PodDisruptionBudget does not allow now.
    TooManyRequests,
    InternalError,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::BadRequest => "BadRequest",
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Invalid => "Invalid",
            Reason::Forbidden => "Forbidden",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::InternalError => "InternalError",
        })
    }
}

/// An error status from the API server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub reason: Reason,
    /// The status message, e.g. `namespaces "monitoring" not found`.
    pub message: String,
    pub details: Box<Details>,
}

/// `metav1.StatusDetails`, and the fields to point the editor at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    /// For Invalid: the kind (`DaemonSet`) and name; empty when the server could
    /// not tell (a refused patch).
    pub kind: String,
    pub name: String,
    /// The field errors behind an Invalid answer.
    pub causes: Vec<FieldError>,
    /// Every field the error names, to locate in the text.
    pub fields: Vec<String>,
}

impl ApiError {
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        ApiError {
            reason,
            message: message.into(),
            details: Box::default(),
        }
    }

    /// `errors.NewInvalid`: `DaemonSet.apps "x" is invalid: <errors>`.
    pub fn invalid(kind: &str, qualified_kind: &str, name: &str, causes: Vec<FieldError>) -> Self {
        let list = match causes.as_slice() {
            [one] => one.to_string(),
            many => format!(
                "[{}]",
                many.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let message = if qualified_kind.is_empty() {
            list
        } else {
            format!("{qualified_kind} \"{name}\" is invalid: {list}")
        };
        ApiError {
            reason: Reason::Invalid,
            message,
            details: Box::new(Details {
                kind: kind.to_string(),
                name: name.to_string(),
                fields: causes.iter().map(|c| c.field.clone()).collect(),
                causes,
            }),
        }
    }

    /// `errors.NewNotFound`: `namespaces "monitoring" not found`.
    pub fn not_found(resource: &str, name: &str) -> Self {
        ApiError::new(Reason::NotFound, format!("{resource} \"{name}\" not found"))
    }

    /// `errors.NewAlreadyExists`.
    pub fn already_exists(resource: &str, name: &str) -> Self {
        ApiError::new(
            Reason::AlreadyExists,
            format!("{resource} \"{name}\" already exists"),
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
