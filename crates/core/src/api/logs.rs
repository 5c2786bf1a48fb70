//! `pods/log`: what a container has written. The simulated containers run no
//! program, so a started container's log is empty; the errors are the API
//! server's (no such pod or container, a container not started yet).

use k8s_openapi::api::core::v1::Pod;

use super::errors::{ApiError, Reason};
use super::store::Store;

/// The log of `container` (the pod's only container when `None`) of pod
/// `namespace/name`.
pub fn pod_log(
    store: &Store,
    namespace: &str,
    name: &str,
    container: Option<&str>,
) -> Result<String, ApiError> {
    let pod = store
        .pod(&(namespace.to_string(), name.to_string()))
        .ok_or_else(|| ApiError::not_found("pods", name))?;
    let names: Vec<&str> = containers(pod).collect();
    let container = match (container, names.as_slice()) {
        (Some(c), _) => c,
        (None, [only]) => only,
        (None, _) => {
            return Err(ApiError::new(
                Reason::BadRequest,
                format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                ),
            ))
        }
    };
    if !names.contains(&container) {
        return Err(ApiError::new(
            Reason::BadRequest,
            format!("container {container} is not valid for pod {name}"),
        ));
    }
    let state = pod
        .status
        .iter()
        .flat_map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
        })
        .find(|s| s.name == container)
        .and_then(|s| s.state.as_ref());
    let waiting = match state {
        None => Some("ContainerCreating".to_string()),
        Some(state) if state.running.is_none() && state.terminated.is_none() => Some(
            state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .unwrap_or_else(|| "ContainerCreating".to_string()),
        ),
        Some(_) => None,
    };
    match waiting {
        Some(reason) => Err(ApiError::new(
            Reason::BadRequest,
            format!("container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"),
        )),
        None => Ok(String::new()),
    }
}

/// The pod's containers by name: init containers, then the others.
pub fn containers(pod: &Pod) -> impl Iterator<Item = &str> {
    pod.spec.iter().flat_map(|s| {
        s.init_containers
            .iter()
            .flatten()
            .chain(s.containers.iter())
            .map(|c| c.name.as_str())
    })
}
