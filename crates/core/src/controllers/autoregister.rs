//! The aggregator's autoregister controller and the CRD registration
//! controller (`kube-aggregator/pkg/controllers/autoregister`,
//! `pkg/controlplane/controller/crdregistration`): every group version the
//! API server serves has a local APIService, registered once at start
//! (`kube-aggregator.kubernetes.io/automanaged: onstart`), and every version a
//! CustomResourceDefinition serves has one kept in step with the CRDs
//! (`automanaged: "true"`), removed when no CRD serves it any more.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::{APIService, APIServiceSpec};

use super::{Ctx, Cursor};
use crate::api::registry::other_versions;
use crate::api::server::{create, delete, Cascade};
use crate::api::store::Store;
use crate::api::{Kind, Object, Served};

const MANAGED_LABEL: &str = "kube-aggregator.kubernetes.io/automanaged";
const ON_START: &str = "onstart";
const CONTINUOUSLY: &str = "true";

/// `groupPriorityMinimum` and `versionPriority` of the built-in group
/// versions, from kube-apiserver's table (`apiVersionPriorities`).
fn priority(group: &str, version: &str) -> Option<(i32, i32)> {
    Some(match (group, version) {
        ("", "v1") => (18000, 1),
        ("apps", "v1") => (17800, 15),
        ("autoscaling", "v1") => (17500, 15),
        ("autoscaling", "v2") => (17500, 30),
        ("batch", "v1") => (17400, 15),
        ("networking.k8s.io", "v1") => (17200, 15),
        ("policy", "v1") => (17100, 15),
        ("rbac.authorization.k8s.io", "v1") => (17000, 15),
        ("storage.k8s.io", "v1") => (16800, 15),
        ("apiextensions.k8s.io", "v1") => (16700, 15),
        ("admissionregistration.k8s.io", "v1") => (16700, 15),
        ("scheduling.k8s.io", "v1") => (16600, 15),
        ("coordination.k8s.io", "v1") => (16500, 15),
        ("node.k8s.io", "v1") => (16300, 15),
        ("discovery.k8s.io", "v1") => (16200, 15),
        _ => return None,
    })
}

fn api_service(group: &str, version: &str, priority: (i32, i32), managed: &str) -> Object {
    Object::from(APIService {
        metadata: ObjectMeta {
            name: Some(format!("{version}.{group}")),
            labels: Some(BTreeMap::from([(
                MANAGED_LABEL.to_string(),
                managed.to_string(),
            )])),
            ..Default::default()
        },
        spec: Some(APIServiceSpec {
            group: Some(group.to_string()),
            version: Some(version.to_string()),
            group_priority_minimum: priority.0,
            version_priority: priority.1,
            ..Default::default()
        }),
        status: None,
    })
}

/// The local APIServices the API server registers as it starts: one per
/// group version of the built-in kinds it serves. The aggregator serves
/// `apiregistration.k8s.io` itself, so that group has none.
pub fn built_in() -> Vec<Object> {
    let versions: BTreeSet<(&str, &str)> = Kind::ALL
        .iter()
        .flat_map(|k| std::iter::once(k.api_version()).chain(other_versions(*k).iter().copied()))
        .map(|api_version| api_version.rsplit_once('/').unwrap_or(("", api_version)))
        .collect();
    versions
        .into_iter()
        .filter_map(|(group, version)| {
            let priority = priority(group, version)?;
            Some(api_service(group, version, priority, ON_START))
        })
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct AutoregisterState {
    cursor: Cursor,
}

/// When CRDs changed: an APIService for each version a CRD serves, with the
/// low priority every CRD gets; those no CRD serves any more go.
pub fn sync(store: &mut Store, state: &mut AutoregisterState, ctx: &mut Ctx) -> bool {
    let relevant = state
        .cursor
        .unread(store)
        .iter()
        .any(|e| matches!(e.kind, Kind::CustomResourceDefinition | Kind::APIService));
    state.cursor.catch_up(store);
    if !relevant {
        return false;
    }
    let wanted: BTreeSet<(String, String)> = store
        .custom_kinds()
        .flat_map(|(kind, _)| {
            kind.versions
                .iter()
                .map(move |v| (kind.group.to_string(), v.to_string()))
        })
        .collect();
    let managed: Vec<String> = store
        .list(Kind::APIService)
        .filter_map(|o| APIService::of(o))
        .filter(|a| {
            a.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(MANAGED_LABEL))
                .is_some_and(|v| v == CONTINUOUSLY)
        })
        .filter_map(|a| a.metadata.name.clone())
        .collect();
    let mut changed = false;
    for (group, version) in &wanted {
        let service = api_service(group, version, (1000, 100), CONTINUOUSLY);
        if store.get_like(&service).is_none() {
            changed |= create(store, service, &mut ctx.env()).is_ok();
        }
    }
    for name in managed {
        let served = wanted
            .iter()
            .any(|(group, version)| format!("{version}.{group}") == name);
        if !served {
            changed |= delete(store, Kind::APIService, "", &name, Cascade::Background).is_ok();
        }
    }
    if changed {
        state.cursor.catch_up(store);
    }
    changed
}
