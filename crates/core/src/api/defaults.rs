//! Defaulting as the API server does it when it decodes an object
//! (`pkg/apis/core/v1/defaults.go`, `pkg/apis/apps/v1/defaults.go`), so that
//! `kubectl get -o yaml` shows the same fields a real cluster adds.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetUpdateStrategy, RollingUpdateDaemonSet};
use k8s_openapi::api::core::v1::{
    Container, EmptyDirVolumeSource, PodSecurityContext, PodSpec, Probe, ResourceRequirements,
    Volume,
};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::quantity::Quantity;

/// `0644`, the mode files in secret, configMap and projected volumes get.
const DEFAULT_MODE: i32 = 420;

/// The tag part of an image reference: after the last `:` that follows the last `/`.
fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last_part = without_digest.rsplit('/').next().unwrap_or(without_digest);
    last_part.split_once(':').map(|(_, tag)| tag)
}

/// `Always` for `:latest` or no tag (and no digest), else `IfNotPresent`.
pub fn default_pull_policy(image: &str) -> &'static str {
    let has_digest = image.contains('@');
    match image_tag(image) {
        Some("latest") => "Always",
        None if !has_digest => "Always",
        _ => "IfNotPresent",
    }
}

/// Stores quantities in canonical form (`0.15` → `150m`); leaves unparsable ones
/// for validation to report.
fn canonical_quantities(list: &mut Option<BTreeMap<String, ApiQuantity>>) {
    for quantity in list.iter_mut().flat_map(|l| l.values_mut()) {
        if let Ok(parsed) = Quantity::parse(&quantity.0) {
            quantity.0 = parsed.canonical();
        }
    }
}

fn default_probe(probe: &mut Option<Probe>) {
    let Some(probe) = probe else { return };
    probe.timeout_seconds.get_or_insert(1);
    probe.period_seconds.get_or_insert(10);
    probe.success_threshold.get_or_insert(1);
    probe.failure_threshold.get_or_insert(3);
    if let Some(http) = &mut probe.http_get {
        http.path.get_or_insert_with(|| "/".to_string());
        http.scheme.get_or_insert_with(|| "HTTP".to_string());
    }
}

fn default_container(container: &mut Container) {
    if container
        .image_pull_policy
        .as_deref()
        .unwrap_or("")
        .is_empty()
    {
        let image = container.image.as_deref().unwrap_or("");
        container.image_pull_policy = Some(default_pull_policy(image).to_string());
    }
    container
        .termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".to_string());
    container
        .termination_message_policy
        .get_or_insert_with(|| "File".to_string());
    for port in container.ports.iter_mut().flatten() {
        if port.protocol.as_deref().unwrap_or("").is_empty() {
            port.protocol = Some("TCP".to_string());
        }
    }
    for env in container.env.iter_mut().flatten() {
        if let Some(field_ref) = env.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            field_ref
                .api_version
                .get_or_insert_with(|| "v1".to_string());
        }
    }
    let resources = container
        .resources
        .get_or_insert_with(ResourceRequirements::default);
    canonical_quantities(&mut resources.limits);
    canonical_quantities(&mut resources.requests);
    default_probe(&mut container.liveness_probe);
    default_probe(&mut container.readiness_probe);
    default_probe(&mut container.startup_probe);
}

fn default_volume(volume: &mut Volume) {
    let has_source = {
        let json = serde_json::to_value(&*volume).unwrap_or_default();
        json.as_object()
            .is_some_and(|o| o.keys().any(|k| k != "name"))
    };
    if !has_source {
        volume.empty_dir = Some(EmptyDirVolumeSource::default());
    }
    if let Some(host_path) = &mut volume.host_path {
        host_path.type_.get_or_insert_with(String::new);
    }
    if let Some(config_map) = &mut volume.config_map {
        config_map.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(secret) = &mut volume.secret {
        secret.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(downward) = &mut volume.downward_api {
        downward.default_mode.get_or_insert(DEFAULT_MODE);
    }
    if let Some(projected) = &mut volume.projected {
        projected.default_mode.get_or_insert(DEFAULT_MODE);
    }
}

/// `SetDefaults_PodSpec` plus the container and volume defaulters: what a pod
/// template gets.
pub fn default_pod_spec(spec: &mut PodSpec) {
    spec.dns_policy
        .get_or_insert_with(|| "ClusterFirst".to_string());
    spec.restart_policy
        .get_or_insert_with(|| "Always".to_string());
    spec.security_context
        .get_or_insert_with(PodSecurityContext::default);
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".to_string());
    spec.containers.iter_mut().for_each(default_container);
    spec.init_containers
        .iter_mut()
        .flatten()
        .for_each(default_container);
    spec.volumes.iter_mut().flatten().for_each(default_volume);
}

/// `SetDefaults_Pod`: what a pod gets on top of its spec's defaults.
pub fn default_pod_only(spec: &mut PodSpec) {
    spec.enable_service_links.get_or_insert(true);
    let host_network = spec.host_network == Some(true);
    for container in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        if host_network {
            for port in container.ports.iter_mut().flatten() {
                if port.host_port.is_none() {
                    port.host_port = Some(port.container_port);
                }
            }
        }
        // Requests default to limits, on pods only (not templates).
        if let Some(resources) = &mut container.resources {
            if let Some(limits) = resources.limits.clone() {
                let requests = resources.requests.get_or_insert_with(BTreeMap::new);
                for (name, limit) in limits {
                    requests.entry(name).or_insert(limit);
                }
            }
        }
    }
}

/// `SetObjectDefaults_DaemonSet`.
pub fn default_daemonset(ds: &mut DaemonSet) {
    let spec = ds.spec.get_or_insert_with(Default::default);
    let strategy = spec
        .update_strategy
        .get_or_insert_with(DaemonSetUpdateStrategy::default);
    if strategy.type_.as_deref().unwrap_or("").is_empty() {
        strategy.type_ = Some("RollingUpdate".to_string());
    }
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let rolling = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDaemonSet::default);
        rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
        rolling.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_pod_spec(spec.template.spec.get_or_insert_with(Default::default));
}

/// `SetDefaults_PriorityClass`.
pub fn default_priority_class(class: &mut PriorityClass) {
    class
        .preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("prom/node-exporter:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/agent"), "Always");
        assert_eq!(
            default_pull_policy("localhost:5000/agent:2"),
            "IfNotPresent"
        );
        assert_eq!(default_pull_policy("nginx@sha256:abc"), "IfNotPresent");
        assert_eq!(default_pull_policy("nginx:latest@sha256:abc"), "Always");
    }

    #[test]
    fn a_daemonset_gets_the_servers_defaults() {
        let mut ds: DaemonSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "x"},
            "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
                    "ports": [{"containerPort": 80}],
                    "resources": {"requests": {"cpu": 0.15, "memory": "1024Mi"}}}]}}}
        }))
        .expect("a DaemonSet");
        default_daemonset(&mut ds);
        let json = serde_json::to_value(&ds).expect("json");
        assert_eq!(
            json["spec"]["updateStrategy"],
            serde_json::json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(json["spec"]["revisionHistoryLimit"], 10);
        let pod = &json["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["dnsPolicy"], "ClusterFirst");
        assert_eq!(pod["schedulerName"], "default-scheduler");
        assert_eq!(pod["terminationGracePeriodSeconds"], 30);
        assert_eq!(pod["securityContext"], serde_json::json!({}));
        let container = &pod["containers"][0];
        assert_eq!(container["imagePullPolicy"], "IfNotPresent");
        assert_eq!(container["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(container["terminationMessagePolicy"], "File");
        assert_eq!(container["ports"][0]["protocol"], "TCP");
        assert_eq!(container["resources"]["requests"]["cpu"], "150m");
        assert_eq!(container["resources"]["requests"]["memory"], "1Gi");
        assert_eq!(
            pod.get("enableServiceLinks"),
            None,
            "templates do not get it"
        );
    }
}
