//! `EndpointsDescriber`, `EndpointSliceDescriber` and
//! `NetworkPolicyDescriber` (which shows no events).

use k8s_openapi::api::core::v1::Endpoints;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};

use super::{intstr, labels_and_annotations, name_and_namespace};
use crate::selector::format_label_selector;

fn or_none(joined: String) -> String {
    if joined.is_empty() {
        "<none>".to_string()
    } else {
        joined
    }
}

pub(super) fn endpoints(ep: &Endpoints, lines: &mut Vec<String>) {
    name_and_namespace(&ep.metadata, lines);
    labels_and_annotations(&ep.metadata, lines);
    lines.push("Subsets:".to_string());
    for subset in ep.subsets.iter().flatten() {
        let ips = |addresses: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            or_none(
                addresses
                    .iter()
                    .flatten()
                    .map(|a| a.ip.clone())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        };
        lines.push(format!("  Addresses:\t{}", ips(&subset.addresses)));
        lines.push(format!(
            "  NotReadyAddresses:\t{}",
            ips(&subset.not_ready_addresses)
        ));
        let ports = subset.ports.as_deref().unwrap_or_default();
        if !ports.is_empty() {
            lines.push("  Ports:".to_string());
            lines.push("    Name\tPort\tProtocol".to_string());
            lines.push("    ----\t----\t--------".to_string());
            for port in ports {
                lines.push(format!(
                    "    {}\t{}\t{}",
                    port.name
                        .as_deref()
                        .filter(|n| !n.is_empty())
                        .unwrap_or("<unset>"),
                    port.port,
                    port.protocol.as_deref().unwrap_or("")
                ));
            }
        }
        lines.push(String::new());
    }
}

pub(super) fn endpoint_slice(eps: &EndpointSlice, lines: &mut Vec<String>) {
    name_and_namespace(&eps.metadata, lines);
    labels_and_annotations(&eps.metadata, lines);
    lines.push(format!("AddressType:\t{}", eps.address_type));
    let ports = eps.ports.as_deref().unwrap_or_default();
    if ports.is_empty() {
        lines.push("Ports: <unset>".to_string());
    } else {
        lines.push("Ports:".to_string());
        lines.push("  Name\tPort\tProtocol".to_string());
        lines.push("  ----\t----\t--------".to_string());
        for port in ports {
            lines.push(format!(
                "  {}\t{}\t{}",
                port.name
                    .as_deref()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("<unset>"),
                port.port
                    .map_or_else(|| "<unset>".to_string(), |p| p.to_string()),
                port.protocol.as_deref().unwrap_or("")
            ));
        }
    }
    let endpoints = eps.endpoints.as_deref().unwrap_or_default();
    if endpoints.is_empty() {
        lines.push("Endpoints: <none>".to_string());
        return;
    }
    lines.push("Endpoints:".to_string());
    for endpoint in endpoints {
        lines.push(format!(
            "  - Addresses:\t{}",
            or_none(endpoint.addresses.join(", "))
        ));
        lines.push("    Conditions:".to_string());
        lines.push(format!(
            "      Ready:\t{}",
            endpoint
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .map_or_else(|| "<unset>".to_string(), |r| r.to_string())
        ));
        let unset = |value: &Option<String>| value.clone().unwrap_or_else(|| "<unset>".to_string());
        lines.push(format!("    Hostname:\t{}", unset(&endpoint.hostname)));
        if let Some(target) = &endpoint.target_ref {
            lines.push(format!(
                "    TargetRef:\t{}/{}",
                target.kind.as_deref().unwrap_or(""),
                target.name.as_deref().unwrap_or("")
            ));
        }
        lines.push(format!("    NodeName:\t{}", unset(&endpoint.node_name)));
        lines.push(format!("    Zone:\t{}", unset(&endpoint.zone)));
    }
}

pub(super) fn network_policy(np: &NetworkPolicy, lines: &mut Vec<String>) {
    name_and_namespace(&np.metadata, lines);
    // `metav1.Time`'s Go `String()`.
    lines.push(format!(
        "Created on:\t{}",
        np.metadata.creation_timestamp.as_ref().map_or_else(
            || "0001-01-01 00:00:00 +0000 UTC".to_string(),
            |t| t.0.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string()
        )
    ));
    labels_and_annotations(&np.metadata, lines);
    let spec = np.spec.clone().unwrap_or_default();
    lines.push("Spec:".to_string());
    let selector = spec.pod_selector.clone().unwrap_or_default();
    if selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && selector
            .match_expressions
            .as_ref()
            .is_none_or(Vec::is_empty)
    {
        lines.push("  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)".to_string());
    } else {
        lines.push(format!(
            "  PodSelector:     {}",
            format_label_selector(&selector)
        ));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    type Rule<'a> = (&'a [NetworkPolicyPort], &'a [NetworkPolicyPeer]);
    let ingress: Vec<Rule> = spec
        .ingress
        .iter()
        .flatten()
        .map(|r| {
            (
                r.ports.as_deref().unwrap_or_default(),
                r.from.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let egress: Vec<Rule> = spec
        .egress
        .iter()
        .flatten()
        .map(|r| {
            (
                r.ports.as_deref().unwrap_or_default(),
                r.to.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    for (direction, policy_type, rules) in [
        (Direction::Ingress, "Ingress", ingress),
        (Direction::Egress, "Egress", egress),
    ] {
        let word = policy_type.to_lowercase();
        if types.iter().any(|t| t == policy_type) {
            lines.push(format!("  Allowing {word} traffic:"));
            policy_rules(&rules, direction, lines);
        } else {
            lines.push(format!("  Not affecting {word} traffic"));
        }
    }
    lines.push(format!("  Policy Types: {}", types.join(", ")));
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Ingress,
    Egress,
}

/// `printNetworkPolicySpecIngressFrom` and `...EgressTo`, which differ only
/// in their words.
fn policy_rules(
    rules: &[(&[NetworkPolicyPort], &[NetworkPolicyPeer])],
    direction: Direction,
    lines: &mut Vec<String>,
) {
    const INDENT: &str = "    ";
    let (peer_word, isolated, any_peer) = match direction {
        Direction::Ingress => (
            "From",
            "<none> (Selected pods are isolated for ingress connectivity)",
            "From: <any> (traffic not restricted by source)",
        ),
        Direction::Egress => (
            "To",
            "<none> (Selected pods are isolated for egress connectivity)",
            "To: <any> (traffic not restricted by destination)",
        ),
    };
    if rules.is_empty() {
        lines.push(format!("{INDENT}{isolated}"));
        return;
    }
    for (i, (ports, peers)) in rules.iter().enumerate() {
        if ports.is_empty() {
            lines.push(format!(
                "{INDENT}To Port: <any> (traffic allowed to all ports)"
            ));
        }
        for port in *ports {
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            let number = port
                .port
                .as_ref()
                .map_or_else(|| "<nil>".to_string(), intstr);
            match port.end_port {
                None => lines.push(format!("{INDENT}To Port: {number}/{protocol}")),
                Some(end) => {
                    lines.push(format!("{INDENT}To Port Range: {number}-{end}/{protocol}"));
                }
            }
        }
        if peers.is_empty() {
            lines.push(format!("{INDENT}{any_peer}"));
        }
        for peer in *peers {
            lines.push(format!("{INDENT}{peer_word}:"));
            let namespaces = peer.namespace_selector.as_ref().map(format_label_selector);
            let pods = peer.pod_selector.as_ref().map(format_label_selector);
            match (namespaces, pods) {
                (Some(ns), Some(pods)) => {
                    lines.push(format!("  {INDENT}NamespaceSelector: {ns}"));
                    lines.push(format!("  {INDENT}PodSelector: {pods}"));
                }
                (None, Some(pods)) => lines.push(format!("  {INDENT}PodSelector: {pods}")),
                (Some(ns), None) => lines.push(format!("  {INDENT}NamespaceSelector: {ns}")),
                (None, None) => {
                    if let Some(block) = &peer.ip_block {
                        lines.push(format!("  {INDENT}IPBlock:"));
                        lines.push(format!("    {INDENT}CIDR: {}", block.cidr));
                        lines.push(format!(
                            "    {INDENT}Except: {}",
                            block.except.clone().unwrap_or_default().join(", ")
                        ));
                    }
                }
            }
        }
        if i + 1 != rules.len() {
            lines.push(format!("{INDENT}----------"));
        }
    }
}
