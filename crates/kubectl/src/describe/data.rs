//! `SecretDescriber`, `ConfigMapDescriber` and `ServiceAccountDescriber`:
//! what they hold, Secrets only by size. kubectl walks Go maps here, in no
//! particular order; keys are printed sorted.

use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};

use super::{labels_and_annotations, name_and_namespace};

pub(super) fn secret(secret: &Secret, lines: &mut Vec<String>) {
    name_and_namespace(&secret.metadata, lines);
    labels_and_annotations(&secret.metadata, lines);
    lines.push(String::new());
    let type_ = secret.type_.clone().unwrap_or_default();
    lines.push(format!("Type:\t{type_}"));
    lines.push(String::new());
    lines.push("Data".to_string());
    lines.push("====".to_string());
    for (key, value) in secret.data.iter().flatten() {
        if key == "token" && type_ == "kubernetes.io/service-account-token" {
            lines.push(format!("{key}:\t{}", String::from_utf8_lossy(&value.0)));
        } else {
            lines.push(format!("{key}:\t{} bytes", value.0.len()));
        }
    }
}

pub(super) fn config_map(cm: &ConfigMap, lines: &mut Vec<String>) {
    name_and_namespace(&cm.metadata, lines);
    labels_and_annotations(&cm.metadata, lines);
    lines.push(String::new());
    lines.push("Data".to_string());
    lines.push("====".to_string());
    for (key, value) in cm.data.iter().flatten() {
        lines.push(format!("{key}:"));
        lines.push("----".to_string());
        lines.push(value.clone());
        lines.push(String::new());
    }
    lines.push(String::new());
    lines.push("BinaryData".to_string());
    lines.push("====".to_string());
    for (key, value) in cm.binary_data.iter().flatten() {
        lines.push(format!("{key}: {} bytes", value.0.len()));
    }
    lines.push(String::new());
}

pub(super) fn service_account(sa: &ServiceAccount, lines: &mut Vec<String>) {
    name_and_namespace(&sa.metadata, lines);
    labels_and_annotations(&sa.metadata, lines);
    let names: Vec<String> = sa
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|s| s.name.clone())
        .collect();
    if names.is_empty() {
        lines.push("Image pull secrets:\t<none>".to_string());
    }
    for (i, name) in names.into_iter().enumerate() {
        // kubectl pads the following lines with as many spaces as the title.
        let title = if i == 0 {
            "Image pull secrets:"
        } else {
            "                   "
        };
        lines.push(format!("{title}\t{name}"));
    }
}
