//! The live objects a manifest text names, written back as manifests: what
//! `kubectl get -o yaml` prints for each, without the fields the server sets
//! (uid, resourceVersion, creationTimestamp, generation, managedFields, the
//! last-applied and revision annotations, status). The playground offers it
//! when the cluster has moved away from the editor's text.

use daemonlab_core::api::decode::{kind_of, manifests};
use daemonlab_core::sim::Cluster;
use serde_json::Value;

use crate::yaml::to_yaml;

/// Annotations the server or kubectl write, not the user.
const SERVER_ANNOTATIONS: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    "deprecated.daemonset.template.generation",
    "deployment.kubernetes.io/revision",
];
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
];

/// An object as a manifest again.
pub fn clean(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in SERVER_METADATA {
            meta.remove(*key);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            for key in SERVER_ANNOTATIONS {
                annotations.remove(*key);
            }
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    object
}

/// The objects `text` names, as they are in the cluster now, in its order;
/// documents that do not parse, name no served kind or no existing object
/// are left out. `None` when the text is not YAML.
pub fn live_manifests(cluster: &Cluster, text: &str) -> Option<String> {
    let (documents, error) = manifests(text);
    if error.is_some() {
        return None;
    }
    let store = cluster.store();
    let objects: Vec<String> = documents
        .iter()
        .filter_map(|manifest| {
            let kind = kind_of(manifest, store).ok()?;
            let namespace = match kind.namespaced() {
                true if manifest.namespace().is_empty() => "default",
                true => manifest.namespace(),
                false => "",
            };
            let object = store.get(kind, namespace, manifest.name())?;
            Some(to_yaml(&clean(object.to_json())))
        })
        .collect();
    Some(objects.join("---\n"))
}

/// Whether a command line only reads (get, describe, explain…): one that
/// cannot have moved the cluster away from the editor's text.
pub fn only_reads(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["kubectl", "rollout", "status" | "history", ..] => true,
        ["kubectl", verb, ..] => {
            matches!(
                *verb,
                "get" | "describe" | "explain" | "api-resources" | "version" | "help" | "events"
            ) || line.contains("--dry-run")
        }
        ["sim", "advance" | "settle", ..] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes() {
        assert!(only_reads("kubectl get pods -A"));
        assert!(only_reads("kubectl rollout status ds/agent"));
        assert!(!only_reads("kubectl set image ds/agent agent=busybox:1.37"));
        assert!(!only_reads("kubectl label node worker-1 disk=ssd"));
        assert!(!only_reads("sim node down worker-1"));
    }
}
