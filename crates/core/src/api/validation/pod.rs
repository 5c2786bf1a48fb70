//! Pod specs (also inside DaemonSet templates) and nodes: `ValidatePodSpec` and
//! the parts of it users get wrong most, in the server's order.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    Container, Node, NodeSelector, NodeSelectorRequirement, Pod, PodSpec, Taint, Toleration, Volume,
};

use super::meta::{validate_label_key, validate_labels, validate_object_meta, NameRule};
use super::{FieldError, Rendered};
use crate::api::names::{dns1123_label_errors, dns1123_subdomain_errors, label_value_errors};
use crate::api::quantity::Quantity;
use crate::scheduling::node_affinity::required_node_selector;

const TAINT_EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

fn label_errors(value: &str, field: &str, errors: &mut Vec<FieldError>) {
    for msg in dns1123_label_errors(value) {
        errors.push(FieldError::invalid(field, Rendered::str(value), &msg));
    }
}

fn subdomain_errors(value: &str, field: &str, errors: &mut Vec<FieldError>) {
    for msg in dns1123_subdomain_errors(value) {
        errors.push(FieldError::invalid(field, Rendered::str(value), &msg));
    }
}

/// `ValidateVolumes`: the names the containers may mount.
fn validate_volumes(
    volumes: &[Volume],
    field: &str,
    errors: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, volume) in volumes.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let name = volume.name.as_str();
        if name.is_empty() {
            errors.push(FieldError::required(&format!("{path}.name"), ""));
        } else {
            label_errors(name, &format!("{path}.name"), errors);
        }
        if !names.insert(name.to_string()) && !name.is_empty() {
            errors.push(FieldError::duplicate(
                &format!("{path}.name"),
                Rendered::str(name),
            ));
        }
        if let Some(host_path) = &volume.host_path {
            if host_path.path.is_empty() {
                errors.push(FieldError::required(&format!("{path}.hostPath.path"), ""));
            }
        }
    }
    names
}

fn validate_ports(container: &Container, path: &str, errors: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (i, port) in container.ports.iter().flatten().enumerate() {
        let path = format!("{path}.ports[{i}]");
        if let Some(name) = port.name.as_deref().filter(|n| !n.is_empty()) {
            if !names.insert(name.to_string()) {
                errors.push(FieldError::duplicate(
                    &format!("{path}.name"),
                    Rendered::str(name),
                ));
            }
        }
        let valid_port = |n: i32| (1..=65535).contains(&n);
        if port.container_port == 0 {
            errors.push(FieldError::required(&format!("{path}.containerPort"), ""));
        } else if !valid_port(port.container_port) {
            errors.push(FieldError::invalid(
                &format!("{path}.containerPort"),
                Rendered::int(port.container_port.into()),
                "must be between 1 and 65535, inclusive",
            ));
        }
        if let Some(host) = port.host_port.filter(|p| *p != 0) {
            if !valid_port(host) {
                errors.push(FieldError::invalid(
                    &format!("{path}.hostPort"),
                    Rendered::int(host.into()),
                    "must be between 1 and 65535, inclusive",
                ));
            }
        }
        match port.protocol.as_deref() {
            None | Some("") => errors.push(FieldError::required(&format!("{path}.protocol"), "")),
            Some("TCP" | "UDP" | "SCTP") => {}
            Some(other) => errors.push(FieldError::not_supported(
                &format!("{path}.protocol"),
                Rendered::str(other),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
}

/// An extended resource (a domain-prefixed name outside `kubernetes.io/`):
/// whole units only, and never overcommitted (`IsOvercommitAllowed`).
fn is_extended(name: &str) -> bool {
    name.contains('/') && !name.starts_with("kubernetes.io/") && !name.starts_with("requests.")
}

/// `ValidateResourceRequirements`: quantities not negative (whole for extended
/// resources), requests within limits, and extended resources (or hugepages)
/// requested only with an equal limit.
fn validate_resources(container: &Container, path: &str, errors: &mut Vec<FieldError>) {
    let Some(resources) = &container.resources else {
        return;
    };
    let empty = BTreeMap::new();
    let limits = resources.limits.as_ref().unwrap_or(&empty);
    let requests = resources.requests.as_ref().unwrap_or(&empty);
    let (limits_path, requests_path) = (
        format!("{path}.resources.limits"),
        format!("{path}.resources.requests"),
    );
    for (which, list) in [(&limits_path, limits), (&requests_path, requests)] {
        for (name, quantity) in list {
            let Ok(parsed) = Quantity::parse(&quantity.0) else {
                continue;
            };
            let place = format!("{which}[{name}]");
            if parsed.milli() < 0 {
                errors.push(FieldError::invalid(
                    &place,
                    Rendered::str(&quantity.0),
                    "must be greater than or equal to 0",
                ));
            } else if is_extended(name) && parsed.milli() % 1000 != 0 {
                errors.push(FieldError::invalid(
                    &place,
                    Rendered::str(&quantity.0),
                    "must be an integer",
                ));
            }
        }
    }
    for (name, request) in requests {
        let Ok(request_q) = Quantity::parse(&request.0) else {
            continue;
        };
        let overcommit = !is_extended(name) && !name.starts_with("hugepages-");
        match limits.get(name).map(|l| (l, Quantity::parse(&l.0))) {
            Some((limit, Ok(limit_q))) if !overcommit && request_q.milli() != limit_q.milli() => {
                errors.push(FieldError::invalid(
                    &requests_path,
                    Rendered::str(&request.0),
                    &format!("must be equal to {name} limit of {}", limit.0),
                ));
            }
            Some((limit, Ok(limit_q))) if request_q.milli() > limit_q.milli() => {
                errors.push(FieldError::invalid(
                    &requests_path,
                    Rendered::str(&request.0),
                    &format!("must be less than or equal to {name} limit of {}", limit.0),
                ));
            }
            None if !overcommit => errors.push(FieldError::required(
                &limits_path,
                "Limit must be set for non overcommitable resources",
            )),
            _ => {}
        }
    }
}

fn validate_containers(
    containers: &[Container],
    volumes: &BTreeSet<String>,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    if containers.is_empty() {
        errors.push(FieldError::required(field, ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, container) in containers.iter().enumerate() {
        let path = format!("{field}[{i}]");
        if container.name.is_empty() {
            errors.push(FieldError::required(&format!("{path}.name"), ""));
        } else {
            label_errors(&container.name, &format!("{path}.name"), errors);
        }
        if container.image.as_deref().unwrap_or("").is_empty() {
            errors.push(FieldError::required(&format!("{path}.image"), ""));
        }
        validate_ports(container, &path, errors);
        for (j, mount) in container.volume_mounts.iter().flatten().enumerate() {
            let mount_path = format!("{path}.volumeMounts[{j}]");
            if mount.name.is_empty() {
                errors.push(FieldError::required(&format!("{mount_path}.name"), ""));
            } else if !volumes.contains(&mount.name) {
                errors.push(FieldError::not_found(
                    &format!("{mount_path}.name"),
                    Rendered::str(&mount.name),
                ));
            }
            if mount.mount_path.is_empty() {
                errors.push(FieldError::required(&format!("{mount_path}.mountPath"), ""));
            }
        }
        if let Some(policy) = container.image_pull_policy.as_deref() {
            if !matches!(policy, "Always" | "IfNotPresent" | "Never") {
                errors.push(FieldError::not_supported(
                    &format!("{path}.imagePullPolicy"),
                    Rendered::str(policy),
                    &["Always", "IfNotPresent", "Never"],
                ));
            }
        }
        validate_resources(container, &path, errors);
        if !container.name.is_empty() && !names.insert(container.name.clone()) {
            errors.push(FieldError::duplicate(
                &format!("{path}.name"),
                Rendered::str(&container.name),
            ));
        }
    }
}

fn validate_requirement(req: &NodeSelectorRequirement, path: &str, errors: &mut Vec<FieldError>) {
    let values = req.values.as_deref().unwrap_or_default();
    match req.operator.as_str() {
        "In" | "NotIn" if values.is_empty() => errors.push(FieldError::required(
            &format!("{path}.values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "In" | "NotIn" => {}
        "Exists" | "DoesNotExist" if !values.is_empty() => errors.push(FieldError::forbidden(
            &format!("{path}.values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Exists" | "DoesNotExist" => {}
        "Gt" | "Lt" => {
            if values.len() != 1 {
                errors.push(FieldError::required(
                    &format!("{path}.values"),
                    "must be specified single value when `operator` is 'Lt' or 'Gt'",
                ));
            }
        }
        op => errors.push(FieldError::invalid(
            &format!("{path}.operator"),
            Rendered::str(op),
            "not a valid selector operator",
        )),
    }
    validate_label_key(&req.key, &format!("{path}.key"), errors);
}

fn validate_node_selector(selector: &NodeSelector, field: &str, errors: &mut Vec<FieldError>) {
    if selector.node_selector_terms.is_empty() {
        errors.push(FieldError::required(
            &format!("{field}.nodeSelectorTerms"),
            "must have at least one node selector term",
        ));
    }
    for (i, term) in selector.node_selector_terms.iter().enumerate() {
        let path = format!("{field}.nodeSelectorTerms[{i}]");
        for (j, req) in term.match_expressions.iter().flatten().enumerate() {
            validate_requirement(req, &format!("{path}.matchExpressions[{j}]"), errors);
        }
        for (j, req) in term.match_fields.iter().flatten().enumerate() {
            let req_path = format!("{path}.matchFields[{j}]");
            if req.key != "metadata.name" {
                errors.push(FieldError::invalid(
                    &format!("{req_path}.key"),
                    Rendered::str(&req.key),
                    "not a valid field selector key",
                ));
            }
            match req.operator.as_str() {
                "In" | "NotIn" => {
                    if req.values.as_deref().unwrap_or_default().len() != 1 {
                        errors.push(FieldError::required(
                            &format!("{req_path}.values"),
                            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                        ));
                    }
                }
                op => errors.push(FieldError::invalid(
                    &format!("{req_path}.operator"),
                    Rendered::str(op),
                    "not a valid selector operator",
                )),
            }
        }
    }
}

/// Go's JSON of the internal Toleration type: exported field names in field order.
fn render_toleration(t: &Toleration) -> Rendered {
    let quote =
        |s: &Option<String>| serde_json::to_string(s.as_deref().unwrap_or("")).unwrap_or_default();
    let seconds = t
        .toleration_seconds
        .map_or_else(|| "null".to_string(), |s| s.to_string());
    Rendered(format!(
        "{{\"Key\":{},\"Operator\":{},\"Value\":{},\"Effect\":{},\"TolerationSeconds\":{seconds}}}",
        quote(&t.key),
        quote(&t.operator),
        quote(&t.value),
        quote(&t.effect)
    ))
}

/// `validateTolerations`.
fn validate_tolerations(tolerations: &[Toleration], field: &str, errors: &mut Vec<FieldError>) {
    for (i, toleration) in tolerations.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let key = toleration.key.as_deref().unwrap_or("");
        let operator = toleration.operator.as_deref().unwrap_or("");
        let value = toleration.value.as_deref().unwrap_or("");
        let effect = toleration.effect.as_deref().unwrap_or("");
        if !key.is_empty() {
            validate_label_key(key, &format!("{path}.key"), errors);
        }
        if key.is_empty() && operator != "Exists" {
            errors.push(FieldError::invalid(
                &format!("{path}.operator"),
                Rendered::str(operator),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if toleration.toleration_seconds.is_some() && effect != "NoExecute" {
            errors.push(FieldError::invalid(
                &format!("{path}.effect"),
                Rendered::str(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match operator {
            "" | "Equal" => {
                let problems = label_value_errors(value);
                if !problems.is_empty() {
                    errors.push(FieldError::invalid(
                        &format!("{path}.operator"),
                        Rendered::str(value),
                        &problems.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errors.push(FieldError::invalid(
                        &format!("{path}.operator"),
                        render_toleration(toleration),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            other => errors.push(FieldError::not_supported(
                &format!("{path}.operator"),
                Rendered::str(other),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !TAINT_EFFECTS.contains(&effect) {
            errors.push(FieldError::not_supported(
                &format!("{path}.effect"),
                Rendered::str(effect),
                &TAINT_EFFECTS,
            ));
        }
    }
}

/// `ValidatePodSpec`, for the checks users meet most, in the server's order.
pub fn validate_pod_spec(spec: &PodSpec, field: &str, errors: &mut Vec<FieldError>) {
    let volumes = validate_volumes(
        spec.volumes.as_deref().unwrap_or_default(),
        &format!("{field}.volumes"),
        errors,
    );
    validate_containers(
        &spec.containers,
        &volumes,
        &format!("{field}.containers"),
        errors,
    );
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        validate_containers(init, &volumes, &format!("{field}.initContainers"), errors);
    }
    match spec.restart_policy.as_deref() {
        None | Some("") => errors.push(FieldError::required(&format!("{field}.restartPolicy"), "")),
        Some("Always" | "OnFailure" | "Never") => {}
        Some(other) => errors.push(FieldError::not_supported(
            &format!("{field}.restartPolicy"),
            Rendered::str(other),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match spec.dns_policy.as_deref() {
        None | Some("") => errors.push(FieldError::required(&format!("{field}.dnsPolicy"), "")),
        Some("ClusterFirstWithHostNet" | "ClusterFirst" | "Default" | "None") => {}
        Some(other) => errors.push(FieldError::not_supported(
            &format!("{field}.dnsPolicy"),
            Rendered::str(other),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if let Some(selector) = &spec.node_selector {
        validate_labels(selector, &format!("{field}.nodeSelector"), errors);
    }
    if let Some(required) = required_node_selector(spec) {
        validate_node_selector(
            required,
            &format!(
                "{field}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            ),
            errors,
        );
    }
    if let Some(account) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        subdomain_errors(account, &format!("{field}.serviceAccountName"), errors);
    }
    if let Some(node) = spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        subdomain_errors(node, &format!("{field}.nodeName"), errors);
    }
    if let Some(seconds) = spec.active_deadline_seconds {
        if seconds <= 0 {
            errors.push(FieldError::invalid(
                &format!("{field}.activeDeadlineSeconds"),
                Rendered::int(seconds),
                "must be between 1 and 2147483647, inclusive",
            ));
        }
    }
    if let Some(tolerations) = &spec.tolerations {
        validate_tolerations(tolerations, &format!("{field}.tolerations"), errors);
    }
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        subdomain_errors(class, &format!("{field}.priorityClassName"), errors);
    }
}

/// `ValidatePod` for a bare Pod.
pub fn validate_pod(pod: &Pod, errors: &mut Vec<FieldError>) {
    validate_object_meta(&pod.metadata, true, NameRule::Dns1123Subdomain, errors);
    validate_pod_spec(&pod.spec.clone().unwrap_or_default(), "spec", errors);
}

fn validate_taint(taint: &Taint, path: &str, errors: &mut Vec<FieldError>) {
    validate_label_key(&taint.key, &format!("{path}.key"), errors);
    if let Some(value) = taint.value.as_deref() {
        for msg in label_value_errors(value) {
            errors.push(FieldError::invalid(
                &format!("{path}.value"),
                Rendered::str(value),
                &msg,
            ));
        }
    }
    if taint.effect.is_empty() {
        errors.push(FieldError::required(&format!("{path}.effect"), ""));
    } else if !TAINT_EFFECTS.contains(&taint.effect.as_str()) {
        errors.push(FieldError::not_supported(
            &format!("{path}.effect"),
            Rendered::str(&taint.effect),
            &TAINT_EFFECTS,
        ));
    }
}

/// `ValidateNode`: name, and taints (valid, and one per key and effect).
pub fn validate_node(node: &Node, errors: &mut Vec<FieldError>) {
    validate_object_meta(&node.metadata, false, NameRule::Dns1123Subdomain, errors);
    let mut seen = BTreeSet::new();
    for (i, taint) in node
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = format!("spec.taints[{i}]");
        validate_taint(taint, &path, errors);
        if !seen.insert((taint.key.clone(), taint.effect.clone())) {
            errors.push(FieldError::duplicate(
                &path,
                Rendered(format!("{{{} {}}}", taint.key, taint.effect)),
            ));
        }
    }
}
