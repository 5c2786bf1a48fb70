//! `kubectl create service clusterip|nodeport|loadbalancer|externalname`
//! (`pkg/cmd/create/create_service.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec, ServiceStatus};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{meta, Generated};
use crate::args::Args;
use daemonlab_core::api::names::dns1123_subdomain_errors;
use daemonlab_core::api::Object;

/// The service type a subcommand creates, and kubectl's words when the
/// server refuses it.
pub(super) fn service_type(word: &str) -> Option<(&'static str, &'static str)> {
    Some(match word {
        "clusterip" => ("ClusterIP", "failed to create ClusterIP service: "),
        "nodeport" => ("NodePort", "failed to create NodePort service: "),
        "loadbalancer" => ("LoadBalancer", "failed to create LoadBalancer service: "),
        "externalname" => ("ExternalName", "failed to create ExternalName service: "),
        _ => return None,
    })
}

/// `parsePorts`: `port[:targetPort]`, the target a number or a port name.
fn parse_port(spec: &str) -> Result<(i32, IntOrString), String> {
    let mut parts = spec.split(':');
    let port_text = parts.next().unwrap_or("");
    // `strconv.ParseUint(s, 10, 16)`: digits only, no sign.
    let port: u16 = match port_text.parse::<u16>() {
        Ok(port) if !port_text.starts_with('+') => port,
        result => {
            let why = match result {
                Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => "value out of range",
                _ => "invalid syntax",
            };
            return Err(format!(
                "error: strconv.ParseUint: parsing {port_text:?}: {why}"
            ));
        }
    };
    let port = i32::from(port);
    let Some(target) = parts.next() else {
        return Ok((port, IntOrString::Int(port)));
    };
    match target.parse::<i64>() {
        Ok(number) if (1..=65535).contains(&number) => Ok((port, IntOrString::Int(number as i32))),
        Ok(_) => Err("error: must be between 1 and 65535, inclusive".to_string()),
        Err(_) => {
            let errors = port_name_errors(target);
            if errors.is_empty() {
                Ok((port, IntOrString::String(target.to_string())))
            } else {
                Err(format!("error: {}", errors.join(",")))
            }
        }
    }
}

/// `validation.IsValidPortName`.
fn port_name_errors(name: &str) -> Vec<&'static str> {
    let mut errors = Vec::new();
    if name.len() > 15 {
        errors.push("must be no more than 15 characters");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if name.is_empty() || !name.chars().all(allowed) {
        errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        errors.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errors.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errors.push("must not begin or end with a hyphen");
    }
    errors
}

pub(super) fn service(
    word: &str,
    name: String,
    args: &Args,
    namespace: &str,
) -> Result<Generated, String> {
    let (type_, failure) = service_type(word).ok_or("error: unknown service type")?;
    let tcp = super::list(args, "--tcp");
    let cluster_ip = args.value(&["--clusterip"]).unwrap_or("");
    let external_name = args.value(&["--external-name"]).unwrap_or("");
    if type_ == "ExternalName" && args.value(&["--external-name"]).is_none() {
        return Err("error: required flag(s) \"external-name\" not set".to_string());
    }
    if cluster_ip == "None" && type_ != "ClusterIP" {
        return Err("error: ClusterIP=None can only be used with ClusterIP service type".into());
    }
    if cluster_ip != "None" && tcp.is_empty() && type_ != "ExternalName" {
        return Err("error: at least one tcp port specifier must be provided".to_string());
    }
    if type_ == "ExternalName" && !dns1123_subdomain_errors(external_name).is_empty() {
        return Err(format!(
            "error: invalid service external name {external_name}"
        ));
    }
    let node_port = match args.value(&["--node-port"]) {
        Some(text) => text.parse::<i32>().map_err(|_| {
            format!("error: invalid argument {text:?} for \"--node-port\" flag: strconv.ParseInt: parsing {text:?}: invalid syntax")
        })?,
        None => 0,
    };
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port, target_port) = parse_port(spec)?;
        ports.push(ServicePort {
            name: Some(spec.replace(':', "-")),
            port,
            target_port: Some(target_port),
            protocol: Some("TCP".to_string()),
            node_port: (node_port != 0).then_some(node_port),
            ..Default::default()
        });
    }
    let app = BTreeMap::from([("app".to_string(), name.clone())]);
    let mut metadata = meta(&name, Some(namespace));
    metadata.labels = Some(app.clone());
    Ok(Generated {
        object: Object::from(Service {
            metadata,
            spec: Some(ServiceSpec {
                type_: Some(type_.to_string()),
                selector: Some(app),
                ports: (!ports.is_empty()).then_some(ports),
                external_name: (!external_name.is_empty()).then(|| external_name.to_string()),
                cluster_ip: (!cluster_ip.is_empty()).then(|| cluster_ip.to_string()),
                ..Default::default()
            }),
            status: Some(ServiceStatus {
                load_balancer: Some(Default::default()),
                ..Default::default()
            }),
        }),
        failure_word: Some(failure),
    })
}
