//! The cluster driven through the core's own API (no kubectl): placement and
//! determinism, natively and, under wasm-pack, in Chromium.

use daemonlab_core::api::decode::{kind_of, manifests};
use daemonlab_core::samples::STARTER;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::cluster_view;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn started(seed: u64) -> Cluster {
    let mut cluster = Cluster::new(seed);
    let (found, error) = manifests(STARTER);
    assert_eq!(error, None);
    for manifest in &found {
        let kind = kind_of(manifest, cluster.store()).expect("a served kind");
        cluster
            .apply_manifest(kind, &manifest.json, "default")
            .expect("applies");
    }
    cluster.settle();
    cluster
}

fn pods_per_node(cluster: &Cluster) -> Vec<(String, Vec<String>)> {
    cluster_view(cluster)
        .nodes
        .into_iter()
        .map(|n| (n.name, n.pods.into_iter().map(|p| p.name).collect()))
        .collect()
}

#[test]
fn the_starter_runs_one_pod_per_worker() {
    let placed = pods_per_node(&started(1));
    let counts: Vec<(&str, usize)> = placed.iter().map(|(n, p)| (n.as_str(), p.len())).collect();
    assert_eq!(
        counts,
        [("control-plane", 0), ("worker-1", 1), ("worker-2", 1)]
    );
}

#[test]
fn a_seed_fixes_every_generated_name() {
    assert_eq!(pods_per_node(&started(7)), pods_per_node(&started(7)));
    assert_ne!(pods_per_node(&started(7)), pods_per_node(&started(8)));
}

#[test]
fn every_namespace_starts_with_its_service_account() {
    let cluster = started(1);
    let accounts: Vec<_> = cluster
        .store()
        .list(daemonlab_core::api::Kind::ServiceAccount)
        .map(|o| format!("{}/{}", o.namespace(), o.name()))
        .collect();
    assert_eq!(
        accounts,
        [
            "default/default",
            "kube-node-lease/default",
            "kube-public/default",
            "kube-system/default"
        ]
    );
}

fn apply_json(cluster: &mut Cluster, kind: daemonlab_core::api::Kind, manifest: serde_json::Value) {
    cluster
        .apply_manifest(kind, &manifest, "default")
        .expect("applies");
    cluster.reconcile();
}

/// A node, tainted `KEY=true:NoSchedule` when `taint` names a key.
fn add_node(
    cluster: &mut Cluster,
    name: &str,
    taint: Option<&str>,
    status: Option<serde_json::Value>,
) {
    use serde_json::json;
    let taints = taint.map_or(
        json!([]),
        |k| json!([{"key": k, "value": "true", "effect": "NoSchedule"}]),
    );
    let mut node = json!({"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name}, "spec": {"taints": taints}});
    if let Some(status) = status {
        node["status"] = status;
    }
    apply_json(cluster, daemonlab_core::api::Kind::Node, node);
}

/// The DaemonSet `agent`, whose image never pulls, with these resources.
fn add_agent(cluster: &mut Cluster, resources: serde_json::Value) {
    use serde_json::json;
    apply_json(
        cluster,
        daemonlab_core::api::Kind::DaemonSet,
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}},
            "template": {"metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "agent", "image": "example/agent:missing",
                    "resources": resources}]}}}}),
    );
}

#[test]
fn each_node_says_why_its_daemon_pod_is_not_running() {
    use daemonlab_core::explain::explain;
    use serde_json::json;
    let mut cluster = Cluster::new(1);
    for (name, cpu, taint) in [
        ("small", "1", None),
        ("big", "8", None),
        ("gpu", "8", Some("gpu")),
    ] {
        let status = json!({"capacity": {"cpu": cpu, "memory": "16Gi", "pods": "110"}});
        add_node(&mut cluster, name, taint, Some(status));
    }
    add_agent(&mut cluster, json!({"requests": {"cpu": "2"}}));
    cluster.advance(std::time::Duration::from_secs(5));
    let store = cluster.store();
    let ds = store.daemonsets().next().expect("the DaemonSet");
    let why = |node: &str| explain(&cluster, ds, store.node(node).expect("a node")).to_string();
    assert_eq!(
        why("gpu"),
        "node has taint gpu=true:NoSchedule that the pod does not tolerate; no new daemon pod is placed, an existing one may stay"
    );
    assert!(
        why("small").contains("is Pending: the scheduler's NodeResourcesFit filter rejects this node: Insufficient cpu"),
        "{}",
        why("small")
    );
    assert!(
        why("big").contains(
            "is waiting: ImagePullBackOff: Back-off pulling image \"example/agent:missing\""
        ),
        "{}",
        why("big")
    );
}

#[test]
fn nodes_in_the_same_situation_say_it_in_the_same_words() {
    use serde_json::json;
    let mut cluster = Cluster::new(1);
    for (name, taint) in [
        ("a", None),
        ("b", None),
        ("c", Some("gpu")),
        ("d", Some("gpu")),
    ] {
        add_node(&mut cluster, name, taint, None);
    }
    add_agent(&mut cluster, json!({}));
    cluster.advance(std::time::Duration::from_secs(5));
    let view = cluster_view(&cluster);
    let situation: Vec<(String, String)> = view
        .nodes
        .iter()
        .map(|n| (n.name.clone(), n.situation()))
        .collect();
    // Each of a and b has its own pod, stuck the same way; the pod's name is
    // in the reason, not in the situation.
    assert_eq!(situation[0].1, situation[1].1, "{situation:?}");
    assert_eq!(
        situation[0].1,
        "Ready · no agent pod: waiting: ImagePullBackOff"
    );
    assert_eq!(situation[2].1, situation[3].1);
    assert_eq!(
        situation[2].1,
        "Ready · no agent pod: node has taint gpu=true:NoSchedule that the pod does not tolerate; no new daemon pod is placed, an existing one may stay"
    );
}
