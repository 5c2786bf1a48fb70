//! The scale scenario, shared by the native benchmark (`benches/scale.rs`) and
//! the same run in Chromium (`tests/scale_in_browser.rs`): a cluster of N nodes
//! and 10 DaemonSets is built and settled, then single changes are made (a
//! node labelled, a node added, a daemon pod deleted, time passing with
//! nothing to do) and each is timed. The work of a change should follow what
//! changed, not the size of the cluster, so the per-change figures should
//! barely move between 500 and 5,000 nodes.

use std::fmt;
use std::time::Duration;

use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::store::{key_of, Key};
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use serde_json::{json, Value};

pub const DAEMONSETS: usize = 10;

/// Each change is made this many times; the median is reported, so one slow
/// run (the allocator tidying up after the build, say) does not stand for all.
const REPEATS: usize = 5;

/// What the platform measures with: a clock in milliseconds, and the memory
/// in use in bytes (the heap natively; the wasm memory in a browser).
pub struct Probe<'a> {
    pub now_ms: &'a dyn Fn() -> f64,
    pub memory: &'a dyn Fn() -> usize,
}

pub struct Report {
    pub nodes: usize,
    pub pods: usize,
    pub settled_after: Duration,
    pub build_ms: f64,
    pub memory: usize,
    pub label_ms: f64,
    pub add_ms: f64,
    pub delete_ms: f64,
    pub idle_ms: f64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = self.memory as f64 / (1024.0 * 1024.0);
        let per_pod = self.memory as f64 / 1024.0 / self.pods.max(1) as f64;
        writeln!(
            f,
            "{} nodes × {DAEMONSETS} DaemonSets: {} pods running after {}s virtual; \
             build+settle {:.2} s; memory {mib:.0} MiB ({per_pod:.1} KiB per pod)",
            self.nodes,
            self.pods,
            self.settled_after.as_secs(),
            self.build_ms / 1e3,
        )?;
        write!(
            f,
            "  one change, then settle (median of {REPEATS}): label a node {:.1} ms, \
             add a node {:.1} ms, delete a daemon pod {:.1} ms, 10 s with nothing to do {:.1} ms",
            self.label_ms, self.add_ms, self.delete_ms, self.idle_ms,
        )
    }
}

fn node(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": {"zone": "a"}}})
}

fn daemonset(i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": format!("agent-{i}"), "namespace": "kube-system"},
        "spec": {
            "selector": {"matchLabels": {"app": format!("agent-{i}")}},
            "template": {
                "metadata": {"labels": {"app": format!("agent-{i}")}},
                "spec": {"containers": [{
                    "name": "agent", "image": "registry.k8s.io/agent:1.0",
                    "resources": {"requests": {"cpu": "10m", "memory": "10Mi"}}
                }]}
            }
        }
    })
}

fn apply(cluster: &mut Cluster, kind: Kind, manifest: &Value) {
    if let Err(error) = cluster.apply_manifest(kind, manifest, "default") {
        panic!("apply failed: {error:?}");
    }
}

fn daemon_pods(cluster: &Cluster) -> usize {
    cluster.store().pods().count()
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Builds and settles the cluster, checks every node runs every DaemonSet,
/// then times each change `REPEATS` times on different nodes.
pub fn run(nodes: usize, probe: &Probe) -> Report {
    let base = (probe.memory)();
    let start = (probe.now_ms)();
    let mut cluster = Cluster::new(1);
    for i in 0..nodes {
        apply(&mut cluster, Kind::Node, &node(&format!("node-{i:05}")));
    }
    for i in 0..DAEMONSETS {
        apply(&mut cluster, Kind::DaemonSet, &daemonset(i));
    }
    let settled_after = cluster.settle();
    let build_ms = (probe.now_ms)() - start;
    let pods = daemon_pods(&cluster);
    assert_eq!(pods, nodes * DAEMONSETS, "every node runs every DaemonSet");
    let memory = (probe.memory)().saturating_sub(base);

    // Runs `change`, then lets the cluster settle; returns how long both took.
    let timed = |cluster: &mut Cluster, change: &dyn Fn(&mut Cluster)| {
        let start = (probe.now_ms)();
        change(cluster);
        cluster.settle();
        (probe.now_ms)() - start
    };
    let label = (1..=REPEATS)
        .map(|i| {
            timed(&mut cluster, &|c| {
                let name = format!("node-{i:05}");
                let Some(Object::Node(mut n)) = c.store().get(Kind::Node, "", &name).cloned()
                else {
                    panic!("{name} exists");
                };
                n.metadata
                    .labels
                    .get_or_insert_with(Default::default)
                    .insert("extra".into(), "yes".into());
                if let Err(error) = c.update(Object::from(n)) {
                    panic!("label failed: {error:?}");
                }
            })
        })
        .collect();
    let add = (1..=REPEATS)
        .map(|i| {
            let took = timed(&mut cluster, &|c| {
                apply(c, Kind::Node, &node(&format!("node-new-{i}")))
            });
            assert_eq!(daemon_pods(&cluster), (nodes + i) * DAEMONSETS);
            took
        })
        .collect();
    let delete = (1..=REPEATS)
        .map(|i| {
            let node = format!("node-{i:05}");
            let victim: Key = cluster
                .store()
                .pods_on_node(&node)
                .next()
                .map(|p| key_of(&p.metadata))
                .unwrap_or_default();
            let took = timed(&mut cluster, &|c| {
                let deleted = c.delete(Kind::Pod, &victim.0, &victim.1, Cascade::Background, None);
                if let Err(error) = deleted {
                    panic!("delete failed: {error:?}");
                }
            });
            assert_eq!(cluster.store().pods_on_node(&node).count(), DAEMONSETS);
            took
        })
        .collect();
    let idle = (0..REPEATS)
        .map(|_| timed(&mut cluster, &|c| c.advance(Duration::from_secs(10))))
        .collect();
    Report {
        nodes,
        pods,
        settled_after,
        build_ms,
        memory,
        label_ms: median(label),
        add_ms: median(add),
        delete_ms: median(delete),
        idle_ms: median(idle),
    }
}
