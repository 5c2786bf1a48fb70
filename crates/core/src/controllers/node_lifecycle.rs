//! The node lifecycle controller (and taint-nodes-by-condition): a node whose
//! kubelet stops reporting turns `Ready=Unknown` after the grace period and gets
//! the `unreachable` taints; a cordoned node gets the `unschedulable` taint.

use std::collections::BTreeSet;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, NodeCondition, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::events::{record, reference, Reporter};
use super::kubelet::{node_condition, Kubelets};
use super::{later, Ctx, Cursor};
use crate::api::store::{Store, WatchEventType};
use crate::api::Kind;
use crate::scheduling::taints::{NO_EXECUTE, NO_SCHEDULE};

/// `node-monitor-grace-period` (50 s from v1.32).
pub const NODE_MONITOR_GRACE: Duration = Duration::from_secs(50);
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

fn taint(key: &str, effect: &str, now: Option<&Time>) -> Taint {
    Taint {
        key: key.to_string(),
        effect: effect.to_string(),
        time_added: now.cloned(),
        value: None,
    }
}

fn has_taint(node: &Node, key: &str, effect: &str) -> bool {
    node.spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .any(|t| t.key == key && t.effect == effect)
}

fn set_taint(node: &mut Node, wanted: bool, new: Taint) {
    let taints = node
        .spec
        .get_or_insert_with(Default::default)
        .taints
        .get_or_insert_with(Vec::new);
    let present = taints
        .iter()
        .any(|t| t.key == new.key && t.effect == new.effect);
    if wanted && !present {
        taints.push(new);
    } else if !wanted && present {
        taints.retain(|t| !(t.key == new.key && t.effect == new.effect));
    }
    if taints.is_empty() {
        if let Some(spec) = node.spec.as_mut() {
            spec.taints = None;
        }
    }
}

fn ready_status(node: &Node) -> Option<String> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone())
}

/// Every condition Unknown, as the controller writes them for a silent kubelet.
fn unknown_conditions(node: &Node, now: &Time) -> Vec<NodeCondition> {
    node.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| NodeCondition {
            status: "Unknown".to_string(),
            reason: Some("NodeStatusUnknown".to_string()),
            message: Some("Kubelet stopped posting node status.".to_string()),
            last_transition_time: Some(now.clone()),
            ..c.clone()
        })
        .collect()
}

/// One pass over the nodes that changed, whose kubelet stopped or started
/// (`poked`), or whose kubelet is down (they have a deadline).
pub fn reconcile(
    store: &mut Store,
    state: &mut NodeLifecycleState,
    kubelets: &Kubelets,
    poked: &BTreeSet<String>,
    ctx: &mut Ctx,
) -> bool {
    let mut changed = false;
    let now = ctx.now.clone();
    let mut names: BTreeSet<String> = poked.clone();
    names.extend(kubelets.down_nodes().map(str::to_string));
    names.extend(
        state
            .cursor
            .unread(store)
            .iter()
            .filter(|e| e.kind == Kind::Node && e.type_ != WatchEventType::Deleted)
            .map(|e| e.key.1.clone()),
    );
    for name in names {
        let Some(node) = store.node(&name).filter(|n| n.status.is_some()).cloned() else {
            continue;
        };
        let mut updated = node.clone();
        let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
        set_taint(
            &mut updated,
            cordoned,
            taint(UNSCHEDULABLE, NO_SCHEDULE, None),
        );
        let unreachable = match kubelets.down_since(&name) {
            Some(since) => {
                let deadline = later(since, NODE_MONITOR_GRACE);
                if deadline > ctx.now() {
                    ctx.wake_at(deadline);
                }
                deadline <= ctx.now()
            }
            None => false,
        };
        let was_ready = ready_status(&node).as_deref() == Some("True");
        if unreachable && ready_status(&node).as_deref() != Some("Unknown") {
            if let Some(status) = updated.status.as_mut() {
                status.conditions = Some(unknown_conditions(&node, &now));
            }
            record(
                store,
                ctx,
                reference(Kind::Node, &node.metadata),
                "Normal",
                "NodeNotReady",
                format!("Node {name} status is now: NodeNotReady"),
                Reporter::component("node-controller"),
            );
            mark_pods_not_ready(store, &name, &now);
        }
        if !unreachable && kubelets.down_since(&name).is_none() && !was_ready {
            // The kubelet reports again.
            if let Some(status) = updated.status.as_mut() {
                let conditions = status.conditions.get_or_insert_with(Vec::new);
                conditions.retain(|c| {
                    !matches!(
                        c.type_.as_str(),
                        "MemoryPressure" | "DiskPressure" | "PIDPressure" | "Ready"
                    )
                });
                conditions.extend([
                    node_condition(
                        "MemoryPressure",
                        "False",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                        &now,
                    ),
                    node_condition(
                        "DiskPressure",
                        "False",
                        "KubeletHasNoDiskPressure",
                        "kubelet has no disk pressure",
                        &now,
                    ),
                    node_condition(
                        "PIDPressure",
                        "False",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                        &now,
                    ),
                    node_condition(
                        "Ready",
                        "True",
                        "KubeletReady",
                        "kubelet is posting ready status",
                        &now,
                    ),
                ]);
            }
            record(
                store,
                ctx,
                reference(Kind::Node, &node.metadata),
                "Normal",
                "NodeReady",
                format!("Node {name} status is now: NodeReady"),
                Reporter {
                    component: "kubelet",
                    host: Some(&name),
                },
            );
        }
        let keep_unreachable =
            unreachable || (has_taint(&node, UNREACHABLE, NO_EXECUTE) && kubelets.is_down(&name));
        set_taint(
            &mut updated,
            keep_unreachable,
            taint(UNREACHABLE, NO_SCHEDULE, None),
        );
        set_taint(
            &mut updated,
            keep_unreachable,
            taint(UNREACHABLE, NO_EXECUTE, Some(&now)),
        );
        if updated != node {
            store.put_node(updated);
            changed = true;
        }
    }
    // What this pass wrote needs no second look.
    state.cursor.catch_up(store);
    changed
}

#[derive(Clone, Debug, Default)]
pub struct NodeLifecycleState {
    cursor: Cursor,
}

impl NodeLifecycleState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// `MarkPodsNotReady`: the pods of an unreachable node are no longer Ready.
fn mark_pods_not_ready(store: &mut Store, node: &str, now: &Time) {
    let pods: Vec<_> = store.pods_on_node(node).cloned().collect();
    for mut pod in pods {
        let Some(conditions) = pod.status.as_mut().and_then(|s| s.conditions.as_mut()) else {
            continue;
        };
        let mut touched = false;
        for c in conditions
            .iter_mut()
            .filter(|c| c.type_ == "Ready" && c.status != "False")
        {
            c.status = "False".to_string();
            c.last_transition_time = Some(now.clone());
            touched = true;
        }
        if touched {
            store.put_pod(pod);
        }
    }
}
