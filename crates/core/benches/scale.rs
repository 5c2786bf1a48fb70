//! How the simulation scales: a cluster of N nodes and 10 DaemonSets is built
//! and settled, then single changes are made (a node labelled, a node added, a
//! daemon pod deleted, a kubelet going down) and each is timed. The work of a
//! change should follow what changed, not the size of the cluster, so the
//! per-change figures should barely move between 500 and 5,000 nodes.
//!
//! `cargo bench -p daemonlab-core --bench scale [-- NODES...]` (default 500 5000).
//! Heap figures come from a counting allocator: what the cluster holds after
//! settling, and the high-water mark while it got there.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::store::{key_of, Key};
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use serde_json::{json, Value};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const DAEMONSETS: usize = 10;

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

fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Runs `change`, then lets the cluster settle; returns how long both took.
fn timed(cluster: &mut Cluster, change: impl FnOnce(&mut Cluster)) -> Duration {
    let start = Instant::now();
    change(cluster);
    cluster.settle();
    start.elapsed()
}

fn daemon_pods(cluster: &Cluster) -> usize {
    cluster.store().pods().count()
}

fn run(nodes: usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let mut cluster = Cluster::new(1);
    for i in 0..nodes {
        apply(&mut cluster, Kind::Node, &node(&format!("node-{i:05}")));
    }
    for i in 0..DAEMONSETS {
        apply(&mut cluster, Kind::DaemonSet, &daemonset(i));
    }
    let settled = cluster.settle();
    let build = start.elapsed();
    let pods = daemon_pods(&cluster);
    assert_eq!(pods, nodes * DAEMONSETS, "every node runs every DaemonSet");
    let held = CURRENT.load(Ordering::Relaxed) - base;
    let peak = PEAK.load(Ordering::Relaxed) - base;
    println!(
        "{nodes} nodes × {DAEMONSETS} DaemonSets: {pods} pods running after {}s virtual; \
         build+settle {:.2} s; heap held {:.0} MiB ({:.1} KiB per pod), peak {:.0} MiB",
        settled.as_secs(),
        build.as_secs_f64(),
        mib(held),
        held as f64 / 1024.0 / pods as f64,
        mib(peak),
    );

    let label = median((1..=REPEATS).map(|i| {
        timed(&mut cluster, |c| {
            let name = format!("node-{i:05}");
            let Some(Object::Node(mut n)) = c.store().get(Kind::Node, "", &name).cloned() else {
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
    }));
    let add = median((1..=REPEATS).map(|i| {
        let took = timed(&mut cluster, |c| {
            apply(c, Kind::Node, &node(&format!("node-new-{i}")))
        });
        assert_eq!(daemon_pods(&cluster), (nodes + i) * DAEMONSETS);
        took
    }));
    let delete = median((1..=REPEATS).map(|i| {
        let node = format!("node-{i:05}");
        let victim: Key = cluster
            .store()
            .pods_on_node(&node)
            .next()
            .map(|p| key_of(&p.metadata))
            .unwrap_or_default();
        let took = timed(&mut cluster, |c| {
            if let Err(error) = c.delete(Kind::Pod, &victim.0, &victim.1, Cascade::Background, None)
            {
                panic!("delete failed: {error:?}");
            }
        });
        assert_eq!(cluster.store().pods_on_node(&node).count(), DAEMONSETS);
        took
    }));
    let tick =
        median((0..REPEATS).map(|_| timed(&mut cluster, |c| c.advance(Duration::from_secs(10)))));
    println!(
        "  one change, then settle (median of {REPEATS}): label a node {:.1} ms, add a node {:.1} ms, \
         delete a daemon pod {:.1} ms, 10 s with nothing to do {:.1} ms",
        label.as_secs_f64() * 1e3,
        add.as_secs_f64() * 1e3,
        delete.as_secs_f64() * 1e3,
        tick.as_secs_f64() * 1e3,
    );
}

/// Each change is made this many times; the median is reported, so one slow
/// run (the allocator tidying up after the build, say) does not stand for all.
const REPEATS: usize = 5;

fn median(times: impl Iterator<Item = Duration>) -> Duration {
    let mut times: Vec<Duration> = times.collect();
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![500, 5000]
    } else {
        sizes
    };
    for nodes in sizes {
        run(nodes);
    }
}
