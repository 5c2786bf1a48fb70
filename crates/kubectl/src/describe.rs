//! `kubectl describe` (DaemonSets, nodes, pods) and the `Pod Template:` block it
//! shares with `rollout history --revision`. kubectl writes every line through
//! one tabwriter (padding 2) and flushes it before the events table; the lines
//! here carry the same tabs, so columns line up exactly where kubectl's do.

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::controllers::pod_node_name;
use daemonlab_core::scheduling::taints::taint_to_string;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::node_roles;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, Event, Node, Pod, PodSpec, PodTemplateSpec, Probe, Toleration,
    Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;

use crate::args::Args;
use crate::get::not_found;
use crate::printers::age;
use crate::resources::resolve;
use crate::selector::{format_label_selector, Selector};
use crate::table::tabwriter;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &["-n", "--namespace", "-l", "--selector"];
pub const BOOL_FLAGS: &[&str] = &["-A", "--all-namespaces", "--show-events"];

/// Go's `time.RFC1123Z`, in UTC as the simulated machines run.
fn rfc1123z(time: &Timestamp) -> String {
    time.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn time_or_unset(time: Option<&Time>) -> String {
    time.map_or_else(|| "<unset>".to_string(), |t| rfc1123z(&t.0))
}

/// Runs `kubectl describe`.
pub fn run(cluster: &Cluster, args: &Args) -> Output {
    let Some(first) = args.positional.first() else {
        return Output::error("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples");
    };
    let (type_arg, names) = crate::resources::type_and_names(first, &args.positional[1..]);
    let Some(kind) = resolve(cluster.store(), type_arg) else {
        return Output::error(format!(
            "error: the server doesn't have a resource type \"{type_arg}\""
        ));
    };
    let selector = match Selector::parse(args.value(&["-l", "--selector"]).unwrap_or("")) {
        Ok(selector) => selector,
        Err(error) => return Output::error(format!("error: {error}")),
    };
    let all_namespaces = args.flag(&["-A", "--all-namespaces"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let ns = if kind.namespaced() { namespace } else { "" };
    let store = cluster.store();
    let mut objects: Vec<&Object> = Vec::new();
    let mut stderr = String::new();
    if names.is_empty() {
        objects.extend(store.list(kind).filter(|o| {
            (!kind.namespaced() || all_namespaces || o.namespace() == namespace)
                && selector.matches(&o.metadata().labels.clone().unwrap_or_default())
        }));
        if objects.is_empty() {
            return Output {
                stderr: if kind.namespaced() && !all_namespaces {
                    format!("No resources found in {namespace} namespace.\n")
                } else {
                    "No resources found\n".to_string()
                },
                ..Default::default()
            };
        }
    } else {
        for name in &names {
            // kubectl describe falls back to objects whose name starts with the one given.
            match store.get(kind, ns, name) {
                Some(object) => objects.push(object),
                None => {
                    let prefixed: Vec<&Object> = store
                        .list(kind)
                        .filter(|o| o.namespace() == ns && o.name().starts_with(name.as_str()))
                        .collect();
                    if prefixed.is_empty() {
                        stderr.push_str(&not_found(kind, name));
                        stderr.push('\n');
                    }
                    objects.extend(prefixed);
                }
            }
        }
    }
    let show_events = args.value(&["--show-events"]) != Some("false");
    let described: Vec<String> = objects
        .iter()
        .map(|object| describe(cluster, object, show_events))
        .collect();
    Output {
        exit_code: i32::from(!stderr.is_empty()),
        stdout: described.join("\n\n"),
        stderr,
        ..Default::default()
    }
}

fn describe(cluster: &Cluster, object: &Object, show_events: bool) -> String {
    let mut lines = Vec::new();
    if let Some(ds) = DaemonSet::of(object) {
        daemonset(cluster, ds, &mut lines);
    } else if let Some(node) = Node::of(object) {
        node_lines(cluster, node, &mut lines);
    } else if let Some(pod) = Pod::of(object) {
        pod_lines(cluster, pod, &mut lines);
    } else {
        generic(object, &mut lines);
    }
    let table = if show_events {
        events(cluster, object)
    } else {
        None
    };
    if show_events && table.is_none() {
        // Written before the flush, so it lines up with the lines above.
        lines.push("Events:\t<none>".to_string());
    }
    let mut text = tabwriter(&(lines.join("\n") + "\n"), 0, 2);
    text.extend(table);
    text
}

/// Kinds without a describer of their own: name, namespace, labels, annotations.
fn generic(object: &Object, lines: &mut Vec<String>) {
    name_and_namespace(object.metadata(), lines);
    labels_and_annotations(object.metadata(), lines);
}

/// `Name:`, and `Namespace:` for a namespaced object.
fn name_and_namespace(meta: &ObjectMeta, lines: &mut Vec<String>) {
    lines.push(format!("Name:\t{}", meta.name.clone().unwrap_or_default()));
    if let Some(namespace) = &meta.namespace {
        lines.push(format!("Namespace:\t{namespace}"));
    }
}

fn labels_and_annotations(meta: &ObjectMeta, lines: &mut Vec<String>) {
    let labels: Vec<String> = meta
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    multi(lines, "Labels:", or_none(labels));
    multi(
        lines,
        "Annotations:",
        or_none(annotations(meta.annotations.as_ref())),
    );
}

/// Annotations as kubectl lists them: without the last-applied configuration,
/// long values cut at 140 characters.
fn annotations(annotations: Option<&BTreeMap<String, String>>) -> Vec<String> {
    annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .map(|(k, v)| {
            if v.chars().count() > 140 {
                format!("{k}: {}...", v.chars().take(140).collect::<String>())
            } else {
                format!("{k}: {v}")
            }
        })
        .collect()
}

fn daemonset(cluster: &Cluster, ds: &DaemonSet, lines: &mut Vec<String>) {
    let meta = &ds.metadata;
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        format_label_selector(&spec.selector)
    ));
    let node_selector: Vec<String> = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.push(format!(
        "Node-Selector:\t{}",
        or_none(node_selector).join(",")
    ));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Desired Number of Nodes Scheduled: {}",
        status.desired_number_scheduled
    ));
    lines.push(format!(
        "Current Number of Nodes Scheduled: {}",
        status.current_number_scheduled
    ));
    lines.push(format!(
        "Number of Nodes Scheduled with Up-to-date Pods: {}",
        status.updated_number_scheduled.unwrap_or(0)
    ));
    lines.push(format!(
        "Number of Nodes Scheduled with Available Pods: {}",
        status.number_available.unwrap_or(0)
    ));
    lines.push(format!(
        "Number of Nodes Misscheduled: {}",
        status.number_misscheduled
    ));
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    let uid = meta.uid.clone().unwrap_or_default();
    for pod in cluster.store().pods_controlled_by(&uid) {
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => waiting += 1,
        }
    }
    lines.push(format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"
    ));
    lines.extend(pod_template_lines(&spec.template));
}

fn node_lines(cluster: &Cluster, node: &Node, lines: &mut Vec<String>) {
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
    let renewed = conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .and_then(|c| c.last_heartbeat_time.as_ref());
    lines.push("Lease:".to_string());
    lines.push(format!("  HolderIdentity:\t{name}"));
    lines.push("  AcquireTime:\t<unset>".to_string());
    lines.push(format!("  RenewTime:\t{}", time_or_unset(renewed)));
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
/// them: containers added, each init container a floor.
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
}

fn pod_lines(cluster: &Cluster, pod: &Pod, lines: &mut Vec<String>) {
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    if let Some(priority) = spec.priority {
        lines.push(format!("Priority:\t{priority}"));
    }
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
    {
        lines.push(format!("Priority Class Name:\t{class}"));
    }
    if let Some(runtime) = spec.runtime_class_name.as_deref().filter(|c| !c.is_empty()) {
        lines.push(format!("Runtime Class Name:\t{runtime}"));
    }
    lines.push(format!(
        "Service Account:\t{}",
        spec.service_account_name.clone().unwrap_or_default()
    ));
    match pod_node_name(pod) {
        Some(node) => lines.push(format!(
            "Node:\t{node}/{}",
            status.host_ip.clone().unwrap_or_default()
        )),
        None => lines.push("Node:\t<none>".to_string()),
    }
    if let Some(start) = &status.start_time {
        lines.push(format!("Start Time:\t{}", rfc1123z(&start.0)));
    }
    labels_and_annotations(meta, lines);
    match &meta.deletion_timestamp {
        Some(deleted) => {
            let grace = meta.deletion_grace_period_seconds.unwrap_or(0);
            let since = age(Some(deleted), cluster.now());
            lines.push(format!("Status:\tTerminating (lasts {since})"));
            lines.push(format!("Termination Grace Period:\t{grace}s"));
        }
        None => lines.push(format!(
            "Status:\t{}",
            status
                .phase
                .clone()
                .unwrap_or_else(|| "Pending".to_string())
        )),
    }
    if let Some(reason) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        lines.push(format!("Reason:\t{reason}"));
    }
    if let Some(message) = status.message.as_deref().filter(|r| !r.is_empty()) {
        lines.push(format!("Message:\t{message}"));
    }
    lines.push(format!(
        "IP:\t{}",
        status.pod_ip.clone().unwrap_or_default()
    ));
    let ips: Vec<String> = status
        .pod_ips
        .iter()
        .flatten()
        .map(|ip| ip.ip.clone())
        .collect();
    if ips.is_empty() {
        lines.push("IPs:\t<none>".to_string());
    } else {
        lines.push("IPs:".to_string());
        for ip in ips {
            lines.push(format!("  IP:\t{ip}"));
        }
    }
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
    {
        lines.push(format!("Controlled By:\t{}/{}", owner.kind, owner.name));
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_deref()
        .filter(|n| !n.is_empty())
    {
        lines.push(format!("NominatedNodeName:\t{nominated}"));
    }
    let statuses: BTreeMap<String, _> = status
        .container_statuses
        .iter()
        .flatten()
        .map(|s| (s.name.clone(), s.clone()))
        .collect();
    lines.push("Containers:".to_string());
    for container in &spec.containers {
        let status = statuses.get(&container.name);
        lines.push(format!("  {}:", container.name));
        if let Some(s) = status {
            lines.push(format!(
                "    Container ID:\t{}",
                s.container_id.clone().unwrap_or_default()
            ));
        }
        lines.push(format!(
            "    Image:\t{}",
            container.image.clone().unwrap_or_default()
        ));
        if let Some(s) = status {
            lines.push(format!("    Image ID:\t{}", s.image_id));
        }
        ports(container, lines);
        command(container, lines);
        if let Some(s) = status {
            if let Some(state) = &s.state {
                container_state(lines, "State", state);
            }
            if let Some(last) = s
                .last_state
                .as_ref()
                .filter(|l| l.running.is_some() || l.waiting.is_some() || l.terminated.is_some())
            {
                container_state(lines, "Last State", last);
            }
            lines.push(format!(
                "    Ready:\t{}",
                if s.ready { "True" } else { "False" }
            ));
            lines.push(format!("    Restart Count:\t{}", s.restart_count));
        }
        container_rest(container, lines);
    }
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        lines.push("Conditions:".to_string());
        lines.push("  Type\tStatus".to_string());
        for c in conditions {
            lines.push(format!("  {} \t{} ", c.type_, c.status));
        }
    }
    volumes(spec.volumes.as_deref().unwrap_or_default(), "", lines);
    lines.push(format!(
        "QoS Class:\t{}",
        status.qos_class.clone().unwrap_or_else(|| qos_class(&spec))
    ));
    node_selectors_and_tolerations(&spec, "", lines);
}

/// `v1qos.GetPodQOS`: BestEffort without any request or limit, Guaranteed when
/// every container's cpu and memory limits equal its requests.
fn qos_class(spec: &PodSpec) -> String {
    let containers: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &containers {
        let resources = c.resources.clone().unwrap_or_default();
        let requests = resources.requests.unwrap_or_default();
        let limits = resources.limits.unwrap_or_default();
        any |= requests
            .keys()
            .chain(limits.keys())
            .any(|k| k == "cpu" || k == "memory");
        for resource in ["cpu", "memory"] {
            let limit = limits
                .get(resource)
                .and_then(|q| Quantity::parse(&q.0).ok());
            let request = requests
                .get(resource)
                .and_then(|q| Quantity::parse(&q.0).ok())
                .or(limit);
            if limit.is_none() || limit != request {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
    .to_string()
}

fn container_state(lines: &mut Vec<String>, label: &str, state: &ContainerState) {
    if let Some(running) = &state.running {
        lines.push(format!("    {label}:\tRunning"));
        lines.push(format!(
            "      Started:\t{}",
            time_or_unset(running.started_at.as_ref())
        ));
    } else if let Some(waiting) = &state.waiting {
        lines.push(format!("    {label}:\tWaiting"));
        if let Some(reason) = &waiting.reason {
            lines.push(format!("      Reason:\t{reason}"));
        }
    } else if let Some(t) = &state.terminated {
        lines.push(format!("    {label}:\tTerminated"));
        if let Some(reason) = &t.reason {
            lines.push(format!("      Reason:\t{reason}"));
        }
        if let Some(message) = t.message.as_deref().filter(|m| !m.is_empty()) {
            lines.push(format!("      Message:\t{message}"));
        }
        lines.push(format!("      Exit Code:\t{}", t.exit_code));
        if let Some(signal) = t.signal.filter(|s| *s > 0) {
            lines.push(format!("      Signal:\t{signal}"));
        }
        lines.push(format!(
            "      Started:\t{}",
            time_or_unset(t.started_at.as_ref())
        ));
        lines.push(format!(
            "      Finished:\t{}",
            time_or_unset(t.finished_at.as_ref())
        ));
    } else {
        lines.push(format!("    {label}:\tWaiting"));
    }
}

fn ports(container: &Container, lines: &mut Vec<String>) {
    let ports = container.ports.clone().unwrap_or_default();
    let protocol = |p: &k8s_openapi::api::core::v1::ContainerPort| {
        p.protocol.clone().unwrap_or_else(|| "TCP".into())
    };
    let plural = if ports.len() > 1 { "s" } else { "" };
    let list = |f: &dyn Fn(&k8s_openapi::api::core::v1::ContainerPort) -> i32| {
        or_none(
            ports
                .iter()
                .map(|p| format!("{}/{}", f(p), protocol(p)))
                .collect(),
        )
        .join(", ")
    };
    lines.push(format!(
        "    Port{plural}:\t{}",
        list(&|p| p.container_port)
    ));
    lines.push(format!(
        "    Host Port{plural}:\t{}",
        list(&|p| p.host_port.unwrap_or(0))
    ));
}

fn command(container: &Container, lines: &mut Vec<String>) {
    for (label, words) in [("Command", &container.command), ("Args", &container.args)] {
        if let Some(words) = words.as_ref().filter(|w| !w.is_empty()) {
            lines.push(format!("    {label}:"));
            for word in words {
                for part in word.split('\n') {
                    lines.push(format!("      {part}"));
                }
            }
        }
    }
}

/// Go's `time.Duration` text for whole seconds: `0s`, `10s`, `1m30s`.
fn go_seconds(seconds: i32) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    match (seconds / 3600, m % 60) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

fn probe(label: &str, probe: &Probe) -> String {
    let action = if let Some(exec) = &probe.exec {
        format!(
            "exec [{}]",
            exec.command.clone().unwrap_or_default().join(" ")
        )
    } else if let Some(http) = &probe.http_get {
        let port = match &http.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!(
            "http-get {}://{}:{port}{}",
            http.scheme
                .clone()
                .unwrap_or_else(|| "HTTP".into())
                .to_lowercase(),
            http.host.clone().unwrap_or_default(),
            http.path.clone().unwrap_or_default()
        )
    } else if let Some(tcp) = &probe.tcp_socket {
        let port = match &tcp.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!("tcp-socket {}:{port}", tcp.host.clone().unwrap_or_default())
    } else if let Some(grpc) = &probe.grpc {
        format!(
            "grpc <pod>:{} {}",
            grpc.port,
            grpc.service.clone().unwrap_or_default()
        )
    } else {
        "unknown".to_string()
    };
    format!(
        "    {label}:\t{action} delay={} timeout={} period={} #success={} #failure={}",
        go_seconds(probe.initial_delay_seconds.unwrap_or(0)),
        go_seconds(probe.timeout_seconds.unwrap_or(1)),
        go_seconds(probe.period_seconds.unwrap_or(10)),
        probe.success_threshold.unwrap_or(1),
        probe.failure_threshold.unwrap_or(3)
    )
}

/// Limits, requests, probes, environment and mounts of one container.
fn container_rest(c: &Container, lines: &mut Vec<String>) {
    for (title, list) in [
        (
            "Limits",
            c.resources.as_ref().and_then(|r| r.limits.clone()),
        ),
        (
            "Requests",
            c.resources.as_ref().and_then(|r| r.requests.clone()),
        ),
    ] {
        if let Some(list) = list.filter(|l| !l.is_empty()) {
            lines.push(format!("    {title}:"));
            for (k, v) in &list {
                lines.push(format!("      {k}:\t{}", v.0));
            }
        }
    }
    for (label, p) in [
        ("Liveness", &c.liveness_probe),
        ("Readiness", &c.readiness_probe),
        ("Startup", &c.startup_probe),
    ] {
        if let Some(p) = p {
            lines.push(probe(label, p));
        }
    }
    let env = c.env.clone().unwrap_or_default();
    if env.is_empty() {
        lines.push("    Environment:\t<none>".to_string());
    } else {
        lines.push("    Environment:".to_string());
        for e in env {
            let value = match (&e.value, &e.value_from) {
                (Some(v), _) => v.clone(),
                (None, Some(from)) => {
                    if let Some(field) = &from.field_ref {
                        format!(
                            " ({}:{})",
                            field.api_version.clone().unwrap_or_else(|| "v1".into()),
                            field.field_path
                        )
                    } else {
                        String::new()
                    }
                }
                _ => String::new(),
            };
            lines.push(format!("      {}:\t{value}", e.name));
        }
    }
    let mounts = c.volume_mounts.clone().unwrap_or_default();
    if mounts.is_empty() {
        lines.push("    Mounts:\t<none>".to_string());
    } else {
        lines.push("    Mounts:".to_string());
        for m in mounts {
            let mode = if m.read_only == Some(true) {
                "ro"
            } else {
                "rw"
            };
            lines.push(format!("      {} from {} ({mode})", m.mount_path, m.name));
        }
    }
}

fn volumes(volumes: &[Volume], space: &str, lines: &mut Vec<String>) {
    if volumes.is_empty() {
        lines.push(format!("{space}Volumes:\t<none>"));
        return;
    }
    lines.push(format!("{space}Volumes:"));
    let indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        lines.push(format!("  {indent}{}:", v.name));
        if let Some(host) = &v.host_path {
            lines.push("    Type:\tHostPath (bare host directory volume)".to_string());
            lines.push(format!("    Path:\t{}", host.path));
            lines.push(format!(
                "    HostPathType:\t{}",
                host.type_.clone().unwrap_or_default()
            ));
        } else if let Some(empty) = &v.empty_dir {
            lines.push(
                "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)"
                    .to_string(),
            );
            lines.push(format!(
                "    Medium:\t{}",
                empty.medium.clone().unwrap_or_default()
            ));
            lines.push(format!(
                "    SizeLimit:\t{}",
                empty
                    .size_limit
                    .as_ref()
                    .map_or("<unset>".to_string(), |q| q.0.clone())
            ));
        } else if let Some(map) = &v.config_map {
            lines.push("    Type:\tConfigMap (a volume populated by a ConfigMap)".to_string());
            lines.push(format!("    Name:\t{}", map.name));
            lines.push(format!("    Optional:\t{}", map.optional.unwrap_or(false)));
        } else if let Some(secret) = &v.secret {
            lines.push("    Type:\tSecret (a volume populated by a Secret)".to_string());
            lines.push(format!(
                "    SecretName:\t{}",
                secret.secret_name.clone().unwrap_or_default()
            ));
            lines.push(format!(
                "    Optional:\t{}",
                secret.optional.unwrap_or(false)
            ));
        } else if let Some(projected) = &v.projected {
            lines.push(
                "    Type:\tProjected (a volume that contains injected data from multiple sources)"
                    .to_string(),
            );
            let optional = |o: Option<bool>| o.map_or("<nil>".to_string(), |o| o.to_string());
            for source in projected.sources.iter().flatten() {
                if let Some(token) = &source.service_account_token {
                    lines.push(format!(
                        "    TokenExpirationSeconds:\t{}",
                        token.expiration_seconds.unwrap_or(3600)
                    ));
                }
                if let Some(map) = &source.config_map {
                    lines.push(format!("    ConfigMapName:\t{}", map.name));
                    lines.push(format!(
                        "    ConfigMapOptional:\t{}",
                        optional(map.optional)
                    ));
                }
                if let Some(secret) = &source.secret {
                    lines.push(format!("    SecretName:\t{}", secret.name));
                    lines.push(format!(
                        "    SecretOptional:\t{}",
                        optional(secret.optional)
                    ));
                }
                if source.downward_api.is_some() {
                    lines.push("    DownwardAPI:\ttrue".to_string());
                }
            }
        } else {
            lines.push("  <unknown>".to_string());
        }
    }
}

fn node_selectors_and_tolerations(spec: &PodSpec, space: &str, lines: &mut Vec<String>) {
    let selectors: Vec<String> = spec
        .node_selector
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.push(format!(
        "{space}Node-Selectors:\t{}",
        or_none(selectors).join(",")
    ));
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    tolerations.sort_by(|a, b| a.key.cmp(&b.key));
    multi(
        lines,
        &format!("{space}Tolerations:"),
        or_none(tolerations.iter().map(toleration).collect()),
    );
}

/// The `Events:` table of one object, or `Events:  <none>`.
fn events(cluster: &Cluster, object: &Object) -> Option<String> {
    let meta = object.metadata();
    let uid = meta.uid.clone().unwrap_or_default();
    let mut events: Vec<&Event> = cluster
        .store()
        .list(Kind::Event)
        .filter_map(Event::of)
        .filter(|e| {
            let target = &e.involved_object;
            target.kind.as_deref() == Some(object.kind().name())
                && target.name.as_deref() == Some(object.name())
                && (target.uid.as_deref() == Some(uid.as_str()) || object.kind() == Kind::Node)
        })
        .collect();
    if events.is_empty() {
        return None;
    }
    events.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    let now = cluster.now();
    let mut rows = vec![
        "Events:".to_string(),
        "  Type\tReason\tAge\tFrom\tMessage".to_string(),
        "  ----\t------\t----\t----\t-------".to_string(),
    ];
    for e in events {
        let first = age(e.first_timestamp.as_ref(), now);
        let interval = match e.count {
            Some(count) if count > 1 => format!(
                "{} (x{count} over {first})",
                age(e.last_timestamp.as_ref(), now)
            ),
            _ => first,
        };
        let source = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .or(e.reporting_component.clone())
            .unwrap_or_default();
        rows.push(format!(
            "  {}\t{}\t{interval}\t{source}\t{}",
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.message.clone().unwrap_or_default().trim()
        ));
    }
    Some(tabwriter(&(rows.join("\n") + "\n"), 0, 2))
}

fn or_none(values: Vec<String>) -> Vec<String> {
    if values.is_empty() {
        vec!["<none>".to_string()]
    } else {
        values
    }
}

/// `key[=value][:effect][ op=Exists][ for Ns]`, as kubectl lists tolerations.
pub fn toleration(t: &Toleration) -> String {
    let key = t.key.clone().unwrap_or_default();
    let value = t.value.clone().unwrap_or_default();
    let effect = t.effect.clone().unwrap_or_default();
    let mut s = key.clone();
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        s.push_str(&format!(":{effect}"));
    }
    if t.operator.as_deref() == Some("Exists") && value.is_empty() {
        s.push_str(if key.is_empty() && effect.is_empty() {
            "op=Exists"
        } else {
            " op=Exists"
        });
    }
    if let Some(seconds) = t.toleration_seconds {
        s.push_str(&format!(" for {seconds}s"));
    }
    s
}

/// Adds `label:\tfirst` and, for more values, continuation lines aligned with it.
fn multi(lines: &mut Vec<String>, label: &str, values: Vec<String>) {
    for (i, value) in values.into_iter().enumerate() {
        if i == 0 {
            lines.push(format!("{label}\t{value}"));
        } else {
            lines.push(format!("\t{value}"));
        }
    }
}

/// `Pod Template:` and what follows, as kubectl describes a template
/// (tab-separated; run through `tabwriter`).
fn pod_template_lines(template: &PodTemplateSpec) -> Vec<String> {
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    let mut lines = vec!["Pod Template:".to_string()];
    let labels = meta
        .labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    multi(&mut lines, "  Labels:", or_none(labels));
    let notes = annotations(meta.annotations.as_ref());
    if !notes.is_empty() {
        multi(&mut lines, "  Annotations:", notes);
    }
    if let Some(account) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        lines.push(format!("  Service Account:\t{account}"));
    }
    for (title, containers) in [
        (
            "Init Containers",
            spec.init_containers.clone().unwrap_or_default(),
        ),
        ("Containers", spec.containers.clone()),
    ] {
        if containers.is_empty() && title == "Init Containers" {
            continue;
        }
        lines.push(format!("  {title}:"));
        for c in &containers {
            lines.push(format!("   {}:", c.name));
            lines.push(format!(
                "    Image:\t{}",
                c.image.clone().unwrap_or_default()
            ));
            ports(c, &mut lines);
            command(c, &mut lines);
            container_rest(c, &mut lines);
        }
    }
    volumes(
        spec.volumes.as_deref().unwrap_or_default(),
        "  ",
        &mut lines,
    );
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        lines.push(format!("  Priority Class Name:\t{class}"));
    }
    node_selectors_and_tolerations(&spec, "  ", &mut lines);
    lines
}

/// The `Pod Template:` block on its own (`rollout history --revision`).
pub fn pod_template(template: &PodTemplateSpec) -> String {
    tabwriter(&(pod_template_lines(template).join("\n") + "\n"), 0, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_line_up_within_a_block() {
        let text = "Pod Template:\n    Image:\tbusybox\n  Node-Selectors:\t<none>\n";
        assert_eq!(
            tabwriter(text, 0, 2),
            "Pod Template:\n    Image:         busybox\n  Node-Selectors:  <none>\n"
        );
    }

    #[test]
    fn tolerations_print_like_kubectl() {
        let t = |key: &str, op: &str, effect: &str, seconds: Option<i64>| Toleration {
            key: (!key.is_empty()).then(|| key.to_string()),
            operator: Some(op.to_string()),
            effect: (!effect.is_empty()).then(|| effect.to_string()),
            toleration_seconds: seconds,
            value: None,
        };
        assert_eq!(toleration(&t("", "Exists", "", None)), "op=Exists");
        assert_eq!(
            toleration(&t(
                "node.kubernetes.io/not-ready",
                "Exists",
                "NoExecute",
                Some(300)
            )),
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
        );
    }
}
