//! Property tests: random sequences of node, DaemonSet and time events, then
//! checks that hold in any settled cluster.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::time::Duration;

use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::controllers::daemonset::placement::should_run_on;
use daemonlab_core::controllers::daemonset::pod_template::target_node;
use daemonlab_core::controllers::{is_pod_ready, pod_node_name};
use daemonlab_core::sim::Cluster;
use proptest::prelude::*;
use serde_json::json;

const NODES: [&str; 4] = ["n0", "n1", "n2", "n3"];
const SETS: [&str; 3] = ["d0", "d1", "d2"];

#[derive(Clone, Debug)]
enum Step {
    AddNode {
        node: usize,
        ssd: bool,
        taint: Option<&'static str>,
    },
    DeleteNode(usize),
    Label {
        node: usize,
        ssd: bool,
    },
    Cordon {
        node: usize,
        on: bool,
    },
    Down(usize),
    Up(usize),
    ApplySet {
        set: usize,
        ssd_only: bool,
        tolerate_all: bool,
        image: &'static str,
    },
    DeleteSet(usize),
    Advance(u64),
}

fn step() -> impl Strategy<Value = Step> {
    let node = 0..NODES.len();
    let set = 0..SETS.len();
    prop_oneof![
        (
            node.clone(),
            any::<bool>(),
            prop::option::of(prop_oneof![Just("NoSchedule"), Just("NoExecute")])
        )
            .prop_map(|(node, ssd, taint)| Step::AddNode { node, ssd, taint }),
        node.clone().prop_map(Step::DeleteNode),
        (node.clone(), any::<bool>()).prop_map(|(node, ssd)| Step::Label { node, ssd }),
        (node.clone(), any::<bool>()).prop_map(|(node, on)| Step::Cordon { node, on }),
        node.clone().prop_map(Step::Down),
        node.prop_map(Step::Up),
        (
            set.clone(),
            any::<bool>(),
            any::<bool>(),
            prop_oneof![
                Just("busybox:1.36"),
                Just("busybox:1.37"),
                Just("agent:missing")
            ]
        )
            .prop_map(|(set, ssd_only, tolerate_all, image)| Step::ApplySet {
                set,
                ssd_only,
                tolerate_all,
                image
            }),
        set.prop_map(Step::DeleteSet),
        (1u64..120).prop_map(Step::Advance),
    ]
}

fn apply(cluster: &mut Cluster, kind: Kind, manifest: serde_json::Value) {
    // Every manifest here is valid; a refusal would be a bug worth seeing.
    if let Err(error) = cluster.apply_manifest(kind, &manifest, "default") {
        panic!("{kind:?} refused: {error}");
    }
}

fn run(cluster: &mut Cluster, step: &Step) {
    match step {
        Step::AddNode { node, ssd, taint } => {
            let labels = if *ssd {
                json!({"disk": "ssd"})
            } else {
                json!({})
            };
            let taints = match taint {
                Some(effect) => json!([{"key": "dedicated", "value": "x", "effect": effect}]),
                None => json!([]),
            };
            apply(
                cluster,
                Kind::Node,
                json!({"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": NODES[*node], "labels": labels}, "spec": {"taints": taints}}),
            );
        }
        Step::DeleteNode(node) => {
            let _ = cluster.delete(Kind::Node, "", NODES[*node], Cascade::Background, None);
        }
        Step::Label { node, ssd } => {
            if let Some(Object::Node(mut n)) =
                cluster.store().get(Kind::Node, "", NODES[*node]).cloned()
            {
                let labels = n.metadata.labels.get_or_insert_with(Default::default);
                if *ssd {
                    labels.insert("disk".into(), "ssd".into());
                } else {
                    labels.remove("disk");
                }
                cluster
                    .update(Object::from(n))
                    .expect("a valid label change");
            }
        }
        Step::Cordon { node, on } => {
            if let Some(Object::Node(mut n)) =
                cluster.store().get(Kind::Node, "", NODES[*node]).cloned()
            {
                n.spec.get_or_insert_with(Default::default).unschedulable = on.then_some(true);
                cluster.update(Object::from(n)).expect("a valid cordon");
            }
        }
        Step::Down(node) => {
            let _ = cluster.node_down(NODES[*node]);
        }
        Step::Up(node) => {
            let _ = cluster.node_up(NODES[*node]);
        }
        Step::ApplySet {
            set,
            ssd_only,
            tolerate_all,
            image,
        } => {
            let name = SETS[*set];
            let mut spec = json!({"containers": [{"name": "agent", "image": image}]});
            if *ssd_only {
                spec["nodeSelector"] = json!({"disk": "ssd"});
            }
            if *tolerate_all {
                spec["tolerations"] = json!([{"operator": "Exists"}]);
            }
            apply(
                cluster,
                Kind::DaemonSet,
                json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}),
            );
        }
        Step::DeleteSet(set) => {
            let _ = cluster.delete(
                Kind::DaemonSet,
                "default",
                SETS[*set],
                Cascade::Background,
                None,
            );
        }
        Step::Advance(seconds) => cluster.advance(Duration::from_secs(*seconds)),
    }
    cluster.reconcile();
}

/// Checks that hold once the cluster has settled.
fn check(cluster: &Cluster) -> Result<(), TestCaseError> {
    let store = cluster.store();
    for pod in store.pods() {
        if let Some(node) = pod_node_name(pod) {
            prop_assert!(
                store.node(node).is_some(),
                "pod {:?} bound to missing node {node}",
                pod.metadata.name
            );
        }
    }
    for ds in store.daemonsets() {
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let mut by_node: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for pod in store.pods().filter(|p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.uid == uid)
        }) {
            if let Some(node) = target_node(pod) {
                by_node.entry(node).or_default().push(pod);
            }
        }
        let (mut desired, mut current, mut ready, mut misscheduled) = (0, 0, 0, 0);
        for node in store.nodes() {
            let name = node.metadata.name.as_deref().unwrap_or("");
            let placement = should_run_on(node, ds);
            let pods = by_node.get(name).cloned().unwrap_or_default();
            let live: Vec<_> = pods
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .collect();
            // A pod deleted while its node's kubelet is down stays Terminating,
            // and without surge the controller waits for it, as Kubernetes does.
            let blocked = cluster.kubelet_is_down(name)
                && pods.iter().any(|p| p.metadata.deletion_timestamp.is_some());
            if placement.should_run {
                desired += 1;
                prop_assert_eq!(
                    live.len(),
                    usize::from(!blocked),
                    "{} on {}: {} live pods",
                    ds.metadata.name.as_deref().unwrap_or(""),
                    name,
                    live.len()
                );
                current += usize::from(!pods.is_empty());
                ready += usize::from(live.iter().any(|p| is_pod_ready(p)));
            } else {
                misscheduled += usize::from(!pods.is_empty());
                if !placement.should_continue_running {
                    prop_assert!(live.is_empty(), "a pod stays where it must not run: {name}");
                }
            }
        }
        let status = ds.status.clone().unwrap_or_default();
        prop_assert_eq!(status.desired_number_scheduled, desired);
        prop_assert_eq!(status.current_number_scheduled as usize, current);
        prop_assert_eq!(status.number_ready as usize, ready);
        prop_assert_eq!(status.number_misscheduled as usize, misscheduled);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn settled_clusters_run_one_daemon_pod_per_eligible_node(steps in prop::collection::vec(step(), 1..25)) {
        let mut cluster = Cluster::new(7);
        for step in &steps {
            run(&mut cluster, step);
        }
        // Long enough for pod GC's quarantine and the last graceful deletions.
        cluster.settle();
        cluster.advance(Duration::from_secs(60));
        cluster.settle();
        check(&cluster)?;
    }
}
