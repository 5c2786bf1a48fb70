//! Resource usage as metrics-server would report it, simulated: each running
//! container uses what it requests (no request, no usage), a node what its
//! running pods use. Only kubelets that answer are scraped: a node whose
//! Ready condition is not True has no metrics, nor have its pods. `kubectl
//! top` reads these, and `daemonlab serve` offers them as the Metrics API
//! (`metrics.k8s.io/v1beta1`), once metrics-server runs (see
//! [`api_available`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Endpoints, Node, Pod};
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;

use crate::api::quantity::Quantity;
use crate::api::store::Store;
use crate::api::{Kind, Served};
use crate::controllers::{pod_node_name, pod_phase};

/// CPU in millicores and memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_millis: i128,
    pub memory_bytes: i128,
}

impl Usage {
    fn add(self, other: Usage) -> Usage {
        Usage {
            cpu_millis: self.cpu_millis + other.cpu_millis,
            memory_bytes: self.memory_bytes + other.memory_bytes,
        }
    }

    /// As metrics-server writes it: `250m`, `67108864` bytes as `65536Ki`.
    pub fn cpu_text(&self) -> String {
        format!("{}m", self.cpu_millis)
    }

    pub fn memory_text(&self) -> String {
        if self.memory_bytes % 1024 == 0 {
            format!("{}Ki", self.memory_bytes / 1024)
        } else {
            self.memory_bytes.to_string()
        }
    }
}

fn requested(container: &Container, resource: &str) -> Option<Quantity> {
    let requests = container.resources.as_ref()?.requests.as_ref()?;
    Quantity::parse(&requests.get(resource)?.0).ok()
}

fn container_usage(container: &Container) -> Usage {
    Usage {
        cpu_millis: requested(container, "cpu").map_or(0, |q| q.milli()),
        memory_bytes: requested(container, "memory").map_or(0, |q| q.value()),
    }
}

fn scraped(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn node_scraped(store: &Store, name: &str) -> bool {
    store
        .get(Kind::Node, "", name)
        .and_then(Node::of)
        .is_some_and(scraped)
}

/// Each container's usage, by name, for a pod metrics-server reports: one
/// running on a node whose kubelet answers.
pub fn pod_usage(store: &Store, pod: &Pod) -> Option<Vec<(String, Usage)>> {
    let node = pod_node_name(pod)?;
    if pod_phase(pod) != "Running" || !node_scraped(store, node) {
        return None;
    }
    Some(
        pod.spec
            .iter()
            .flat_map(|s| &s.containers)
            .map(|c| (c.name.clone(), container_usage(c)))
            .collect(),
    )
}

/// Every node metrics-server reports (its kubelet answers), by name, with
/// what its running pods use.
pub fn node_usages(store: &Store) -> BTreeMap<String, Usage> {
    let mut usages: BTreeMap<String, Usage> = store
        .list(Kind::Node)
        .filter_map(Node::of)
        .filter(|n| scraped(n))
        .filter_map(|n| Some((n.metadata.name.clone()?, Usage::default())))
        .collect();
    for pod in store.list(Kind::Pod).filter_map(Pod::of) {
        let Some(node) = pod_node_name(pod) else {
            continue;
        };
        let Some(total) = usages.get(node).copied() else {
            continue;
        };
        if let Some(containers) = pod_usage(store, pod) {
            let used = containers.into_iter().fold(total, |t, (_, u)| t.add(u));
            usages.insert(node.to_string(), used);
        }
    }
    usages
}

/// The APIService through which metrics-server serves the Metrics API.
pub const API_SERVICE: &str = "v1beta1.metrics.k8s.io";

/// Whether the Metrics API answers: metrics-server's APIService is
/// registered and its Service has a ready endpoint. Until then, as on a
/// cluster without metrics-server, `kubectl top` says it is not available.
pub fn api_available(store: &Store) -> bool {
    let Some(service) = store
        .get(Kind::APIService, "", API_SERVICE)
        .and_then(APIService::of)
        .and_then(|a| a.spec.as_ref()?.service.as_ref())
    else {
        return false;
    };
    let namespace = service.namespace.as_deref().unwrap_or_default();
    let name = service.name.as_deref().unwrap_or_default();
    store
        .get(Kind::Endpoints, namespace, name)
        .and_then(Endpoints::of)
        .is_some_and(|e| {
            e.subsets
                .iter()
                .flatten()
                .any(|s| s.addresses.as_ref().is_some_and(|a| !a.is_empty()))
        })
}
