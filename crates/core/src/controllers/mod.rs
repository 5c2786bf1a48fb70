//! Controllers: reconcile functions over the store. Each owns no state the store
//! does not hold; time and identifiers come in through [`Ctx`].

pub mod apiservice;
pub mod autoregister;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod endpoints;
pub mod events;
pub mod garbage_collector;
pub mod kubelet;
pub mod node_lifecycle;
pub mod ownership;
pub mod replicaset;
pub mod scheduler;
pub mod statefulset;
pub mod taint_eviction;

use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;

use crate::api::ids::Ids;
use crate::api::server::Env;
use crate::api::store::{Store, WatchEvent};
use crate::api::Kind;

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

/// How far a controller has read the store's watch log: what an informer's
/// resourceVersion is to a real controller. Each pass looks only at what
/// changed since, so its work follows the change and not the cluster's size.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cursor(u64);

impl Cursor {
    /// The changes written since the last [`Cursor::catch_up`].
    pub fn unread<'s>(&self, store: &'s Store) -> &'s [WatchEvent] {
        store.events_since(self.0)
    }

    /// The namespaces where objects of `kinds` changed since the last
    /// [`Cursor::catch_up`], sorted.
    pub fn changed_namespaces(&self, store: &Store, kinds: &[Kind]) -> Vec<String> {
        let mut namespaces: Vec<String> = self
            .unread(store)
            .iter()
            .filter(|e| kinds.contains(&e.kind))
            .map(|e| e.key.0.clone())
            .collect();
        namespaces.sort();
        namespaces.dedup();
        namespaces
    }

    /// Marks everything written so far as read.
    pub fn catch_up(&mut self, store: &Store) {
        self.0 = store.resource_version();
    }

    /// The resourceVersion read up to.
    pub fn position(&self) -> u64 {
        self.0
    }
}

/// Timers per object: when each must be looked at again, in time order. Both
/// kinds are kept: `pending` ones finish work under way, `retry` ones may
/// fail forever (see [`Ctx::wake_at`] and [`Ctx::retry_at`]).
#[derive(Clone, Debug, Default)]
pub struct Timers<K: Ord + Clone> {
    by_key: std::collections::BTreeMap<K, (Option<Timestamp>, Option<Timestamp>)>,
    pending: std::collections::BTreeSet<(Timestamp, K)>,
    retry: std::collections::BTreeSet<(Timestamp, K)>,
}

impl<K: Ord + Clone> Timers<K> {
    /// Replaces `key`'s timers.
    pub fn set(&mut self, key: &K, pending: Option<Timestamp>, retry: Option<Timestamp>) {
        self.clear(key);
        if pending.is_none() && retry.is_none() {
            return;
        }
        if let Some(at) = pending {
            self.pending.insert((at, key.clone()));
        }
        if let Some(at) = retry {
            self.retry.insert((at, key.clone()));
        }
        self.by_key.insert(key.clone(), (pending, retry));
    }

    pub fn clear(&mut self, key: &K) {
        if let Some((pending, retry)) = self.by_key.remove(key) {
            if let Some(at) = pending {
                self.pending.remove(&(at, key.clone()));
            }
            if let Some(at) = retry {
                self.retry.remove(&(at, key.clone()));
            }
        }
    }

    /// The keys with a timer at or before `now`.
    pub fn due(&self, now: Timestamp) -> Vec<K> {
        let mut due: Vec<K> = self
            .pending
            .iter()
            .take_while(|(at, _)| *at <= now)
            .chain(self.retry.iter().take_while(|(at, _)| *at <= now))
            .map(|(_, key)| key.clone())
            .collect();
        due.sort();
        due.dedup();
        due
    }

    /// Asks `ctx` to wake at the earliest timers.
    pub fn report(&self, ctx: &mut Ctx) {
        if let Some((at, _)) = self.pending.iter().find(|(at, _)| *at > ctx.now()) {
            ctx.wake_at(*at);
        }
        if let Some((at, _)) = self.retry.iter().find(|(at, _)| *at > ctx.now()) {
            ctx.retry_at(*at);
        }
    }
}

const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn fnv32a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// `controller.ComputeHash`: the `controller-revision-hash` and
/// `pod-template-hash` of a template. Go hashes its own deep dump of
/// the struct, so the value differs from a real cluster's; the format is the same
/// (1–10 characters from `4-9bcdf`), and equal templates get equal hashes.
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut bytes = serde_json::to_vec(template).unwrap_or_default();
    if let Some(count) = collision_count {
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.extend_from_slice(&[0; 4]);
    }
    fnv32a(&bytes)
        .to_string()
        .bytes()
        .map(|b| char::from(SAFE_ALPHABET[usize::from(b) % SAFE_ALPHABET.len()]))
        .collect()
}

/// `GetScaledValueFromIntOrPercent`: a count, or a percentage of `total`
/// rounded up or down.
pub fn scaled_value(value: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match value {
        None => 0,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => {
            let percent: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let product = percent * i64::from(total);
            let value = if round_up {
                (product + 99) / 100
            } else {
                product / 100
            };
            i32::try_from(value).unwrap_or(i32::MAX)
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

/// `IsPodAvailable`: Ready for longer than `minReadySeconds`; also when it becomes so.
pub fn availability(pod: &Pod, min_ready: Duration, now: Timestamp) -> (bool, Option<Timestamp>) {
    if !is_pod_ready(pod) {
        return (false, None);
    }
    if min_ready.is_zero() {
        return (true, None);
    }
    let since = pod_condition(pod, "Ready")
        .and_then(|c| c.last_transition_time.as_ref())
        .map_or(now, |t| t.0);
    let at = later(since, min_ready);
    (at < now, Some(later(at, Duration::from_secs(1))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn hashes_use_the_safe_digits_and_follow_the_template() {
        let a = PodTemplateSpec::default();
        let b = PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "x".to_string())].into()),
                ..Default::default()
            }),
            spec: None,
        };
        let ha = template_hash(&a, None);
        assert!(!ha.is_empty() && ha.len() <= 10);
        assert!(ha.chars().all(|c| "456789bcdf".contains(c)), "{ha}");
        assert_eq!(ha, template_hash(&a.clone(), None));
        assert_ne!(ha, template_hash(&b, None));
        assert_ne!(ha, template_hash(&a, Some(1)));
    }

    #[test]
    fn fnv_matches_the_reference_vector() {
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
    }
}
