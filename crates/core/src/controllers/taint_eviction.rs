//! The taint eviction manager: pods on a node with `NoExecute` taints they do not
//! tolerate are deleted at once; those that tolerate them for `tolerationSeconds`
//! are deleted when that time is up.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition, Taint};
use k8s_openapi::jiff::Timestamp;

use super::events::{record, reference, Reporter};
use super::{later, pod_node_name, Ctx};
use crate::api::server::delete_pod;
use crate::api::store::{key_of, Store};
use crate::api::Kind;
use crate::scheduling::taints::{tolerates, NO_EXECUTE};

/// When the manager first saw each pod (by uid) under NoExecute taints it
/// tolerates for a while: `tolerationSeconds` count from then.
#[derive(Clone, Debug, Default)]
pub struct TaintEvictionState {
    since: BTreeMap<String, Timestamp>,
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

pub fn reconcile(store: &mut Store, state: &mut TaintEvictionState, ctx: &mut Ctx) -> bool {
    let mut seen = BTreeMap::new();
    // Decide on borrowed pods first; only the ones to evict are copied.
    let mut due: Vec<Pod> = Vec::new();
    for pod in store
        .pods()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        let Some(node) = pod_node_name(pod).and_then(|n| store.node(n)) else {
            continue;
        };
        let taints: Vec<&Taint> = node
            .spec
            .iter()
            .flat_map(|s| s.taints.iter().flatten())
            .filter(|t| t.effect == NO_EXECUTE)
            .collect();
        if taints.is_empty() {
            continue;
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let since = state.since.get(&uid).copied().unwrap_or(ctx.now());
        seen.insert(uid, since);
        let at = eviction_time(pod, &taints, since).unwrap_or(ctx.now());
        if at > ctx.now() {
            if at != Timestamp::MAX {
                ctx.wake_at(at);
            }
            continue;
        }
        due.push(pod.clone());
    }
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
    // Pods no longer under tolerated NoExecute taints start afresh next time.
    state.since = seen;
    changed
}
