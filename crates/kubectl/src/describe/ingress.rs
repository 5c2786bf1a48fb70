//! `IngressDescriber`: address, class, default backend, TLS, and each rule's
//! paths with the ready endpoints behind their Service port.

use daemonlab_core::api::{Kind, Served};
use daemonlab_core::controllers::endpoints::slices_of;
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};

use super::service::endpoints;
use super::{annotations, labels};
use crate::printers::load_balancer_addresses;

pub(super) fn describe(cluster: &Cluster, ing: &Ingress, lines: &mut Vec<String>) {
    let meta = &ing.metadata;
    let namespace = meta.namespace.as_deref().unwrap_or("");
    let spec = ing.spec.clone().unwrap_or_default();
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    labels("Labels", meta.labels.as_ref(), lines);
    lines.push(format!("Namespace:\t{namespace}"));
    let addresses = load_balancer_addresses(
        ing.status
            .iter()
            .flat_map(|s| s.load_balancer.iter())
            .flat_map(|lb| lb.ingress.iter().flatten())
            .map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
    );
    lines.push(format!("Address:\t{}", addresses.join(",")));
    lines.push(format!(
        "Ingress Class:\t{}",
        spec.ingress_class_name.as_deref().unwrap_or("<none>")
    ));
    let default = spec.default_backend.as_ref().map_or_else(
        || "<default>".to_string(),
        |b| backend(cluster, namespace, b),
    );
    lines.push(format!("Default backend:\t{default}"));
    let tls = spec.tls.clone().unwrap_or_default();
    if !tls.is_empty() {
        lines.push("TLS:".to_string());
        for t in tls {
            let hosts = t.hosts.unwrap_or_default().join(",");
            match t.secret_name.filter(|s| !s.is_empty()) {
                None => lines.push(format!("  SNI routes {hosts}")),
                Some(secret) => lines.push(format!("  {secret} terminates {hosts}")),
            }
        }
    }
    lines.push("Rules:".to_string());
    lines.push("  Host\tPath\tBackends".to_string());
    lines.push("  ----\t----\t--------".to_string());
    let mut count = 0;
    for rule in spec.rules.iter().flatten() {
        let Some(http) = &rule.http else { continue };
        count += 1;
        let host = rule
            .host
            .as_deref()
            .filter(|h| !h.is_empty())
            .unwrap_or("*");
        lines.push(format!("  {host}\t"));
        for path in &http.paths {
            lines.push(format!(
                "    \t{} \t{}",
                path.path.as_deref().unwrap_or(""),
                backend(cluster, namespace, &path.backend)
            ));
        }
    }
    if count == 0 {
        lines.push(format!("  *\t*\t{default}"));
    }
    annotations("Annotations", meta.annotations.as_ref(), lines);
}

/// `describeBackendV1`: `service:port (endpoints)`, or the resource it names.
fn backend(cluster: &Cluster, namespace: &str, backend: &IngressBackend) -> String {
    if let Some(service) = &backend.service {
        let port = service.port.as_ref();
        let number = port.and_then(|p| p.number).unwrap_or(0);
        let port_name = port.and_then(|p| p.name.clone()).unwrap_or_default();
        let shown = if number != 0 {
            number.to_string()
        } else {
            port_name.clone()
        };
        let name = format!("{}:{shown}", service.name);
        let Some(svc) = cluster
            .store()
            .get(Kind::Service, namespace, &service.name)
            .and_then(Service::of)
        else {
            return format!("{name} (<error: services \"{}\" not found>)", service.name);
        };
        // The name of the Service port the backend points at ("" if none).
        let mut target = String::new();
        for p in svc.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
            let p_name = p.name.clone().unwrap_or_default();
            if (number != 0 && number == p.port) || (!port_name.is_empty() && port_name == p_name) {
                target = p_name;
            }
        }
        let slices: Vec<&EndpointSlice> =
            slices_of(cluster.store(), namespace, &service.name).collect();
        return format!("{name} ({})", endpoints(&slices, &target));
    }
    if let Some(resource) = &backend.resource {
        return format!(
            "APIGroup: {}, Kind: {}, Name: {}",
            resource.api_group.as_deref().unwrap_or("<none>"),
            resource.kind,
            resource.name
        );
    }
    String::new()
}
