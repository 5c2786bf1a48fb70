//! `kubectl --help`, `kubectl VERB --help` and `kubectl help VERB`: kubectl's
//! own help texts for the commands the playground runs.

/// The help text of `path` (`["rollout", "status"]`), if kubectl has one here.
pub(crate) fn text(path: &[&str]) -> Option<&'static str> {
    Some(match path {
        [] => include_str!("help/kubectl.txt"),
        ["get", ..] => include_str!("help/get.txt"),
        ["describe", ..] => include_str!("help/describe.txt"),
        ["apply", ..] => include_str!("help/apply.txt"),
        ["create", "namespace" | "ns", ..] => include_str!("help/create-namespace.txt"),
        ["create", "configmap" | "cm", ..] => include_str!("help/create-configmap.txt"),
        ["create", "deployment" | "deploy", ..] => include_str!("help/create-deployment.txt"),
        ["create", "secret", "generic", ..] => include_str!("help/create-secret-generic.txt"),
        ["create", "secret", ..] => include_str!("help/create-secret.txt"),
        ["create", "service" | "svc", "clusterip", ..] => {
            include_str!("help/create-service-clusterip.txt")
        }
        ["create", "service" | "svc", "nodeport", ..] => {
            include_str!("help/create-service-nodeport.txt")
        }
        ["create", "service" | "svc", "loadbalancer", ..] => {
            include_str!("help/create-service-loadbalancer.txt")
        }
        ["create", "service" | "svc", "externalname", ..] => {
            include_str!("help/create-service-externalname.txt")
        }
        ["create", "service" | "svc", ..] => include_str!("help/create-service.txt"),
        ["create", "job", ..] => include_str!("help/create-job.txt"),
        ["create", "cronjob" | "cj", ..] => include_str!("help/create-cronjob.txt"),
        ["create", "ingress" | "ing", ..] => include_str!("help/create-ingress.txt"),
        ["create", "poddisruptionbudget" | "pdb", ..] => {
            include_str!("help/create-poddisruptionbudget.txt")
        }
        ["create", "priorityclass" | "pc", ..] => include_str!("help/create-priorityclass.txt"),
        ["create", "quota" | "resourcequota", ..] => include_str!("help/create-quota.txt"),
        ["create", ..] => include_str!("help/create.txt"),
        ["delete", ..] => include_str!("help/delete.txt"),
        ["label", ..] => include_str!("help/label.txt"),
        ["annotate", ..] => include_str!("help/annotate.txt"),
        ["taint", ..] => include_str!("help/taint.txt"),
        ["patch", ..] => include_str!("help/patch.txt"),
        ["cordon", ..] => include_str!("help/cordon.txt"),
        ["uncordon", ..] => include_str!("help/uncordon.txt"),
        ["drain", ..] => include_str!("help/drain.txt"),
        ["top", "node" | "nodes" | "no", ..] => include_str!("help/top-node.txt"),
        ["top", "pod" | "pods" | "po", ..] => include_str!("help/top-pod.txt"),
        ["top", ..] => include_str!("help/top.txt"),
        ["events", ..] => include_str!("help/events.txt"),
        ["wait", ..] => include_str!("help/wait.txt"),
        ["edit", ..] => include_str!("help/edit.txt"),
        ["logs", ..] => include_str!("help/logs.txt"),
        ["set", "image", ..] => include_str!("help/set-image.txt"),
        ["set", ..] => include_str!("help/set.txt"),
        ["rollout", "status", ..] => include_str!("help/rollout-status.txt"),
        ["rollout", "history", ..] => include_str!("help/rollout-history.txt"),
        ["rollout", "undo", ..] => include_str!("help/rollout-undo.txt"),
        ["rollout", "restart", ..] => include_str!("help/rollout-restart.txt"),
        ["rollout", "pause", ..] => include_str!("help/rollout-pause.txt"),
        ["rollout", ..] => include_str!("help/rollout.txt"),
        ["explain", ..] => include_str!("help/explain.txt"),
        ["version", ..] => include_str!("help/version.txt"),
        ["api-resources", ..] => include_str!("help/api-resources.txt"),
        _ => return None,
    })
}

/// The help `argv` asks for: `--help`/`-h` anywhere, `help VERB`, or nothing at all.
pub fn requested(argv: &[String]) -> Option<String> {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let path: Vec<&str> = match words.as_slice() {
        [] => Vec::new(),
        ["help", rest @ ..] => rest.to_vec(),
        _ if words.iter().any(|w| *w == "--help" || *w == "-h") => words
            .iter()
            .copied()
            .take_while(|w| !w.starts_with('-'))
            .collect(),
        _ => return None,
    };
    Some(text(&path).map_or_else(
        || {
            format!(
                "error: unknown command \"{}\" for \"kubectl\"",
                path.join(" ")
            )
        },
        str::to_string,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(line: &str) -> Option<String> {
        requested(
            &line
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn help_for_each_verb() {
        assert!(help("")
            .unwrap()
            .starts_with("kubectl controls the Kubernetes cluster manager."));
        assert!(help("get pods --help")
            .unwrap()
            .starts_with("Display one or many resources."));
        assert!(help("help drain")
            .unwrap()
            .starts_with("Drain node in preparation for maintenance."));
        assert!(help("rollout status -h")
            .unwrap()
            .starts_with("Show the status of the rollout."));
        assert!(help("set image --help")
            .unwrap()
            .contains("kubectl set image"));
        assert_eq!(help("get pods"), None);
    }
}
