//! The Deployment controller (`pkg/controller/deployment`): a ReplicaSet per
//! pod template (`<deployment>-<pod-template-hash>`), rolled from the old ones
//! to the new one by the RollingUpdate (`rolling.go`) or Recreate
//! (`recreate.go`) strategy, old ones pruned to `revisionHistoryLimit`, and
//! status with the Available and Progressing conditions (`progress.go`).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, ObjectMeta, OwnerReference, Time,
};
use k8s_openapi::jiff::Timestamp;

use super::events::record_about;
use super::ownership::{event_controller, owner_key};
use super::{later, pod_phase, scaled_value, template_hash, Ctx, Cursor, Timers};
use crate::api::server::create;
use crate::api::store::{controller_uid, key_of, Key, Store};
use crate::api::validation::selector_matches;
use crate::api::{Kind, Object, Served};

pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";

/// Annotations a Deployment does not pass on to its ReplicaSets (`skipCopyAnnotation`).
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "deprecated.deployment.rollback.to",
];

#[derive(Clone, Debug, Default)]
pub struct DeploymentState {
    cursor: Cursor,
    /// Progress deadlines.
    timers: Timers<Key>,
}

impl DeploymentState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

fn controller_ref(deploy: &Deployment) -> OwnerReference {
    super::ownership::controller_ref(Kind::Deployment, &deploy.metadata)
}

/// The Deployments whose selves, ReplicaSets or pods changed, and those due.
fn dirty(store: &Store, state: &DeploymentState, ctx: &Ctx) -> BTreeSet<Key> {
    let mut dirty: BTreeSet<Key> = state.timers.due(ctx.now()).into_iter().collect();
    let namespace_of = |key: &Key| key.0.clone();
    for event in state.cursor.unread(store) {
        match event.kind {
            Kind::Deployment => {
                dirty.insert(event.key.clone());
            }
            Kind::ReplicaSet => match event_controller(store, event) {
                Some(uid) => dirty.extend(owner_key(
                    store,
                    Kind::Deployment,
                    &namespace_of(&event.key),
                    &uid,
                )),
                None => dirty.extend(
                    store
                        .list_namespace(Kind::Deployment, &event.key.0)
                        .map(|o| key_of(o.metadata())),
                ),
            },
            // Recreate waits for the old pods to be gone.
            Kind::Pod => {
                let deployment = event_controller(store, event)
                    .and_then(|uid| owner_key(store, Kind::ReplicaSet, &event.key.0, &uid))
                    .and_then(|rs| store.get(Kind::ReplicaSet, &rs.0, &rs.1))
                    .and_then(|rs| controller_uid(rs.metadata()).map(str::to_string))
                    .and_then(|uid| owner_key(store, Kind::Deployment, &event.key.0, &uid));
                dirty.extend(deployment);
            }
            _ => {}
        }
    }
    dirty
}

pub fn sync_all(store: &mut Store, state: &mut DeploymentState, ctx: &mut Ctx) -> bool {
    let dirty = dirty(store, state, ctx);
    state.cursor.catch_up(store);
    let mut changed = false;
    for key in dirty {
        changed |= sync(store, state, &key, ctx);
    }
    state.timers.report(ctx);
    changed
}

fn event(
    store: &mut Store,
    ctx: &mut Ctx,
    deploy: &Deployment,
    type_: &str,
    reason: &str,
    message: String,
) {
    record_about(
        store,
        ctx,
        Kind::Deployment,
        &deploy.metadata,
        "deployment-controller",
        type_,
        reason,
        message,
    );
}

/// The template without its `pod-template-hash` label (`EqualIgnoreHash`).
fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut template = template.clone();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    template
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
}

/// `ResolveFenceposts`: max surge (rounded up) and max unavailable (rounded
/// down), never both zero.
fn fenceposts(deploy: &Deployment) -> (i32, i32) {
    let spec = deploy.spec.clone().unwrap_or_default();
    let desired = spec.replicas.unwrap_or(1);
    let rolling = spec
        .strategy
        .and_then(|s| s.rolling_update)
        .unwrap_or_default();
    let surge = scaled_value(rolling.max_surge.as_ref(), desired, true);
    let unavailable = scaled_value(rolling.max_unavailable.as_ref(), desired, false);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

fn is_recreate(deploy: &Deployment) -> bool {
    deploy
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        == Some("Recreate")
}

/// Sets `replicas` on a ReplicaSet with the annotations that go with it, and
/// records `Scaled up/down replica set … from A to B`.
fn scale(store: &mut Store, ctx: &mut Ctx, deploy: &Deployment, rs: &ReplicaSet, to: i32) -> bool {
    let from = replicas(rs);
    let desired = deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let max = desired
        + if is_recreate(deploy) {
            0
        } else {
            fenceposts(deploy).0
        };
    let mut updated = rs.clone();
    updated.spec.get_or_insert_with(Default::default).replicas = Some(to);
    let annotations = updated
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    annotations.insert(DESIRED_REPLICAS.to_string(), desired.to_string());
    annotations.insert(MAX_REPLICAS.to_string(), max.to_string());
    if updated == *rs {
        return false;
    }
    store.put(Object::from(updated));
    if from != to {
        let direction = if to > from { "up" } else { "down" };
        let name = rs.metadata.name.clone().unwrap_or_default();
        event(
            store,
            ctx,
            deploy,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {direction} replica set {name} from {from} to {to}"),
        );
    }
    true
}

/// The Deployment's ReplicaSets after adoption and release, oldest first.
fn claim_replica_sets(store: &mut Store, deploy: &Deployment) -> Vec<ReplicaSet> {
    let uid = deploy.metadata.uid.clone().unwrap_or_default();
    let namespace = deploy.metadata.namespace.clone().unwrap_or_default();
    let selector = deploy
        .spec
        .as_ref()
        .map(|s| s.selector.clone())
        .unwrap_or_default();
    let candidates: Vec<ReplicaSet> = store
        .list_namespace(Kind::ReplicaSet, &namespace)
        .filter_map(|o| ReplicaSet::of(o))
        .filter(|rs| {
            let owner = controller_uid(&rs.metadata);
            owner == Some(uid.as_str())
                || (owner.is_none() && rs.metadata.deletion_timestamp.is_none())
        })
        .cloned()
        .collect();
    let mut owned = Vec::new();
    for mut rs in candidates {
        let labels = rs.metadata.labels.clone().unwrap_or_default();
        let matches = selector_matches(&selector, &labels);
        let ours = controller_uid(&rs.metadata) == Some(uid.as_str());
        if ours && !matches {
            if let Some(refs) = rs.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
            }
            store.put(Object::from(rs));
        } else if !ours && matches {
            rs.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(controller_ref(deploy));
            store.put(Object::from(rs.clone()));
            owned.push(rs);
        } else if ours {
            owned.push(rs);
        }
    }
    owned.sort_by_key(|rs| {
        (
            rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
            rs.metadata.name.clone(),
        )
    });
    owned
}

/// `getNewReplicaSet` with create: the ReplicaSet for the current template,
/// created with `replicas` if there is none.
fn create_new_replica_set(
    store: &mut Store,
    ctx: &mut Ctx,
    deploy: &Deployment,
    old: &[ReplicaSet],
    replicas: i32,
) -> Option<ReplicaSet> {
    let spec = deploy.spec.clone().unwrap_or_default();
    let collisions = deploy.status.as_ref().and_then(|s| s.collision_count);
    let hash = template_hash(&spec.template, collisions);
    let mut template = spec.template.clone();
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(POD_TEMPLATE_HASH.to_string(), hash.clone());
    let mut selector: LabelSelector = spec.selector.clone();
    selector
        .match_labels
        .get_or_insert_with(BTreeMap::new)
        .insert(POD_TEMPLATE_HASH.to_string(), hash.clone());
    let next_revision = old.iter().map(revision).max().unwrap_or(0) + 1;
    let desired = spec.replicas.unwrap_or(1);
    let max = desired
        + if is_recreate(deploy) {
            0
        } else {
            fenceposts(deploy).0
        };
    let mut annotations: BTreeMap<String, String> = deploy
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !NOT_COPIED.contains(&k.as_str()))
        .collect();
    annotations.insert(DESIRED_REPLICAS.to_string(), desired.to_string());
    annotations.insert(MAX_REPLICAS.to_string(), max.to_string());
    annotations.insert(REVISION.to_string(), next_revision.to_string());
    let name = format!("{}-{hash}", deploy.metadata.name.as_deref().unwrap_or(""));
    let rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: deploy.metadata.namespace.clone(),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            annotations: Some(annotations),
            owner_references: Some(vec![controller_ref(deploy)]),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(replicas),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    if let Err(error) = create(store, Object::from(rs), &mut ctx.env()) {
        event(
            store,
            ctx,
            deploy,
            "Warning",
            "FailedCreate",
            format!("Failed to create new replica set {name:?}: {error}"),
        );
        return None;
    }
    if replicas > 0 {
        event(
            store,
            ctx,
            deploy,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled up replica set {name} from 0 to {replicas}"),
        );
    }
    store
        .get(
            Kind::ReplicaSet,
            deploy.metadata.namespace.as_deref().unwrap_or(""),
            &name,
        )
        .and_then(|o| ReplicaSet::of(o))
        .cloned()
}

/// `RevisionHistoryAnnotation` may hold at most this many characters.
const MAX_REVISION_HISTORY_CHARS: usize = 2000;

/// `getNewReplicaSet` for a ReplicaSet that already has the template
/// (`SetNewReplicaSetAnnotations`): the Deployment's annotations are copied
/// onto it, it takes the next revision when an older one comes back (a
/// rollback), keeping the numbers it had in `revision-history`, and its
/// `minReadySeconds` follows the Deployment's.
fn sync_new_replica_set(
    store: &mut Store,
    rs: &mut ReplicaSet,
    deploy: &Deployment,
    old: &[ReplicaSet],
) -> bool {
    let mut updated = rs.clone();
    let annotations = updated
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    for (key, value) in deploy.metadata.annotations.iter().flatten() {
        if !NOT_COPIED.contains(&key.as_str()) {
            annotations.insert(key.clone(), value.clone());
        }
    }
    let next = old.iter().map(revision).max().unwrap_or(0) + 1;
    let own = annotations.get(REVISION).cloned();
    let own_number = match own.as_deref().map(str::parse::<i64>) {
        Some(Ok(n)) => n,
        Some(Err(_)) => return false,
        None => 0,
    };
    if own_number < next {
        annotations.insert(REVISION.to_string(), next.to_string());
        if let Some(previous) = own {
            let history = annotations
                .get(REVISION_HISTORY)
                .cloned()
                .unwrap_or_default();
            let mut numbers: Vec<&str> = history.split(',').filter(|n| !n.is_empty()).collect();
            let mut length = history.len() + previous.len() + 1;
            while length > MAX_REVISION_HISTORY_CHARS && !numbers.is_empty() {
                length -= numbers.remove(0).len() + 1;
            }
            if length <= MAX_REVISION_HISTORY_CHARS {
                numbers.push(&previous);
                annotations.insert(REVISION_HISTORY.to_string(), numbers.join(","));
            }
        }
    }
    let min_ready = deploy.spec.as_ref().and_then(|s| s.min_ready_seconds);
    if let Some(spec) = updated.spec.as_mut() {
        spec.min_ready_seconds = min_ready;
    }
    if updated == *rs {
        return false;
    }
    store.put(Object::from(updated.clone()));
    *rs = updated;
    true
}

fn sync(store: &mut Store, state: &mut DeploymentState, key: &Key, ctx: &mut Ctx) -> bool {
    let Some(deploy) = store
        .get(Kind::Deployment, &key.0, &key.1)
        .and_then(|o| Deployment::of(o))
        .cloned()
    else {
        state.timers.clear(key);
        return false;
    };
    if deploy.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let spec = deploy.spec.clone().unwrap_or_default();
    let mut all = claim_replica_sets(store, &deploy);
    let current = without_hash(&spec.template);
    let new_index = all.iter().position(|rs| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .map(without_hash)
            == Some(current.clone())
    });
    let mut new = new_index.map(|i| all.remove(i));
    let old = all;
    let desired = spec.replicas.unwrap_or(1);
    let mut changed = false;
    if let Some(rs) = new.as_mut() {
        changed |= sync_new_replica_set(store, rs, &deploy, &old);
    }
    if spec.paused != Some(true) {
        if is_recreate(&deploy) {
            for rs in old.iter().filter(|rs| replicas(rs) > 0) {
                changed |= scale(store, ctx, &deploy, rs, 0);
            }
            let old_pods_left = old.iter().any(|rs| {
                store
                    .pods_controlled_by(rs.metadata.uid.as_deref().unwrap_or(""))
                    .any(|p| !matches!(pod_phase(p), "Succeeded" | "Failed"))
            });
            if !old_pods_left {
                match &new {
                    None => {
                        new = create_new_replica_set(store, ctx, &deploy, &old, desired);
                        changed |= new.is_some();
                    }
                    Some(rs) if replicas(rs) != desired => {
                        changed |= scale(store, ctx, &deploy, rs, desired)
                    }
                    Some(_) => {}
                }
            }
        } else {
            changed |= roll(store, ctx, &deploy, &old, &mut new);
        }
        changed |= cleanup(store, &deploy, &old);
    }
    changed |= write_status(store, state, key, &deploy, new.as_ref(), ctx);
    changed
}

/// `rolloutRolling`: scale the new ReplicaSet up within maxSurge, then the old
/// ones down within maxUnavailable.
fn roll(
    store: &mut Store,
    ctx: &mut Ctx,
    deploy: &Deployment,
    old: &[ReplicaSet],
    new: &mut Option<ReplicaSet>,
) -> bool {
    let desired = deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let (surge, max_unavailable) = fenceposts(deploy);
    let old_total: i32 = old.iter().map(replicas).sum();
    let mut changed = false;
    // NewRSNewReplicas.
    let new_count = |current_new: i32, total: i32| -> i32 {
        let max_total = desired + surge;
        if total >= max_total {
            return current_new;
        }
        let up = (max_total - total).min(desired - current_new).max(0);
        current_new + up
    };
    match new.clone() {
        None => {
            let count = new_count(0, old_total);
            *new = create_new_replica_set(store, ctx, deploy, old, count);
            changed |= new.is_some();
        }
        Some(rs) => {
            let current = replicas(&rs);
            let target = if current > desired {
                desired
            } else {
                new_count(current, old_total + current)
            };
            changed |= scale(store, ctx, deploy, &rs, target);
        }
    }
    // Read back what scaling wrote.
    let refresh = |store: &Store, rs: &ReplicaSet| {
        store
            .get(
                Kind::ReplicaSet,
                rs.metadata.namespace.as_deref().unwrap_or(""),
                rs.metadata.name.as_deref().unwrap_or(""),
            )
            .and_then(|o| ReplicaSet::of(o))
            .cloned()
    };
    let new_rs = new.as_ref().and_then(|rs| refresh(store, rs));
    let mut old: Vec<ReplicaSet> = old.iter().filter_map(|rs| refresh(store, rs)).collect();
    if old.iter().map(replicas).sum::<i32>() == 0 {
        return changed;
    }
    // reconcileOldReplicaSets.
    let all_count: i32 =
        old.iter().map(replicas).sum::<i32>() + new_rs.as_ref().map_or(0, replicas);
    let min_available = desired - max_unavailable;
    let new_unavailable = new_rs.as_ref().map_or(0, |rs| replicas(rs) - available(rs));
    let mut max_scaled_down = all_count - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return changed;
    }
    // cleanupUnhealthyReplicas: old pods that are not available go first.
    for rs in old.iter_mut() {
        if max_scaled_down <= 0 {
            break;
        }
        let unhealthy = replicas(rs) - available(rs);
        if unhealthy <= 0 {
            continue;
        }
        let down = unhealthy.min(max_scaled_down);
        let to = replicas(rs) - down;
        changed |= scale(store, ctx, deploy, rs, to);
        max_scaled_down -= down;
        if let Some(fresh) = refresh(store, rs) {
            *rs = fresh;
        }
    }
    // scaleDownOldReplicaSetsForRollingUpdate.
    let available_total: i32 =
        old.iter().map(available).sum::<i32>() + new_rs.as_ref().map_or(0, available);
    if available_total <= min_available {
        return changed;
    }
    let mut remaining = available_total - min_available;
    for rs in old.iter() {
        if remaining <= 0 {
            break;
        }
        let down = replicas(rs).min(remaining);
        if down == 0 {
            continue;
        }
        changed |= scale(store, ctx, deploy, rs, replicas(rs) - down);
        remaining -= down;
    }
    changed
}

/// `cleanupDeployment`: old ReplicaSets scaled to nothing, beyond
/// `revisionHistoryLimit`, oldest first.
fn cleanup(store: &mut Store, deploy: &Deployment, old: &[ReplicaSet]) -> bool {
    let limit = deploy
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10)
        .max(0);
    let empty: Vec<&ReplicaSet> = old
        .iter()
        .filter(|rs| replicas(rs) == 0 && rs.status.as_ref().is_none_or(|s| s.replicas == 0))
        .collect();
    let excess = empty
        .len()
        .saturating_sub(usize::try_from(limit).unwrap_or(0));
    let mut by_revision = empty;
    by_revision.sort_by_key(|rs| revision(rs));
    let mut changed = false;
    for rs in by_revision.into_iter().take(excess) {
        let meta = &rs.metadata;
        changed |= store
            .remove(
                Kind::ReplicaSet,
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or(""),
            )
            .is_some();
    }
    changed
}

/// `SetDeploymentCondition`: a condition of the same status and reason is
/// left as it is; otherwise it replaces the old one at the end of the list,
/// keeping its transition time if only the reason changed.
fn set_condition(conditions: &mut Vec<DeploymentCondition>, mut condition: DeploymentCondition) {
    if let Some(current) = conditions.iter_mut().find(|c| c.type_ == condition.type_) {
        if current.status == condition.status && current.reason == condition.reason {
            current.message = condition.message;
            if condition.last_update_time.is_some() {
                current.last_update_time = condition.last_update_time;
            }
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time = current.last_transition_time.clone();
        }
    }
    conditions.retain(|c| c.type_ != condition.type_);
    conditions.push(condition);
}

fn condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: &Time,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message),
        last_update_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// Go's `omitempty`: a zero count is not written.
pub(crate) fn omit_zero(n: i32) -> Option<i32> {
    (n != 0).then_some(n)
}

/// `calculateStatus` and `syncRolloutStatus`.
fn write_status(
    store: &mut Store,
    state: &mut DeploymentState,
    key: &Key,
    deploy: &Deployment,
    new: Option<&ReplicaSet>,
    ctx: &mut Ctx,
) -> bool {
    let uid = deploy.metadata.uid.as_deref().unwrap_or("");
    let all: Vec<ReplicaSet> = store
        .dependents_of_kind(uid, Kind::ReplicaSet)
        .filter_map(|o| ReplicaSet::of(o))
        .filter(|rs| controller_uid(&rs.metadata) == Some(uid))
        .cloned()
        .collect();
    let new = new.and_then(|n| all.iter().find(|rs| rs.metadata.name == n.metadata.name));
    let spec = deploy.spec.clone().unwrap_or_default();
    let desired = spec.replicas.unwrap_or(1);
    let sum = |f: &dyn Fn(&ReplicaSet) -> i32| all.iter().map(f).sum::<i32>();
    let status_replicas = sum(&|rs| rs.status.as_ref().map_or(0, |s| s.replicas));
    let ready = sum(&|rs| {
        rs.status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0)
    });
    let available_total = sum(&available);
    let updated = new
        .and_then(|rs| rs.status.as_ref())
        .map_or(0, |s| s.replicas);
    let old = deploy.status.clone().unwrap_or_default();
    let mut conditions = old.conditions.clone().unwrap_or_default();
    let now = ctx.now.clone();
    let max_unavailable = if is_recreate(deploy) {
        0
    } else {
        fenceposts(deploy).1
    };
    if available_total >= desired - max_unavailable {
        set_condition(
            &mut conditions,
            condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".to_string(),
                &now,
            ),
        );
    } else {
        set_condition(
            &mut conditions,
            condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".to_string(),
                &now,
            ),
        );
    }
    let mut status = DeploymentStatus {
        observed_generation: deploy.metadata.generation,
        replicas: omit_zero(status_replicas),
        updated_replicas: omit_zero(updated),
        ready_replicas: omit_zero(ready),
        available_replicas: omit_zero(available_total),
        unavailable_replicas: omit_zero((sum(&replicas) - available_total).max(0)),
        collision_count: old.collision_count,
        conditions: None,
        terminating_replicas: None,
    };
    let new_name = new
        .and_then(|rs| rs.metadata.name.clone())
        .unwrap_or_default();
    let complete = updated == desired && status_replicas == desired && available_total == desired;
    let progressed = old.updated_replicas != status.updated_replicas
        || old.replicas != status.replicas
        || old.ready_replicas != status.ready_replicas
        || old.available_replicas != status.available_replicas
        || old.observed_generation != status.observed_generation;
    let deadline = spec.progress_deadline_seconds.unwrap_or(600);
    let progressing = conditions
        .iter()
        .find(|c| c.type_ == "Progressing")
        .cloned();
    let mut wake = None;
    if spec.paused != Some(true) {
        if complete && new.is_some() {
            set_condition(
                &mut conditions,
                condition(
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet {new_name:?} has successfully progressed."),
                    &now,
                ),
            );
        } else if progressed || progressing.is_none() {
            let reason = if progressing.is_none() {
                "NewReplicaSetCreated"
            } else {
                "ReplicaSetUpdated"
            };
            let message = if progressing.is_none() {
                format!("Created new replica set {new_name:?}")
            } else {
                format!("ReplicaSet {new_name:?} is progressing.")
            };
            set_condition(
                &mut conditions,
                condition("Progressing", "True", reason, message, &now),
            );
            wake = Some(later(
                now.0,
                Duration::from_secs(deadline.max(0).unsigned_abs().into()),
            ));
        } else if let Some(last) = progressing
            .as_ref()
            .filter(|c| c.status == "True" && c.reason.as_deref() != Some("NewReplicaSetAvailable"))
            .and_then(|c| c.last_update_time.as_ref())
        {
            let due: Timestamp = later(
                last.0,
                Duration::from_secs(deadline.max(0).unsigned_abs().into()),
            );
            if due <= now.0 {
                set_condition(
                    &mut conditions,
                    condition(
                        "Progressing",
                        "False",
                        "ProgressDeadlineExceeded",
                        format!("ReplicaSet {new_name:?} has timed out progressing."),
                        &now,
                    ),
                );
            } else {
                wake = Some(due);
            }
        }
    }
    // The deadline may pass without anything else happening.
    state.timers.set(key, None, wake);
    status.conditions = Some(conditions);
    let revision_now = new.map(revision).filter(|r| *r > 0);
    let mut updated_deploy = deploy.clone();
    if let Some(revision) = revision_now {
        updated_deploy
            .metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(REVISION.to_string(), revision.to_string());
    }
    // A condition whose only change is its update time is not a change.
    let same = |a: &DeploymentStatus, b: &DeploymentStatus| {
        let strip = |s: &DeploymentStatus| {
            let mut s = s.clone();
            for c in s.conditions.iter_mut().flatten() {
                c.last_update_time = None;
            }
            s
        };
        strip(a) == strip(b)
    };
    if deploy.status.as_ref().is_some_and(|s| same(s, &status))
        && updated_deploy.metadata == deploy.metadata
    {
        return false;
    }
    updated_deploy.status = Some(status);
    store.put(Object::from(updated_deploy));
    true
}
