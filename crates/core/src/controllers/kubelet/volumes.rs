//! What the kubelet's volume manager waits for before a pod's sandbox is made:
//! every ConfigMap and Secret its volumes name (directly or through a
//! projected volume) must exist, with the keys its `items` ask for, unless the
//! source is `optional`. Until then the pod stays in ContainerCreating and the
//! kubelet records `FailedMount` with `MountVolume.SetUp`'s words.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, KeyToPath, Pod, Secret};

use crate::api::store::Store;
use crate::api::{Kind, Served};

/// The keys a ConfigMap or Secret holds, if it exists.
fn keys(store: &Store, kind: Kind, namespace: &str, name: &str) -> Option<Vec<String>> {
    fn names<V>(map: Option<&BTreeMap<String, V>>) -> impl Iterator<Item = String> + '_ {
        map.into_iter().flat_map(|m| m.keys().cloned())
    }
    let object = store.get(kind, namespace, name)?;
    Some(match kind {
        Kind::ConfigMap => {
            let cm = ConfigMap::of(object)?;
            names(cm.data.as_ref())
                .chain(names(cm.binary_data.as_ref()))
                .collect()
        }
        _ => names(Secret::of(object)?.data.as_ref()).collect(),
    })
}

/// Why one source cannot be mounted: `configmap "x" not found`, or a key its
/// items name that it does not have.
fn source_problem(
    store: &Store,
    namespace: &str,
    kind: Kind,
    name: &str,
    items: Option<&[KeyToPath]>,
    optional: Option<bool>,
) -> Option<String> {
    if optional == Some(true) {
        return None;
    }
    let word = if kind == Kind::ConfigMap {
        "configmap"
    } else {
        "secret"
    };
    let Some(present) = keys(store, kind, namespace, name) else {
        return Some(format!("{word} {name:?} not found"));
    };
    items
        .into_iter()
        .flatten()
        .find(|item| !present.contains(&item.key))
        .map(|item| format!("{word} references non-existent config key: {}", item.key))
}

/// `MountVolume.SetUp failed for volume "config" : configmap "x" not found`,
/// one per volume that cannot be mounted yet, in the pod's volume order.
pub fn unmountable(store: &Store, pod: &Pod) -> Vec<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let mut problems = Vec::new();
    for volume in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let problem = if let Some(cm) = &volume.config_map {
            source_problem(
                store,
                namespace,
                Kind::ConfigMap,
                &cm.name,
                cm.items.as_deref(),
                cm.optional,
            )
        } else if let Some(secret) = &volume.secret {
            let name = secret.secret_name.as_deref().unwrap_or("");
            source_problem(
                store,
                namespace,
                Kind::Secret,
                name,
                secret.items.as_deref(),
                secret.optional,
            )
        } else if let Some(projected) = &volume.projected {
            projected.sources.iter().flatten().find_map(|source| {
                if let Some(cm) = &source.config_map {
                    source_problem(
                        store,
                        namespace,
                        Kind::ConfigMap,
                        &cm.name,
                        cm.items.as_deref(),
                        cm.optional,
                    )
                } else if let Some(secret) = &source.secret {
                    source_problem(
                        store,
                        namespace,
                        Kind::Secret,
                        &secret.name,
                        secret.items.as_deref(),
                        secret.optional,
                    )
                } else {
                    None
                }
            })
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(format!(
                "MountVolume.SetUp failed for volume {:?} : {problem}",
                volume.name
            ));
        }
    }
    problems
}
