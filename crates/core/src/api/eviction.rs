//! The eviction subresource (`pkg/registry/core/pod/storage/eviction.go`):
//! what `kubectl drain` asks for instead of a delete, which a
//! PodDisruptionBudget may refuse.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::errors::{ApiError, Reason};
use super::server::delete_pod;
use super::store::{Key, Store};
use super::validation::{selector_matches, ErrorType, FieldError};
use super::{Kind, Object, Served};

/// The eviction subresource (`pkg/registry/core/pod/storage/eviction.go`): a
/// pod a PodDisruptionBudget covers goes only while the budget allows a
/// disruption, and takes one from it at once; an unready pod may go while the
/// budget is met (`unhealthyPodEvictionPolicy: IfHealthyBudget`).
pub fn evict(store: &mut Store, key: &Key, now: &Time) -> Result<Pod, ApiError> {
    let Some(pod) = store.pod(key).cloned() else {
        return Err(ApiError::not_found("pods", &key.1));
    };
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let budgets: Vec<PodDisruptionBudget> = store
        .list_namespace(Kind::PodDisruptionBudget, &key.0)
        .filter_map(|o| PodDisruptionBudget::of(o))
        .filter(|pdb| {
            pdb.spec
                .as_ref()
                .and_then(|s| s.selector.as_ref())
                .is_some_and(|s| selector_matches(s, &labels))
        })
        .cloned()
        .collect();
    let terminal = matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    );
    if budgets.len() > 1 && !terminal {
        return Err(ApiError::new(
            Reason::InternalError,
            "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        ));
    }
    if let Some(mut pdb) = budgets.into_iter().next().filter(|_| !terminal) {
        let mut status = pdb.status.clone().unwrap_or_default();
        let ready = pod
            .status
            .iter()
            .flat_map(|s| s.conditions.iter().flatten())
            .any(|c| c.type_ == "Ready" && c.status == "True");
        let (current, desired) = (
            status.current_healthy.unwrap_or(0),
            status.desired_healthy.unwrap_or(0),
        );
        let allowed = status.disruptions_allowed.unwrap_or(0);
        let healthy_enough = current >= desired;
        if ready || !healthy_enough {
            if allowed <= 0 {
                let name = pdb.metadata.name.clone().unwrap_or_default();
                let mut error = ApiError::new(
                    Reason::TooManyRequests,
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                );
                error.details.causes = vec![FieldError {
                    field: String::new(),
                    type_: ErrorType::Forbidden,
                    value: String::new(),
                    detail: format!(
                        "The disruption budget {name} needs {desired} healthy pods and has {current} currently"
                    ),
                }];
                return Err(error);
            }
            status.disruptions_allowed = Some(allowed - 1);
            status
                .disrupted_pods
                .get_or_insert_with(BTreeMap::new)
                .insert(key.1.clone(), now.clone());
            pdb.status = Some(status);
            store.put(Object::from(pdb));
        }
    }
    delete_pod(store, key, None, now)
}
