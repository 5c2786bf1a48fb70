//! `RoleDescriber`, `ClusterRoleDescriber` and the binding describers. A
//! role's rules are broken down to one verb, resource and name each, simple
//! ones gathered again by resource, and sorted as kubectl sorts them: by the
//! rule's Go `String()`, which starts with the verbs. None shows events.

use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::labels_and_annotations;

pub(super) fn role(meta: &ObjectMeta, rules: &[PolicyRule], lines: &mut Vec<String>) {
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    labels_and_annotations(meta, lines);
    lines.push("PolicyRule:".to_string());
    lines.push("  Resources\tNon-Resource URLs\tResource Names\tVerbs".to_string());
    lines.push("  ---------\t-----------------\t--------------\t-----".to_string());
    let broken: Vec<PolicyRule> = rules.iter().flat_map(breakdown).collect();
    let mut compacted = compact(broken);
    compacted.sort_by_cached_key(go_string);
    for rule in compacted {
        lines.push(format!(
            "  {}\t{}\t{}\t{}",
            combine_resource_group(&rule),
            go_list(rule.non_resource_urls.as_deref()),
            go_list(rule.resource_names.as_deref()),
            go_list(Some(&rule.verbs)),
        ));
    }
}

pub(super) fn binding(
    meta: &ObjectMeta,
    role_ref: &RoleRef,
    subjects: Option<&[Subject]>,
    lines: &mut Vec<String>,
) {
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    labels_and_annotations(meta, lines);
    lines.push("Role:".to_string());
    lines.push(format!("  Kind:\t{}", role_ref.kind));
    lines.push(format!("  Name:\t{}", role_ref.name));
    lines.push("Subjects:".to_string());
    lines.push("  Kind\tName\tNamespace".to_string());
    lines.push("  ----\t----\t---------".to_string());
    for s in subjects.unwrap_or_default() {
        lines.push(format!(
            "  {}\t{}\t{}",
            s.kind,
            s.name,
            s.namespace.as_deref().unwrap_or("")
        ));
    }
}

/// Go's `%v` of a string slice.
fn go_list(values: Option<&[String]>) -> String {
    format!("[{}]", values.unwrap_or_default().join(" "))
}

fn one(value: &str) -> Option<Vec<String>> {
    Some(vec![value.to_string()])
}

/// `rbac.BreakdownRule`: one rule per group, resource, verb and name; then
/// one per non-resource URL and verb.
fn breakdown(rule: &PolicyRule) -> Vec<PolicyRule> {
    let mut rules = Vec::new();
    let names = rule.resource_names.clone().unwrap_or_default();
    for group in rule.api_groups.iter().flatten() {
        for resource in rule.resources.iter().flatten() {
            for verb in &rule.verbs {
                let base = PolicyRule {
                    api_groups: one(group),
                    resources: one(resource),
                    verbs: vec![verb.clone()],
                    ..Default::default()
                };
                if names.is_empty() {
                    rules.push(base);
                } else {
                    rules.extend(names.iter().map(|name| PolicyRule {
                        resource_names: one(name),
                        ..base.clone()
                    }));
                }
            }
        }
    }
    for url in rule.non_resource_urls.iter().flatten() {
        for verb in &rule.verbs {
            rules.push(PolicyRule {
                non_resource_urls: one(url),
                verbs: vec![verb.clone()],
                ..Default::default()
            });
        }
    }
    rules
}

/// `rbac.CompactRules`: rules on one group, one resource and at most one
/// name gather their verbs; the others stay as they are.
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut compacted = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for rule in rules {
        let key = |r: &PolicyRule| {
            (
                r.api_groups.clone(),
                r.resources.clone(),
                r.resource_names.clone(),
            )
        };
        let is_simple = rule.non_resource_urls.as_ref().is_none_or(Vec::is_empty)
            && rule.api_groups.as_ref().is_some_and(|g| g.len() == 1)
            && rule.resources.as_ref().is_some_and(|r| r.len() == 1)
            && rule.resource_names.as_ref().is_none_or(|n| n.len() <= 1);
        if !is_simple {
            compacted.push(rule);
        } else if let Some(existing) = simple.iter_mut().find(|r| key(r) == key(&rule)) {
            for verb in rule.verbs {
                if !existing.verbs.contains(&verb) {
                    existing.verbs.push(verb);
                }
            }
        } else {
            simple.push(rule);
        }
    }
    compacted.extend(simple);
    compacted
}

/// The generated `(*PolicyRule).String()` kubectl sorts rules by.
fn go_string(rule: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(Some(&rule.verbs)),
        go_list(rule.api_groups.as_deref()),
        go_list(rule.resources.as_deref()),
        go_list(rule.resource_names.as_deref()),
        go_list(rule.non_resource_urls.as_deref()),
    )
}

/// `CombineResourceGroup`: `deployments.apps`, `pods/log`, `deployments.apps/scale`.
fn combine_resource_group(rule: &PolicyRule) -> String {
    let Some(resource) = rule.resources.iter().flatten().next() else {
        return String::new();
    };
    let (name, sub) = match resource.split_once('/') {
        Some((name, sub)) => (name, Some(sub)),
        None => (resource.as_str(), None),
    };
    let mut combined = name.to_string();
    if let Some(group) = rule
        .api_groups
        .iter()
        .flatten()
        .next()
        .filter(|g| !g.is_empty())
    {
        combined.push('.');
        combined.push_str(group);
    }
    if let Some(sub) = sub {
        combined.push('/');
        combined.push_str(sub);
    }
    combined
}
