//! The default scheduler: takes pending pods in priority order, runs each
//! through the default profile's plugins (`scheduling::framework`), binds it to
//! the best node, or records why none fits in the real `FailedScheduling`
//! wording, preempting lower-priority pods if that helps. Each pod's last
//! attempt is kept, plugin by plugin, for `sim explain pod`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::events::{record, reference, Reporter};
use super::{later, pod_condition, Ctx};
use crate::api::server::delete_pod;
use crate::api::store::{key_of, Key, Store};
use crate::api::Kind;
use crate::scheduling::framework::{
    assigned_pods, feasible_nodes_to_find, histogram, select_host, Attempt, Code, Cycle,
    NodeResult, Plugin, Snapshot,
};
use crate::scheduling::inter_pod_affinity::{bound_with_anti_affinity, has_required_anti_affinity};
use crate::scheduling::node_affinity::required_node_selector;
use crate::scheduling::node_resources::{demand, usage_on, Usage};

pub const DEFAULT_SCHEDULER: &str = "default-scheduler";
/// Unschedulable pods are tried again at least this often.
const RETRY: Duration = Duration::from_secs(300);

/// The scheduler's own state: each pod's last attempt, where the next cycle
/// starts looking (`nextStartNodeIndex`), and the seeded source of the random
/// choice between equally good nodes.
#[derive(Clone, Debug)]
pub struct Scheduler {
    attempts: BTreeMap<Key, Attempt>,
    next_start: usize,
    random: u64,
}

impl Scheduler {
    pub fn new(seed: u64) -> Self {
        Scheduler {
            attempts: BTreeMap::new(),
            next_start: 0,
            // Its own stream, so that ties do not shift generated names.
            random: seed ^ 0x5ced_0000_5ced_0000,
        }
    }

    /// The last scheduling attempt of `pod`, if it was this pod's.
    pub fn attempt(&self, pod: &Pod) -> Option<&Attempt> {
        self.attempts
            .get(&key_of(&pod.metadata))
            .filter(|a| Some(a.uid.as_str()) == pod.metadata.uid.as_deref())
    }

    /// A number below `n` (SplitMix64).
    fn below(&mut self, n: u64) -> u64 {
        self.random = self.random.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.random;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n.max(1)
    }

    /// Drops the attempts of pods that are gone, once they could be many.
    fn forget_gone(&mut self, store: &Store) {
        if self.attempts.len() > 2 * store.count(Kind::Pod) + 64 {
            self.attempts.retain(|key, a| {
                store
                    .pod(key)
                    .is_some_and(|p| p.metadata.uid.as_deref() == Some(a.uid.as_str()))
            });
        }
    }
}

/// What one pass has worked out so far: what the pods on each node take, and
/// which bound pods carry required anti-affinity.
#[derive(Default)]
struct Pass {
    usage: BTreeMap<String, Usage>,
    anti_affinity: Option<Vec<Key>>,
}

impl Pass {
    fn usage(&mut self, store: &Store, node: &str) -> &mut Usage {
        self.usage
            .entry(node.to_string())
            .or_insert_with(|| usage_on(store, node))
    }

    fn anti_affinity(&mut self, store: &Store) -> Vec<Key> {
        self.anti_affinity
            .get_or_insert_with(|| {
                bound_with_anti_affinity(store)
                    .map(|p| key_of(&p.metadata))
                    .collect()
            })
            .clone()
    }

    fn bind(&mut self, store: &Store, pod: &Pod, node: &str) {
        self.usage(store, node).add(&demand(pod));
        if has_required_anti_affinity(pod) {
            if let Some(keys) = self.anti_affinity.as_mut() {
                keys.push(key_of(&pod.metadata));
            }
        }
    }
}

/// The names a `matchFields metadata.name In` pre-filter narrows the pod to, when
/// every required term has one (as the DaemonSet controller's injected term does).
fn prefiltered_names(pod: &Pod) -> Option<Vec<String>> {
    let terms = &required_node_selector(pod.spec.as_ref()?)?.node_selector_terms;
    let mut names = Vec::new();
    for term in terms {
        let req = term
            .match_fields
            .iter()
            .flatten()
            .find(|r| r.key == "metadata.name" && r.operator == "In")?;
        names.extend(req.values.iter().flatten().cloned());
    }
    (!terms.is_empty()).then_some(names)
}

fn priority(pod: &Pod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

fn start_time(pod: &Pod) -> Option<k8s_openapi::jiff::Timestamp> {
    pod.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .or(pod.metadata.creation_timestamp.as_ref())
        .map(|t| t.0)
}

/// `SelectVictimsOnNode`: take away every lower-priority pod; if the pod then
/// fits, give them back one by one, most important first, keeping away only
/// those without which it would not fit. Otherwise, why not. Every filter
/// sees the pods taken away gone (their anti-affinity and spread too).
fn victims<'s>(
    store: &'s Store,
    pod: &Pod,
    anti_affinity_pods: &[&Pod],
    node: &Node,
) -> Result<Vec<&'s Pod>, Vec<String>> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let mut candidates: Vec<&Pod> = assigned_pods(store, name)
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| priority(p) < priority(pod))
        .collect();
    if candidates.is_empty() {
        return Err(vec![NO_VICTIMS.to_string()]);
    }
    let fits = |removed: &[Key], used: &Usage| {
        Cycle::new(Snapshot::without(store, removed), pod, anti_affinity_pods).filter(node, used)
    };
    let mut used = usage_on(store, name);
    let mut removed: Vec<Key> = Vec::new();
    for victim in &candidates {
        used.remove(&demand(victim));
        removed.push(key_of(&victim.metadata));
    }
    fits(&removed, &used).map_err(|r| r.reasons)?;
    // `MoreImportantPod`: higher priority, then the one that started first.
    candidates.sort_by(|a, b| {
        priority(b)
            .cmp(&priority(a))
            .then_with(|| start_time(a).cmp(&start_time(b)))
    });
    let mut chosen = Vec::new();
    for candidate in candidates {
        let d = demand(candidate);
        let key = key_of(&candidate.metadata);
        used.add(&d);
        removed.retain(|k| *k != key);
        if fits(&removed, &used).is_err() {
            used.remove(&d);
            removed.push(key);
            chosen.push(candidate);
        }
    }
    Ok(chosen)
}

/// `pickOneNodeForPreemption`: the fewest-priority highest victim, then the
/// lowest sum of priorities, then the fewest victims, then the first.
fn pick_preemption(candidates: Vec<(String, Vec<&Pod>)>) -> Option<(String, Vec<&Pod>)> {
    candidates.into_iter().min_by_key(|(_, victims)| {
        let highest = victims
            .iter()
            .map(|p| priority(p))
            .max()
            .unwrap_or(i32::MIN);
        let sum: i64 = victims
            .iter()
            .map(|p| i64::from(priority(p)) + i64::from(i32::MAX) + 1)
            .sum();
        (highest, sum, victims.len())
    })
}
fn set_condition(pod: &mut Pod, condition: PodCondition) {
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".to_string());
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != condition.type_);
    conditions.push(condition);
}

/// One scheduling pass over every pending pod this scheduler owns.
pub fn schedule(store: &mut Store, scheduler: &mut Scheduler, ctx: &mut Ctx) -> bool {
    let mut pending: Vec<(i32, Option<Time>, u64, Key)> = store
        .pods_on_node("")
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            let name = p.spec.as_ref().and_then(|s| s.scheduler_name.as_deref());
            name.is_none_or(|n| n == DEFAULT_SCHEDULER)
        })
        .map(|p| {
            // Within a second, the order the queue received them: the last
            // write (a failed attempt puts a pod back at the end, as a
            // requeue does).
            let written = p
                .metadata
                .resource_version
                .as_deref()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            (
                priority(p),
                p.metadata.creation_timestamp.clone(),
                written,
                key_of(&p.metadata),
            )
        })
        .collect();
    // PrioritySort: higher priority first, then older.
    pending.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.as_ref().map(|t| t.0).cmp(&b.1.as_ref().map(|t| t.0)))
            .then_with(|| a.2.cmp(&b.2))
    });
    let mut pass = Pass::default();
    let mut changed = false;
    for (_, _, _, key) in pending {
        if let Some(pod) = store.pod(&key).cloned() {
            changed |= schedule_one(store, scheduler, ctx, pod, &mut pass);
        }
    }
    scheduler.forget_gone(store);
    changed
}

fn count(reasons: &mut BTreeMap<String, usize>, reason: &str, n: usize) {
    if n > 0 {
        *reasons.entry(reason.to_string()).or_default() += n;
    }
}

/// `NodeAffinity`'s PreFilter result for nodes it ruled out.
const PREFILTERED: &str = "node(s) didn't satisfy plugin(s) [NodeAffinity]";
const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// The DynamicResources plugin's PostFilter answer for a pod without claims,
/// which comes before preemption's.
const NO_CLAIMS: &str = "no new claims to deallocate";

/// `schedulePod`: PreFilter, the filters over the nodes (from where the last
/// cycle stopped, until enough feasible ones are found), then scores if there
/// is a choice. Returns the attempt; `chosen` names the node if one fits.
fn attempt(
    store: &Store,
    scheduler: &mut Scheduler,
    pod: &Pod,
    pass: &mut Pass,
    now: &Time,
) -> Attempt {
    let anti_keys = pass.anti_affinity(store);
    let anti_pods: Vec<&Pod> = anti_keys.iter().filter_map(|k| store.pod(k)).collect();
    let cycle = Cycle::new(Snapshot::of(store), pod, &anti_pods);
    let total = store.count(Kind::Node);
    let mut attempt = Attempt {
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        at: now.0,
        total_nodes: total,
        prefiltered: None,
        nodes: Vec::new(),
        chosen: None,
    };
    // A `matchFields metadata.name` pre-filter (the DaemonSet's own) narrows the
    // nodes looked at; every other node fails NodeAffinity.
    let nodes: Vec<&Node> = match prefiltered_names(pod) {
        Some(names) => {
            let names: BTreeSet<String> = names.into_iter().collect();
            let nodes: Vec<&Node> = names.iter().filter_map(|n| store.node(n)).collect();
            attempt.prefiltered = Some((Plugin::NodeAffinity, total - nodes.len()));
            nodes
        }
        None => store.nodes().collect(),
    };
    let mut feasible: Vec<(&Node, Usage)> = Vec::new();
    // A node preemption nominated earlier is tried first; if it fits, it is taken.
    let nominated = pod
        .status
        .as_ref()
        .and_then(|s| s.nominated_node_name.as_deref())
        .and_then(|n| store.node(n));
    if let Some(node) = nominated {
        let name = node.metadata.name.as_deref().unwrap_or("");
        let used = pass.usage(store, name).clone();
        if cycle.filter(node, &used).is_ok() {
            feasible.push((node, used));
        }
    }
    if feasible.is_empty() && !nodes.is_empty() {
        let wanted = feasible_nodes_to_find(nodes.len());
        let start = scheduler.next_start % nodes.len();
        let mut looked = 0;
        for i in 0..nodes.len() {
            let node = nodes[(start + i) % nodes.len()];
            let name = node.metadata.name.as_deref().unwrap_or("");
            let used = pass.usage(store, name).clone();
            looked += 1;
            match cycle.filter(node, &used) {
                Ok(()) => {
                    feasible.push((node, used));
                    if feasible.len() >= wanted {
                        break;
                    }
                }
                Err(rejection) => attempt.nodes.push(NodeResult {
                    node: name.to_string(),
                    rejection: Some(rejection),
                    scores: Vec::new(),
                }),
            }
        }
        scheduler.next_start = (scheduler.next_start + looked) % total.max(1);
    }
    let scores = if feasible.len() > 1 {
        let refs: Vec<(&Node, &Usage)> = feasible.iter().map(|(n, u)| (*n, u)).collect();
        cycle.score(&refs)
    } else {
        vec![Vec::new(); feasible.len()]
    };
    let first = attempt.nodes.len();
    for ((node, _), scores) in feasible.iter().zip(scores) {
        attempt.nodes.push(NodeResult {
            node: node.metadata.name.clone().unwrap_or_default(),
            rejection: None,
            scores,
        });
    }
    let totals: Vec<i64> = attempt.nodes[first..]
        .iter()
        .map(NodeResult::total)
        .collect();
    attempt.chosen =
        select_host(&totals, |n| scheduler.below(n)).map(|i| attempt.nodes[first + i].node.clone());
    attempt
}

/// The `FitError` histogram of an attempt that found no node.
fn fit_error(attempt: &Attempt) -> BTreeMap<String, usize> {
    let mut reasons = BTreeMap::new();
    if let Some((_, n)) = attempt.prefiltered {
        count(&mut reasons, PREFILTERED, n);
    }
    for node in &attempt.nodes {
        for reason in node.rejection.iter().flat_map(|r| &r.reasons) {
            count(&mut reasons, reason, 1);
        }
    }
    reasons
}

fn schedule_one(
    store: &mut Store,
    scheduler: &mut Scheduler,
    ctx: &mut Ctx,
    mut pod: Pod,
    pass: &mut Pass,
) -> bool {
    let key = key_of(&pod.metadata);
    let tried = attempt(store, scheduler, &pod, pass, &ctx.now);
    let chosen = tried.chosen.clone();
    let reasons = fit_error(&tried);
    let total = tried.total_nodes;
    // PostFilter: preemption, on nodes a filter rejected as Unschedulable (not
    // Unresolvable): the pod might fit there without some lower-priority pods.
    let fixable: Vec<String> = tried
        .nodes
        .iter()
        .filter(|n| {
            n.rejection
                .as_ref()
                .is_some_and(|r| r.code == Code::Unschedulable)
        })
        .map(|n| n.node.clone())
        .collect();
    scheduler.attempts.insert(key.clone(), tried);
    if let Some(name) = chosen {
        pass.bind(store, &pod, &name);
        pod.spec.get_or_insert_with(Default::default).node_name = Some(name.clone());
        if let Some(status) = pod.status.as_mut() {
            status.nominated_node_name = None;
        }
        set_condition(
            &mut pod,
            PodCondition {
                type_: "PodScheduled".to_string(),
                status: "True".to_string(),
                last_transition_time: Some(ctx.now.clone()),
                ..Default::default()
            },
        );
        let message = format!(
            "Successfully assigned {}/{} to {name}",
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or("")
        );
        store.put_pod(pod.clone());
        scheduler_event(store, ctx, &pod, "Normal", "Scheduled", message);
        return true;
    }
    let policy_never = pod
        .spec
        .as_ref()
        .and_then(|s| s.preemption_policy.as_deref())
        == Some("Never");
    let mut preemption: BTreeMap<String, usize> = BTreeMap::new();
    count(&mut preemption, NOT_HELPFUL, total - fixable.len());
    let mut nominated: Option<(String, Vec<Key>)> = None;
    if !policy_never {
        let anti_keys = pass.anti_affinity(store);
        let anti_pods: Vec<&Pod> = anti_keys.iter().filter_map(|k| store.pod(k)).collect();
        let mut candidates = Vec::new();
        for name in &fixable {
            let Some(node) = store.node(name) else {
                continue;
            };
            match victims(store, &pod, &anti_pods, node) {
                Ok(found) => candidates.push((name.clone(), found)),
                Err(why) => {
                    for reason in why {
                        count(&mut preemption, &reason, 1);
                    }
                }
            }
        }
        nominated = pick_preemption(candidates)
            .map(|(node, found)| (node, found.iter().map(|p| key_of(&p.metadata)).collect()));
    }
    let mut message = format!("0/{total} nodes are available: {}.", histogram(&reasons));
    if policy_never {
        message.push_str(&format!(
            " {NO_CLAIMS}, preemption: not eligible due to preemptionPolicy=Never."
        ));
    } else if nominated.is_none() {
        message.push_str(&format!(
            " {NO_CLAIMS}, preemption: 0/{total} nodes are available: {}.",
            histogram(&preemption)
        ));
    }
    let previous = store
        .pod(&key)
        .and_then(|p| pod_condition(p, "PodScheduled"))
        .cloned();
    let last_attempt = previous
        .as_ref()
        .and_then(|c| {
            c.last_probe_time
                .as_ref()
                .or(c.last_transition_time.as_ref())
        })
        .map(|t| t.0);
    let same = previous
        .as_ref()
        .is_some_and(|c| c.status == "False" && c.message.as_deref() == Some(message.as_str()));
    let retry_due = last_attempt.is_none_or(|t| later(t, RETRY) <= ctx.now());
    if let Some((node, found)) = &nominated {
        for victim in found {
            if let Some(v) = store.pod(victim).cloned() {
                let mut marked = v.clone();
                set_condition(
                    &mut marked,
                    PodCondition {
                        type_: "DisruptionTarget".to_string(),
                        status: "True".to_string(),
                        reason: Some("PreemptionByScheduler".to_string()),
                        message: Some(format!(
                            "{DEFAULT_SCHEDULER}: preempting to accommodate a higher priority pod"
                        )),
                        last_transition_time: Some(ctx.now.clone()),
                        ..Default::default()
                    },
                );
                store.put_pod(marked);
                scheduler_event(
                    store,
                    ctx,
                    &v,
                    "Normal",
                    "Preempted",
                    format!(
                        "Preempted by pod {} on node {node}",
                        pod.metadata.uid.as_deref().unwrap_or("")
                    ),
                );
                let now = ctx.now.clone();
                let _ = delete_pod(store, victim, None, &now);
            }
        }
        pod.status
            .get_or_insert_with(Default::default)
            .nominated_node_name = Some(node.clone());
    }
    if same && !retry_due && nominated.is_none() {
        if let Some(t) = last_attempt {
            ctx.retry_at(later(t, RETRY));
        }
        return false;
    }
    set_condition(
        &mut pod,
        PodCondition {
            type_: "PodScheduled".to_string(),
            status: "False".to_string(),
            reason: Some("Unschedulable".to_string()),
            message: Some(message.clone()),
            last_probe_time: Some(ctx.now.clone()),
            last_transition_time: previous
                .filter(|c| c.status == "False")
                .and_then(|c| c.last_transition_time)
                .or(Some(ctx.now.clone())),
            ..Default::default()
        },
    );
    store.put_pod(pod.clone());
    scheduler_event(store, ctx, &pod, "Warning", "FailedScheduling", message);
    ctx.retry_at(later(ctx.now(), RETRY));
    true
}

fn scheduler_event(
    store: &mut Store,
    ctx: &mut Ctx,
    pod: &Pod,
    type_: &str,
    reason: &str,
    message: String,
) {
    let involved = reference(Kind::Pod, &pod.metadata);
    let reporter = Reporter::component(DEFAULT_SCHEDULER);
    record(store, ctx, involved, type_, reason, message, reporter);
}
