//! Tab completion for the terminal: commands, kubectl verbs, resource types and
//! the names of the objects in the cluster, as kubectl's shell completion offers them.

use daemonlab_core::api::Kind;
use daemonlab_core::sim::Cluster;

use crate::resources::resolve;
use crate::shell::COMMANDS;

/// The verbs the playground runs, in the order completion lists them.
pub const VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "cordon",
    "create",
    "delete",
    "describe",
    "drain",
    "events",
    "explain",
    "get",
    "label",
    "logs",
    "patch",
    "rollout",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

fn names(cluster: &Cluster, kind: Kind, namespace: &str) -> Vec<String> {
    cluster
        .store()
        .list(kind)
        .filter(|o| !kind.namespaced() || o.namespace() == namespace)
        .map(|o| o.name().to_string())
        .collect()
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

/// Where the word being completed starts in `line`, and what it may become.
pub fn complete(cluster: &Cluster, line: &str) -> (usize, Vec<String>) {
    let start = line.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let current = &line[start..];
    let words: Vec<&str> = line[..start].split_whitespace().collect();
    let namespace = words
        .windows(2)
        .find(|w| w[0] == "-n" || w[0] == "--namespace")
        .map_or("default", |w| w[1]);
    // Only positional words count for the position; flags and their values are skipped.
    let mut positional: Vec<&str> = Vec::new();
    let mut skip = false;
    for word in &words {
        if skip {
            skip = false;
        } else if word.starts_with('-') {
            skip = matches!(
                *word,
                "-n" | "--namespace" | "-l" | "-o" | "-f" | "--selector" | "--output"
            );
        } else {
            positional.push(word);
        }
    }
    let previous = words.last().copied().unwrap_or("");
    let candidates: Vec<String> = if matches!(previous, "-n" | "--namespace") {
        names(cluster, Kind::Namespace, "")
    } else {
        match positional.as_slice() {
            [] => owned(COMMANDS),
            ["kubectl"] => owned(VERBS),
            ["sim"] => owned(&["advance", "explain", "node", "settle"]),
            ["sim", "explain"] => owned(&["pod"]),
            ["sim", "explain", "pod"] => names(cluster, Kind::Pod, "default"),
            ["sim", "node"] => owned(&["down", "up"]),
            ["sim", "node", _] => names(cluster, Kind::Node, ""),
            ["kubectl", "rollout"] => owned(&["history", "pause", "restart", "status", "undo"]),
            ["kubectl", "set"] => owned(&["image"]),
            ["kubectl", "top"] => owned(&["node", "pod"]),
            ["kubectl", "top", "node" | "nodes" | "no"] => names(cluster, Kind::Node, ""),
            ["kubectl", "top", "pod" | "pods" | "po"] => names(cluster, Kind::Pod, namespace),
            ["kubectl", "create"] => owned(&["namespace"]),
            ["kubectl", "rollout" | "set", _] => names(cluster, Kind::DaemonSet, namespace)
                .into_iter()
                .map(|n| format!("daemonset/{n}"))
                .collect(),
            ["kubectl", "cordon" | "uncordon" | "drain"] => names(cluster, Kind::Node, ""),
            ["kubectl", "taint"] => owned(&["nodes"]),
            ["kubectl", "taint", _] => names(cluster, Kind::Node, ""),
            ["kubectl", "get" | "describe" | "delete" | "label" | "annotate" | "explain"] => {
                let mut types: Vec<String> =
                    Kind::ALL.iter().map(|k| k.plural().to_string()).collect();
                types.sort();
                types
            }
            ["kubectl", "get" | "describe" | "delete" | "label" | "annotate", kind, ..] => {
                resolve(cluster.store(), kind)
                    .map_or_else(Vec::new, |kind| names(cluster, kind, namespace))
            }
            _ => Vec::new(),
        }
    };
    let matching = candidates
        .into_iter()
        .filter(|c| c.starts_with(current))
        .collect();
    (start, matching)
}

/// The longest text every candidate starts with.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut prefix = first.clone();
    for candidate in &candidates[1..] {
        while !candidate.starts_with(&prefix) {
            prefix.pop();
        }
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_what_comes_next() {
        let mut cluster = Cluster::new(1);
        crate::apply::apply(
            &mut cluster,
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: worker-2\n",
            "STDIN",
        );
        assert_eq!(complete(&cluster, "kub"), (0, vec!["kubectl".to_string()]));
        assert_eq!(complete(&cluster, "kubectl de").1, ["delete", "describe"]);
        assert_eq!(complete(&cluster, "kubectl get no").1, ["nodes"]);
        assert_eq!(
            complete(&cluster, "kubectl describe nodes w"),
            (23, vec!["worker-1".to_string(), "worker-2".to_string()])
        );
        assert_eq!(
            complete(&cluster, "kubectl get pods -n kube-s").1,
            ["kube-system"]
        );
        assert_eq!(
            complete(&cluster, "kubectl drain worker-2 --ig").1,
            Vec::<String>::new()
        );
        assert_eq!(complete(&cluster, "sim node down worker-1").1, ["worker-1"]);
        assert_eq!(
            common_prefix(&["worker-1".into(), "worker-2".into()]),
            "worker-"
        );
    }
}
