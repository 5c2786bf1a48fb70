//! What the API server keeps between commands: immutable fields, generations,
//! and deletion with owner references.

use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::Kind;
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::apply;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NODES: &str = "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: worker-2\n";
const AGENT: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels:\n      app: agent\n  template:\n    metadata:\n      labels:\n        app: agent\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n";

fn with_agent() -> Cluster {
    let mut cluster = Cluster::new(1);
    assert_eq!(apply(&mut cluster, NODES, "STDIN").stderr(), "");
    assert_eq!(apply(&mut cluster, AGENT, "STDIN").stderr(), "");
    cluster.settle();
    cluster
}

fn generation(cluster: &Cluster) -> (Option<i64>, String) {
    let ds = cluster.store().daemonsets().next().expect("the DaemonSet");
    let template_generation = ds
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deprecated.daemonset.template.generation"))
        .cloned()
        .unwrap_or_default();
    (ds.metadata.generation, template_generation)
}

#[test]
fn the_selector_of_a_daemonset_cannot_change() {
    let mut cluster = with_agent();
    let moved = AGENT.replace("app: agent", "app: other");
    let report = apply(&mut cluster, &moved, "STDIN");
    assert_eq!(
        report.stderr(),
        "The DaemonSet \"agent\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"other\"}}: field is immutable\n"
    );
    assert_eq!(generation(&cluster), (Some(1), "1".to_string()));
}

#[test]
fn generations_follow_the_spec_and_the_template() {
    let mut cluster = with_agent();
    let slower = AGENT.replace(
        "spec:\n  selector:",
        "spec:\n  minReadySeconds: 5\n  selector:",
    );
    assert_eq!(
        apply(&mut cluster, &slower, "STDIN").stdout(),
        "daemonset.apps/agent configured\n"
    );
    assert_eq!(
        generation(&cluster),
        (Some(2), "1".to_string()),
        "spec change, same template"
    );
    let newer = slower.replace("busybox:1.36", "busybox:1.37");
    assert_eq!(
        apply(&mut cluster, &newer, "STDIN").stdout(),
        "daemonset.apps/agent configured\n"
    );
    assert_eq!(
        generation(&cluster),
        (Some(3), "2".to_string()),
        "template change"
    );
    let labelled = newer.replace(
        "  name: agent\n",
        "  name: agent\n  labels:\n    team: infra\n",
    );
    assert_eq!(
        apply(&mut cluster, &labelled, "STDIN").stdout(),
        "daemonset.apps/agent configured\n"
    );
    assert_eq!(
        generation(&cluster),
        (Some(3), "2".to_string()),
        "metadata only"
    );
}

#[test]
fn deleting_a_daemonset_deletes_its_pods() {
    let mut cluster = with_agent();
    assert_eq!(cluster.store().pods().count(), 2);
    cluster
        .delete(
            Kind::DaemonSet,
            "default",
            "agent",
            Cascade::Background,
            None,
        )
        .expect("deleted");
    cluster.settle();
    assert_eq!(cluster.store().pods().count(), 0);
}

#[test]
fn orphaned_pods_stay_without_their_owner() {
    let mut cluster = with_agent();
    cluster
        .delete(Kind::DaemonSet, "default", "agent", Cascade::Orphan, None)
        .expect("deleted");
    cluster.settle();
    let owners: Vec<_> = cluster
        .store()
        .pods()
        .map(|p| p.metadata.owner_references.clone())
        .collect();
    assert_eq!(owners, [None, None]);
}

#[test]
fn deleting_what_is_not_there_is_not_found() {
    let mut cluster = with_agent();
    let error = cluster
        .delete(
            Kind::DaemonSet,
            "default",
            "nope",
            Cascade::Background,
            None,
        )
        .expect_err("not found");
    assert_eq!(error.to_string(), "daemonsets.apps \"nope\" not found");
}
