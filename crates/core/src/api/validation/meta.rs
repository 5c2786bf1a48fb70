//! Object metadata, labels, annotations and label selectors.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{FieldError, Rendered};
use crate::api::names::{
    dns1035_label_errors, dns1123_label_errors, dns1123_subdomain_errors, label_value_errors,
    path_segment_errors, qualified_name_errors,
};

/// Which grammar an object's name must follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    Dns1123Subdomain,
    Dns1123Label,
    /// Services: `IsDNS1035Label`.
    Dns1035Label,
    /// RBAC roles and bindings: `ValidatePathSegmentName` (`system:node` is fine).
    PathSegment,
}

/// Annotations may total at most 256 KiB.
const TOTAL_ANNOTATION_SIZE_LIMIT: usize = 256 * 1024;

/// `ValidateObjectMeta`: name (or generateName), namespace, labels, annotations.
pub fn validate_object_meta(
    meta: &ObjectMeta,
    requires_namespace: bool,
    rule: NameRule,
    errors: &mut Vec<FieldError>,
) {
    let name = meta.name.as_deref().unwrap_or("");
    let generate_name = meta.generate_name.as_deref().unwrap_or("");
    let name_errors = |value: &str| match rule {
        NameRule::Dns1123Subdomain => dns1123_subdomain_errors(value),
        NameRule::Dns1123Label => dns1123_label_errors(value),
        NameRule::Dns1035Label => dns1035_label_errors(value),
        NameRule::PathSegment => path_segment_errors(value),
    };
    if !generate_name.is_empty() {
        // A prefix may end in '-': the generated suffix completes it.
        let prefix = generate_name.trim_end_matches('-');
        for msg in name_errors(if prefix.is_empty() { "a" } else { prefix }) {
            errors.push(FieldError::invalid(
                "metadata.generateName",
                Rendered::str(generate_name),
                &msg,
            ));
        }
    }
    if name.is_empty() {
        if generate_name.is_empty() {
            errors.push(FieldError::required(
                "metadata.name",
                "name or generateName is required",
            ));
        }
    } else {
        for msg in name_errors(name) {
            errors.push(FieldError::invalid(
                "metadata.name",
                Rendered::str(name),
                &msg,
            ));
        }
    }
    let namespace = meta.namespace.as_deref().unwrap_or("");
    if requires_namespace {
        if namespace.is_empty() {
            errors.push(FieldError::required("metadata.namespace", ""));
        } else {
            for msg in dns1123_label_errors(namespace) {
                errors.push(FieldError::invalid(
                    "metadata.namespace",
                    Rendered::str(namespace),
                    &msg,
                ));
            }
        }
    } else if !namespace.is_empty() {
        errors.push(FieldError::forbidden(
            "metadata.namespace",
            "not allowed on this type",
        ));
    }
    if let Some(labels) = &meta.labels {
        validate_labels(labels, "metadata.labels", errors);
    }
    if let Some(annotations) = &meta.annotations {
        validate_annotations(annotations, "metadata.annotations", errors);
    }
}

/// `ValidateLabelName`: a label key is a qualified name.
pub fn validate_label_key(key: &str, field: &str, errors: &mut Vec<FieldError>) {
    for msg in qualified_name_errors(key) {
        errors.push(FieldError::invalid(field, Rendered::str(key), &msg));
    }
}

/// `ValidateLabels`: every key a qualified name, every value a label value. The
/// server walks a Go map (random order); we walk keys in sorted order.
pub fn validate_labels(
    labels: &BTreeMap<String, String>,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    for (key, value) in labels {
        validate_label_key(key, field, errors);
        for msg in label_value_errors(value) {
            errors.push(FieldError::invalid(field, Rendered::str(value), &msg));
        }
    }
}

/// `ValidateAnnotations`: keys are qualified names (lower-cased), total size bounded.
pub fn validate_annotations(
    annotations: &BTreeMap<String, String>,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    let mut total = 0;
    for (key, value) in annotations {
        for msg in qualified_name_errors(&key.to_lowercase()) {
            errors.push(FieldError::invalid(field, Rendered::str(key), &msg));
        }
        total += key.len() + value.len();
    }
    if total > TOTAL_ANNOTATION_SIZE_LIMIT {
        errors.push(FieldError {
            field: field.to_string(),
            type_: super::ErrorType::TooLong,
            value: String::new(),
            detail: format!("must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"),
        });
    }
}

/// `ValidateLabelSelector`.
pub fn validate_label_selector(
    selector: &LabelSelector,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    for (i, expression) in selector.match_expressions.iter().flatten().enumerate() {
        let path = format!("{field}.matchExpressions[{i}]");
        let values = expression.values.as_deref().unwrap_or_default();
        match expression.operator.as_str() {
            "In" | "NotIn" => {
                if values.is_empty() {
                    errors.push(FieldError::required(
                        &format!("{path}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            "Exists" | "DoesNotExist" => {
                if !values.is_empty() {
                    errors.push(FieldError::forbidden(
                        &format!("{path}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            op => errors.push(FieldError::invalid(
                &format!("{path}.operator"),
                Rendered::str(op),
                "not a valid selector operator",
            )),
        }
        validate_label_key(&expression.key, &format!("{path}.key"), errors);
        for (j, value) in values.iter().enumerate() {
            for msg in label_value_errors(value) {
                errors.push(FieldError::invalid(
                    &format!("{path}.values[{j}]"),
                    Rendered::str(value),
                    &msg,
                ));
            }
        }
    }
    if let Some(labels) = &selector.match_labels {
        validate_labels(labels, &format!("{field}.matchLabels"), errors);
    }
}

/// `LabelSelectorAsSelector` succeeds: known operators, valid keys and values.
pub fn selector_parses(selector: &LabelSelector) -> bool {
    let mut errors = Vec::new();
    validate_label_selector(selector, "", &mut errors);
    errors.is_empty()
}

/// Does `selector` select an object with `labels`? A selector whose expressions
/// cannot be parsed selects nothing.
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_match = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    labels_match
        && selector.match_expressions.iter().flatten().all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let actual = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => actual.is_some_and(|a| values.contains(a)),
                "NotIn" => actual.is_none_or(|a| !values.contains(a)),
                "Exists" => actual.is_some(),
                "DoesNotExist" => actual.is_none(),
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_follow_their_grammar() {
        let meta = ObjectMeta {
            name: Some("My_DS".into()),
            namespace: Some("default".into()),
            ..Default::default()
        };
        let mut errors = Vec::new();
        validate_object_meta(&meta, true, NameRule::Dns1123Subdomain, &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "metadata.name: Invalid value: \"My_DS\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let labels: BTreeMap<String, String> = [("app".to_string(), "x".to_string())].into();
        let by_label = LabelSelector {
            match_labels: Some(labels.clone()),
            match_expressions: None,
        };
        assert!(selector_matches(&by_label, &labels));
        assert!(!selector_matches(&by_label, &BTreeMap::new()));
    }
}
