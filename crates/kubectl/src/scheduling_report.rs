//! `sim explain pod NAME`: the scheduler's last decision about a pod as
//! text, node by node (which filter rejected each and why; the score
//! plugins' normalised scores and the weighted total), beside what the pod's
//! DaemonSet controller says about its node.

use daemonlab_core::decision::{decision, Decision, FilterCell};
use daemonlab_core::sim::Cluster;

use crate::table::layout;

/// The report for pod `namespace/name`, or kubectl's not-found error.
pub fn report(cluster: &Cluster, namespace: &str, name: &str) -> Result<String, String> {
    let decision = decision(cluster, namespace, name)
        .ok_or_else(|| format!("Error from server (NotFound): pods \"{name}\" not found"))?;
    Ok(render(&decision))
}

fn render(d: &Decision) -> String {
    let mut out = format!("Pod {}\n{}\n", d.pod, d.summary);
    for note in &d.notes {
        out.push_str(note);
        out.push('\n');
    }
    if !d.rows.is_empty() {
        out.push_str(&format!(
            "\nFilters, in order (a node's run stops at the first that rejects it): {}\n",
            d.filters.join(", ")
        ));
        let mut rows = vec![vec![
            "NODE".to_string(),
            "FILTERS".to_string(),
            "REJECTED BY".to_string(),
            "REASON".to_string(),
        ]];
        for row in &d.rows {
            let rejected = row.filters.iter().position(|c| *c == FilterCell::Rejected);
            rows.push(match rejected {
                None => vec![row.node.clone(), "passed".to_string()],
                Some(at) => vec![
                    row.node.clone(),
                    format!("{at} of {} passed", d.filters.len()),
                    d.filters[at].to_string(),
                    row.reason.clone(),
                ],
            });
        }
        out.push_str(&layout(&rows));
    }
    if d.rows.iter().any(|r| r.total.is_some()) {
        out.push_str(
            "\nScores (each plugin's normalised score, 0-100, times its weight, summed):\n",
        );
        let mut header = vec!["NODE".to_string()];
        header.extend(d.scores.iter().map(|(p, w)| format!("{p}×{w}")));
        header.push("TOTAL".to_string());
        let mut rows = vec![header];
        for row in d.rows.iter().filter(|r| r.total.is_some()) {
            let mut cells = vec![row.node.clone()];
            cells.extend(row.scores.iter().map(i64::to_string));
            let total = row.total.unwrap_or_default();
            cells.push(if row.chosen {
                format!("{total} (chosen)")
            } else {
                total.to_string()
            });
            rows.push(cells);
        }
        out.push_str(&layout(&rows));
    }
    if let Some(word) = &d.daemonset {
        out.push_str(&format!("\n{word}\n"));
    }
    out
}
