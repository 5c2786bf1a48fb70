//! Plain data for drawing the cluster: what a node card or a pod chip shows.
//! The front end renders this and nothing else, so every rule stays in the core.

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use k8s_openapi::jiff::Timestamp;

use crate::api::store::{controller_uid, Store};
use crate::api::{Kind, Served};
use crate::controllers::daemonset::history::{current_revision_hash, revision_number};

use crate::controllers::daemonset::pod_template::{target_node, CONTROLLER_REVISION_HASH};
use crate::controllers::{is_pod_ready, pod_condition};
use crate::explain::{explain, Explanation};
use crate::scheduling::node_resources;
use crate::scheduling::taints::taint_to_string;
use crate::sim::{Cluster, RolloutSample};

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
    /// Pods the scheduler has not placed and that no DaemonSet meant for a
    /// particular node (a Deployment's or a bare pod waiting for a node).
    pub waiting: Vec<PodChip>,
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
    /// The node's kubelet has stopped reporting (`sim node down`).
    pub kubelet_down: bool,
    /// `spec.unschedulable` (cordoned).
    pub cordoned: bool,
    /// CPU and memory the node's pods request, against what it can allocate.
    pub resources: Vec<ResourceBar>,
}

impl NodeCard {
    /// What the node shares with every node in the same situation: its
    /// status and, for each DaemonSet without a ready pod here, why.
    pub fn situation(&self) -> String {
        let mut parts = vec![self.status.clone()];
        for absence in &self.not_running {
            parts.push(if absence.starting {
                format!("{} starting ({})", absence.daemonset, absence.gist)
            } else {
                format!("no {} pod: {}", absence.daemonset, absence.gist)
            });
        }
        parts.join(" · ")
    }
}

/// One resource of a node: requested by its pods vs allocatable, as
/// `kubectl describe node` sums them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceBar {
    pub name: &'static str,
    pub requested: String,
    pub allocatable: String,
    /// Requested as a percentage of allocatable, rounded down (may exceed 100).
    pub percent: u32,
}

/// Millicores as kubectl writes CPU: `4`, `550m`.
fn cpu_text(milli: i128) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

/// Millibytes as a short binary size: `16Gi`, `320Mi`, `1.5Gi`.
fn memory_text(milli: i128) -> String {
    let bytes = milli / 1000;
    const MI: i128 = 1 << 20;
    const GI: i128 = 1 << 30;
    if bytes >= GI {
        let tenths = bytes * 10 / GI;
        if tenths % 10 == 0 {
            format!("{}Gi", tenths / 10)
        } else {
            format!("{}.{}Gi", tenths / 10, tenths % 10)
        }
    } else {
        format!("{}Mi", bytes / MI)
    }
}

fn resource_bars(cluster: &Cluster, node: &Node) -> Vec<ResourceBar> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let used = node_resources::usage_on(cluster.store(), name);
    let bar = |resource: &'static str, requested: i128, text: fn(i128) -> String| {
        let allocatable = node_resources::allocatable(node, resource);
        ResourceBar {
            name: resource,
            requested: text(requested),
            allocatable: text(allocatable),
            percent: if allocatable > 0 {
                u32::try_from(requested * 100 / allocatable).unwrap_or(u32::MAX)
            } else {
                0
            },
        }
    };
    vec![
        bar("cpu", used.cpu, cpu_text),
        bar("memory", used.memory, memory_text),
    ]
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    pub name: String,
    pub namespace: String,
    /// The workload's name: the controlling DaemonSet, the Deployment of a
    /// ReplicaSet's pod, or the controller.
    pub owner: Option<String>,
    /// What `kubectl get pods` shows in STATUS.
    pub status: String,
    pub ready: bool,
    /// For a daemon pod, whether it runs its DaemonSet's current revision.
    pub updated: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absence {
    pub daemonset: String,
    pub reason: String,
    /// The reason without the pod's name, shared by nodes in the same situation.
    pub gist: String,
    /// The pod exists and is on its way (being created, pulling, starting):
    /// the card says so instead of calling it missing.
    pub starting: bool,
    /// What would change it (the toleration to add, the label to set…).
    pub remedy: Option<String>,
}

/// One DaemonSet as its panel shows it: `kubectl get ds` numbers, strategy,
/// revision, and the rollout so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DaemonSetRow {
    pub namespace: String,
    pub name: String,
    pub desired: i32,
    pub current: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    /// `RollingUpdate (maxUnavailable 1, maxSurge 0)` or `OnDelete`.
    pub strategy: String,
    /// The current ControllerRevision's number.
    pub revision: i64,
    /// `container=image` for each container of the template.
    pub images: Vec<String>,
    pub rollout: Vec<RolloutSample>,
    /// Why the rollout cannot go on by itself, if it cannot: a pod of the
    /// new revision stuck pulling, crashing or unschedulable.
    pub stalled: Option<String>,
}

/// One Event as `kubectl get events` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub last_seen: Option<Timestamp>,
    pub type_: String,
    pub reason: String,
    /// `pod/fluent-bit-x7k2p`, `daemonset/fluent-bit`, `node/worker-1`.
    pub object: String,
    pub namespace: String,
    pub message: String,
    pub count: i32,
}

/// Every DaemonSet, by namespace and name.
pub fn daemonsets_view(cluster: &Cluster) -> Vec<DaemonSetRow> {
    let store = cluster.store();
    store
        .daemonsets()
        .map(|ds| {
            let namespace = ds.metadata.namespace.clone().unwrap_or_default();
            let name = ds.metadata.name.clone().unwrap_or_default();
            let spec = ds.spec.clone().unwrap_or_default();
            let status = ds.status.clone().unwrap_or_default();
            let strategy = spec.update_strategy.clone().unwrap_or_default();
            let strategy = match strategy.type_.as_deref() {
                Some("OnDelete") => "OnDelete".to_string(),
                _ => {
                    let rolling = strategy.rolling_update.unwrap_or_default();
                    let show = |v: Option<
                        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
                    >| match v {
                        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => {
                            n.to_string()
                        }
                        Some(
                            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s),
                        ) => s,
                        None => "0".to_string(),
                    };
                    format!(
                        "RollingUpdate (maxUnavailable {}, maxSurge {})",
                        show(rolling.max_unavailable),
                        show(rolling.max_surge)
                    )
                }
            };
            let hash = current_revision_hash(store, ds);
            let revision = revision_number(store, ds, &hash);
            let images = spec
                .template
                .spec
                .iter()
                .flat_map(|s| s.containers.iter())
                .map(|c| format!("{}={}", c.name, c.image.clone().unwrap_or_default()))
                .collect();
            let stalled = (status.updated_number_scheduled.unwrap_or(0)
                < status.desired_number_scheduled
                || status.number_unavailable.unwrap_or(0) > 0)
                .then(|| stalled_rollout(store, ds, &hash))
                .flatten();
            DaemonSetRow {
                stalled,
                rollout: cluster.rollout_record(&namespace, &name).to_vec(),
                desired: status.desired_number_scheduled,
                current: status.current_number_scheduled,
                ready: status.number_ready,
                updated: status.updated_number_scheduled.unwrap_or(0),
                available: status.number_available.unwrap_or(0),
                strategy,
                revision,
                images,
                namespace,
                name,
            }
        })
        .collect()
}

/// A pod of the DaemonSet's current revision that cannot become available
/// by itself, said with its node and the way out.
fn stalled_rollout(store: &Store, ds: &DaemonSet, hash: &str) -> Option<String> {
    let uid = ds.metadata.uid.as_deref()?;
    store
        .pods()
        .filter(|p| controller_uid(&p.metadata) == Some(uid))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(CONTROLLER_REVISION_HASH))
                .map(String::as_str)
                == Some(hash)
        })
        .find_map(|pod| {
            let node = target_node(pod).unwrap_or("").to_string();
            let name = pod.metadata.name.clone().unwrap_or_default();
            let why = match explain_pod(pod) {
                Some(why) => why,
                None => return None,
            };
            Some(format!(
                "Rollout stalled: {name} on {node} {why}. Fix the template (Set image) or roll back (Undo)."
            ))
        })
}

/// Why a pod of a rollout will not become available without a change.
fn explain_pod(pod: &Pod) -> Option<String> {
    if let Some(c) = pod_condition(pod, "PodScheduled").filter(|c| c.status == "False") {
        return Some(format!(
            "cannot be scheduled: {}",
            c.message.clone().unwrap_or_default()
        ));
    }
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .find_map(|c| {
            let waiting = c.state.as_ref()?.waiting.as_ref()?;
            let reason = waiting.reason.clone().unwrap_or_default();
            matches!(
                reason.as_str(),
                "ImagePullBackOff"
                    | "ErrImagePull"
                    | "InvalidImageName"
                    | "CrashLoopBackOff"
                    | "CreateContainerConfigError"
            )
            .then(|| format!("is waiting: {reason}"))
        })
}

/// The newest `limit` Events, oldest first, as `kubectl get events` orders them.
pub fn events_view(cluster: &Cluster, limit: usize) -> Vec<EventRow> {
    let mut events: Vec<&Event> = cluster
        .store()
        .list(Kind::Event)
        .filter_map(Event::of)
        .collect();
    let seen = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .or(e.first_timestamp.as_ref())
            .map(|t| t.0)
    };
    events.sort_by_key(|e| seen(e));
    let skip = events.len().saturating_sub(limit);
    events
        .into_iter()
        .skip(skip)
        .map(|e| {
            let target = &e.involved_object;
            EventRow {
                last_seen: seen(e),
                type_: e.type_.clone().unwrap_or_default(),
                reason: e.reason.clone().unwrap_or_default(),
                object: format!(
                    "{}/{}",
                    target.kind.clone().unwrap_or_default().to_lowercase(),
                    target.name.clone().unwrap_or_default()
                ),
                namespace: e.metadata.namespace.clone().unwrap_or_default(),
                message: e.message.clone().unwrap_or_default(),
                count: e.count.unwrap_or(1),
            }
        })
        .collect()
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

/// What `kubectl get pods` shows of a pod (`printPod`, which the API server
/// runs for its tables): READY, STATUS, and the restarts with the time of
/// the last one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSummary {
    pub ready: String,
    pub status: String,
    pub restarts: i32,
    pub last_restart: Option<Timestamp>,
}

/// `printPod`'s READY, STATUS and RESTARTS, init containers included.
pub fn pod_summary(pod: &Pod) -> PodSummary {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let total = spec.containers.len();
    let mut reason = status
        .reason
        .clone()
        .or(status.phase.clone())
        .unwrap_or_else(|| "Pending".to_string());
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart: Option<Timestamp> = None;
    let init_total = spec.init_containers.as_ref().map_or(0, Vec::len);
    let mut initializing = false;
    for (i, container) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += container.restart_count;
        let state = container.state.clone().unwrap_or_default();
        match (&state.terminated, &state.waiting) {
            (Some(t), _) if t.exit_code == 0 => continue,
            (Some(t), _) => {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => format!("Init:{r}"),
                    None if t.signal.unwrap_or(0) != 0 => {
                        format!("Init:Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("Init:ExitCode:{}", t.exit_code),
                };
            }
            (None, Some(w))
                if w.reason
                    .as_deref()
                    .is_some_and(|r| !r.is_empty() && r != "PodInitializing") =>
            {
                reason = format!("Init:{}", w.reason.as_deref().unwrap_or(""));
            }
            _ => reason = format!("Init:{i}/{init_total}"),
        }
        initializing = true;
        break;
    }
    let initialized = status
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    // The app containers count once initialization is over.
    let app = if initializing && !initialized {
        Vec::new()
    } else {
        restarts = 0;
        status.container_statuses.clone().unwrap_or_default()
    };
    for container in app.iter().rev() {
        restarts += container.restart_count;
        if let Some(finished) = container
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
        {
            last_restart = Some(last_restart.map_or(finished.0, |t: Timestamp| t.max(finished.0)));
        }
        let state = container.state.clone().unwrap_or_default();
        if let Some(waiting) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
            reason = waiting;
        } else if let Some(terminated) = &state.terminated {
            reason = terminated
                .reason
                .clone()
                .unwrap_or_else(|| match terminated.signal {
                    Some(signal) if signal != 0 => format!("Signal:{signal}"),
                    _ => format!("ExitCode:{}", terminated.exit_code),
                });
        } else if container.ready && state.running.is_some() {
            ready += 1;
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.reason.as_deref() == Some("NodeLost") {
            "Unknown".to_string()
        } else {
            "Terminating".to_string()
        };
    }
    PodSummary {
        ready: format!("{ready}/{total}"),
        status: reason,
        restarts,
        last_restart,
    }
}

/// STATUS as `kubectl get pods` prints it.
pub fn pod_status(pod: &Pod) -> String {
    pod_summary(pod).status
}

/// The workload a pod belongs to: its controller, or the Deployment of its
/// ReplicaSet (so a Deployment's pods keep one colour across rollouts).
fn owner_name(store: &Store, pod: &Pod) -> Option<String> {
    let owner = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))?;
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let deployment = (owner.kind == "ReplicaSet")
        .then(|| store.get(Kind::ReplicaSet, namespace, &owner.name))
        .flatten()
        .and_then(|rs| {
            rs.metadata()
                .owner_references
                .iter()
                .flatten()
                .find(|r| r.controller == Some(true) && r.kind == "Deployment")
        });
    Some(deployment.unwrap_or(owner).name.clone())
}

/// Everything the cluster view draws, in node-name order.
pub fn cluster_view(cluster: &Cluster) -> ClusterView {
    let store = cluster.store();
    // Each DaemonSet's current revision hash, by its UID.
    let current: std::collections::HashMap<&str, String> = store
        .daemonsets()
        .filter_map(|ds| {
            Some((
                ds.metadata.uid.as_deref()?,
                current_revision_hash(store, ds),
            ))
        })
        .collect();
    let updated = |pod: &Pod| {
        let owner = pod
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true) && r.kind == "DaemonSet")?;
        let hash = pod
            .metadata
            .labels
            .as_ref()?
            .get(CONTROLLER_REVISION_HASH)?;
        Some(current.get(owner.uid.as_str()) == Some(hash))
    };
    let chip = |p: &Pod| PodChip {
        name: p.metadata.name.clone().unwrap_or_default(),
        namespace: p.metadata.namespace.clone().unwrap_or_default(),
        owner: owner_name(store, p),
        status: pod_status(p),
        ready: is_pod_ready(p),
        updated: updated(p),
    };
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
                .filter_map(|ds| match explain(cluster, ds, node) {
                    Explanation::Running { .. } => None,
                    why => Some(Absence {
                        daemonset: ds.metadata.name.clone().unwrap_or_default(),
                        reason: why.to_string(),
                        gist: why.gist(),
                        starting: why.is_starting(),
                        remedy: why.remedy(&name),
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
                pods: pods.iter().map(|p| chip(p)).collect(),
                not_running,
                kubelet_down: cluster.kubelet_is_down(&name),
                cordoned: node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true),
                resources: resource_bars(cluster, node),
                name,
            }
        })
        .collect();
    let waiting = store
        .pods_on_node("")
        .filter(|p| target_node(p).is_none())
        .map(chip)
        .collect();
    ClusterView { nodes, waiting }
}
