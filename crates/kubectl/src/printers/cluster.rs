//! Cluster plumbing: role bindings, network policies, ingresses, storage and
//! CSI, admission webhooks and policies, APIServices, leases, runtime and
//! priority classes.

use daemonlab_core::api::Object;
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};

use super::{first_three, load_balancer_addresses, Context};
use crate::selector::format_label_selector;

/// ROLE, then (wide) USERS, GROUPS and SERVICEACCOUNTS (`rbac.SubjectsStrings`).
fn binding(role_ref: &RoleRef, subjects: &[Subject], age: String) -> Vec<String> {
    let of = |kind: &str| {
        subjects
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| match kind {
                "ServiceAccount" => {
                    format!("{}/{}", s.namespace.clone().unwrap_or_default(), s.name)
                }
                _ => s.name.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        format!("{}/{}", role_ref.kind, role_ref.name),
        age,
        of("User"),
        of("Group"),
        of("ServiceAccount"),
    ]
}

/// NAME with ` (default)` for a class marked default by `annotation`.
fn default_marker(object: &Object, annotations: &[&str]) -> String {
    let marked = object.metadata().annotations.as_ref().is_some_and(|a| {
        annotations
            .iter()
            .any(|k| a.get(*k).is_some_and(|v| v == "true"))
    });
    if marked {
        " (default)".to_string()
    } else {
        String::new()
    }
}

pub(super) fn cells(object: &Object, ctx: &Context) -> Option<Vec<String>> {
    let age = ctx.age(object.metadata().creation_timestamp.as_ref());
    Some(match object {
        Object::RoleBinding(b) => {
            binding(&b.role_ref, b.subjects.as_deref().unwrap_or_default(), age)
        }
        Object::ClusterRoleBinding(b) => {
            binding(&b.role_ref, b.subjects.as_deref().unwrap_or_default(), age)
        }
        Object::NetworkPolicy(policy) => vec![
            format_label_selector(
                &policy
                    .spec
                    .as_ref()
                    .map(|s| s.pod_selector.clone().unwrap_or_default())
                    .unwrap_or_default(),
            ),
            age,
        ],
        Object::Ingress(ingress) => {
            let spec = ingress.spec.clone().unwrap_or_default();
            let rules = spec.rules.clone().unwrap_or_default();
            let hosts: Vec<String> = rules.iter().filter_map(|r| r.host.clone()).collect();
            let mut hosts_cell = hosts.iter().take(3).cloned().collect::<Vec<_>>().join(",");
            if rules.len() > 3 {
                hosts_cell.push_str(&format!(" + {} more...", rules.len() - 3));
            }
            if hosts_cell.is_empty() {
                hosts_cell = "*".to_string();
            }
            let addresses = load_balancer_addresses(
                ingress
                    .status
                    .iter()
                    .flat_map(|s| s.load_balancer.iter())
                    .flat_map(|lb| lb.ingress.iter().flatten())
                    .map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
            );
            let ports = if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) {
                "80, 443"
            } else {
                "80"
            };
            vec![
                spec.ingress_class_name
                    .unwrap_or_else(|| "<none>".to_string()),
                hosts_cell,
                addresses.join(","),
                ports.to_string(),
                age,
            ]
        }
        Object::IngressClass(class) => {
            let spec = class.spec.clone().unwrap_or_default();
            let parameters = spec.parameters.map_or_else(
                || "<none>".to_string(),
                |p| match p.api_group.filter(|g| !g.is_empty()) {
                    Some(group) => format!("{}.{group}/{}", p.kind, p.name),
                    None => format!("{}/{}", p.kind, p.name),
                },
            );
            vec![spec.controller.unwrap_or_default(), parameters, age]
        }
        Object::StorageClass(class) => vec![
            class.provisioner.clone(),
            class
                .reclaim_policy
                .clone()
                .unwrap_or_else(|| "Delete".to_string()),
            class
                .volume_binding_mode
                .clone()
                .unwrap_or_else(|| "Immediate".to_string()),
            class.allow_volume_expansion.unwrap_or(false).to_string(),
            age,
        ],
        Object::CSIDriver(driver) => {
            let spec = &driver.spec;
            let modes = spec.volume_lifecycle_modes.clone().unwrap_or_default();
            vec![
                spec.attach_required.unwrap_or(true).to_string(),
                spec.pod_info_on_mount.unwrap_or(false).to_string(),
                spec.storage_capacity.unwrap_or(false).to_string(),
                spec.token_requests.as_ref().map_or_else(
                    || "<unset>".to_string(),
                    |t| {
                        t.iter()
                            .map(|r| r.audience.clone())
                            .collect::<Vec<_>>()
                            .join(",")
                    },
                ),
                spec.requires_republish.unwrap_or(false).to_string(),
                if modes.is_empty() {
                    "<none>".to_string()
                } else {
                    modes.join(",")
                },
                age,
            ]
        }
        Object::CSINode(node) => vec![node.spec.drivers.len().to_string(), age],
        Object::VolumeAttachment(attachment) => vec![
            attachment.spec.attacher.clone(),
            attachment
                .spec
                .source
                .persistent_volume_name
                .clone()
                .unwrap_or_default(),
            attachment.spec.node_name.clone(),
            attachment
                .status
                .as_ref()
                .is_some_and(|s| s.attached)
                .to_string(),
            age,
        ],
        Object::ValidatingWebhookConfiguration(config) => {
            vec![
                config.webhooks.as_ref().map_or(0, Vec::len).to_string(),
                age,
            ]
        }
        Object::MutatingWebhookConfiguration(config) => {
            vec![
                config.webhooks.as_ref().map_or(0, Vec::len).to_string(),
                age,
            ]
        }
        Object::ValidatingAdmissionPolicy(policy) => {
            let spec = policy.spec.clone().unwrap_or_default();
            vec![
                spec.validations.as_ref().map_or(0, Vec::len).to_string(),
                spec.param_kind.map_or_else(
                    || "<unset>".to_string(),
                    |k| {
                        format!(
                            "{}/{}",
                            k.api_version.unwrap_or_default(),
                            k.kind.unwrap_or_default()
                        )
                    },
                ),
                age,
            ]
        }
        Object::ValidatingAdmissionPolicyBinding(binding) => {
            let spec = binding.spec.clone();
            let param = spec.param_ref.map_or_else(
                || "<unset>".to_string(),
                |p| match (p.name, p.namespace) {
                    (Some(name), Some(ns)) => format!("{ns}/{name}"),
                    (Some(name), None) => format!("*/{name}"),
                    (None, _) => p
                        .selector
                        .as_ref()
                        .map(format_label_selector)
                        .unwrap_or_default(),
                },
            );
            vec![spec.policy_name, param, age]
        }
        Object::APIService(service) => {
            let spec = service.spec.clone().unwrap_or_default();
            let backend = spec.service.map_or_else(
                || "Local".to_string(),
                |s| {
                    format!(
                        "{}/{}",
                        s.namespace.unwrap_or_default(),
                        s.name.unwrap_or_default()
                    )
                },
            );
            let available = service
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Available"))
                .map_or_else(
                    || "Unknown".to_string(),
                    |c| match c.reason.as_deref().filter(|_| c.status != "True") {
                        Some(reason) => format!("{} ({reason})", c.status),
                        None => c.status.clone(),
                    },
                );
            vec![backend, available, age]
        }
        Object::Lease(lease) => vec![
            lease
                .spec
                .as_ref()
                .and_then(|s| s.holder_identity.clone())
                .unwrap_or_default(),
            age,
        ],
        Object::RuntimeClass(class) => vec![class.handler.clone(), age],
        Object::PriorityClass(pc) => vec![
            pc.value.unwrap_or(0).to_string(),
            pc.global_default.unwrap_or(false).to_string(),
            age,
            pc.preemption_policy.clone().unwrap_or_default(),
        ],
        Object::EndpointSlice(slice) => {
            let ports: Vec<String> = slice
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    p.port
                        .map(|n| n.to_string())
                        .or_else(|| p.name.clone())
                        .unwrap_or_else(|| "*".to_string())
                })
                .collect();
            let addresses: Vec<String> = slice
                .endpoints
                .iter()
                .flatten()
                .flat_map(|e| e.addresses.iter().cloned())
                .collect();
            let unset_or = |list: &[String]| {
                if list.is_empty() {
                    "<unset>".to_string()
                } else {
                    first_three(list)
                }
            };
            vec![
                slice.address_type.clone(),
                unset_or(&ports),
                unset_or(&addresses),
                age,
            ]
        }
        _ => return None,
    })
}

/// NAME of a class that may be the cluster's default.
pub(super) fn class_name(object: &Object) -> Option<String> {
    let annotations: &[&str] = match object {
        Object::StorageClass(_) => &[
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ],
        Object::IngressClass(_) => &["ingressclass.kubernetes.io/is-default-class"],
        _ => return None,
    };
    Some(format!(
        "{}{}",
        object.name(),
        default_marker(object, annotations)
    ))
}
