//! Roles, ClusterRoles and their bindings (`pkg/registry/rbac/*/strategy.go`,
//! `pkg/apis/rbac/validation`). Stored and listed; the simulated API server
//! authorizes every request, so they grant nothing and refuse nothing.

use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};

use super::{Context, Strategy};
use crate::api::validation::{validate_object_meta, FieldError, NameRule, Rendered};

const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// `ValidatePolicyRule`.
fn validate_rules(rules: &[PolicyRule], namespaced: bool, errors: &mut Vec<FieldError>) {
    for (i, rule) in rules.iter().enumerate() {
        let field = format!("rules[{i}]");
        if rule.verbs.is_empty() {
            errors.push(FieldError::required(
                &format!("{field}.verbs"),
                "verbs must contain at least one value",
            ));
        }
        let urls = rule.non_resource_urls.as_deref().unwrap_or_default();
        let resources = rule.resources.as_deref().unwrap_or_default();
        if !urls.is_empty() {
            if namespaced {
                errors.push(FieldError::invalid(
                    &format!("{field}.nonResourceURLs"),
                    Rendered::json(&urls),
                    "namespaced rules cannot apply to non-resource URLs",
                ));
            }
            if !rule.api_groups.as_deref().unwrap_or_default().is_empty() || !resources.is_empty() {
                errors.push(FieldError::invalid(
                    &format!("{field}.nonResourceURLs"),
                    Rendered::json(&urls),
                    "rules cannot apply to both regular resources and non-resource URLs",
                ));
            }
            continue;
        }
        if rule.api_groups.as_deref().unwrap_or_default().is_empty() {
            errors.push(FieldError::required(
                &format!("{field}.apiGroups"),
                "resource rules must supply at least one api group",
            ));
        }
        if resources.is_empty() {
            errors.push(FieldError::required(
                &format!("{field}.resources"),
                "resource rules must supply at least one resource",
            ));
        }
    }
}

/// `ValidateRoleBindingSubject` and the roleRef checks.
fn validate_binding(
    role_ref: &RoleRef,
    subjects: &[Subject],
    cluster: bool,
    errors: &mut Vec<FieldError>,
) {
    let api_group = role_ref.api_group.as_deref().unwrap_or("");
    if api_group != RBAC_GROUP {
        errors.push(FieldError::not_supported(
            "roleRef.apiGroup",
            Rendered::str(api_group),
            &[RBAC_GROUP],
        ));
    }
    let kinds: &[&str] = if cluster {
        &["ClusterRole"]
    } else {
        &["Role", "ClusterRole"]
    };
    if !kinds.contains(&role_ref.kind.as_str()) {
        errors.push(FieldError::not_supported(
            "roleRef.kind",
            Rendered::str(&role_ref.kind),
            kinds,
        ));
    }
    if role_ref.name.is_empty() {
        errors.push(FieldError::required("roleRef.name", ""));
    }
    for (i, subject) in subjects.iter().enumerate() {
        let field = format!("subjects[{i}]");
        if subject.name.is_empty() {
            errors.push(FieldError::required(&format!("{field}.name"), ""));
        }
        match subject.kind.as_str() {
            "ServiceAccount" => {
                if subject.api_group.as_deref().is_some_and(|g| !g.is_empty()) {
                    errors.push(FieldError::not_supported(
                        &format!("{field}.apiGroup"),
                        Rendered::str(subject.api_group.as_deref().unwrap_or("")),
                        &[""],
                    ));
                }
                if cluster && subject.namespace.as_deref().unwrap_or("").is_empty() {
                    errors.push(FieldError::required(&format!("{field}.namespace"), ""));
                }
            }
            "User" | "Group" => {
                if subject.api_group.as_deref() != Some(RBAC_GROUP) {
                    errors.push(FieldError::not_supported(
                        &format!("{field}.apiGroup"),
                        Rendered::str(subject.api_group.as_deref().unwrap_or("")),
                        &[RBAC_GROUP],
                    ));
                }
            }
            other => errors.push(FieldError::not_supported(
                &format!("{field}.kind"),
                Rendered::str(other),
                &["ServiceAccount", "User", "Group"],
            )),
        }
    }
}

fn role_ref_unchanged(new: &RoleRef, old: &RoleRef, errors: &mut Vec<FieldError>) {
    if new != old {
        errors.push(FieldError::invalid(
            "roleRef",
            Rendered(format!(
                "rbac.RoleRef{{APIGroup:{:?}, Kind:{:?}, Name:{:?}}}",
                new.api_group.as_deref().unwrap_or(""),
                new.kind,
                new.name
            )),
            "cannot change roleRef",
        ));
    }
}

impl Strategy for Role {
    const NAME_RULE: NameRule = NameRule::PathSegment;

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        validate_rules(self.rules.as_deref().unwrap_or_default(), true, errors);
    }
}

impl Strategy for ClusterRole {
    const NAME_RULE: NameRule = NameRule::PathSegment;

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        validate_rules(self.rules.as_deref().unwrap_or_default(), false, errors);
    }
}

/// RoleBindings and ClusterRoleBindings: names as paths, subjects and a
/// roleRef that cannot change.
macro_rules! binding_strategy {
    ($ty:ty, cluster: $cluster:literal) => {
        impl Strategy for $ty {
            const NAME_RULE: NameRule = NameRule::PathSegment;

            fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
                validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
                let subjects = self.subjects.as_deref().unwrap_or_default();
                validate_binding(&self.role_ref, subjects, $cluster, errors);
            }

            fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
                self.validate(ctx, errors);
                role_ref_unchanged(&self.role_ref, &old.role_ref, errors);
            }
        }
    };
}

binding_strategy!(RoleBinding, cluster: false);
binding_strategy!(ClusterRoleBinding, cluster: true);
