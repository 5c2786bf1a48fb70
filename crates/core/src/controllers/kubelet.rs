//! The kubelets: a node object joins as a registered, Ready node; pods bound to
//! it start and report their status.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStatus, Node, NodeCondition, NodeStatus,
    NodeSystemInfo, Pod, PodCondition, PodStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{pod_node_name, pod_phase, Ctx};
use crate::api::store::Store;

pub const KUBELET_VERSION: &str = "v1.36.1";

fn default_capacity() -> BTreeMap<String, Quantity> {
    [
        ("cpu", "4"),
        ("memory", "16Gi"),
        ("pods", "110"),
        ("ephemeral-storage", "100Gi"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
    .collect()
}

fn condition(type_: &str, status: &str, reason: &str, message: &str, ctx: &Ctx) -> NodeCondition {
    NodeCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(ctx.now.clone()),
        last_transition_time: Some(ctx.now.clone()),
    }
}

/// What a kubelet writes when it registers its node: the well-known labels,
/// capacity (unless the manifest gave one) and a Ready condition.
fn register(node: &Node, ctx: &Ctx) -> Node {
    let mut node = node.clone();
    let name = node.metadata.name.clone().unwrap_or_default();
    let labels = node.metadata.labels.get_or_insert_with(Default::default);
    for (key, value) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name.as_str()),
        ("kubernetes.io/os", "linux"),
    ] {
        labels
            .entry(key.to_string())
            .or_insert_with(|| value.to_string());
    }
    let status = node.status.get_or_insert_with(NodeStatus::default);
    let capacity = status.capacity.get_or_insert_with(default_capacity).clone();
    status.allocatable.get_or_insert(capacity);
    status.conditions = Some(vec![
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            ctx,
        ),
        condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            ctx,
        ),
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            ctx,
        ),
        condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
            ctx,
        ),
    ]);
    status.node_info.get_or_insert_with(|| NodeSystemInfo {
        architecture: "amd64".to_string(),
        operating_system: "linux".to_string(),
        kubelet_version: KUBELET_VERSION.to_string(),
        kube_proxy_version: String::new(),
        os_image: "Ubuntu 24.04.3 LTS".to_string(),
        kernel_version: "6.8.0-88-generic".to_string(),
        container_runtime_version: "containerd://2.1.4".to_string(),
        ..Default::default()
    });
    node
}

/// A bound pod's containers start and the pod turns Ready.
fn start(pod: &Pod, ctx: &Ctx) -> Pod {
    let mut pod = pod.clone();
    let containers = pod
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase = Some("Running".to_string());
    status.start_time = Some(ctx.now.clone());
    status.container_statuses = Some(
        containers
            .iter()
            .map(|c| ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                ready: true,
                started: Some(true),
                restart_count: 0,
                state: Some(ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(ctx.now.clone()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
    );
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    for type_ in [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
    ] {
        conditions.retain(|c| c.type_ != type_);
        conditions.push(PodCondition {
            type_: type_.to_string(),
            status: "True".to_string(),
            last_transition_time: Some(ctx.now.clone()),
            ..Default::default()
        });
    }
    pod
}

/// Every kubelet's pass: register new nodes, start newly bound pods.
pub fn sync(store: &mut Store, ctx: &mut Ctx) -> bool {
    let unregistered: Vec<Node> = store
        .nodes()
        .filter(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_none()
        })
        .cloned()
        .collect();
    let starting: Vec<Pod> = store
        .pods()
        .filter(|p| {
            pod_node_name(p).is_some_and(|n| store.node(n).is_some())
                && pod_phase(p) == "Pending"
                && p.metadata.deletion_timestamp.is_none()
        })
        .cloned()
        .collect();
    let changed = !unregistered.is_empty() || !starting.is_empty();
    for node in unregistered {
        store.put_node(register(&node, ctx));
    }
    for pod in starting {
        store.put_pod(start(&pod, ctx));
    }
    changed
}
