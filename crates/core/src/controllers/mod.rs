//! Controllers: reconcile functions over the store. Each owns no state the store
//! does not hold; time and identifiers come in through [`Ctx`].

pub mod daemonset;
pub mod events;
pub mod garbage_collector;
pub mod kubelet;
pub mod node_lifecycle;
pub mod scheduler;
pub mod taint_eviction;

use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::api::ids::Ids;
use crate::api::server::Env;

/// What a reconcile needs besides the store: the time, identifiers, and a way
/// to ask to be run again later.
pub struct Ctx<'a> {
    pub now: Time,
    pub ids: &'a mut Ids,
    /// The earliest future moment some controller asked to be woken at.
    pub wake: Option<Timestamp>,
    /// The earliest of those that finishes work in progress (a pod starting or
    /// stopping, an eviction), as opposed to a retry that may fail forever.
    pub pending: Option<Timestamp>,
}

impl Ctx<'_> {
    pub fn now(&self) -> Timestamp {
        self.now.0
    }

    /// Runs the controllers again at `at` (if that is in the future) to finish
    /// something under way.
    pub fn wake_at(&mut self, at: Timestamp) {
        self.retry_at(at);
        if at > self.now.0 && self.pending.is_none_or(|w| at < w) {
            self.pending = Some(at);
        }
    }

    /// Runs the controllers again at `at` to retry something that may keep failing
    /// (a back-off); a cluster waiting only on these has settled.
    pub fn retry_at(&mut self, at: Timestamp) {
        if at > self.now.0 && self.wake.is_none_or(|w| at < w) {
            self.wake = Some(at);
        }
    }

    /// The API server's view of this moment, for writes.
    pub fn env(&mut self) -> Env<'_> {
        Env {
            now: &self.now,
            ids: &mut *self.ids,
        }
    }
}

/// `at` plus `delay`, saturating.
pub fn later(at: Timestamp, delay: Duration) -> Timestamp {
    at.checked_add(delay).unwrap_or(at)
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
