//! `NodeDescriber`: taints, conditions, addresses, capacity, the pods on the
//! node and what they request.

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::controllers::kubelet::lease::node_lease;
use daemonlab_core::scheduling::taints::taint_to_string;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::node_roles;
use k8s_openapi::api::core::v1::{Node, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};

use super::*;

pub(super) fn describe(cluster: &Cluster, node: &Node, lines: &mut Vec<String>) {
    let name = node.metadata.name.clone().unwrap_or_default();
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    lines.push(format!("Name:\t{name}"));
    lines.push(format!("Roles:\t{}", or_none(node_roles(node)).join(",")));
    labels_and_annotations(&node.metadata, lines);
    lines.push(format!(
        "CreationTimestamp:\t{}",
        time_or_unset(node.metadata.creation_timestamp.as_ref())
    ));
    let mut taints = spec.taints.clone().unwrap_or_default();
    taints.sort_by(|a, b| (&a.effect, &a.key).cmp(&(&b.effect, &b.key)));
    multi(
        lines,
        "Taints:",
        or_none(taints.iter().map(taint_to_string).collect()),
    );
    lines.push(format!(
        "Unschedulable:\t{}",
        spec.unschedulable.unwrap_or(false)
    ));
    let conditions = status.conditions.clone().unwrap_or_default();
    match node_lease(cluster.store(), node).and_then(|l| l.spec.as_ref()) {
        Some(lease) => {
            let micro = |t: Option<&MicroTime>| time_or_unset(t.map(|t| Time(t.0)).as_ref());
            lines.push("Lease:".to_string());
            lines.push(format!(
                "  HolderIdentity:\t{}",
                lease.holder_identity.as_deref().unwrap_or("<unset>")
            ));
            lines.push(format!(
                "  AcquireTime:\t{}",
                micro(lease.acquire_time.as_ref())
            ));
            lines.push(format!(
                "  RenewTime:\t{}",
                micro(lease.renew_time.as_ref())
            ));
        }
        None => lines.push(format!(
            "Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found"
        )),
    }
    if !conditions.is_empty() {
        lines.push("Conditions:".to_string());
        lines.push(
            "  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage".to_string(),
        );
        lines.push(
            "  ----\t------\t-----------------\t------------------\t------\t-------".to_string(),
        );
        for c in &conditions {
            lines.push(format!(
                "  {} \t{} \t{} \t{} \t{} \t{}",
                c.type_,
                c.status,
                time_or_unset(c.last_heartbeat_time.as_ref()),
                time_or_unset(c.last_transition_time.as_ref()),
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default()
            ));
        }
    }
    lines.push("Addresses:".to_string());
    for address in status.addresses.iter().flatten() {
        lines.push(format!("  {}:\t{}", address.type_, address.address));
    }
    for (title, list) in [
        ("Capacity:", &status.capacity),
        ("Allocatable:", &status.allocatable),
    ] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            lines.push(title.to_string());
            for (resource, value) in list {
                lines.push(format!("  {resource}:\t{}", value.0));
            }
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    lines.push("System Info:".to_string());
    for (label, value) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
    ] {
        lines.push(format!("  {label}:\t{value}"));
    }
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|c| !c.is_empty()) {
        lines.push(format!("PodCIDR:\t{cidr}"));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        lines.push(format!("PodCIDRs:\t{}", cidrs.join(",")));
    }
    node_resources(cluster, node, lines);
}

/// Adds each quantity of `list` to the same resource in `total`.
fn add_into(total: &mut BTreeMap<String, Quantity>, list: BTreeMap<String, Quantity>) {
    for (name, q) in list {
        let sum = total.get(&name).map_or(q, |t| t.add(&q));
        total.insert(name, sum);
    }
}

/// A pod's requests and limits as `resourcehelper.PodRequestsAndLimits` sums
/// them: containers added, each init container a floor, the pod's overhead
/// on top.
fn pod_requests_and_limits(
    spec: &PodSpec,
) -> (BTreeMap<String, Quantity>, BTreeMap<String, Quantity>) {
    let mut totals = (BTreeMap::new(), BTreeMap::new());
    let lists = |c: &Container| {
        let resources = c.resources.clone().unwrap_or_default();
        let parse = |list: Option<
            BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
        >| {
            list.unwrap_or_default()
                .into_iter()
                .filter_map(|(k, v)| Quantity::parse(&v.0).ok().map(|q| (k, q)))
                .collect::<BTreeMap<String, Quantity>>()
        };
        (parse(resources.requests), parse(resources.limits))
    };
    for container in &spec.containers {
        let (requests, limits) = lists(container);
        add_into(&mut totals.0, requests);
        add_into(&mut totals.1, limits);
    }
    for container in spec.init_containers.iter().flatten() {
        let (requests, limits) = lists(container);
        for (total, list) in [(&mut totals.0, requests), (&mut totals.1, limits)] {
            for (name, q) in list {
                if total.get(&name).is_none_or(|t: &Quantity| q > *t) {
                    total.insert(name, q);
                }
            }
        }
    }
    // Overhead adds to every request, and to the limits that are set.
    for (name, q) in spec.overhead.clone().unwrap_or_default() {
        let Ok(q) = Quantity::parse(&q.0) else {
            continue;
        };
        if let Some(limit) = totals.1.get(&name) {
            totals.1.insert(name.clone(), limit.add(&q));
        }
        add_into(&mut totals.0, BTreeMap::from([(name, q)]));
    }
    totals
}

fn percent(part: &Quantity, whole: Option<&Quantity>, milli: bool) -> i64 {
    let value = |q: &Quantity| if milli { q.milli() } else { q.value() } as f64;
    match whole.map(value) {
        Some(whole) if whole != 0.0 => (value(part) / whole * 100.0) as i64,
        _ => 0,
    }
}

fn node_resources(cluster: &Cluster, node: &Node, lines: &mut Vec<String>) {
    let name = node.metadata.name.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let allocatable: BTreeMap<String, Quantity> = status
        .allocatable
        .clone()
        .filter(|a| !a.is_empty())
        .or(status.capacity.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| Quantity::parse(&v.0).ok().map(|q| (k, q)))
        .collect();
    let mut pods: Vec<&Pod> = cluster
        .store()
        .pods_on_node(&name)
        .filter(|p| {
            !matches!(
                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                Some("Succeeded" | "Failed")
            )
        })
        .collect();
    pods.sort_by_key(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()));
    lines.push(format!("Non-terminated Pods:\t({} in total)", pods.len()));
    lines.push(
        "  Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge"
            .to_string(),
    );
    lines.push(
        "  ---------\t----\t\t------------\t----------\t---------------\t-------------\t---"
            .to_string(),
    );
    let zero = Quantity::zero();
    let cell = |list: &BTreeMap<String, Quantity>, resource: &str| {
        let q = list.get(resource).unwrap_or(&zero);
        format!(
            "{} ({}%)",
            q.canonical(),
            percent(q, allocatable.get(resource), resource == "cpu")
        )
    };
    let mut totals: (BTreeMap<String, Quantity>, BTreeMap<String, Quantity>) = Default::default();
    let now = cluster.now();
    for pod in &pods {
        let (requests, limits) = pod_requests_and_limits(&pod.spec.clone().unwrap_or_default());
        lines.push(format!(
            "  {}\t{}\t\t{}\t{}\t{}\t{}\t{}",
            pod.metadata.namespace.clone().unwrap_or_default(),
            pod.metadata.name.clone().unwrap_or_default(),
            cell(&requests, "cpu"),
            cell(&limits, "cpu"),
            cell(&requests, "memory"),
            cell(&limits, "memory"),
            age(pod.metadata.creation_timestamp.as_ref(), now)
        ));
        add_into(&mut totals.0, requests);
        add_into(&mut totals.1, limits);
    }
    lines.push("Allocated resources:".to_string());
    lines.push("  (Total limits may be over 100 percent, i.e., overcommitted.)".to_string());
    lines.push("  Resource\tRequests\tLimits".to_string());
    lines.push("  --------\t--------\t------".to_string());
    for resource in ["cpu", "memory", "ephemeral-storage"] {
        lines.push(format!(
            "  {resource}\t{}\t{}",
            cell(&totals.0, resource),
            cell(&totals.1, resource)
        ));
    }
    for resource in allocatable.keys().filter(|r| r.starts_with("hugepages-")) {
        lines.push(format!(
            "  {resource}\t{}\t{}",
            cell(&totals.0, resource),
            cell(&totals.1, resource)
        ));
    }
    // Extended resources (a device plugin's), as plain amounts.
    let standard = |r: &str| {
        matches!(r, "cpu" | "memory" | "ephemeral-storage" | "pods") || r.starts_with("hugepages-")
    };
    for resource in allocatable.keys().filter(|r| !standard(r)) {
        let amount =
            |list: &BTreeMap<String, Quantity>| list.get(resource).unwrap_or(&zero).canonical();
        lines.push(format!(
            "  {resource}\t{}\t{}",
            amount(&totals.0),
            amount(&totals.1)
        ));
    }
}
