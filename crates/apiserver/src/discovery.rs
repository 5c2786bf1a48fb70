//! Discovery: `/version`, the aggregated documents (`apidiscovery.k8s.io/v2`,
//! which kubectl asks for first) and the legacy ones (`APIVersions`,
//! `APIGroupList`, `APIResourceList`), listing the kinds the simulated API
//! server serves, custom ones included, in the aggregator's group order.

use std::collections::BTreeMap;

use daemonlab_core::api::registry::other_versions;
use daemonlab_core::api::store::Store;
use daemonlab_core::api::Kind;
use daemonlab_kubectl::info::version_info;
use daemonlab_kubectl::resources::DISCOVERY_ORDER;
use serde_json::{json, Value};

use crate::{metrics, status, ApiServer, Request, Response};

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// `/version`.
pub fn version() -> Response {
    let fields: serde_json::Map<String, Value> = version_info(true)
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    Response::json(200, &Value::Object(fields))
}

/// Does the client take the aggregated document?
fn wants_aggregated(request: &Request) -> bool {
    request
        .header("accept")
        .is_some_and(|a| a.contains("as=APIGroupDiscoveryList") && a.contains("v=v2;"))
}

/// The versions a kind is served at, preferred first.
fn versions(kind: Kind) -> Vec<&'static str> {
    match kind.custom() {
        Some(custom) => {
            let preferred = custom.api_version.rsplit('/').next().unwrap_or("");
            let mut versions = vec![preferred];
            versions.extend(custom.versions.iter().filter(|v| **v != preferred));
            versions
        }
        None => {
            let mut versions = vec![version_of(kind.api_version())];
            versions.extend(other_versions(kind).iter().map(|v| version_of(v)));
            versions
        }
    }
}

fn version_of(api_version: &str) -> &str {
    api_version.rsplit('/').next().unwrap_or(api_version)
}

/// A version and the kinds served at it.
type Version = (&'static str, Vec<Kind>);

/// Every group with its versions (preferred first) and each version's kinds,
/// in discovery order.
fn groups(store: &Store) -> Vec<(&'static str, Vec<Version>)> {
    let mut by_group: BTreeMap<(usize, &'static str), Vec<Version>> = BTreeMap::new();
    for kind in store.kinds() {
        let group = kind.group();
        let rank = DISCOVERY_ORDER
            .iter()
            .position(|g| *g == group)
            .unwrap_or(DISCOVERY_ORDER.len());
        let versions_of_group = by_group.entry((rank, group)).or_default();
        for version in versions(kind) {
            match versions_of_group.iter_mut().find(|(v, _)| *v == version) {
                Some((_, kinds)) => kinds.push(kind),
                None => versions_of_group.push((version, vec![kind])),
            }
        }
    }
    by_group
        .into_iter()
        .map(|((_, group), mut versions)| {
            for (_, kinds) in &mut versions {
                kinds.sort_by_key(|k| k.plural());
            }
            (group, versions)
        })
        .collect()
}

fn verbs(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Namespace => vec![
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        _ => vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
    }
}

/// A subresource: its name, the group/version/kind it answers with, verbs.
struct Subresource {
    name: &'static str,
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    verbs: &'static [&'static str],
}

const READ_WRITE: &[&str] = &["get", "patch", "update"];

fn subresources(store: &Store, kind: Kind, version: &'static str) -> Vec<Subresource> {
    let own = |name| Subresource {
        name,
        group: kind.group(),
        version,
        kind: kind.name(),
        verbs: READ_WRITE,
    };
    let scale = || Subresource {
        name: "scale",
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: READ_WRITE,
    };
    match kind {
        Kind::Pod => vec![
            Subresource {
                name: "eviction",
                group: "policy",
                version: "v1",
                kind: "Eviction",
                verbs: &["create"],
            },
            Subresource {
                name: "log",
                group: "",
                version: "v1",
                kind: "Pod",
                verbs: &["get"],
            },
            own("status"),
        ],
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet => vec![scale(), own("status")],
        Kind::Namespace => vec![
            Subresource {
                name: "finalize",
                verbs: &["update"],
                ..own("finalize")
            },
            own("status"),
        ],
        Kind::DaemonSet
        | Kind::Node
        | Kind::Job
        | Kind::CronJob
        | Kind::Service
        | Kind::HorizontalPodAutoscaler
        | Kind::PodDisruptionBudget
        | Kind::PersistentVolume
        | Kind::PersistentVolumeClaim
        | Kind::ResourceQuota
        | Kind::CustomResourceDefinition
        | Kind::APIService
        | Kind::Ingress
        | Kind::ValidatingAdmissionPolicy
        | Kind::VolumeAttachment => vec![own("status")],
        Kind::Custom(custom) => {
            let served = store.custom_version(custom, version);
            let subs = served.and_then(|v| v.subresources.as_ref());
            let mut list = Vec::new();
            if subs.is_some_and(|s| s.scale.is_some()) {
                list.push(scale());
            }
            if subs.is_some_and(|s| s.status.is_some()) {
                list.push(own("status"));
            }
            list
        }
        _ => Vec::new(),
    }
}

fn singular(kind: Kind) -> String {
    match kind.custom() {
        Some(custom) => custom.singular.to_string(),
        None => kind.name().to_lowercase(),
    }
}

fn scope(kind: Kind) -> &'static str {
    if kind.namespaced() {
        "Namespaced"
    } else {
        "Cluster"
    }
}

/// A resource's short names and categories, listed when it has some.
fn add_names(resource: &mut Value, kind: Kind) {
    if !kind.short_names().is_empty() {
        resource["shortNames"] = json!(kind.short_names());
    }
    if !kind.categories().is_empty() {
        resource["categories"] = json!(kind.categories());
    }
}

/// One group's `APIGroupDiscovery`.
fn group_discovery(store: &Store, group: &str, versions: &[Version]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|(version, kinds)| {
            let resources: Vec<Value> = kinds
                .iter()
                .map(|kind| {
                    let mut resource = json!({
                        "resource": kind.plural(),
                        "responseKind": {"group": group, "version": version, "kind": kind.name()},
                        "scope": scope(*kind),
                        "singularResource": singular(*kind),
                        "verbs": verbs(*kind),
                    });
                    add_names(&mut resource, *kind);
                    let subs: Vec<Value> = subresources(store, *kind, version)
                        .iter()
                        .map(|s| {
                            json!({
                                "subresource": s.name,
                                "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                                "verbs": s.verbs,
                            })
                        })
                        .collect();
                    if !subs.is_empty() {
                        resource["subresources"] = Value::Array(subs);
                    }
                    resource
                })
                .collect();
            json!({"version": version, "resources": resources, "freshness": "Current"})
        })
        .collect();
    let metadata = if group.is_empty() {
        json!({"creationTimestamp": null})
    } else {
        json!({"name": group, "creationTimestamp": null})
    };
    json!({"metadata": metadata, "versions": versions})
}

fn aggregated(items: Vec<Value>) -> Response {
    Response::typed(
        200,
        AGGREGATED,
        &json!({
            "kind": "APIGroupDiscoveryList",
            "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {},
            "items": items,
        }),
    )
}

/// `/api`: the core group.
pub fn api(server: &ApiServer, request: &Request) -> Response {
    let state = server.lock();
    let store = state.cluster.store();
    if wants_aggregated(request) {
        let items = groups(store)
            .into_iter()
            .filter(|(group, _)| group.is_empty())
            .map(|(group, versions)| group_discovery(store, group, &versions))
            .collect();
        return aggregated(items);
    }
    Response::json(
        200,
        &json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
        }),
    )
}

/// `/apis`: every other group.
pub fn apis(server: &ApiServer, request: &Request) -> Response {
    let state = server.lock();
    let store = state.cluster.store();
    let groups: Vec<_> = groups(store)
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .collect();
    // metrics-server's APIService asks for the lowest priority: it comes last.
    let metrics = metrics::served(store);
    if wants_aggregated(request) {
        let mut items: Vec<Value> = groups
            .iter()
            .map(|(group, versions)| group_discovery(store, group, versions))
            .collect();
        if metrics {
            items.push(metrics::group_discovery());
        }
        return aggregated(items);
    }
    let mut list: Vec<Value> = groups
        .iter()
        .map(|(group, versions)| {
            let entry =
                |version: &str| json!({"groupVersion": format!("{group}/{version}"), "version": version});
            json!({
                "name": group,
                "versions": versions.iter().map(|(v, _)| entry(v)).collect::<Vec<_>>(),
                "preferredVersion": entry(versions.first().map_or("", |(v, _)| v)),
            })
        })
        .collect();
    if metrics {
        list.push(metrics::group());
    }
    Response::json(
        200,
        &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": list}),
    )
}

/// `/api/v1`, `/apis/apps/v1`: a group version's resources and subresources.
pub fn resource_list(server: &ApiServer, group: &str, version: &str) -> Response {
    let state = server.lock();
    let store = state.cluster.store();
    if group == metrics::GROUP && version == metrics::VERSION && metrics::served(store) {
        return metrics::resource_list();
    }
    let Some((_, kinds)) = groups(store)
        .into_iter()
        .filter(|(g, _)| *g == group)
        .flat_map(|(_, versions)| versions)
        .find(|(v, _)| *v == version)
    else {
        return status::not_found_path();
    };
    let version: &'static str = versions_static(&kinds, version);
    let mut resources = Vec::new();
    for kind in &kinds {
        let mut resource = json!({
            "name": kind.plural(),
            "singularName": singular(*kind),
            "namespaced": kind.namespaced(),
            "kind": kind.name(),
            "verbs": verbs(*kind),
        });
        add_names(&mut resource, *kind);
        resources.push(resource);
        for sub in subresources(store, *kind, version) {
            let mut entry = json!({
                "name": format!("{}/{}", kind.plural(), sub.name),
                "singularName": "",
                "namespaced": kind.namespaced(),
                "kind": sub.kind,
                "verbs": sub.verbs,
            });
            if sub.group != group || sub.version != version {
                entry["group"] = json!(sub.group);
                entry["version"] = json!(sub.version);
            }
            resources.push(entry);
        }
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Response::json(
        200,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        }),
    )
}

/// The `'static` spelling of `version` among the versions of `kinds`.
fn versions_static(kinds: &[Kind], version: &str) -> &'static str {
    kinds
        .iter()
        .flat_map(|k| versions(*k))
        .find(|v| *v == version)
        .unwrap_or("v1")
}

/// Every served group version with its kinds, in discovery order.
pub fn served_group_versions(store: &Store) -> Vec<(&'static str, &'static str, Vec<Kind>)> {
    groups(store)
        .into_iter()
        .flat_map(|(group, versions)| {
            versions
                .into_iter()
                .map(move |(version, kinds)| (group, version, kinds))
        })
        .collect()
}

/// The kind `resource` names in `group`/`version`, if served there.
pub fn kind_at(store: &Store, group: &str, version: &str, resource: &str) -> Option<Kind> {
    store
        .kinds()
        .find(|k| k.group() == group && k.plural() == resource && versions(*k).contains(&version))
}
