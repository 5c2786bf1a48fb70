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
    /// The pod exists but the scheduler cannot bind it.
    Unschedulable { pod: String, message: String },
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
            Explanation::Unschedulable { pod, message } => write!(f, "{pod} is Pending: {message}"),
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
            Explanation::Terminating { pod } => write!(f, "{pod} is terminating"),
            Explanation::CreateFailed { message } => {
                write!(f, "the controller cannot create the pod: {message}")
            }
            Explanation::Creating => write!(f, "the controller is about to create a pod"),
        }
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
pub fn explain(store: &Store, ds: &DaemonSet, node: &Node) -> Explanation {
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
        return Explanation::Unschedulable {
            pod: pod_name,
            message: c.message.clone().unwrap_or_default(),
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
