//! PriorityClasses: `pkg/apis/scheduling/validation`.

use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::meta::{validate_object_meta, NameRule};
use super::{FieldError, Rendered};

/// The classes every cluster has, with their fixed values.
pub const SYSTEM_PRIORITY_CLASSES: [(&str, i32, &str); 2] = [
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
];
const HIGHEST_USER_DEFINABLE_PRIORITY: i32 = 1_000_000_000;

/// `IsKnownSystemPriorityClass`: why a `system-` class is not one of the built-in ones.
fn unknown_system_class(class: &PriorityClass) -> Option<String> {
    let name = class.metadata.name.as_deref().unwrap_or("");
    let global_default = class.global_default.unwrap_or(false);
    match SYSTEM_PRIORITY_CLASSES.iter().find(|(n, _, _)| *n == name) {
        None => Some(format!("{name} is not a known system priority class")),
        Some((_, value, _)) if Some(*value) != class.value => {
            Some(format!("value of {name} PriorityClass must be {value}"))
        }
        Some(_) if global_default => Some(format!(
            "globalDefault of {name} PriorityClass must be false"
        )),
        Some(_) => None,
    }
}

/// `ValidatePriorityClass`, run on create.
pub fn validate_priority_class(class: &PriorityClass, errors: &mut Vec<FieldError>) {
    validate_object_meta(&class.metadata, false, NameRule::Dns1123Subdomain, errors);
    let name = class.metadata.name.as_deref().unwrap_or("");
    if name.starts_with("system-") {
        if let Some(why) = unknown_system_class(class) {
            errors.push(FieldError::forbidden(
                "metadata.name",
                &format!(
                    "priority class names with 'system-' prefix are reserved for system use only. error: {why}"
                ),
            ));
        }
    } else if class.value.unwrap_or(0) > HIGHEST_USER_DEFINABLE_PRIORITY {
        errors.push(FieldError::forbidden(
            "value",
            &format!(
                "maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"
            ),
        ));
    }
    if let Some(policy) = class.preemption_policy.as_deref() {
        if !matches!(policy, "Never" | "PreemptLowerPriority") {
            errors.push(FieldError::not_supported(
                "preemptionPolicy",
                Rendered::str(policy),
                &["Never", "PreemptLowerPriority"],
            ));
        }
    }
}

/// `ValidatePriorityClassUpdate`: value and preemptionPolicy never change.
pub fn validate_priority_class_update(
    class: &PriorityClass,
    old: &PriorityClass,
    errors: &mut Vec<FieldError>,
) {
    if class.value != old.value {
        errors.push(FieldError::forbidden(
            "value",
            "may not be changed in an update.",
        ));
    }
    if class.preemption_policy != old.preemption_policy {
        errors.push(FieldError::invalid(
            "preemptionPolicy",
            Rendered::json(&class.preemption_policy),
            "field is immutable",
        ));
    }
}
