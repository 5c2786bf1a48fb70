//! The starter cluster, end to end through the core: which pods land where, and
//! what a refused apply leaves behind. Runs natively and, under wasm-pack, in Chromium.

use daemonlab_core::samples::STARTER;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::cluster_view;

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
    let results = cluster.apply_yaml(STARTER).expect("the starter decodes");
    let lines: Vec<String> = results
        .into_iter()
        .map(|r| r.map(|a| a.to_string()).unwrap_or_else(|e| e.to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            "node/control-plane created",
            "node/worker-1 created",
            "node/worker-2 created",
            "daemonset.apps/node-exporter created",
        ]
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
    let results = cluster.apply_yaml(&tolerating).expect("decodes");
    let last = results
        .last()
        .cloned()
        .expect("four results")
        .expect("applies");
    assert_eq!(last.to_string(), "daemonset.apps/node-exporter configured");
    let placed = placement(&cluster);
    assert!(placed.iter().all(|(_, pods)| pods.len() == 1), "{placed:?}");
    assert!(cluster_view(&cluster).nodes[0].not_running.is_empty());
}

#[test]
fn broken_yaml_is_refused_with_its_position_and_changes_nothing() {
    let mut cluster = started();
    let before = placement(&cluster);
    let broken = STARTER.replacen("  name: worker-1\n", "  name: worker-1\n bad: indent\n", 1);
    let error = cluster.apply_yaml(&broken).expect_err("refused");
    let line = broken
        .lines()
        .position(|l| l == " bad: indent")
        .expect("the bad line")
        + 1;
    assert_eq!(error.location.map(|l| l.line), Some(line), "{error}");
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
    other.apply_yaml(STARTER).expect("decodes");
    assert_ne!(names(&started()), names(&other));
}

#[test]
fn reapplying_the_same_text_changes_nothing() {
    let mut cluster = started();
    let pods_before: Vec<_> = cluster.store().pods().cloned().collect();
    let lines: Vec<String> = cluster
        .apply_yaml(STARTER)
        .expect("decodes")
        .into_iter()
        .map(|r| r.map(|a| a.to_string()).unwrap_or_else(|e| e.to_string()))
        .collect();
    assert_eq!(
        lines,
        [
            "node/control-plane unchanged",
            "node/worker-1 unchanged",
            "node/worker-2 unchanged",
            "daemonset.apps/node-exporter unchanged",
        ]
    );
    let pods_after: Vec<_> = cluster.store().pods().cloned().collect();
    assert_eq!(pods_before, pods_after);
}

#[test]
fn a_label_removed_from_the_manifest_is_removed_from_the_node() {
    let mut cluster = started();
    let without_ssd = STARTER.replacen("    disk: ssd\n", "    tier: web\n", 1);
    let results = cluster.apply_yaml(&without_ssd).expect("decodes");
    assert_eq!(
        results[1].clone().expect("applies").to_string(),
        "node/worker-1 configured"
    );
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
