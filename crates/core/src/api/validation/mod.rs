//! Validation with the API server's messages (`k8s.io/apimachinery/pkg/util/validation/field`
//! and `pkg/apis/*/validation`). Each check appends `FieldError`s in the order the
//! server does, so several problems print in the same order too.

mod apps;
mod meta;
mod pod;
mod scheduling;

use std::fmt;

use serde::Serialize;

pub use apps::{
    int_or_percent_value, not_more_than_100_percent, validate_daemonset, validate_daemonset_update,
    validate_int_or_percent, validate_restart_policy, validate_selector_and_template,
    validate_selector_and_template_meta,
};
pub use meta::{
    selector_matches, validate_label_selector, validate_labels, validate_object_meta, NameRule,
};
pub use pod::{validate_node, validate_pod, validate_pod_spec};
pub use scheduling::{
    validate_priority_class, validate_priority_class_update, SYSTEM_PRIORITY_CLASSES,
};

/// `field.ErrorType`, printed as the server prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorType {
    Invalid,
    Required,
    NotSupported,
    Duplicate,
    Forbidden,
    NotFound,
    TooLong,
}

impl ErrorType {
    fn as_str(self) -> &'static str {
        match self {
            ErrorType::Invalid => "Invalid value",
            ErrorType::Required => "Required value",
            ErrorType::NotSupported => "Unsupported value",
            ErrorType::Duplicate => "Duplicate value",
            ErrorType::Forbidden => "Forbidden",
            ErrorType::NotFound => "Not found",
            ErrorType::TooLong => "Too long",
        }
    }

    /// Required, Forbidden and TooLong print no value.
    fn shows_value(self) -> bool {
        !matches!(
            self,
            ErrorType::Required | ErrorType::Forbidden | ErrorType::TooLong
        )
    }
}

/// One `field.Error`: `spec.template.spec.containers[0].image: Required value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// `spec.template.spec.containers[0].image`
    pub field: String,
    pub type_: ErrorType,
    /// The bad value, already rendered (`"OnFailure"`, `1`, `{"app":"x"}`).
    pub value: String,
    pub detail: String,
}

impl FieldError {
    fn new(field: &str, type_: ErrorType, value: String, detail: &str) -> Self {
        FieldError {
            field: field.to_string(),
            type_,
            value,
            detail: detail.to_string(),
        }
    }

    pub fn invalid(field: &str, value: Rendered, detail: &str) -> Self {
        Self::new(field, ErrorType::Invalid, value.0, detail)
    }

    pub fn required(field: &str, detail: &str) -> Self {
        Self::new(field, ErrorType::Required, String::new(), detail)
    }

    pub fn forbidden(field: &str, detail: &str) -> Self {
        Self::new(field, ErrorType::Forbidden, String::new(), detail)
    }

    /// `Too long: may not be more than N bytes`
    pub fn too_long(field: &str, max: usize) -> Self {
        Self::new(
            field,
            ErrorType::TooLong,
            String::new(),
            &format!("may not be more than {max} bytes"),
        )
    }

    pub fn duplicate(field: &str, value: Rendered) -> Self {
        Self::new(field, ErrorType::Duplicate, value.0, "")
    }

    pub fn not_found(field: &str, value: Rendered) -> Self {
        Self::new(field, ErrorType::NotFound, value.0, "")
    }

    /// `Unsupported value: "x": supported values: "a", "b"`
    pub fn not_supported(field: &str, value: Rendered, supported: &[&str]) -> Self {
        let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
        Self::new(
            field,
            ErrorType::NotSupported,
            value.0,
            &format!("supported values: {}", list.join(", ")),
        )
    }

    /// The `reason` of the `metav1.StatusCause` the server sends for it.
    pub fn cause_type(&self) -> &'static str {
        match self.type_ {
            ErrorType::Invalid => "FieldValueInvalid",
            ErrorType::Required => "FieldValueRequired",
            ErrorType::NotSupported => "FieldValueNotSupported",
            ErrorType::Duplicate => "FieldValueDuplicate",
            ErrorType::Forbidden => "FieldValueForbidden",
            ErrorType::NotFound => "FieldValueNotFound",
            ErrorType::TooLong => "FieldValueTooLong",
        }
    }

    /// Everything after `field: `, as `ErrorBody()` writes it.
    pub fn body(&self) -> String {
        let mut body = self.type_.as_str().to_string();
        if self.type_.shows_value() {
            body.push_str(": ");
            body.push_str(&self.value);
        }
        if !self.detail.is_empty() {
            body.push_str(": ");
            body.push_str(&self.detail);
        }
        body
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// A value rendered the way `field.Error` prints it: strings quoted, numbers and
/// booleans bare, anything else as JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered(pub String);

impl Rendered {
    pub fn str(value: &str) -> Self {
        Rendered(go_quote(value))
    }

    pub fn int(value: i64) -> Self {
        Rendered(value.to_string())
    }

    pub fn json<T: Serialize>(value: &T) -> Self {
        Rendered(serde_json::to_string(value).unwrap_or_else(|_| "null".to_string()))
    }
}

/// Go's `%q`: double quotes, with backslash, quote and control characters escaped.
pub fn go_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `ValidateNonnegativeField`.
pub fn nonnegative(value: i64, field: &str, errors: &mut Vec<FieldError>) {
    if value < 0 {
        errors.push(FieldError::invalid(
            field,
            Rendered::int(value),
            "must be greater than or equal to 0",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_print_like_the_api_server() {
        assert_eq!(
            FieldError::required("spec.template.spec.containers[0].image", "").to_string(),
            "spec.template.spec.containers[0].image: Required value"
        );
        assert_eq!(
            FieldError::not_supported(
                "spec.template.spec.restartPolicy",
                Rendered::str("OnFailure"),
                &["Always"]
            )
            .to_string(),
            "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""
        );
        assert_eq!(
            FieldError::invalid(
                "spec.template.metadata.labels",
                Rendered::json(&serde_json::json!({"app": "x"})),
                "`selector` does not match template `labels`"
            )
            .to_string(),
            "spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`"
        );
        assert_eq!(
            FieldError::required("spec.updateStrategy.rollingUpdate.maxUnavailable", "cannot be 0 when maxSurge is 0").to_string(),
            "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
        );
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
    }
}
