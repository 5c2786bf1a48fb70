//! `PodDescriber`: containers and their states, conditions, volumes, QoS,
//! tolerations.

use daemonlab_core::api::registry::qos_class;
use daemonlab_core::controllers::pod_node_name;
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Pod};

use super::*;

pub(super) fn describe(cluster: &Cluster, pod: &Pod, lines: &mut Vec<String>) {
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
    let pod_seccomp = pod
        .spec
        .as_ref()
        .and_then(|s| s.security_context.as_ref())
        .and_then(|s| s.seccomp_profile.as_ref());
    if let Some(profile) = pod_seccomp {
        lines.push(format!("SeccompProfile:\t{}", profile.type_));
        if profile.type_ == "Localhost" {
            lines.push(format!(
                "LocalhostProfile:\t{}",
                profile.localhost_profile.as_deref().unwrap_or("")
            ));
        }
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
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        let statuses = status.init_container_statuses.clone().unwrap_or_default();
        containers(pod, "Init Containers:", init, &statuses, lines);
    }
    let statuses = status.container_statuses.clone().unwrap_or_default();
    containers(pod, "Containers:", &spec.containers, &statuses, lines);
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
        status
            .qos_class
            .clone()
            .unwrap_or_else(|| qos_class(&spec).to_string())
    ));
    node_selectors_and_tolerations(&spec, "", lines);
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

/// `describeContainers`: each container with its status, under `title`.
fn containers(
    pod: &Pod,
    title: &str,
    list: &[Container],
    statuses: &[ContainerStatus],
    lines: &mut Vec<String>,
) {
    let statuses: BTreeMap<&str, &ContainerStatus> =
        statuses.iter().map(|s| (s.name.as_str(), s)).collect();
    lines.push(title.to_string());
    for container in list {
        let status = statuses.get(container.name.as_str());
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
        container_rest(container, Some(pod), lines);
    }
}
