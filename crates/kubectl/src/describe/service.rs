//! `ServiceDescriber`, with its endpoints read from the Service's
//! EndpointSlices (`formatEndpointSlices`).

use daemonlab_core::controllers::endpoints::slices_of;
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{labels_and_annotations, name_and_namespace};
use crate::printers::format_labels;

/// Up to three ready `ip:port` of the slices' endpoints for the port named
/// `port_name`, then `+ N more...`; `<none>` without slices.
pub(super) fn endpoints(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let max = 3;
    let (mut list, mut count, mut more) = (Vec::new(), 0, false);
    for slice in slices {
        let ports: Vec<i32> = slice
            .ports
            .iter()
            .flatten()
            .filter(|p| p.name.as_deref().unwrap_or("") == port_name)
            .filter_map(|p| p.port)
            .collect();
        for endpoint in slice.endpoints.iter().flatten() {
            for port in ports
                .iter()
                .map(Some)
                .chain(ports.is_empty().then_some(None))
            {
                if list.len() == max {
                    more = true;
                }
                let ready = endpoint
                    .conditions
                    .as_ref()
                    .and_then(|c| c.ready)
                    .unwrap_or(true);
                if !more && ready {
                    let address = endpoint.addresses.first().cloned().unwrap_or_default();
                    list.push(match port {
                        Some(port) => format!("{address}:{port}"),
                        None => address,
                    });
                }
                count += 1;
            }
        }
    }
    let text = list.join(",");
    if more {
        format!("{text} + {} more...", count - max)
    } else {
        text
    }
}

pub(super) fn describe(cluster: &Cluster, service: &Service, lines: &mut Vec<String>) {
    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        format_labels(&spec.selector.clone().unwrap_or_default())
    ));
    lines.push(format!("Type:\t{}", spec.type_.clone().unwrap_or_default()));
    if let Some(policy) = &spec.ip_family_policy {
        lines.push(format!("IP Family Policy:\t{policy}"));
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    lines.push(format!(
        "IP Families:\t{}",
        if families.is_empty() {
            "<none>".to_string()
        } else {
            families.join(",")
        }
    ));
    lines.push(format!(
        "IP:\t{}",
        spec.cluster_ip.clone().unwrap_or_default()
    ));
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    lines.push(format!(
        "IPs:\t{}",
        if ips.is_empty() {
            "<none>".to_string()
        } else {
            ips.join(",")
        }
    ));
    if let Some(external) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        lines.push(format!("External IPs:\t{}", external.join(",")));
    }
    if let Some(name) = spec.external_name.as_deref().filter(|n| !n.is_empty()) {
        lines.push(format!("External Name:\t{name}"));
    }
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let slices: Vec<&EndpointSlice> = slices_of(cluster.store(), &namespace, &name).collect();
    for port in spec.ports.iter().flatten() {
        let port_name = port.name.clone().filter(|n| !n.is_empty());
        let shown = port_name.clone().unwrap_or_else(|| "<unset>".to_string());
        let protocol = port.protocol.clone().unwrap_or_default();
        lines.push(format!("Port:\t{shown}\t{}/{protocol}", port.port));
        match &port.target_port {
            Some(IntOrString::String(target)) => {
                lines.push(format!("TargetPort:\t{target}/{protocol}"))
            }
            Some(IntOrString::Int(target)) => {
                lines.push(format!("TargetPort:\t{target}/{protocol}"))
            }
            None => lines.push(format!("TargetPort:\t0/{protocol}")),
        }
        if let Some(node_port) = port.node_port.filter(|n| *n != 0) {
            lines.push(format!("NodePort:\t{shown}\t{node_port}/{protocol}"));
        }
        lines.push(format!(
            "Endpoints:\t{}",
            endpoints(&slices, port_name.as_deref().unwrap_or(""))
        ));
    }
    lines.push(format!(
        "Session Affinity:\t{}",
        spec.session_affinity.clone().unwrap_or_default()
    ));
    if let Some(policy) = spec
        .external_traffic_policy
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        lines.push(format!("External Traffic Policy:\t{policy}"));
    }
    if let Some(policy) = &spec.internal_traffic_policy {
        lines.push(format!("Internal Traffic Policy:\t{policy}"));
    }
}
