//! The taint eviction manager: pods on a node with `NoExecute` taints they do not
//! tolerate are deleted at once; those that tolerate them for `tolerationSeconds`
//! are deleted when that time is up.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition, Taint};
use k8s_openapi::jiff::Timestamp;

use super::events::{record, reference, Reporter};
use super::{later, pod_node_name, Ctx, Cursor, Timers};
use crate::api::server::delete_pod;
use crate::api::store::{key_of, Key, Store};
use crate::api::Kind;
use crate::scheduling::taints::{tolerates, NO_EXECUTE};

/// When the manager first saw each pod (by key, with its uid) under NoExecute
/// taints it tolerates for a while: `tolerationSeconds` count from then.
#[derive(Clone, Debug, Default)]
pub struct TaintEvictionState {
    since: BTreeMap<Key, (String, Timestamp)>,
    deadlines: Timers<Key>,
    cursor: Cursor,
}

impl TaintEvictionState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// When `pod` must go from a node with these NoExecute `taints`, counting from
/// `since`: now (some taint is not tolerated), later (the shortest
/// `tolerationSeconds` among the tolerations used), or never.
fn eviction_time(pod: &Pod, taints: &[&Taint], since: Timestamp) -> Option<Timestamp> {
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    let mut at: Option<Timestamp> = None;
    for taint in taints {
        let used = tolerations.iter().find(|t| tolerates(t, taint))?;
        if let Some(seconds) = used.toleration_seconds {
            let deadline = later(since, Duration::from_secs(seconds.max(0).unsigned_abs()));
            at = Some(at.map_or(deadline, |a| a.min(deadline)));
        }
    }
    Some(at.unwrap_or(Timestamp::MAX))
}

/// Looks at the pods that changed, the pods of nodes that changed, and those
/// whose `tolerationSeconds` ran out.
pub fn reconcile(store: &mut Store, state: &mut TaintEvictionState, ctx: &mut Ctx) -> bool {
    let mut visit: BTreeSet<Key> = state.deadlines.due(ctx.now()).into_iter().collect();
    for event in state.cursor.unread(store) {
        match event.kind {
            Kind::Pod => {
                visit.insert(event.key.clone());
            }
            Kind::Node => visit.extend(
                store
                    .pods_on_node(&event.key.1)
                    .map(|p| key_of(&p.metadata)),
            ),
            _ => {}
        }
    }
    // Decide on borrowed pods first; only the ones to evict are copied.
    let mut due: Vec<Pod> = Vec::new();
    for key in visit {
        state.deadlines.clear(&key);
        let Some(pod) = store
            .pod(&key)
            .filter(|p| p.metadata.deletion_timestamp.is_none())
        else {
            state.since.remove(&key);
            continue;
        };
        let taints: Vec<&Taint> = pod_node_name(pod)
            .and_then(|n| store.node(n))
            .into_iter()
            .flat_map(|node| node.spec.iter().flat_map(|s| s.taints.iter().flatten()))
            .filter(|t| t.effect == NO_EXECUTE)
            .collect();
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if taints.is_empty() {
            // No longer under NoExecute taints: it starts afresh next time.
            state.since.remove(&key);
            continue;
        }
        let since = match state.since.get(&key) {
            Some((seen, since)) if *seen == uid => *since,
            _ => ctx.now(),
        };
        state.since.insert(key.clone(), (uid, since));
        let at = eviction_time(pod, &taints, since).unwrap_or(ctx.now());
        if at > ctx.now() {
            if at != Timestamp::MAX {
                state.deadlines.set(&key, Some(at), None);
            }
            continue;
        }
        due.push(pod.clone());
    }
    state.deadlines.report(ctx);
    let changed = !due.is_empty();
    for pod in due {
        let name = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or("")
        );
        record(
            store,
            ctx,
            reference(Kind::Pod, &pod.metadata),
            "Normal",
            "TaintManagerEviction",
            format!("Marking for deletion Pod {name}"),
            Reporter::component("taint-eviction-controller"),
        );
        let key = key_of(&pod.metadata);
        let mut marked = pod;
        let status = marked.status.get_or_insert_with(Default::default);
        status
            .conditions
            .get_or_insert_with(Vec::new)
            .push(PodCondition {
                type_: "DisruptionTarget".to_string(),
                status: "True".to_string(),
                reason: Some("DeletionByTaintManager".to_string()),
                message: Some("Taint manager: deleting due to NoExecute taint".to_string()),
                last_transition_time: Some(ctx.now.clone()),
                ..Default::default()
            });
        store.put_pod(marked);
        let now = ctx.now.clone();
        let _ = delete_pod(store, &key, None, &now);
    }
    state.cursor.catch_up(store);
    changed
}
