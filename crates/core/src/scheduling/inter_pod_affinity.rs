//! The `InterPodAffinity` plugin (`interpodaffinity/{filtering,scoring}.go`):
//! required pod affinity and anti-affinity as a filter, the preferred terms
//! (and other pods' required affinity, at `hardPodAffinityWeight` 1) as a score.
//! Counts are kept per topology pair (a node label's key and value), as the
//! plugin's PreFilter and PreScore states do.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod, PodAffinityTerm};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::framework::{assigned_pods, Code, Plugin, Rejection, Snapshot};
use super::MAX_NODE_SCORE;
use crate::api::store::Store;
use crate::api::validation::selector_matches;

/// `ErrReasonAffinityRulesNotMatch`.
pub const AFFINITY_REASON: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub const ANTI_AFFINITY_REASON: &str = "node(s) didn't match pod anti-affinity rules";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub const EXISTING_ANTI_AFFINITY_REASON: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";

/// `args.hardPodAffinityWeight`'s default.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

type Pair = (String, String);

/// An `AffinityTerm`: a pod affinity term with its namespaces resolved.
struct Term<'a> {
    /// The namespaces listed, or the owning pod's own when neither these nor a
    /// namespace selector is given.
    namespaces: Vec<&'a str>,
    namespace_selector: Option<&'a LabelSelector>,
    selector: Option<&'a LabelSelector>,
    topology_key: &'a str,
}

impl<'a> Term<'a> {
    fn new(owner: &'a Pod, term: &'a PodAffinityTerm) -> Self {
        let listed = term.namespaces.as_deref().unwrap_or_default();
        let namespaces = if listed.is_empty() && term.namespace_selector.is_none() {
            vec![owner.metadata.namespace.as_deref().unwrap_or("default")]
        } else {
            listed.iter().map(String::as_str).collect()
        };
        Term {
            namespaces,
            namespace_selector: term.namespace_selector.as_ref(),
            selector: term.label_selector.as_ref(),
            topology_key: &term.topology_key,
        }
    }

    /// `AffinityTerm.Matches`: the pod is in one of the term's namespaces (or
    /// one its namespace selector selects) and its labels match. A missing
    /// selector selects nothing.
    fn matches(&self, store: &Store, pod: &Pod) -> bool {
        let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
        let empty = BTreeMap::new();
        let in_namespace = self.namespaces.contains(&namespace)
            || self.namespace_selector.is_some_and(|s| {
                let labels = store
                    .namespace(namespace)
                    .and_then(|n| n.metadata.labels.as_ref());
                selector_matches(s, labels.unwrap_or(&empty))
            });
        in_namespace
            && self.selector.is_some_and(|s| {
                selector_matches(s, pod.metadata.labels.as_ref().unwrap_or(&empty))
            })
    }

    fn pair(&self, node: &Node) -> Option<Pair> {
        let value = node.metadata.labels.as_ref()?.get(self.topology_key)?;
        Some((self.topology_key.to_string(), value.clone()))
    }
}

fn affinity(pod: &Pod) -> Option<&k8s_openapi::api::core::v1::Affinity> {
    pod.spec.as_ref()?.affinity.as_ref()
}

/// Required terms: of the pod's anti-affinity if `anti`, else of its affinity.
fn required(pod: &Pod, anti: bool) -> Vec<Term<'_>> {
    let affinity = affinity(pod);
    let terms = if anti {
        affinity
            .and_then(|a| a.pod_anti_affinity.as_ref())
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
    } else {
        affinity
            .and_then(|a| a.pod_affinity.as_ref())
            .and_then(|a| {
                a.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })
    };
    terms
        .into_iter()
        .flatten()
        .map(|t| Term::new(pod, t))
        .collect()
}

/// Preferred terms with their weights: (term, weight).
fn preferred(pod: &Pod, anti: bool) -> Vec<(Term<'_>, i64)> {
    let affinity = affinity(pod);
    let terms = if anti {
        affinity
            .and_then(|a| a.pod_anti_affinity.as_ref())
            .and_then(|a| {
                a.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })
    } else {
        affinity
            .and_then(|a| a.pod_affinity.as_ref())
            .and_then(|a| {
                a.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })
    };
    terms
        .into_iter()
        .flatten()
        .map(|t| (Term::new(pod, &t.pod_affinity_term), i64::from(t.weight)))
        .collect()
}

/// Whether a pod has any required pod anti-affinity: the pods the scheduler's
/// snapshot lists in `HavePodsWithRequiredAntiAffinityList`.
pub fn has_required_anti_affinity(pod: &Pod) -> bool {
    !required(pod, true).is_empty()
}

/// The bound pods with required pod anti-affinity, as the snapshot's
/// `HavePodsWithRequiredAntiAffinityList` finds them.
pub fn bound_with_anti_affinity(store: &Store) -> impl Iterator<Item = &Pod> {
    store
        .pods()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some())
        .filter(|p| has_required_anti_affinity(p))
}

/// The PreFilter state.
pub struct Filtering {
    has_affinity: bool,
    anti_affinity_keys: Vec<String>,
    /// Pairs where an existing pod's required anti-affinity matches the pod.
    existing_anti_affinity: BTreeMap<Pair, i64>,
    /// Pairs holding pods that match all the pod's required affinity terms.
    affinity_counts: BTreeMap<Pair, i64>,
    /// Pairs holding pods that match one of its anti-affinity terms.
    anti_affinity_counts: BTreeMap<Pair, i64>,
    affinity_keys: Vec<String>,
    /// The pod matches all its own affinity terms (the first of a group that
    /// wants to be together may go anywhere).
    matches_itself: bool,
}

impl Filtering {
    /// PreFilter; `None` is Skip: no term of the pod's and no existing pod's
    /// anti-affinity matches it.
    pub fn pre_filter(snapshot: Snapshot, pod: &Pod, anti_affinity_pods: &[&Pod]) -> Option<Self> {
        let store = snapshot.store;
        let mut existing_anti_affinity = BTreeMap::new();
        for existing in anti_affinity_pods.iter().filter(|p| snapshot.keeps(p)) {
            let Some(node) = existing
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .and_then(|n| store.node(n))
            else {
                continue;
            };
            for term in required(existing, true) {
                if term.matches(store, pod) {
                    if let Some(pair) = term.pair(node) {
                        *existing_anti_affinity.entry(pair).or_insert(0) += 1;
                    }
                }
            }
        }
        let affinity = required(pod, false);
        let anti = required(pod, true);
        if existing_anti_affinity.is_empty() && affinity.is_empty() && anti.is_empty() {
            return None;
        }
        let mut affinity_counts = BTreeMap::new();
        let mut anti_affinity_counts = BTreeMap::new();
        if !affinity.is_empty() || !anti.is_empty() {
            for node in store.nodes() {
                let name = node.metadata.name.as_deref().unwrap_or("");
                for existing in snapshot.pods_on(name) {
                    if !affinity.is_empty() && affinity.iter().all(|t| t.matches(store, existing)) {
                        for pair in affinity.iter().filter_map(|t| t.pair(node)) {
                            *affinity_counts.entry(pair).or_insert(0) += 1;
                        }
                    }
                    for term in anti.iter().filter(|t| t.matches(store, existing)) {
                        if let Some(pair) = term.pair(node) {
                            *anti_affinity_counts.entry(pair).or_insert(0) += 1;
                        }
                    }
                }
            }
        }
        Some(Filtering {
            has_affinity: !affinity.is_empty(),
            matches_itself: affinity.iter().all(|t| t.matches(store, pod)),
            affinity_keys: affinity
                .iter()
                .map(|t| t.topology_key.to_string())
                .collect(),
            anti_affinity_keys: anti.iter().map(|t| t.topology_key.to_string()).collect(),
            existing_anti_affinity,
            affinity_counts,
            anti_affinity_counts,
        })
    }

    /// Filter: the pod's affinity, then its anti-affinity, then the existing
    /// pods' anti-affinity, each with its reason.
    pub fn filter(&self, node: &Node) -> Result<(), Rejection> {
        let empty = BTreeMap::new();
        let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
        let pair = |key: &str| labels.get(key).map(|v| (key.to_string(), v.clone()));
        let reject =
            |code, reason: &str| Err(Rejection::new(Plugin::InterPodAffinity, code, reason));
        if self.has_affinity {
            let mut pods_exist = true;
            for key in &self.affinity_keys {
                match pair(key) {
                    // Every topology key must be on the node.
                    None => return reject(Code::UnschedulableAndUnresolvable, AFFINITY_REASON),
                    Some(p) => pods_exist &= self.affinity_counts.get(&p).is_some_and(|n| *n > 0),
                }
            }
            // The first of a group that wants to be together may go anywhere.
            let first_of_group = self.affinity_counts.is_empty() && self.matches_itself;
            if !(pods_exist || first_of_group) {
                return reject(Code::UnschedulableAndUnresolvable, AFFINITY_REASON);
            }
        }
        let anti_matched = self
            .anti_affinity_keys
            .iter()
            .filter_map(|k| pair(k))
            .any(|p| self.anti_affinity_counts.get(&p).is_some_and(|n| *n > 0));
        if anti_matched {
            return reject(Code::Unschedulable, ANTI_AFFINITY_REASON);
        }
        let existing = labels.iter().any(|(k, v)| {
            self.existing_anti_affinity
                .get(&(k.clone(), v.clone()))
                .is_some_and(|n| *n > 0)
        });
        if existing {
            return reject(Code::Unschedulable, EXISTING_ANTI_AFFINITY_REASON);
        }
        Ok(())
    }
}

/// PreScore and Score: for each node, the weights of the terms that pull the
/// pod towards (or push it from) the topology domain it is in. The pod's
/// preferred terms count against every existing pod; existing pods' terms
/// (required affinity at weight 1, preferred ones at theirs) count against
/// the pod.
pub fn scores(store: &Store, pod: &Pod, nodes: &[&Node]) -> Vec<i64> {
    let own_affinity = preferred(pod, false);
    let own_anti = preferred(pod, true);
    let mut by_pair: BTreeMap<Pair, i64> = BTreeMap::new();
    let mut add = |term: &Term, weight: i64, target: &Pod, node: &Node| {
        if term.matches(store, target) {
            if let Some(pair) = term.pair(node) {
                *by_pair.entry(pair).or_insert(0) += weight;
            }
        }
    };
    for node in store.nodes() {
        if node.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) {
            continue;
        }
        let name = node.metadata.name.as_deref().unwrap_or("");
        for existing in assigned_pods(store, name) {
            for (term, weight) in &own_affinity {
                add(term, *weight, existing, node);
            }
            for (term, weight) in &own_anti {
                add(term, -weight, existing, node);
            }
            for term in required(existing, false) {
                add(&term, HARD_POD_AFFINITY_WEIGHT, pod, node);
            }
            for (term, weight) in preferred(existing, false) {
                add(&term, weight, pod, node);
            }
            for (term, weight) in preferred(existing, true) {
                add(&term, -weight, pod, node);
            }
        }
    }
    nodes
        .iter()
        .map(|node| {
            let labels = node.metadata.labels.as_ref();
            by_pair
                .iter()
                .filter(|((k, v), _)| labels.and_then(|l| l.get(k)) == Some(v))
                .map(|(_, w)| *w)
                .sum()
        })
        .collect()
}

/// NormalizeScore: scaled between the lowest and the highest to 0–100.
pub fn normalize(scores: &[i64]) -> Vec<i64> {
    let (Some(&min), Some(&max)) = (scores.iter().min(), scores.iter().max()) else {
        return Vec::new();
    };
    let spread = max - min;
    scores
        .iter()
        .map(|&s| {
            if spread > 0 {
                (MAX_NODE_SCORE as f64 * ((s - min) as f64 / spread as f64)) as i64
            } else {
                0
            }
        })
        .collect()
}
