//! The StatefulSet controller (`pkg/controller/statefulset`): pods with a
//! stable identity, `<set>-0` … `<set>-N-1`, created in order and each only
//! once the one before is Running and Ready (`OrderedReady`; all at once with
//! `Parallel`), removed from the highest ordinal down, and rolled from the
//! highest ordinal down one at a time (`RollingUpdate`, above `partition`).
//! Revisions are ControllerRevisions `<set>-<hash>`, as for DaemonSets.
//! `volumeClaimTemplates` are not provisioned: the simulation has no volumes.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;

use super::daemonset::history::patch_data;
use super::events::record_about;
use super::ownership::{admission_retries, controller_ref, event_controller, owner_key};
use super::{is_pod_ready, pod_phase, template_hash, Ctx, Cursor};
use crate::api::server::{create, create_generated, delete_pod};
use crate::api::store::{key_of, Key, Store};
use crate::api::{Kind, Object, Served};

const REVISION_LABEL: &str = "controller-revision-hash";
const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

#[derive(Clone, Debug, Default)]
pub struct StatefulSetState {
    cursor: Cursor,
}

impl StatefulSetState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

fn event(
    store: &mut Store,
    ctx: &mut Ctx,
    sts: &StatefulSet,
    type_: &str,
    reason: &str,
    message: String,
) {
    record_about(
        store,
        ctx,
        Kind::StatefulSet,
        &sts.metadata,
        "statefulset-controller",
        type_,
        reason,
        message,
    );
}

/// The StatefulSets whose selves or pods changed, and those a refused create
/// may now succeed for.
fn dirty(store: &Store, state: &StatefulSetState) -> BTreeSet<Key> {
    let mut dirty = BTreeSet::new();
    for event in state.cursor.unread(store) {
        match event.kind {
            Kind::StatefulSet => {
                dirty.insert(event.key.clone());
            }
            Kind::Pod => dirty.extend(
                event_controller(store, event)
                    .and_then(|uid| owner_key(store, Kind::StatefulSet, &event.key.0, &uid)),
            ),
            _ => dirty.extend(admission_retries(store, Kind::StatefulSet, event)),
        }
    }
    dirty
}

pub fn sync_all(store: &mut Store, state: &mut StatefulSetState, ctx: &mut Ctx) -> bool {
    let dirty = dirty(store, state);
    state.cursor.catch_up(store);
    let mut changed = false;
    for key in dirty {
        changed |= sync(store, &key, ctx);
    }
    changed
}

/// The set's revision for its current template, created if new.
fn update_revision(store: &mut Store, sts: &StatefulSet, ctx: &mut Ctx) -> String {
    let spec = sts.spec.clone().unwrap_or_default();
    // The controller always hashes with a count, 0 until a collision.
    let collisions = Some(
        sts.status
            .as_ref()
            .and_then(|s| s.collision_count)
            .unwrap_or(0),
    );
    let name = format!(
        "{}-{}",
        sts.metadata.name.as_deref().unwrap_or(""),
        template_hash(&spec.template, collisions)
    );
    let namespace = sts.metadata.namespace.clone().unwrap_or_default();
    let uid = sts.metadata.uid.as_deref().unwrap_or("");
    let next = store
        .dependents_of_kind(uid, Kind::ControllerRevision)
        .filter_map(|o| ControllerRevision::of(o))
        .filter(|r| r.metadata.name.as_deref() != Some(name.as_str()))
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
        + 1;
    let existing = store
        .get(Kind::ControllerRevision, &namespace, &name)
        .and_then(|o| ControllerRevision::of(o))
        .cloned();
    if let Some(mut existing) = existing {
        // An older template back again (a rollback): its revision takes the
        // next number, as `UpdateControllerRevision` does.
        if existing.revision < next {
            existing.revision = next;
            store.put(Object::from(existing));
        }
    } else {
        let mut labels = spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        labels.insert(REVISION_LABEL.to_string(), name.clone());
        let revision = ControllerRevision {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace),
                labels: Some(labels),
                owner_references: Some(vec![controller_ref(Kind::StatefulSet, &sts.metadata)]),
                ..Default::default()
            },
            data: Some(RawExtension(patch_data(&spec.template))),
            revision: next,
        };
        // Distinct name in an existing namespace: creating it cannot be refused.
        let _ = create(store, Object::from(revision), &mut ctx.env());
    }
    name
}

/// `newVersionedStatefulSetPod`: the pod for `ordinal` at `revision`.
fn new_pod(sts: &StatefulSet, ordinal: i32, revision: &str) -> Pod {
    let spec = sts.spec.clone().unwrap_or_default();
    let set = sts.metadata.name.clone().unwrap_or_default();
    let name = format!("{set}-{ordinal}");
    let template = spec.template.clone();
    let meta = template.metadata.unwrap_or_default();
    let mut labels: BTreeMap<String, String> = meta.labels.unwrap_or_default();
    labels.insert(REVISION_LABEL.to_string(), revision.to_string());
    labels.insert(POD_NAME_LABEL.to_string(), name.clone());
    labels.insert(POD_INDEX_LABEL.to_string(), ordinal.to_string());
    let mut pod_spec = template.spec.unwrap_or_default();
    // `updateStorage`: each claim template becomes a volume of the pod's own
    // claim, in place of any template volume of the same name.
    let claims = spec.volume_claim_templates.clone().unwrap_or_default();
    let claim_names: BTreeSet<String> = claims
        .iter()
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    let mut volumes: Vec<Volume> = claims
        .iter()
        .map(|c| Volume {
            name: c.metadata.name.clone().unwrap_or_default(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(c, &set, ordinal),
                read_only: None,
            }),
            ..Default::default()
        })
        .collect();
    volumes.extend(
        pod_spec
            .volumes
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|v| !claim_names.contains(&v.name)),
    );
    pod_spec.volumes = (!volumes.is_empty()).then_some(volumes);
    pod_spec.hostname = Some(name.clone());
    if let Some(service) = spec.service_name.filter(|s| !s.is_empty()) {
        pod_spec.subdomain = Some(service);
    }
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: sts.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: meta.annotations,
            owner_references: Some(vec![controller_ref(Kind::StatefulSet, &sts.metadata)]),
            ..Default::default()
        },
        spec: Some(pod_spec),
        ..Default::default()
    }
}

/// `getPersistentVolumeClaimName`: `<template>-<set>-<ordinal>`.
fn claim_name(template: &PersistentVolumeClaim, set: &str, ordinal: i32) -> String {
    format!(
        "{}-{set}-{ordinal}",
        template.metadata.name.as_deref().unwrap_or("")
    )
}

/// `createPersistentVolumeClaims`: the claims of one ordinal that do not
/// exist yet, labelled with the set's selector. Claims outlive their pods
/// (the default retention policy keeps them).
fn create_claims(
    store: &mut Store,
    ctx: &mut Ctx,
    sts: &StatefulSet,
    ordinal: i32,
) -> Result<(), String> {
    let spec = sts.spec.clone().unwrap_or_default();
    let set = sts.metadata.name.clone().unwrap_or_default();
    let namespace = sts.metadata.namespace.clone().unwrap_or_default();
    for template in spec.volume_claim_templates.iter().flatten() {
        let name = claim_name(template, &set, ordinal);
        if store
            .get(Kind::PersistentVolumeClaim, &namespace, &name)
            .is_some()
        {
            continue;
        }
        let mut claim = template.clone();
        claim.metadata.name = Some(name.clone());
        claim.metadata.namespace = Some(namespace.clone());
        let labels = claim.metadata.labels.get_or_insert_with(Default::default);
        labels.extend(spec.selector.match_labels.clone().unwrap_or_default());
        claim.status = None;
        let pod = format!("{set}-{ordinal}");
        match create(store, Object::from(claim), &mut ctx.env()) {
            Ok(()) => event(
                store,
                ctx,
                sts,
                "Normal",
                "SuccessfulCreate",
                format!("create Claim {name} Pod {pod} in StatefulSet {set} success"),
            ),
            Err(error) => {
                let message = format!(
                    "create Claim {name} for Pod {pod} in StatefulSet {set} failed error: {error}"
                );
                event(store, ctx, sts, "Warning", "FailedCreate", message.clone());
                return Err(message);
            }
        }
    }
    Ok(())
}

/// Deletes one of the set's pods gracefully, with its SuccessfulDelete event.
fn delete_with_event(store: &mut Store, ctx: &mut Ctx, sts: &StatefulSet, pod: &Pod) -> bool {
    let now = ctx.now.clone();
    if delete_pod(store, &key_of(&pod.metadata), None, &now).is_err() {
        return false;
    }
    let set = sts.metadata.name.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    event(
        store,
        ctx,
        sts,
        "Normal",
        "SuccessfulDelete",
        format!("delete Pod {name} in StatefulSet {set} successful"),
    );
    true
}

fn ordinal_of(pod: &Pod, set: &str) -> Option<i32> {
    pod.metadata
        .name
        .as_deref()?
        .strip_prefix(set)?
        .strip_prefix('-')?
        .parse()
        .ok()
}

fn revision_of(pod: &Pod) -> Option<&str> {
    pod.metadata
        .labels
        .as_ref()?
        .get(REVISION_LABEL)
        .map(String::as_str)
}

fn running_and_ready(pod: &Pod) -> bool {
    pod_phase(pod) == "Running" && is_pod_ready(pod) && pod.metadata.deletion_timestamp.is_none()
}

fn sync(store: &mut Store, key: &Key, ctx: &mut Ctx) -> bool {
    let Some(sts) = store
        .get(Kind::StatefulSet, &key.0, &key.1)
        .and_then(|o| StatefulSet::of(o))
        .cloned()
    else {
        return false;
    };
    if sts.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let spec = sts.spec.clone().unwrap_or_default();
    let set = sts.metadata.name.clone().unwrap_or_default();
    let uid = sts.metadata.uid.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1).max(0);
    let ordered = spec.pod_management_policy.as_deref() != Some("Parallel");
    let revision = update_revision(store, &sts, ctx);
    let mut changed = false;
    let pods: BTreeMap<i32, Pod> = store
        .pods_controlled_by(&uid)
        .filter_map(|p| Some((ordinal_of(p, &set)?, p.clone())))
        .collect();
    // Create what is missing below `replicas`, in order.
    for ordinal in 0..replicas {
        if pods.contains_key(&ordinal) {
            continue;
        }
        if ordered && pods.range(..ordinal).any(|(_, p)| !running_and_ready(p)) {
            break;
        }
        if create_claims(store, ctx, &sts, ordinal).is_err() {
            break;
        }
        match create_generated(store, new_pod(&sts, ordinal, &revision), &mut ctx.env()) {
            Ok(name) => {
                event(
                    store,
                    ctx,
                    &sts,
                    "Normal",
                    "SuccessfulCreate",
                    format!("create Pod {name} in StatefulSet {set} successful"),
                );
                changed = true;
            }
            Err(error) => {
                event(
                    store,
                    ctx,
                    &sts,
                    "Warning",
                    "FailedCreate",
                    format!(
                        "create Pod {set}-{ordinal} in StatefulSet {set} failed error: {error}"
                    ),
                );
                break;
            }
        }
        if ordered {
            break;
        }
    }
    // OrderedReady waits for every pod below the next one to be Running and Ready.
    let blocked = ordered && pods.range(..replicas).any(|(_, p)| !running_and_ready(p));
    if !changed && !blocked {
        // Condemned pods go from the highest ordinal down.
        let condemned: Vec<&Pod> = pods.range(replicas..).map(|(_, p)| p).rev().collect();
        for pod in condemned
            .into_iter()
            .take(if ordered { 1 } else { usize::MAX })
        {
            if pod.metadata.deletion_timestamp.is_some() {
                break;
            }
            changed |= delete_with_event(store, ctx, &sts, pod);
        }
    }
    let rolling = spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        != Some("OnDelete");
    if !changed && !blocked && rolling {
        let partition = spec
            .update_strategy
            .as_ref()
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.partition)
            .unwrap_or(0);
        // The highest outdated pod above the partition is replaced, once every
        // other pod is Running and Ready.
        let outdated = pods
            .range(partition.max(0)..replicas)
            .rev()
            .find(|(_, p)| revision_of(p) != Some(revision.as_str()));
        if let Some((_, pod)) = outdated {
            if pod.metadata.deletion_timestamp.is_none() {
                changed |= delete_with_event(store, ctx, &sts, pod);
            }
        }
    }
    changed |= write_status(store, &sts, &revision);
    changed
}

fn write_status(store: &mut Store, sts: &StatefulSet, update_revision: &str) -> bool {
    let uid = sts.metadata.uid.as_deref().unwrap_or("");
    let pods: Vec<&Pod> = store
        .pods_controlled_by(uid)
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    let count = |f: &dyn Fn(&Pod) -> bool| {
        i32::try_from(pods.iter().filter(|p| f(p)).count()).unwrap_or(i32::MAX)
    };
    let old = sts.status.clone().unwrap_or_default();
    let updated = count(&|p| revision_of(p) == Some(update_revision));
    let current_revision = if updated == i32::try_from(pods.len()).unwrap_or(0) {
        update_revision.to_string()
    } else {
        old.current_revision
            .clone()
            .unwrap_or_else(|| update_revision.to_string())
    };
    let current = count(&|p| revision_of(p) == Some(current_revision.as_str()));
    let ready = count(&|p| is_pod_ready(p));
    let status = StatefulSetStatus {
        observed_generation: sts.metadata.generation,
        replicas: i32::try_from(pods.len()).unwrap_or(i32::MAX),
        ready_replicas: (ready != 0).then_some(ready),
        current_replicas: (current != 0).then_some(current),
        updated_replicas: (updated != 0).then_some(updated),
        available_replicas: Some(ready),
        current_revision: Some(current_revision),
        update_revision: Some(update_revision.to_string()),
        collision_count: Some(old.collision_count.unwrap_or(0)),
        conditions: None,
    };
    if sts.status.as_ref() == Some(&status) {
        return false;
    }
    let mut updated_sts = sts.clone();
    updated_sts.status = Some(status);
    store.put(Object::from(updated_sts));
    true
}
