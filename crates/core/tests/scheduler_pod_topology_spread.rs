//! The `PodTopologySpread` plugin against the upstream test tables
//! (`pkg/scheduler/framework/plugins/podtopologyspread/{filtering,scoring}_test.go`):
//! `TestSingleConstraint` and `TestMultipleConstraints` (Filter) and
//! `TestPodTopologySpreadScore` (Score after NormalizeScore).
//!
//! Translation notes:
//! - Upstream pods in the empty namespace live in "default" here.
//! - Upstream runs the plugin alone. The filter cases check the plugin's own
//!   verdict (`pod_topology_spread::Filtering`, PreFilter over every node, then
//!   Filter), exactly what upstream exercises, and also the default profile's
//!   chain (`Cycle::filter`). Where upstream notes that in a real cluster another
//!   filter rejects the node first ("in real case, it's false"), the chain
//!   check expects that filter (listed per case in `earlier`): TaintToleration
//!   for the `node.kubernetes.io/unschedulable:NoSchedule` taint the pod does
//!   not tolerate, NodeAffinity for nodes its nodeSelector or required affinity
//!   rules out. No toleration is added to a pod: in the NodeTaintsPolicy cases it
//!   would change which nodes count.
//! - Upstream runs the filter cases without a [NIP] mark with the
//!   NodeInclusionPolicyInPodTopologySpread gate off. The simulator always
//!   honours the policies (as Kubernetes 1.36 does); with the default policies
//!   (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore) both paths give the same
//!   result, so those cases are translated as they are.
//! - Upstream's filter tests configure `DefaultingType: List` with no default
//!   constraints; the simulator uses the system defaults, which are soft only and
//!   never apply to a pod with constraints of its own, so Filter is unaffected.
//! - The score cases put every node (`nodes` and `failedNodes`) in the store and
//!   give `Cycle::score` only upstream's `nodes` (the `filteredNodes` of
//!   PreScore), reading the normalized PodTopologySpread score.
//!
//! Not translated:
//! - TestPodTopologySpreadScore: "matchLabelKeys ignored when feature gate
//!   disabled": the simulator always applies matchLabelKeys (the
//!   MatchLabelKeysInPodTopologySpread gate off is not modelled).

use daemonlab_core::api::store::Store;
use daemonlab_core::api::Object;
use daemonlab_core::scheduling::framework::{Code, Cycle, Plugin, Rejection, Snapshot};
use daemonlab_core::scheduling::inter_pod_affinity::bound_with_anti_affinity;
use daemonlab_core::scheduling::node_resources::{usage_on, Usage};
use daemonlab_core::scheduling::pod_topology_spread::Filtering;
use k8s_openapi::api::core::v1::{Node, Pod, Service};
use serde_json::{json, Value};

const DNS: &str = "DoNotSchedule";
const SA: &str = "ScheduleAnyway";
/// `v1.LabelHostname`.
const H: &str = "kubernetes.io/hostname";

/// `ErrReasonConstraintsNotMatch`.
const REASON: &str = "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`.
const MISSING_LABEL: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

fn labels(pairs: &[(&str, &str)]) -> Value {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `st.MakeNode().Name(name).Label(...)`, with room for 110 pods so that
/// NodeResourcesFit passes.
fn node(name: &str, pairs: &[(&str, &str)]) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels(pairs)},
        "status": {"allocatable": {"pods": "110"}},
    }))
    .expect("node fixture")
}

/// A node with upstream's `taints`:
/// `node.kubernetes.io/unschedulable:NoSchedule`.
fn tainted(name: &str, pairs: &[(&str, &str)]) -> Node {
    let mut n = node(name, pairs);
    n.spec = Some(
        serde_json::from_value(json!({"taints": [{
            "key": "node.kubernetes.io/unschedulable",
            "value": "",
            "effect": "NoSchedule",
        }]}))
        .expect("taint fixture"),
    );
    n
}

/// node-a, node-b in zone1 and node-x, node-y in zone2, each with `node: <name>`.
fn zones4() -> Vec<Node> {
    vec![
        node("node-a", &[("zone", "zone1"), ("node", "node-a")]),
        node("node-b", &[("zone", "zone1"), ("node", "node-b")]),
        node("node-x", &[("zone", "zone2"), ("node", "node-x")]),
        node("node-y", &[("zone", "zone2"), ("node", "node-y")]),
    ]
}

/// Nodes labelled only `kubernetes.io/hostname: <name>`.
fn hosts(names: &[&str]) -> Vec<Node> {
    names.iter().map(|n| node(n, &[(H, n)])).collect()
}

/// `st.MakePod().Name(name).Namespace(ns).Node(node).Label(...)`.
fn pod_in(namespace: &str, name: &str, node: &str, pairs: &[(&str, &str)]) -> Pod {
    serde_json::from_value(json!({
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": format!("{namespace}-{name}"),
            "labels": labels(pairs),
        },
        "spec": {"nodeName": node, "containers": [{"name": "c", "image": "pause"}]},
    }))
    .expect("pod fixture")
}

fn pod(name: &str, node: &str, pairs: &[(&str, &str)]) -> Pod {
    pod_in("default", name, node, pairs)
}

/// A pod labelled `foo: ""`.
fn foo(name: &str, node: &str) -> Pod {
    pod(name, node, &[("foo", "")])
}

/// `.Terminating()`: deletionTimestamp set.
fn terminating(mut p: Pod) -> Pod {
    p.metadata.deletion_timestamp =
        Some(serde_json::from_value(json!("2024-01-01T00:00:00Z")).expect("timestamp fixture"));
    p
}

/// The incoming pod `p` with its labels and spread constraints.
fn incoming(pairs: &[(&str, &str)], constraints: Vec<Value>) -> Pod {
    serde_json::from_value(json!({
        "metadata": {
            "name": "p",
            "namespace": "default",
            "uid": "default-p",
            "labels": labels(pairs),
        },
        "spec": {
            "containers": [{"name": "c", "image": "pause"}],
            "topologySpreadConstraints": constraints,
        },
    }))
    .expect("incoming pod fixture")
}

/// Sets `spec.<field>` of a pod.
fn with_spec(p: Pod, field: &str, value: Value) -> Pod {
    let mut v = serde_json::to_value(p).expect("pod serializes");
    v["spec"][field] = value;
    serde_json::from_value(v).expect("pod fixture")
}

/// `.NodeSelector(map)`.
fn node_selector(p: Pod, pairs: &[(&str, &str)]) -> Pod {
    with_spec(p, "nodeSelector", labels(pairs))
}

/// `.NodeAffinityIn(key, values, NodeSelectorTypeMatchExpressions)` and
/// `.NodeAffinityNotIn(key, values)`.
fn required_affinity(p: Pod, key: &str, operator: &str, values: &[&str]) -> Pod {
    with_spec(
        p,
        "affinity",
        json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": key, "operator": operator, "values": values}
            ]}]
        }}}),
    )
}

/// `st.MakeLabelSelector().Exists(key).Obj()`: `fooSelector`, `barSelector`.
fn exists(key: &str) -> Value {
    json!({"matchExpressions": [{"key": key, "operator": "Exists"}]})
}

/// `SpreadConstraint(maxSkew, key, mode, selector, nil, nil, nil, nil)`;
/// `Value::Null` is a nil selector.
fn spread(max_skew: i32, key: &str, when: &str, selector: Value) -> Value {
    json!({
        "maxSkew": max_skew,
        "topologyKey": key,
        "whenUnsatisfiable": when,
        "labelSelector": selector,
    })
}

/// Sets one more field of a constraint (minDomains, nodeAffinityPolicy,
/// nodeTaintsPolicy, matchLabelKeys).
fn and(mut constraint: Value, field: &str, value: Value) -> Value {
    constraint[field] = value;
    constraint
}

fn name_of(node: &Node) -> String {
    node.metadata.name.clone().expect("node fixture has a name")
}

// ---------------------------------------------------------------------------
// Filter
// ---------------------------------------------------------------------------

/// `wantStatusCode`.
#[derive(Clone, Copy, Debug)]
enum Want {
    Success,
    Unschedulable,
    UnschedulableAndUnresolvable,
}

use Want::{Success, Unschedulable, UnschedulableAndUnresolvable};

impl Want {
    fn verdict(self) -> Result<(), Rejection> {
        match self {
            Success => Ok(()),
            Unschedulable => Err(Rejection::new(
                Plugin::PodTopologySpread,
                Code::Unschedulable,
                REASON,
            )),
            UnschedulableAndUnresolvable => Err(Rejection::new(
                Plugin::PodTopologySpread,
                Code::UnschedulableAndUnresolvable,
                MISSING_LABEL,
            )),
        }
    }
}

struct FilterCase {
    pod: Pod,
    nodes: Vec<Node>,
    existing: Vec<Pod>,
    want: &'static [(&'static str, Want)],
    /// Nodes that a filter running before PodTopologySpread in the default
    /// profile rejects (upstream: "in real case, it's false").
    earlier: &'static [(&'static str, Plugin)],
}

fn check_filter(case: FilterCase) {
    let mut store = Store::default();
    for n in &case.nodes {
        store.put_node(n.clone());
    }
    for p in case.existing {
        store.put_pod(p);
    }
    assert_eq!(case.want.len(), case.nodes.len(), "one want per node");

    // The plugin alone, as upstream runs it: PreFilter over every node, then
    // Filter on each.
    let spread = Filtering::pre_filter(Snapshot::of(&store), &case.pod)
        .expect("PreFilter: the pod has hard constraints");
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for n in &case.nodes {
        let name = name_of(n);
        let wanted = case
            .want
            .iter()
            .find(|(w, _)| *w == name)
            .map(|(_, w)| *w)
            .expect("a want for every node");
        got.push((name.clone(), spread.filter(n)));
        want.push((name, wanted.verdict()));
    }
    assert_eq!(got, want, "PodTopologySpread Filter");

    // The default profile's filters in order.
    let anti_affinity: Vec<&Pod> = bound_with_anti_affinity(&store).collect();
    let cycle = Cycle::new(Snapshot::of(&store), &case.pod, &anti_affinity);
    let (mut got, mut want) = (Vec::new(), Vec::new());
    for n in &case.nodes {
        let name = name_of(n);
        let chain = cycle.filter(n, &usage_on(&store, &name));
        match case.earlier.iter().find(|(e, _)| *e == name) {
            Some((_, plugin)) => {
                got.push((name.clone(), chain.map_err(|r| r.plugin).err()));
                want.push((name, Some(*plugin)));
            }
            None => {
                let wanted = case
                    .want
                    .iter()
                    .find(|(w, _)| *w == name)
                    .map(|(_, w)| *w)
                    .expect("a want for every node");
                assert_eq!(chain, wanted.verdict(), "default filters on {name}");
            }
        }
    }
    assert_eq!(got, want, "filters before PodTopologySpread");
}

// --- TestSingleConstraint ---------------------------------------------------

// TestSingleConstraint: "no existing pods"
#[test]
fn single_no_existing_pods() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: vec![],
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "no existing pods, incoming pod doesn't match itself"
#[test]
fn single_no_existing_pods_incoming_pod_does_not_match_itself() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("bar"))]),
        nodes: zones4(),
        existing: vec![],
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "existing pods in a different namespace do not count"
#[test]
fn single_existing_pods_in_a_different_namespace_do_not_count() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: vec![
            pod_in("ns1", "p-a1", "node-a", &[("foo", "")]),
            pod_in("ns2", "p-b1", "node-a", &[("foo", "")]),
            foo("p-x1", "node-x"),
            foo("p-y1", "node-y"),
        ],
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "existing pods do not match null selector"
#[test]
fn single_existing_pods_do_not_match_null_selector() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, Value::Null)]),
        nodes: zones4(),
        existing: vec![foo("p-x1", "node-x"), foo("p-y1", "node-y")],
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

/// a:2, b:1, y:3 pods labelled foo.
fn spread_2_1_0_3() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-y1", "node-y"),
        foo("p-y2", "node-y"),
        foo("p-y3", "node-y"),
    ]
}

// TestSingleConstraint: "pods spread across zones as 3/3, all nodes fit"
#[test]
fn single_pods_spread_across_zones_as_3_3_all_nodes_fit() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across zones as 1/2 due to absence of label 'zone' on node-b"
#[test]
fn single_pods_spread_across_zones_as_1_2_due_to_absence_of_label_zone_on_node_b() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("foo"))]),
        nodes: vec![
            node("node-a", &[("zone", "zone1"), ("node", "node-a")]),
            node("node-b", &[("zon", "zone1"), ("node", "node-b")]),
            node("node-x", &[("zone", "zone2"), ("node", "node-x")]),
            node("node-y", &[("zone", "zone2"), ("node", "node-y")]),
        ],
        existing: vec![
            foo("p-a1", "node-a"),
            foo("p-b1", "node-b"),
            foo("p-x1", "node-x"),
            foo("p-y1", "node-y"),
        ],
        want: &[
            ("node-a", Success),
            ("node-b", UnschedulableAndUnresolvable),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pod cannot be scheduled as all nodes don't have label 'rack'"
#[test]
fn single_pod_cannot_be_scheduled_as_all_nodes_do_not_have_label_rack() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "rack", DNS, exists("foo"))]),
        nodes: vec![
            node("node-a", &[("zone", "zone1"), ("node", "node-a")]),
            node("node-x", &[("zone", "zone2"), ("node", "node-x")]),
        ],
        existing: vec![],
        want: &[
            ("node-a", UnschedulableAndUnresolvable),
            ("node-x", UnschedulableAndUnresolvable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across nodes as 2/1/0/3, only node-x fits"
#[test]
fn single_pods_spread_across_nodes_as_2_1_0_3_only_node_x_fits() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across nodes as 2/1/0/3, maxSkew is 2, node-b and node-x fit"
#[test]
fn single_pods_spread_across_nodes_as_2_1_0_3_max_skew_2_node_b_and_node_x_fit() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(2, "node", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across nodes as 2/1/0/3, but pod doesn't match itself"
#[test]
fn single_pods_spread_across_nodes_as_2_1_0_3_but_pod_does_not_match_itself() {
    check_filter(FilterCase {
        pod: incoming(&[("bar", "")], vec![spread(1, "node", DNS, exists("foo"))]),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "incoming pod has nodeAffinity, pods spread as 2/~1~/~0~/3, hence node-a fits"
#[test]
fn single_incoming_pod_has_node_affinity_pods_spread_as_2_1_0_3_hence_node_a_fits() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]);
    check_filter(FilterCase {
        pod: required_affinity(pod, "node", "In", &["node-a", "node-y"]),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Success),
            ("node-b", Success), // in real case, it's false
            ("node-x", Success), // in real case, it's false
            ("node-y", Unschedulable),
        ],
        earlier: &[
            ("node-b", Plugin::NodeAffinity),
            ("node-x", Plugin::NodeAffinity),
        ],
    });
}

// TestSingleConstraint: "terminating Pods should be excluded"
#[test]
fn single_terminating_pods_should_be_excluded() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]),
        nodes: vec![
            node("node-a", &[("node", "node-a")]),
            node("node-b", &[("node", "node-b")]),
        ],
        existing: vec![terminating(foo("p-a", "node-a")), foo("p-b", "node-b")],
        want: &[("node-a", Success), ("node-b", Unschedulable)],
        earlier: &[],
    });
}

// TestSingleConstraint: "incoming pod has nodeAffinity, pods spread as 0/~2~/0/1, hence node-a fits"
#[test]
fn single_incoming_pod_has_node_affinity_pods_spread_as_0_2_0_1_hence_node_a_fits() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "zone", DNS, exists("foo"))]);
    check_filter(FilterCase {
        pod: required_affinity(pod, "node", "NotIn", &["node-b"]),
        nodes: zones4(),
        existing: vec![
            foo("p-b1", "node-b"),
            foo("p-b2", "node-b"),
            foo("p-y1", "node-y"),
        ],
        want: &[
            ("node-a", Success),
            ("node-b", Success), // in real case, it's Unschedulable
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-b", Plugin::NodeAffinity)],
    });
}

fn nodes_abc_by_node_label() -> Vec<Node> {
    vec![
        node("node-a", &[("node", "node-a")]),
        node("node-b", &[("node", "node-b")]),
        node("node-c", &[("node", "node-c")]),
    ]
}

/// a:2, b:2, c:1 pods labelled foo.
fn spread_2_2_1() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-b2", "node-b"),
        foo("p-c1", "node-c"),
    ]
}

// TestSingleConstraint: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains < minDomains, then the third node fits"
#[test]
fn single_pods_spread_across_nodes_as_2_2_1_domains_below_min_domains_third_node_fits() {
    let constraint = and(
        spread(2, "node", DNS, exists("foo")),
        "minDomains",
        json!(4),
    );
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        nodes: nodes_abc_by_node_label(),
        existing: spread_2_2_1(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-c", Success),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across nodes as 2/2/1, maxSkew is 2, and the number of domains > minDomains, then the all nodes fit"
#[test]
fn single_pods_spread_across_nodes_as_2_2_1_domains_above_min_domains_all_nodes_fit() {
    let constraint = and(
        spread(2, "node", DNS, exists("foo")),
        "minDomains",
        json!(2),
    );
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        nodes: nodes_abc_by_node_label(),
        existing: spread_2_2_1(),
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-c", Success),
        ],
        earlier: &[],
    });
}

/// p-b1 on node-a, p-b2 on node-b, p-y1 on node-y, all labelled foo (upstream's names).
fn pods_b1_a_b2_b_y1_y() -> Vec<Pod> {
    vec![
        foo("p-b1", "node-a"),
        foo("p-b2", "node-b"),
        foo("p-y1", "node-y"),
    ]
}

// TestSingleConstraint: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains < minDomains, then the third and fourth nodes fit"
#[test]
fn single_pods_spread_across_zone_as_2_1_domains_below_min_domains_third_and_fourth_fit() {
    let constraint = and(
        spread(2, "zone", DNS, exists("foo")),
        "minDomains",
        json!(3),
    );
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        nodes: zones4(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

// TestSingleConstraint: "pods spread across zone as 2/1, maxSkew is 2 and the number of domains > minDomains, then the all nodes fit"
#[test]
fn single_pods_spread_across_zone_as_2_1_domains_above_min_domains_all_nodes_fit() {
    let constraint = and(
        spread(2, "zone", DNS, exists("foo")),
        "minDomains",
        json!(1),
    );
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        nodes: zones4(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

/// node-a, node-b, node-x labelled `foo`; node-y not; each with `node: <name>`.
fn nodes_foo_but_y() -> Vec<Node> {
    vec![
        node("node-a", &[("node", "node-a"), ("foo", "")]),
        node("node-b", &[("node", "node-b"), ("foo", "")]),
        node("node-x", &[("node", "node-x"), ("foo", "")]),
        node("node-y", &[("node", "node-y")]),
    ]
}

// TestSingleConstraint: "NodeAffinityPolicy honored with labelSelectors"
#[test]
fn single_node_affinity_policy_honored_with_label_selectors() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]);
    check_filter(FilterCase {
        pod: node_selector(pod, &[("foo", "")]),
        nodes: nodes_foo_but_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            // in real case, when we disable NodeAffinity Plugin, node-y will be success.
            ("node-y", Success),
        ],
        earlier: &[("node-y", Plugin::NodeAffinity)],
    });
}

// TestSingleConstraint: "NodeAffinityPolicy ignored with labelSelectors" (the first of two
// cases with this name: the pod has a nodeSelector)
#[test]
fn single_node_affinity_policy_ignored_with_label_selectors() {
    let constraint = and(
        spread(1, "node", DNS, exists("foo")),
        "nodeAffinityPolicy",
        json!("Ignore"),
    );
    let pod = incoming(&[("foo", "")], vec![constraint]);
    check_filter(FilterCase {
        pod: node_selector(pod, &[("foo", "")]),
        nodes: nodes_foo_but_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-y", Plugin::NodeAffinity)],
    });
}

// TestSingleConstraint: "NodeAffinityPolicy honored with nodeAffinity"
#[test]
fn single_node_affinity_policy_honored_with_node_affinity() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]);
    check_filter(FilterCase {
        pod: required_affinity(pod, "foo", "In", &[""]),
        nodes: nodes_foo_but_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            // in real case, when we disable NodeAffinity Plugin, node-y will be success.
            ("node-y", Success),
        ],
        earlier: &[("node-y", Plugin::NodeAffinity)],
    });
}

// TestSingleConstraint: "NodeAffinityPolicy ignored with labelSelectors" (the second of two
// cases with this name: the pod has required node affinity)
#[test]
fn single_node_affinity_policy_ignored_with_node_affinity() {
    let constraint = and(
        spread(1, "node", DNS, exists("foo")),
        "nodeAffinityPolicy",
        json!("Ignore"),
    );
    let pod = incoming(&[("foo", "")], vec![constraint]);
    check_filter(FilterCase {
        pod: required_affinity(pod, "foo", "In", &[""]),
        nodes: nodes_foo_but_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-y", Plugin::NodeAffinity)],
    });
}

/// node-a, node-b, node-x labelled `foo`; node-y tainted; each with `node: <name>`.
fn nodes_foo_and_tainted_y() -> Vec<Node> {
    vec![
        node("node-a", &[("node", "node-a"), ("foo", "")]),
        node("node-b", &[("node", "node-b"), ("foo", "")]),
        node("node-x", &[("node", "node-x"), ("foo", "")]),
        tainted("node-y", &[("node", "node-y")]),
    ]
}

// TestSingleConstraint: "NodeTaintsPolicy honored"
#[test]
fn single_node_taints_policy_honored() {
    let constraint = and(
        spread(1, "node", DNS, exists("foo")),
        "nodeTaintsPolicy",
        json!("Honor"),
    );
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        nodes: nodes_foo_and_tainted_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            // in real case, when we disable TaintToleration Plugin, node-y will be success.
            ("node-y", Success),
        ],
        earlier: &[("node-y", Plugin::TaintToleration)],
    });
}

// TestSingleConstraint: "NodeTaintsPolicy ignored"
#[test]
fn single_node_taints_policy_ignored() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "node", DNS, exists("foo"))]),
        nodes: nodes_foo_and_tainted_y(),
        existing: pods_b1_a_b2_b_y1_y(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-y", Plugin::TaintToleration)],
    });
}

// --- TestMultipleConstraints ------------------------------------------------

fn zone_and_node_foo() -> Vec<Value> {
    vec![
        spread(1, "zone", DNS, exists("foo")),
        spread(1, "node", DNS, exists("foo")),
    ]
}

fn zone_foo_node_bar() -> Vec<Value> {
    vec![
        spread(1, "zone", DNS, exists("foo")),
        spread(1, "node", DNS, exists("bar")),
    ]
}

// TestMultipleConstraints: "two Constraints on zone and node, spreads = [3/3, 2/1/0/3]"
#[test]
fn multiple_two_constraints_on_zone_and_node_spreads_3_3_2_1_0_3() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], zone_and_node_foo()),
        nodes: zones4(),
        existing: spread_2_1_0_3(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "two Constraints on zone and node, spreads = [3/4, 2/1/0/4]"
#[test]
fn multiple_two_constraints_on_zone_and_node_spreads_3_4_2_1_0_4() {
    let mut existing = spread_2_1_0_3();
    existing.push(foo("p-y4", "node-y"));
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], zone_and_node_foo()),
        nodes: zones4(),
        existing,
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "Constraints hold different labelSelectors, spreads = [1/0, 1/0/0/1]"
#[test]
fn multiple_different_label_selectors_spreads_1_0_1_0_0_1() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_node_bar()),
        nodes: zones4(),
        existing: vec![foo("p-a1", "node-a"), pod("p-y1", "node-y", &[("bar", "")])],
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "Constraints hold different labelSelectors, spreads = [1/0, 0/0/1/1]"
#[test]
fn multiple_different_label_selectors_spreads_1_0_0_0_1_1() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_node_bar()),
        nodes: zones4(),
        existing: vec![
            foo("p-a1", "node-a"),
            pod("p-x1", "node-x", &[("bar", "")]),
            pod("p-y1", "node-y", &[("bar", "")]),
        ],
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "Constraints hold different labelSelectors, spreads = [2/3, 1/0/0/1]"
#[test]
fn multiple_different_label_selectors_spreads_2_3_1_0_0_1() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_node_bar()),
        nodes: zones4(),
        existing: vec![
            foo("p-a1", "node-a"),
            pod("p-a2", "node-a", &[("foo", ""), ("bar", "")]),
            foo("p-y1", "node-y"),
            pod("p-y2", "node-y", &[("foo", ""), ("bar", "")]),
            foo("p-y3", "node-y"),
        ],
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Success),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "Constraints hold different labelSelectors but pod doesn't match itself on 'zone' constraint"
#[test]
fn multiple_different_label_selectors_pod_does_not_match_itself_on_zone() {
    check_filter(FilterCase {
        pod: incoming(&[("bar", "")], zone_foo_node_bar()),
        nodes: zones4(),
        existing: vec![
            foo("p-a1", "node-a"),
            pod("p-x1", "node-x", &[("bar", "")]),
            pod("p-y1", "node-y", &[("bar", "")]),
        ],
        want: &[
            ("node-a", Success),
            ("node-b", Success),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "two Constraints on zone and node, absence of label 'node' on node-x, spreads = [1/1, 1/0/0/1]"
#[test]
fn multiple_zone_and_node_absence_of_label_node_on_node_x() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], zone_and_node_foo()),
        nodes: vec![
            node("node-a", &[("zone", "zone1"), ("node", "node-a")]),
            node("node-b", &[("zone", "zone1"), ("node", "node-b")]),
            node("node-x", &[("zone", "zone2")]),
            node("node-y", &[("zone", "zone2"), ("node", "node-y")]),
        ],
        existing: vec![foo("p-a1", "node-a"), foo("p-y3", "node-y")],
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Success),
            ("node-x", UnschedulableAndUnresolvable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

fn pods_a1_b1_y1() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-y1", "node-y"),
    ]
}

// TestMultipleConstraints: "two node inclusion Constraints, zone: honor/ignore, node: ignore/ignore"
#[test]
fn multiple_node_inclusion_zone_honor_ignore_node_ignore_ignore() {
    let constraints = vec![
        spread(1, "zone", DNS, exists("foo")),
        and(
            spread(1, "node", DNS, exists("foo")),
            "nodeAffinityPolicy",
            json!("Ignore"),
        ),
    ];
    check_filter(FilterCase {
        pod: node_selector(incoming(&[("foo", "")], constraints), &[("foo", "")]),
        nodes: vec![
            node(
                "node-a",
                &[("zone", "zone1"), ("node", "node-a"), ("foo", "")],
            ),
            node(
                "node-b",
                &[("zone", "zone1"), ("node", "node-b"), ("foo", "")],
            ),
            node(
                "node-x",
                &[("zone", "zone2"), ("node", "node-x"), ("foo", "")],
            ),
            node("node-y", &[("zone", "zone2"), ("node", "node-y")]),
        ],
        existing: pods_a1_b1_y1(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-y", Plugin::NodeAffinity)],
    });
}

// TestMultipleConstraints: "two node inclusion Constraints, zone: honor/honor, node: honor/ignore"
#[test]
fn multiple_node_inclusion_zone_honor_honor_node_honor_ignore() {
    let constraints = vec![
        and(
            spread(1, "zone", DNS, exists("foo")),
            "nodeTaintsPolicy",
            json!("Honor"),
        ),
        spread(1, "node", DNS, exists("foo")),
    ];
    check_filter(FilterCase {
        pod: incoming(&[("foo", "")], constraints),
        nodes: vec![
            node(
                "node-a",
                &[("zone", "zone1"), ("node", "node-a"), ("foo", "")],
            ),
            node(
                "node-b",
                &[("zone", "zone1"), ("node", "node-b"), ("foo", "")],
            ),
            node(
                "node-x",
                &[("zone", "zone2"), ("node", "node-x"), ("foo", "")],
            ),
            tainted("node-y", &[("zone", "zone2"), ("node", "node-y")]),
        ],
        existing: pods_a1_b1_y1(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[("node-y", Plugin::TaintToleration)],
    });
}

/// node-a, node-x, node-y labelled `foo` (not node-b), node-y tainted.
fn nodes_foo_but_b_tainted_y() -> Vec<Node> {
    vec![
        node(
            "node-a",
            &[("zone", "zone1"), ("node", "node-a"), ("foo", "")],
        ),
        node("node-b", &[("zone", "zone1"), ("node", "node-b")]),
        node(
            "node-x",
            &[("zone", "zone2"), ("node", "node-x"), ("foo", "")],
        ),
        tainted(
            "node-y",
            &[("zone", "zone2"), ("node", "node-y"), ("foo", "")],
        ),
    ]
}

// TestMultipleConstraints: "two node inclusion Constraints, zone: honor/ignore, node: honor/ignore"
#[test]
fn multiple_node_inclusion_zone_honor_ignore_node_honor_ignore() {
    check_filter(FilterCase {
        pod: node_selector(
            incoming(&[("foo", "")], zone_and_node_foo()),
            &[("foo", "")],
        ),
        nodes: nodes_foo_but_b_tainted_y(),
        existing: pods_a1_b1_y1(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Success),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[
            ("node-b", Plugin::NodeAffinity),
            ("node-y", Plugin::TaintToleration),
        ],
    });
}

// TestMultipleConstraints: "two node inclusion Constraints, zone: honor/honor, node: ignore/ignore"
#[test]
fn multiple_node_inclusion_zone_honor_honor_node_ignore_ignore() {
    let constraints = vec![
        and(
            spread(1, "zone", DNS, exists("foo")),
            "nodeTaintsPolicy",
            json!("Honor"),
        ),
        and(
            spread(1, "node", DNS, exists("foo")),
            "nodeAffinityPolicy",
            json!("Ignore"),
        ),
    ];
    check_filter(FilterCase {
        pod: node_selector(incoming(&[("foo", "")], constraints), &[("foo", "")]),
        nodes: nodes_foo_but_b_tainted_y(),
        existing: pods_a1_b1_y1(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Unschedulable),
        ],
        earlier: &[
            ("node-b", Plugin::NodeAffinity),
            ("node-y", Plugin::TaintToleration),
        ],
    });
}

fn zone_bar_zone_foo() -> Vec<Value> {
    vec![
        spread(1, "zone", DNS, exists("bar")),
        spread(1, "zone", DNS, exists("foo")),
    ]
}

fn pods_foo_bar_3_3() -> Vec<Pod> {
    vec![
        pod("p-a1", "node-a", &[("foo", ""), ("bar", "")]),
        foo("p-a2", "node-a"),
        pod("p-b1", "node-b", &[("foo", ""), ("bar", "")]),
        foo("p-y1", "node-y"),
        pod("p-y2", "node-y", &[("foo", ""), ("bar", "")]),
        foo("p-y3", "node-y"),
    ]
}

// TestMultipleConstraints: "two Constraints on zone, spreads = [3/3, 2/1]"
#[test]
fn multiple_two_constraints_on_zone_spreads_3_3_2_1() {
    check_filter(FilterCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_bar_zone_foo()),
        nodes: zones4(),
        existing: pods_foo_bar_3_3(),
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Success),
            ("node-y", Success),
        ],
        earlier: &[],
    });
}

// TestMultipleConstraints: "two Constraints on zone, spreads = [3/4, 2/1]"
#[test]
fn multiple_two_constraints_on_zone_spreads_3_4_2_1() {
    let mut existing = pods_foo_bar_3_3();
    existing.push(foo("p-y4", "node-y"));
    check_filter(FilterCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_bar_zone_foo()),
        nodes: zones4(),
        existing,
        want: &[
            ("node-a", Unschedulable),
            ("node-b", Unschedulable),
            ("node-x", Unschedulable),
            ("node-y", Unschedulable),
        ],
        earlier: &[],
    });
}

// ---------------------------------------------------------------------------
// Score
// ---------------------------------------------------------------------------

struct ScoreCase {
    pod: Pod,
    existing: Vec<Pod>,
    /// The candidates (upstream `nodes`, PreScore's `filteredNodes`).
    nodes: Vec<Node>,
    /// In the cluster but not candidates (upstream `failedNodes`).
    failed: Vec<Node>,
    /// Upstream `objs` (Services, ReplicaSets, ...).
    objects: Vec<Object>,
    want: &'static [(&'static str, i64)],
}

fn check_score(case: ScoreCase) {
    let mut store = Store::default();
    for n in case.nodes.iter().chain(&case.failed) {
        store.put_node(n.clone());
    }
    for p in case.existing {
        store.put_pod(p);
    }
    for o in case.objects {
        store.put(o);
    }
    let anti_affinity: Vec<&Pod> = bound_with_anti_affinity(&store).collect();
    let cycle = Cycle::new(Snapshot::of(&store), &case.pod, &anti_affinity);
    let usages: Vec<Usage> = case
        .nodes
        .iter()
        .map(|n| usage_on(&store, &name_of(n)))
        .collect();
    let feasible: Vec<(&Node, &Usage)> = case.nodes.iter().zip(&usages).collect();
    let scores = cycle.score(&feasible);
    let got: Vec<(String, i64)> = case
        .nodes
        .iter()
        .zip(&scores)
        .map(|(n, plugins)| {
            let spread = plugins
                .iter()
                .find(|s| s.plugin == Plugin::PodTopologySpread)
                .expect("PodTopologySpread scores");
            (name_of(n), spread.normalized)
        })
        .collect();
    let want: Vec<(String, i64)> = case.want.iter().map(|(n, s)| (n.to_string(), *s)).collect();
    assert_eq!(got, want, "PodTopologySpread normalized scores");
}

/// a:2, b:1, d:3 pods labelled foo.
fn spread_2_1_0_3_on_d() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-d1", "node-d"),
        foo("p-d2", "node-d"),
        foo("p-d3", "node-d"),
    ]
}

/// a:4, b:3, c:2, d:1 pods labelled foo.
fn spread_4_3_2_1() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-a3", "node-a"),
        foo("p-a4", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-b2", "node-b"),
        foo("p-b3", "node-b"),
        foo("p-c1", "node-c"),
        foo("p-c2", "node-c"),
        foo("p-d1", "node-d"),
    ]
}

/// a:4, b:2, x:1, y:3 pods labelled foo.
fn spread_4_2_1_3() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-a3", "node-a"),
        foo("p-a4", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-b2", "node-b"),
        foo("p-x1", "node-x"),
        foo("p-y1", "node-y"),
        foo("p-y2", "node-y"),
        foo("p-y3", "node-y"),
    ]
}

fn host_in_zone(name: &str, zone: &str) -> Node {
    node(name, &[("zone", zone), (H, name)])
}

// TestPodTopologySpreadScore: "one constraint on node, no existing pods"
#[test]
fn score_one_constraint_on_node_no_existing_pods() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: vec![],
        nodes: hosts(&["node-a", "node-b"]),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 100), ("node-b", 100)],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, only one node is candidate"
#[test]
fn score_one_constraint_on_node_only_one_node_is_candidate() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: vec![
            foo("p-a1", "node-a"),
            foo("p-a2", "node-a"),
            foo("p-b1", "node-b"),
        ],
        nodes: hosts(&["node-a"]),
        failed: hosts(&["node-b"]),
        objects: vec![],
        want: &[("node-a", 100)],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, all nodes have the same number of matching pods"
#[test]
fn score_one_constraint_on_node_all_nodes_have_the_same_number_of_matching_pods() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: vec![foo("p-a1", "node-a"), foo("p-b1", "node-b")],
        nodes: hosts(&["node-a", "node-b"]),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 100), ("node-b", 100)],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, all 4 nodes are candidates"
#[test]
fn score_one_constraint_on_node_all_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: spread_2_1_0_3_on_d(),
        nodes: hosts(&["node-a", "node-b", "node-c", "node-d"]),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 20),
            ("node-b", 60),
            ("node-c", 100),
            ("node-d", 0),
        ],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, null selector"
#[test]
fn score_one_constraint_on_node_null_selector() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, Value::Null)]),
        existing: spread_2_1_0_3_on_d(),
        nodes: hosts(&["node-a", "node-b", "node-c", "node-d"]),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 100),
            ("node-b", 100),
            ("node-c", 100),
            ("node-d", 100),
        ],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, all 4 nodes are candidates, maxSkew=2"
#[test]
fn score_one_constraint_on_node_all_4_nodes_are_candidates_max_skew_2() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(2, H, SA, exists("foo"))]),
        existing: spread_2_1_0_3_on_d(),
        nodes: hosts(&["node-a", "node-b", "node-c", "node-d"]),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 33),
            ("node-b", 66),
            ("node-c", 100),
            ("node-d", 16),
        ],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, all 4 nodes are candidates, maxSkew=3"
#[test]
fn score_one_constraint_on_node_all_4_nodes_are_candidates_max_skew_3() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(3, H, SA, exists("foo"))]),
        existing: spread_4_3_2_1(),
        nodes: hosts(&["node-a", "node-b", "node-c", "node-d"]),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 44),
            ("node-b", 66),
            ("node-c", 77),
            ("node-d", 100),
        ],
    });
}

// TestPodTopologySpreadScore: "system defaulting, nodes don't have zone, pods match service"
#[test]
fn score_system_defaulting_nodes_do_not_have_zone_pods_match_service() {
    let service: Service = serde_json::from_value(json!({
        "metadata": {"name": "svc", "namespace": "default", "uid": "svc-uid"},
        "spec": {"selector": {"foo": ""}},
    }))
    .expect("service fixture");
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![]),
        existing: spread_4_3_2_1(),
        nodes: hosts(&["node-a", "node-b", "node-c", "node-d"]),
        failed: vec![],
        objects: vec![Object::from(service)],
        // Same scores as if we were using one spreading constraint.
        want: &[
            ("node-a", 44),
            ("node-b", 66),
            ("node-c", 77),
            ("node-d", 100),
        ],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, 3 out of 4 nodes are candidates"
#[test]
fn score_one_constraint_on_node_3_out_of_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: spread_4_2_1_3(),
        nodes: hosts(&["node-a", "node-b", "node-x"]),
        failed: hosts(&["node-y"]),
        objects: vec![],
        want: &[("node-a", 33), ("node-b", 83), ("node-x", 100)],
    });
}

// TestPodTopologySpreadScore: "one constraint on node, 3 out of 4 nodes are candidates, one node doesn't match topology key"
#[test]
fn score_one_constraint_on_node_3_of_4_candidates_one_node_does_not_match_topology_key() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: spread_4_2_1_3(),
        nodes: vec![
            node("node-a", &[(H, "node-a")]),
            node("node-b", &[("n", "node-b")]), // label `n` doesn't match topologyKey
            node("node-x", &[(H, "node-x")]),
        ],
        failed: hosts(&["node-y"]),
        objects: vec![],
        want: &[("node-a", 16), ("node-b", 0), ("node-x", 100)],
    });
}

// TestPodTopologySpreadScore: "one constraint on zone, 3 out of 4 nodes are candidates"
#[test]
fn score_one_constraint_on_zone_3_out_of_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "zone", SA, exists("foo"))]),
        existing: spread_4_2_1_3(),
        nodes: vec![
            host_in_zone("node-a", "zone1"),
            host_in_zone("node-b", "zone1"),
            host_in_zone("node-x", "zone2"),
        ],
        failed: vec![host_in_zone("node-y", "zone2")],
        objects: vec![],
        want: &[("node-a", 75), ("node-b", 75), ("node-x", 100)],
    });
}

// TestPodTopologySpreadScore: "two Constraints on zone and node, 2 out of 4 nodes are candidates"
#[test]
fn score_two_constraints_on_zone_and_node_2_out_of_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(
            &[("foo", "")],
            vec![
                spread(1, "zone", SA, exists("foo")),
                spread(1, H, SA, exists("foo")),
            ],
        ),
        existing: vec![
            foo("p-a1", "node-a"),
            foo("p-a2", "node-a"),
            foo("p-b1", "node-b"),
            foo("p-x1", "node-x"),
            foo("p-x2", "node-x"),
            foo("p-y1", "node-y"),
            foo("p-y2", "node-y"),
            foo("p-y3", "node-y"),
            foo("p-y4", "node-y"),
        ],
        nodes: vec![
            host_in_zone("node-a", "zone1"),
            host_in_zone("node-x", "zone2"),
        ],
        failed: vec![
            host_in_zone("node-b", "zone1"),
            host_in_zone("node-y", "zone2"),
        ],
        objects: vec![],
        want: &[("node-a", 100), ("node-x", 63)],
    });
}

// TestPodTopologySpreadScore: "two Constraints on zone, 2 out of 4 nodes are candidates"
#[test]
fn score_two_constraints_on_zone_2_out_of_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(
            &[("foo", ""), ("bar", "")],
            vec![
                spread(1, "zone", SA, exists("foo")),
                spread(1, "zone", SA, exists("bar")),
            ],
        ),
        existing: pods_foo_bar_3_3(),
        nodes: vec![
            node("node-a", &[("zone", "zone1")]),
            node("node-x", &[("zone", "zone2")]),
        ],
        failed: vec![
            node("node-b", &[("zone", "zone1")]),
            node("node-y", &[("zone", "zone2")]),
        ],
        objects: vec![],
        want: &[("node-a", 85), ("node-x", 100)],
    });
}

fn zone_foo_host_bar() -> Vec<Value> {
    vec![
        spread(1, "zone", SA, exists("foo")),
        spread(1, H, SA, exists("bar")),
    ]
}

/// node-a: P{foo}; node-b: P{foo, bar}; node-y: P{foo} P{bar}.
fn pods_different_selectors() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        pod("p-b1", "node-b", &[("foo", ""), ("bar", "")]),
        foo("p-y1", "node-y"),
        pod("p-y2", "node-y", &[("bar", "")]),
    ]
}

fn hosts_in_zones4() -> Vec<Node> {
    vec![
        host_in_zone("node-a", "zone1"),
        host_in_zone("node-b", "zone1"),
        host_in_zone("node-x", "zone2"),
        host_in_zone("node-y", "zone2"),
    ]
}

// TestPodTopologySpreadScore: "two Constraints on zone and node, with different labelSelectors"
#[test]
fn score_two_constraints_on_zone_and_node_with_different_label_selectors() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_host_bar()),
        existing: pods_different_selectors(),
        nodes: hosts_in_zones4(),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 60),
            ("node-b", 20),
            ("node-x", 100),
            ("node-y", 60),
        ],
    });
}

// TestPodTopologySpreadScore: "two Constraints on zone and node, with different labelSelectors, some nodes have 0 pods"
#[test]
fn score_two_constraints_with_different_label_selectors_some_nodes_have_0_pods() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_host_bar()),
        existing: vec![
            pod("p-b1", "node-b", &[("bar", "")]),
            foo("p-x1", "node-x"),
            pod("p-y1", "node-y", &[("foo", ""), ("bar", "")]),
        ],
        nodes: hosts_in_zones4(),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 100),
            ("node-b", 60),
            ("node-x", 40),
            ("node-y", 0),
        ],
    });
}

// TestPodTopologySpreadScore: "two Constraints on zone and node, with different labelSelectors, 3 out of 4 nodes are candidates"
#[test]
fn score_two_constraints_with_different_label_selectors_3_out_of_4_nodes_are_candidates() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", ""), ("bar", "")], zone_foo_host_bar()),
        existing: pods_different_selectors(),
        nodes: vec![
            host_in_zone("node-a", "zone1"),
            host_in_zone("node-b", "zone1"),
            host_in_zone("node-x", "zone2"),
        ],
        failed: vec![host_in_zone("node-y", "zone2")],
        objects: vec![],
        want: &[("node-a", 50), ("node-b", 25), ("node-x", 100)],
    });
}

// TestPodTopologySpreadScore: "existing pods in a different namespace do not count"
#[test]
fn score_existing_pods_in_a_different_namespace_do_not_count() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: vec![
            pod_in("ns1", "p-a1", "node-a", &[("foo", "")]),
            foo("p-a2", "node-a"),
            foo("p-b1", "node-b"),
            foo("p-b2", "node-b"),
        ],
        nodes: hosts(&["node-a", "node-b"]),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 100), ("node-b", 33)],
    });
}

// TestPodTopologySpreadScore: "terminating Pods should be excluded"
#[test]
fn score_terminating_pods_should_be_excluded() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, H, SA, exists("foo"))]),
        existing: vec![terminating(foo("p-a", "node-a")), foo("p-b", "node-b")],
        nodes: hosts(&["node-a", "node-b"]),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 100), ("node-b", 0)],
    });
}

// TestPodTopologySpreadScore: "minDomains has no effect when ScheduleAnyway"
#[test]
fn score_min_domains_has_no_effect_when_schedule_anyway() {
    let constraint = and(
        spread(2, "node", SA, exists("foo")),
        "minDomains",
        json!(10),
    );
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        existing: spread_2_2_1(),
        nodes: nodes_abc_by_node_label(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 75), ("node-b", 75), ("node-c", 100)],
    });
}

/// node-a, node-b labelled `foo` (not node-c), each with `node: <name>`.
fn nodes_foo_but_c() -> Vec<Node> {
    vec![
        node("node-a", &[("node", "node-a"), ("foo", "")]),
        node("node-b", &[("node", "node-b"), ("foo", "")]),
        node("node-c", &[("node", "node-c")]),
    ]
}

/// a:2, b:1, c:1 pods labelled foo.
fn spread_2_1_1() -> Vec<Pod> {
    vec![
        foo("p-a1", "node-a"),
        foo("p-a2", "node-a"),
        foo("p-b1", "node-b"),
        foo("p-c1", "node-c"),
    ]
}

fn node_foo_ignoring_affinity() -> Value {
    and(
        spread(1, "node", SA, exists("foo")),
        "nodeAffinityPolicy",
        json!("Ignore"),
    )
}

// TestPodTopologySpreadScore: "NodeAffinityPolicy honoed with labelSelectors"
#[test]
fn score_node_affinity_policy_honored_with_label_selectors() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "node", SA, exists("foo"))]);
    check_score(ScoreCase {
        pod: node_selector(pod, &[("foo", "")]),
        existing: spread_2_1_1(),
        nodes: nodes_foo_but_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 0), ("node-b", 33), ("node-c", 100)],
    });
}

// TestPodTopologySpreadScore: "NodeAffinityPolicy ignored with labelSelectors"
#[test]
fn score_node_affinity_policy_ignored_with_label_selectors() {
    let pod = incoming(&[("foo", "")], vec![node_foo_ignoring_affinity()]);
    check_score(ScoreCase {
        pod: node_selector(pod, &[("foo", "")]),
        existing: spread_2_1_1(),
        nodes: nodes_foo_but_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 66), ("node-b", 100), ("node-c", 100)],
    });
}

// TestPodTopologySpreadScore: "NodeAffinityPolicy honoed with nodeAffinity"
#[test]
fn score_node_affinity_policy_honored_with_node_affinity() {
    let pod = incoming(&[("foo", "")], vec![spread(1, "node", SA, exists("foo"))]);
    check_score(ScoreCase {
        pod: required_affinity(pod, "foo", "In", &[""]),
        existing: spread_2_1_1(),
        nodes: nodes_foo_but_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 0), ("node-b", 33), ("node-c", 100)],
    });
}

// TestPodTopologySpreadScore: "NodeAffinityPolicy ignored with nodeAffinity"
#[test]
fn score_node_affinity_policy_ignored_with_node_affinity() {
    let pod = incoming(&[("foo", "")], vec![node_foo_ignoring_affinity()]);
    check_score(ScoreCase {
        pod: required_affinity(pod, "foo", "In", &[""]),
        existing: spread_2_1_1(),
        nodes: nodes_foo_but_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 66), ("node-b", 100), ("node-c", 100)],
    });
}

fn nodes_ab_and_tainted_c() -> Vec<Node> {
    vec![
        node("node-a", &[("node", "node-a")]),
        node("node-b", &[("node", "node-b")]),
        tainted("node-c", &[("node", "node-c")]),
    ]
}

// TestPodTopologySpreadScore: "NodeTaintsPolicy honored"
#[test]
fn score_node_taints_policy_honored() {
    let constraint = and(
        spread(1, "node", SA, exists("foo")),
        "nodeTaintsPolicy",
        json!("Honor"),
    );
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![constraint]),
        existing: spread_2_1_1(),
        nodes: nodes_ab_and_tainted_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 0), ("node-b", 33), ("node-c", 100)],
    });
}

// TestPodTopologySpreadScore: "NodeTaintsPolicy ignored"
#[test]
fn score_node_taints_policy_ignored() {
    check_score(ScoreCase {
        pod: incoming(&[("foo", "")], vec![spread(1, "node", SA, exists("foo"))]),
        existing: spread_2_1_1(),
        nodes: nodes_ab_and_tainted_c(),
        failed: vec![],
        objects: vec![],
        want: &[("node-a", 66), ("node-b", 100), ("node-c", 100)],
    });
}

// TestPodTopologySpreadScore: "matchLabelKeys ignored when feature gate disabled" is not
// translated: the simulator always applies matchLabelKeys (see the header).

fn hosts_abcd_in_zones() -> Vec<Node> {
    vec![
        host_in_zone("node-a", "zone1"),
        host_in_zone("node-b", "zone1"),
        host_in_zone("node-c", "zone2"),
        host_in_zone("node-d", "zone2"),
    ]
}

// TestPodTopologySpreadScore: "matchLabelKeys ANDed with LabelSelector when LabelSelector is empty"
#[test]
fn score_match_label_keys_anded_with_label_selector_when_label_selector_is_empty() {
    let constraints = vec![
        and(
            spread(1, "zone", SA, json!({})),
            "matchLabelKeys",
            json!(["foo"]),
        ),
        and(
            spread(1, H, SA, json!({})),
            "matchLabelKeys",
            json!(["bar"]),
        ),
    ];
    check_score(ScoreCase {
        pod: incoming(&[("foo", ""), ("bar", "")], constraints),
        existing: vec![
            foo("p-a1", "node-a"),
            pod("p-b1", "node-b", &[("foo", ""), ("bar", "")]),
            foo("p-y1", "node-c"),
            pod("p-y2", "node-c", &[("bar", "")]),
        ],
        nodes: hosts_abcd_in_zones(),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 60),
            ("node-b", 20),
            ("node-c", 60),
            ("node-d", 100),
        ],
    });
}

// TestPodTopologySpreadScore: "matchLabelKeys ANDed with LabelSelector when LabelSelector isn't empty"
#[test]
fn score_match_label_keys_anded_with_label_selector_when_label_selector_is_not_empty() {
    let constraints = vec![
        spread(1, "zone", SA, exists("foo")),
        and(
            spread(1, H, SA, exists("bar")),
            "matchLabelKeys",
            json!(["baz"]),
        ),
    ];
    check_score(ScoreCase {
        pod: incoming(&[("foo", ""), ("bar", ""), ("baz", "")], constraints),
        existing: vec![
            foo("p-a1", "node-a"),
            pod("p-b1", "node-b", &[("foo", ""), ("bar", ""), ("baz", "")]),
            foo("p-c1", "node-c"),
            pod("p-c2", "node-c", &[("bar", "")]),
            pod("p-d3", "node-c", &[("bar", ""), ("baz", "")]),
        ],
        nodes: hosts_abcd_in_zones(),
        failed: vec![],
        objects: vec![],
        want: &[
            ("node-a", 60),
            ("node-b", 20),
            ("node-c", 60),
            ("node-d", 100),
        ],
    });
}
