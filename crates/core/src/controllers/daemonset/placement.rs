//! Which nodes run a daemon pod: `NodeShouldRunDaemonPod` from
//! `pkg/controller/daemon/daemon_controller.go`, returning the rule that decided.

use std::fmt;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, PodSpec, Taint};

use super::pod_template::daemon_tolerations;
use crate::scheduling::node_affinity::{required_affinity_matches, AffinityMismatch};
use crate::scheduling::taints::{first_untolerated, taint_to_string, NO_EXECUTE, NO_SCHEDULE};

/// The controller's answer for one (DaemonSet, node) pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// A daemon pod should be created here if there is none.
    pub should_run: bool,
    /// An existing daemon pod may stay (it counts as misscheduled when `!should_run`).
    pub should_continue_running: bool,
    pub reason: PlacementReason,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PlacementReason {
    /// Every rule passes.
    Eligible,
    /// `template.spec.nodeName` names another node.
    NodeNameMismatch { wanted: String },
    /// nodeSelector or required node affinity excludes the node.
    Affinity(AffinityMismatch),
    /// A NoSchedule or NoExecute taint the pod (with its injected tolerations) does not tolerate.
    UntoleratedTaint(Taint),
}

impl fmt::Display for PlacementReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlacementReason::Eligible => {
                write!(f, "the node matches the pod's node selection and every taint is tolerated")
            }
            PlacementReason::NodeNameMismatch { wanted } => {
                write!(f, "the pod template sets nodeName: {wanted}")
            }
            PlacementReason::Affinity(mismatch) => write!(f, "{mismatch}"),
            PlacementReason::UntoleratedTaint(taint) if taint.effect == NO_EXECUTE => write!(
                f,
                "node has taint {} that the pod does not tolerate; daemon pods are removed from the node",
                taint_to_string(taint)
            ),
            PlacementReason::UntoleratedTaint(taint) => write!(
                f,
                "node has taint {} that the pod does not tolerate; no new daemon pod is placed, an existing one may stay",
                taint_to_string(taint)
            ),
        }
    }
}

/// `NodeShouldRunDaemonPod(node, ds)`. Resources, host ports, readiness and
/// `spec.unschedulable` are the scheduler's business, not the controller's.
pub fn should_run_on(node: &Node, ds: &DaemonSet) -> Placement {
    let node_name = node.metadata.name.as_deref().unwrap_or("");
    let empty = PodSpec::default();
    let spec = ds
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .unwrap_or(&empty);
    let no = |should_continue_running, reason| Placement {
        should_run: false,
        should_continue_running,
        reason,
    };
    if let Some(wanted) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        if wanted != node_name {
            return no(
                false,
                PlacementReason::NodeNameMismatch {
                    wanted: wanted.to_string(),
                },
            );
        }
    }
    if let Err(mismatch) = required_affinity_matches(spec, node) {
        return no(false, PlacementReason::Affinity(mismatch));
    }
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    let eligible = Placement {
        should_run: true,
        should_continue_running: true,
        reason: PlacementReason::Eligible,
    };
    if taints.is_empty() {
        return eligible;
    }
    // The simulated pod carries the injected tolerations, as the real one does.
    let tolerations = daemon_tolerations(spec);
    if let Some(taint) = first_untolerated(taints, &tolerations, &[NO_EXECUTE]) {
        return no(false, PlacementReason::UntoleratedTaint(taint.clone()));
    }
    if let Some(taint) = first_untolerated(taints, &tolerations, &[NO_SCHEDULE]) {
        return no(true, PlacementReason::UntoleratedTaint(taint.clone()));
    }
    eligible
}
