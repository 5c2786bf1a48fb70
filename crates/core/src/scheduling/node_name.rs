//! The `NodeName` filter: a pod that names its node fits no other.

use k8s_openapi::api::core::v1::{Node, Pod};

/// `ErrReason`.
pub const REASON: &str = "node(s) didn't match the requested node name";

pub fn filter(pod: &Pod, node: &Node) -> Option<&'static str> {
    let wanted = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())?;
    (Some(wanted) != node.metadata.name.as_deref()).then_some(REASON)
}
