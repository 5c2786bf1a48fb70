//! The garbage collector and the namespace controller: objects whose owner is
//! gone are deleted, and so is everything in a namespace that is gone. PodGC
//! removes pods left on a deleted node, and Events expire an hour after they
//! were last written, as the API server's `--event-ttl` (1h) makes etcd do.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use k8s_openapi::jiff::Timestamp;

use super::{later, pod_node_name, Ctx, Cursor};
use crate::api::server::delete_pod;
use crate::api::store::{key_of, Key, Store, WatchEventType};
use crate::api::{Kind, Object};

/// The API server's `--event-ttl`: an Event lives this long after its last write.
const EVENT_TTL: Duration = Duration::from_secs(3600);

/// How long a pod may stay bound to a node that no longer exists (PodGC's quarantine).
const POD_GC_QUARANTINE: Duration = Duration::from_secs(40);

#[derive(Clone, Debug, Default)]
pub struct GarbageCollectorState {
    cursor: Cursor,
    /// Nodes that disappeared while pods were still bound to them, and since when.
    gone_nodes: BTreeMap<String, Timestamp>,
    /// Event writes in the order they happened, with when each makes its
    /// Event expire. The TTL is the same for all and time only moves forward,
    /// so the front is always the next to expire; an entry whose Event was
    /// written again since is stale and skipped.
    event_expiry: VecDeque<(Timestamp, Key, u64)>,
}

impl GarbageCollectorState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// Does the object an owner reference names still exist, with that uid?
fn owner_exists(store: &Store, namespace: &str, owner: &OwnerReference) -> bool {
    let Some(kind) = store.lookup_kind(&owner.api_version, &owner.kind) else {
        return false;
    };
    let namespace = if kind.namespaced() { namespace } else { "" };
    store
        .get(kind, namespace, &owner.name)
        .is_some_and(|o| o.metadata().uid.as_deref() == Some(owner.uid.as_str()))
}

/// Is `object` garbage: every owner gone, or its namespace gone?
fn is_garbage(store: &Store, object: &Object) -> bool {
    if object.metadata().deletion_timestamp.is_some() {
        return false;
    }
    let owners = object
        .metadata()
        .owner_references
        .as_deref()
        .unwrap_or_default();
    let orphaned = !owners.is_empty()
        && owners
            .iter()
            .all(|r| !owner_exists(store, object.namespace(), r));
    let namespace_gone =
        object.kind().namespaced() && store.namespace(object.namespace()).is_none();
    orphaned || namespace_gone
}

/// Deletes the objects that became garbage since the last pass: dependents of
/// deleted objects, objects of deleted namespaces, and objects written with
/// owners that no longer exist. Pods are deleted gracefully, as the garbage
/// collector's deletes are. Pods bound to a node that is gone are removed
/// after the quarantine.
pub fn collect(store: &mut Store, state: &mut GarbageCollectorState, ctx: &mut Ctx) -> bool {
    let mut candidates: BTreeSet<(Kind, Key)> = BTreeSet::new();
    for event in state.cursor.unread(store) {
        match event.type_ {
            WatchEventType::Deleted => {
                if let Some(uid) = event.deleted.as_ref().and_then(|d| d.uid.as_ref()) {
                    candidates.extend(
                        store
                            .dependents_of(uid)
                            .map(|o| (o.kind(), key_of(o.metadata()))),
                    );
                }
                match event.kind {
                    Kind::Namespace => {
                        for kind in store.kinds().filter(|k| k.namespaced()).collect::<Vec<_>>() {
                            candidates.extend(
                                store
                                    .list_namespace(kind, &event.key.1)
                                    .map(|o| (kind, key_of(o.metadata()))),
                            );
                        }
                    }
                    Kind::Node if store.node_has_pods(&event.key.1) => {
                        state
                            .gone_nodes
                            .entry(event.key.1.clone())
                            .or_insert(ctx.now());
                    }
                    _ => {}
                }
            }
            WatchEventType::Added | WatchEventType::Modified if event.kind == Kind::Event => {
                state.event_expiry.push_back((
                    later(ctx.now(), EVENT_TTL),
                    event.key.clone(),
                    event.resource_version,
                ));
            }
            WatchEventType::Added | WatchEventType::Modified => {
                candidates.insert((event.kind, event.key.clone()));
                if event.kind == Kind::Pod {
                    let node = store
                        .pod(&event.key)
                        .and_then(pod_node_name)
                        .filter(|n| store.node(n).is_none());
                    if let Some(node) = node {
                        state
                            .gone_nodes
                            .entry(node.to_string())
                            .or_insert(ctx.now());
                    }
                }
            }
        }
    }
    // Deleting garbage may make more: this pass's own deletes are read next pass.
    state.cursor.catch_up(store);
    let garbage: Vec<(Kind, Key)> = candidates
        .into_iter()
        .filter(|(kind, key)| {
            store
                .get(*kind, &key.0, &key.1)
                .is_some_and(|o| is_garbage(store, o))
        })
        .collect();
    let changed = !garbage.is_empty();
    for (kind, key) in &garbage {
        if *kind == Kind::Pod {
            let _ = delete_pod(store, key, None, &ctx.now);
        } else {
            store.remove(*kind, &key.0, &key.1);
        }
    }
    let expired = expire_events(store, &mut state.event_expiry, ctx);
    changed | expired | collect_orphan_pods(store, &mut state.gone_nodes, ctx)
}

/// Removes the Events whose last write is an hour old.
fn expire_events(
    store: &mut Store,
    queue: &mut VecDeque<(Timestamp, Key, u64)>,
    ctx: &mut Ctx,
) -> bool {
    let mut changed = false;
    while let Some((expires, key, version)) = queue.front() {
        if *expires > ctx.now() {
            // Expiry is not work under way: a settled cluster does not wait for it.
            ctx.retry_at(*expires);
            break;
        }
        let current = store
            .get(Kind::Event, &key.0, &key.1)
            .and_then(|e| e.metadata().resource_version.as_deref())
            .is_some_and(|v| v.parse() == Ok(*version));
        if current {
            store.remove(Kind::Event, &key.0, &key.1);
            changed = true;
        }
        queue.pop_front();
    }
    changed
}

/// PodGC: pods bound to a deleted node are force-deleted once the node has been
/// gone for the quarantine. `gone` remembers since when each node is gone.
fn collect_orphan_pods(
    store: &mut Store,
    gone: &mut BTreeMap<String, Timestamp>,
    ctx: &mut Ctx,
) -> bool {
    gone.retain(|node, _| store.node(node).is_none() && store.node_has_pods(node));
    let mut changed = false;
    for (node, since) in gone.iter() {
        let due = later(*since, POD_GC_QUARANTINE);
        if due > ctx.now() {
            ctx.wake_at(due);
            continue;
        }
        let pods: Vec<Key> = store
            .pods_on_node(node)
            .map(|p| key_of(&p.metadata))
            .collect();
        for key in pods {
            changed |= store.remove_pod(&key).is_some();
        }
    }
    changed
}
