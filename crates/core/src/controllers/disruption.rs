//! The disruption controller (`pkg/controller/disruption`): each
//! PodDisruptionBudget's status from the pods its selector matches: how many
//! are healthy, how many must be, and so how many may be evicted now.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{is_pod_ready, scaled_value, Ctx, Cursor};
use crate::api::store::{controller_uid, key_of, Key, Store};
use crate::api::validation::selector_matches;
use crate::api::{Kind, Object, Served};

#[derive(Clone, Debug, Default)]
pub struct DisruptionState {
    cursor: Cursor,
}

impl DisruptionState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// The pods a budget covers: its namespace, its selector (an empty selector
/// matches every pod), not being deleted.
pub fn covered<'a>(
    store: &'a Store,
    pdb: &'a PodDisruptionBudget,
) -> impl Iterator<Item = &'a Pod> + 'a {
    let namespace = pdb.metadata.namespace.clone().unwrap_or_default();
    let selector = pdb.spec.as_ref().and_then(|s| s.selector.clone());
    store
        .list_namespace(Kind::Pod, &namespace)
        .filter_map(Pod::of)
        .filter(move |pod| {
            let labels = pod.metadata.labels.clone().unwrap_or_default();
            selector
                .as_ref()
                .is_some_and(|s| selector_matches(s, &labels))
        })
}

/// The replicas the pod's controller asks for (`getExpectedScale`): a
/// Deployment's for its ReplicaSets' pods, else the ReplicaSet's or StatefulSet's.
fn controller_scale(store: &Store, pod: &Pod) -> Option<(String, i32)> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))?;
    match owner.kind.as_str() {
        "ReplicaSet" => {
            let rs = ReplicaSet::of(store.get(Kind::ReplicaSet, namespace, &owner.name)?)?;
            if let Some(deploy_uid) = controller_uid(&rs.metadata) {
                let deploy = store
                    .list_namespace(Kind::Deployment, namespace)
                    .filter_map(Deployment::of)
                    .find(|d| d.metadata.uid.as_deref() == Some(deploy_uid))?;
                return Some((
                    deploy_uid.to_string(),
                    deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                ));
            }
            Some((
                owner.uid.clone(),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            ))
        }
        "StatefulSet" => {
            let sts = StatefulSet::of(store.get(Kind::StatefulSet, namespace, &owner.name)?)?;
            Some((
                owner.uid.clone(),
                sts.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            ))
        }
        _ => None,
    }
}

/// The status a budget should have now.
pub fn status_of(store: &Store, pdb: &PodDisruptionBudget, ctx: &Ctx) -> PodDisruptionBudgetStatus {
    let spec = pdb.spec.clone().unwrap_or_default();
    let pods: Vec<&Pod> = covered(store, pdb).collect();
    let healthy = i32::try_from(
        pods.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none() && is_pod_ready(p))
            .count(),
    )
    .unwrap_or(i32::MAX);
    // An integer minAvailable counts the pods there are; anything else needs
    // the scale of their controllers.
    let expected = match &spec.min_available {
        Some(IntOrString::Int(_)) => i32::try_from(pods.len()).unwrap_or(i32::MAX),
        _ => {
            let scales: BTreeMap<String, i32> = pods
                .iter()
                .filter_map(|p| controller_scale(store, p))
                .collect();
            scales.values().sum()
        }
    };
    let desired = match (&spec.min_available, &spec.max_unavailable) {
        (Some(min), _) => scaled_value(Some(min), expected, true),
        (None, Some(max)) => (expected - scaled_value(Some(max), expected, true)).max(0),
        (None, None) => expected,
    };
    let allowed = (healthy - desired).max(0);
    let old = pdb.status.clone().unwrap_or_default();
    let condition_status = if allowed > 0 { "True" } else { "False" };
    let reason = if allowed > 0 {
        "SufficientPods"
    } else {
        "InsufficientPods"
    };
    let previous = old
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "DisruptionAllowed");
    let condition = Condition {
        type_: "DisruptionAllowed".to_string(),
        status: condition_status.to_string(),
        reason: reason.to_string(),
        message: String::new(),
        observed_generation: pdb.metadata.generation,
        last_transition_time: match previous {
            Some(p) if p.status == condition_status => p.last_transition_time.clone(),
            _ => ctx.now.clone(),
        },
    };
    PodDisruptionBudgetStatus {
        current_healthy: Some(healthy),
        desired_healthy: Some(desired),
        disruptions_allowed: Some(allowed),
        expected_pods: Some(expected),
        observed_generation: pdb.metadata.generation,
        conditions: Some(vec![condition]),
        disrupted_pods: None,
    }
}

/// Recomputes the status of the budgets of namespaces whose pods, budgets or
/// workloads changed. Returns whether anything was written.
pub fn sync_all(store: &mut Store, state: &mut DisruptionState, ctx: &mut Ctx) -> bool {
    let namespaces = state.cursor.changed_namespaces(
        store,
        &[
            Kind::Pod,
            Kind::PodDisruptionBudget,
            Kind::ReplicaSet,
            Kind::Deployment,
            Kind::StatefulSet,
        ],
    );
    let mut changed = false;
    for namespace in namespaces {
        let keys: Vec<Key> = store
            .list_namespace(Kind::PodDisruptionBudget, &namespace)
            .map(|o| key_of(o.metadata()))
            .collect();
        for key in keys {
            let Some(pdb) = store
                .get(Kind::PodDisruptionBudget, &key.0, &key.1)
                .and_then(|o| PodDisruptionBudget::of(o))
                .cloned()
            else {
                continue;
            };
            let status = status_of(store, &pdb, ctx);
            let same = pdb.status.as_ref().is_some_and(|old| {
                let mut old = old.clone();
                old.disrupted_pods = None;
                old == status
            });
            if !same {
                let mut updated = pdb;
                updated.status = Some(status);
                store.put(Object::from(updated));
                changed = true;
            }
        }
    }
    state.cursor.catch_up(store);
    changed
}
