//! The `NodeResourcesFit` and `NodeResourcesBalancedAllocation` plugins: what a
//! pod asks of a node, what the pods already there take, whether it fits
//! (`Fits`), and the `LeastAllocated` and balanced-allocation scores
//! (`noderesources/{fit,least_allocated,balanced_allocation}.go`).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use super::framework::assigned_pods;
use super::host_ports::{self, HostPort};
use super::MAX_NODE_SCORE;
use crate::api::quantity::Quantity;
use crate::api::store::Store;

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
/// (`IsScalarResourceName`): an extended resource (a domain-prefixed name, as
/// a device plugin advertises), a `kubernetes.io/`-prefixed native one, or
/// hugepages.
fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-") || (name.contains('/') && !name.starts_with("requests."))
}

/// `IsExtendedResourceName`: a domain-prefixed name outside `kubernetes.io/`.
pub fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

/// `DefaultMilliCPURequest` and `DefaultMemoryRequest`, in thousandths.
const NONZERO_CPU: i128 = 100;
const NONZERO_MEMORY: i128 = 200 * 1024 * 1024 * 1000;

fn quantity(list: Option<&BTreeMap<String, ApiQuantity>>, name: &str) -> i128 {
    list.and_then(|l| l.get(name))
        .and_then(|q| Quantity::parse(&q.0).ok())
        .map_or(0, |q| q.milli())
}

type Requests = BTreeMap<String, i128>;

/// A container's requests, in thousandths; with `nonzero`, cpu and memory
/// it does not mention count as 100m and 200Mi (`NonMissingContainerRequests`;
/// an explicit "0" stays 0).
fn container_requests(c: &Container, nonzero: bool) -> Requests {
    let requests = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let mut out: Requests = requests
        .into_iter()
        .flatten()
        .map(|(name, _)| (name.clone(), quantity(requests, name)))
        .collect();
    if nonzero {
        out.entry("cpu".to_string()).or_insert(NONZERO_CPU);
        out.entry("memory".to_string()).or_insert(NONZERO_MEMORY);
    }
    out
}

fn add(to: &mut Requests, from: &Requests) {
    for (name, amount) in from {
        *to.entry(name.clone()).or_default() += amount;
    }
}

fn max(to: &mut Requests, from: &Requests) {
    for (name, amount) in from {
        let total = to.entry(name.clone()).or_default();
        *total = (*total).max(*amount);
    }
}

/// `resourcehelper.PodRequests`: the app containers and the sidecars
/// (restartable init containers) summed; each other init container with the
/// sidecars started before it; the larger of the two; the pod's overhead on
/// top.
fn pod_requests(pod: &Pod, nonzero: bool) -> Requests {
    let mut total = Requests::new();
    let Some(spec) = &pod.spec else { return total };
    for c in &spec.containers {
        add(&mut total, &container_requests(c, nonzero));
    }
    let mut sidecars = Requests::new();
    let mut init = Requests::new();
    for c in spec.init_containers.iter().flatten() {
        let mut wanted = container_requests(c, nonzero);
        if c.restart_policy.as_deref() == Some("Always") {
            add(&mut total, &wanted);
            add(&mut sidecars, &wanted);
            wanted = sidecars.clone();
        } else {
            add(&mut wanted, &sidecars);
        }
        max(&mut init, &wanted);
    }
    max(&mut total, &init);
    let overhead = spec.overhead.as_ref();
    let overhead: Requests = overhead
        .into_iter()
        .flatten()
        .map(|(name, _)| (name.clone(), quantity(overhead, name)))
        .collect();
    add(&mut total, &overhead);
    total
}

/// The pod's requests (see [`pod_requests`]) and host ports.
pub fn demand(pod: &Pod) -> Demand {
    let requests = pod_requests(pod, false);
    let scored = pod_requests(pod, true);
    let get = |r: &Requests, name: &str| r.get(name).copied().unwrap_or(0);
    Demand {
        cpu: get(&requests, "cpu"),
        memory: get(&requests, "memory"),
        ephemeral: get(&requests, "ephemeral-storage"),
        host_ports: host_ports::of_pod(pod),
        scalar: requests
            .iter()
            .filter(|(name, _)| is_scalar(name))
            .map(|(name, amount)| (name.clone(), *amount))
            .collect(),
        scored_cpu: get(&scored, "cpu"),
        scored_memory: get(&scored, "memory"),
    }
}

/// What the pods already bound to a node take from it (the requested part of
/// the scheduler's `NodeInfo`).
#[derive(Clone, Debug, Default)]
pub struct Usage {
    pub cpu: i128,
    pub memory: i128,
    pub ephemeral: i128,
    pub scored_cpu: i128,
    pub scored_memory: i128,
    pub pods: usize,
    pub ports: BTreeSet<HostPort>,
    pub scalar: BTreeMap<String, i128>,
}

impl Usage {
    pub fn add(&mut self, d: &Demand) {
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

    pub fn remove(&mut self, d: &Demand) {
        self.cpu -= d.cpu;
        self.memory -= d.memory;
        self.ephemeral -= d.ephemeral;
        self.scored_cpu -= d.scored_cpu;
        self.scored_memory -= d.scored_memory;
        self.pods = self.pods.saturating_sub(1);
        for port in &d.host_ports {
            self.ports.remove(port);
        }
        for (name, amount) in &d.scalar {
            *self.scalar.entry(name.clone()).or_default() -= amount;
        }
    }
}

/// What the pods bound to `node` that have not finished take from it.
pub fn usage_on(store: &Store, node: &str) -> Usage {
    let mut usage = Usage::default();
    for pod in assigned_pods(store, node) {
        usage.add(&demand(pod));
    }
    usage
}

/// A node's allocatable `name`, in thousandths (millicores, millibytes).
pub fn allocatable(node: &Node, name: &str) -> i128 {
    quantity(
        node.status.as_ref().and_then(|s| s.allocatable.as_ref()),
        name,
    )
}

/// One resource a node is short of: what `Fits` reports and the kubelet's
/// admission words as `OutOf<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shortage {
    pub resource: String,
    /// In the resource's own unit: millicores for cpu, bytes, or a count.
    pub requested: i128,
    pub used: i128,
    pub capacity: i128,
}

impl Shortage {
    /// More is asked than the node has at all: evicting pods cannot help.
    pub fn unresolvable(&self) -> bool {
        self.resource != "pods" && self.requested > self.capacity
    }

    /// `Insufficient cpu`, or `Too many pods`.
    pub fn reason(&self) -> String {
        if self.resource == "pods" {
            "Too many pods".to_string()
        } else {
            format!("Insufficient {}", self.resource)
        }
    }
}

/// `fitsRequest`: every resource `d` asks for that `node` cannot give on top of
/// `used`, in the order the plugin checks them (pods, cpu, memory,
/// ephemeral-storage, then scalar resources by name).
pub fn shortages(d: &Demand, node: &Node, used: &Usage) -> Vec<Shortage> {
    let mut out = Vec::new();
    let mut check = |resource: &str, requested: i128, used: i128, capacity: i128, scale: i128| {
        if requested > 0 && used + requested > capacity {
            out.push(Shortage {
                resource: resource.to_string(),
                requested: requested / scale,
                used: used / scale,
                capacity: capacity / scale,
            });
        }
    };
    let max_pods = allocatable(node, "pods");
    check("pods", 1000, used.pods as i128 * 1000, max_pods, 1000);
    check("cpu", d.cpu, used.cpu, allocatable(node, "cpu"), 1);
    check(
        "memory",
        d.memory,
        used.memory,
        allocatable(node, "memory"),
        1000,
    );
    check(
        "ephemeral-storage",
        d.ephemeral,
        used.ephemeral,
        allocatable(node, "ephemeral-storage"),
        1000,
    );
    // A node that does not advertise a resource has none of it.
    for (name, want) in &d.scalar {
        let taken = used.scalar.get(name).copied().unwrap_or(0);
        check(name, *want, taken, allocatable(node, name), 1000);
    }
    out
}

/// The cpu and memory a node has, and what is requested on it with the pod
/// there: counted as scoring counts (`NonZeroRequested`) or as asked.
fn requested(d: &Demand, node: &Node, used: &Usage, nonzero: bool) -> [(i128, i128); 2] {
    let (cpu, memory) = if nonzero {
        (
            used.scored_cpu + d.scored_cpu,
            used.scored_memory + d.scored_memory,
        )
    } else {
        (used.cpu + d.cpu, used.memory + d.memory)
    };
    [
        (allocatable(node, "cpu"), cpu),
        (allocatable(node, "memory"), memory),
    ]
}

/// `leastResourceScorer` with cpu and memory weighted 1 each: the share left
/// free once the pod is there, 0 to 100, averaged over the resources the node
/// has.
pub fn least_allocated(d: &Demand, node: &Node, used: &Usage) -> i64 {
    let scores: Vec<i128> = requested(d, node, used, true)
        .iter()
        .filter(|(capacity, _)| *capacity > 0)
        .map(|&(capacity, requested)| {
            if requested > capacity {
                0
            } else {
                (capacity - requested) * i128::from(MAX_NODE_SCORE) / capacity
            }
        })
        .collect();
    if scores.is_empty() {
        return 0;
    }
    i64::try_from(scores.iter().sum::<i128>() / scores.len() as i128).unwrap_or(0)
}

/// `balancedResourceScore`: 100 × (1 − the standard deviation of the
/// requested fractions of the resources the node has).
fn balance(resources: &[(i128, i128); 2]) -> i64 {
    let fractions: Vec<f64> = resources
        .iter()
        .filter(|(capacity, _)| *capacity > 0)
        .map(|&(capacity, requested)| (requested as f64 / capacity as f64).min(1.0))
        .collect();
    let std = match fractions.as_slice() {
        [a, b] => ((a - b) / 2.0).abs(),
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// `balancedResourceScorer` (Kubernetes 1.36): how much the pod improves the
/// node's balance of cpu and memory requests: 75 when it changes nothing,
/// from 50 (balanced to unbalanced) to 100 (the reverse). A pod that requests
/// nothing is not scored (PreScore skips it): `None`.
pub fn balanced_allocation(d: &Demand, node: &Node, used: &Usage) -> Option<i64> {
    if d.cpu == 0 && d.memory == 0 {
        return None;
    }
    let with = balance(&requested(d, node, used, false));
    let without = balance(&requested(&Demand::default(), node, used, false));
    let half = MAX_NODE_SCORE / 2;
    Some(half + (half + with - without) / 2)
}
