//! The `NodeUnschedulable` filter: a cordoned node (`spec.unschedulable`) takes
//! only pods that tolerate `node.kubernetes.io/unschedulable:NoSchedule`, as
//! DaemonSet pods do.

use k8s_openapi::api::core::v1::{Node, Pod, Taint};

use super::taints::{first_untolerated, NO_SCHEDULE};

pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";
/// `ErrReasonUnschedulable`.
pub const REASON: &str = "node(s) were unschedulable";

pub fn filter(pod: &Pod, node: &Node) -> Option<&'static str> {
    if node.spec.as_ref().and_then(|s| s.unschedulable) != Some(true) {
        return None;
    }
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    let taint = Taint {
        key: UNSCHEDULABLE_TAINT.to_string(),
        effect: NO_SCHEDULE.to_string(),
        ..Default::default()
    };
    first_untolerated(std::slice::from_ref(&taint), tolerations, &[NO_SCHEDULE]).map(|_| REASON)
}
