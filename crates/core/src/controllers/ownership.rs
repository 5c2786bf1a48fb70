//! Ownership shared by the controllers that own pods (DaemonSets,
//! ReplicaSets): which pods a controller owns, and `ClaimPods`' adoption and
//! release (`pkg/controller/controller_ref_manager.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};

use crate::api::store::{controller_uid, key_of, Key, Store, WatchEvent};
use crate::api::validation::selector_matches;
use crate::api::Kind;

/// The controller reference a workload of `kind` puts on what it creates.
pub fn controller_ref(kind: Kind, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: kind.api_version().to_string(),
        kind: kind.name().to_string(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Is `pod` controlled by the owner with this uid?
pub fn controlled_by(pod: &Pod, uid: &str) -> bool {
    controller_uid(&pod.metadata) == Some(uid)
}

/// `ClaimPods`: adopts orphan pods the selector matches (in the owner's
/// namespace, not being deleted) and releases owned pods it no longer matches.
/// `owner` is the controller reference the owner puts on its pods.
pub fn claim_pods(
    store: &mut Store,
    owner: &OwnerReference,
    namespace: Option<&str>,
    selector: &LabelSelector,
) -> bool {
    let uid = owner.uid.clone();
    let mut changed = false;
    let is_orphan = |pod: &Pod| controller_uid(&pod.metadata).is_none();
    // Only pods whose ownership changes are copied.
    let candidates: Vec<Pod> = store
        .pods_controlled_by(&uid)
        .chain(store.orphan_pods())
        .filter(|p| p.metadata.namespace.as_deref() == namespace)
        .filter(|p| {
            let matches = selector_matches(
                selector,
                p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
            );
            (controlled_by(p, &uid) && !matches)
                || (is_orphan(p) && matches && p.metadata.deletion_timestamp.is_none())
        })
        .cloned()
        .collect();
    for mut pod in candidates {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let matches = selector_matches(selector, &labels);
        let owned = controlled_by(&pod, &uid);
        let orphan = is_orphan(&pod);
        if owned && !matches {
            if let Some(refs) = pod.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
            }
            if pod
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                pod.metadata.owner_references = None;
            }
        } else if orphan && matches && pod.metadata.deletion_timestamp.is_none() {
            pod.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(owner.clone());
        } else {
            continue;
        }
        store.put_pod(pod);
        changed = true;
    }
    changed
}

/// The object of `kind` in `namespace` with this uid.
pub fn owner_key(store: &Store, kind: Kind, namespace: &str, uid: &str) -> Option<Key> {
    store
        .list_namespace(kind, namespace)
        .find(|o| o.metadata().uid.as_deref() == Some(uid))
        .map(|o| key_of(o.metadata()))
}

/// The uid of the controller of the object a watch event is about, whether
/// it is still there or was deleted.
pub fn event_controller(store: &Store, event: &WatchEvent) -> Option<String> {
    match store.get(event.kind, &event.key.0, &event.key.1) {
        Some(object) => controller_uid(object.metadata()).map(str::to_string),
        None => event.deleted.as_ref().and_then(|d| d.controller.clone()),
    }
}

/// The objects of `kind` whose refused pod creations a change may let
/// through: a ServiceAccount of their namespace, a namespace, a PriorityClass.
pub fn admission_retries(store: &Store, kind: Kind, event: &WatchEvent) -> Vec<Key> {
    match event.kind {
        Kind::ServiceAccount => store
            .list_namespace(kind, &event.key.0)
            .map(|o| key_of(o.metadata()))
            .collect(),
        Kind::Namespace | Kind::PriorityClass => {
            store.list(kind).map(|o| key_of(o.metadata())).collect()
        }
        _ => Vec::new(),
    }
}
