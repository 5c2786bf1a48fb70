//! CustomResourceDefinitions (`apiextensions-apiserver/pkg/registry/customresourcedefinition`
//! and `pkg/apis/apiextensions/validation`), and the kind each one registers.
//! The establishing controller's work (NamesAccepted, Established) is done as
//! the CRD is stored: nothing in the simulation can refuse its names later.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceConversion, CustomResourceDefinition, CustomResourceDefinitionCondition,
    CustomResourceDefinitionNames, CustomResourceDefinitionStatus,
};

use super::{Context, Strategy};
use crate::api::custom::{CustomKind, CustomKindSpec};
use crate::api::validation::{validate_object_meta, FieldError, Rendered};

/// Kubernetes' version order: GA before beta before alpha, newer first; other
/// names after them, alphabetically (`version.CompareKubeAwareVersionStrings`).
fn version_priority(version: &str) -> (u8, i64, i64, String) {
    let parse = || -> Option<(u8, i64, i64)> {
        let rest = version.strip_prefix('v')?;
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let major: i64 = rest[..digits].parse().ok()?;
        let tail = &rest[digits..];
        if tail.is_empty() {
            return Some((0, -major, 0));
        }
        for (rank, word) in [(1, "beta"), (2, "alpha")] {
            if let Some(minor) = tail.strip_prefix(word) {
                let minor: i64 = if minor.is_empty() {
                    0
                } else {
                    minor.parse().ok()?
                };
                return Some((rank, -major, -minor));
            }
        }
        None
    };
    match parse() {
        Some((rank, major, minor)) => (rank, major, minor, String::new()),
        None => (3, 0, 0, version.to_string()),
    }
}

/// The names a CRD's kind is served under, with the defaults the server fills in.
fn names(crd: &CustomResourceDefinition) -> CustomResourceDefinitionNames {
    let mut names = crd.spec.names.clone();
    if names.singular.as_deref().unwrap_or("").is_empty() {
        names.singular = Some(names.kind.to_lowercase());
    }
    if names.list_kind.as_deref().unwrap_or("").is_empty() {
        names.list_kind = Some(format!("{}List", names.kind));
    }
    names
}

/// The kind a stored CRD serves, if it serves any version.
pub fn custom_kind_of(crd: &CustomResourceDefinition) -> Option<CustomKind> {
    let mut versions: Vec<String> = crd
        .spec
        .versions
        .iter()
        .filter(|v| v.served)
        .map(|v| v.name.clone())
        .collect();
    if versions.is_empty() {
        return None;
    }
    versions.sort_by_key(|v| version_priority(v));
    let names = names(crd);
    Some(
        CustomKindSpec {
            group: crd.spec.group.clone(),
            kind: names.kind.clone(),
            plural: names.plural.clone(),
            singular: names.singular.clone().unwrap_or_default(),
            namespaced: crd.spec.scope == "Namespaced",
            short_names: names.short_names.clone().unwrap_or_default(),
            categories: names.categories.clone().unwrap_or_default(),
            versions,
        }
        .intern(),
    )
}

fn condition(
    type_: &str,
    reason: &str,
    message: &str,
    ctx: &Context,
) -> CustomResourceDefinitionCondition {
    CustomResourceDefinitionCondition {
        type_: type_.to_string(),
        status: "True".to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_transition_time: Some(ctx.now.clone()),
        observed_generation: None,
    }
}

impl Strategy for CustomResourceDefinition {
    fn default(&mut self) {
        let names = names(self);
        self.spec.names = names;
        self.spec
            .conversion
            .get_or_insert_with(|| CustomResourceConversion {
                strategy: "None".to_string(),
                webhook: None,
            });
    }

    fn prepare_for_create(&mut self, ctx: &Context) {
        self.metadata.generation = Some(1);
        let stored: Vec<String> = self
            .spec
            .versions
            .iter()
            .filter(|v| v.storage)
            .map(|v| v.name.clone())
            .collect();
        self.status = Some(CustomResourceDefinitionStatus {
            accepted_names: Some(self.spec.names.clone()),
            conditions: Some(vec![
                condition("NamesAccepted", "NoConflicts", "no conflicts found", ctx),
                condition(
                    "Established",
                    "InitialNamesAccepted",
                    "the initial names have been accepted",
                    ctx,
                ),
            ]),
            observed_generation: None,
            stored_versions: Some(stored),
        });
    }

    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        let mut status = old.status.clone().unwrap_or_default();
        status.accepted_names = Some(self.spec.names.clone());
        let stored = status.stored_versions.get_or_insert_with(Vec::new);
        for version in self.spec.versions.iter().filter(|v| v.storage) {
            if !stored.contains(&version.name) {
                stored.push(version.name.clone());
            }
        }
        self.status = Some(status);
        self.metadata.generation = old.metadata.generation;
        if self.spec != old.spec {
            self.metadata.generation = Some(old.metadata.generation.unwrap_or(0) + 1);
        }
    }

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let spec = &self.spec;
        let name = self.metadata.name.as_deref().unwrap_or("");
        if name != format!("{}.{}", spec.names.plural, spec.group) {
            errors.push(FieldError::invalid(
                "metadata.name",
                Rendered::str(name),
                "must be spec.names.plural+\".\"+spec.group",
            ));
        }
        if spec.group.is_empty() {
            errors.push(FieldError::required("spec.group", ""));
        } else if !spec.group.contains('.') {
            errors.push(FieldError::invalid(
                "spec.group",
                Rendered::str(&spec.group),
                "should be a domain with at least one dot",
            ));
        }
        if !matches!(spec.scope.as_str(), "Cluster" | "Namespaced") {
            errors.push(FieldError::not_supported(
                "spec.scope",
                Rendered::str(&spec.scope),
                &["Cluster", "Namespaced"],
            ));
        }
        if spec.names.plural.is_empty() {
            errors.push(FieldError::required("spec.names.plural", ""));
        }
        if spec.names.kind.is_empty() {
            errors.push(FieldError::required("spec.names.kind", ""));
        }
        if spec.versions.is_empty() {
            errors.push(FieldError::invalid(
                "spec.versions",
                Rendered::json(&spec.versions),
                "must have exactly one version marked as storage version",
            ));
        }
        let storage = spec.versions.iter().filter(|v| v.storage).count();
        if !spec.versions.is_empty() && storage != 1 {
            errors.push(FieldError::invalid(
                "spec.versions",
                Rendered::json(&spec.versions.iter().map(|v| &v.name).collect::<Vec<_>>()),
                "must have exactly one version marked as storage version",
            ));
        }
        for (i, version) in spec.versions.iter().enumerate() {
            let has_schema = version
                .schema
                .as_ref()
                .is_some_and(|s| s.open_api_v3_schema.is_some());
            if !has_schema {
                errors.push(FieldError::required(
                    &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                    "schemas are required",
                ));
            }
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        if self.spec.scope != old.spec.scope {
            errors.push(FieldError::invalid(
                "spec.scope",
                Rendered::str(&self.spec.scope),
                "field is immutable",
            ));
        }
    }
}
