//! RuntimeClasses (`pkg/registry/node/runtimeclass/strategy.go`,
//! `pkg/apis/node/validation`) and the RuntimeClass admission plugin
//! (`plugin/pkg/admission/runtimeclass`), which copies a class's overhead
//! and scheduling constraints into the pods that name it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, Toleration};
use k8s_openapi::api::node::v1::RuntimeClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use super::{immutable, Context, Strategy};
use crate::api::names::dns1123_label_errors;
use crate::api::quantity::Quantity;
use crate::api::store::Store;
use crate::api::validation::{validate_object_meta, FieldError, Rendered};
use crate::api::{Kind, Served};

impl Strategy for RuntimeClass {
    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        for msg in dns1123_label_errors(&self.handler) {
            errors.push(FieldError::invalid(
                "handler",
                Rendered::str(&self.handler),
                &msg,
            ));
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        immutable(&self.handler, &old.handler, "handler", errors);
    }
}

/// The admission plugin, on pod creation: the named class must exist; its
/// overhead becomes the pod's (a pod may not bring its own), its node selector
/// is merged into the pod's (a conflicting value is refused) and its
/// tolerations are merged with the pod's. `Err` is the reason the pod is
/// forbidden.
pub(super) fn admit_runtime_class(store: &Store, pod: &mut Pod) -> Result<(), String> {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let class = match spec.runtime_class_name.as_deref() {
        None => None,
        Some(name) => match store
            .get(Kind::RuntimeClass, "", name)
            .and_then(|o| RuntimeClass::of(o))
        {
            Some(class) => Some(class),
            None => return Err(format!("pod rejected: RuntimeClass \"{name}\" not found")),
        },
    };
    let fixed = class
        .and_then(|c| c.overhead.as_ref())
        .and_then(|o| o.pod_fixed.as_ref());
    match (fixed, &spec.overhead) {
        (Some(fixed), Some(own)) if !same_quantities(fixed, own) => {
            return Err(
                "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead".into(),
            )
        }
        (Some(fixed), _) => spec.overhead = Some(fixed.clone()),
        (None, Some(_)) => return Err(
            "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"
                .into(),
        ),
        (None, None) => {}
    }
    let Some(scheduling) = class.and_then(|c| c.scheduling.as_ref()) else {
        return Ok(());
    };
    if let Some(selector) = &scheduling.node_selector {
        let pod_selector = spec.node_selector.get_or_insert_with(BTreeMap::new);
        for (key, value) in selector {
            match pod_selector.get(key) {
                Some(own) if own != value => {
                    return Err(format!(
                        "conflict: runtimeClass.scheduling.nodeSelector[{key}] = {value}; pod.spec.nodeSelector[{key}] = {own}"
                    ))
                }
                _ => {
                    pod_selector.insert(key.clone(), value.clone());
                }
            }
        }
    }
    if let Some(tolerations) = &scheduling.tolerations {
        let own = spec.tolerations.take().unwrap_or_default();
        spec.tolerations = Some(merge_tolerations(own, tolerations));
    }
    Ok(())
}

/// `apiequality.Semantic.DeepEqual` of two resource lists: the same names,
/// each quantity equal in value (`1` and `1000m` are the same).
fn same_quantities(a: &BTreeMap<String, ApiQuantity>, b: &BTreeMap<String, ApiQuantity>) -> bool {
    let parse = |q: &ApiQuantity| Quantity::parse(&q.0).ok();
    a.len() == b.len()
        && a.iter()
            .all(|(name, q)| b.get(name).is_some_and(|other| parse(q) == parse(other)))
}

/// `tolerations.MergeTolerations`: both lists, the pod's first, keeping only
/// the first of equal tolerations and dropping any another one tolerates a
/// superset of.
fn merge_tolerations(first: Vec<Toleration>, second: &[Toleration]) -> Vec<Toleration> {
    let all: Vec<Toleration> = first.into_iter().chain(second.iter().cloned()).collect();
    let mut merged: Vec<Toleration> = Vec::new();
    for (i, t) in all.iter().enumerate() {
        let redundant = merged.iter().any(|kept| is_superset(kept, t))
            || all[i + 1..]
                .iter()
                .any(|later| later != t && is_superset(later, t));
        if !redundant {
            merged.push(t.clone());
        }
    }
    merged
}

/// Whether `ss` tolerates everything `t` does.
fn is_superset(ss: &Toleration, t: &Toleration) -> bool {
    if ss == t {
        return true;
    }
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let (ss_key, t_key) = (text(&ss.key), text(&t.key));
    let ss_operator = text(&ss.operator);
    // An empty key with Exists matches every key.
    if t_key != ss_key && (!ss_key.is_empty() || ss_operator != "Exists") {
        return false;
    }
    let (ss_effect, t_effect) = (text(&ss.effect), text(&t.effect));
    if t_effect != ss_effect && !ss_effect.is_empty() {
        return false;
    }
    if ss_effect == "NoExecute" {
        if let Some(limit) = ss.toleration_seconds {
            if t.toleration_seconds.is_none_or(|s| s > limit) {
                return false;
            }
        }
    }
    match ss_operator.as_str() {
        "Equal" | "" => text(&t.operator) == "Equal" && t.value == ss.value,
        "Exists" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toleration(key: &str, operator: &str, value: &str, effect: &str) -> Toleration {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Toleration {
            key: opt(key),
            operator: opt(operator),
            value: opt(value),
            effect: opt(effect),
            toleration_seconds: None,
        }
    }

    /// Cases from `TestMergeTolerations` (pkg/util/tolerations/tolerations_test.go).
    #[test]
    fn merging_keeps_only_the_widest_tolerations() {
        let exists_all = toleration("", "Exists", "", "");
        let foo_exists = toleration("foo", "Exists", "", "");
        let foo_bar_noschedule = toleration("foo", "Equal", "bar", "NoSchedule");
        let foo_baz_noschedule = toleration("foo", "Equal", "baz", "NoSchedule");
        let foo_exists_noschedule = toleration("foo", "Exists", "", "NoSchedule");

        // Distinct values of one key are both kept.
        assert_eq!(
            merge_tolerations(
                vec![foo_bar_noschedule.clone()],
                std::slice::from_ref(&foo_baz_noschedule)
            ),
            vec![foo_bar_noschedule.clone(), foo_baz_noschedule.clone()]
        );
        // `foo Exists NoSchedule` covers both values, wherever it comes.
        assert_eq!(
            merge_tolerations(
                vec![foo_bar_noschedule.clone(), foo_baz_noschedule.clone()],
                std::slice::from_ref(&foo_exists_noschedule)
            ),
            vec![foo_exists_noschedule.clone()]
        );
        // `foo Exists` covers every effect of foo.
        assert_eq!(
            merge_tolerations(
                vec![foo_exists_noschedule.clone()],
                std::slice::from_ref(&foo_exists)
            ),
            vec![foo_exists.clone()]
        );
        // Tolerate-everything swallows the rest; equal ones are kept once.
        assert_eq!(
            merge_tolerations(
                vec![foo_exists.clone(), exists_all.clone()],
                &[exists_all.clone(), foo_bar_noschedule]
            ),
            vec![exists_all]
        );
    }
}
