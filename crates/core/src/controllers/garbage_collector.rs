//! The garbage collector and the namespace controller: objects whose owner is
//! gone are deleted, and so is everything in a namespace that is gone.

use std::collections::BTreeSet;

use crate::api::store::Store;
use crate::api::Kind;

/// Deletes every object whose owner references all point at objects that no
/// longer exist, and every namespaced object whose namespace no longer exists.
/// Pods are deleted gracefully, as the garbage collector's deletes are.
pub fn collect(
    store: &mut Store,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) -> bool {
    let live_uids: BTreeSet<String> = Kind::ALL
        .iter()
        .flat_map(|k| store.list(*k))
        .filter_map(|o| o.metadata().uid.clone())
        .collect();
    let garbage: Vec<(Kind, String, String)> = Kind::ALL
        .iter()
        .flat_map(|k| store.list(*k))
        .filter(|o| o.metadata().deletion_timestamp.is_none())
        .filter(|o| {
            let owners = o.metadata().owner_references.as_deref().unwrap_or_default();
            let orphaned = !owners.is_empty() && owners.iter().all(|r| !live_uids.contains(&r.uid));
            let namespace_gone = o.kind().namespaced() && store.namespace(o.namespace()).is_none();
            orphaned || namespace_gone
        })
        .map(|o| (o.kind(), o.namespace().to_string(), o.name().to_string()))
        .collect();
    for (kind, namespace, name) in &garbage {
        if *kind == Kind::Pod {
            let key = (namespace.clone(), name.clone());
            let _ = crate::api::server::delete_pod(store, &key, None, now);
        } else {
            store.remove(*kind, namespace, name);
        }
    }
    !garbage.is_empty()
}

/// How long a pod may stay bound to a node that no longer exists (PodGC's quarantine).
const POD_GC_QUARANTINE: std::time::Duration = std::time::Duration::from_secs(40);

/// PodGC: pods bound to a deleted node are force-deleted once the node has been
/// gone for the quarantine. `missing` remembers since when each node is gone.
pub fn collect_orphan_pods(
    store: &mut Store,
    missing: &mut std::collections::BTreeMap<String, k8s_openapi::jiff::Timestamp>,
    ctx: &mut super::Ctx,
) -> bool {
    let bound_to_missing: Vec<(crate::api::store::Key, String)> = store
        .pods()
        .filter_map(|p| {
            let node = super::pod_node_name(p)?;
            store
                .node(node)
                .is_none()
                .then(|| (crate::api::store::key_of(&p.metadata), node.to_string()))
        })
        .collect();
    let nodes: BTreeSet<&String> = bound_to_missing.iter().map(|(_, n)| n).collect();
    missing.retain(|n, _| nodes.contains(n));
    let mut changed = false;
    for (key, node) in &bound_to_missing {
        let since = *missing.entry(node.clone()).or_insert(ctx.now());
        let due = super::later(since, POD_GC_QUARANTINE);
        if due <= ctx.now() {
            changed |= store.remove_pod(key).is_some();
        } else {
            ctx.wake_at(due);
        }
    }
    changed
}
