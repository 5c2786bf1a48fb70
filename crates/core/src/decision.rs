//! A pod's last scheduling decision, ready to show (`sim explain pod` prints
//! it, the page draws it as a table): what happened, in a sentence, and for
//! each node looked at which filters it passed, the one that rejected it and
//! why, and each score plugin's normalised score with the weighted total.

use k8s_openapi::api::core::v1::Pod;

use crate::api::store::controller_uid;
use crate::controllers::daemonset::pod_template::target_node;
use crate::controllers::pod_condition;
use crate::explain::explain;
use crate::scheduling::framework::{Attempt, FILTERS, SCORES};
use crate::sim::Cluster;

/// What one filter said about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterCell {
    Passed,
    /// The filter that rejected the node.
    Rejected,
    /// Not run: an earlier filter rejected the node.
    NotRun,
}

/// One node of the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRow {
    pub node: String,
    /// One per filter, in [`Decision::filters`] order.
    pub filters: Vec<FilterCell>,
    /// The rejecting filter's reasons, joined.
    pub reason: String,
    /// Normalised scores in [`Decision::scores`] order; empty when the node
    /// was not scored.
    pub scores: Vec<i64>,
    pub total: Option<i64>,
    pub chosen: bool,
}

/// A pod's last scheduling decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub pod: String,
    /// What happened, in a sentence or two.
    pub summary: String,
    /// What else a reader needs to read the table (nodes not looked at).
    pub notes: Vec<String>,
    /// The filter plugins, in the order they run.
    pub filters: Vec<&'static str>,
    /// The score plugins and their weights.
    pub scores: Vec<(&'static str, i64)>,
    pub rows: Vec<DecisionRow>,
    /// What the DaemonSet controller says about the pod's node, for a daemon pod.
    pub daemonset: Option<String>,
}

/// The decision about pod `namespace/name`, or `None` if there is no such pod.
pub fn decision(cluster: &Cluster, namespace: &str, name: &str) -> Option<Decision> {
    let pod = cluster
        .store()
        .pod(&(namespace.to_string(), name.to_string()))?;
    let mut decision = Decision {
        pod: format!("{namespace}/{name}"),
        summary: String::new(),
        notes: Vec::new(),
        filters: FILTERS.iter().map(|p| p.name()).collect(),
        scores: SCORES.iter().map(|(p, w)| (p.name(), *w)).collect(),
        rows: Vec::new(),
        daemonset: daemonset_word(cluster, pod),
    };
    match cluster.scheduling_attempt(pod) {
        Some(attempt) => describe_attempt(&mut decision, pod, attempt),
        None => decision.summary = no_attempt(pod),
    }
    Some(decision)
}

/// Why there is no attempt to show.
fn no_attempt(pod: &Pod) -> String {
    let spec = pod.spec.as_ref();
    let node = spec
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty());
    let scheduler = spec
        .and_then(|s| s.scheduler_name.as_deref())
        .unwrap_or("default-scheduler");
    match node {
        Some(node) => format!(
            "The scheduler never placed this pod: it was created with spec.nodeName: {node}, so it went straight to that node's kubelet, which admits it or rejects it."
        ),
        None if scheduler != "default-scheduler" => format!(
            "The pod waits for the scheduler \"{scheduler}\" (spec.schedulerName), which does not run in this cluster."
        ),
        None => "The scheduler has not tried this pod yet.".to_string(),
    }
}

fn describe_attempt(decision: &mut Decision, pod: &Pod, attempt: &Attempt) {
    let feasible = attempt
        .nodes
        .iter()
        .filter(|n| n.rejection.is_none())
        .count();
    let scored = attempt.nodes.iter().any(|n| !n.scores.is_empty());
    let when = format!(
        "Last scheduling attempt: {}, {} node(s) in the cluster.",
        attempt.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        attempt.total_nodes
    );
    let outcome = match &attempt.chosen {
        Some(node) if scored => format!(
            "Bound to {node}, the highest total of {feasible} feasible nodes (equal totals are drawn at random)."
        ),
        Some(node) => {
            format!("Bound to {node}, the only node that passed every filter (nothing to score).")
        }
        None => {
            let message = pod_condition(pod, "PodScheduled")
                .filter(|c| c.status == "False")
                .and_then(|c| c.message.clone())
                .unwrap_or_default();
            format!("No node fits. {message}")
        }
    };
    decision.summary = format!("{when}\n{outcome}");
    if let Some((plugin, skipped)) = attempt.prefiltered.filter(|(_, n)| *n > 0) {
        decision.notes.push(format!(
            "{plugin}'s PreFilter narrowed the search to the node(s) the pod's matchFields metadata.name term names; {skipped} other node(s) were not looked at and count as \"node(s) didn't satisfy plugin(s) [{plugin}]\"."
        ));
    }
    let looked = attempt.nodes.len() + attempt.prefiltered.map_or(0, |(_, n)| n);
    if looked < attempt.total_nodes {
        decision.notes.push(format!(
            "The scheduler stopped after finding {feasible} feasible node(s) (percentageOfNodesToScore); {} node(s) were not looked at.",
            attempt.total_nodes - looked
        ));
    }
    decision.rows = attempt
        .nodes
        .iter()
        .map(|node| {
            let failed_at = node
                .rejection
                .as_ref()
                .and_then(|r| FILTERS.iter().position(|p| *p == r.plugin));
            let filters = (0..FILTERS.len())
                .map(|i| match failed_at {
                    Some(at) if i == at => FilterCell::Rejected,
                    Some(at) if i > at => FilterCell::NotRun,
                    _ => FilterCell::Passed,
                })
                .collect();
            DecisionRow {
                node: node.node.clone(),
                filters,
                reason: node
                    .rejection
                    .as_ref()
                    .map(|r| r.reasons.join(", "))
                    .unwrap_or_default(),
                scores: node.scores.iter().map(|s| s.normalized).collect(),
                total: (!node.scores.is_empty()).then(|| node.total()),
                chosen: attempt.chosen.as_deref() == Some(node.node.as_str()),
            }
        })
        .collect();
}

/// What the DaemonSet controller says about the node a daemon pod is for.
fn daemonset_word(cluster: &Cluster, pod: &Pod) -> Option<String> {
    let uid = controller_uid(&pod.metadata)?;
    let store = cluster.store();
    let ds = store
        .daemonsets()
        .find(|ds| ds.metadata.uid.as_deref() == Some(uid))?;
    let node = store.node(target_node(pod)?)?;
    Some(format!(
        "DaemonSet {}, for node {}: {}",
        ds.metadata.name.as_deref().unwrap_or(""),
        node.metadata.name.as_deref().unwrap_or(""),
        explain(cluster, ds, node)
    ))
}
