//! Services (`pkg/registry/core/service/strategy.go` and its REST storage):
//! defaults, a cluster IP from the service CIDR and node ports from their
//! range, and `ValidateService`.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Context, Strategy};
use crate::api::store::Store;
use crate::api::validation::{
    validate_labels, validate_object_meta, FieldError, NameRule, Rendered,
};
use crate::api::Kind;

/// kubeadm's default `--service-cluster-ip-range`, 10.96.0.0/12.
const SERVICE_CIDR_BASE: u32 = 10 << 24 | 96 << 16;
const SERVICE_CIDR_SIZE: u32 = 1 << 20;
/// `--service-node-port-range`.
const NODE_PORTS: std::ops::RangeInclusive<i32> = 30000..=32767;

fn ip_to_string(ip: u32) -> String {
    let b = ip.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// Where to start looking for a free address or port: the real allocators
/// pick at random; a hash of the service keeps runs repeatable.
/// (FNV-1a, whose output never changes with the toolchain.)
fn start(namespace: &str, name: &str, salt: &str) -> u64 {
    [namespace, name, salt]
        .iter()
        .flat_map(|part| part.bytes().chain([0]))
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

fn services(store: &Store) -> impl Iterator<Item = &Service> {
    store
        .list(Kind::Service)
        .filter_map(|o| <Service as crate::api::Served>::of(o))
}

fn allocate_cluster_ip(store: &Store, namespace: &str, name: &str) -> String {
    let used: BTreeSet<String> = services(store)
        .filter_map(|s| s.spec.as_ref()?.cluster_ip.clone())
        .collect();
    // The network address and the first address (the `kubernetes` Service's) are reserved.
    let offset = (start(namespace, name, "ip") % u64::from(SERVICE_CIDR_SIZE - 2)) as u32 + 1;
    (0..SERVICE_CIDR_SIZE - 2)
        .map(|i| ip_to_string(SERVICE_CIDR_BASE + 1 + (offset + i) % (SERVICE_CIDR_SIZE - 2)))
        .find(|ip| !used.contains(ip))
        .unwrap_or_default()
}

fn allocate_node_port(
    used: &mut BTreeSet<i32>,
    namespace: &str,
    name: &str,
    port: i32,
) -> Option<i32> {
    let size = (NODE_PORTS.end() - NODE_PORTS.start() + 1) as u64;
    let offset = start(namespace, name, &port.to_string()) % size;
    let found = (0..size)
        .map(|i| NODE_PORTS.start() + ((offset + i) % size) as i32)
        .find(|p| !used.contains(p))?;
    used.insert(found);
    Some(found)
}

fn uses_node_ports(type_: &str) -> bool {
    matches!(type_, "NodePort" | "LoadBalancer")
}

impl Strategy for Service {
    const NAME_RULE: NameRule = NameRule::Dns1035Label;

    fn default(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        let type_ = spec
            .type_
            .get_or_insert_with(|| "ClusterIP".to_string())
            .clone();
        spec.session_affinity
            .get_or_insert_with(|| "None".to_string());
        for port in spec.ports.iter_mut().flatten() {
            port.protocol.get_or_insert_with(|| "TCP".to_string());
            port.target_port.get_or_insert(IntOrString::Int(port.port));
        }
        if type_ != "ExternalName" {
            spec.internal_traffic_policy
                .get_or_insert_with(|| "Cluster".to_string());
        }
        if uses_node_ports(&type_) {
            spec.external_traffic_policy
                .get_or_insert_with(|| "Cluster".to_string());
        }
        if type_ == "LoadBalancer" {
            spec.allocate_load_balancer_node_ports.get_or_insert(true);
        }
    }

    /// The REST storage allocates before the object is stored.
    fn prepare_for_create(&mut self, ctx: &Context) {
        self.status = Some(Default::default());
        let namespace = self.metadata.namespace.clone().unwrap_or_default();
        let name = self.metadata.name.clone().unwrap_or_default();
        let spec = self.spec.get_or_insert_with(Default::default);
        let type_ = spec.type_.clone().unwrap_or_default();
        if type_ == "ExternalName" {
            return;
        }
        if spec.cluster_ip.as_deref().unwrap_or("").is_empty() {
            spec.cluster_ip = Some(allocate_cluster_ip(ctx.store, &namespace, &name));
        }
        spec.cluster_ips = spec.cluster_ip.clone().map(|ip| vec![ip]);
        spec.ip_families = Some(vec!["IPv4".to_string()]);
        spec.ip_family_policy
            .get_or_insert_with(|| "SingleStack".to_string());
        if uses_node_ports(&type_) {
            let mut used: BTreeSet<i32> = services(ctx.store)
                .flat_map(|s| s.spec.iter().flat_map(|s| s.ports.iter().flatten()))
                .filter_map(|p| p.node_port)
                .collect();
            for port in spec.ports.iter_mut().flatten() {
                if port.node_port.is_none() {
                    port.node_port = allocate_node_port(&mut used, &namespace, &name, port.port);
                }
            }
        }
    }

    /// Allocations and status are kept.
    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        self.status = old.status.clone();
        let (Some(spec), Some(old_spec)) = (self.spec.as_mut(), old.spec.as_ref()) else {
            return;
        };
        if spec.cluster_ip.is_none() {
            spec.cluster_ip = old_spec.cluster_ip.clone();
            spec.cluster_ips = old_spec.cluster_ips.clone();
        }
        spec.ip_families
            .get_or_insert_with(|| old_spec.ip_families.clone().unwrap_or_default());
        if spec.ip_family_policy.is_none() {
            spec.ip_family_policy = old_spec.ip_family_policy.clone();
        }
        for port in spec.ports.iter_mut().flatten() {
            if port.node_port.is_none() {
                port.node_port = old_spec
                    .ports
                    .iter()
                    .flatten()
                    .find(|p| p.port == port.port && p.protocol == port.protocol)
                    .and_then(|p| p.node_port);
            }
        }
    }

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
        let headless = spec.cluster_ip.as_deref() == Some("None");
        let ports = spec.ports.clone().unwrap_or_default();
        if ports.is_empty() && !headless && type_ != "ExternalName" {
            errors.push(FieldError::required("spec.ports", ""));
        }
        let mut names = BTreeSet::new();
        for (i, port) in ports.iter().enumerate() {
            let field = format!("spec.ports[{i}]");
            match port.name.as_deref().filter(|n| !n.is_empty()) {
                None if ports.len() > 1 => {
                    errors.push(FieldError::required(&format!("{field}.name"), ""))
                }
                Some(name) if !names.insert(name.to_string()) => {
                    errors.push(FieldError::duplicate(
                        &format!("{field}.name"),
                        Rendered::str(name),
                    ));
                }
                _ => {}
            }
            if !(1..=65535).contains(&port.port) {
                errors.push(FieldError::invalid(
                    &format!("{field}.port"),
                    Rendered::int(port.port.into()),
                    "must be between 1 and 65535, inclusive",
                ));
            }
            let protocol = port.protocol.as_deref().unwrap_or("TCP");
            if !matches!(protocol, "TCP" | "UDP" | "SCTP") {
                errors.push(FieldError::not_supported(
                    &format!("{field}.protocol"),
                    Rendered::str(protocol),
                    &["SCTP", "TCP", "UDP"],
                ));
            }
            if let Some(node_port) = port.node_port {
                if !uses_node_ports(type_) {
                    errors.push(FieldError::forbidden(
                        &format!("{field}.nodePort"),
                        "may not be used when `type` is 'ClusterIP'",
                    ));
                } else if !NODE_PORTS.contains(&node_port) {
                    errors.push(FieldError::invalid(
                        &format!("{field}.nodePort"),
                        Rendered::int(node_port.into()),
                        "provided port is not in the valid range. The range of valid ports is 30000-32767",
                    ));
                }
            }
        }
        if !matches!(
            type_,
            "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName"
        ) {
            errors.push(FieldError::not_supported(
                "spec.type",
                Rendered::str(type_),
                &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
            ));
        }
        if type_ == "ExternalName" && spec.external_name.as_deref().unwrap_or("").is_empty() {
            errors.push(FieldError::required("spec.externalName", ""));
        }
        if let Some(selector) = &spec.selector {
            validate_labels(selector, "spec.selector", errors);
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        let ip = |s: &Service| s.spec.as_ref().and_then(|s| s.cluster_ip.clone());
        if let (Some(new), Some(before)) = (ip(self), ip(old)) {
            if new != before && !before.is_empty() {
                errors.push(FieldError::invalid(
                    "spec.clusterIPs[0]",
                    Rendered::str(&new),
                    "may not change once set",
                ));
            }
        }
    }
}
