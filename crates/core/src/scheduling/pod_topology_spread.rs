//! The `PodTopologySpread` plugin (`podtopologyspread/{common,filtering,scoring}.go`):
//! a pod's `DoNotSchedule` constraints as a filter, its `ScheduleAnyway` ones
//! (or the cluster's default constraints, for a pod with none of its own that a
//! Service, ReplicaSet or StatefulSet selects) as a score.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, TopologySpreadConstraint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use super::framework::{Code, Plugin, Rejection, Snapshot};
use super::node_affinity::required_affinity_matches;
use super::taints::{first_untolerated, NO_EXECUTE, NO_SCHEDULE};
use super::MAX_NODE_SCORE;
use crate::api::store::{controller_uid, Store};
use crate::api::validation::selector_matches;
use crate::api::{Kind, Object};

/// `ErrReasonConstraintsNotMatch`.
pub const REASON: &str = "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`.
pub const MISSING_LABEL_REASON: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

const HOSTNAME: &str = "kubernetes.io/hostname";
const ZONE: &str = "topology.kubernetes.io/zone";

/// A constraint as the plugin uses it: its selector already merged with
/// `matchLabelKeys`.
#[derive(Clone, Debug)]
struct Constraint {
    max_skew: i64,
    topology_key: String,
    /// `None` (no labelSelector) selects nothing, not even the pod itself.
    selector: Option<LabelSelector>,
    min_domains: Option<i64>,
    /// `nodeAffinityPolicy: Honor` (the default): only nodes the pod's node
    /// affinity admits count.
    honor_affinity: bool,
    /// `nodeTaintsPolicy: Honor` (default Ignore): only nodes whose taints the
    /// pod tolerates count.
    honor_taints: bool,
}

impl Constraint {
    fn new(pod: &Pod, c: &TopologySpreadConstraint) -> Self {
        let mut selector = c.label_selector.clone();
        let labels = pod.metadata.labels.as_ref();
        for key in c.match_label_keys.iter().flatten() {
            if let (Some(value), Some(selector)) =
                (labels.and_then(|l| l.get(key)), selector.as_mut())
            {
                selector
                    .match_expressions
                    .get_or_insert_with(Vec::new)
                    .push(LabelSelectorRequirement {
                        key: key.clone(),
                        operator: "In".to_string(),
                        values: Some(vec![value.clone()]),
                    });
            }
        }
        Constraint {
            max_skew: i64::from(c.max_skew),
            topology_key: c.topology_key.clone(),
            selector,
            min_domains: c.min_domains.map(i64::from),
            honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        }
    }

    /// `matchNodeInclusionPolicies`.
    fn includes(&self, pod: &Pod, node: &Node) -> bool {
        let spec = pod.spec.as_ref();
        if self.honor_affinity && spec.is_some_and(|s| required_affinity_matches(s, node).is_err())
        {
            return false;
        }
        if self.honor_taints {
            let taints = node
                .spec
                .as_ref()
                .and_then(|s| s.taints.as_deref())
                .unwrap_or_default();
            let tolerations = spec
                .and_then(|s| s.tolerations.as_deref())
                .unwrap_or_default();
            if first_untolerated(taints, tolerations, &[NO_SCHEDULE, NO_EXECUTE]).is_some() {
                return false;
            }
        }
        true
    }

    fn selects(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let empty = BTreeMap::new();
        self.selector
            .as_ref()
            .is_some_and(|s| selector_matches(s, labels.unwrap_or(&empty)))
    }

    /// `countPodsMatchSelector`: pods on the node in the pod's namespace, not
    /// being deleted, that the selector selects. An empty selector counts none.
    fn count_on(&self, snapshot: Snapshot, pod: &Pod, node: &str) -> i64 {
        let empty_selector = self.selector.as_ref().is_some_and(|s| {
            s.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
                && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
        });
        if empty_selector {
            return 0;
        }
        let namespace = pod.metadata.namespace.as_deref();
        snapshot
            .pods_on(node)
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| p.metadata.namespace.as_deref() == namespace)
            .filter(|p| self.selects(p.metadata.labels.as_ref()))
            .count() as i64
    }
}

fn label<'a>(node: &'a Node, key: &str) -> Option<&'a String> {
    node.metadata.labels.as_ref()?.get(key)
}

fn has_all_keys(node: &Node, constraints: &[Constraint]) -> bool {
    constraints
        .iter()
        .all(|c| label(node, &c.topology_key).is_some())
}

fn own_constraints(pod: &Pod, when: &str) -> Vec<Constraint> {
    pod.spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .into_iter()
        .flatten()
        .filter(|c| c.when_unsatisfiable == when)
        .map(|c| Constraint::new(pod, c))
        .collect()
}

/// The PreFilter state: matching pods per domain of each hard constraint.
pub struct Filtering {
    constraints: Vec<Constraint>,
    /// Per constraint: matching pods in each domain (topology value) of the
    /// nodes that count.
    counts: Vec<BTreeMap<String, i64>>,
    pod_labels: Option<BTreeMap<String, String>>,
}

impl Filtering {
    /// PreFilter; `None` is Skip (no `DoNotSchedule` constraint).
    pub fn pre_filter(snapshot: Snapshot, pod: &Pod) -> Option<Self> {
        let store = snapshot.store;
        let constraints = own_constraints(pod, "DoNotSchedule");
        if constraints.is_empty() {
            return None;
        }
        let mut counts = vec![BTreeMap::new(); constraints.len()];
        for node in store.nodes() {
            if !has_all_keys(node, &constraints) {
                continue;
            }
            let name = node.metadata.name.as_deref().unwrap_or("");
            for (i, c) in constraints.iter().enumerate() {
                if !c.includes(pod, node) {
                    continue;
                }
                let value = label(node, &c.topology_key).cloned().unwrap_or_default();
                *counts[i].entry(value).or_insert(0) += c.count_on(snapshot, pod, name);
            }
        }
        Some(Filtering {
            constraints,
            counts,
            pod_labels: pod.metadata.labels.clone(),
        })
    }

    /// Filter: on this node, would any constraint's skew (the domain's
    /// matching pods, plus the pod if it matches itself, minus the fewest in
    /// any domain) exceed maxSkew?
    pub fn filter(&self, node: &Node) -> Result<(), Rejection> {
        for (c, counts) in self.constraints.iter().zip(&self.counts) {
            let Some(value) = label(node, &c.topology_key) else {
                return Err(Rejection::new(
                    Plugin::PodTopologySpread,
                    Code::UnschedulableAndUnresolvable,
                    MISSING_LABEL_REASON,
                ));
            };
            // Fewer domains than minDomains: the global minimum is 0.
            let min = if c.min_domains.is_some_and(|m| (counts.len() as i64) < m) {
                0
            } else {
                counts.values().copied().min().unwrap_or(0)
            };
            let own = i64::from(c.selects(self.pod_labels.as_ref()));
            let matching = counts.get(value).copied().unwrap_or(0);
            if matching + own - min > c.max_skew {
                return Err(Rejection::new(
                    Plugin::PodTopologySpread,
                    Code::Unschedulable,
                    REASON,
                ));
            }
        }
        Ok(())
    }
}

/// `DefaultSelector`: the labels of the Services selecting the pod, with the
/// selector of the ReplicaSet or StatefulSet that controls it.
fn default_selector(store: &Store, pod: &Pod) -> LabelSelector {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let mut selector = LabelSelector::default();
    for object in store.list_namespace(Kind::Service, namespace) {
        let Object::Service(service) = object else {
            continue;
        };
        let Some(wanted) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            continue;
        };
        if !wanted.is_empty() && wanted.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            selector
                .match_labels
                .get_or_insert_with(BTreeMap::new)
                .extend(wanted.clone());
        }
    }
    let owner = controller_uid(&pod.metadata).and_then(|uid| {
        [Kind::ReplicaSet, Kind::StatefulSet]
            .into_iter()
            .flat_map(|kind| store.list_namespace(kind, namespace))
            .filter(|o| o.metadata().uid.as_deref() == Some(uid))
            .find_map(|o| match o {
                Object::ReplicaSet(rs) => rs.spec.as_ref().map(|s| s.selector.clone()),
                Object::StatefulSet(sts) => sts.spec.as_ref().map(|s| s.selector.clone()),
                _ => None,
            })
    });
    if let Some(owner) = owner {
        if let Some(labels) = owner.match_labels {
            selector
                .match_labels
                .get_or_insert_with(BTreeMap::new)
                .extend(labels);
        }
        if let Some(expressions) = owner.match_expressions {
            selector
                .match_expressions
                .get_or_insert_with(Vec::new)
                .extend(expressions);
        }
    }
    selector
}

fn has_own_constraints(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .is_some_and(|c| !c.is_empty())
}

/// The soft constraints scoring uses: the pod's `ScheduleAnyway` ones, or, for
/// a pod with no constraint at all, the system defaults (`maxSkew` 3 per
/// hostname, 5 per zone) with the selector of what selects the pod.
fn soft_constraints(store: &Store, pod: &Pod) -> Vec<Constraint> {
    if has_own_constraints(pod) {
        return own_constraints(pod, "ScheduleAnyway");
    }
    let selector = default_selector(store, pod);
    if selector
        .match_labels
        .as_ref()
        .is_none_or(BTreeMap::is_empty)
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
    {
        return Vec::new();
    }
    [(3, HOSTNAME), (5, ZONE)]
        .into_iter()
        .map(|(max_skew, key)| Constraint {
            max_skew,
            topology_key: key.to_string(),
            selector: Some(selector.clone()),
            min_domains: None,
            honor_affinity: true,
            honor_taints: false,
        })
        .collect()
}

/// The scoring state worked out in PreScore.
struct Scoring {
    constraints: Vec<Constraint>,
    /// Feasible nodes lacking a constraint's key: they score 0.
    ignored: BTreeSet<String>,
    /// Per constraint (other than hostname): matching pods per domain of the
    /// feasible nodes, counted over every node that counts.
    counts: Vec<BTreeMap<String, i64>>,
    /// `log(domains + 2)` per constraint.
    weights: Vec<f64>,
}

fn pre_score(store: &Store, pod: &Pod, nodes: &[&Node]) -> Option<Scoring> {
    let constraints = soft_constraints(store, pod);
    if constraints.is_empty() {
        return None;
    }
    // Under the system defaults a node without a zone is not ignored: its
    // zone is "" (`requireAllTopologies`).
    let require_all = has_own_constraints(pod);
    let mut ignored = BTreeSet::new();
    let mut counts: Vec<BTreeMap<String, i64>> = vec![BTreeMap::new(); constraints.len()];
    for node in nodes {
        if require_all && !has_all_keys(node, &constraints) {
            ignored.insert(node.metadata.name.clone().unwrap_or_default());
            continue;
        }
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key != HOSTNAME {
                let value = label(node, &c.topology_key).cloned().unwrap_or_default();
                counts[i].entry(value).or_insert(0);
            }
        }
    }
    let weights = constraints
        .iter()
        .zip(&counts)
        .map(|(c, domains)| {
            let size = if c.topology_key == HOSTNAME {
                nodes.len() - ignored.len()
            } else {
                domains.len()
            };
            ((size + 2) as f64).ln()
        })
        .collect();
    for node in store.nodes() {
        if require_all && !has_all_keys(node, &constraints) {
            continue;
        }
        let name = node.metadata.name.as_deref().unwrap_or("");
        for (i, c) in constraints.iter().enumerate() {
            if c.topology_key == HOSTNAME || !c.includes(pod, node) {
                continue;
            }
            let value = label(node, &c.topology_key).cloned().unwrap_or_default();
            // Only domains holding a feasible node are counted.
            if counts[i].contains_key(&value) {
                let n = c.count_on(Snapshot::of(store), pod, name);
                *counts[i].entry(value).or_insert(0) += n;
            }
        }
    }
    Some(Scoring {
        constraints,
        ignored,
        counts,
        weights,
    })
}

/// Score for every node, then NormalizeScore: the fewer matching pods in the
/// node's domains, the higher. All 0 when PreScore skips.
pub fn scores(store: &Store, pod: &Pod, nodes: &[&Node]) -> Vec<i64> {
    let Some(state) = pre_score(store, pod, nodes) else {
        return vec![0; nodes.len()];
    };
    let is_ignored = |node: &Node| {
        state
            .ignored
            .contains(node.metadata.name.as_deref().unwrap_or(""))
    };
    let raw: Vec<i64> = nodes
        .iter()
        .map(|node| {
            if is_ignored(node) {
                return 0;
            }
            let name = node.metadata.name.as_deref().unwrap_or("");
            let mut score = 0.0;
            for (i, c) in state.constraints.iter().enumerate() {
                let Some(value) = label(node, &c.topology_key) else {
                    continue;
                };
                let count = if c.topology_key == HOSTNAME {
                    c.count_on(Snapshot::of(store), pod, name)
                } else {
                    state.counts[i].get(value).copied().unwrap_or(0)
                };
                // `scoreForCount`: maxSkew − 1 waters the differences down.
                score += count as f64 * state.weights[i] + (c.max_skew - 1) as f64;
            }
            score.round() as i64
        })
        .collect();
    let counted = || {
        nodes
            .iter()
            .zip(&raw)
            .filter(|(n, _)| !is_ignored(n))
            .map(|(_, s)| *s)
    };
    let min = counted().min().unwrap_or(i64::MAX);
    let max = counted().max().unwrap_or(0).max(0);
    nodes
        .iter()
        .zip(&raw)
        .map(|(node, &s)| {
            if is_ignored(node) {
                0
            } else if max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (max + min - s) / max
            }
        })
        .collect()
}
