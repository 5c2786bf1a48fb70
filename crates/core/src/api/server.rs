//! What the API server does with a written object: metadata it owns (uid,
//! creationTimestamp, generation), namespace checks, and `kubectl apply`'s
//! created / configured / unchanged.

use std::fmt;

use k8s_openapi::api::core::v1::{NamespaceStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;

use super::ids::Ids;
use super::store::Store;
use super::Object;
use crate::controllers::daemonset::pod_template::TEMPLATE_GENERATION_ANNOTATION;

/// An error the API server answers with, e.g. `NotFound`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub reason: &'static str,
    pub message: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error from server ({}): {}", self.reason, self.message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyAction {
    Created,
    Configured,
    Unchanged,
}

impl fmt::Display for ApplyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApplyAction::Created => "created",
            ApplyAction::Configured => "configured",
            ApplyAction::Unchanged => "unchanged",
        })
    }
}

/// What `kubectl apply` prints for one object: `daemonset.apps/fluentd created`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub resource: &'static str,
    pub name: String,
    pub action: ApplyAction,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} {}", self.resource, self.name, self.action)
    }
}

/// Where `kubectl apply` keeps the manifest it last applied, to tell on the next
/// apply which fields the user removed.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata the server sets on create.
fn admit_new(meta: &mut ObjectMeta, now: &Time, ids: &mut Ids) {
    meta.uid = Some(ids.uid());
    meta.creation_timestamp = Some(now.clone());
}

/// kubectl's three-way merge: fields the user set are written, fields they set
/// last time but no longer are removed, and everything else (kubelet labels,
/// server defaults, `kubectl label` edits) stays. Lists are replaced whole.
fn three_way_merge(current: &mut Value, last: Option<&Value>, new: &Value) {
    let (Some(current_map), Some(new_map)) = (current.as_object_mut(), new.as_object()) else {
        *current = new.clone();
        return;
    };
    if let Some(last_map) = last.and_then(Value::as_object) {
        for key in last_map.keys() {
            if !new_map.contains_key(key) {
                current_map.remove(key);
            }
        }
    }
    for (key, value) in new_map {
        let last_value = last.and_then(|l| l.get(key));
        match current_map.get_mut(key) {
            Some(existing) if existing.is_object() && value.is_object() => {
                three_way_merge(existing, last_value, value)
            }
            _ => {
                current_map.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The manifest as kubectl records it: compact JSON, keys sorted, newline-terminated.
fn last_applied_of(object: &Object) -> String {
    let mut json = object.to_json();
    if let Some(annotations) = json
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            if let Some(meta) = json.pointer_mut("/metadata").and_then(Value::as_object_mut) {
                meta.remove("annotations");
            }
        }
    }
    format!("{json}\n")
}

fn template_generation(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(0)
}

/// What the registry does on create, per kind (REFERENCE §1.3 for DaemonSets).
fn prepare_create(object: &mut Object) {
    match object {
        Object::DaemonSet(ds) => {
            ds.metadata.generation = Some(1);
            ds.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(TEMPLATE_GENERATION_ANNOTATION.to_string(), "1".to_string());
            ds.status = None;
        }
        Object::Pod(pod) => pod.status = None,
        Object::Namespace(ns) => {
            ns.status = Some(NamespaceStatus {
                phase: Some("Active".to_string()),
                ..Default::default()
            })
        }
        Object::Node(_) | Object::PriorityClass(_) => {}
    }
}

/// What the registry does on update: status is not written through the main
/// resource, and a DaemonSet's generations follow its spec.
fn prepare_update(object: &mut Object, stored: &Object) {
    match (object, stored) {
        (Object::DaemonSet(ds), Object::DaemonSet(old)) => {
            ds.status = old.status.clone();
            let old_spec = old.spec.clone().unwrap_or_default();
            let new_spec = ds.spec.clone().unwrap_or_default();
            if old_spec.template != new_spec.template {
                let next = template_generation(&old.metadata) + 1;
                ds.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(TEMPLATE_GENERATION_ANNOTATION.to_string(), next.to_string());
            }
            if old_spec != new_spec {
                ds.metadata.generation = Some(old.metadata.generation.unwrap_or(0) + 1);
            }
        }
        (Object::Pod(pod), Object::Pod(old)) => pod.status = old.status.clone(),
        (Object::Node(node), Object::Node(old)) => node.status = old.status.clone(),
        (Object::Namespace(ns), Object::Namespace(old)) => ns.status = old.status.clone(),
        _ => {}
    }
}

fn insert_new(store: &mut Store, mut object: Object, now: &Time, ids: &mut Ids) {
    admit_new(object.metadata_mut(), now, ids);
    prepare_create(&mut object);
    store.put(object);
}

/// Creates `object`, which must not exist yet (`kubectl create`, and the objects
/// a cluster starts with).
pub fn create(
    store: &mut Store,
    object: Object,
    now: &Time,
    ids: &mut Ids,
) -> Result<(), ApiError> {
    if store.get(&object).is_some() {
        return Err(ApiError {
            reason: "AlreadyExists",
            message: format!(
                "{}s \"{}\" already exists",
                object.kind().to_lowercase(),
                object.name()
            ),
        });
    }
    insert_new(store, object, now, ids);
    Ok(())
}

/// Creates or updates `object` the way `kubectl apply` does.
pub fn apply(
    store: &mut Store,
    mut object: Object,
    now: &Time,
    ids: &mut Ids,
) -> Result<Applied, ApiError> {
    let resource = object.resource();
    let name = object.name().to_string();
    if name.is_empty() {
        return Err(ApiError {
            reason: "BadRequest",
            message: "resource name may not be empty".to_string(),
        });
    }
    if object.is_namespaced() {
        let namespace = object
            .metadata_mut()
            .namespace
            .get_or_insert_with(|| "default".to_string());
        if store.namespace(namespace).is_none() {
            return Err(ApiError {
                reason: "NotFound",
                message: format!("namespaces \"{namespace}\" not found"),
            });
        }
    }
    let last_applied = last_applied_of(&object);
    let action = match store.get(&object) {
        None => {
            object
                .metadata_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(LAST_APPLIED.to_string(), last_applied);
            insert_new(store, object, now, ids);
            ApplyAction::Created
        }
        Some(stored) => {
            let previous: Option<Value> = stored
                .metadata()
                .annotations
                .as_ref()
                .and_then(|a| a.get(LAST_APPLIED))
                .and_then(|json| serde_json::from_str(json).ok());
            let mut merged = stored.to_json();
            three_way_merge(&mut merged, previous.as_ref(), &object.to_json());
            let mut updated = Object::from_json(object.kind(), merged).map_err(|e| ApiError {
                reason: "BadRequest",
                message: e.to_string(),
            })?;
            updated
                .metadata_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(LAST_APPLIED.to_string(), last_applied);
            prepare_update(&mut updated, &stored);
            if updated == stored {
                ApplyAction::Unchanged
            } else {
                store.put(updated);
                ApplyAction::Configured
            }
        }
    };
    Ok(Applied {
        resource,
        name,
        action,
    })
}

/// Creates an object whose name the server completes from `generateName`, as
/// controllers create pods. Returns the name given.
pub fn create_generated(store: &mut Store, mut pod: Pod, now: &Time, ids: &mut Ids) -> String {
    let prefix = pod.metadata.generate_name.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = loop {
        let candidate = ids.generate_name(&prefix);
        if store.pod(&(namespace.clone(), candidate.clone())).is_none() {
            break candidate;
        }
    };
    pod.metadata.name = Some(name.clone());
    admit_new(&mut pod.metadata, now, ids);
    store.put_pod(pod);
    name
}
