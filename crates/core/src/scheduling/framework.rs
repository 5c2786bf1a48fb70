//! The scheduling framework's default profile: the filter and score plugins in
//! the order and with the weights `kube-scheduler` runs them
//! (`apis/config/v1/default_plugins.go`), one scheduling cycle over the nodes
//! (`schedule_one.go`: `findNodesThatFitPod`, `prioritizeNodes`, `selectHost`),
//! and the record of what each plugin said about each node.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{Node, Pod};

use super::node_resources::{self, Demand, Usage};
use super::{
    host_ports, image_locality, inter_pod_affinity, node_affinity, node_name, node_unschedulable,
    pod_topology_spread, taints, MAX_NODE_SCORE,
};
use crate::api::store::{key_of, Key, Store};

/// The plugins of the default profile that filter or score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Plugin {
    NodeUnschedulable,
    NodeName,
    TaintToleration,
    NodeAffinity,
    NodePorts,
    NodeResourcesFit,
    PodTopologySpread,
    InterPodAffinity,
    NodeResourcesBalancedAllocation,
    ImageLocality,
}

impl Plugin {
    pub fn name(self) -> &'static str {
        match self {
            Plugin::NodeUnschedulable => "NodeUnschedulable",
            Plugin::NodeName => "NodeName",
            Plugin::TaintToleration => "TaintToleration",
            Plugin::NodeAffinity => "NodeAffinity",
            Plugin::NodePorts => "NodePorts",
            Plugin::NodeResourcesFit => "NodeResourcesFit",
            Plugin::PodTopologySpread => "PodTopologySpread",
            Plugin::InterPodAffinity => "InterPodAffinity",
            Plugin::NodeResourcesBalancedAllocation => "NodeResourcesBalancedAllocation",
            Plugin::ImageLocality => "ImageLocality",
        }
    }
}

impl fmt::Display for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The filters, in the order the default profile runs them. (The volume
/// filters, `VolumeRestrictions`, `NodeVolumeLimits`, `VolumeBinding` and
/// `VolumeZone`, come between NodeResourcesFit and PodTopologySpread; none of
/// them rejects a node for the volumes simulated here, which are all local.)
pub const FILTERS: [Plugin; 8] = [
    Plugin::NodeUnschedulable,
    Plugin::NodeName,
    Plugin::TaintToleration,
    Plugin::NodeAffinity,
    Plugin::NodePorts,
    Plugin::NodeResourcesFit,
    Plugin::PodTopologySpread,
    Plugin::InterPodAffinity,
];

/// The score plugins and their weights in the default profile, in its order.
pub const SCORES: [(Plugin, i64); 7] = [
    (Plugin::TaintToleration, 3),
    (Plugin::NodeAffinity, 2),
    (Plugin::NodeResourcesFit, 1),
    (Plugin::PodTopologySpread, 2),
    (Plugin::InterPodAffinity, 2),
    (Plugin::NodeResourcesBalancedAllocation, 1),
    (Plugin::ImageLocality, 1),
];

/// Whether evicting pods could make a rejected node fit (`Unschedulable`) or
/// not (`UnschedulableAndUnresolvable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Unschedulable,
    UnschedulableAndUnresolvable,
}

/// A filter's verdict against a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub plugin: Plugin,
    pub code: Code,
    pub reasons: Vec<String>,
}

impl Rejection {
    pub fn new(plugin: Plugin, code: Code, reason: impl Into<String>) -> Self {
        Rejection {
            plugin,
            code,
            reasons: vec![reason.into()],
        }
    }
}

/// One score plugin's result on one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: Plugin,
    /// After `NormalizeScore` (0 to 100).
    pub normalized: i64,
    pub weight: i64,
}

impl PluginScore {
    pub fn weighted(&self) -> i64 {
        self.normalized * self.weight
    }
}

/// What one scheduling attempt found on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeResult {
    pub node: String,
    /// The first filter that rejected the node; `None` if every filter passed.
    pub rejection: Option<Rejection>,
    /// The score plugins' results, when the node was feasible and there was a
    /// choice to make (one feasible node is taken without scoring).
    pub scores: Vec<PluginScore>,
}

impl NodeResult {
    pub fn total(&self) -> i64 {
        self.scores.iter().map(PluginScore::weighted).sum()
    }
}

/// The last scheduling attempt of a pod: every node looked at, what each
/// plugin said about it, and the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The pod's uid, so that an attempt is never shown for a later pod of the
    /// same name.
    pub uid: String,
    pub at: k8s_openapi::jiff::Timestamp,
    pub total_nodes: usize,
    /// Nodes a PreFilter ruled out before any filter ran (a DaemonSet pod's
    /// `metadata.name` node affinity), with the plugin that did.
    pub prefiltered: Option<(Plugin, usize)>,
    /// The nodes looked at, in the order they were.
    pub nodes: Vec<NodeResult>,
    /// The node chosen, if any.
    pub chosen: Option<String>,
}

/// `minFeasibleNodesToFind` and `minFeasibleNodesPercentageToFind`.
const MIN_FEASIBLE_NODES: usize = 100;
const MIN_FEASIBLE_PERCENTAGE: usize = 5;

/// `numFeasibleNodesToFind` with the default `percentageOfNodesToScore` (0:
/// adaptive): in large clusters the scheduler stops filtering once it has
/// found this many feasible nodes.
pub fn feasible_nodes_to_find(all: usize) -> usize {
    if all < MIN_FEASIBLE_NODES {
        return all;
    }
    let percentage = 50usize
        .saturating_sub(all / 125)
        .max(MIN_FEASIBLE_PERCENTAGE);
    (all * percentage / 100).max(MIN_FEASIBLE_NODES)
}

/// The assigned pods a cycle sees: the store's, less those a preemption dry
/// run has taken away (what `RemovePod` does to the plugins' states).
#[derive(Clone, Copy)]
pub struct Snapshot<'a> {
    pub store: &'a Store,
    removed: &'a [Key],
}

impl<'a> Snapshot<'a> {
    pub fn of(store: &'a Store) -> Self {
        Snapshot {
            store,
            removed: &[],
        }
    }

    pub fn without(store: &'a Store, removed: &'a [Key]) -> Self {
        Snapshot { store, removed }
    }

    /// Whether the cycle sees `pod`.
    pub fn keeps(self, pod: &Pod) -> bool {
        self.removed.is_empty() || !self.removed.contains(&key_of(&pod.metadata))
    }

    /// The pods on `node` the cycle sees.
    pub fn pods_on(self, node: &str) -> impl Iterator<Item = &'a Pod> + 'a {
        assigned_pods(self.store, node).filter(move |p| self.keeps(p))
    }
}

/// One pod's scheduling cycle: what the PreFilters worked out, then a filter
/// and a score per node.
pub struct Cycle<'a> {
    store: &'a Store,
    pub pod: &'a Pod,
    pub demand: Demand,
    affinity: Option<inter_pod_affinity::Filtering>,
    spread: Option<pod_topology_spread::Filtering>,
}

impl<'a> Cycle<'a> {
    /// PreFilter. `anti_affinity_pods` are the bound pods with required pod
    /// anti-affinity (the scheduler keeps that list in its snapshot).
    pub fn new(snapshot: Snapshot<'a>, pod: &'a Pod, anti_affinity_pods: &[&Pod]) -> Self {
        Cycle {
            store: snapshot.store,
            pod,
            demand: node_resources::demand(pod),
            affinity: inter_pod_affinity::Filtering::pre_filter(snapshot, pod, anti_affinity_pods),
            spread: pod_topology_spread::Filtering::pre_filter(snapshot, pod),
        }
    }

    /// Every filter in order; the first to reject the node ends the run, as
    /// `RunFilterPlugins` does.
    pub fn filter(&self, node: &Node, used: &Usage) -> Result<(), Rejection> {
        FILTERS
            .iter()
            .try_for_each(|&plugin| self.filter_with(plugin, node, used))
    }

    fn filter_with(&self, plugin: Plugin, node: &Node, used: &Usage) -> Result<(), Rejection> {
        let unresolvable = |reason: String| {
            Err(Rejection::new(
                plugin,
                Code::UnschedulableAndUnresolvable,
                reason,
            ))
        };
        match plugin {
            Plugin::NodeUnschedulable => match node_unschedulable::filter(self.pod, node) {
                Some(reason) => unresolvable(reason.to_string()),
                None => Ok(()),
            },
            Plugin::NodeName => match node_name::filter(self.pod, node) {
                Some(reason) => unresolvable(reason.to_string()),
                None => Ok(()),
            },
            Plugin::TaintToleration => match taints::filter(self.pod, node) {
                Some(reason) => unresolvable(reason.to_string()),
                None => Ok(()),
            },
            Plugin::NodeAffinity => match node_affinity::filter(self.pod, node) {
                Some(reason) => unresolvable(reason.to_string()),
                None => Ok(()),
            },
            Plugin::NodePorts => {
                if host_ports::fit(&used.ports, &self.demand.host_ports) {
                    Ok(())
                } else {
                    Err(Rejection::new(
                        plugin,
                        Code::Unschedulable,
                        host_ports::REASON,
                    ))
                }
            }
            Plugin::NodeResourcesFit => {
                let shortages = node_resources::shortages(&self.demand, node, used);
                if shortages.is_empty() {
                    return Ok(());
                }
                // Asking more than the node has at all is not for preemption to fix.
                let code = if shortages.iter().any(|s| s.unresolvable()) {
                    Code::UnschedulableAndUnresolvable
                } else {
                    Code::Unschedulable
                };
                Err(Rejection {
                    plugin,
                    code,
                    reasons: shortages.iter().map(|s| s.reason()).collect(),
                })
            }
            Plugin::PodTopologySpread => match &self.spread {
                Some(spread) => spread.filter(node),
                None => Ok(()),
            },
            Plugin::InterPodAffinity => match &self.affinity {
                Some(affinity) => affinity.filter(node),
                None => Ok(()),
            },
            Plugin::NodeResourcesBalancedAllocation | Plugin::ImageLocality => Ok(()),
        }
    }

    /// PreScore, Score and NormalizeScore over the feasible nodes; each node's
    /// results in [`SCORES`] order.
    pub fn score(&self, feasible: &[(&Node, &Usage)]) -> Vec<Vec<PluginScore>> {
        let nodes: Vec<&Node> = feasible.iter().map(|(n, _)| *n).collect();
        let mut columns: Vec<(Plugin, i64, Vec<i64>)> = Vec::new();
        for (plugin, weight) in SCORES {
            let normalized = match plugin {
                Plugin::TaintToleration => default_normalize(
                    &nodes
                        .iter()
                        .map(|n| taints::score(self.pod, n))
                        .collect::<Vec<_>>(),
                    true,
                ),
                Plugin::NodeAffinity => default_normalize(
                    &nodes
                        .iter()
                        .map(|n| node_affinity::score(self.pod, n))
                        .collect::<Vec<_>>(),
                    false,
                ),
                // The resource plugins and ImageLocality have no NormalizeScore:
                // their scores are already 0–100.
                Plugin::NodeResourcesFit => feasible
                    .iter()
                    .map(|(n, u)| node_resources::least_allocated(&self.demand, n, u))
                    .collect(),
                Plugin::NodeResourcesBalancedAllocation => feasible
                    .iter()
                    .map(|(n, u)| {
                        node_resources::balanced_allocation(&self.demand, n, u).unwrap_or(0)
                    })
                    .collect(),
                Plugin::ImageLocality => image_locality::scores(self.store, self.pod, &nodes),
                Plugin::PodTopologySpread => {
                    pod_topology_spread::scores(self.store, self.pod, &nodes)
                }
                Plugin::InterPodAffinity => inter_pod_affinity::normalize(
                    &inter_pod_affinity::scores(self.store, self.pod, &nodes),
                ),
                _ => vec![0; nodes.len()],
            };
            columns.push((plugin, weight, normalized));
        }
        (0..nodes.len())
            .map(|i| {
                columns
                    .iter()
                    .map(|(plugin, weight, normalized)| PluginScore {
                        plugin: *plugin,
                        normalized: normalized[i],
                        weight: *weight,
                    })
                    .collect()
            })
            .collect()
    }
}

/// The pods bound to `node` that have not finished, as the scheduler's
/// snapshot holds them (terminating pods included).
pub fn assigned_pods<'a>(store: &'a Store, node: &str) -> impl Iterator<Item = &'a Pod> + 'a {
    store.pods_on_node(node).filter(|p| {
        !matches!(
            p.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        )
    })
}

/// `helper.DefaultNormalizeScore`: scale to 0–100 against the highest score,
/// reversed (the highest becomes 0) when `reverse`.
pub fn default_normalize(scores: &[i64], reverse: bool) -> Vec<i64> {
    let max = scores.iter().copied().max().unwrap_or(0);
    scores
        .iter()
        .map(|&s| {
            if max == 0 {
                if reverse {
                    MAX_NODE_SCORE
                } else {
                    0
                }
            } else {
                let scaled = MAX_NODE_SCORE * s / max;
                if reverse {
                    MAX_NODE_SCORE - scaled
                } else {
                    scaled
                }
            }
        })
        .collect()
}

/// `selectHost`: the highest total; among equal totals each is as likely,
/// drawn by reservoir sampling with `rand` (a number below its argument).
pub fn select_host(totals: &[i64], mut rand: impl FnMut(u64) -> u64) -> Option<usize> {
    let (&first, rest) = totals.split_first()?;
    let (mut best, mut chosen, mut ties) = (first, 0, 1u64);
    for (i, &total) in rest.iter().enumerate() {
        if total > best {
            (best, chosen, ties) = (total, i + 1, 1);
        } else if total == best {
            ties += 1;
            if rand(ties) == 0 {
                chosen = i + 1;
            }
        }
    }
    Some(chosen)
}

/// `<count> <reason>` entries, sorted as strings, joined with `, ` (the
/// `FitError` histogram).
pub fn histogram(reasons: &BTreeMap<String, usize>) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    parts.join(", ")
}
