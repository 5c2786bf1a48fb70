//! `sim explain pod NAME`: the scheduler's last attempt at a pod, node by
//! node and plugin by plugin (which filter rejected each node and why, each
//! score plugin's normalised score and the weighted total), beside what the
//! pod's DaemonSet controller says about its node.

use std::fmt::Write;

use daemonlab_core::api::store::controller_uid;
use daemonlab_core::controllers::pod_condition;
use daemonlab_core::explain::explain;
use daemonlab_core::scheduling::framework::{Attempt, FILTERS, SCORES};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Pod;

use crate::table::layout;

/// The report for pod `namespace/name`, or kubectl's not-found error.
pub fn report(cluster: &Cluster, namespace: &str, name: &str) -> Result<String, String> {
    let key = (namespace.to_string(), name.to_string());
    let pod = cluster
        .store()
        .pod(&key)
        .ok_or_else(|| format!("Error from server (NotFound): pods \"{name}\" not found"))?;
    let mut out = format!("Pod {namespace}/{name}\n");
    match cluster.scheduling_attempt(pod) {
        Some(attempt) => attempt_report(&mut out, pod, attempt),
        None => {
            let _ = writeln!(out, "{}", no_attempt(pod));
        }
    }
    if let Some(line) = daemonset_line(cluster, pod) {
        let _ = write!(out, "\n{line}\n");
    }
    Ok(out)
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

fn attempt_report(out: &mut String, pod: &Pod, attempt: &Attempt) {
    let _ = writeln!(
        out,
        "Last scheduling attempt: {}, {} node(s) in the cluster",
        attempt.at, attempt.total_nodes
    );
    let feasible = attempt
        .nodes
        .iter()
        .filter(|n| n.rejection.is_none())
        .count();
    let scored = attempt.nodes.iter().any(|n| !n.scores.is_empty());
    match &attempt.chosen {
        Some(node) if scored => {
            let _ = writeln!(
                out,
                "Result: bound to {node}, the highest total of {feasible} feasible nodes (equal totals are drawn at random)."
            );
        }
        Some(node) => {
            let _ = writeln!(
                out,
                "Result: bound to {node}, the only node that passed every filter (nothing to score)."
            );
        }
        None => {
            let message = pod_condition(pod, "PodScheduled")
                .filter(|c| c.status == "False")
                .and_then(|c| c.message.clone())
                .unwrap_or_default();
            let _ = writeln!(out, "Result: no node fits. {message}");
        }
    }
    if let Some((plugin, skipped)) = attempt.prefiltered.filter(|(_, n)| *n > 0) {
        let _ = writeln!(
            out,
            "{plugin}'s PreFilter narrowed the search to the node(s) the pod's matchFields metadata.name term names; {skipped} other node(s) were not looked at and count as \"node(s) didn't satisfy plugin(s) [{plugin}]\"."
        );
    }
    let looked = attempt.nodes.len() + attempt.prefiltered.map_or(0, |(_, n)| n);
    if looked < attempt.total_nodes {
        let _ = writeln!(
            out,
            "The scheduler stopped after finding {feasible} feasible node(s) (percentageOfNodesToScore); {} node(s) were not looked at.",
            attempt.total_nodes - looked
        );
    }
    if attempt.nodes.is_empty() {
        return;
    }
    let order: Vec<&str> = FILTERS.iter().map(|p| p.name()).collect();
    let _ = write!(
        out,
        "\nFilters, in order (a node's run stops at the first that rejects it): {}\n",
        order.join(", ")
    );
    let mut rows = vec![vec![
        "NODE".to_string(),
        "FILTERS".to_string(),
        "REJECTED BY".to_string(),
        "REASON".to_string(),
    ]];
    for node in &attempt.nodes {
        rows.push(match &node.rejection {
            None => vec![node.node.clone(), "passed".to_string()],
            Some(r) => vec![
                node.node.clone(),
                format!(
                    "{} of {} passed",
                    FILTERS.iter().position(|p| *p == r.plugin).unwrap_or(0),
                    FILTERS.len()
                ),
                r.plugin.to_string(),
                r.reasons.join(", "),
            ],
        });
    }
    out.push_str(&layout(&rows));
    if !scored {
        return;
    }
    out.push_str("\nScores (each plugin's normalised score, 0-100, times its weight, summed):\n");
    let mut header = vec!["NODE".to_string()];
    header.extend(SCORES.iter().map(|(p, w)| format!("{p}×{w}")));
    header.push("TOTAL".to_string());
    let mut rows = vec![header];
    for node in attempt.nodes.iter().filter(|n| !n.scores.is_empty()) {
        let mut row = vec![node.node.clone()];
        row.extend(node.scores.iter().map(|s| s.normalized.to_string()));
        let chosen = attempt.chosen.as_deref() == Some(node.node.as_str());
        row.push(format!(
            "{}{}",
            node.total(),
            if chosen { " (chosen)" } else { "" }
        ));
        rows.push(row);
    }
    out.push_str(&layout(&rows));
}

/// What the DaemonSet controller says about the node a daemon pod is for.
fn daemonset_line(cluster: &Cluster, pod: &Pod) -> Option<String> {
    let uid = controller_uid(&pod.metadata)?;
    let store = cluster.store();
    let ds = store
        .daemonsets()
        .find(|ds| ds.metadata.uid.as_deref() == Some(uid))?;
    let node =
        store.node(daemonlab_core::controllers::daemonset::pod_template::target_node(pod)?)?;
    Some(format!(
        "DaemonSet {}, for node {}: {}",
        ds.metadata.name.as_deref().unwrap_or(""),
        node.metadata.name.as_deref().unwrap_or(""),
        explain(cluster, ds, node)
    ))
}
