//! The `InterPodAffinity` plugin against the upstream unit tests of
//! `pkg/scheduler/framework/plugins/interpodaffinity`: `filtering_test.go`
//! (TestRequiredAffinitySingleNode, TestRequiredAffinityMultipleNodes) and
//! `scoring_test.go` (TestPreferredAffinity, hardPodAffinityWeight 1).
//!
//! Upstream runs the plugin alone; here a whole scheduling cycle runs, so the
//! nodes carry nothing another filter would reject (no taints, room for 110
//! pods). Upstream's default namespace `""` is `"default"` here.
//!
//! Cases left out, as this simulator cannot express them:
//! - TestRequiredAffinitySingleNode "PodAffinity fails PreFilter with an
//!   invalid affinity label syntax" and "PodAntiAffinity fails PreFilter with
//!   an invalid antiaffinity label syntax", TestPreferredAffinity "invalid
//!   Affinity fails PreScore" and "invalid AntiAffinity fails PreScore": the
//!   label value `{{.bad-value.}}` is rejected by the API server at admission.
//! - TestPreferredAffinity "Ignore preferred terms of existing pods": it sets
//!   `ignorePreferredTermsOfExistingPods: true`; the default profile simulated
//!   here has that argument at its default, false.
//!
//! Where upstream expects PreFilter to return Skip, the filter is not run; the
//! test here asserts that every node passes the whole filter chain instead.
//! Where upstream expects PreScore to return Skip, the plugin adds nothing to
//! any node's score; the test here asserts a normalised score of 0 everywhere.

use std::collections::BTreeMap;

use daemonlab_core::api::store::Store;
use daemonlab_core::api::Object;
use daemonlab_core::scheduling::framework::{Code, Cycle, Plugin, Rejection, Snapshot};
use daemonlab_core::scheduling::inter_pod_affinity::bound_with_anti_affinity;
use daemonlab_core::scheduling::node_resources::usage_on;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// `ErrReasonAffinityRulesNotMatch`.
const AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
const ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
const EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

type Labels<'a> = &'a [(&'a str, &'a str)];

fn label_map(labels: Labels) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn node(name: &str, labels: Labels) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": label_map(labels)},
        "status": {"allocatable": {"pods": "110"}},
    }))
    .expect("a valid node")
}

fn namespace(name: &str, labels: Labels) -> Namespace {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": label_map(labels)},
    }))
    .expect("a valid namespace")
}

/// The `namespaces` of filtering_test.go and scoring_test.go.
fn team_namespaces() -> Vec<Namespace> {
    vec![
        namespace("subteam1.team1", &[("team", "team1")]),
        namespace("subteam2.team1", &[("team", "team1")]),
        namespace("subteam1.team2", &[("team", "team2")]),
        namespace("subteam2.team2", &[("team", "team2")]),
    ]
}

/// A label selector requirement; `values` is left out when empty.
fn expr(key: &str, operator: &str, values: &[&str]) -> Value {
    if values.is_empty() {
        json!({"key": key, "operator": operator})
    } else {
        json!({"key": key, "operator": operator, "values": values})
    }
}

/// A pod affinity term whose label selector holds `exprs`.
fn term(topology_key: &str, exprs: Vec<Value>) -> Value {
    json!({
        "labelSelector": {"matchExpressions": exprs},
        "topologyKey": topology_key,
    })
}

/// `st.PodAffinityIn` / `st.PodAntiAffinityIn`'s term.
fn term_in(key: &str, topology_key: &str, values: &[&str]) -> Value {
    term(topology_key, vec![expr(key, "In", values)])
}

/// `st.PodAffinityNotIn` / `st.PodAntiAffinityNotIn`'s term.
fn term_not_in(key: &str, topology_key: &str, values: &[&str]) -> Value {
    term(topology_key, vec![expr(key, "NotIn", values)])
}

/// `st.PodAffinityExists` / `st.PodAntiAffinityExists`'s term.
fn term_exists(key: &str, topology_key: &str) -> Value {
    term(topology_key, vec![expr(key, "Exists", &[])])
}

/// `term` with one more field set (`namespaces`, `namespaceSelector`).
fn with(mut term: Value, field: &str, value: Value) -> Value {
    term[field] = value;
    term
}

/// A pod under construction, after `st.MakePod()`.
#[derive(Clone, Default)]
struct MakePod {
    name: Option<String>,
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    node: Option<String>,
    affinity: Value,
}

fn make_pod() -> MakePod {
    MakePod {
        affinity: json!({}),
        ..MakePod::default()
    }
}

impl MakePod {
    fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self
    }

    fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_string());
        self
    }

    fn labels(mut self, labels: Labels) -> Self {
        self.labels.extend(label_map(labels));
        self
    }

    fn node(mut self, node: &str) -> Self {
        self.node = Some(node.to_string());
        self
    }

    /// Replaces `spec.affinity` as a whole.
    fn affinity(mut self, affinity: Value) -> Self {
        self.affinity = affinity;
        self
    }

    fn push(mut self, kind: &str, list: &str, item: Value) -> Self {
        let entry = &mut self.affinity[kind][list];
        if entry.is_null() {
            *entry = json!([]);
        }
        if let Some(items) = entry.as_array_mut() {
            items.push(item);
        }
        self
    }

    fn required_affinity(self, term: Value) -> Self {
        self.push(
            "podAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            term,
        )
    }

    fn required_anti_affinity(self, term: Value) -> Self {
        self.push(
            "podAntiAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            term,
        )
    }

    fn obj(self) -> Pod {
        let namespace = self.namespace.unwrap_or_else(|| "default".to_string());
        let name = self.name.unwrap_or_default();
        let mut spec = json!({"containers": [], "affinity": self.affinity});
        if let Some(node) = self.node {
            spec["nodeName"] = json!(node);
        }
        serde_json::from_value(json!({
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": format!("{namespace}/{name}"),
                "labels": self.labels,
            },
            "spec": spec,
        }))
        .expect("a valid pod")
    }
}

/// A store holding the namespaces, nodes and existing pods. Pods without a
/// name (upstream leaves most of them unnamed) get a unique one.
fn store_with(namespaces: Vec<Namespace>, nodes: &[Node], pods: Vec<Pod>) -> Store {
    let mut store = Store::default();
    for ns in namespaces {
        store.put(Object::from(ns));
    }
    for n in nodes {
        store.put_node(n.clone());
    }
    for (i, mut pod) in pods.into_iter().enumerate() {
        if pod.metadata.name.as_deref().is_none_or(str::is_empty) {
            let name = format!("existing-{i}");
            let namespace = pod.metadata.namespace.clone().unwrap_or_default();
            pod.metadata.uid = Some(format!("{namespace}/{name}"));
            pod.metadata.name = Some(name);
        }
        store.put_pod(pod);
    }
    store
}

/// The pod to schedule gets a name if it has none.
fn incoming(mut pod: Pod) -> Pod {
    if pod.metadata.name.as_deref().is_none_or(str::is_empty) {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        pod.metadata.uid = Some(format!("{namespace}/incoming"));
        pod.metadata.name = Some("incoming".to_string());
    }
    pod
}

/// PreFilter, then the filter chain on each node, in the order given.
fn filter_nodes(store: &Store, pod: &Pod, nodes: &[Node]) -> Vec<Result<(), Rejection>> {
    let anti_affinity_pods: Vec<&Pod> = bound_with_anti_affinity(store).collect();
    let cycle = Cycle::new(Snapshot::of(store), pod, &anti_affinity_pods);
    nodes
        .iter()
        .map(|n| {
            let name = n.metadata.name.as_deref().expect("a named node");
            let node = store.node(name).expect("the node is stored");
            cycle.filter(node, &usage_on(store, name))
        })
        .collect()
}

fn rejected(code: Code, reason: &str) -> Result<(), Rejection> {
    Err(Rejection::new(Plugin::InterPodAffinity, code, reason))
}

fn unresolvable(reason: &str) -> Result<(), Rejection> {
    rejected(Code::UnschedulableAndUnresolvable, reason)
}

fn unschedulable(reason: &str) -> Result<(), Rejection> {
    rejected(Code::Unschedulable, reason)
}

// ---------------------------------------------------------------------------
// TestRequiredAffinitySingleNode
// ---------------------------------------------------------------------------

/// `podLabel`.
const SECURITYSCAN: Labels = &[("service", "securityscan")];
/// `podLabel2`.
const S1: Labels = &[("security", "S1")];

/// `node1` of TestRequiredAffinitySingleNode.
fn single_node() -> Node {
    node("node1", &[("region", "r1"), ("zone", "z11")])
}

/// `pod`: `st.MakePod().Labels(podLabel).Node("node1")`.
fn securityscan_on_node1() -> Pod {
    make_pod().labels(SECURITYSCAN).node("node1").obj()
}

/// The filter's verdict on `node1`, with the test's namespaces stored.
fn filter_single_node(pod: Pod, pods: Vec<Pod>) -> Result<(), Rejection> {
    let nodes = [single_node()];
    let store = store_with(team_namespaces(), &nodes, pods);
    let mut results = filter_nodes(&store, &incoming(pod), &nodes);
    results.remove(0)
}

#[test]
fn single_no_required_rules_no_existing_pods() {
    // TestRequiredAffinitySingleNode: "A pod that has no required pod affinity scheduling rules can schedule onto a node with no existing pods"
    // Upstream: PreFilter returns Skip.
    let pod = make_pod().obj();
    assert_eq!(filter_single_node(pod, vec![]), Ok(()));
}

#[test]
fn single_affinity_in_matches_existing() {
    // TestRequiredAffinitySingleNode: "satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In operator that matches the existing pod"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term_in("service", "region", &["securityscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        Ok(())
    );
}

#[test]
fn single_affinity_not_in_matches_existing() {
    // TestRequiredAffinitySingleNode: "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using not in operator in labelSelector that matches the existing pod"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term_not_in(
            "service",
            "region",
            &["securityscan3", "value3"],
        ))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        Ok(())
    );
}

#[test]
fn single_affinity_diff_namespace() {
    // TestRequiredAffinitySingleNode: "Does not satisfy the PodAffinity with labelSelector because of diff Namespace"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(with(
            term_in("service", "", &["securityscan", "value2"]),
            "namespaces",
            json!(["DiffNameSpace"]),
        ))
        .obj();
    let existing = make_pod()
        .namespace("ns")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unresolvable(AFFINITY)
    );
}

#[test]
fn single_affinity_unmatching_label_selector() {
    // TestRequiredAffinitySingleNode: "Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod"
    let pod = make_pod()
        .labels(SECURITYSCAN)
        .required_affinity(term_in("service", "", &["antivirusscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        unresolvable(AFFINITY)
    );
}

#[test]
fn single_affinity_different_operators_multiple_terms() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAffinity with different label Operators in multiple RequiredDuringSchedulingIgnoredDuringExecution "
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term(
            "region",
            vec![
                expr("service", "Exists", &[]),
                expr("wrongkey", "DoesNotExist", &[]),
            ],
        ))
        .required_affinity(term(
            "region",
            vec![
                expr("service", "In", &["securityscan"]),
                expr("service", "NotIn", &["WrongValue"]),
            ],
        ))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        Ok(())
    );
}

#[test]
fn single_affinity_match_expressions_are_anded() {
    // TestRequiredAffinitySingleNode: "The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot schedule onto the node because one of the matchExpression item don't match."
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term(
            "region",
            vec![
                expr("service", "Exists", &[]),
                expr("wrongkey", "DoesNotExist", &[]),
            ],
        ))
        .required_affinity(term(
            "region",
            vec![
                expr("service", "In", &["securityscan2"]),
                expr("service", "NotIn", &["WrongValue"]),
            ],
        ))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        unresolvable(AFFINITY)
    );
}

#[test]
fn single_affinity_and_anti_affinity_satisfied() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAffinity and PodAntiAffinity with the existing pod"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term_in("service", "region", &["securityscan", "value2"]))
        .required_anti_affinity(term_in("service", "node", &["antivirusscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        Ok(())
    );
}

#[test]
fn single_affinity_anti_affinity_and_symmetry_satisfied() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the existing pod"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term_in("service", "region", &["securityscan", "value2"]))
        .required_anti_affinity(term_in("service", "node", &["antivirusscan", "value2"]))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_in("service", "node", &["antivirusscan", "value2"]))
        .obj();
    assert_eq!(filter_single_node(pod, vec![existing]), Ok(()));
}

#[test]
fn single_affinity_but_not_anti_affinity() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(term_in("service", "region", &["securityscan", "value2"]))
        .required_anti_affinity(term_in("service", "zone", &["securityscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![securityscan_on_node1()]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_affinity_and_anti_affinity_but_not_symmetry() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity symmetry with the existing pod"
    let pod = make_pod()
        .labels(SECURITYSCAN)
        .required_affinity(term_in("service", "region", &["securityscan", "value2"]))
        .required_anti_affinity(term_in("service", "node", &["antivirusscan", "value2"]))
        .obj();
    let existing = make_pod()
        .labels(SECURITYSCAN)
        .node("node1")
        .required_anti_affinity(term_in("service", "zone", &["securityscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(EXISTING_ANTI_AFFINITY)
    );
}

#[test]
fn single_pod_matches_its_own_label() {
    // TestRequiredAffinitySingleNode: "pod matches its own Label in PodAffinity and that matches the existing pod Labels"
    let pod = make_pod()
        .labels(SECURITYSCAN)
        .required_affinity(term_not_in(
            "service",
            "region",
            &["securityscan", "value2"],
        ))
        .obj();
    // node2 is not a node of the snapshot (nor of the store).
    let existing = make_pod().labels(SECURITYSCAN).node("node2").obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unresolvable(AFFINITY)
    );
}

#[test]
fn single_existing_anti_affinity_respected_not_satisfied() {
    // TestRequiredAffinitySingleNode: "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod"
    let pod = make_pod().labels(SECURITYSCAN).obj();
    let existing = make_pod()
        .node("node1")
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_in("service", "zone", &["securityscan", "value2"]))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(EXISTING_ANTI_AFFINITY)
    );
}

#[test]
fn single_existing_anti_affinity_respected_satisfied() {
    // TestRequiredAffinitySingleNode: "verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod"
    // Upstream: PreFilter returns Skip.
    let pod = make_pod().labels(SECURITYSCAN).obj();
    let existing = make_pod()
        .node("node1")
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_not_in("service", "zone", &["securityscan", "value2"]))
        .obj();
    assert_eq!(filter_single_node(pod, vec![existing]), Ok(()));
}

#[test]
fn single_anti_affinity_symmetry_with_incoming_not_satisfied() {
    // TestRequiredAffinitySingleNode: "satisfies the PodAntiAffinity with existing pod but doesn't satisfy PodAntiAffinity symmetry with incoming pod"
    let pod = make_pod()
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_exists("service", "region"))
        .required_anti_affinity(term_exists("security", "region"))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(S1)
        .required_anti_affinity(term_exists("security", "zone"))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_symmetry_a1() {
    // TestRequiredAffinitySingleNode: "PodAntiAffinity symmetry check a1: incoming pod and existing pod partially match each other on AffinityTerms"
    let pod = make_pod()
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_exists("service", "zone"))
        .required_anti_affinity(term_exists("security", "zone"))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(S1)
        .required_anti_affinity(term_exists("security", "zone"))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_symmetry_a2() {
    // TestRequiredAffinitySingleNode: "PodAntiAffinity symmetry check a2: incoming pod and existing pod partially match each other on AffinityTerms"
    let pod = make_pod()
        .labels(S1)
        .required_anti_affinity(term_exists("security", "zone"))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(SECURITYSCAN)
        .required_anti_affinity(term_exists("service", "zone"))
        .required_anti_affinity(term_exists("security", "zone"))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(EXISTING_ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_symmetry_b1() {
    // TestRequiredAffinitySingleNode: "PodAntiAffinity symmetry check b1: incoming pod and existing pod partially match each other on AffinityTerms"
    let pod = make_pod()
        .labels(&[("abc", ""), ("xyz", "")])
        .required_anti_affinity(term_exists("abc", "zone"))
        .required_anti_affinity(term_exists("def", "zone"))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(&[("def", ""), ("xyz", "")])
        .required_anti_affinity(term_exists("abc", "zone"))
        .required_anti_affinity(term_exists("def", "zone"))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_symmetry_b2() {
    // TestRequiredAffinitySingleNode: "PodAntiAffinity symmetry check b2: incoming pod and existing pod partially match each other on AffinityTerms"
    let pod = make_pod()
        .labels(&[("def", ""), ("xyz", "")])
        .required_anti_affinity(term_exists("abc", "zone"))
        .required_anti_affinity(term_exists("def", "zone"))
        .obj();
    let existing = make_pod()
        .node("node1")
        .labels(&[("abc", ""), ("xyz", "")])
        .required_anti_affinity(term_exists("abc", "zone"))
        .required_anti_affinity(term_exists("def", "zone"))
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

/// `NamespaceSelector: team In (team1)`.
fn team1_selector() -> Value {
    json!({"matchExpressions": [expr("team", "In", &["team1"])]})
}

#[test]
fn single_affinity_with_namespace_selector() {
    // TestRequiredAffinitySingleNode: "affinity with NamespaceSelector"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(with(
            term_in("service", "region", &["securityscan", "value2"]),
            "namespaceSelector",
            team1_selector(),
        ))
        .obj();
    let existing = make_pod()
        .namespace("subteam1.team1")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(filter_single_node(pod, vec![existing]), Ok(()));
}

#[test]
fn single_affinity_with_non_matching_namespace_selector() {
    // TestRequiredAffinitySingleNode: "affinity with non-matching NamespaceSelector"
    let pod = make_pod()
        .labels(S1)
        .required_affinity(with(
            term_in("service", "region", &["securityscan", "value2"]),
            "namespaceSelector",
            team1_selector(),
        ))
        .obj();
    let existing = make_pod()
        .namespace("subteam1.team2")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unresolvable(AFFINITY)
    );
}

#[test]
fn single_anti_affinity_with_matching_namespace_selector() {
    // TestRequiredAffinitySingleNode: "anti-affinity with matching NamespaceSelector"
    let pod = make_pod()
        .namespace("subteam1.team1")
        .labels(S1)
        .required_anti_affinity(with(
            term_in("service", "zone", &["securityscan", "value2"]),
            "namespaceSelector",
            team1_selector(),
        ))
        .obj();
    let existing = make_pod()
        .namespace("subteam2.team1")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_with_matching_all_namespace_selector() {
    // TestRequiredAffinitySingleNode: "anti-affinity with matching all NamespaceSelector"
    let pod = make_pod()
        .namespace("subteam1.team1")
        .labels(S1)
        .required_anti_affinity(with(
            term_in("service", "zone", &["securityscan", "value2"]),
            "namespaceSelector",
            json!({}),
        ))
        .obj();
    let existing = make_pod()
        .namespace("subteam2.team1")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(
        filter_single_node(pod, vec![existing]),
        unschedulable(ANTI_AFFINITY)
    );
}

#[test]
fn single_anti_affinity_with_non_matching_namespace_selector() {
    // TestRequiredAffinitySingleNode: "anti-affinity with non-matching NamespaceSelector"
    let pod = make_pod()
        .namespace("subteam1.team1")
        .labels(S1)
        .required_anti_affinity(with(
            term_in("service", "zone", &["securityscan", "value2"]),
            "namespaceSelector",
            team1_selector(),
        ))
        .obj();
    let existing = make_pod()
        .namespace("subteam1.team2")
        .labels(SECURITYSCAN)
        .node("node1")
        .obj();
    assert_eq!(filter_single_node(pod, vec![existing]), Ok(()));
}

// ---------------------------------------------------------------------------
// TestRequiredAffinityMultipleNodes
// ---------------------------------------------------------------------------

const RG_CHINA: Labels = &[("region", "China")];
const RG_CHINA_AZ_AZ1: Labels = &[("region", "China"), ("az", "az1")];
const RG_INDIA: Labels = &[("region", "India")];

/// The filter's verdict on each node, in order; the store holds Namespace NS1
/// (no labels), as the upstream test's informers do.
fn filter_multiple_nodes(pod: Pod, pods: Vec<Pod>, nodes: &[Node]) -> Vec<Result<(), Rejection>> {
    let store = store_with(vec![namespace("NS1", &[])], nodes, pods);
    filter_nodes(&store, &incoming(pod), nodes)
}

/// Nodes A and B with region r1, the given zones and their hostnames.
fn nodes_r1(zones: &[(&str, &str)]) -> Vec<Node> {
    zones
        .iter()
        .map(|(name, zone)| {
            node(
                name,
                &[("region", "r1"), ("zone", zone), ("hostname", name)],
            )
        })
        .collect()
}

#[test]
fn multiple_same_topology_value_as_matching_pod() {
    // TestRequiredAffinityMultipleNodes: "A pod can be scheduled onto all the nodes that have the same topology key & label value with one of them has an existing pod that matches the affinity rules"
    let pod = make_pod()
        .required_affinity(term_in("foo", "region", &["bar"]))
        .obj();
    let pods = vec![make_pod()
        .name("p1")
        .node("node1")
        .labels(&[("foo", "bar")])
        .obj()];
    let nodes = [
        node("node1", RG_CHINA),
        node("node2", RG_CHINA_AZ_AZ1),
        node("node3", RG_INDIA),
    ];
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![Ok(()), Ok(()), unresolvable(AFFINITY)]
    );
}

/// The incoming pod of the two "first pod of the collection" cases.
fn collection_pod() -> Pod {
    make_pod()
        .labels(&[("foo", "bar"), ("service", "securityscan")])
        .required_affinity(term_in("foo", "zone", &["bar"]))
        .required_affinity(term_in("service", "zone", &["securityscan"]))
        .obj()
}

#[test]
fn multiple_first_pod_of_collection_not_blocked() {
    // TestRequiredAffinityMultipleNodes: "The affinity rule is to schedule all of the pods of this collection to the same zone. The first pod of the collection should not be blocked from being scheduled onto any node, even there's no existing pod that matches the rule anywhere."
    let pods = vec![make_pod()
        .name("p1")
        .node("nodeA")
        .labels(&[("foo", "bar")])
        .obj()];
    let nodes = [
        node("nodeA", &[("zone", "az1"), ("hostname", "h1")]),
        node("nodeB", &[("zone", "az2"), ("hostname", "h2")]),
    ];
    assert_eq!(
        filter_multiple_nodes(collection_pod(), pods, &nodes),
        vec![Ok(()), Ok(())]
    );
}

#[test]
fn multiple_first_pod_of_collection_needs_topology_keys() {
    // TestRequiredAffinityMultipleNodes: "The first pod of the collection can only be scheduled on nodes labelled with the requested topology keys"
    let pods = vec![make_pod()
        .name("p1")
        .node("nodeA")
        .labels(&[("foo", "bar")])
        .obj()];
    let nodes = [
        node("nodeA", &[("zoneLabel", "az1"), ("hostname", "h1")]),
        node("nodeB", &[("zoneLabel", "az2"), ("hostname", "h2")]),
    ];
    assert_eq!(
        filter_multiple_nodes(collection_pod(), pods, &nodes),
        vec![unresolvable(AFFINITY), unresolvable(AFFINITY)]
    );
}

#[test]
fn multiple_anti_affinity_blocks_same_topology_value() {
    // TestRequiredAffinityMultipleNodes: "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB."
    let pod = make_pod()
        .required_anti_affinity(term_in("foo", "region", &["abc"]))
        .obj();
    let pods = vec![make_pod().node("nodeA").labels(&[("foo", "abc")]).obj()];
    let nodes = [
        node("nodeA", &[("region", "r1"), ("hostname", "nodeA")]),
        node("nodeB", &[("region", "r1"), ("hostname", "nodeB")]),
    ];
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(ANTI_AFFINITY), unschedulable(ANTI_AFFINITY)]
    );
}

#[test]
fn multiple_anti_affinity_any_term_matches() {
    // TestRequiredAffinityMultipleNodes: "This test ensures that anti-affinity matches a pod when any term of the anti-affinity rule matches a pod."
    let pod = make_pod()
        .required_anti_affinity(term_in("foo", "region", &["abc"]))
        .required_anti_affinity(term_in("service", "zone", &["securityscan"]))
        .obj();
    let pods = vec![make_pod()
        .node("nodeA")
        .labels(&[("foo", "abc"), ("service", "securityscan")])
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(ANTI_AFFINITY), unschedulable(ANTI_AFFINITY)]
    );
}

#[test]
fn multiple_anti_affinity_other_region_fits() {
    // TestRequiredAffinityMultipleNodes: "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA and nodeB but can be scheduled onto nodeC"
    let pod = make_pod()
        .required_anti_affinity(term_in("foo", "region", &["abc"]))
        .obj();
    let pods = vec![make_pod().node("nodeA").labels(&[("foo", "abc")]).obj()];
    let nodes = [
        node("nodeA", RG_CHINA),
        node("nodeB", RG_CHINA_AZ_AZ1),
        node("nodeC", RG_INDIA),
    ];
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![
            unschedulable(ANTI_AFFINITY),
            unschedulable(ANTI_AFFINITY),
            Ok(())
        ]
    );
}

#[test]
fn multiple_anti_affinity_other_namespace_ignored() {
    // TestRequiredAffinityMultipleNodes: "NodeA and nodeB have same topologyKey and label value. NodeA has an existing pod that matches the inter pod affinity rule. The pod can not be scheduled onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing pod that match the inter pod affinity rule but in different namespace)"
    let pod = make_pod()
        .namespace("NS1")
        .labels(&[("foo", "123")])
        .required_anti_affinity(term_in("foo", "region", &["bar"]))
        .obj();
    let pods = vec![
        make_pod()
            .node("nodeA")
            .namespace("NS1")
            .labels(&[("foo", "bar")])
            .obj(),
        make_pod()
            .node("nodeC")
            .namespace("NS2")
            .required_anti_affinity(term_in("foo", "region", &["123"]))
            .obj(),
    ];
    let nodes = [
        node("nodeA", RG_CHINA),
        node("nodeB", RG_CHINA_AZ_AZ1),
        node("nodeC", RG_INDIA),
    ];
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![
            unschedulable(ANTI_AFFINITY),
            unschedulable(ANTI_AFFINITY),
            Ok(())
        ]
    );
}

#[test]
fn multiple_existing_anti_affinity_invalid_topology_key() {
    // TestRequiredAffinityMultipleNodes: "Test existing pod's anti-affinity: if an existing pod has a term with invalid topologyKey, labelSelector of the term is firstly checked, and then topologyKey of the term is also checked"
    // Upstream: PreFilter returns Skip (wantFilterStatuses nil, nil).
    let pod = make_pod().labels(&[("foo", "")]).obj();
    let pods = vec![make_pod()
        .node("nodeA")
        .required_anti_affinity(term_exists("foo", "invalid-node-label"))
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z1")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![Ok(()), Ok(())]
    );
}

#[test]
fn multiple_incoming_anti_affinity_checks_topology_key() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's anti-affinity: even if labelSelector matches, we still check if topologyKey matches"
    // Upstream's incoming pod also has `.Node("nodeA")`. InterPodAffinity does
    // not read the incoming pod's nodeName, but the NodeName filter, which runs
    // first here, would reject nodeB for it; so the pod here names no node.
    let pod = make_pod()
        .required_anti_affinity(term_exists("foo", "invalid-node-label"))
        .obj();
    let pods = vec![make_pod().node("nodeA").labels(&[("foo", "")]).obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z1")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![Ok(()), Ok(())]
    );
}

#[test]
fn multiple_existing_anti_affinity_violates_each_existing_pod() {
    // TestRequiredAffinityMultipleNodes: "Test existing pod's anti-affinity: incoming pod wouldn't considered as a fit as it violates each existingPod's terms on all nodes"
    let pod = make_pod().labels(&[("foo", ""), ("bar", "")]).obj();
    let pods = vec![
        make_pod()
            .node("nodeA")
            .required_anti_affinity(term_exists("foo", "zone"))
            .obj(),
        make_pod()
            .node("nodeA")
            .required_anti_affinity(term_exists("bar", "region"))
            .obj(),
    ];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![
            unschedulable(EXISTING_ANTI_AFFINITY),
            unschedulable(EXISTING_ANTI_AFFINITY)
        ]
    );
}

#[test]
fn multiple_incoming_anti_affinity_violates_one_rule() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's anti-affinity: incoming pod wouldn't considered as a fit as it at least violates one anti-affinity rule of existingPod"
    let pod = make_pod()
        .required_anti_affinity(term_exists("foo", "zone"))
        .required_anti_affinity(term_exists("bar", "region"))
        .obj();
    let pods = vec![
        make_pod().node("nodeA").labels(&[("foo", "")]).obj(),
        make_pod().node("nodeB").labels(&[("bar", "")]).obj(),
    ];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(ANTI_AFFINITY), unschedulable(ANTI_AFFINITY)]
    );
}

#[test]
fn multiple_existing_anti_affinity_one_invalid_topology_key() {
    // TestRequiredAffinityMultipleNodes: "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey"
    let pod = make_pod().labels(&[("foo", ""), ("bar", "")]).obj();
    let pods = vec![make_pod()
        .node("nodeA")
        .required_anti_affinity(term_exists("foo", "invalid-node-label"))
        .required_anti_affinity(term_exists("bar", "zone"))
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(EXISTING_ANTI_AFFINITY), Ok(())]
    );
}

#[test]
fn multiple_incoming_anti_affinity_one_invalid_topology_key() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when one term has invalid topologyKey"
    let pod = make_pod()
        .required_anti_affinity(term_exists("foo", "invalid-node-label"))
        .required_anti_affinity(term_exists("bar", "zone"))
        .obj();
    let pods = vec![make_pod()
        .name("podA")
        .node("nodeA")
        .labels(&[("foo", ""), ("bar", "")])
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(ANTI_AFFINITY), Ok(())]
    );
}

#[test]
fn multiple_existing_anti_affinity_all_valid_topology_keys() {
    // TestRequiredAffinityMultipleNodes: "Test existing pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey"
    let pod = make_pod().labels(&[("foo", ""), ("bar", "")]).obj();
    let pods = vec![make_pod()
        .node("nodeA")
        .required_anti_affinity(term_exists("foo", "region"))
        .required_anti_affinity(term_exists("bar", "zone"))
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![
            unschedulable(EXISTING_ANTI_AFFINITY),
            unschedulable(EXISTING_ANTI_AFFINITY)
        ]
    );
}

#[test]
fn multiple_incoming_anti_affinity_all_valid_topology_keys() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's anti-affinity: only when labelSelector and topologyKey both match, it's counted as a single term match - case when all terms have valid topologyKey"
    let pod = make_pod()
        .required_anti_affinity(term_exists("foo", "region"))
        .required_anti_affinity(term_exists("bar", "zone"))
        .obj();
    let pods = vec![make_pod()
        .node("nodeA")
        .labels(&[("foo", ""), ("bar", "")])
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unschedulable(ANTI_AFFINITY), unschedulable(ANTI_AFFINITY)]
    );
}

#[test]
fn multiple_existing_anti_affinity_only_node_c_fits() {
    // TestRequiredAffinityMultipleNodes: "Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at least one anti-affinity term matches incoming pod, so incoming pod can only be scheduled to nodeC"
    let pod = make_pod().labels(&[("foo", ""), ("bar", "")]).obj();
    let pods = vec![
        make_pod()
            .node("nodeA")
            .required_anti_affinity(term_exists("foo", "zone"))
            .required_anti_affinity(term_exists("labelA", "zone"))
            .obj(),
        make_pod()
            .node("nodeB")
            .required_anti_affinity(term_exists("bar", "zone"))
            .required_anti_affinity(term_exists("labelB", "zone"))
            .obj(),
    ];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2"), ("nodeC", "z3")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![
            unschedulable(EXISTING_ANTI_AFFINITY),
            unschedulable(EXISTING_ANTI_AFFINITY),
            Ok(())
        ]
    );
}

#[test]
fn multiple_incoming_affinity_all_terms_then_topology_keys() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match"
    let pod = make_pod()
        .required_affinity(term_exists("foo", "region"))
        .required_affinity(term_exists("bar", "zone"))
        .obj();
    let pods = vec![make_pod()
        .name("pod1")
        .labels(&[("foo", ""), ("bar", "")])
        .node("nodeA")
        .obj()];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z1")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![Ok(()), Ok(())]
    );
}

#[test]
fn multiple_incoming_affinity_terms_must_match_same_pod() {
    // TestRequiredAffinityMultipleNodes: "Test incoming pod's affinity: firstly check if all affinityTerms match, and then check if all topologyKeys match, and the match logic should be satisfied on the same pod"
    let pod = make_pod()
        .required_affinity(term_exists("foo", "region"))
        .required_affinity(term_exists("bar", "zone"))
        .obj();
    let pods = vec![
        make_pod()
            .node("nodeA")
            .name("pod1")
            .labels(&[("foo", "")])
            .obj(),
        make_pod()
            .node("nodeB")
            .name("pod2")
            .labels(&[("bar", "")])
            .obj(),
    ];
    let nodes = nodes_r1(&[("nodeA", "z1"), ("nodeB", "z2")]);
    assert_eq!(
        filter_multiple_nodes(pod, pods, &nodes),
        vec![unresolvable(AFFINITY), unresolvable(AFFINITY)]
    );
}

// ---------------------------------------------------------------------------
// TestPreferredAffinity
// ---------------------------------------------------------------------------

const SCORE_CHINA: Labels = &[("region", "China")];
const SCORE_INDIA: Labels = &[("region", "India")];
const AZ_AZ1: Labels = &[("az", "az1")];
const AZ_AZ2: Labels = &[("az", "az2")];
const SCORE_CHINA_AZ_AZ1: Labels = &[("region", "China"), ("az", "az1")];
/// `podLabelSecurityS1`.
const SECURITY_S1: Labels = &[("security", "S1")];
/// `podLabelSecurityS2`.
const SECURITY_S2: Labels = &[("security", "S2")];

fn weighted(weight: i32, term: Value) -> Value {
    json!({"weight": weight, "podAffinityTerm": term})
}

fn stay_with_s1_in_region() -> Value {
    json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(5, term_in("security", "region", &["S1"])),
    ]}})
}

fn stay_with_s2_in_region() -> Value {
    json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(6, term_in("security", "region", &["S2"])),
    ]}})
}

fn affinity3() -> Value {
    json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(8, term("region", vec![
            expr("security", "NotIn", &["S1"]),
            expr("security", "In", &["S2"]),
        ])),
        weighted(2, term("region", vec![
            expr("security", "Exists", &[]),
            expr("wrongkey", "DoesNotExist", &[]),
        ])),
    ]}})
}

fn hard_affinity() -> Value {
    json!({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        term_in("security", "region", &["S1", "value2"]),
        term("region", vec![
            expr("security", "Exists", &[]),
            expr("wrongkey", "DoesNotExist", &[]),
        ]),
    ]}})
}

fn away_from_s1_in_az() -> Value {
    json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(5, term_in("security", "az", &["S1"])),
    ]}})
}

fn away_from_s2_in_az() -> Value {
    json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(5, term_in("security", "az", &["S2"])),
    ]}})
}

fn stay_with_s1_in_region_away_from_s2_in_az() -> Value {
    json!({
        "podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            weighted(8, term_in("security", "region", &["S1"])),
        ]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            weighted(5, term_in("security", "az", &["S2"])),
        ]},
    })
}

/// The term of `affinityNamespaceSelector` and `antiAffinityNamespaceSelector`.
fn namespace_selector_term() -> Value {
    let t = term_in("security", "region", &["S1"]);
    let t = with(t, "namespaces", json!(["subteam2.team2"]));
    with(t, "namespaceSelector", team1_selector())
}

fn affinity_namespace_selector() -> Value {
    json!({"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(5, namespace_selector_term()),
    ]}})
}

fn anti_affinity_namespace_selector() -> Value {
    json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        weighted(5, namespace_selector_term()),
    ]}})
}

/// A pod of the scoring table: `{Spec: {NodeName, Affinity}, ObjectMeta: {Labels}}`.
fn scored_pod(node: &str, labels: Labels, affinity: Value) -> Pod {
    let pod = make_pod().labels(labels).affinity(affinity);
    if node.is_empty() {
        pod.obj()
    } else {
        pod.node(node).obj()
    }
}

/// PreScore, Score and NormalizeScore through a whole cycle over `nodes`;
/// the InterPodAffinity plugin's normalised score on each, in order.
fn preferred_scores(pod: Pod, pods: Vec<Pod>, nodes: &[Node]) -> Vec<i64> {
    let store = store_with(team_namespaces(), nodes, pods);
    let pod = incoming(pod);
    let anti_affinity_pods: Vec<&Pod> = bound_with_anti_affinity(&store).collect();
    let cycle = Cycle::new(Snapshot::of(&store), &pod, &anti_affinity_pods);
    let usages: Vec<_> = nodes
        .iter()
        .map(|n| usage_on(&store, n.metadata.name.as_deref().expect("a named node")))
        .collect();
    let feasible: Vec<_> = nodes.iter().zip(&usages).collect();
    cycle
        .score(&feasible)
        .iter()
        .map(|scores| {
            scores
                .iter()
                .find(|s| s.plugin == Plugin::InterPodAffinity)
                .expect("an InterPodAffinity score")
                .normalized
        })
        .collect()
}

#[test]
fn preferred_affinity_nil() {
    // TestPreferredAffinity: "all nodes are same priority as Affinity is nil"
    // Upstream: PreScore returns Skip, so the plugin scores no node.
    let pod = scored_pod("", SECURITY_S1, json!(null));
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, vec![], &nodes), vec![0, 0, 0]);
}

#[test]
fn preferred_affinity_matches_topology_key_and_pods() {
    // TestPreferredAffinity: "Affinity: pod that matches topology key & pods in nodes will get high score comparing to otherswhich doesn't match either pods in nodes or in topology key"
    let pod = scored_pod("", SECURITY_S1, stay_with_s1_in_region());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S2, json!(null)),
        scored_pod("node3", SECURITY_S1, json!(null)),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 0, 0]);
}

#[test]
fn preferred_affinity_same_topology_value_same_score() {
    // TestPreferredAffinity: "All the nodes that have the same topology key & label value with one of them has an existing pod that match the affinity rules, have the same score"
    let pod = scored_pod("", &[], stay_with_s1_in_region());
    let pods = vec![scored_pod("node1", SECURITY_S1, json!(null))];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_CHINA_AZ_AZ1),
        node("node3", SCORE_INDIA),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 100, 0]);
}

#[test]
fn preferred_affinity_region_with_more_matches() {
    // TestPreferredAffinity: "Affinity: nodes in one region has more matching pods comparing to other region, so the region which has more matches will get high score"
    let pod = scored_pod("", SECURITY_S1, stay_with_s2_in_region());
    let pods = ["node1", "node1", "node2", "node3", "node4", "node5"]
        .iter()
        .map(|n| scored_pod(n, SECURITY_S2, json!(null)))
        .collect();
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", SCORE_CHINA),
        node("node4", SCORE_CHINA),
        node("node5", SCORE_INDIA),
    ];
    assert_eq!(
        preferred_scores(pod, pods, &nodes),
        vec![100, 0, 100, 100, 0]
    );
}

#[test]
fn preferred_affinity_different_operators() {
    // TestPreferredAffinity: "Affinity: different Label operators and values for pod affinity scheduling preference, including some match failures "
    let pod = scored_pod("", SECURITY_S1, affinity3());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S2, json!(null)),
        scored_pod("node3", SECURITY_S1, json!(null)),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![20, 100, 0]);
}

#[test]
fn preferred_affinity_symmetry_preferred() {
    // TestPreferredAffinity: "Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry"
    let pod = scored_pod("", SECURITY_S2, json!(null));
    let pods = vec![
        scored_pod("node1", SECURITY_S1, stay_with_s1_in_region()),
        scored_pod("node2", SECURITY_S2, stay_with_s2_in_region()),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100, 0]);
}

#[test]
fn preferred_affinity_symmetry_with_namespace_selector() {
    // TestPreferredAffinity: "Affinity symmetry with namespace selector"
    let pod = make_pod()
        .namespace("subteam1.team1")
        .labels(SECURITY_S1)
        .obj();
    let pods = vec![
        scored_pod("node1", SECURITY_S1, affinity_namespace_selector()),
        scored_pod("node2", SECURITY_S2, stay_with_s2_in_region()),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 0, 0]);
}

#[test]
fn preferred_anti_affinity_symmetry_with_namespace_selector() {
    // TestPreferredAffinity: "AntiAffinity symmetry with namespace selector"
    let pod = make_pod()
        .namespace("subteam1.team1")
        .labels(SECURITY_S1)
        .obj();
    let pods = vec![
        scored_pod("node1", SECURITY_S1, anti_affinity_namespace_selector()),
        scored_pod("node2", SECURITY_S2, stay_with_s2_in_region()),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100, 100]);
}

#[test]
fn preferred_affinity_symmetry_required() {
    // TestPreferredAffinity: "Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution in pod affinity symmetry"
    let pod = scored_pod("", SECURITY_S1, json!(null));
    let pods = vec![
        scored_pod("node1", SECURITY_S1, hard_affinity()),
        scored_pod("node2", SECURITY_S2, hard_affinity()),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", SCORE_INDIA),
        node("node3", AZ_AZ1),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 100, 0]);
}

#[test]
fn preferred_anti_affinity_not_matching_existing_pods() {
    // TestPreferredAffinity: "Anti Affinity: pod that does not match existing pods in node will get high score "
    let pod = scored_pod("", SECURITY_S1, away_from_s1_in_az());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S2, json!(null)),
    ];
    let nodes = [node("node1", AZ_AZ1), node("node2", SCORE_CHINA)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100]);
}

#[test]
fn preferred_anti_affinity_not_matching_topology_key() {
    // TestPreferredAffinity: "Anti Affinity: pod that does not match topology key & match the pods in nodes will get higher score comparing to others "
    let pod = scored_pod("", SECURITY_S1, away_from_s1_in_az());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S1, json!(null)),
    ];
    let nodes = [node("node1", AZ_AZ1), node("node2", SCORE_CHINA)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100]);
}

#[test]
fn preferred_anti_affinity_more_matching_pods() {
    // TestPreferredAffinity: "Anti Affinity: one node has more matching pods comparing to other node, so the node which has more unmatches will get high score"
    let pod = scored_pod("", SECURITY_S1, away_from_s1_in_az());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S2, json!(null)),
    ];
    let nodes = [node("node1", AZ_AZ1), node("node2", SCORE_INDIA)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100]);
}

#[test]
fn preferred_anti_affinity_symmetry() {
    // TestPreferredAffinity: "Anti Affinity symmetry: the existing pods in node which has anti affinity match will get high score"
    let pod = scored_pod("", SECURITY_S2, json!(null));
    let pods = vec![
        scored_pod("node1", SECURITY_S1, away_from_s2_in_az()),
        scored_pod("node2", SECURITY_S2, away_from_s1_in_az()),
    ];
    let nodes = [node("node1", AZ_AZ1), node("node2", AZ_AZ2)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100]);
}

#[test]
fn preferred_affinity_and_anti_affinity() {
    // TestPreferredAffinity: "Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity"
    let pod = scored_pod("", SECURITY_S1, stay_with_s1_in_region_away_from_s2_in_az());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S1, json!(null)),
    ];
    let nodes = [node("node1", SCORE_CHINA), node("node2", AZ_AZ1)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 0]);
}

#[test]
fn preferred_affinity_and_anti_affinity_same_labels() {
    // TestPreferredAffinity: "Affinity and Anti Affinity: considering both affinity and anti-affinity, the pod to schedule and existing pods have the same labels"
    let pod = scored_pod("", SECURITY_S1, stay_with_s1_in_region_away_from_s2_in_az());
    let pods = [
        "node1", "node1", "node2", "node3", "node3", "node4", "node5",
    ]
    .iter()
    .map(|n| scored_pod(n, SECURITY_S1, json!(null)))
    .collect();
    let nodes = [
        node("node1", SCORE_CHINA_AZ_AZ1),
        node("node2", SCORE_INDIA),
        node("node3", SCORE_CHINA),
        node("node4", SCORE_CHINA),
        node("node5", SCORE_INDIA),
    ];
    assert_eq!(
        preferred_scores(pod, pods, &nodes),
        vec![100, 0, 100, 100, 0]
    );
}

#[test]
fn preferred_affinity_anti_affinity_and_symmetry() {
    // TestPreferredAffinity: "Affinity and Anti Affinity and symmetry: considered only preferredDuringSchedulingIgnoredDuringExecution in both pod affinity & anti affinity & symmetry"
    let pod = scored_pod("", SECURITY_S1, stay_with_s1_in_region_away_from_s2_in_az());
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", SECURITY_S2, json!(null)),
        scored_pod("node3", &[], stay_with_s1_in_region_away_from_s2_in_az()),
        scored_pod("node4", &[], away_from_s1_in_az()),
    ];
    let nodes = [
        node("node1", SCORE_CHINA),
        node("node2", AZ_AZ1),
        node("node3", SCORE_INDIA),
        node("node4", AZ_AZ2),
    ];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![100, 0, 100, 0]);
}

#[test]
fn preferred_partial_nodes_without_pods_with_affinity() {
    // TestPreferredAffinity: "Avoid panic when partial nodes in a topology don't have pods with affinity"
    let pod = scored_pod("", SECURITY_S1, json!(null));
    let pods = vec![
        scored_pod("node1", SECURITY_S1, json!(null)),
        scored_pod("node2", &[], stay_with_s1_in_region_away_from_s2_in_az()),
    ];
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_CHINA)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 0]);
}

/// The existing pods of the two "matching NamespaceSelector" cases: three on
/// node1 (the last in `third`), one in subteam2.team1 on node2.
fn namespace_selector_pods(third: &str) -> Vec<Pod> {
    [
        ("node1", "subteam1.team1"),
        ("node1", "subteam1.team1"),
        ("node1", third),
        ("node2", "subteam2.team1"),
    ]
    .iter()
    .map(|(n, ns)| make_pod().node(n).namespace(ns).labels(SECURITY_S1).obj())
    .collect()
}

fn subteam1_team1_pod(affinity: Value) -> Pod {
    make_pod()
        .namespace("subteam1.team1")
        .labels(SECURITY_S1)
        .affinity(affinity)
        .obj()
}

#[test]
fn preferred_affinity_pods_matching_namespace_selector() {
    // TestPreferredAffinity: "Affinity with pods matching NamespaceSelector" (the affinity case)
    let pod = subteam1_team1_pod(affinity_namespace_selector());
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_INDIA)];
    assert_eq!(
        preferred_scores(pod, namespace_selector_pods("subteam1.team2"), &nodes),
        vec![100, 0]
    );
}

#[test]
fn preferred_affinity_pods_matching_namespace_selector_and_namespaces() {
    // TestPreferredAffinity: "Affinity with pods matching both NamespaceSelector and Namespaces fields" (the affinity case)
    let pod = subteam1_team1_pod(affinity_namespace_selector());
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_INDIA)];
    assert_eq!(
        preferred_scores(pod, namespace_selector_pods("subteam2.team2"), &nodes),
        vec![100, 0]
    );
}

#[test]
fn preferred_anti_affinity_pods_matching_namespace_selector() {
    // TestPreferredAffinity: "Affinity with pods matching NamespaceSelector" (the second case of
    // that name: antiAffinityNamespaceSelector)
    let pod = subteam1_team1_pod(anti_affinity_namespace_selector());
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_INDIA)];
    assert_eq!(
        preferred_scores(pod, namespace_selector_pods("subteam1.team2"), &nodes),
        vec![0, 100]
    );
}

#[test]
fn preferred_anti_affinity_pods_matching_namespace_selector_and_namespaces() {
    // TestPreferredAffinity: "Affinity with pods matching both NamespaceSelector and Namespaces fields" (the
    // second case of that name: antiAffinityNamespaceSelector)
    let pod = subteam1_team1_pod(anti_affinity_namespace_selector());
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_INDIA)];
    assert_eq!(
        preferred_scores(pod, namespace_selector_pods("subteam2.team2"), &nodes),
        vec![0, 100]
    );
}

#[test]
fn preferred_do_not_ignore_preferred_terms_of_existing_pods() {
    // TestPreferredAffinity: "Do not ignore preferred terms of existing pods"
    let pod = scored_pod("", SECURITY_S2, json!(null));
    let pods = vec![
        scored_pod(
            "node1",
            SECURITY_S1,
            stay_with_s1_in_region_away_from_s2_in_az(),
        ),
        scored_pod("node2", SECURITY_S2, stay_with_s2_in_region()),
    ];
    let nodes = [node("node1", SCORE_CHINA), node("node2", SCORE_INDIA)];
    assert_eq!(preferred_scores(pod, pods, &nodes), vec![0, 100]);
}

#[test]
fn preferred_no_nodes_to_score() {
    // TestPreferredAffinity: "No nodes to score"
    // Upstream: PreScore returns Skip; with no node there is no score at all.
    let pod = scored_pod("", SECURITY_S2, json!(null));
    assert_eq!(preferred_scores(pod, vec![], &[]), Vec::<i64>::new());
}
