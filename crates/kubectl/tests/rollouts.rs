//! Rollouts checked at every virtual second: the budget `maxUnavailable` allows
//! is never exceeded, surge never leaves a node without an available pod,
//! percentages round up, OnDelete waits for deletions, minReadySeconds slows
//! each batch, and a broken image stalls where Kubernetes stalls.

use std::time::Duration;

use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::{run, NoFiles, Output};

fn kubectl(cluster: &mut Cluster, line: &str, stdin: &str) -> Output {
    let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
    run(cluster, &argv, stdin, &NoFiles)
}

/// `nodes` workers and a DaemonSet `agent` with `strategy` (YAML under `spec:`).
fn cluster(nodes: usize, strategy: &str) -> Cluster {
    let mut cluster = Cluster::new(3);
    let mut text = String::new();
    for i in 0..nodes {
        text.push_str(&format!(
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: node-{i:02}\n---\n"
        ));
    }
    text.push_str(&format!(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n{strategy}  selector:\n    matchLabels: {{app: agent}}\n  template:\n    metadata:\n      labels: {{app: agent}}\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n"
    ));
    let out = kubectl(&mut cluster, "apply -f -", &text);
    assert_eq!(out.stderr, "");
    cluster.settle();
    cluster
}

/// Per node, whether it has a pod that is Ready for longer than `min_ready`
/// and not being deleted; and how many nodes run the new image.
fn snapshot(cluster: &Cluster, image: &str, min_ready: u64) -> (usize, usize, usize) {
    let store = cluster.store();
    let now = cluster.now();
    let nodes: Vec<&str> = store
        .nodes()
        .filter_map(|n| n.metadata.name.as_deref())
        .collect();
    let mut available = 0;
    let mut updated = 0;
    for node in &nodes {
        let pods: Vec<_> = store
            .pods()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(*node))
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        let is_available = pods.iter().any(|p| {
            p.status
                .iter()
                .flat_map(|s| s.conditions.iter().flatten())
                .find(|c| c.type_ == "Ready" && c.status == "True")
                .and_then(|c| c.last_transition_time.as_ref())
                .is_some_and(|t| {
                    min_ready == 0 || now.as_second() - t.0.as_second() > min_ready as i64
                })
        });
        available += usize::from(is_available);
        // Updated: every pod left on the node runs the new image.
        updated += usize::from(
            !pods.is_empty()
                && pods.iter().all(|p| {
                    p.spec
                        .as_ref()
                        .and_then(|s| s.containers.first())
                        .and_then(|c| c.image.as_deref())
                        == Some(image)
                }),
        );
    }
    (nodes.len(), available, updated)
}

/// Rolls to `image`, checking `invariant(nodes, available)` every second; returns
/// the seconds it took (or None if it had not finished after `limit`).
fn roll(
    cluster: &mut Cluster,
    image: &str,
    min_ready: u64,
    limit: u64,
    invariant: impl Fn(usize, usize),
) -> Option<u64> {
    let out = kubectl(cluster, &format!("set image ds/agent agent={image}"), "");
    assert_eq!(out.stdout, "daemonset.apps/agent image updated\n");
    for second in 0..=limit {
        let (nodes, available, updated) = snapshot(cluster, image, min_ready);
        invariant(nodes, available);
        if updated == nodes && available == nodes {
            return Some(second);
        }
        cluster.advance(Duration::from_secs(1));
    }
    None
}

#[test]
fn max_unavailable_is_never_exceeded() {
    for (nodes, max_unavailable, allowed) in [
        (1, "1", 1),
        (3, "1", 1),
        (10, "2", 2),
        (10, "30%", 3),
        (50, "10%", 5),
        (3, "50%", 2),
    ] {
        let mut cluster = cluster(
            nodes,
            &format!(
                "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: {max_unavailable}\n"
            ),
        );
        let took = roll(&mut cluster, "busybox:1.37", 0, 3600, |n, available| {
            assert!(
                n - available <= allowed,
                "{nodes} nodes, maxUnavailable {max_unavailable}: {} unavailable",
                n - available
            );
        });
        assert!(
            took.is_some(),
            "{nodes} nodes, maxUnavailable {max_unavailable}: did not finish"
        );
    }
}

#[test]
fn surge_keeps_every_node_available() {
    for nodes in [1, 3, 10, 50] {
        let mut cluster = cluster(
            nodes,
            "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n",
        );
        let took = roll(&mut cluster, "busybox:1.37", 0, 3600, |n, available| {
            assert_eq!(
                available, n,
                "{nodes} nodes with surge: a node without an available pod"
            );
        });
        assert!(took.is_some(), "{nodes} nodes with surge: did not finish");
    }
}

#[test]
fn min_ready_seconds_slows_each_batch() {
    let fast = roll(&mut cluster(3, ""), "busybox:1.37", 0, 3600, |_, _| {}).expect("finishes");
    let slow = roll(
        &mut cluster(3, "  minReadySeconds: 20\n"),
        "busybox:1.37",
        20,
        3600,
        |_, _| {},
    )
    .expect("finishes");
    // Three batches of one node, each waiting a further 20 s (+1 s to be strictly past it).
    assert!(slow >= fast + 3 * 20, "fast {fast}s, slow {slow}s");
}

#[test]
fn on_delete_replaces_only_deleted_pods() {
    let mut cluster = cluster(3, "  updateStrategy:\n    type: OnDelete\n");
    kubectl(&mut cluster, "set image ds/agent agent=busybox:1.37", "");
    cluster.advance(Duration::from_secs(120));
    assert_eq!(
        snapshot(&cluster, "busybox:1.37", 0).2,
        0,
        "nothing replaced on its own"
    );
    let out = kubectl(&mut cluster, "rollout status ds/agent", "");
    assert_eq!(
        out.stderr,
        "error: rollout status is only available for RollingUpdate strategy type\n"
    );
    let victim = cluster
        .store()
        .pods()
        .find(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some("node-01"))
        .and_then(|p| p.metadata.name.clone())
        .expect("a pod on node-01");
    kubectl(&mut cluster, &format!("delete pod {victim}"), "");
    cluster.settle();
    let images: Vec<String> = cluster
        .store()
        .pods()
        .map(|p| {
            format!(
                "{}={}",
                p.spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default(),
                p.spec
                    .as_ref()
                    .and_then(|s| s.containers.first())
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default()
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        images,
        [
            "node-00=busybox:1.36",
            "node-01=busybox:1.37",
            "node-02=busybox:1.36"
        ]
    );
    let ds = match cluster.store().get(Kind::DaemonSet, "default", "agent") {
        Some(Object::DaemonSet(ds)) => ds.clone(),
        _ => panic!("the DaemonSet"),
    };
    assert_eq!(ds.status.and_then(|s| s.updated_number_scheduled), Some(1));
}

#[test]
fn a_broken_image_stalls_after_max_unavailable_nodes_and_undo_keeps_the_others() {
    let mut cluster = cluster(
        10,
        "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 2\n",
    );
    let before: Vec<String> = cluster
        .store()
        .pods()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    kubectl(&mut cluster, "set image ds/agent agent=busybox:missing", "");
    cluster.advance(Duration::from_secs(600));
    let (_, available, broken) = snapshot(&cluster, "busybox:missing", 0);
    assert_eq!(
        broken, 2,
        "exactly maxUnavailable nodes tried the new image"
    );
    assert_eq!(available, 8);
    let status = kubectl(&mut cluster, "rollout status ds/agent --watch=false", "");
    assert_eq!(
        status.stdout,
        "Waiting for daemon set \"agent\" rollout to finish: 2 out of 10 new pods have been updated...\n"
    );
    let out = kubectl(&mut cluster, "rollout undo ds/agent", "");
    assert_eq!(out.stdout, "daemonset.apps/agent rolled back\n");
    cluster.settle();
    let after: Vec<String> = cluster
        .store()
        .pods()
        .filter_map(|p| p.metadata.name.clone())
        .collect();
    let kept = before.iter().filter(|n| after.contains(n)).count();
    assert_eq!(kept, 8, "the 8 pods never replaced still run");
    assert_eq!(snapshot(&cluster, "busybox:1.36", 0), (10, 10, 10));
    let history = kubectl(&mut cluster, "rollout history ds/agent", "");
    assert_eq!(
        history.stdout,
        "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    );
}

#[test]
fn the_rollout_record_shows_old_new_unavailable_and_surge() {
    let mut cluster = cluster(
        3,
        "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n",
    );
    roll(&mut cluster, "busybox:1.37", 0, 600, |_, _| {}).expect("finishes");
    let record = cluster.rollout_record("default", "agent");
    let first = record.first().expect("samples");
    let last = record.last().expect("samples");
    assert_eq!(
        (first.revision, first.old, first.new),
        (1, 0, 3),
        "the first rollout put revision 1 on three nodes"
    );
    assert_eq!(
        (
            last.revision,
            last.old,
            last.new,
            last.unavailable,
            last.surge
        ),
        (2, 0, 3, 0, 0)
    );
    // A surging node runs both pods; it counts once, as a node on the new revision.
    assert!(
        record
            .iter()
            .any(|s| s.surge == 1 && s.old + s.new == 3 && s.revision == 2),
        "{record:?}"
    );
    assert!(record.iter().all(|s| s.surge <= 1), "maxSurge 1");
    assert!(record.windows(2).all(|w| w[0].at <= w[1].at));
}

#[test]
fn the_rollout_record_accounts_for_every_desired_node_while_old_pods_terminate() {
    let mut cluster = cluster(
        4,
        "  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 2\n",
    );
    roll(&mut cluster, "busybox:1.37", 0, 600, |_, _| {}).expect("finishes");
    let record = cluster.rollout_record("default", "agent");
    for sample in record {
        assert_eq!(
            sample.new + sample.old + sample.terminating + sample.without_pod(),
            sample.desired,
            "{sample:?}"
        );
        assert_eq!(sample.desired, 4);
    }
    // maxUnavailable 2: two old pods are deleted at once; their nodes get new
    // pods once they are gone.
    assert!(
        record
            .iter()
            .any(|s| s.revision == 2 && s.terminating == 2 && s.old == 2),
        "{record:?}"
    );
}
