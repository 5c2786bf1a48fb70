//! Every `kubectl` command in the pages daemonlab was specified from, as the
//! pages write it, runs in a transcript of `tests/scenarios/` and prints what a
//! real cluster prints in that situation. The transcripts replay here too, so
//! the same commands are checked in Chromium (the browser terminal's engine).

use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::script::{run_script, script_of};
use daemonlab_kubectl::Files;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const TRANSCRIPTS: &[(&str, &str)] = &[
    (
        "seed-000-daemonsets-guide.txt",
        include_str!("../../../tests/scenarios/seed-000-daemonsets-guide.txt"),
    ),
    (
        "seed-002-node-exporter.txt",
        include_str!("../../../tests/scenarios/seed-002-node-exporter.txt"),
    ),
    (
        "004-daemonset-article.txt",
        include_str!("../../../tests/scenarios/004-daemonset-article.txt"),
    ),
];

/// The commands of the pages, word for word.
const SEED_COMMANDS: &[&str] = &[
    // 000: the DaemonSets guide
    "kubectl set image daemonset/fluent-bit fluent-bit=fluent/fluent-bit:3.0 -n logging",
    "kubectl rollout status daemonset/fluent-bit -n logging",
    "kubectl rollout undo daemonset/fluent-bit -n logging",
    "kubectl delete pod fluent-bit-7k2x4 -n logging",
    "kubectl get pod -l app=fluent-bit -n logging --field-selector spec.nodeName=worker-1",
    "kubectl delete pod fluent-bit-9m3z8 -n logging",
    "kubectl get pods -l app=fluent-bit -n logging -o wide",
    "kubectl get nodes --no-headers | wc -l",
    "kubectl get pods -l app=fluent-bit -n logging --no-headers | wc -l",
    "kubectl describe daemonset fluent-bit -n logging",
    "kubectl describe node worker-3 | grep -A5 Taints",
    "kubectl drain --ignore-daemonsets",
    // 002: node-exporter
    "kubectl create namespace monitoring",
    "kubectl apply -f node-exporter-ds.yaml",
    "kubectl describe daemonset node-exporter -n monitoring",
    "kubectl get pod -o wide -n monitoring",
    "kubectl label nodes [node] [label_key]=[label_value]",
    "kubectl label nodes node01 ssd=true",
    "kubectl rollout status ds/daemonset-node-exporter -n monitoring",
    "kubectl delete -f daemonset-node-exporter.yaml -n monitoring",
    // 004: the DaemonSet article
    "kubectl get nodes",
    "kubectl get ds node-agent",
    "kubectl get pods -l app=node-agent -o wide",
    "POD=$(kubectl get pods -l app=node-agent -o jsonpath='{.items[0].metadata.name}')",
    r#"kubectl get pod $POD -o jsonpath='{.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms}{"\n"}'"#,
    r#"kubectl get pod $POD -o jsonpath='{range .spec.tolerations[*]}{.key} {.operator} {.effect}{"\n"}{end}'"#,
    "kubectl label node worker-0 disk=ssd",
    "kubectl get ds ssd-agent",
    "kubectl get pods -l app=ssd-agent -o wide",
    r#"kubectl get ds node-agent -o jsonpath='{.spec.updateStrategy.type}{"\n"}'"#,
    "kubectl delete ds node-agent ssd-agent",
    "kubectl label node worker-0 disk-      # remove the label we added",
];

struct ScenarioFiles;

impl Files for ScenarioFiles {
    fn read(&self, path: &str) -> Option<String> {
        (path == "node-exporter-ds.yaml")
            .then(|| include_str!("../../../tests/scenarios/node-exporter-ds.yaml").to_string())
    }
}

/// What follows `$ command` in a transcript, up to the next command or comment.
fn output_of<'a>(transcript: &'a str, command: &str) -> Option<&'a str> {
    let marker = format!("$ {command}\n");
    let start = transcript.find(&marker)? + marker.len();
    let rest = &transcript[start..];
    let end = rest
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| rest[i..].starts_with("$ ") || rest[i..].starts_with('#'))
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[test]
fn every_seed_command_is_in_a_transcript_and_understood() {
    for command in SEED_COMMANDS {
        let found = TRANSCRIPTS
            .iter()
            .find_map(|(_, transcript)| output_of(transcript, command));
        let output = found.unwrap_or_else(|| panic!("no transcript runs `{command}`"));
        for refusal in [
            "unknown command",
            "unknown flag",
            "unknown shorthand flag",
            "command not found",
            "is not supported",
        ] {
            assert!(
                !output.contains(refusal),
                "`{command}` was refused:\n{output}"
            );
        }
    }
}

#[test]
fn the_seed_transcripts_replay_exactly() {
    for (name, transcript) in TRANSCRIPTS {
        let mut cluster = Cluster::new(1);
        let actual = run_script(&mut cluster, &script_of(transcript), &ScenarioFiles);
        assert!(actual == *transcript, "{name} differs:\n{actual}");
    }
}
