//! Revisions (`pkg/controller/daemon/update.go`: constructHistory, cleanupHistory):
//! every distinct pod template is a ControllerRevision `<ds>-<hash>` with an
//! increasing number; returning to an old template renumbers its revision.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::Value;

use super::pod_template::{controller_ref, CONTROLLER_REVISION_HASH};
use super::Ctx;
use crate::api::store::{controller_uid, Store};
use crate::api::{Kind, Object, Served};
use crate::controllers::template_hash;

/// What a revision stores: `{"spec":{"template":{…,"$patch":"replace"}}}`.
pub fn patch_data(template: &PodTemplateSpec) -> Value {
    let mut template = serde_json::to_value(template).unwrap_or_default();
    if let Some(map) = template.as_object_mut() {
        map.insert("$patch".to_string(), Value::String("replace".to_string()));
    }
    serde_json::json!({"spec": {"template": template}})
}

/// The template a revision stores.
pub fn revision_template(revision: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut template = revision.data.as_ref()?.0.pointer("/spec/template")?.clone();
    if let Some(map) = template.as_object_mut() {
        map.remove("$patch");
    }
    serde_json::from_value(template).ok()
}

/// The ControllerRevisions a DaemonSet or StatefulSet (`owner`) controls, in
/// revision order.
pub fn revisions_of(store: &Store, owner: &ObjectMeta) -> Vec<ControllerRevision> {
    let uid = owner.uid.as_deref().unwrap_or("");
    let mut revisions: Vec<ControllerRevision> = store
        .dependents_of_kind(uid, Kind::ControllerRevision)
        .filter_map(|o| ControllerRevision::of(o))
        .filter(|r| r.metadata.namespace == owner.namespace)
        .filter(|r| controller_uid(&r.metadata) == Some(uid))
        .cloned()
        .collect();
    revisions.sort_by_key(|r| r.revision);
    revisions
}

/// The hash of the revision the DaemonSet's template belongs to.
pub fn current_revision_hash(store: &Store, ds: &DaemonSet) -> String {
    let template = ds
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let data = patch_data(&template);
    revisions_of(store, &ds.metadata)
        .into_iter()
        .filter(|r| r.data.as_ref().map(|d| &d.0) == Some(&data))
        .max_by_key(|r| r.revision)
        .and_then(|r| r.metadata.labels?.get(CONTROLLER_REVISION_HASH).cloned())
        .unwrap_or_else(|| {
            template_hash(
                &template,
                ds.status.as_ref().and_then(|s| s.collision_count),
            )
        })
}

/// The number `kubectl rollout history` lists for the DaemonSet's revision
/// with this hash (0 before the controller recorded it).
pub fn revision_number(store: &Store, ds: &DaemonSet, hash: &str) -> i64 {
    revisions_of(store, &ds.metadata)
        .iter()
        .filter(|r| {
            r.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(CONTROLLER_REVISION_HASH))
                .is_some_and(|h| h == hash)
        })
        .map(|r| r.revision)
        .max()
        .unwrap_or(0)
}

/// `constructHistory`: makes sure the current template has the newest revision
/// and returns its hash.
pub fn construct_history(store: &mut Store, ds: &DaemonSet, ctx: &mut Ctx) -> String {
    let template = ds
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let collisions = ds.status.as_ref().and_then(|s| s.collision_count);
    let hash = template_hash(&template, collisions);
    let data = patch_data(&template);
    let revisions = revisions_of(store, &ds.metadata);
    let (matching, others): (Vec<_>, Vec<_>) = revisions
        .into_iter()
        .partition(|r| r.data.as_ref().map(|d| &d.0) == Some(&data));
    let max_other = others.iter().map(|r| r.revision).max().unwrap_or(0);
    if let Some(current) = matching.iter().max_by_key(|r| r.revision) {
        // Duplicates of the current template: only the newest stays.
        for duplicate in matching.iter().filter(|r| r.revision != current.revision) {
            let meta = &duplicate.metadata;
            store.remove(
                Kind::ControllerRevision,
                meta.namespace.as_deref().unwrap_or(""),
                meta.name.as_deref().unwrap_or(""),
            );
        }
        if current.revision <= max_other {
            let mut renumbered = current.clone();
            renumbered.revision = max_other + 1;
            store.put(Object::from(renumbered));
        }
        return current
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(CONTROLLER_REVISION_HASH))
            .cloned()
            .unwrap_or(hash);
    }
    let ds_name = ds.metadata.name.clone().unwrap_or_default();
    let mut labels: BTreeMap<String, String> = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(CONTROLLER_REVISION_HASH.to_string(), hash.clone());
    let revision = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{ds_name}-{hash}")),
            namespace: ds.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: ds.metadata.annotations.clone(),
            owner_references: Some(vec![controller_ref(ds)]),
            uid: Some(ctx.ids.uid()),
            creation_timestamp: Some(ctx.now.clone()),
            ..Default::default()
        },
        data: Some(RawExtension(data)),
        revision: max_other + 1,
    };
    store.put(Object::from(revision));
    hash
}

/// `cleanupHistory`: old revisions beyond `revisionHistoryLimit` go, oldest first,
/// but never one whose hash a daemon pod still carries.
pub fn cleanup_history(store: &mut Store, ds: &DaemonSet, current_hash: &str) -> bool {
    let limit = ds
        .spec
        .as_ref()
        .and_then(|s| s.revision_history_limit)
        .unwrap_or(10)
        .max(0) as usize;
    let hash_of = |r: &ControllerRevision| {
        r.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(CONTROLLER_REVISION_HASH))
            .cloned()
            .unwrap_or_default()
    };
    let old: Vec<ControllerRevision> = revisions_of(store, &ds.metadata)
        .into_iter()
        .filter(|r| hash_of(r) != current_hash)
        .collect();
    let mut excess = old.len().saturating_sub(limit);
    if excess == 0 {
        // Nothing to prune, so the pods (thousands, at scale) need not be read.
        return false;
    }
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let live_hashes: BTreeSet<String> = store
        .dependents_of_kind(uid, Kind::Pod)
        .filter_map(|o| Pod::of(o))
        .filter_map(|p| {
            p.metadata
                .labels
                .as_ref()?
                .get(CONTROLLER_REVISION_HASH)
                .cloned()
        })
        .collect();
    let mut changed = false;
    for revision in old {
        if excess == 0 {
            break;
        }
        if live_hashes.contains(&hash_of(&revision)) {
            continue;
        }
        let meta = &revision.metadata;
        store.remove(
            Kind::ControllerRevision,
            meta.namespace.as_deref().unwrap_or(""),
            meta.name.as_deref().unwrap_or(""),
        );
        excess -= 1;
        changed = true;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_gives_back_its_template() {
        let template = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "x".to_string())].into()),
                ..Default::default()
            }),
            spec: None,
        };
        let revision = ControllerRevision {
            data: Some(RawExtension(patch_data(&template))),
            ..Default::default()
        };
        assert_eq!(revision_template(&revision), Some(template));
    }
}
