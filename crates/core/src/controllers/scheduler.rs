//! The default scheduler: filters nodes in the default plugin order, binds a
//! pending pod to the best node that passes, or records why none does in the
//! real `FailedScheduling` wording, preempting lower-priority pods if that helps.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, PodStatus, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::events::{record, reference, Reporter};
use super::{later, pod_condition, pod_phase, Ctx};
use crate::api::quantity::Quantity;
use crate::api::server::delete_pod;
use crate::api::store::{key_of, Key, Store};
use crate::api::Kind;
use crate::scheduling::host_ports::{self, HostPort};
use crate::scheduling::node_affinity::{required_affinity_matches, required_node_selector};
use crate::scheduling::taints::{first_untolerated, NO_EXECUTE, NO_SCHEDULE};

pub const DEFAULT_SCHEDULER: &str = "default-scheduler";
const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";
/// Unschedulable pods are tried again at least this often.
const RETRY: Duration = Duration::from_secs(300);

/// What a pod asks of a node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Demand {
    pub cpu: i128,
    pub memory: i128,
    pub ephemeral: i128,
    pub host_ports: BTreeSet<HostPort>,
    /// Extended resources (`example.com/dongle`) and hugepages, by name.
    pub scalar: BTreeMap<String, i128>,
    /// cpu and memory as scoring counts them (`GetNonzeroRequests`): a
    /// container that requests none counts as 100m and 200Mi, so pods that
    /// request nothing still spread.
    pub scored_cpu: i128,
    pub scored_memory: i128,
}

/// A resource the scheduler counts by name beside cpu, memory and storage
/// (`ScalarResources`): an extended resource (a domain-prefixed name outside
/// `kubernetes.io/`, as a device plugin advertises) or hugepages.
fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-")
        || (name.contains('/')
            && !name.starts_with("kubernetes.io/")
            && !name.starts_with("requests."))
}

/// Each scalar resource's request in `list`, in thousandths.
fn scalars(
    list: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
) -> impl Iterator<Item = (String, i128)> + '_ {
    list.into_iter()
        .flatten()
        .filter(|(name, _)| is_scalar(name))
        .map(move |(name, _)| (name.clone(), quantity(list, name)))
}

/// `DefaultMilliCPURequest` and `DefaultMemoryRequest`, in thousandths.
const NONZERO_CPU: i128 = 100;
const NONZERO_MEMORY: i128 = 200 * 1024 * 1024 * 1000;

fn quantity(
    list: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    name: &str,
) -> i128 {
    list.and_then(|l| l.get(name))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .map_or(0, |q| q.milli())
}

/// The pod's requests (containers summed, init containers' largest, the
/// pod's overhead added) and host ports.
pub fn demand(pod: &Pod) -> Demand {
    let mut d = Demand::default();
    let Some(spec) = &pod.spec else { return d };
    for c in &spec.containers {
        let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let (cpu, memory) = (quantity(requests, "cpu"), quantity(requests, "memory"));
        d.cpu += cpu;
        d.memory += memory;
        d.scored_cpu += if cpu == 0 { NONZERO_CPU } else { cpu };
        d.scored_memory += if memory == 0 { NONZERO_MEMORY } else { memory };
        d.ephemeral += quantity(requests, "ephemeral-storage");
        for (name, amount) in scalars(requests) {
            *d.scalar.entry(name).or_default() += amount;
        }
    }
    d.host_ports = host_ports::of_pod(pod);
    for c in spec.init_containers.iter().flatten() {
        let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let (cpu, memory) = (quantity(requests, "cpu"), quantity(requests, "memory"));
        d.cpu = d.cpu.max(cpu);
        d.memory = d.memory.max(memory);
        d.scored_cpu = d.scored_cpu.max(cpu);
        d.scored_memory = d.scored_memory.max(memory);
        for (name, amount) in scalars(requests) {
            let total = d.scalar.entry(name).or_default();
            *total = (*total).max(amount);
        }
    }
    // A RuntimeClass's overhead, copied in at admission, is asked on top.
    let overhead = spec.overhead.as_ref();
    let (cpu, memory) = (quantity(overhead, "cpu"), quantity(overhead, "memory"));
    d.cpu += cpu;
    d.memory += memory;
    d.scored_cpu += cpu;
    d.scored_memory += memory;
    d.ephemeral += quantity(overhead, "ephemeral-storage");
    for (name, amount) in scalars(overhead) {
        *d.scalar.entry(name).or_default() += amount;
    }
    d
}

/// What the pods already bound to a node take from it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub(crate) cpu: i128,
    pub(crate) memory: i128,
    ephemeral: i128,
    scored_cpu: i128,
    scored_memory: i128,
    pods: usize,
    ports: BTreeSet<HostPort>,
    scalar: BTreeMap<String, i128>,
}

impl Usage {
    fn add(&mut self, d: &Demand) {
        self.cpu += d.cpu;
        self.memory += d.memory;
        self.ephemeral += d.ephemeral;
        self.scored_cpu += d.scored_cpu;
        self.scored_memory += d.scored_memory;
        self.pods += 1;
        self.ports.extend(d.host_ports.iter().cloned());
        for (name, amount) in &d.scalar {
            *self.scalar.entry(name.clone()).or_default() += amount;
        }
    }
}

/// What the pods bound to each node take, worked out for a node the first
/// time a pass looks at it.
#[derive(Default)]
struct UsageCache(BTreeMap<String, Usage>);

impl UsageCache {
    fn of(&mut self, store: &Store, node: &str) -> &mut Usage {
        self.0
            .entry(node.to_string())
            .or_insert_with(|| usage_on(store, node))
    }
}

/// What the pods bound to `node` that have not finished take from it.
pub(crate) fn usage_on(store: &Store, node: &str) -> Usage {
    let mut usage = Usage::default();
    for pod in store.pods_on_node(node) {
        if !matches!(pod_phase(pod), "Succeeded" | "Failed") {
            usage.add(&demand(pod));
        }
    }
    usage
}

/// A node's allocatable `name`, in thousandths (millicores, millibytes).
pub(crate) fn allocatable(node: &Node, name: &str) -> i128 {
    quantity(
        node.status.as_ref().and_then(|s| s.allocatable.as_ref()),
        name,
    )
}

/// `NodeResourcesFit` and `NodePorts`: the reasons `node` cannot hold `d` on top of `used`.
fn fit_reasons(d: &Demand, node: &Node, used: &Usage) -> Vec<String> {
    let mut reasons = Vec::new();
    if !host_ports::fit(&used.ports, &d.host_ports) {
        reasons.push("node(s) didn't have free ports for the requested pod ports".to_string());
        return reasons;
    }
    let max_pods = allocatable(node, "pods") / 1000;
    if used.pods as i128 + 1 > max_pods {
        reasons.push("Too many pods".to_string());
    }
    if d.cpu > 0 && used.cpu + d.cpu > allocatable(node, "cpu") {
        reasons.push("Insufficient cpu".to_string());
    }
    if d.memory > 0 && used.memory + d.memory > allocatable(node, "memory") {
        reasons.push("Insufficient memory".to_string());
    }
    if d.ephemeral > 0 && used.ephemeral + d.ephemeral > allocatable(node, "ephemeral-storage") {
        reasons.push("Insufficient ephemeral-storage".to_string());
    }
    // A node that does not advertise a resource has none of it.
    for (name, want) in d.scalar.iter().filter(|(_, want)| **want > 0) {
        let taken = used.scalar.get(name).copied().unwrap_or(0);
        if taken + want > allocatable(node, name) {
            reasons.push(format!("Insufficient {name}"));
        }
    }
    reasons
}

/// The filters before resources, in the default plugin order; a failure here
/// is not something preemption can fix.
fn static_reason(pod: &Pod, node: &Node) -> Option<String> {
    let spec = pod.spec.as_ref();
    let node_spec = node.spec.as_ref();
    let tolerations = spec
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default();
    if node_spec.and_then(|s| s.unschedulable) == Some(true) {
        let unschedulable = Taint {
            key: UNSCHEDULABLE_TAINT.to_string(),
            effect: NO_SCHEDULE.to_string(),
            ..Default::default()
        };
        if first_untolerated(
            std::slice::from_ref(&unschedulable),
            tolerations,
            &[NO_SCHEDULE],
        )
        .is_some()
        {
            return Some("node(s) were unschedulable".to_string());
        }
    }
    if let Some(wanted) = spec
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
    {
        if Some(wanted) != node.metadata.name.as_deref() {
            return Some("node(s) didn't match the requested node name".to_string());
        }
    }
    let taints = node_spec
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default();
    if let Some(taint) = first_untolerated(taints, tolerations, &[NO_SCHEDULE, NO_EXECUTE]) {
        return Some(format!(
            "node(s) had untolerated taint {{{}: {}}}",
            taint.key,
            taint.value.as_deref().unwrap_or("")
        ));
    }
    if spec.is_some_and(|spec| required_affinity_matches(spec, node).is_err()) {
        return Some("node(s) didn't match Pod's node affinity/selector".to_string());
    }
    None
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

/// `<count> <reason>` entries, sorted as strings, joined with `, `.
fn histogram(reasons: &BTreeMap<String, usize>) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    parts.join(", ")
}

fn priority(pod: &Pod) -> i32 {
    pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)
}

/// The lowest-priority pods on `node` whose removal lets `pod` fit, if any.
fn victims(pod: &Pod, node: &Node, store: &Store, d: &Demand) -> Option<Vec<Key>> {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let mut candidates: Vec<&Pod> = store
        .pods_on_node(name)
        .filter(|p| !matches!(pod_phase(p), "Succeeded" | "Failed"))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| priority(p) < priority(pod))
        .collect();
    // Evict the least important first; among equals, the youngest.
    candidates.sort_by(|a, b| {
        priority(a).cmp(&priority(b)).then_with(|| {
            let t = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
            t(b).cmp(&t(a))
        })
    });
    let mut used = usage_on(store, name);
    let mut chosen = Vec::new();
    for victim in candidates {
        if fit_reasons(d, node, &used).is_empty() {
            break;
        }
        let vd = demand(victim);
        used.cpu -= vd.cpu;
        used.memory -= vd.memory;
        used.ephemeral -= vd.ephemeral;
        used.pods = used.pods.saturating_sub(1);
        for port in &vd.host_ports {
            used.ports.remove(port);
        }
        for (name, amount) in &vd.scalar {
            *used.scalar.entry(name.clone()).or_default() -= amount;
        }
        chosen.push(key_of(&victim.metadata));
    }
    (fit_reasons(d, node, &used).is_empty() && !chosen.is_empty()).then_some(chosen)
}

fn set_condition(pod: &mut Pod, condition: PodCondition) {
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".to_string());
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != condition.type_);
    conditions.push(condition);
}

/// Least-allocated scoring: the node left with the most free cpu and memory,
/// counting requests as scoring does.
fn score(d: &Demand, node: &Node, used: &Usage) -> i128 {
    let free = |alloc: i128, used: i128, want: i128| {
        if alloc <= 0 {
            0
        } else {
            (alloc - used - want) * 1000 / alloc
        }
    };
    free(allocatable(node, "cpu"), used.scored_cpu, d.scored_cpu)
        + free(
            allocatable(node, "memory"),
            used.scored_memory,
            d.scored_memory,
        )
}

/// One scheduling pass over every pending pod this scheduler owns.
pub fn schedule(store: &mut Store, ctx: &mut Ctx) -> bool {
    let mut pending: Vec<(i32, Option<Time>, Key)> = store
        .pods_on_node("")
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            let name = p.spec.as_ref().and_then(|s| s.scheduler_name.as_deref());
            name.is_none_or(|n| n == DEFAULT_SCHEDULER)
        })
        .map(|p| {
            (
                priority(p),
                p.metadata.creation_timestamp.clone(),
                key_of(&p.metadata),
            )
        })
        .collect();
    // PrioritySort: higher priority first, then older.
    pending.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.as_ref().map(|t| t.0).cmp(&b.1.as_ref().map(|t| t.0)))
    });
    let mut usage = UsageCache::default();
    let mut changed = false;
    for (_, _, key) in pending {
        if let Some(pod) = store.pod(&key).cloned() {
            changed |= schedule_one(store, ctx, pod, &mut usage);
        }
    }
    changed
}

fn count(reasons: &mut BTreeMap<String, usize>, reason: &str, n: usize) {
    if n > 0 {
        *reasons.entry(reason.to_string()).or_default() += n;
    }
}

fn schedule_one(store: &mut Store, ctx: &mut Ctx, mut pod: Pod, usage: &mut UsageCache) -> bool {
    let d = demand(&pod);
    let total = store.count(Kind::Node);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut preemption: BTreeMap<String, usize> = BTreeMap::new();
    let not_helpful = "Preemption is not helpful for scheduling";
    // A `matchFields metadata.name` pre-filter (the DaemonSet's own) narrows the
    // nodes looked at; every other node fails NodeAffinity.
    let nodes: Vec<&Node> = match prefiltered_names(&pod) {
        Some(names) => {
            let names: BTreeSet<String> = names.into_iter().collect();
            names.iter().filter_map(|n| store.node(n)).collect()
        }
        None => store.nodes().collect(),
    };
    let skipped = total - nodes.len();
    count(
        &mut reasons,
        "node(s) didn't satisfy plugin(s) [NodeAffinity]",
        skipped,
    );
    count(&mut preemption, not_helpful, skipped);
    // (score, name) of nodes that fit; names of nodes short only of resources or ports.
    let mut feasible: Vec<(i128, String)> = Vec::new();
    let mut fixable: Vec<String> = Vec::new();
    for node in nodes {
        let name = node.metadata.name.as_deref().unwrap_or("");
        if let Some(reason) = static_reason(&pod, node) {
            count(&mut reasons, &reason, 1);
            count(&mut preemption, not_helpful, 1);
            continue;
        }
        let used = usage.of(store, name);
        let fit = fit_reasons(&d, node, used);
        if fit.is_empty() {
            feasible.push((score(&d, node, used), name.to_string()));
        } else {
            for reason in fit {
                count(&mut reasons, &reason, 1);
            }
            fixable.push(name.to_string());
        }
    }
    let key = key_of(&pod.metadata);
    // The best score; among equals, the first node by name.
    if let Some((_, name)) = feasible
        .into_iter()
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)))
    {
        usage.of(store, &name).add(&d);
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
    // PostFilter: preemption, on nodes where only resources or ports were short.
    let policy_never = pod
        .spec
        .as_ref()
        .and_then(|s| s.preemption_policy.as_deref())
        == Some("Never");
    let mut nominated = None;
    if !policy_never {
        for name in &fixable {
            let found = store
                .node(name)
                .and_then(|node| victims(&pod, node, store, &d));
            match found {
                Some(found) => {
                    nominated = Some((name.clone(), found));
                    break;
                }
                None => {
                    *preemption
                        .entry("No preemption victims found for incoming pod".into())
                        .or_default() += 1;
                }
            }
        }
    }
    let mut message = format!("0/{total} nodes are available: {}.", histogram(&reasons));
    if policy_never {
        message.push_str(" preemption: not eligible due to preemptionPolicy=Never.");
    } else if nominated.is_none() {
        message.push_str(&format!(
            " preemption: 0/{total} nodes are available: {}.",
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
                    format!("Preempted by a pod on node {node}"),
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
