//! Plain data for drawing the cluster: what a node card or a pod chip shows.
//! The front end renders this and nothing else, so every rule stays in the core.

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::controllers::daemonset::pod_template::target_node;
use crate::controllers::{is_pod_ready, pod_phase};
use crate::explain::{explain, Explanation};
use crate::scheduling::taints::taint_to_string;
use crate::sim::Cluster;

/// Labels every kubelet puts on its node; shown apart from the user's own.
const KUBELET_LABELS: [&str; 5] = [
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "kubernetes.io/arch",
    "kubernetes.io/hostname",
    "kubernetes.io/os",
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    pub nodes: Vec<NodeCard>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeCard {
    pub name: String,
    /// `kubectl get nodes` ROLES, e.g. `control-plane`, or empty for `<none>`.
    pub roles: Vec<String>,
    /// `kubectl get nodes` STATUS, e.g. `Ready,SchedulingDisabled`.
    pub status: String,
    /// Labels other than the kubelet's well-known ones, as `key=value`.
    pub labels: Vec<String>,
    pub taints: Vec<String>,
    pub pods: Vec<PodChip>,
    /// For each DaemonSet without a running, ready pod here, why.
    pub not_running: Vec<Absence>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    pub name: String,
    pub namespace: String,
    /// The controlling DaemonSet's name, if any.
    pub owner: Option<String>,
    /// What `kubectl get pods` shows in STATUS.
    pub status: String,
    pub ready: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absence {
    pub daemonset: String,
    pub reason: String,
}

/// `kubectl get nodes` STATUS: Ready / NotReady / Unknown, plus SchedulingDisabled.
pub fn node_status(node: &Node) -> String {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let mut status = match ready.map(|c| c.status.as_str()) {
        Some("True") => "Ready",
        Some(_) => "NotReady",
        None => "Unknown",
    }
    .to_string();
    if node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// `kubectl get nodes` ROLES, from `node-role.kubernetes.io/<role>` and `kubernetes.io/role`.
pub fn node_roles(node: &Node) -> Vec<String> {
    let mut roles: Vec<String> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            _ if k == "kubernetes.io/role" && !v.is_empty() => Some(v.clone()),
            _ => None,
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// What `kubectl get pods` prints in STATUS for the cases the simulation produces.
pub fn pod_status(pod: &Pod) -> String {
    if pod.metadata.deletion_timestamp.is_some() {
        return "Terminating".to_string();
    }
    let waiting = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone());
    waiting.unwrap_or_else(|| pod_phase(pod).to_string())
}

fn owner_name(pod: &Pod) -> Option<String> {
    pod.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| r.name.clone())
}

/// Everything the cluster view draws, in node-name order.
pub fn cluster_view(cluster: &Cluster) -> ClusterView {
    let store = cluster.store();
    let nodes = store
        .nodes()
        .map(|node| {
            let name = node.metadata.name.clone().unwrap_or_default();
            let pods: Vec<&Pod> = store
                .pods()
                .filter(|p| target_node(p) == Some(name.as_str()))
                .collect();
            let not_running = store
                .daemonsets()
                .filter_map(|ds| match explain(store, ds, node) {
                    Explanation::Running { .. } => None,
                    why => Some(Absence {
                        daemonset: ds.metadata.name.clone().unwrap_or_default(),
                        reason: why.to_string(),
                    }),
                })
                .collect();
            NodeCard {
                roles: node_roles(node),
                status: node_status(node),
                labels: node
                    .metadata
                    .labels
                    .iter()
                    .flatten()
                    .filter(|(k, _)| !KUBELET_LABELS.contains(&k.as_str()))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect(),
                taints: node
                    .spec
                    .as_ref()
                    .and_then(|s| s.taints.as_ref())
                    .into_iter()
                    .flatten()
                    .map(taint_to_string)
                    .collect(),
                pods: pods
                    .iter()
                    .map(|p| PodChip {
                        name: p.metadata.name.clone().unwrap_or_default(),
                        namespace: p.metadata.namespace.clone().unwrap_or_default(),
                        owner: owner_name(p),
                        status: pod_status(p),
                        ready: is_pod_ready(p),
                    })
                    .collect(),
                not_running,
                name,
            }
        })
        .collect();
    ClusterView { nodes }
}
