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
        let kind = kind_of(manifest).expect("a served kind");
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
