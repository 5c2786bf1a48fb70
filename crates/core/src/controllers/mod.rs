//! Controllers: reconcile functions over the store. Each owns no state the store
//! does not hold; time and identifiers come in through [`Ctx`].

pub mod daemonset;
pub mod garbage_collector;
pub mod kubelet;
pub mod scheduler;

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::ids::Ids;

/// What a reconcile needs besides the store.
pub struct Ctx<'a> {
    pub now: Time,
    pub ids: &'a mut Ids,
}

/// The pod's condition of `type_`, if it has one.
pub fn pod_condition<'a>(pod: &'a Pod, type_: &str) -> Option<&'a PodCondition> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
}

/// `podutil.IsPodReady`: condition Ready is True.
pub fn is_pod_ready(pod: &Pod) -> bool {
    pod_condition(pod, "Ready").is_some_and(|c| c.status == "True")
}

pub fn pod_phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Pending")
}

pub fn pod_node_name(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}
