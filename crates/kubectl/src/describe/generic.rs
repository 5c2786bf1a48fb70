//! kubectl's `genericDescriber`, for kinds without a describer of their own
//! (CRDs and custom objects, webhook configurations, APIServices, CSIDrivers,
//! Leases...): name, namespace, labels and annotations, then every other
//! field of the object as served, keys sorted and turned into labels the way
//! `smartLabelFor` does.

use serde_json::{Map, Value};

use daemonlab_core::api::server::go_value;
use daemonlab_core::api::Object;

use super::labels_and_annotations;

/// The fields printed above the walk, and the one never printed.
const SKIPPED: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

pub(super) fn describe(object: &Object, lines: &mut Vec<String>) {
    let meta = object.metadata();
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    lines.push(format!(
        "Namespace:\t{}",
        meta.namespace.as_deref().unwrap_or("")
    ));
    labels_and_annotations(meta, lines);
    if let Value::Object(content) = object.to_json() {
        walk(&content, 0, "", lines);
    }
}

/// `printUnstructuredContent`.
fn walk(content: &Map<String, Value>, level: usize, path: &str, lines: &mut Vec<String>) {
    let indent = "  ".repeat(level);
    let mut fields: Vec<&String> = content.keys().collect();
    fields.sort();
    for field in fields {
        let here = format!("{path}.{field}");
        if SKIPPED.contains(&here.as_str()) {
            continue;
        }
        let label = smart_label(field);
        match &content[field] {
            Value::Object(map) => {
                lines.push(format!("{indent}{label}:"));
                walk(map, level + 1, &here, lines);
            }
            Value::Array(items) => {
                lines.push(format!("{indent}{label}:"));
                for item in items {
                    match item {
                        Value::Object(map) => walk(map, level + 1, &here, lines),
                        other => lines.push(format!("{indent}  {}", go_value(other, true))),
                    }
                }
            }
            other => lines.push(format!("{indent}{label}:\t{}", go_value(other, true))),
        }
    }
}

/// `smartLabelFor`: `apiVersion` becomes `API Version`, `podCIDRs` `Pod
/// CIDRs`; a field with anything but letters and `-` is left as it is.
pub(super) fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    let parts = camelcase_split(field);
    let mut merged: Vec<String> = Vec::with_capacity(parts.len());
    let mut i = 0;
    while i < parts.len() {
        let part = &parts[i];
        if let Some(next) = parts.get(i + 1) {
            let all_upper = part.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
            if part.len() >= 2 && all_upper && next.chars().next().is_some_and(char::is_uppercase) {
                merged.push(format!("{part}{next}"));
                i += 2;
                continue;
            }
        }
        merged.push(part.clone());
        i += 1;
    }
    merged
        .into_iter()
        .filter(|part| part != "_")
        .map(|part| {
            let upper = part.to_uppercase();
            if ["API", "URL", "UID", "GUID"].contains(&upper.as_str()) {
                upper
            } else if part.to_lowercase() == part {
                title(&part)
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn title(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// `github.com/fatih/camelcase.Split`: runs of lower case, upper case, digits
/// and anything else, with the last capital of a capital run moved to a lower
/// case run that follows (`PDFLoader` is `PDF`, `Loader`).
fn camelcase_split(src: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in src.chars() {
        let this = class(c);
        match runs.last_mut() {
            Some(run) if this == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = this;
    }
    for i in 0..runs.len().saturating_sub(1) {
        if runs[i][0].is_uppercase() && runs[i + 1][0].is_lowercase() {
            if let Some(moved) = runs[i].pop() {
                runs[i + 1].insert(0, moved);
            }
        }
    }
    runs.into_iter()
        .filter(|run| !run.is_empty())
        .map(|run| run.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::smart_label;

    /// kubectl's `TestSmartLabelFor` (pkg/describe/describe_test.go, v0.36.3).
    #[test]
    fn labels_as_kubectl_makes_them() {
        for (field, label) in [
            ("simpleField", "Simple Field"),
            ("respectPDBs", "Respect PDBs"),
            ("respectPDB", "Respect PDB"),
            ("apiURL", "API URL"),
            ("kubeAPI", "Kube API"),
            ("userUID", "User UID"),
            ("HTTPSProxy", "HTTPSProxy"),
            ("customCRDs", "Custom CRDs"),
        ] {
            assert_eq!(smart_label(field), label, "{field}");
        }
    }

    /// Fields of CRDs and webhook configurations: a `-` is a word of its own,
    /// and a field with a digit is left alone.
    #[test]
    fn fields_with_dashes_and_digits() {
        assert_eq!(
            smart_label("x-kubernetes-preserve-unknown-fields"),
            "X - Kubernetes - Preserve - Unknown - Fields"
        );
        assert_eq!(smart_label("openAPIV3Schema"), "openAPIV3Schema");
        assert_eq!(smart_label("uid"), "UID");
    }
}
