//! What the API server does with a written object: metadata it owns (uid,
//! creationTimestamp, generation), namespace checks, and `kubectl apply`'s
//! created / configured / unchanged.

use std::fmt;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::ids::Ids;
use super::store::{key_of, Store};
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

/// Metadata the server sets on create.
fn admit_new(meta: &mut ObjectMeta, now: &Time, ids: &mut Ids) {
    meta.uid = Some(ids.uid());
    meta.creation_timestamp = Some(now.clone());
}

/// Copies what the user wrote (labels, annotations) over the stored metadata,
/// keeping what the server owns.
fn merge_user_meta(stored: &ObjectMeta, user: ObjectMeta) -> ObjectMeta {
    let mut annotations = user.annotations.unwrap_or_default();
    if let Some(generation) = stored
        .annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
    {
        annotations.insert(
            TEMPLATE_GENERATION_ANNOTATION.to_string(),
            generation.clone(),
        );
    }
    ObjectMeta {
        labels: user.labels,
        annotations: (!annotations.is_empty()).then_some(annotations),
        ..stored.clone()
    }
}

/// Creates or updates `object` the way `kubectl apply` does.
pub fn apply(
    store: &mut Store,
    object: Object,
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
    let mut object = object;
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
    let action = match object {
        Object::Namespace(mut ns) => match store.namespace(&name) {
            Some(stored) => {
                let mut updated = stored.clone();
                updated.metadata = merge_user_meta(&stored.metadata, ns.metadata);
                write_if_changed(stored == &updated, || store.put_namespace(updated))
            }
            None => {
                admit_new(&mut ns.metadata, now, ids);
                ns.status = Some(k8s_openapi::api::core::v1::NamespaceStatus {
                    phase: Some("Active".to_string()),
                    ..Default::default()
                });
                store.put_namespace(ns);
                ApplyAction::Created
            }
        },
        Object::Node(mut node) => match store.node(&name) {
            Some(stored) => {
                let mut updated = stored.clone();
                updated.metadata = merge_user_meta(&stored.metadata, node.metadata);
                updated.spec = node.spec;
                write_if_changed(stored == &updated, || store.put_node(updated))
            }
            None => {
                admit_new(&mut node.metadata, now, ids);
                store.put_node(node);
                ApplyAction::Created
            }
        },
        Object::DaemonSet(mut ds) => match store.daemonset(&key_of(&ds.metadata)) {
            Some(stored) => {
                let mut updated = stored.clone();
                updated.metadata = merge_user_meta(&stored.metadata, ds.metadata);
                let old_spec = stored.spec.clone().unwrap_or_default();
                let new_spec = ds.spec.unwrap_or_default();
                if old_spec.template != new_spec.template {
                    let generation = stored
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
                        .and_then(|g| g.parse::<i64>().ok())
                        .unwrap_or(0);
                    updated
                        .metadata
                        .annotations
                        .get_or_insert_with(Default::default)
                        .insert(
                            TEMPLATE_GENERATION_ANNOTATION.to_string(),
                            (generation + 1).to_string(),
                        );
                }
                if old_spec != new_spec {
                    updated.metadata.generation = Some(stored.metadata.generation.unwrap_or(0) + 1);
                }
                updated.spec = Some(new_spec);
                write_if_changed(stored == &updated, || store.put_daemonset(updated))
            }
            None => {
                admit_new(&mut ds.metadata, now, ids);
                ds.metadata.generation = Some(1);
                ds.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(TEMPLATE_GENERATION_ANNOTATION.to_string(), "1".to_string());
                ds.status = None;
                store.put_daemonset(ds);
                ApplyAction::Created
            }
        },
        Object::Pod(mut pod) => match store.pod(&key_of(&pod.metadata)) {
            Some(stored) => {
                let mut updated = stored.clone();
                updated.metadata = merge_user_meta(&stored.metadata, pod.metadata);
                write_if_changed(stored == &updated, || store.put_pod(updated))
            }
            None => {
                admit_new(&mut pod.metadata, now, ids);
                pod.status = None;
                store.put_pod(pod);
                ApplyAction::Created
            }
        },
        Object::PriorityClass(mut class) => match store.priority_class(&name) {
            Some(stored) => {
                let mut updated = stored.clone();
                updated.metadata = merge_user_meta(&stored.metadata, class.metadata.clone());
                updated.description = class.description;
                write_if_changed(stored == &updated, || store.put_priority_class(updated))
            }
            None => {
                admit_new(&mut class.metadata, now, ids);
                store.put_priority_class(class);
                ApplyAction::Created
            }
        },
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

fn write_if_changed(unchanged: bool, write: impl FnOnce()) -> ApplyAction {
    if unchanged {
        ApplyAction::Unchanged
    } else {
        write();
        ApplyAction::Configured
    }
}
