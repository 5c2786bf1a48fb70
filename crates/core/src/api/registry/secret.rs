//! Secrets (`pkg/registry/core/secret/strategy.go`, `ValidateSecret`).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::ByteString;

use super::{immutable, Context, Strategy};
use crate::api::validation::{validate_object_meta, FieldError, Rendered};

const CONFIG_KEY_SYNTAX: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/// 1 MiB: what etcd takes in one value, less room for the rest of the object.
const MAX_SECRET_SIZE: usize = 1024 * 1024;

/// `IsConfigMapKey`: the keys of Secrets and ConfigMaps.
pub(crate) fn validate_config_key(key: &str, field: &str, errors: &mut Vec<FieldError>) {
    let valid_chars = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let mut problems = Vec::new();
    if key.len() > 253 {
        problems.push("must be no more than 253 characters".to_string());
    }
    if !valid_chars {
        problems.push(CONFIG_KEY_SYNTAX.to_string());
    }
    if key == "." {
        problems.push("must not be '.'".to_string());
    } else if key == ".." {
        problems.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        problems.push("must not start with '..'".to_string());
    }
    for problem in problems {
        errors.push(FieldError::invalid(
            &format!("{field}[{key}]"),
            Rendered::str(key),
            &problem,
        ));
    }
}

/// A Secret or ConfigMap marked `immutable`: neither the mark nor its data
/// may change (`changed` names each data field and whether it did).
fn keep_frozen(
    new: Option<bool>,
    old: Option<bool>,
    changed: &[(&str, bool)],
    errors: &mut Vec<FieldError>,
) {
    if old != Some(true) {
        return;
    }
    let frozen = "field is immutable when `immutable` is set";
    if new != Some(true) {
        errors.push(FieldError::forbidden("immutable", frozen));
    }
    for (field, _) in changed.iter().filter(|(_, changed)| *changed) {
        errors.push(FieldError::forbidden(field, frozen));
    }
}

fn require_key(secret: &Secret, key: &str, errors: &mut Vec<FieldError>) {
    if !secret.data.as_ref().is_some_and(|d| d.contains_key(key)) {
        errors.push(FieldError::required(&format!("data[{key}]"), ""));
    }
}

impl Strategy for Secret {
    /// `stringData` is write-only: the v1 → internal conversion folds it into
    /// `data`, its values winning.
    fn default(&mut self) {
        if let Some(strings) = self.string_data.take() {
            let data = self.data.get_or_insert_with(Default::default);
            for (key, value) in strings {
                data.insert(key, ByteString(value.into_bytes()));
            }
        }
        self.type_.get_or_insert_with(|| "Opaque".to_string());
    }

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let mut total = 0;
        for (key, value) in self.data.iter().flatten() {
            validate_config_key(key, "data", errors);
            total += value.0.len();
        }
        if total > MAX_SECRET_SIZE {
            errors.push(FieldError::too_long("data", MAX_SECRET_SIZE));
        }
        match self.type_.as_deref().unwrap_or("Opaque") {
            "kubernetes.io/service-account-token" => {
                let named = self
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("kubernetes.io/service-account.name"))
                    .is_some_and(|n| !n.is_empty());
                if !named {
                    errors.push(FieldError::required(
                        "metadata.annotations[kubernetes.io/service-account.name]",
                        "",
                    ));
                }
            }
            "kubernetes.io/dockercfg" => require_key(self, ".dockercfg", errors),
            "kubernetes.io/dockerconfigjson" => {
                require_key(self, ".dockerconfigjson", errors);
                if let Some(json) = self.data.as_ref().and_then(|d| d.get(".dockerconfigjson")) {
                    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&json.0) {
                        errors.push(FieldError::invalid(
                            "data[.dockerconfigjson]",
                            Rendered::str("<secret contents redacted>"),
                            &e.to_string(),
                        ));
                    }
                }
            }
            "kubernetes.io/basic-auth" => {
                let has = |k: &str| self.data.as_ref().is_some_and(|d| d.contains_key(k));
                if !has("username") && !has("password") {
                    errors.push(FieldError::required(
                        "data[username]",
                        "either username or password is required",
                    ));
                    errors.push(FieldError::required(
                        "data[password]",
                        "either username or password is required",
                    ));
                }
            }
            "kubernetes.io/ssh-auth" => require_key(self, "ssh-privatekey", errors),
            "kubernetes.io/tls" => {
                require_key(self, "tls.crt", errors);
                require_key(self, "tls.key", errors);
            }
            _ => {}
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        immutable(&self.type_, &old.type_, "type", errors);
        keep_frozen(
            self.immutable,
            old.immutable,
            &[("data", self.data != old.data)],
            errors,
        );
    }
}

impl Strategy for ConfigMap {
    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        for key in self.data.iter().flat_map(|d| d.keys()) {
            validate_config_key(key, "data", errors);
        }
        for key in self.binary_data.iter().flat_map(|d| d.keys()) {
            validate_config_key(key, "binaryData", errors);
            if self.data.as_ref().is_some_and(|d| d.contains_key(key)) {
                errors.push(FieldError::invalid(
                    &format!("data[{key}]"),
                    Rendered::str(key),
                    "duplicate of key present in binaryData",
                ));
            }
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        keep_frozen(
            self.immutable,
            old.immutable,
            &[
                ("data", self.data != old.data),
                ("binaryData", self.binary_data != old.binary_data),
            ],
            errors,
        );
    }
}
