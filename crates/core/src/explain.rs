//! "Why is there (not) a daemon pod here?": for a DaemonSet and a node, the rule
//! that decided, read from the same predicates and statuses the controllers use.

use std::fmt;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, Pod};

use crate::api::store::{controller_uid, Store};
use crate::api::{Kind, Object};
use crate::controllers::daemonset::placement::{should_run_on, PlacementReason};
use crate::controllers::daemonset::pod_template::target_node;
use crate::controllers::{is_pod_ready, pod_condition};
use crate::scheduling::framework::{Plugin, Rejection};
use crate::scheduling::node_affinity::AffinityMismatch;
use crate::sim::Cluster;

/// The answer for one (DaemonSet, node) pair.
#[derive(Clone, Debug, PartialEq)]
pub enum Explanation {
    /// A pod runs and is Ready.
    Running { pod: String },
    /// The controller will not place a pod here (and removes one if it must).
    NotPlaced {
        reason: PlacementReason,
        pod_stays: bool,
    },
    /// The pod exists but the scheduler cannot bind it: its message, and the
    /// filter that rejected the pod's node in the last attempt.
    Unschedulable {
        pod: String,
        message: String,
        rejection: Option<Rejection>,
    },
    /// The pod is bound but a container waits (pulling, back-off…).
    Waiting {
        pod: String,
        reason: String,
        message: String,
    },
    /// The pod runs but is not Ready yet.
    NotReady { pod: String },
    /// The pod is being deleted.
    Terminating { pod: String },
    /// The controller could not create the pod; its last FailedCreate event.
    CreateFailed { message: String },
    /// A pod will be created on the controller's next pass.
    Creating,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Explanation::Running { pod } => write!(f, "{pod} is running and ready"),
            Explanation::NotPlaced {
                reason,
                pod_stays: true,
            } => {
                write!(
                    f,
                    "{reason} (the pod already here stays, counted as misscheduled)"
                )
            }
            Explanation::NotPlaced { reason, .. } => write!(f, "{reason}"),
            Explanation::Unschedulable {
                pod,
                rejection: Some(r),
                ..
            } => write!(
                f,
                "{pod} is Pending: the scheduler's {} filter rejects this node: {}",
                r.plugin,
                r.reasons.join(", ")
            ),
            Explanation::Unschedulable { pod, message, .. } => {
                write!(f, "{pod} is Pending: {message}")
            }
            Explanation::Waiting {
                pod,
                reason,
                message,
            } if message.is_empty() => write!(f, "{pod} is waiting: {reason}"),
            Explanation::Waiting {
                pod,
                reason,
                message,
            } => write!(f, "{pod} is waiting: {reason}: {message}"),
            Explanation::NotReady { pod } => write!(f, "{pod} is running but not ready yet"),
            Explanation::Terminating { pod } => {
                write!(f, "{pod} is terminating; a new pod follows once it is gone")
            }
            Explanation::CreateFailed { message } => {
                write!(f, "the controller cannot create the pod: {message}")
            }
            Explanation::Creating => write!(f, "the controller is about to create a pod"),
        }
    }
}

/// Waiting reasons that do not go away by themselves: the template or the
/// node has to change.
const STUCK: &[&str] = &[
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
];

impl Explanation {
    /// The pod is there and on its way to running: nothing to change, only
    /// to wait (a card says it is starting, not that it is missing).
    pub fn is_starting(&self) -> bool {
        match self {
            // A pod terminating on a node the DaemonSet still wants (a
            // rollout step, a deleted pod) is being replaced.
            Explanation::Creating
            | Explanation::NotReady { .. }
            | Explanation::Terminating { .. } => true,
            Explanation::Waiting { reason, .. } => !STUCK.contains(&reason.as_str()),
            _ => false,
        }
    }

    /// The answer without the pod's name: the same words for every node in
    /// the same situation, so a large cluster's nodes can be grouped by it.
    pub fn gist(&self) -> String {
        match self {
            Explanation::Running { .. } => "running".to_string(),
            Explanation::NotPlaced { reason, .. } => reason.to_string(),
            Explanation::Unschedulable {
                rejection: Some(r), ..
            } => format!("Pending: {}: {}", r.plugin, r.reasons.join(", ")),
            Explanation::Unschedulable { message, .. } => format!("Pending: {message}"),
            Explanation::Waiting { reason, .. } => format!("waiting: {reason}"),
            Explanation::NotReady { .. } => "running, not ready yet".to_string(),
            Explanation::Terminating { .. } => "old pod terminating".to_string(),
            Explanation::CreateFailed { message } => format!("cannot be created: {message}"),
            Explanation::Creating => "being created".to_string(),
        }
    }

    /// What would change the answer, in the words a user acts on.
    pub fn remedy(&self, node: &str) -> Option<String> {
        Some(match self {
            Explanation::NotPlaced {
                reason: PlacementReason::UntoleratedTaint(taint),
                ..
            } => {
                let value = taint.value.as_deref().map(|v| format!(", value: {v}")).unwrap_or_default();
                format!(
                    "add a toleration to the pod template (key: {}, operator: {}{value}, effect: {}), or remove the taint: kubectl taint nodes {node} {}:{}-",
                    taint.key,
                    if taint.value.is_some() { "Equal" } else { "Exists" },
                    taint.effect,
                    taint.key,
                    taint.effect
                )
            }
            Explanation::NotPlaced {
                reason: PlacementReason::Affinity(AffinityMismatch::NodeSelector { key, wanted, .. }),
                ..
            } => format!("label the node: kubectl label node {node} {key}={wanted} --overwrite, or change the DaemonSet's nodeSelector"),
            Explanation::NotPlaced {
                reason: PlacementReason::Affinity(_),
                ..
            } => "label the node so that a nodeSelectorTerm matches, or change the DaemonSet's node affinity".to_string(),
            Explanation::NotPlaced {
                reason: PlacementReason::NodeNameMismatch { .. },
                ..
            } => "remove nodeName from the pod template".to_string(),
            Explanation::Unschedulable {
                rejection: Some(r), ..
            } => match r.plugin {
                Plugin::NodeResourcesFit => "free the resource on this node (delete or shrink other pods), lower the DaemonSet's requests, or give the DaemonSet a higher PriorityClass".to_string(),
                Plugin::NodePorts => "another pod holds the host port: remove it, or change the DaemonSet's hostPort".to_string(),
                Plugin::InterPodAffinity => "a pod's required anti-affinity keeps this pod away from the node's topology domain (or its own affinity finds no partner): change the affinity terms or move the other pod".to_string(),
                Plugin::PodTopologySpread => "the pod's DoNotSchedule topology spread constraint is not met here: raise maxSkew or use ScheduleAnyway".to_string(),
                _ => return None,
            },
            Explanation::Waiting { reason, .. }
                if matches!(reason.as_str(), "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName") =>
            {
                "fix the image (Set image) or roll back (Undo)".to_string()
            }
            Explanation::Waiting { reason, .. } if reason == "CrashLoopBackOff" => {
                "the container keeps exiting: fix its command or image, or roll back (Undo)".to_string()
            }
            Explanation::Waiting { reason, .. } if reason == "CreateContainerConfigError" => {
                "create the ConfigMap or Secret the pod refers to".to_string()
            }
            _ => return None,
        })
    }
}

fn owned_by(pod: &Pod, ds: &DaemonSet) -> bool {
    pod.metadata.namespace == ds.metadata.namespace
        && controller_uid(&pod.metadata).is_some_and(|uid| Some(uid) == ds.metadata.uid.as_deref())
}

fn last_failed_create(store: &Store, ds: &DaemonSet) -> Option<String> {
    store
        .list(Kind::Event)
        .filter_map(|o| match o {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .filter(|e| {
            e.involved_object.uid == ds.metadata.uid && e.reason.as_deref() == Some("FailedCreate")
        })
        .max_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0))
        .and_then(|e| e.message.clone())
}

/// Why `ds` has (or has no) pod on `node`.
pub fn explain(cluster: &Cluster, ds: &DaemonSet, node: &Node) -> Explanation {
    let store = cluster.store();
    let name = node.metadata.name.as_deref().unwrap_or("");
    let pod = store
        .pods()
        .filter(|p| owned_by(p, ds) && target_node(p) == Some(name))
        .min_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let placement = should_run_on(node, ds);
    if !placement.should_run {
        return Explanation::NotPlaced {
            reason: placement.reason,
            pod_stays: pod.is_some() && placement.should_continue_running,
        };
    }
    let Some(pod) = pod else {
        return match last_failed_create(store, ds) {
            Some(message) => Explanation::CreateFailed { message },
            None => Explanation::Creating,
        };
    };
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    if pod.metadata.deletion_timestamp.is_some() {
        return Explanation::Terminating { pod: pod_name };
    }
    if let Some(c) = pod_condition(pod, "PodScheduled").filter(|c| c.status == "False") {
        let rejection = cluster
            .scheduling_attempt(pod)
            .and_then(|a| a.nodes.iter().find(|n| n.node == name))
            .and_then(|n| n.rejection.clone());
        return Explanation::Unschedulable {
            pod: pod_name,
            message: c.message.clone().unwrap_or_default(),
            rejection,
        };
    }
    let waiting = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .find_map(|c| c.state.as_ref()?.waiting.clone());
    if let Some(w) = waiting {
        return Explanation::Waiting {
            pod: pod_name,
            reason: w.reason.unwrap_or_default(),
            message: w.message.unwrap_or_default(),
        };
    }
    if is_pod_ready(pod) {
        Explanation::Running { pod: pod_name }
    } else {
        Explanation::NotReady { pod: pod_name }
    }
}
