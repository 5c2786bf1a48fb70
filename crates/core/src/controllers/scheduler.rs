//! The default scheduler: binds pending pods to a node that passes every filter,
//! or records why none does in the real `FailedScheduling` wording.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus, Taint};

use super::{pod_node_name, Ctx};
use crate::api::store::{key_of, Store};
use crate::scheduling::node_affinity::{required_affinity_matches, required_node_selector};
use crate::scheduling::taints::{first_untolerated, NO_EXECUTE, NO_SCHEDULE};

pub const DEFAULT_SCHEDULER: &str = "default-scheduler";
const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// The names a `matchFields metadata.name In` pre-filter narrows the pod to, when
/// every required term has one (as the DaemonSet controller's injected term does).
fn prefiltered_names(pod: &Pod) -> Option<Vec<String>> {
    let terms = &required_node_selector(pod.spec.as_ref()?)?.node_selector_terms;
    let mut names = Vec::new();
    for term in terms {
        let req = term
            .match_fields
            .iter()
            .flatten()
            .find(|r| r.key == "metadata.name" && r.operator == "In")?;
        names.extend(req.values.iter().flatten().cloned());
    }
    (!terms.is_empty()).then_some(names)
}

/// Why the first failing filter rejects `node`, in the scheduler's words.
fn filter(pod: &Pod, node: &Node) -> Option<String> {
    let spec = pod.spec.clone().unwrap_or_default();
    let node_spec = node.spec.clone().unwrap_or_default();
    let tolerations = spec.tolerations.as_deref().unwrap_or_default();
    if node_spec.unschedulable == Some(true) {
        let unschedulable = Taint {
            key: UNSCHEDULABLE_TAINT.to_string(),
            effect: NO_SCHEDULE.to_string(),
            ..Default::default()
        };
        if first_untolerated(
            std::slice::from_ref(&unschedulable),
            tolerations,
            &[NO_SCHEDULE],
        )
        .is_some()
        {
            return Some("node(s) were unschedulable".to_string());
        }
    }
    if let Some(wanted) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        if Some(wanted) != node.metadata.name.as_deref() {
            return Some("node(s) didn't match the requested node name".to_string());
        }
    }
    let taints = node_spec.taints.as_deref().unwrap_or_default();
    if let Some(taint) = first_untolerated(taints, tolerations, &[NO_SCHEDULE, NO_EXECUTE]) {
        return Some(format!(
            "node(s) had untolerated taint {{{}: {}}}",
            taint.key,
            taint.value.as_deref().unwrap_or("")
        ));
    }
    if required_affinity_matches(&spec, node).is_err() {
        return Some("node(s) didn't match Pod's node affinity/selector".to_string());
    }
    None
}

/// `0/3 nodes are available: 1 ..., 2 ....` — reasons counted, sorted as strings.
fn failure_message(total: usize, reasons: &BTreeMap<String, usize>) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    format!("0/{total} nodes are available: {}.", parts.join(", "))
}

fn set_condition(pod: &mut Pod, condition: PodCondition) {
    let status = pod.status.get_or_insert_with(PodStatus::default);
    if status.phase.is_none() {
        status.phase = Some("Pending".to_string());
    }
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != condition.type_);
    conditions.push(condition);
}

/// One scheduling pass over every pending pod this scheduler owns.
pub fn schedule(store: &mut Store, ctx: &mut Ctx) -> bool {
    let nodes: Vec<Node> = store.nodes().cloned().collect();
    let pending: Vec<Pod> = store
        .pods()
        .filter(|p| pod_node_name(p).is_none() && p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            let name = p.spec.as_ref().and_then(|s| s.scheduler_name.as_deref());
            name.is_none_or(|n| n == DEFAULT_SCHEDULER)
        })
        .cloned()
        .collect();
    let mut changed = false;
    for mut pod in pending {
        let allowed = prefiltered_names(&pod);
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut chosen = None;
        for node in &nodes {
            let name = node.metadata.name.clone().unwrap_or_default();
            let reason = match &allowed {
                Some(names) if !names.contains(&name) => {
                    Some("node(s) didn't satisfy plugin(s) [NodeAffinity]".to_string())
                }
                _ => filter(&pod, node),
            };
            match reason {
                Some(reason) => *reasons.entry(reason).or_default() += 1,
                None => {
                    chosen = Some(name);
                    break;
                }
            }
        }
        let condition = match &chosen {
            Some(node) => {
                pod.spec.get_or_insert_with(Default::default).node_name = Some(node.clone());
                PodCondition {
                    type_: "PodScheduled".to_string(),
                    status: "True".to_string(),
                    last_transition_time: Some(ctx.now.clone()),
                    ..Default::default()
                }
            }
            None => PodCondition {
                type_: "PodScheduled".to_string(),
                status: "False".to_string(),
                reason: Some("Unschedulable".to_string()),
                message: Some(failure_message(nodes.len(), &reasons)),
                last_transition_time: Some(ctx.now.clone()),
                ..Default::default()
            },
        };
        let before = store.pod(&key_of(&pod.metadata)).cloned();
        let unchanged_failure = chosen.is_none()
            && before
                .as_ref()
                .and_then(|p| super::pod_condition(p, "PodScheduled"))
                .is_some_and(|c| c.status == "False" && c.message == condition.message);
        if unchanged_failure {
            continue;
        }
        set_condition(&mut pod, condition);
        store.put_pod(pod);
        changed = true;
    }
    changed
}
