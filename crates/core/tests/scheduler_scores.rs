//! Upstream kube-scheduler plugin tests, translated: the NodeResourcesFit filter and its
//! LeastAllocated score, NodeResourcesBalancedAllocation, ImageLocality, and the
//! TaintToleration and NodeAffinity scores after NormalizeScore.
//!
//! Sources (kubernetes/kubernetes, pkg/scheduler/framework/plugins/):
//! noderesources/least_allocated_test.go, noderesources/balanced_allocation_test.go,
//! noderesources/fit_test.go, imagelocality/image_locality_test.go,
//! tainttoleration/taint_toleration_test.go, nodeaffinity/node_affinity_test.go.
//!
//! Left out, on purpose:
//! - TestLeastAllocatedScoringStrategy cases that configure `resources` (weights, `nil`, an
//!   extended resource in the set, invalid weights): the simulator scores cpu and memory with
//!   weight 1 each and has no configurable scoring strategy.
//! - TestNodeResourcesBalancedAllocation cases that need nvidia.com/gpu or a DRA-backed
//!   resource in the balanced set: the simulator balances cpu and memory only.
//! - TestTaintTolerationScore cases that turn on TaintTolerationComparisonOperators (Gt/Lt):
//!   the simulator runs with that alpha gate off.
//! - TestNodeAffinityPriority cases with `AddedAffinity` (scheduler configuration the
//!   simulator does not have) and the one whose only expectation is a PreScore error status.

use daemonlab_core::api::store::Store;
use daemonlab_core::scheduling::framework::{Code, Cycle, Plugin, Rejection, Snapshot};
use daemonlab_core::scheduling::image_locality;
use daemonlab_core::scheduling::inter_pod_affinity::bound_with_anti_affinity;
use daemonlab_core::scheduling::node_resources::{self, usage_on, Usage};
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn node(value: Value) -> Node {
    serde_json::from_value(value).expect("a Node")
}

/// A pod in namespace "default" with `spec`; its uid is derived from its name.
fn pod(name: &str, spec: Value) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}")},
        "spec": spec,
    }))
    .expect("a Pod")
}

/// Containers `con0`, `con1`, ... with the given requests.
fn containers(requests: &[Value]) -> Value {
    requests
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"name": format!("con{i}"), "resources": {"requests": r}}))
        .collect()
}

/// `st.MakePod().Node(node).Req(..).Req(..)`: one container per request list.
fn req_pod(name: &str, node_name: Option<&str>, requests: &[Value]) -> Pod {
    pod(
        name,
        json!({"nodeName": node_name, "containers": containers(requests)}),
    )
}

fn store_with(nodes: Vec<Node>, pods: Vec<Pod>) -> Store {
    let mut store = Store::default();
    for n in nodes {
        store.put_node(n);
    }
    for p in pods {
        store.put_pod(p);
    }
    store
}

fn stored<'a>(store: &'a Store, name: &str) -> &'a Node {
    store.node(name).expect("the node is in the store")
}

/// Runs a scheduling cycle's Score and NormalizeScore over `names` (in that order) and
/// returns `plugin`'s normalized score on each.
fn normalized_scores(store: &Store, pod: &Pod, names: &[&str], plugin: Plugin) -> Vec<i64> {
    let anti_affinity: Vec<&Pod> = bound_with_anti_affinity(store).collect();
    let cycle = Cycle::new(Snapshot::of(store), pod, &anti_affinity);
    let usages: Vec<Usage> = names.iter().map(|n| usage_on(store, n)).collect();
    let feasible: Vec<(&Node, &Usage)> = names
        .iter()
        .zip(&usages)
        .map(|(n, u)| (stored(store, n), u))
        .collect();
    cycle
        .score(&feasible)
        .iter()
        .map(|scores| {
            scores
                .iter()
                .find(|s| s.plugin == plugin)
                .map(|s| s.normalized)
                .expect("the plugin scores every node")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// NodeResourcesFit score: LeastAllocated (cpu and memory, weight 1 each)

/// `st.MakeNode().Name(name).Capacity(resources)`: capacity and allocatable, with pods 32.
fn capacity_node(name: &str, resources: &[(&str, &str)]) -> Node {
    let mut list = serde_json::Map::new();
    list.insert("pods".into(), json!("32"));
    for (k, v) in resources {
        list.insert((*k).into(), json!(v));
    }
    node(json!({
        "metadata": {"name": name},
        "status": {"capacity": list.clone(), "allocatable": list},
    }))
}

fn cpu_mem(cpu: &str, memory: &str) -> Value {
    json!({"cpu": cpu, "memory": memory})
}

fn least_allocated(store: &Store, pod: &Pod, names: &[&str]) -> Vec<i64> {
    let demand = node_resources::demand(pod);
    names
        .iter()
        .map(|n| node_resources::least_allocated(&demand, stored(store, n), &usage_on(store, n)))
        .collect()
}

/// The two-container pod most cases request: cpu 3000, memory 5000 in all.
fn requests_3000_5000(name: &str) -> Pod {
    req_pod(
        name,
        None,
        &[cpu_mem("1000", "2000"), cpu_mem("2000", "3000")],
    )
}

#[test]
fn least_allocated_nothing_scheduled_nothing_requested() {
    // TestLeastAllocatedScoringStrategy: "nothing scheduled, nothing requested"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "4000"), ("memory", "10000")]),
            capacity_node("node2", &[("cpu", "4000"), ("memory", "10000")]),
        ],
        vec![],
    );
    let incoming = req_pod("incoming", None, &[]);
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [100, 100]
    );
}

#[test]
fn least_allocated_nothing_scheduled_resources_requested_differently_sized_nodes() {
    // TestLeastAllocatedScoringStrategy:
    // "nothing scheduled, resources requested, differently sized nodes"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "4000"), ("memory", "10000")]),
            capacity_node("node2", &[("cpu", "6000"), ("memory", "10000")]),
        ],
        vec![],
    );
    let incoming = requests_3000_5000("incoming");
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [37, 50]
    );
}

#[test]
fn least_allocated_no_resources_requested_pods_scheduled() {
    // TestLeastAllocatedScoringStrategy: "no resources requested, pods scheduled"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "4000"), ("memory", "10000")]),
            capacity_node("node2", &[("cpu", "4000"), ("memory", "10000")]),
        ],
        vec![
            req_pod("p1", Some("node1"), &[]),
            req_pod("p2", Some("node1"), &[]),
            req_pod("p3", Some("node2"), &[]),
            req_pod("p4", Some("node2"), &[]),
        ],
    );
    let incoming = req_pod("incoming", None, &[]);
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [100, 100]
    );
}

#[test]
fn least_allocated_no_resources_requested_pods_scheduled_with_resources() {
    // TestLeastAllocatedScoringStrategy: "no resources requested, pods scheduled with resources"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "10000"), ("memory", "20000")]),
            capacity_node("node2", &[("cpu", "10000"), ("memory", "20000")]),
        ],
        vec![
            req_pod("p1", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p2", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p3", Some("node2"), &[cpu_mem("3000", "0")]),
            req_pod("p4", Some("node2"), &[cpu_mem("3000", "5000")]),
        ],
    );
    let incoming = req_pod("incoming", None, &[]);
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [70, 57]
    );
}

#[test]
fn least_allocated_resources_requested_pods_scheduled_with_resources() {
    // TestLeastAllocatedScoringStrategy: "resources requested, pods scheduled with resources"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "10000"), ("memory", "20000")]),
            capacity_node("node2", &[("cpu", "10000"), ("memory", "20000")]),
        ],
        vec![
            req_pod("p1", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p2", Some("node2"), &[cpu_mem("3000", "5000")]),
        ],
    );
    let incoming = requests_3000_5000("incoming");
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [57, 45]
    );
}

#[test]
fn least_allocated_resources_requested_pods_scheduled_with_resources_differently_sized_nodes() {
    // TestLeastAllocatedScoringStrategy:
    // "resources requested, pods scheduled with resources, differently sized nodes"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "10000"), ("memory", "20000")]),
            capacity_node("node2", &[("cpu", "10000"), ("memory", "50000")]),
        ],
        vec![
            req_pod("p1", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p2", Some("node2"), &[cpu_mem("3000", "5000")]),
        ],
    );
    let incoming = requests_3000_5000("incoming");
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [57, 60]
    );
}

#[test]
fn least_allocated_requested_resources_exceed_node_capacity() {
    // TestLeastAllocatedScoringStrategy: "requested resources exceed node capacity"
    let store = store_with(
        vec![
            capacity_node("node1", &[("cpu", "4000"), ("memory", "10000")]),
            capacity_node("node2", &[("cpu", "4000"), ("memory", "10000")]),
        ],
        vec![
            req_pod("p1", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p2", Some("node2"), &[cpu_mem("3000", "5000")]),
        ],
    );
    let incoming = req_pod("incoming", None, &[cpu_mem("3000", "0")]);
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [50, 25]
    );
}

#[test]
fn least_allocated_zero_node_resources_pods_scheduled_with_resources() {
    // TestLeastAllocatedScoringStrategy: "zero node resources, pods scheduled with resources"
    let store = store_with(
        vec![
            node(json!({"metadata": {"name": "node1"}})),
            node(json!({"metadata": {"name": "node2"}})),
        ],
        vec![
            req_pod("p1", Some("node1"), &[cpu_mem("3000", "0")]),
            req_pod("p2", Some("node2"), &[cpu_mem("3000", "5000")]),
        ],
    );
    let incoming = req_pod("incoming", None, &[]);
    assert_eq!(
        least_allocated(&store, &incoming, &["node1", "node2"]),
        [0, 0]
    );
}

// ---------------------------------------------------------------------------------------------
// NodeResourcesBalancedAllocation (the Kubernetes 1.36 formula)
//
// Upstream's expectations are for the formula before PR #135573, `old(r) = int64((1 - std) *
// 100)` with std = |f_cpu - f_mem| / 2 over the requested fractions (capped at 1) of the
// resources the node has. 1.36 scores the change the pod makes:
//     score = 50 + (50 + old(node + pod) - old(node)) / 2        (int64, truncating)
// so each expected value below is derived by hand from the case's numbers, with both old scores
// written out. Requests are the real ones (no 100m/200Mi defaults).

/// `makeNode(name, milliCPU, memory, nil)`: capacity and allocatable cpu and memory only.
fn balanced_node(name: &str, milli_cpu: i64, memory: i64) -> Node {
    let list = json!({"cpu": format!("{milli_cpu}m"), "memory": memory.to_string()});
    node(json!({
        "metadata": {"name": name},
        "status": {"capacity": list, "allocatable": list},
    }))
}

/// `cpuAndMemory`: containers {1000m, 2000} and {2000m, 3000}.
fn cpu_and_memory(name: &str, node_name: Option<&str>) -> Pod {
    req_pod(
        name,
        node_name,
        &[cpu_mem("1000m", "2000"), cpu_mem("2000m", "3000")],
    )
}

/// `cpuOnly`: containers {1000m, 0} and {2000m, 0}.
fn cpu_only(name: &str, node_name: Option<&str>) -> Pod {
    req_pod(
        name,
        node_name,
        &[cpu_mem("1000m", "0"), cpu_mem("2000m", "0")],
    )
}

fn balanced(store: &Store, pod: &Pod, names: &[&str]) -> Vec<Option<i64>> {
    let demand = node_resources::demand(pod);
    names
        .iter()
        .map(|n| {
            node_resources::balanced_allocation(&demand, stored(store, n), &usage_on(store, n))
        })
        .collect()
}

#[test]
fn balanced_nothing_scheduled_nothing_requested_skip_in_prescore() {
    // TestNodeResourcesBalancedAllocation:
    // "nothing scheduled, nothing requested, skip in PreScore"
    // A best-effort pod: PreScore returns Skip, which the simulator reports as no score.
    let store = store_with(
        vec![
            balanced_node("node1", 4000, 10000),
            balanced_node("node2", 4000, 10000),
        ],
        vec![],
    );
    let incoming = req_pod("incoming", None, &[]);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [None, None]
    );
}

#[test]
fn balanced_nothing_scheduled_resources_requested_differently_sized_nodes() {
    // TestNodeResourcesBalancedAllocation:
    // "nothing scheduled, resources requested, differently sized nodes"
    // node1 (4000m, 10000): with pod 3000/4000 = .75, 5000/10000 = .5, std .125 -> old 87;
    //   without: 0, 0, std 0 -> old 100; 50 + (50 + 87 - 100) / 2 = 50 + 37 / 2 = 68.
    // node2 (6000m, 10000): with pod .5, .5 -> old 100; without -> old 100;
    //   50 + (50 + 100 - 100) / 2 = 75.
    let store = store_with(
        vec![
            balanced_node("node1", 4000, 10000),
            balanced_node("node2", 6000, 10000),
        ],
        vec![],
    );
    let incoming = cpu_and_memory("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(68), Some(75)]
    );
}

#[test]
fn balanced_resources_requested_pods_scheduled_with_resources() {
    // TestNodeResourcesBalancedAllocation: "resources requested, pods scheduled with resources"
    // node1 (10000m, 20000; cpuOnly there): with pod 6000/10000 = .6, 5000/20000 = .25,
    //   std .175 -> old 82; without: .3, 0, std .15 -> old 85;
    //   50 + (50 + 82 - 85) / 2 = 50 + 47 / 2 = 73.
    // node2 (10000m, 20000; cpuAndMemory there): with pod .6, 10000/20000 = .5, std .05
    //   -> old 95; without: .3, .25, std .025 -> old 97; 50 + (50 + 95 - 97) / 2 = 74.
    let store = store_with(
        vec![
            balanced_node("node1", 10000, 20000),
            balanced_node("node2", 10000, 20000),
        ],
        vec![
            cpu_only("existing-cpu-only", Some("node1")),
            cpu_and_memory("existing-cpu-and-memory", Some("node2")),
        ],
    );
    let incoming = cpu_and_memory("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(73), Some(74)]
    );
}

#[test]
fn balanced_resources_requested_pods_scheduled_with_resources_differently_sized_nodes() {
    // TestNodeResourcesBalancedAllocation:
    // "resources requested, pods scheduled with resources, differently sized nodes"
    // node1 (10000m, 20000; cpuOnly there): as in the case above, old 82 and 85 -> 73.
    // node2 (10000m, 50000; cpuAndMemory there): with pod .6, 10000/50000 = .2, std .2
    //   -> old 80; without: .3, 5000/50000 = .1, std .1 -> old 90;
    //   50 + (50 + 80 - 90) / 2 = 50 + 40 / 2 = 70.
    let store = store_with(
        vec![
            balanced_node("node1", 10000, 20000),
            balanced_node("node2", 10000, 50000),
        ],
        vec![
            cpu_only("existing-cpu-only", Some("node1")),
            cpu_and_memory("existing-cpu-and-memory", Some("node2")),
        ],
    );
    let incoming = cpu_and_memory("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(73), Some(70)]
    );
}

#[test]
fn balanced_requested_resources_at_node_capacity() {
    // TestNodeResourcesBalancedAllocation: "requested resources at node capacity"
    // The incoming pod is cpuOnly (3000m, memory "0"): not best-effort, so it is scored.
    // node1 (6000m, 10000; cpuOnly there): with pod 6000/6000 = 1, 0, std .5 -> old 50;
    //   without: .5, 0, std .25 -> old 75; 50 + (50 + 50 - 75) / 2 = 50 + 25 / 2 = 62.
    // node2 (6000m, 10000; cpuAndMemory there): with pod 1, .5, std .25 -> old 75;
    //   without: .5, .5 -> old 100; 50 + (50 + 75 - 100) / 2 = 50 + 25 / 2 = 62.
    let store = store_with(
        vec![
            balanced_node("node1", 6000, 10000),
            balanced_node("node2", 6000, 10000),
        ],
        vec![
            cpu_only("existing-cpu-only", Some("node1")),
            cpu_and_memory("existing-cpu-and-memory", Some("node2")),
        ],
    );
    let incoming = cpu_only("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(62), Some(62)]
    );
}

#[test]
fn balanced_node_without_the_scalar_resource_should_skip_the_scalar_resource() {
    // TestNodeResourcesBalancedAllocation:
    // "node without the scalar resource should skip the scalar resource"
    // Upstream's set is cpu, memory and nvidia.com/gpu, but the pod requests no gpu, so gpu is
    // skipped on both nodes and only cpu and memory count: this case does not need the third
    // resource. node1's `nvidia.com/gpu: 8` is kept for fidelity.
    // Both nodes (3500m, 40000; empty): with pod 3000/3500 = .857, 5000/40000 = .125,
    //   std .366 -> old 63; without: 0, 0 -> old 100; 50 + (50 + 63 - 100) / 2 = 50 + 13 / 2
    //   = 56.
    let gpu_node = {
        let list = json!({"cpu": "3500m", "memory": "40000", "nvidia.com/gpu": "8"});
        node(json!({
            "metadata": {"name": "node1"},
            "status": {"capacity": list, "allocatable": list},
        }))
    };
    let store = store_with(vec![gpu_node, balanced_node("node2", 3500, 40000)], vec![]);
    let incoming = cpu_and_memory("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(56), Some(56)]
    );
}

#[test]
fn balanced_resources_requested_pods_scheduled_with_resources_if_prescore_not_called() {
    // TestNodeResourcesBalancedAllocation:
    // "resources requested, pods scheduled with resources if PreScore not called"
    // The simulator has no separate PreScore state; the numbers are those of "resources
    // requested, pods scheduled with resources": node1 old 82 and 85 -> 73; node2 old 95 and
    // 97 -> 74.
    let store = store_with(
        vec![
            balanced_node("node1", 10000, 20000),
            balanced_node("node2", 10000, 20000),
        ],
        vec![
            cpu_only("existing-cpu-only", Some("node1")),
            cpu_and_memory("existing-cpu-and-memory", Some("node2")),
        ],
    );
    let incoming = cpu_and_memory("incoming", None);
    assert_eq!(
        balanced(&store, &incoming, &["node1", "node2"]),
        [Some(73), Some(74)]
    );
}

// ---------------------------------------------------------------------------------------------
// ImageLocality

const MB: i64 = 1024 * 1024;

/// `makeImageNode(name, status)` with `status.images`: (names, size in MiB).
fn image_node(name: &str, images: &[(&[&str], i64)]) -> Node {
    let images: Vec<Value> = images
        .iter()
        .map(|(names, mib)| json!({"names": names, "sizeBytes": mib * MB}))
        .collect();
    node(json!({"metadata": {"name": name}, "status": {"images": images}}))
}

fn node_40_300_2000(name: &str) -> Node {
    image_node(
        name,
        &[
            (&["gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1"], 40),
            (&["gcr.io/300:latest", "gcr.io/300:v1"], 300),
            (&["gcr.io/2000:latest"], 2000),
        ],
    )
}

fn node_250_10(name: &str) -> Node {
    image_node(
        name,
        &[
            (&["gcr.io/250:latest"], 250),
            (&["gcr.io/10:latest", "gcr.io/10:v1"], 10),
        ],
    )
}

fn node_600_40_900(name: &str) -> Node {
    image_node(
        name,
        &[
            (&["gcr.io/600:latest"], 600),
            (&["gcr.io/40:latest"], 40),
            (&["gcr.io/900:latest"], 900),
        ],
    )
}

fn node_300_600_900(name: &str) -> Node {
    image_node(
        name,
        &[
            (&["gcr.io/300:latest"], 300),
            (&["gcr.io/600:latest"], 600),
            (&["gcr.io/900:latest"], 900),
        ],
    )
}

fn node_4000_30(name: &str) -> Node {
    image_node(
        name,
        &[(&["gcr.io/4000:latest"], 4000), (&["gcr.io/30:latest"], 30)],
    )
}

fn node_20_30_40(name: &str) -> Node {
    image_node(
        name,
        &[
            (&["gcr.io/20:latest"], 20),
            (&["gcr.io/30:latest"], 30),
            (&["gcr.io/40:latest"], 40),
        ],
    )
}

fn node_with_no_images(name: &str) -> Node {
    node(json!({"metadata": {"name": name}, "status": {}}))
}

/// A pod whose containers (and init containers) run `images`.
fn image_pod(images: &[&str], init_images: &[&str]) -> Pod {
    let list = |images: &[&str], prefix: &str| -> Value {
        images
            .iter()
            .enumerate()
            .map(|(i, image)| json!({"name": format!("{prefix}{i}"), "image": image}))
            .collect()
    };
    pod(
        "incoming",
        json!({"containers": list(images, "c"), "initContainers": list(init_images, "init")}),
    )
}

fn image_scores(nodes: Vec<Node>, pod: &Pod) -> Vec<i64> {
    let names: Vec<String> = nodes
        .iter()
        .map(|n| n.metadata.name.clone().unwrap_or_default())
        .collect();
    let store = store_with(nodes, vec![]);
    let nodes: Vec<&Node> = names.iter().map(|n| stored(&store, n)).collect();
    image_locality::scores(&store, pod, &nodes)
}

#[test]
fn image_locality_two_images_spread_on_two_nodes_prefer_the_larger_image_one() {
    // TestImageLocalityPriority: "two images spread on two nodes, prefer the larger image one"
    let pod = image_pod(&["gcr.io/40", "gcr.io/250"], &[]);
    let nodes = vec![node_40_300_2000("node1"), node_250_10("node2")];
    assert_eq!(image_scores(nodes, &pod), [0, 5]);
}

#[test]
fn image_locality_two_images_on_one_node_prefer_this_node() {
    // TestImageLocalityPriority: "two images on one node, prefer this node"
    let pod = image_pod(&["gcr.io/40", "gcr.io/300"], &[]);
    let nodes = vec![node_40_300_2000("node1"), node_250_10("node2")];
    assert_eq!(image_scores(nodes, &pod), [7, 0]);
}

#[test]
fn image_locality_if_exceed_limit_use_limit() {
    // TestImageLocalityPriority: "if exceed limit, use limit"
    let pod = image_pod(&["gcr.io/10", "gcr.io/4000"], &[]);
    let nodes = vec![node_4000_30("node1"), node_250_10("node2")];
    assert_eq!(image_scores(nodes, &pod), [100, 0]);
}

#[test]
fn image_locality_if_exceed_limit_use_limit_with_node_which_has_no_images_present() {
    // TestImageLocalityPriority:
    // "if exceed limit, use limit (with node which has no images present)"
    let pod = image_pod(&["gcr.io/10", "gcr.io/4000"], &[]);
    let nodes = vec![
        node_4000_30("node1"),
        node_250_10("node2"),
        node_with_no_images("node3"),
    ];
    assert_eq!(image_scores(nodes, &pod), [66, 0, 0]);
}

#[test]
fn image_locality_pod_with_multiple_large_images_node2_is_preferred() {
    // TestImageLocalityPriority: "pod with multiple large images, node2 is preferred"
    let pod = image_pod(&["gcr.io/300", "gcr.io/600", "gcr.io/900"], &[]);
    let nodes = vec![
        node_600_40_900("node1"),
        node_300_600_900("node2"),
        node_with_no_images("node3"),
    ];
    assert_eq!(image_scores(nodes, &pod), [32, 36, 0]);
}

#[test]
fn image_locality_pod_with_multiple_small_images() {
    // TestImageLocalityPriority: "pod with multiple small images"
    let pod = image_pod(&["gcr.io/30", "gcr.io/40"], &[]);
    let nodes = vec![node_20_30_40("node1"), node_4000_30("node2")];
    assert_eq!(image_scores(nodes, &pod), [1, 0]);
}

#[test]
fn image_locality_include_init_containers() {
    // TestImageLocalityPriority:
    // "include InitContainers: two images spread on two nodes, prefer the larger image one"
    let pod = image_pod(&["gcr.io/30"], &["gcr.io/300"]);
    let nodes = vec![node_40_300_2000("node1"), node_20_30_40("node2")];
    assert_eq!(image_scores(nodes, &pod), [6, 0]);
}

#[test]
fn normalized_image_name() {
    // sha256("root"), as getImageFakeDigest("root") computes it.
    let digest = "sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2";
    let root_at_digest = format!("root@{digest}");
    let cases = [
        // TestNormalizedImageName: "add :latest postfix 1"
        ("root", "root:latest".to_string()),
        // TestNormalizedImageName: "add :latest postfix 2"
        ("gcr.io:5000/root", "gcr.io:5000/root:latest".to_string()),
        // TestNormalizedImageName: "keep it as is 1"
        ("root:tag", "root:tag".to_string()),
        // TestNormalizedImageName: "keep it as is 2"
        (root_at_digest.as_str(), root_at_digest.clone()),
    ];
    for (input, output) in cases {
        assert_eq!(image_locality::normalized(input), output, "input {input:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// TaintToleration score (normalized in reverse)

/// `nodeWithTaints(name, taints)`: (key, value, effect).
fn tainted_node(name: &str, taints: &[(&str, &str, &str)]) -> Node {
    let taints: Vec<Value> = taints
        .iter()
        .map(|(key, value, effect)| json!({"key": key, "value": value, "effect": effect}))
        .collect();
    node(json!({"metadata": {"name": name}, "spec": {"taints": taints}}))
}

/// `podWithTolerations("pod1", tolerations)`: (key, operator, value, effect).
fn tolerating_pod(tolerations: &[(&str, &str, &str, &str)]) -> Pod {
    let tolerations: Vec<Value> = tolerations
        .iter()
        .map(|(key, operator, value, effect)| {
            json!({"key": key, "operator": operator, "value": value, "effect": effect})
        })
        .collect();
    pod(
        "pod1",
        json!({"containers": [], "tolerations": tolerations}),
    )
}

fn taint_scores(nodes: Vec<Node>, pod: &Pod) -> Vec<i64> {
    let names: Vec<String> = nodes
        .iter()
        .map(|n| n.metadata.name.clone().unwrap_or_default())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let store = store_with(nodes, vec![]);
    normalized_scores(&store, pod, &names, Plugin::TaintToleration)
}

const PNS: &str = "PreferNoSchedule";

#[test]
fn taint_toleration_tolerated_taints_score_higher_than_intolerable_ones() {
    // TestTaintTolerationScore: "node with taints tolerated by the pod, gets a higher score than
    // those node with intolerable taints"
    let pod = tolerating_pod(&[("foo", "Equal", "bar", PNS)]);
    let nodes = vec![
        tainted_node("nodeA", &[("foo", "bar", PNS)]),
        tainted_node("nodeB", &[("foo", "blah", PNS)]),
    ];
    assert_eq!(taint_scores(nodes, &pod), [100, 0]);
}

#[test]
fn taint_toleration_all_tolerated_nodes_score_the_same() {
    // TestTaintTolerationScore: "the nodes that all of their taints are tolerated by the pod, get
    // the same score, no matter how many tolerable taints a node has"
    let pod = tolerating_pod(&[
        ("cpu-type", "Equal", "arm64", PNS),
        ("disk-type", "Equal", "ssd", PNS),
    ]);
    let nodes = vec![
        tainted_node("nodeA", &[]),
        tainted_node("nodeB", &[("cpu-type", "arm64", PNS)]),
        tainted_node(
            "nodeC",
            &[("cpu-type", "arm64", PNS), ("disk-type", "ssd", PNS)],
        ),
    ];
    assert_eq!(taint_scores(nodes, &pod), [100, 100, 100]);
}

#[test]
fn taint_toleration_the_more_intolerable_taints_the_lower_the_score() {
    // TestTaintTolerationScore: "the more intolerable taints a node has, the lower score it gets."
    let pod = tolerating_pod(&[("foo", "Equal", "bar", PNS)]);
    let nodes = vec![
        tainted_node("nodeA", &[]),
        tainted_node("nodeB", &[("cpu-type", "arm64", PNS)]),
        tainted_node(
            "nodeC",
            &[("cpu-type", "arm64", PNS), ("disk-type", "ssd", PNS)],
        ),
    ];
    assert_eq!(taint_scores(nodes, &pod), [100, 50, 0]);
}

#[test]
fn taint_toleration_only_prefer_no_schedule_counts() {
    // TestTaintTolerationScore: "only taints and tolerations that have effect PreferNoSchedule are
    // checked by taints-tolerations priority function"
    let pod = tolerating_pod(&[
        ("cpu-type", "Equal", "arm64", "NoSchedule"),
        ("disk-type", "Equal", "ssd", "NoSchedule"),
    ]);
    let nodes = vec![
        tainted_node("nodeA", &[]),
        tainted_node("nodeB", &[("cpu-type", "arm64", "NoSchedule")]),
        tainted_node(
            "nodeC",
            &[("cpu-type", "arm64", PNS), ("disk-type", "ssd", PNS)],
        ),
    ];
    assert_eq!(taint_scores(nodes, &pod), [100, 100, 0]);
}

#[test]
fn taint_toleration_default_behaviour_no_taints_and_tolerations() {
    // TestTaintTolerationScore: "Default behaviour No taints and tolerations, lands on node with
    // no taints"
    let pod = tolerating_pod(&[]);
    let nodes = vec![
        tainted_node("nodeA", &[]),
        tainted_node("nodeB", &[("cpu-type", "arm64", PNS)]),
    ];
    assert_eq!(taint_scores(nodes, &pod), [100, 0]);
}

// ---------------------------------------------------------------------------------------------
// NodeAffinity score (normalized)

fn labelled_node(name: &str, labels: &[(&str, &str)]) -> Node {
    let labels: serde_json::Map<String, Value> = labels
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    node(json!({"metadata": {"name": name, "labels": labels}}))
}

const LABEL1: &[(&str, &str)] = &[("foo", "bar")];
const LABEL2: &[(&str, &str)] = &[("key", "value")];
const LABEL3: &[(&str, &str)] = &[("az", "az1")];
const LABEL4: &[(&str, &str)] = &[("abc", "az11"), ("def", "az22")];
const LABEL5: &[(&str, &str)] = &[("foo", "bar"), ("key", "value"), ("az", "az1")];

fn in_requirement(key: &str, value: &str) -> Value {
    json!({"key": key, "operator": "In", "values": [value]})
}

/// A pod whose preferred node affinity is `terms`: (weight, matchExpressions).
fn preferring_pod(terms: Vec<(i32, Vec<Value>)>) -> Pod {
    let terms: Vec<Value> = terms
        .into_iter()
        .map(|(weight, expressions)| {
            json!({"weight": weight, "preference": {"matchExpressions": expressions}})
        })
        .collect();
    pod(
        "incoming",
        json!({
            "containers": [],
            "affinity": {
                "nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": terms},
            },
        }),
    )
}

/// `affinity1`: weight 2 on foo In [bar].
fn affinity1() -> Pod {
    preferring_pod(vec![(2, vec![in_requirement("foo", "bar")])])
}

/// `affinity2`: weight 2 on foo=bar, 4 on key=value, 5 on foo=bar, key=value and az=az1.
fn affinity2() -> Pod {
    preferring_pod(vec![
        (2, vec![in_requirement("foo", "bar")]),
        (4, vec![in_requirement("key", "value")]),
        (
            5,
            vec![
                in_requirement("foo", "bar"),
                in_requirement("key", "value"),
                in_requirement("az", "az1"),
            ],
        ),
    ])
}

fn affinity_scores(nodes: Vec<Node>, pod: &Pod) -> Vec<i64> {
    let names: Vec<String> = nodes
        .iter()
        .map(|n| n.metadata.name.clone().unwrap_or_default())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let store = store_with(nodes, vec![]);
    normalized_scores(&store, pod, &names, Plugin::NodeAffinity)
}

#[test]
fn node_affinity_all_nodes_are_same_priority_as_node_affinity_is_nil() {
    // TestNodeAffinityPriority: "all nodes are same priority as NodeAffinity is nil"
    let pod = pod("incoming", json!({"containers": []}));
    let nodes = vec![
        labelled_node("node1", LABEL1),
        labelled_node("node2", LABEL2),
        labelled_node("node3", LABEL3),
    ];
    assert_eq!(affinity_scores(nodes, &pod), [0, 0, 0]);
}

#[test]
fn node_affinity_skip_is_returned_in_prescore_when_node_affinity_is_nil() {
    // TestNodeAffinityPriority: "Skip is returned in PreScore when NodeAffinity is nil"
    // The simulator has no PreScore status; a skipped plugin adds nothing to a node's total,
    // which here is a normalized score of 0.
    let pod = pod("incoming", json!({"containers": []}));
    let nodes = vec![labelled_node("node1", LABEL1)];
    assert_eq!(affinity_scores(nodes, &pod), [0]);
}

#[test]
fn node_affinity_no_node_matches_preferred_scheduling_requirements() {
    // TestNodeAffinityPriority: "no node matches preferred scheduling requirements in
    // NodeAffinity of pod so all nodes' priority is zero"
    let nodes = vec![
        labelled_node("node1", LABEL4),
        labelled_node("node2", LABEL2),
        labelled_node("node3", LABEL3),
    ];
    assert_eq!(affinity_scores(nodes, &affinity1()), [0, 0, 0]);
}

#[test]
fn node_affinity_only_node1_matches_the_preferred_scheduling_requirements_of_pod() {
    // TestNodeAffinityPriority: "only node1 matches the preferred scheduling requirements of pod"
    let nodes = vec![
        labelled_node("node1", LABEL1),
        labelled_node("node2", LABEL2),
        labelled_node("node3", LABEL3),
    ];
    assert_eq!(affinity_scores(nodes, &affinity1()), [100, 0, 0]);
}

#[test]
fn node_affinity_all_nodes_match_with_different_priorities() {
    // TestNodeAffinityPriority: "all nodes matches the preferred scheduling requirements of pod
    // but with different priorities "
    let nodes = vec![
        labelled_node("node1", LABEL1),
        labelled_node("node5", LABEL5),
        labelled_node("node2", LABEL2),
    ];
    assert_eq!(affinity_scores(nodes, &affinity2()), [18, 100, 36]);
}

#[test]
fn node_affinity_calculate_the_priorities_correctly_even_if_prescore_is_not_called() {
    // TestNodeAffinityPriority: "calculate the priorities correctly even if PreScore is not
    // called"
    let nodes = vec![
        labelled_node("node1", LABEL1),
        labelled_node("node5", LABEL5),
        labelled_node("node2", LABEL2),
    ];
    assert_eq!(affinity_scores(nodes, &affinity2()), [18, 100, 36]);
}

// ---------------------------------------------------------------------------------------------
// NodeResourcesFit filter

const EXT_A: &str = "example.com/aaa";
const EXT_B: &str = "example.com/bbb";
const KUBERNETES_IO_A: &str = "kubernetes.io/something";
const HUGE_PAGE_A: &str = "hugepages-2Mi";

/// `framework.Resource{MilliCPU, Memory, EphemeralStorage, ScalarResources}` as
/// `newResourcePod` writes it into a container's requests (pods and storage included).
fn resource(milli_cpu: i64, memory: i64, storage: i64, scalar: &[(&str, i64)]) -> Value {
    let mut list = serde_json::Map::new();
    list.insert("cpu".into(), json!(format!("{milli_cpu}m")));
    list.insert("memory".into(), json!(memory.to_string()));
    list.insert("pods".into(), json!("0"));
    list.insert("ephemeral-storage".into(), json!(storage.to_string()));
    for (name, amount) in scalar {
        list.insert((*name).into(), json!(amount.to_string()));
    }
    Value::Object(list)
}

fn cm(milli_cpu: i64, memory: i64) -> Value {
    resource(milli_cpu, memory, 0, &[])
}

fn cmx(milli_cpu: i64, memory: i64, scalar: &[(&str, i64)]) -> Value {
    resource(milli_cpu, memory, 0, scalar)
}

/// `newResourceInitPod(newResourcePod(containers...), init...)`, bound to `node_name`.
fn resource_pod(name: &str, node_name: Option<&str>, main: &[Value], init: &[Value]) -> Pod {
    pod(
        name,
        json!({
            "nodeName": node_name,
            "containers": containers(main),
            "initContainers": containers(init),
        }),
    )
}

/// The incoming pod of a fit case.
fn incoming(main: &[Value], init: &[Value]) -> Pod {
    resource_pod("incoming", None, main, init)
}

/// `makeAllocatableResources(milliCPU, memory, pods, extendedA, storage, hugePageA)`.
fn allocatable(
    milli_cpu: i64,
    memory: i64,
    pods: i64,
    ext_a: i64,
    storage: i64,
    huge_page_a: i64,
) -> Value {
    json!({
        "cpu": format!("{milli_cpu}m"),
        "memory": memory.to_string(),
        "pods": pods.to_string(),
        EXT_A: ext_a.to_string(),
        "ephemeral-storage": storage.to_string(),
        HUGE_PAGE_A: huge_page_a.to_string(),
    })
}

/// TestEnoughRequests' node: capacity and allocatable `(10, 20, 32, 5, 20, 5)`.
fn enough_requests_node() -> Node {
    let list = allocatable(10, 20, 32, 5, 20, 5);
    node(json!({"metadata": {"name": "node"}, "status": {"capacity": list, "allocatable": list}}))
}

/// TestNotEnoughRequests' node: empty capacity, allocatable `(10, 20, 1, 0, 0, 0)`.
fn not_enough_requests_node() -> Node {
    node(json!({
        "metadata": {"name": "node"},
        "status": {"capacity": {}, "allocatable": allocatable(10, 20, 1, 0, 0, 0)},
    }))
}

/// One `InsufficientResource`: name, requested, used, capacity, unresolvable.
type Insufficient<'a> = (&'a str, i128, i128, i128, bool);

/// Runs the filters on `node` for `pod`, with `existing` (if any) bound to it, and checks the
/// Fit status and, where the upstream case lists them (`wantInsufficientResources`), the
/// insufficient resources.
fn check_fit(
    node: Node,
    existing: &[Value],
    pod: &Pod,
    want: Option<(Code, &[&str])>,
    want_insufficient: Option<&[Insufficient]>,
) {
    let pods = if existing.is_empty() {
        vec![]
    } else {
        vec![resource_pod("existing", Some("node"), existing, &[])]
    };
    let store = store_with(vec![node], pods);
    let node = stored(&store, "node");
    let usage = usage_on(&store, "node");
    let anti_affinity: Vec<&Pod> = bound_with_anti_affinity(&store).collect();
    let cycle = Cycle::new(Snapshot::of(&store), pod, &anti_affinity);
    let expected = match want {
        None => Ok(()),
        Some((code, reasons)) => Err(Rejection {
            plugin: Plugin::NodeResourcesFit,
            code,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
        }),
    };
    assert_eq!(cycle.filter(node, &usage), expected);
    let Some(want_insufficient) = want_insufficient else {
        return;
    };
    let insufficient: Vec<(String, i128, i128, i128, bool)> =
        node_resources::shortages(&node_resources::demand(pod), node, &usage)
            .iter()
            .map(|s| {
                (
                    s.resource.clone(),
                    s.requested,
                    s.used,
                    s.capacity,
                    s.unresolvable(),
                )
            })
            .collect();
    let want_insufficient: Vec<(String, i128, i128, i128, bool)> = want_insufficient
        .iter()
        .map(|&(name, requested, used, capacity, unresolvable)| {
            (name.to_string(), requested, used, capacity, unresolvable)
        })
        .collect();
    assert_eq!(insufficient, want_insufficient);
}

const UNSCHEDULABLE: Code = Code::Unschedulable;
const UNRESOLVABLE: Code = Code::UnschedulableAndUnresolvable;

#[test]
fn fit_no_resources_requested_always_fits() {
    // TestEnoughRequests: "no resources requested always fits"
    let pod = pod("incoming", json!({"containers": []}));
    check_fit(enough_requests_node(), &[cm(10, 20)], &pod, None, Some(&[]));
}

#[test]
fn fit_too_many_resources_fails() {
    // TestEnoughRequests: "too many resources fails"
    check_fit(
        enough_requests_node(),
        &[cm(10, 20)],
        &incoming(&[cm(1, 1)], &[]),
        Some((UNSCHEDULABLE, &["Insufficient cpu", "Insufficient memory"])),
        Some(&[("cpu", 1, 10, 10, false), ("memory", 1, 20, 20, false)]),
    );
}

#[test]
fn fit_too_many_resources_fails_due_to_init_container_cpu() {
    // TestEnoughRequests: "too many resources fails due to init container cpu"
    check_fit(
        enough_requests_node(),
        &[cm(8, 19)],
        &incoming(&[cm(1, 1)], &[cm(3, 1)]),
        Some((UNSCHEDULABLE, &["Insufficient cpu"])),
        Some(&[("cpu", 3, 8, 10, false)]),
    );
}

#[test]
fn fit_too_many_resources_fails_due_to_highest_init_container_memory() {
    // TestEnoughRequests: "too many resources fails due to highest init container memory"
    check_fit(
        enough_requests_node(),
        &[cm(9, 19)],
        &incoming(&[cm(1, 1)], &[cm(1, 3), cm(1, 2)]),
        Some((UNSCHEDULABLE, &["Insufficient memory"])),
        Some(&[("memory", 3, 19, 20, false)]),
    );
}

#[test]
fn fit_init_container_fits_because_it_is_the_max_not_sum() {
    // TestEnoughRequests: "init container fits because it's the max, not sum, of containers and
    // init containers"
    check_fit(
        enough_requests_node(),
        &[cm(9, 19)],
        &incoming(&[cm(1, 1)], &[cm(1, 1)]),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_one_resource_memory_fits() {
    // TestEnoughRequests: "one resource memory fits"
    check_fit(
        enough_requests_node(),
        &[cm(9, 5)],
        &incoming(&[cm(2, 1)], &[]),
        Some((UNSCHEDULABLE, &["Insufficient cpu"])),
        Some(&[("cpu", 2, 9, 10, false)]),
    );
}

#[test]
fn fit_one_resource_cpu_fits() {
    // TestEnoughRequests: "one resource cpu fits"
    check_fit(
        enough_requests_node(),
        &[cm(5, 19)],
        &incoming(&[cm(1, 2)], &[]),
        Some((UNSCHEDULABLE, &["Insufficient memory"])),
        Some(&[("memory", 2, 19, 20, false)]),
    );
}

#[test]
fn fit_equal_edge_case() {
    // TestEnoughRequests: "equal edge case"
    check_fit(
        enough_requests_node(),
        &[cm(5, 19)],
        &incoming(&[cm(5, 1)], &[]),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_extended_resource_fits() {
    // TestEnoughRequests: "extended resource fits"
    check_fit(
        enough_requests_node(),
        &[cm(0, 0)],
        &incoming(&[cmx(0, 0, &[(EXT_A, 1)])], &[]),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_extended_resource_capacity_enforced() {
    // TestEnoughRequests: "extended resource capacity enforced"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(EXT_A, 0)])],
        &incoming(&[cmx(1, 1, &[(EXT_A, 10)])], &[]),
        Some((UNRESOLVABLE, &["Insufficient example.com/aaa"])),
        Some(&[(EXT_A, 10, 0, 5, true)]),
    );
}

#[test]
fn fit_extended_resource_allocatable_enforced() {
    // TestEnoughRequests: "extended resource allocatable enforced"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(EXT_A, 5)])],
        &incoming(&[cmx(1, 1, &[(EXT_A, 1)])], &[]),
        Some((UNSCHEDULABLE, &["Insufficient example.com/aaa"])),
        Some(&[(EXT_A, 1, 5, 5, false)]),
    );
}

#[test]
fn fit_extended_resource_allocatable_enforced_for_multiple_containers() {
    // TestEnoughRequests: "extended resource allocatable enforced for multiple containers"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(EXT_A, 2)])],
        &incoming(&[cmx(1, 1, &[(EXT_A, 3)]), cmx(1, 1, &[(EXT_A, 3)])], &[]),
        Some((UNRESOLVABLE, &["Insufficient example.com/aaa"])),
        Some(&[(EXT_A, 6, 2, 5, true)]),
    );
}

#[test]
fn fit_extended_resource_allocatable_admits_multiple_init_containers() {
    // TestEnoughRequests: "extended resource allocatable admits multiple init containers"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(EXT_A, 2)])],
        &incoming(
            &[cm(0, 0)],
            &[cmx(1, 1, &[(EXT_A, 3)]), cmx(1, 1, &[(EXT_A, 3)])],
        ),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_extended_resource_allocatable_enforced_for_unknown_resource() {
    // TestEnoughRequests: "extended resource allocatable enforced for unknown resource"
    check_fit(
        enough_requests_node(),
        &[cm(0, 0)],
        &incoming(&[cmx(1, 1, &[(EXT_B, 1)])], &[]),
        Some((UNRESOLVABLE, &["Insufficient example.com/bbb"])),
        Some(&[(EXT_B, 1, 0, 0, true)]),
    );
}

#[test]
fn fit_kubernetes_io_resource_capacity_enforced() {
    // TestEnoughRequests: "kubernetes.io resource capacity enforced"
    check_fit(
        enough_requests_node(),
        &[cm(0, 0)],
        &incoming(&[cmx(1, 1, &[(KUBERNETES_IO_A, 10)])], &[]),
        Some((UNRESOLVABLE, &["Insufficient kubernetes.io/something"])),
        Some(&[(KUBERNETES_IO_A, 10, 0, 0, true)]),
    );
}

#[test]
fn fit_hugepages_resource_capacity_enforced() {
    // TestEnoughRequests: "hugepages resource capacity enforced"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(HUGE_PAGE_A, 0)])],
        &incoming(&[cmx(1, 1, &[(HUGE_PAGE_A, 10)])], &[]),
        Some((UNRESOLVABLE, &["Insufficient hugepages-2Mi"])),
        Some(&[(HUGE_PAGE_A, 10, 0, 5, true)]),
    );
}

/// `newResourceOverheadPod(newResourcePod({1m, 1}), overhead)`.
fn overhead_pod(cpu: &str, memory: &str) -> Pod {
    pod(
        "incoming",
        json!({
            "containers": containers(&[cm(1, 1)]),
            "overhead": {"cpu": cpu, "memory": memory},
        }),
    )
}

#[test]
fn fit_resources_plus_pod_overhead_fits() {
    // TestEnoughRequests: "resources + pod overhead fits"
    check_fit(
        enough_requests_node(),
        &[cm(5, 5)],
        &overhead_pod("3m", "13"),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_requests_plus_overhead_does_not_fit_for_memory() {
    // TestEnoughRequests: "requests + overhead does not fit for memory"
    check_fit(
        enough_requests_node(),
        &[cm(5, 5)],
        &overhead_pod("1m", "15"),
        Some((UNSCHEDULABLE, &["Insufficient memory"])),
        Some(&[("memory", 16, 5, 20, false)]),
    );
}

#[test]
fn fit_skip_checking_extended_resource_request_with_quantity_zero() {
    // TestEnoughRequests: "skip checking extended resource request with quantity zero via
    // resource groups"
    check_fit(
        enough_requests_node(),
        &[cmx(0, 0, &[(EXT_A, 6)])],
        &incoming(&[cmx(1, 1, &[(EXT_A, 0)])], &[]),
        None,
        Some(&[]),
    );
}

#[test]
fn fit_too_many_pods_even_without_specified_resources() {
    // TestNotEnoughRequests: "even without specified resources, predicate fails when there's no
    // space for additional pod"
    let pod = pod("incoming", json!({"containers": []}));
    check_fit(
        not_enough_requests_node(),
        &[cm(10, 20)],
        &pod,
        Some((UNSCHEDULABLE, &["Too many pods"])),
        None,
    );
}

#[test]
fn fit_too_many_pods_even_if_both_resources_fit() {
    // TestNotEnoughRequests: "even if both resources fit, predicate fails when there's no space
    // for additional pod"
    check_fit(
        not_enough_requests_node(),
        &[cm(5, 5)],
        &incoming(&[cm(1, 1)], &[]),
        Some((UNSCHEDULABLE, &["Too many pods"])),
        None,
    );
}

#[test]
fn fit_storage_ephemeral_local_storage_request_exceeds_allocatable() {
    // TestStorageRequests: "storage ephemeral local storage request exceeds allocatable"
    check_fit(
        enough_requests_node(),
        &[cm(2, 2)],
        &incoming(&[resource(0, 0, 25, &[])], &[]),
        Some((UNRESOLVABLE, &["Insufficient ephemeral-storage"])),
        None,
    );
}

/// TestRestartableInitContainers' `newPodWithRestartableInitContainers(cpu, sidecarCPU)`.
fn sidecar_pod(milli_cpu: i64, sidecar_milli_cpu: i64) -> Pod {
    pod(
        "incoming",
        json!({
            "containers": [{
                "name": "regular",
                "resources": {"requests": {"cpu": format!("{milli_cpu}m")}},
            }],
            "initContainers": [{
                "name": "restartable-init",
                "restartPolicy": "Always",
                "resources": {"requests": {"cpu": format!("{sidecar_milli_cpu}m")}},
            }],
        }),
    )
}

/// TestRestartableInitContainers' node: allocatable `(2, 0, 1, 0, 0, 0)`, no pods.
fn restartable_init_node() -> Node {
    node(json!({
        "metadata": {"name": "node"},
        "status": {"capacity": {}, "allocatable": allocatable(2, 0, 1, 0, 0, 0)},
    }))
}

#[test]
fn fit_sidecar_total_requests_do_not_exceed_allocatable() {
    // TestRestartableInitContainers: "allow pod if the total requested resources do not exceed
    // the node's allocatable resources"
    check_fit(restartable_init_node(), &[], &sidecar_pod(1, 1), None, None);
}

#[test]
fn fit_sidecar_total_requests_exceed_allocatable() {
    // TestRestartableInitContainers: "not allow pod if the total requested resources do exceed
    // the node's allocatable resources"
    // Regular 1m + sidecar 2m = 3m against 2m allocatable: more than the node has at all.
    check_fit(
        restartable_init_node(),
        &[],
        &sidecar_pod(1, 2),
        Some((UNRESOLVABLE, &["Insufficient cpu"])),
        None,
    );
}
