//! Every gallery scenario of the playground applies cleanly and settles where
//! its lesson says, natively and in Chromium.

use std::collections::BTreeMap;

use daemonlab_core::samples::GALLERY;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::cluster_view;
use daemonlab_kubectl::apply::apply;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// For each node, `owner status` of its pods, once the scenario has settled.
fn settled(id: &str) -> BTreeMap<String, Vec<String>> {
    let scenario = GALLERY.iter().find(|s| s.id == id).expect("a scenario");
    let mut cluster = Cluster::new(1);
    let report = apply(&mut cluster, scenario.yaml, "STDIN");
    assert_eq!(report.stderr(), "", "{id} applies cleanly");
    cluster.settle();
    cluster_view(&cluster)
        .nodes
        .into_iter()
        .map(|n| {
            let pods = n
                .pods
                .iter()
                .map(|p| {
                    let owner = p.owner.clone().unwrap_or_else(|| p.name.clone());
                    format!("{owner} {}", p.status)
                })
                .collect();
            (n.name, pods)
        })
        .collect()
}

fn on(placement: &BTreeMap<String, Vec<String>>, node: &str) -> Vec<String> {
    placement.get(node).cloned().unwrap_or_default()
}

#[test]
fn every_scenario_settles_as_its_lesson_says() {
    assert_eq!(GALLERY.len(), 12);
    let every = settled("every-node");
    assert!(on(&every, "control-plane").is_empty());
    for node in ["worker-1", "worker-2", "worker-3"] {
        assert_eq!(on(&every, node), ["node-exporter Running"]);
    }
    let tolerate = settled("tolerate-all");
    assert_eq!(on(&tolerate, "control-plane"), ["everywhere-agent Running"]);
    assert_eq!(on(&tolerate, "worker-1").len(), 2);
    let ssd = settled("disk-ssd");
    assert_eq!(on(&ssd, "worker-1"), ["ssd-agent Running"]);
    assert!(on(&ssd, "worker-2").is_empty() && on(&ssd, "worker-3").is_empty());
    let gpu = settled("gpu-affinity");
    assert_eq!(on(&gpu, "gpu-1"), ["gpu-exporter Running"]);
    assert!(on(&gpu, "gpu-2").is_empty() && on(&gpu, "worker-1").is_empty());
    let down = settled("node-down");
    assert_eq!(on(&down, "worker-2"), ["log-agent Running", "web Running"]);
    let rolling = settled("rolling-update");
    assert_eq!(rolling.len(), 6);
    assert!(rolling.values().all(|pods| pods == &["fluent-bit Running"]));
    let surge = settled("max-surge");
    assert_eq!(
        on(&surge, "worker-1"),
        ["port-agent Running", "surge-agent Running"]
    );
    assert_eq!(
        on(&settled("on-delete"), "worker-2"),
        ["careful-agent Running"]
    );
    assert_eq!(
        on(&settled("stuck-rollout"), "worker-3"),
        ["node-agent Running"]
    );
    let pressure = settled("resource-pressure");
    assert_eq!(
        on(&pressure, "small-node"),
        ["batch-job Running", "heavy-agent Pending"]
    );
    assert_eq!(on(&pressure, "big-node"), ["heavy-agent Running"]);
    let preemption = settled("preemption");
    assert_eq!(on(&preemption, "small-node"), ["critical-agent Running"]);
    let drain = settled("drain");
    assert_eq!(on(&drain, "worker-1"), ["log-agent Running", "web Running"]);
}
