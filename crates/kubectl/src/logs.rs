//! `kubectl logs POD | TYPE/NAME [-c CONTAINER] [--all-containers]`: the pod
//! (for a workload, its first pod as kubectl ranks them for logging), the
//! container (the default-container annotation, else the first, said on
//! stderr when there were others), and what the API server's `pods/log`
//! answers. Simulated containers run no program, so their logs are empty.

use std::cmp::Ordering;

use daemonlab_core::api::errors::ApiError;
use daemonlab_core::api::logs::pod_log;
use daemonlab_core::api::validation::selector_matches;
use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::controllers::{is_pod_ready, pod_condition};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::args::Args;
use crate::resources::resolve;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-c",
    "--container",
    "--tail",
    "--since",
];
pub const BOOL_FLAGS: &[&str] = &[
    "--all-containers",
    "-f",
    "--follow",
    "-p",
    "--previous",
    "--timestamps",
];

const DEFAULT_CONTAINER: &str = "kubectl.kubernetes.io/default-container";

pub fn run(cluster: &Cluster, args: &Args) -> Output {
    match logs(cluster, args) {
        Ok(output) => output,
        Err(message) => Output::error(message),
    }
}

fn logs(cluster: &Cluster, args: &Args) -> Result<Output, String> {
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let (type_name, name) = match args.positional.as_slice() {
        [one] => match one.split_once('/') {
            Some((kind, name)) => (Some(kind.to_string()), name.to_string()),
            None => (None, one.clone()),
        },
        [pod, _container] => (None, pod.clone()),
        _ => return Err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples".to_string()),
    };
    let kind = match type_name {
        None => Kind::Pod,
        Some(type_name) => resolve(cluster.store(), &type_name).ok_or_else(|| {
            format!("error: the server doesn't have a resource type \"{type_name}\"")
        })?,
    };
    let store = cluster.store();
    let object = store.get(kind, namespace, &name).ok_or_else(|| {
        let resource = daemonlab_core::api::server::qualified_resource(kind);
        format!("error: error from server (NotFound): {resource} \"{name}\" not found in namespace \"{namespace}\"")
    })?;
    let mut out = Output::default();
    let pod = match Pod::of(object) {
        Some(pod) => pod,
        None => first_pod(cluster, object, namespace, &mut out)?,
    };
    let container = args
        .value(&["-c", "--container"])
        .map(str::to_string)
        .or_else(|| args.positional.get(1).cloned());
    let containers: Vec<String> = if args.flag(&["--all-containers"]) {
        daemonlab_core::api::logs::containers(pod)
            .map(str::to_string)
            .collect()
    } else {
        vec![match container {
            Some(c) => c,
            None => default_container(pod, &mut out)?,
        }]
    };
    let pod_name = pod.metadata.name.as_deref().unwrap_or("");
    let known: Vec<&str> = daemonlab_core::api::logs::containers(pod).collect();
    if let Some(unknown) = containers.iter().find(|c| !known.contains(&c.as_str())) {
        return Err(format!(
            "error: container {unknown} is not valid for pod {pod_name} out of: {}",
            all_container_names(pod)
        ));
    }
    for container in containers {
        match pod_log(store, namespace, pod_name, Some(&container)) {
            Ok(text) => out.stdout.push_str(&text),
            Err(error) => {
                out.stderr.push_str(&server_error(&error));
                out.exit_code = 1;
                return Ok(out);
            }
        }
    }
    Ok(out)
}

fn server_error(error: &ApiError) -> String {
    format!("Error from server ({}): {}\n", error.reason, error.message)
}

/// `podcmd.AllContainerNames`: app containers, then ephemeral, then init.
fn all_container_names(pod: &Pod) -> String {
    let spec = pod.spec.as_ref();
    let mut names: Vec<String> = spec
        .iter()
        .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
        .collect();
    names.extend(
        spec.iter()
            .flat_map(|s| s.ephemeral_containers.iter().flatten())
            .map(|c| format!("{} (ephem)", c.name)),
    );
    names.extend(
        spec.iter()
            .flat_map(|s| s.init_containers.iter().flatten())
            .map(|c| format!("{} (init)", c.name)),
    );
    names.join(", ")
}

fn default_container(pod: &Pod, out: &mut Output) -> Result<String, String> {
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(DEFAULT_CONTAINER))
        .filter(|c| !c.is_empty());
    if let Some(annotated) = annotated {
        if daemonlab_core::api::logs::containers(pod).any(|c| c == annotated) {
            return Ok(annotated.clone());
        }
        out.stderr.push_str(&format!(
            "Default container name {annotated:?} not found in pod {name}\n"
        ));
    }
    let spec = pod.spec.as_ref();
    let first = spec
        .and_then(|s| s.containers.first())
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let others = spec.is_some_and(|s| {
        s.containers.len() > 1
            || s.init_containers.as_ref().is_some_and(|c| !c.is_empty())
            || s.ephemeral_containers
                .as_ref()
                .is_some_and(|c| !c.is_empty())
    });
    if others {
        out.stderr.push_str(&format!(
            "Defaulted container {first:?} out of: {}\n",
            all_container_names(pod)
        ));
    }
    Ok(first)
}

/// A workload's pod to show: the first by `podutils.ByLogging`, said on
/// stderr when there were several.
fn first_pod<'a>(
    cluster: &'a Cluster,
    object: &Object,
    namespace: &str,
    out: &mut Output,
) -> Result<&'a Pod, String> {
    let json = object.to_json();
    let selector: LabelSelector = json
        .pointer("/spec/selector")
        .and_then(|s| serde_json::from_value(s.clone()).ok())
        .ok_or_else(|| {
            format!(
                "error: cannot get the logs from {}: selector for {} not implemented",
                object.kind().name(),
                object.kind().name()
            )
        })?;
    let mut pods: Vec<&Pod> = cluster
        .store()
        .list_namespace(Kind::Pod, namespace)
        .filter_map(|o| Pod::of(o))
        .filter(|p| selector_matches(&selector, &p.metadata.labels.clone().unwrap_or_default()))
        .collect();
    pods.sort_by(|a, b| by_logging(a, b));
    let first = pods
        .first()
        .copied()
        .ok_or_else(|| "error: timed out waiting for the condition".to_string())?;
    if pods.len() > 1 {
        out.stderr.push_str(&format!(
            "Found {} pods, using pod/{}\n",
            pods.len(),
            first.metadata.name.as_deref().unwrap_or("")
        ));
    }
    Ok(first)
}

/// `podutils.ByLogging`: assigned, running, ready, ready longer, more
/// restarts, older first.
fn by_logging(a: &Pod, b: &Pod) -> Ordering {
    let node = |p: &Pod| {
        p.spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default()
    };
    let phase = |p: &Pod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") => 0,
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 3,
    };
    let ready_time = |p: &Pod| {
        pod_condition(p, "Ready")
            .filter(|c| c.status == "True")
            .and_then(|c| c.last_transition_time.as_ref().map(|t| t.0))
    };
    let restarts = |p: &Pod| {
        p.status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .max()
            .unwrap_or(0)
    };
    let assigned = |p: &Pod| !node(p).is_empty();
    if node(a) != node(b) && (!assigned(a) || !assigned(b)) {
        return assigned(b).cmp(&assigned(a));
    }
    phase(a)
        .cmp(&phase(b))
        .then_with(|| is_pod_ready(b).cmp(&is_pod_ready(a)))
        .then_with(|| {
            if is_pod_ready(a) && is_pod_ready(b) {
                ready_time(a).cmp(&ready_time(b))
            } else {
                Ordering::Equal
            }
        })
        .then_with(|| restarts(b).cmp(&restarts(a)))
        .then_with(|| {
            a.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0)
                .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
        })
}
