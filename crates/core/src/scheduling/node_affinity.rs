//! Required node affinity: `spec.nodeSelector` plus
//! `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`, evaluated as
//! component-helpers' `GetRequiredNodeAffinity(pod).Match(node)` does, but returning
//! *which* rule failed so that the same evaluation can explain itself.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{
    Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec,
};

use crate::api::names::label_value_errors;

/// Why a node does not satisfy a pod's required node affinity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AffinityMismatch {
    /// A `nodeSelector` pair the node does not carry.
    NodeSelector {
        key: String,
        wanted: String,
        actual: Option<String>,
    },
    /// No `nodeSelectorTerms` entry matched; one failure per term, in order.
    Terms(Vec<TermFailure>),
}

/// Why one `nodeSelectorTerm` does not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TermFailure {
    /// A term without matchExpressions or matchFields matches nothing.
    Empty,
    /// The first requirement the node fails, rendered `key Op [values]`, and what the node has.
    Requirement {
        requirement: String,
        actual: Option<String>,
    },
    /// A requirement that cannot be parsed (the API server would also reject it).
    Invalid { requirement: String, why: String },
}

impl fmt::Display for AffinityMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AffinityMismatch::NodeSelector {
                key,
                wanted,
                actual: None,
            } => write!(
                f,
                "nodeSelector {key}={wanted} does not match: node has no label {key}"
            ),
            AffinityMismatch::NodeSelector {
                key,
                wanted,
                actual: Some(actual),
            } => write!(
                f,
                "nodeSelector {key}={wanted} does not match: node has {key}={actual}"
            ),
            AffinityMismatch::Terms(failures) if failures.is_empty() => {
                write!(
                    f,
                    "required node affinity has no nodeSelectorTerms, so it matches no node"
                )
            }
            AffinityMismatch::Terms(failures) => {
                write!(f, "required node affinity does not match: ")?;
                for (i, failure) in failures.iter().enumerate() {
                    if i > 0 {
                        write!(f, "; ")?;
                    }
                    if failures.len() > 1 {
                        write!(f, "term {}: ", i + 1)?;
                    }
                    write!(f, "{failure}")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for TermFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TermFailure::Empty => write!(f, "empty term matches no node"),
            TermFailure::Requirement {
                requirement,
                actual: None,
            } => write!(f, "{requirement} fails (node has no such label)"),
            TermFailure::Requirement {
                requirement,
                actual: Some(actual),
            } => write!(f, "{requirement} fails (node has {actual:?})"),
            TermFailure::Invalid { requirement, why } => {
                write!(f, "{requirement} is invalid: {why}")
            }
        }
    }
}

fn render(req: &NodeSelectorRequirement) -> String {
    match req.operator.as_str() {
        "Exists" | "DoesNotExist" => format!("{} {}", req.key, req.operator),
        op => format!(
            "{} {} [{}]",
            req.key,
            op,
            req.values.as_deref().unwrap_or_default().join(", ")
        ),
    }
}

/// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`, if set.
pub fn required_node_selector(spec: &PodSpec) -> Option<&NodeSelector> {
    spec.affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()
}

/// Checks the pod spec's nodeSelector and required node affinity against `node`.
pub fn required_affinity_matches(spec: &PodSpec, node: &Node) -> Result<(), AffinityMismatch> {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    if let Some(selector) = &spec.node_selector {
        for (key, wanted) in selector {
            let actual = labels.get(key);
            if actual != Some(wanted) {
                return Err(AffinityMismatch::NodeSelector {
                    key: key.clone(),
                    wanted: wanted.clone(),
                    actual: actual.cloned(),
                });
            }
        }
    }
    match required_node_selector(spec) {
        None => Ok(()),
        Some(selector) => node_selector_matches(selector, node).map_err(AffinityMismatch::Terms),
    }
}

/// Terms are ORed; inside a term every expression and field requirement is ANDed.
pub fn node_selector_matches(selector: &NodeSelector, node: &Node) -> Result<(), Vec<TermFailure>> {
    let mut failures = Vec::new();
    for term in &selector.node_selector_terms {
        match term_failure(term, node) {
            None => return Ok(()),
            Some(failure) => failures.push(failure),
        }
    }
    Err(failures)
}

/// Why one term does not match `node`, if it does not.
fn term_failure(term: &NodeSelectorTerm, node: &Node) -> Option<TermFailure> {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return Some(TermFailure::Empty);
    }
    expressions
        .iter()
        .find_map(|req| expression_failure(req, node))
        .or_else(|| fields.iter().find_map(|req| field_failure(req, node)))
}

/// The `NodeAffinity` filter's reason (`ErrReasonPod`).
pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

/// The `NodeAffinity` filter: the pod's nodeSelector and required node affinity.
pub fn filter(pod: &Pod, node: &Node) -> Option<&'static str> {
    let spec = pod.spec.as_ref()?;
    required_affinity_matches(spec, node).err().map(|_| REASON)
}

/// The `NodeAffinity` score: the sum of the weights of the preferred terms
/// `node` matches (a term without requirements matches nothing).
pub fn score(pod: &Pod, node: &Node) -> i64 {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .filter(|term| term.weight != 0 && term_failure(&term.preference, node).is_none())
        .map(|term| i64::from(term.weight))
        .sum()
}

fn invalid(req: &NodeSelectorRequirement, why: &str) -> Option<TermFailure> {
    Some(TermFailure::Invalid {
        requirement: render(req),
        why: why.to_string(),
    })
}

fn expression_failure(req: &NodeSelectorRequirement, node: &Node) -> Option<TermFailure> {
    let values = req.values.as_deref().unwrap_or_default();
    if let Some(bad) = values.iter().find(|v| !label_value_errors(v).is_empty()) {
        return invalid(req, &format!("{bad:?} is not a valid label value"));
    }
    let actual = node
        .metadata
        .labels
        .as_ref()
        .and_then(|labels| labels.get(&req.key));
    let matched = match req.operator.as_str() {
        "In" | "NotIn" if values.is_empty() => {
            return invalid(req, "values must be non-empty for In and NotIn")
        }
        "In" => actual.is_some_and(|a| values.contains(a)),
        // An absent key satisfies NotIn.
        "NotIn" => actual.is_none_or(|a| !values.contains(a)),
        "Exists" | "DoesNotExist" if !values.is_empty() => {
            return invalid(req, "values must be empty for Exists and DoesNotExist")
        }
        "Exists" => actual.is_some(),
        "DoesNotExist" => actual.is_none(),
        "Gt" | "Lt" => {
            let [value] = values else {
                return invalid(req, "exactly one value is required for Gt and Lt");
            };
            let Ok(bound) = value.parse::<i64>() else {
                return invalid(req, "the value must be an integer");
            };
            match actual.and_then(|a| a.parse::<i64>().ok()) {
                Some(n) if req.operator == "Gt" => n > bound,
                Some(n) => n < bound,
                None => false,
            }
        }
        _ => return invalid(req, "unsupported operator"),
    };
    (!matched).then(|| TermFailure::Requirement {
        requirement: render(req),
        actual: actual.cloned(),
    })
}

fn field_failure(req: &NodeSelectorRequirement, node: &Node) -> Option<TermFailure> {
    if req.key != "metadata.name" {
        return invalid(req, "only metadata.name is supported in matchFields");
    }
    let [value] = req.values.as_deref().unwrap_or_default() else {
        return invalid(req, "matchFields requires exactly one value");
    };
    let name = node.metadata.name.as_deref().unwrap_or("");
    // A node without a name skips field requirements (an upstream edge case).
    if name.is_empty() {
        return None;
    }
    let matched = match req.operator.as_str() {
        "In" => name == value,
        "NotIn" => name != value,
        _ => return invalid(req, "only In and NotIn are supported in matchFields"),
    };
    (!matched).then(|| TermFailure::Requirement {
        requirement: format!("{} {} [{}]", req.key, req.operator, value),
        actual: Some(name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Affinity, NodeAffinity};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(name: &str, labels: &[(&str, &str)]) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: Some(
                    labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn req(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
        }
    }

    fn spec_with_terms(terms: Vec<NodeSelectorTerm>) -> PodSpec {
        PodSpec {
            affinity: Some(Affinity {
                node_affinity: Some(NodeAffinity {
                    required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                        node_selector_terms: terms,
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn expr_term(reqs: Vec<NodeSelectorRequirement>) -> NodeSelectorTerm {
        NodeSelectorTerm {
            match_expressions: Some(reqs),
            match_fields: None,
        }
    }

    fn field_term(reqs: Vec<NodeSelectorRequirement>) -> NodeSelectorTerm {
        NodeSelectorTerm {
            match_expressions: None,
            match_fields: Some(reqs),
        }
    }

    #[test]
    fn node_selector_needs_every_pair() {
        let spec = PodSpec {
            node_selector: Some([("disk".to_string(), "ssd".to_string())].into()),
            ..Default::default()
        };
        assert!(required_affinity_matches(&spec, &node("a", &[("disk", "ssd")])).is_ok());
        let err = required_affinity_matches(&spec, &node("b", &[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "nodeSelector disk=ssd does not match: node has no label disk"
        );
        let err = required_affinity_matches(&spec, &node("c", &[("disk", "hdd")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "nodeSelector disk=ssd does not match: node has disk=hdd"
        );
    }

    #[test]
    fn every_expression_operator() {
        let n = node("w1", &[("zone", "a"), ("cores", "0206")]);
        let check =
            |r| required_affinity_matches(&spec_with_terms(vec![expr_term(vec![r])]), &n).is_ok();
        assert!(check(req("zone", "In", &["a", "b"])));
        assert!(!check(req("zone", "In", &["b"])));
        assert!(check(req("zone", "NotIn", &["b"])));
        assert!(
            check(req("missing", "NotIn", &["b"])),
            "absent key satisfies NotIn"
        );
        assert!(!check(req("zone", "NotIn", &["a"])));
        assert!(check(req("zone", "Exists", &[])));
        assert!(!check(req("missing", "Exists", &[])));
        assert!(check(req("missing", "DoesNotExist", &[])));
        assert!(!check(req("zone", "DoesNotExist", &[])));
        assert!(check(req("cores", "Gt", &["0204"])), "leading zeros parse");
        assert!(!check(req("cores", "Lt", &["0204"])));
        assert!(check(req("cores", "Lt", &["300"])));
        assert!(
            !check(req("zone", "Gt", &["1"])),
            "non-integer label never matches"
        );
        assert!(
            !check(req("cores", "Gt", &["1", "2"])),
            "Gt takes exactly one value"
        );
        assert!(!check(req("zone", "In", &["invalid value: ___@#$%^"])));
    }

    #[test]
    fn terms_are_ored_and_requirements_anded() {
        let n = node("w1", &[("zone", "a"), ("disk", "ssd")]);
        let spec = spec_with_terms(vec![
            expr_term(vec![req("zone", "In", &["a"]), req("gpu", "Exists", &[])]),
            expr_term(vec![req("disk", "In", &["ssd"])]),
        ]);
        assert!(required_affinity_matches(&spec, &n).is_ok());
        let spec = spec_with_terms(vec![expr_term(vec![
            req("zone", "In", &["a"]),
            req("gpu", "Exists", &[]),
        ])]);
        assert_eq!(
            required_affinity_matches(&spec, &n)
                .unwrap_err()
                .to_string(),
            "required node affinity does not match: gpu Exists fails (node has no such label)"
        );
    }

    #[test]
    fn empty_terms_match_nothing() {
        let n = node("w1", &[]);
        let spec = spec_with_terms(vec![NodeSelectorTerm::default()]);
        assert!(required_affinity_matches(&spec, &n).is_err());
        let spec = spec_with_terms(vec![]);
        assert!(required_affinity_matches(&spec, &n).is_err());
        assert!(required_affinity_matches(&PodSpec::default(), &n).is_ok());
    }

    #[test]
    fn match_fields_look_at_the_name_only() {
        let n = node("worker-0", &[("metadata.name", "worker-1")]);
        let spec = spec_with_terms(vec![field_term(vec![req(
            "metadata.name",
            "In",
            &["worker-0"],
        )])]);
        assert!(required_affinity_matches(&spec, &n).is_ok());
        let spec = spec_with_terms(vec![expr_term(vec![req(
            "metadata.name",
            "In",
            &["worker-0"],
        )])]);
        assert!(
            required_affinity_matches(&spec, &n).is_err(),
            "expressions never read the name"
        );
        let spec = spec_with_terms(vec![field_term(vec![req(
            "metadata.name",
            "NotIn",
            &["worker-0"],
        )])]);
        assert!(required_affinity_matches(&spec, &n).is_err());
        let spec = spec_with_terms(vec![field_term(vec![req(
            "metadata.name",
            "In",
            &["worker-0", "worker-1"],
        )])]);
        assert!(
            required_affinity_matches(&spec, &n).is_err(),
            "matchFields takes one value"
        );
    }
}
