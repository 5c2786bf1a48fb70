//! Core (`v1`) kinds: nodes, pods, namespaces, events, service accounts,
//! config maps, secrets, services, endpoints, volumes and claims, pod
//! templates, quotas.

use std::collections::BTreeMap;

use daemonlab_core::api::Object;
use daemonlab_core::controllers::pod_node_name;
use daemonlab_core::view::{node_roles, node_status, pod_summary};
use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaimSpec, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use super::{
    age, container_cells, first_three, format_labels, load_balancer_addresses, or_none, Context,
};

/// The cells after NAME (all of them for an Event), for core kinds.
pub(super) fn cells(object: &Object, ctx: &Context) -> Option<Vec<String>> {
    let created = object.metadata().creation_timestamp.as_ref();
    let none = || "<none>".to_string();
    Some(match object {
        Object::Node(node) => {
            let info = node
                .status
                .as_ref()
                .and_then(|s| s.node_info.clone())
                .unwrap_or_default();
            let roles = node_roles(node);
            vec![
                node_status(node),
                or_none(roles.join(",")),
                ctx.age(created),
                info.kubelet_version,
                node_address(node, "InternalIP"),
                node_address(node, "ExternalIP"),
                info.os_image,
                info.kernel_version,
                info.container_runtime_version,
            ]
        }
        Object::Pod(pod) => {
            let (ready, status, restarts) = pod_columns(pod, ctx.now);
            let pod_status = pod.status.clone().unwrap_or_default();
            vec![
                ready,
                status,
                restarts,
                ctx.age(created),
                pod_status
                    .pod_ip
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(none),
                pod_node_name(pod).map_or_else(none, str::to_string),
                pod_status
                    .nominated_node_name
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(none),
                none(),
            ]
        }
        Object::Namespace(ns) => vec![
            ns.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
            ctx.age(created),
        ],
        Object::Event(ev) => {
            let last = ev
                .last_timestamp
                .as_ref()
                .or(ev.first_timestamp.as_ref())
                .or(ev.metadata.creation_timestamp.as_ref());
            vec![
                ctx.age(last),
                ev.type_.clone().unwrap_or_default(),
                ev.reason.clone().unwrap_or_default(),
                format!(
                    "{}/{}",
                    ev.involved_object
                        .kind
                        .clone()
                        .unwrap_or_default()
                        .to_lowercase(),
                    ev.involved_object.name.clone().unwrap_or_default()
                ),
                ev.message.clone().unwrap_or_default(),
            ]
        }
        Object::ServiceAccount(sa) => vec![
            sa.secrets.as_ref().map_or(0, Vec::len).to_string(),
            ctx.age(created),
        ],
        Object::ConfigMap(cm) => vec![
            (cm.data.as_ref().map_or(0, BTreeMap::len)
                + cm.binary_data.as_ref().map_or(0, BTreeMap::len))
            .to_string(),
            ctx.age(created),
        ],
        Object::Secret(secret) => vec![
            secret.type_.clone().unwrap_or_default(),
            secret.data.as_ref().map_or(0, BTreeMap::len).to_string(),
            ctx.age(created),
        ],
        Object::Service(service) => {
            let spec = service.spec.clone().unwrap_or_default();
            let type_ = spec.type_.clone().unwrap_or_default();
            let external_ips = spec.external_ips.clone().unwrap_or_default();
            let external = match type_.as_str() {
                "ClusterIP" | "NodePort" => or_none(external_ips.join(",")),
                "LoadBalancer" => {
                    let mut ips = load_balancer_addresses(
                        service
                            .status
                            .iter()
                            .flat_map(|s| s.load_balancer.iter())
                            .flat_map(|lb| lb.ingress.iter().flatten())
                            .map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
                    );
                    ips.extend(external_ips);
                    match ips.join(",") {
                        joined if joined.is_empty() => "<pending>".to_string(),
                        // The API server prints its tables wide, so addresses are never cut.
                        joined => joined,
                    }
                }
                "ExternalName" => spec.external_name.clone().unwrap_or_default(),
                _ => "<unknown>".to_string(),
            };
            let ports: Vec<String> = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    let protocol = p.protocol.clone().unwrap_or_default();
                    match p.node_port.filter(|n| *n > 0) {
                        Some(node_port) => format!("{}:{node_port}/{protocol}", p.port),
                        None => format!("{}/{protocol}", p.port),
                    }
                })
                .collect();
            vec![
                type_,
                spec.cluster_ips
                    .as_ref()
                    .and_then(|ips| ips.first().cloned())
                    .unwrap_or_else(none),
                external,
                or_none(ports.join(",")),
                ctx.age(created),
                format_labels(&spec.selector.clone().unwrap_or_default()),
            ]
        }
        Object::Endpoints(endpoints) => {
            let subsets = endpoints.subsets.clone().unwrap_or_default();
            let mut list = Vec::new();
            for subset in &subsets {
                let addresses: Vec<String> = subset
                    .addresses
                    .iter()
                    .flatten()
                    .map(|a| a.ip.clone())
                    .collect();
                match subset.ports.as_deref() {
                    Some(ports) if !ports.is_empty() => {
                        for port in ports {
                            list.extend(addresses.iter().map(|ip| format!("{ip}:{}", port.port)));
                        }
                    }
                    _ => list.extend(addresses),
                }
            }
            let cell = if subsets.is_empty() {
                none()
            } else {
                first_three(&list)
            };
            vec![cell, ctx.age(created)]
        }
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.clone().unwrap_or_default();
            let status = pv.status.clone().unwrap_or_default();
            let claim = spec
                .claim_ref
                .as_ref()
                .map(|c| {
                    format!(
                        "{}/{}",
                        c.namespace.clone().unwrap_or_default(),
                        c.name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let phase = if pv.metadata.deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                status.phase.clone().unwrap_or_default()
            };
            vec![
                spec.capacity
                    .as_ref()
                    .and_then(|c| c.get("storage"))
                    .map(|q| q.0.clone())
                    .unwrap_or_default(),
                access_modes(spec.access_modes.as_deref().unwrap_or_default()),
                spec.persistent_volume_reclaim_policy
                    .clone()
                    .unwrap_or_default(),
                phase,
                claim,
                spec.storage_class_name.clone().unwrap_or_default(),
                spec.volume_attributes_class_name
                    .clone()
                    .unwrap_or_else(|| "<unset>".to_string()),
                status.reason.clone().unwrap_or_default(),
                ctx.age(created),
                spec.volume_mode
                    .clone()
                    .unwrap_or_else(|| "<unset>".to_string()),
            ]
        }
        Object::PersistentVolumeClaim(pvc) => {
            let spec: PersistentVolumeClaimSpec = pvc.spec.clone().unwrap_or_default();
            let status = pvc.status.clone().unwrap_or_default();
            let bound = spec.volume_name.as_deref().is_some_and(|v| !v.is_empty());
            let phase = if pvc.metadata.deletion_timestamp.is_some() {
                "Terminating".to_string()
            } else {
                status.phase.clone().unwrap_or_default()
            };
            vec![
                phase,
                spec.volume_name.clone().unwrap_or_default(),
                if bound {
                    status
                        .capacity
                        .as_ref()
                        .and_then(|c| c.get("storage"))
                        .map(|q| q.0.clone())
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                if bound {
                    access_modes(status.access_modes.as_deref().unwrap_or_default())
                } else {
                    String::new()
                },
                spec.storage_class_name.clone().unwrap_or_default(),
                spec.volume_attributes_class_name
                    .clone()
                    .unwrap_or_else(|| "<unset>".to_string()),
                ctx.age(created),
                spec.volume_mode
                    .clone()
                    .unwrap_or_else(|| "<unset>".to_string()),
            ]
        }
        Object::PodTemplate(template) => {
            let template = template.template.clone().unwrap_or_default();
            let containers = template.spec.map(|s| s.containers).unwrap_or_default();
            let [names, images] = container_cells(&containers);
            vec![
                names,
                images,
                format_labels(&template.metadata.and_then(|m| m.labels).unwrap_or_default()),
            ]
        }
        Object::ResourceQuota(quota) => {
            let status = quota.status.clone().unwrap_or_default();
            let used = status.used.unwrap_or_default();
            let (mut request, mut limit) = (Vec::new(), Vec::new());
            for (name, hard) in status.hard.unwrap_or_default() {
                let used = used
                    .get(&name)
                    .map(|q| q.0.clone())
                    .unwrap_or_else(|| "0".to_string());
                let entry = format!("{name}: {used}/{}", hard.0);
                if name.starts_with("limits.") {
                    limit.push(entry);
                } else {
                    request.push(entry);
                }
            }
            vec![request.join(", "), limit.join(", "), ctx.age(created)]
        }
        _ => return None,
    })
}

fn node_address(node: &Node, type_: &str) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == type_))
        .map_or_else(|| "<none>".to_string(), |a| a.address.clone())
}

/// `GetAccessModesAsString`: RWO, ROX, RWX, RWOP.
pub(crate) fn access_modes(modes: &[String]) -> String {
    let short = |mode: &str| match mode {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        _ => "",
    };
    let mut out: Vec<&str> = Vec::new();
    for mode in [
        "ReadWriteOnce",
        "ReadOnlyMany",
        "ReadWriteMany",
        "ReadWriteOncePod",
    ] {
        if modes.iter().any(|m| m == mode) {
            out.push(short(mode));
        }
    }
    out.join(",")
}

/// READY, STATUS and RESTARTS of `kubectl get pods` (`printPod`).
pub fn pod_columns(pod: &Pod, now: Timestamp) -> (String, String, String) {
    let summary = pod_summary(pod);
    let restarts = match (summary.restarts, summary.last_restart) {
        (0, _) | (_, None) => summary.restarts.to_string(),
        (n, Some(at)) => format!("{n} ({} ago)", age(Some(&Time(at)), now)),
    };
    (summary.ready, summary.status, restarts)
}
