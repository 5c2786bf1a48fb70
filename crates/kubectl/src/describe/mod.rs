//! `kubectl describe`, one describer per kind as kubectl's `describerMap` has
//! them (`workloads.rs` for Deployments, ReplicaSets, StatefulSets, Jobs and
//! CronJobs; `data.rs` for Secrets, ConfigMaps and ServiceAccounts;
//! `network.rs` for Endpoints, EndpointSlices and NetworkPolicies;
//! `namespace.rs` with quotas and limit ranges; `classes.rs`; `rbac.rs`;
//! `generic.rs` for every kind without its own describer, custom ones
//! included), and the blocks they share: the `Pod Template:` block (also printed by
//! `rollout history --revision`), containers, volumes, events. kubectl writes
//! every line through one tabwriter (padding 2) and flushes it before the
//! events table; the lines here carry the same tabs, so columns line up
//! exactly where kubectl's do.

mod autoscaler;
mod claim;
mod classes;
mod daemonset;
mod data;
mod disruption_budget;
mod generic;
mod ingress;
mod namespace;
mod network;
mod node;
mod pod;
mod rbac;
mod service;
mod workloads;

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{
    Container, Event, Pod, PodSpec, PodTemplateSpec, Probe, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;

use crate::args::Args;
use crate::get::not_found;
use crate::printers::age;
use crate::resources::resolve;
use crate::selector::Selector;
use crate::table::tabwriter;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &["-n", "--namespace", "-l", "--selector"];

pub const BOOL_FLAGS: &[&str] = &["-A", "--all-namespaces", "--show-events"];

/// Go's `time.RFC1123Z`, in UTC as the simulated machines run.
pub(super) fn rfc1123z(time: &Timestamp) -> String {
    time.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// A time Go formats even when unset: its zero time.
pub(super) fn time_or_zero(time: Option<&Time>) -> String {
    time.map_or_else(
        || "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
        |t| rfc1123z(&t.0),
    )
}

pub(super) fn time_or_unset(time: Option<&Time>) -> String {
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
    match object {
        Object::DaemonSet(ds) => daemonset::describe(cluster, ds, &mut lines),
        Object::Node(node) => node::describe(cluster, node, &mut lines),
        Object::Pod(pod) => pod::describe(cluster, pod, &mut lines),
        Object::Deployment(d) => workloads::deployment(cluster, d, &mut lines),
        Object::ReplicaSet(rs) => workloads::replicaset(cluster, rs, &mut lines),
        Object::StatefulSet(sts) => workloads::statefulset(cluster, sts, &mut lines),
        Object::Job(job) => workloads::job(job, &mut lines),
        Object::CronJob(cj) => workloads::cronjob(cj, &mut lines),
        Object::Service(service) => service::describe(cluster, service, &mut lines),
        Object::Endpoints(ep) => network::endpoints(ep, &mut lines),
        Object::EndpointSlice(eps) => network::endpoint_slice(eps, &mut lines),
        Object::ConfigMap(cm) => data::config_map(cm, &mut lines),
        Object::ServiceAccount(sa) => data::service_account(sa, &mut lines),
        Object::PodDisruptionBudget(pdb) => disruption_budget::describe(pdb, &mut lines),
        Object::PriorityClass(pc) => classes::priority_class(pc, &mut lines),
        Object::StorageClass(sc) => classes::storage_class(sc, &mut lines),
        Object::IngressClass(ic) => classes::ingress_class(ic, &mut lines),
        Object::CSINode(csi) => classes::csi_node(csi, &mut lines),
        Object::Ingress(ing) => ingress::describe(cluster, ing, &mut lines),
        Object::PersistentVolume(pv) => claim::volume(cluster, pv, &mut lines),
        Object::PersistentVolumeClaim(pvc) => claim::describe(cluster, pvc, &mut lines),
        Object::HorizontalPodAutoscaler(hpa) => autoscaler::describe(hpa, &mut lines),
        Object::Secret(secret) => data::secret(secret, &mut lines),
        Object::NetworkPolicy(np) => network::network_policy(np, &mut lines),
        Object::Namespace(ns) => namespace::namespace(cluster, ns, &mut lines),
        Object::ResourceQuota(q) => namespace::resource_quota(q, &mut lines),
        Object::LimitRange(lr) => namespace::limit_range(lr, &mut lines),
        Object::Role(role) => rbac::role(
            &role.metadata,
            role.rules.as_deref().unwrap_or_default(),
            &mut lines,
        ),
        Object::ClusterRole(role) => rbac::role(
            &role.metadata,
            role.rules.as_deref().unwrap_or_default(),
            &mut lines,
        ),
        Object::RoleBinding(b) => {
            rbac::binding(&b.metadata, &b.role_ref, b.subjects.as_deref(), &mut lines)
        }
        Object::ClusterRoleBinding(b) => {
            rbac::binding(&b.metadata, &b.role_ref, b.subjects.as_deref(), &mut lines)
        }
        _ => generic::describe(object, &mut lines),
    }
    if !shows_events(object.kind()) {
        return tabwriter(&(lines.join("\n") + "\n"), 0, 2);
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

/// Whether kubectl's describer for the kind lists the object's events.
fn shows_events(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Secret
            | Kind::NetworkPolicy
            | Kind::Namespace
            | Kind::ResourceQuota
            | Kind::LimitRange
            | Kind::Role
            | Kind::ClusterRole
            | Kind::RoleBinding
            | Kind::ClusterRoleBinding
    )
}

/// `Pods Status:` of a controller's pods, by phase.
pub(super) fn pods_status(cluster: &Cluster, uid: &str) -> String {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for pod in cluster.store().pods_controlled_by(uid) {
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => waiting += 1,
        }
    }
    format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed"
    )
}

/// A workload's `Conditions:` table: type, status, reason.
pub(super) fn conditions(rows: Vec<(String, String, Option<String>)>, lines: &mut Vec<String>) {
    if rows.is_empty() {
        return;
    }
    lines.push("Conditions:".to_string());
    lines.push("  Type\tStatus\tReason".to_string());
    lines.push("  ----\t------\t------".to_string());
    for (type_, status, reason) in rows {
        lines.push(format!(
            "  {type_} \t{status}\t{}",
            reason.unwrap_or_default()
        ));
    }
}

/// `Name:`, and `Namespace:` for a namespaced object.
pub(super) fn name_and_namespace(meta: &ObjectMeta, lines: &mut Vec<String>) {
    lines.push(format!("Name:\t{}", meta.name.clone().unwrap_or_default()));
    if let Some(namespace) = &meta.namespace {
        lines.push(format!("Namespace:\t{namespace}"));
    }
}

pub(super) fn labels_and_annotations(meta: &ObjectMeta, lines: &mut Vec<String>) {
    labels("Labels", meta.labels.as_ref(), lines);
    annotations("Annotations", meta.annotations.as_ref(), lines);
}

/// `printLabelsMultiline`: one `key=value` per line, sorted.
pub(super) fn labels(
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
    lines: &mut Vec<String>,
) {
    let values = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    multi(lines, &format!("{title}:"), or_none(values));
}

/// `printAnnotationsMultiline`: without the last-applied configuration; a
/// value too long for one line (key and value over 140 bytes) or with line
/// breaks goes below its key, each line cut at 138 bytes.
pub(super) fn annotations(
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
    lines: &mut Vec<String>,
) {
    const MAX: usize = 140;
    let mut prefix = format!("{title}:\t");
    let kept = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration");
    for (key, value) in kept {
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX || value.contains('\n') {
            lines.push(format!("{prefix}{key}:"));
            for line in value.split('\n') {
                lines.push(format!("\t  {}", shorten(line, MAX - 2)));
            }
        } else {
            lines.push(format!("{prefix}{key}: {value}"));
        }
        prefix = "\t".to_string();
    }
    if prefix != "\t" {
        lines.push(format!("{prefix}<none>"));
    }
}

/// Go's `s[:max] + "..."` on bytes, kept on a character boundary.
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

pub(super) fn ports(container: &Container, lines: &mut Vec<String>) {
    let ports = container.ports.clone().unwrap_or_default();
    let protocol = |p: &k8s_openapi::api::core::v1::ContainerPort| {
        p.protocol.clone().unwrap_or_else(|| "TCP".into())
    };
    let plural = if ports.len() > 1 { "s" } else { "" };
    // `describeContainerPorts`: a named port carries its name.
    let list = |f: &dyn Fn(&k8s_openapi::api::core::v1::ContainerPort) -> i32| {
        or_none(
            ports
                .iter()
                .map(|p| match p.name.as_deref().filter(|n| !n.is_empty()) {
                    Some(name) => format!("{}/{} ({name})", f(p), protocol(p)),
                    None => format!("{}/{}", f(p), protocol(p)),
                })
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
    if let Some(profile) = container
        .security_context
        .as_ref()
        .and_then(|s| s.seccomp_profile.as_ref())
    {
        lines.push(format!("    SeccompProfile:\t{}", profile.type_));
        if profile.type_ == "Localhost" {
            lines.push(format!(
                "      LocalhostProfile:\t{}",
                profile.localhost_profile.as_deref().unwrap_or("")
            ));
        }
    }
}

pub(super) fn command(container: &Container, lines: &mut Vec<String>) {
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

/// `IntOrString.String()`: the number or the name.
pub(super) fn intstr(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// Go's `time.Duration` text for whole seconds: `0s`, `10s`, `1m30s`.
pub(super) fn go_seconds(seconds: i32) -> String {
    let (m, s) = (seconds / 60, seconds % 60);
    match (seconds / 3600, m % 60) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

pub(super) fn probe(label: &str, probe: &Probe) -> String {
    let action = if let Some(exec) = &probe.exec {
        format!(
            "exec [{}]",
            exec.command.clone().unwrap_or_default().join(" ")
        )
    } else if let Some(http) = &probe.http_get {
        let port = intstr(&http.port);
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
        let port = intstr(&tcp.port);
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
/// A `fieldRef`'s value in a running pod (`EnvValueFromResolver`).
fn field_value(pod: &Pod, path: &str) -> String {
    // kubectl first converts the path as a Pod field selector, and its client
    // scheme knows only the default conversion: every other path (even
    // `spec.nodeName` or a label) resolves to nothing and prints empty.
    let meta = &pod.metadata;
    match path {
        "metadata.name" => meta.name.clone(),
        "metadata.namespace" => meta.namespace.clone(),
        _ => None,
    }
    .unwrap_or_default()
}

/// `ExtractContainerResourceValue`: a request or limit in units of the divisor
/// (cores and bytes by default, rounded up); an unset cpu or memory limit is
/// the node's allocatable.
fn resource_value(
    c: &Container,
    resource: &str,
    divisor: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) -> String {
    let Some((list, name)) = resource.split_once('.') else {
        return String::new();
    };
    let resources = c.resources.clone().unwrap_or_default();
    let map = match list {
        "limits" => resources.limits,
        _ => resources.requests,
    }
    .unwrap_or_default();
    let milli = map
        .get(name)
        .and_then(|q| Quantity::parse(&q.0).ok())
        .map_or(0, |q| q.milli());
    let divisor = divisor
        .and_then(|d| Quantity::parse(&d.0).ok())
        .map_or(1000, |d| d.milli())
        .max(1);
    let value = (milli + divisor - 1) / divisor;
    if value == 0 && matches!(resource, "limits.cpu" | "limits.memory") {
        "node allocatable".to_string()
    } else {
        value.to_string()
    }
}

/// Limits, requests, probes, environment and mounts of a container; `pod`
/// resolves `fieldRef` values when a running pod is described.
pub(super) fn container_rest(c: &Container, pod: Option<&Pod>, lines: &mut Vec<String>) {
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
    let env_from = c.env_from.clone().unwrap_or_default();
    if !env_from.is_empty() {
        lines.push("    Environment Variables from:".to_string());
        for source in env_from {
            let (name, from, optional) = match (&source.config_map_ref, &source.secret_ref) {
                (Some(cm), _) => (cm.name.clone(), "ConfigMap", cm.optional),
                (None, Some(secret)) => (secret.name.clone(), "Secret", secret.optional),
                (None, None) => (String::new(), "", None),
            };
            let optional = optional == Some(true);
            match source.prefix.as_deref().filter(|p| !p.is_empty()) {
                Some(prefix) => lines.push(format!(
                    "      {name}\t{from} with prefix '{prefix}'\tOptional: {optional}"
                )),
                None => lines.push(format!("      {name}\t{from}\tOptional: {optional}")),
            }
        }
    }
    let env = c.env.clone().unwrap_or_default();
    if env.is_empty() {
        lines.push("    Environment:\t<none>".to_string());
    } else {
        lines.push("    Environment:".to_string());
        for e in env {
            let Some(from) = &e.value_from else {
                let value = e.value.clone().unwrap_or_default();
                for (i, part) in value.split('\n').enumerate() {
                    if i == 0 {
                        lines.push(format!("      {}:\t{part}", e.name));
                    } else {
                        lines.push(format!("      \t{part}"));
                    }
                }
                continue;
            };
            let line = if let Some(field) = &from.field_ref {
                let value = pod
                    .map(|p| field_value(p, &field.field_path))
                    .unwrap_or_default();
                format!(
                    "{value} ({}:{})",
                    field.api_version.clone().unwrap_or_else(|| "v1".into()),
                    field.field_path
                )
            } else if let Some(resource) = &from.resource_field_ref {
                let value = resource_value(c, &resource.resource, resource.divisor.as_ref());
                format!("{value} ({})", resource.resource)
            } else if let Some(key) = &from.secret_key_ref {
                format!(
                    "<set to the key '{}' in secret '{}'>\tOptional: {}",
                    key.key,
                    key.name,
                    key.optional == Some(true)
                )
            } else if let Some(key) = &from.config_map_key_ref {
                format!(
                    "<set to the key '{}' of config map '{}'>\tOptional: {}",
                    key.key,
                    key.name,
                    key.optional == Some(true)
                )
            } else {
                String::new()
            };
            lines.push(format!("      {}:\t{line}", e.name));
        }
    }
    // kubectl sorts mounts by path (`SortableVolumeMounts`).
    let mut mounts = c.volume_mounts.clone().unwrap_or_default();
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
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
            let sub_path = match m.sub_path.as_deref().filter(|p| !p.is_empty()) {
                Some(path) => format!(",path={path:?}"),
                None => String::new(),
            };
            lines.push(format!(
                "      {} from {} ({mode}{sub_path})",
                m.mount_path, m.name
            ));
        }
    }
}

pub(super) fn volumes(volumes: &[Volume], space: &str, lines: &mut Vec<String>) {
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
        } else if let Some(claim) = &v.persistent_volume_claim {
            lines.push("    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)".to_string());
            lines.push(format!("    ClaimName:\t{}", claim.claim_name));
            lines.push(format!(
                "    ReadOnly:\t{}",
                claim.read_only.unwrap_or(false)
            ));
        } else if let Some(projected) = &v.projected {
            lines.push(
                "    Type:\tProjected (a volume that contains injected data from multiple sources)"
                    .to_string(),
            );
            // `printProjectedVolumeSource`: one line for each source, by its first set field.
            for source in projected.sources.iter().flatten() {
                if let Some(secret) = &source.secret {
                    lines.push(format!("    SecretName:\t{}", secret.name));
                    lines.push(format!(
                        "    Optional:\t{}",
                        secret.optional.unwrap_or(false)
                    ));
                } else if source.downward_api.is_some() {
                    lines.push("    DownwardAPI:\ttrue".to_string());
                } else if let Some(map) = &source.config_map {
                    lines.push(format!("    ConfigMapName:\t{}", map.name));
                    lines.push(format!("    Optional:\t{}", map.optional.unwrap_or(false)));
                } else if let Some(token) = &source.service_account_token {
                    lines.push(format!(
                        "    TokenExpirationSeconds:\t{}",
                        token.expiration_seconds.unwrap_or(3600)
                    ));
                }
            }
        } else {
            lines.push("  <unknown>".to_string());
        }
    }
}

pub(super) fn node_selectors_and_tolerations(spec: &PodSpec, space: &str, lines: &mut Vec<String>) {
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
pub(super) fn events(cluster: &Cluster, object: &Object) -> Option<String> {
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
        let mut message = e.message.clone().unwrap_or_default().trim().to_string();
        // Since 1.35 kubectl names the part of the object an event is about.
        if let Some(path) = e
            .involved_object
            .field_path
            .as_deref()
            .filter(|p| !p.is_empty())
        {
            message = format!("{path}: {message}");
        }
        rows.push(format!(
            "  {}\t{}\t{interval}\t{source}\t{message}",
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
        ));
    }
    Some(tabwriter(&(rows.join("\n") + "\n"), 0, 2))
}

pub(super) fn or_none(values: Vec<String>) -> Vec<String> {
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
pub(super) fn multi(lines: &mut Vec<String>, label: &str, values: Vec<String>) {
    for (i, value) in values.into_iter().enumerate() {
        if i == 0 {
            lines.push(format!("{label}\t{value}"));
        } else {
            lines.push(format!("\t{value}"));
        }
    }
}

/// `Pod Template:` and what follows, as kubectl describes a template,
/// tab-separated: describers run them through `tabwriter`, `rollout history
/// --revision` prints them as they are.
pub(super) fn pod_template_lines(template: &PodTemplateSpec) -> Vec<String> {
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    let mut lines = vec!["Pod Template:".to_string()];
    labels("  Labels", meta.labels.as_ref(), &mut lines);
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations("  Annotations", meta.annotations.as_ref(), &mut lines);
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
            container_rest(c, None, &mut lines);
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
