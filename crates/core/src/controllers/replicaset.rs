//! The ReplicaSet controller (`pkg/controller/replicaset/replica_set.go`):
//! keeps `spec.replicas` active pods from the template, adopting orphans its
//! selector matches, creating in slow-start batches and deleting the pods
//! `getPodsToDelete` ranks first, and writes status (replicas, ready,
//! available after `minReadySeconds`, ReplicaFailure).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::deployment::omit_zero;
use super::events::record_about;
use super::ownership::{admission_retries, claim_pods, event_controller, owner_key};
use super::{availability, is_pod_ready, pod_node_name, pod_phase, Ctx, Cursor, Timers};
use crate::api::server::{create_generated, delete_pod};
use crate::api::store::{key_of, Key, Store};
use crate::api::{Kind, Object, Served};

/// `burstReplicas`: at most this many creations or deletions per sync.
const BURST_REPLICAS: usize = 500;

/// What the controller keeps between passes: how far it read the watch log,
/// and when a ReplicaSet's pods become available.
#[derive(Clone, Debug, Default)]
pub struct ReplicaSetState {
    cursor: Cursor,
    timers: Timers<Key>,
}

impl ReplicaSetState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// The controller reference a ReplicaSet puts on its pods.
pub fn controller_ref(rs: &ReplicaSet) -> OwnerReference {
    super::ownership::controller_ref(Kind::ReplicaSet, &rs.metadata)
}

/// The ReplicaSets whose pods or selves changed since the last pass, and those
/// whose timers are due.
fn dirty(store: &Store, state: &ReplicaSetState, ctx: &Ctx) -> BTreeSet<Key> {
    let mut dirty: BTreeSet<Key> = state.timers.due(ctx.now()).into_iter().collect();
    for event in state.cursor.unread(store) {
        match event.kind {
            Kind::ReplicaSet => {
                dirty.insert(event.key.clone());
            }
            Kind::Pod => match event_controller(store, event) {
                Some(uid) => dirty.extend(owner_key(store, Kind::ReplicaSet, &event.key.0, &uid)),
                // An orphan: every ReplicaSet of its namespace may adopt it.
                None => dirty.extend(
                    store
                        .list_namespace(Kind::ReplicaSet, &event.key.0)
                        .map(|o| key_of(o.metadata())),
                ),
            },
            // A creation refused for a missing account or namespace may now work.
            _ => dirty.extend(admission_retries(store, Kind::ReplicaSet, event)),
        }
    }
    dirty
}

/// Syncs every ReplicaSet that needs it. Returns whether anything changed.
pub fn sync_all(store: &mut Store, state: &mut ReplicaSetState, ctx: &mut Ctx) -> bool {
    let dirty = dirty(store, state, ctx);
    state.cursor.catch_up(store);
    let mut changed = false;
    for key in dirty {
        changed |= sync(store, state, &key, ctx);
    }
    state.timers.report(ctx);
    changed
}

fn is_active(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none() && !matches!(pod_phase(pod), "Succeeded" | "Failed")
}

fn rs_event(
    store: &mut Store,
    ctx: &mut Ctx,
    rs: &ReplicaSet,
    type_: &str,
    reason: &str,
    message: String,
) {
    record_about(
        store,
        ctx,
        Kind::ReplicaSet,
        &rs.metadata,
        "replicaset-controller",
        type_,
        reason,
        message,
    );
}

/// `GetPodFromTemplate`: the template's labels, annotations and spec, named
/// by the server from `<rs>-`.
fn new_pod(rs: &ReplicaSet) -> Pod {
    let template = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    let meta = template.metadata.unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", rs.metadata.name.as_deref().unwrap_or(""))),
            namespace: rs.metadata.namespace.clone(),
            labels: meta.labels,
            annotations: meta.annotations,
            owner_references: Some(vec![controller_ref(rs)]),
            ..Default::default()
        },
        spec: template.spec,
        ..Default::default()
    }
}

/// `getPodsToDelete`'s order (`ActivePodsWithRanks`): unscheduled before
/// scheduled, pending before running, not ready before ready, pods sharing a
/// node with more of the set's pods first, more restarts first, newer first.
fn deletion_order(pods: &mut [&Pod]) {
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for pod in pods.iter() {
        if let Some(node) = pod_node_name(pod) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    let phase_rank = |pod: &Pod| match pod_phase(pod) {
        "Pending" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    let restarts = |pod: &Pod| -> i32 {
        pod.status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .sum()
    };
    pods.sort_by(|a, b| {
        let node_rank = |p: &Pod| pod_node_name(p).map_or(0, |n| per_node[n]);
        pod_node_name(a)
            .is_some()
            .cmp(&pod_node_name(b).is_some())
            .then(phase_rank(a).cmp(&phase_rank(b)))
            .then(is_pod_ready(a).cmp(&is_pod_ready(b)))
            .then(node_rank(b).cmp(&node_rank(a)))
            .then(restarts(b).cmp(&restarts(a)))
            .then(
                b.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0)
                    .cmp(&a.metadata.creation_timestamp.as_ref().map(|t| t.0)),
            )
    });
}

fn sync(store: &mut Store, state: &mut ReplicaSetState, key: &Key, ctx: &mut Ctx) -> bool {
    let Some(rs) = store
        .get(Kind::ReplicaSet, &key.0, &key.1)
        .and_then(|o| ReplicaSet::of(o))
        .cloned()
    else {
        state.timers.clear(key);
        return false;
    };
    if rs.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let spec = rs.spec.clone().unwrap_or_default();
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let mut changed = claim_pods(
        store,
        &controller_ref(&rs),
        rs.metadata.namespace.as_deref(),
        &spec.selector,
    );
    let wanted = usize::try_from(spec.replicas.unwrap_or(1).max(0)).unwrap_or(0);
    let active: Vec<Key> = store
        .pods_controlled_by(&uid)
        .filter(|p| is_active(p))
        .map(|p| key_of(&p.metadata))
        .collect();
    let mut failure = None;
    if active.len() < wanted {
        // slowStartBatch: 1, 2, 4… creations, stopping at the first refusal.
        let mut remaining = (wanted - active.len()).min(BURST_REPLICAS);
        let mut batch = 1;
        'batches: while remaining > 0 {
            for _ in 0..batch.min(remaining) {
                match create_generated(store, new_pod(&rs), &mut ctx.env()) {
                    Ok(name) => {
                        rs_event(
                            store,
                            ctx,
                            &rs,
                            "Normal",
                            "SuccessfulCreate",
                            format!("Created pod: {name}"),
                        );
                        changed = true;
                    }
                    Err(error) => {
                        let message = error.to_string();
                        rs_event(
                            store,
                            ctx,
                            &rs,
                            "Warning",
                            "FailedCreate",
                            format!("Error creating: {message}"),
                        );
                        failure = Some(message);
                        break 'batches;
                    }
                }
            }
            remaining -= batch.min(remaining);
            batch *= 2;
        }
    } else if active.len() > wanted {
        let mut pods: Vec<&Pod> = active.iter().filter_map(|k| store.pod(k)).collect();
        deletion_order(&mut pods);
        let doomed: Vec<Key> = pods
            .iter()
            .take((active.len() - wanted).min(BURST_REPLICAS))
            .map(|p| key_of(&p.metadata))
            .collect();
        for pod in doomed {
            let now = ctx.now.clone();
            if let Ok(deleted) = delete_pod(store, &pod, None, &now) {
                let name = deleted.metadata.name.unwrap_or_default();
                rs_event(
                    store,
                    ctx,
                    &rs,
                    "Normal",
                    "SuccessfulDelete",
                    format!("Deleted pod: {name}"),
                );
                changed = true;
            }
        }
    }
    changed |= write_status(store, state, key, &rs, failure, ctx);
    changed
}

/// `calculateStatus` and its write, only when something differs.
fn write_status(
    store: &mut Store,
    state: &mut ReplicaSetState,
    key: &Key,
    rs: &ReplicaSet,
    failure: Option<String>,
    ctx: &Ctx,
) -> bool {
    let spec = rs.spec.clone().unwrap_or_default();
    let uid = rs.metadata.uid.as_deref().unwrap_or("");
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let min_ready = Duration::from_secs(
        spec.min_ready_seconds
            .unwrap_or(0)
            .max(0)
            .unsigned_abs()
            .into(),
    );
    let (mut replicas, mut labelled, mut ready, mut available) = (0, 0, 0, 0);
    let mut wake = None;
    for pod in store.pods_controlled_by(uid).filter(|p| is_active(p)) {
        replicas += 1;
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        if template_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
        {
            labelled += 1;
        }
        if is_pod_ready(pod) {
            ready += 1;
            let (ok, when) = availability(pod, min_ready, ctx.now());
            if ok {
                available += 1;
            } else {
                wake = wake.min(when).or(when);
            }
        }
    }
    state.timers.set(key, wake, None);
    let old = rs.status.clone().unwrap_or_default();
    let mut conditions: Vec<ReplicaSetCondition> = old
        .conditions
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.type_ != "ReplicaFailure")
        .collect();
    if let Some(message) = failure {
        let previous = old
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "ReplicaFailure");
        conditions.push(ReplicaSetCondition {
            type_: "ReplicaFailure".to_string(),
            status: "True".to_string(),
            reason: Some("FailedCreate".to_string()),
            message: Some(message),
            last_transition_time: previous
                .and_then(|c| c.last_transition_time.clone())
                .or_else(|| Some(ctx.now.clone())),
        });
    } else if replicas >= spec.replicas.unwrap_or(1) {
        // The failure is over once the set is full.
    } else if let Some(previous) = old
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "ReplicaFailure")
    {
        conditions.push(previous.clone());
    }
    let status = ReplicaSetStatus {
        replicas,
        fully_labeled_replicas: omit_zero(labelled),
        ready_replicas: omit_zero(ready),
        available_replicas: omit_zero(available),
        observed_generation: rs.metadata.generation,
        conditions: (!conditions.is_empty()).then_some(conditions),
        terminating_replicas: None,
    };
    if rs.status.as_ref() == Some(&status) {
        return false;
    }
    let mut updated = rs.clone();
    updated.status = Some(status);
    store.put(Object::from(updated));
    true
}
