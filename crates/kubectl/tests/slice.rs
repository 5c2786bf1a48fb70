//! The starter cluster through `kubectl apply`: which pods land where, what kubectl
//! prints, and what a refused apply leaves behind. Runs natively and, under
//! wasm-pack, in Chromium.

use daemonlab_core::samples::STARTER;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::cluster_view;
use daemonlab_kubectl::apply::apply;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// `node -> [pod status]` for every node.
fn placement(cluster: &Cluster) -> Vec<(String, Vec<String>)> {
    cluster_view(cluster)
        .nodes
        .into_iter()
        .map(|n| (n.name, n.pods.into_iter().map(|p| p.status).collect()))
        .collect()
}

fn started() -> Cluster {
    let mut cluster = Cluster::new(1);
    let report = apply(&mut cluster, STARTER, "STDIN");
    cluster.settle();
    assert_eq!(report.stderr(), "");
    assert_eq!(
        report.stdout(),
        "node/control-plane created\nnode/worker-1 created\nnode/worker-2 created\ndaemonset.apps/node-exporter created\n"
    );
    cluster
}

#[test]
fn daemon_pods_land_on_the_workers_only() {
    let cluster = started();
    assert_eq!(
        placement(&cluster),
        [
            ("control-plane".to_string(), vec![]),
            ("worker-1".to_string(), vec!["Running".to_string()]),
            ("worker-2".to_string(), vec!["Running".to_string()]),
        ]
    );
    let view = cluster_view(&cluster);
    assert_eq!(
        view.nodes[0].not_running[0].reason,
        "node has taint node-role.kubernetes.io/control-plane:NoSchedule that the pod does not tolerate; no new daemon pod is placed, an existing one may stay"
    );
    let ds = cluster.store().daemonsets().next().expect("the DaemonSet");
    let status = ds.status.clone().expect("a status");
    assert_eq!(
        (
            status.desired_number_scheduled,
            status.current_number_scheduled,
            status.number_ready,
            status.updated_number_scheduled,
            status.number_available,
            status.number_misscheduled,
        ),
        (2, 2, 2, Some(2), Some(2), 0)
    );
}

#[test]
fn a_toleration_brings_a_pod_to_the_control_plane() {
    let mut cluster = started();
    let tolerating = STARTER
        .replace("      # tolerations:", "      tolerations:")
        .replace("      # - key: node-role", "      - key: node-role")
        .replace("      #   operator: Exists", "        operator: Exists")
        .replace("      #   effect: NoSchedule", "        effect: NoSchedule");
    let report = apply(&mut cluster, &tolerating, "STDIN");
    cluster.settle();
    assert_eq!(
        report.stdout(),
        "node/control-plane unchanged\nnode/worker-1 unchanged\nnode/worker-2 unchanged\ndaemonset.apps/node-exporter configured\n"
    );
    let placed = placement(&cluster);
    assert!(placed.iter().all(|(_, pods)| pods.len() == 1), "{placed:?}");
    assert!(cluster_view(&cluster).nodes[0].not_running.is_empty());
}

#[test]
fn broken_yaml_is_refused_with_its_position_and_changes_nothing() {
    let mut cluster = started();
    let before = placement(&cluster);
    let broken = STARTER.replacen("  name: worker-1\n", "  name: worker-1\n bad: indent\n", 1);
    let report = apply(&mut cluster, &broken, "STDIN");
    let line = broken
        .lines()
        .position(|l| l == " bad: indent")
        .expect("the bad line")
        + 1;
    let error = report.syntax_error.clone().expect("a syntax error");
    assert_eq!(error.location.map(|l| l.line), Some(line), "{error}");
    // go-yaml numbers parser errors from 0, so kubectl names the line before.
    assert_eq!(
        report.stderr(),
        format!("error: error parsing STDIN: error converting YAML to JSON: yaml: line {}: did not find expected key\n", line - 1)
    );
    // The control plane came before the error and was applied (unchanged).
    assert_eq!(report.stdout(), "node/control-plane unchanged\n");
    assert_eq!(placement(&cluster), before);
}

#[test]
fn the_same_seed_gives_the_same_pod_names() {
    let names = |cluster: &Cluster| -> Vec<String> {
        cluster
            .store()
            .pods()
            .filter_map(|p| p.metadata.name.clone())
            .collect()
    };
    assert_eq!(names(&started()), names(&started()));
    let mut other = Cluster::new(2);
    apply(&mut other, STARTER, "STDIN");
    other.settle();
    assert_ne!(names(&started()), names(&other));
}

#[test]
fn reapplying_the_same_text_changes_nothing() {
    let mut cluster = started();
    let pods_before: Vec<_> = cluster.store().pods().cloned().collect();
    let report = apply(&mut cluster, STARTER, "STDIN");
    assert_eq!(
        report.stdout(),
        "node/control-plane unchanged\nnode/worker-1 unchanged\nnode/worker-2 unchanged\ndaemonset.apps/node-exporter unchanged\n"
    );
    let pods_after: Vec<_> = cluster.store().pods().cloned().collect();
    assert_eq!(pods_before, pods_after);
}

#[test]
fn a_label_removed_from_the_manifest_is_removed_from_the_node() {
    let mut cluster = started();
    let without_ssd = STARTER.replacen("    disk: ssd\n", "    tier: web\n", 1);
    let report = apply(&mut cluster, &without_ssd, "STDIN");
    assert!(report.stdout().contains("node/worker-1 configured\n"));
    let node = cluster_view(&cluster).nodes.remove(1);
    assert_eq!(node.labels, ["tier=web"]);
    let labels = cluster
        .store()
        .node("worker-1")
        .and_then(|n| n.metadata.labels.clone())
        .unwrap_or_default();
    assert_eq!(
        labels.get("kubernetes.io/hostname").map(String::as_str),
        Some("worker-1"),
        "the kubelet's labels stay"
    );
}
