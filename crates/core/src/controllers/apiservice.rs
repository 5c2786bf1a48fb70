//! The aggregator's availability controller (`kube-aggregator/pkg/controllers/status`):
//! an APIService served by the API server itself is Available; one backed by
//! a Service is Available once that Service has a ready endpoint, and says why
//! not until then. No aggregated API server runs here, so a backend with ready
//! pods is taken to answer.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::{
    APIService, APIServiceCondition, APIServiceStatus,
};

use super::endpoints::slices_of;
use super::{Ctx, Cursor};
use crate::api::store::{key_of, Store};
use crate::api::{Kind, Object, Served};

#[derive(Clone, Debug, Default)]
pub struct APIServiceState {
    cursor: Cursor,
}

impl APIServiceState {
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }
}

/// The Available condition's status, reason and message.
fn availability(store: &Store, api: &APIService) -> (&'static str, &'static str, String) {
    let Some(reference) = api.spec.as_ref().and_then(|s| s.service.as_ref()) else {
        return (
            "True",
            "Local",
            "Local APIServices are always available".to_string(),
        );
    };
    let namespace = reference.namespace.clone().unwrap_or_default();
    let name = reference.name.clone().unwrap_or_default();
    let Some(service) = store
        .get(Kind::Service, &namespace, &name)
        .and_then(|o| Service::of(o))
    else {
        return (
            "False",
            "ServiceNotFound",
            format!("service/{name} in {namespace:?} is not present"),
        );
    };
    let port = reference.port.unwrap_or(443);
    let port_name = service
        .spec
        .iter()
        .flat_map(|s| s.ports.iter().flatten())
        .find(|p| p.port == port)
        .and_then(|p| p.name.clone())
        .unwrap_or_default();
    let ready = slices_of(store, &namespace, &name)
        .flat_map(|s| s.endpoints.iter().flatten())
        .any(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true));
    if ready {
        ("True", "Passed", "all checks passed".to_string())
    } else {
        (
            "False",
            "MissingEndpoints",
            format!("endpoints for service/{name} in {namespace:?} have no addresses with port name {port_name:?}"),
        )
    }
}

/// Recomputes every APIService's availability when APIServices, Services or
/// their endpoints changed.
pub fn sync_all(store: &mut Store, state: &mut APIServiceState, ctx: &mut Ctx) -> bool {
    let relevant = state.cursor.unread(store).iter().any(|e| {
        matches!(
            e.kind,
            Kind::APIService | Kind::Service | Kind::EndpointSlice
        )
    });
    state.cursor.catch_up(store);
    if !relevant {
        return false;
    }
    let keys: Vec<_> = store
        .list(Kind::APIService)
        .map(|o| key_of(o.metadata()))
        .collect();
    let mut changed = false;
    for key in keys {
        let Some(api) = store
            .get(Kind::APIService, &key.0, &key.1)
            .and_then(|o| APIService::of(o))
            .cloned()
        else {
            continue;
        };
        let (status, reason, message) = availability(store, &api);
        let previous = api
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Available"));
        if previous.is_some_and(|p| {
            p.status == status
                && p.reason.as_deref() == Some(reason)
                && p.message.as_deref() == Some(message.as_str())
        }) {
            continue;
        }
        let transition = match previous {
            Some(p) if p.status == status => p.last_transition_time.clone(),
            _ => Some(ctx.now.clone()),
        };
        let mut updated = api;
        updated.status = Some(APIServiceStatus {
            conditions: Some(vec![APIServiceCondition {
                type_: "Available".to_string(),
                status: status.to_string(),
                reason: Some(reason.to_string()),
                message: Some(message),
                last_transition_time: transition,
            }]),
        });
        store.put(Object::from(updated));
        changed = true;
    }
    changed
}
