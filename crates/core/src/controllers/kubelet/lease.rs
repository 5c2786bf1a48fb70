//! The node lease: each running kubelet holds a Lease named after its node in
//! `kube-node-lease` and renews it every 10 s (a quarter of its 40 s
//! duration), as `k8s.io/component-helpers/apimachinery/lease` does; `kubectl
//! describe node` shows its holder and last renewal.
//!
//! Renewals are not moments the clock stops at: when the controllers run, each
//! lease is brought to the last 10 s tick its kubelet would have renewed at, in
//! one write, which is what a reader sees of a real kubelet's renewals.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference, Time};
use k8s_openapi::jiff::Timestamp;

use crate::api::ids::Ids;
use crate::api::store::Store;
use crate::api::{Kind, Object, Served};

pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
const LEASE_DURATION_SECONDS: i32 = 40;
/// `renewIntervalFraction` 0.25 of the lease duration.
const RENEW_INTERVAL: Duration = Duration::from_secs(10);

/// What the kubelets know of their leases: when each last renewed.
#[derive(Clone, Debug)]
pub struct Leases {
    renewed: BTreeMap<String, Timestamp>,
    /// The earliest moment any lease is due, so that most passes skip them.
    next_due: Option<Timestamp>,
    /// Kubelets draw their leases' uids from their own stream, so a node's
    /// lease does not change the names the API server gives afterwards.
    ids: Ids,
}

impl Leases {
    pub fn new(seed: u64) -> Self {
        Leases {
            renewed: BTreeMap::new(),
            next_due: None,
            ids: Ids::new(seed ^ 0x6c65_6173_6573),
        }
    }

    /// The kubelet of `node` started again: it renews at once.
    pub fn restart(&mut self, node: &str) {
        self.renewed.remove(node);
        self.next_due = None;
    }

    /// Creates or renews the lease of every running kubelet that is due.
    /// Returns whether the store changed.
    pub fn renew(
        &mut self,
        store: &mut Store,
        is_down: impl Fn(&str) -> bool,
        now: Timestamp,
    ) -> bool {
        if self.next_due.is_some_and(|due| now < due) {
            return false;
        }
        let mut changed = false;
        let mut next_due: Option<Timestamp> = None;
        // Registered nodes: a kubelet makes its lease once it has registered.
        let nodes: BTreeMap<String, Option<String>> = store
            .nodes()
            .filter(|n| {
                n.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some()
            })
            .map(|n| {
                (
                    n.metadata.name.clone().unwrap_or_default(),
                    n.metadata.uid.clone(),
                )
            })
            .collect();
        self.renewed.retain(|name, _| nodes.contains_key(name));
        for (name, uid) in nodes {
            if is_down(&name) {
                continue;
            }
            let at = match self.renewed.get(&name) {
                None => now,
                Some(last) => last_tick(*last, now),
            };
            let current = store
                .get(Kind::Lease, NODE_LEASE_NAMESPACE, &name)
                .and_then(Lease::of)
                .cloned();
            let renewed_at = current
                .as_ref()
                .and_then(|l| l.spec.as_ref())
                .and_then(|s| s.renew_time.as_ref())
                .map(|t| t.0);
            if renewed_at != Some(at) {
                let lease = match current {
                    Some(mut lease) => {
                        lease.spec.get_or_insert_with(Default::default).renew_time =
                            Some(MicroTime(at));
                        lease
                    }
                    None => self.new_lease(&name, uid, at),
                };
                store.put(Object::from(lease));
                changed = true;
            }
            self.renewed.insert(name, at);
            let due = at.checked_add(RENEW_INTERVAL).unwrap_or(at);
            next_due = Some(next_due.map_or(due, |d| d.min(due)));
        }
        self.next_due = next_due;
        changed
    }

    /// What `ensureLease` creates: named after the node, owned by it.
    fn new_lease(&mut self, node: &str, node_uid: Option<String>, now: Timestamp) -> Lease {
        Lease {
            metadata: ObjectMeta {
                name: Some(node.to_string()),
                namespace: Some(NODE_LEASE_NAMESPACE.to_string()),
                uid: Some(self.ids.uid()),
                creation_timestamp: Some(Time(now)),
                owner_references: node_uid.map(|uid| {
                    vec![OwnerReference {
                        api_version: "v1".to_string(),
                        kind: "Node".to_string(),
                        name: node.to_string(),
                        uid,
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(node.to_string()),
                lease_duration_seconds: Some(LEASE_DURATION_SECONDS),
                renew_time: Some(MicroTime(now)),
                ..Default::default()
            }),
        }
    }
}

/// The last renewal at or before `now` of a kubelet that renewed at `last`
/// and every 10 s since.
fn last_tick(last: Timestamp, now: Timestamp) -> Timestamp {
    let elapsed = now.duration_since(last).as_secs();
    if elapsed < 0 {
        return last;
    }
    let interval = RENEW_INTERVAL.as_secs() as i64;
    let ticks = elapsed / interval;
    last.checked_add(Duration::from_secs((ticks * interval).unsigned_abs()))
        .unwrap_or(last)
}

/// The lease a node's kubelet holds, if it has one.
pub fn node_lease<'a>(store: &'a Store, node: &Node) -> Option<&'a Lease> {
    let name = node.metadata.name.as_deref()?;
    store
        .get(Kind::Lease, NODE_LEASE_NAMESPACE, name)
        .and_then(Lease::of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(seconds).unwrap()
    }

    #[test]
    fn a_renewal_lands_on_the_kubelets_ten_second_ticks() {
        assert_eq!(last_tick(at(100), at(100)), at(100));
        assert_eq!(last_tick(at(100), at(109)), at(100));
        assert_eq!(last_tick(at(100), at(110)), at(110));
        assert_eq!(last_tick(at(100), at(135)), at(130));
    }
}
