//! The kubelet's admission check (`lifecycle/predicate.go`): before it runs a
//! pod bound to its node, the kubelet checks it against the pods it already
//! admitted there, as the scheduler would have (resources, node affinity, node
//! name, host ports, NoExecute taints), and rejects it with the first failure:
//! phase Failed, `OutOfcpu`, `NodeAffinity`…, and an event.

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::scheduling::node_resources::{demand, is_extended, shortages, Usage};
use crate::scheduling::taints::{first_untolerated, NO_EXECUTE};
use crate::scheduling::{host_ports, node_affinity, node_name};

/// Why the kubelet refuses a pod: the reason and the message its event and
/// the pod's status carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    pub reason: String,
    pub message: String,
}

fn predicate(name: &str, description: &str) -> Rejected {
    Rejected {
        reason: name.to_string(),
        message: format!("Predicate {name} failed: {description}"),
    }
}

/// `generalFilter`: `pod` against `node` with the `admitted` pods already
/// running there; the first failure.
pub fn admit<'a>(
    pod: &Pod,
    node: &Node,
    admitted: impl Iterator<Item = &'a Pod>,
) -> Result<(), Rejected> {
    let mut used = Usage::default();
    for other in admitted {
        used.add(&demand(other));
    }
    let mut wanted = demand(pod);
    // `removeMissingExtendedResources`: an extended resource the node does
    // not advertise at all is not the kubelet's to check.
    wanted.scalar.retain(|name, _| {
        !is_extended(name)
            || node
                .status
                .as_ref()
                .and_then(|s| s.allocatable.as_ref())
                .is_some_and(|a| a.contains_key(name))
    });
    if let Some(short) = shortages(&wanted, node, &used).into_iter().next() {
        return Err(Rejected {
            reason: format!("OutOf{}", short.resource),
            message: format!(
                "Node didn't have enough resource: {}, requested: {}, used: {}, capacity: {}",
                short.resource, short.requested, short.used, short.capacity
            ),
        });
    }
    if node_affinity::filter(pod, node).is_some() {
        return Err(predicate("NodeAffinity", node_affinity::REASON));
    }
    if node_name::filter(pod, node).is_some() {
        return Err(predicate("NodeName", node_name::REASON));
    }
    if !host_ports::fit(&used.ports, &wanted.host_ports) {
        return Err(predicate("NodePorts", host_ports::REASON));
    }
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    let tolerations = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    if first_untolerated(taints, tolerations, &[NO_EXECUTE]).is_some() {
        return Err(predicate(
            "TaintToleration",
            "node(s) had taints that the pod didn't tolerate",
        ));
    }
    Ok(())
}
