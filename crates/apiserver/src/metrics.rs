//! The Metrics API (`metrics.k8s.io/v1beta1`) as metrics-server serves it
//! through the aggregator, once it runs in the cluster: `NodeMetrics` and
//! `PodMetrics`, listed or got by name, label selectors applied. The usage is
//! the simulation's (`daemonlab_core::metrics`). Before metrics-server runs
//! the group is not discovered, and its paths are not found.

use daemonlab_core::api::store::Store;
use daemonlab_core::api::{Kind, Served};
use daemonlab_core::metrics::{api_available, node_usages, pod_usage, Usage};
use daemonlab_kubectl::get::labels_of;
use daemonlab_kubectl::selector::Selector;
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{json, Value};

use crate::route::Target;
use crate::{status, ApiServer, Request, Response};

pub const GROUP: &str = "metrics.k8s.io";
pub const VERSION: &str = "v1beta1";

/// Whether discovery lists the group.
pub fn served(store: &Store) -> bool {
    api_available(store)
}

/// The group in the legacy `APIGroupList`.
pub fn group() -> Value {
    let version = json!({"groupVersion": format!("{GROUP}/{VERSION}"), "version": VERSION});
    json!({"name": GROUP, "versions": [version], "preferredVersion": version})
}

/// The group's `APIGroupDiscovery`, as the aggregator builds it from
/// metrics-server's resource list.
pub fn group_discovery() -> Value {
    let resource = |name: &str, kind: &str, scope: &str| {
        json!({
            "resource": name,
            "responseKind": {"group": GROUP, "version": VERSION, "kind": kind},
            "scope": scope,
            "singularResource": "",
            "verbs": ["get", "list"],
        })
    };
    json!({
        "metadata": {"name": GROUP, "creationTimestamp": null},
        "versions": [{
            "version": VERSION,
            "resources": [
                resource("nodes", "NodeMetrics", "Cluster"),
                resource("pods", "PodMetrics", "Namespaced"),
            ],
            "freshness": "Current",
        }],
    })
}

/// `/apis/metrics.k8s.io/v1beta1`.
pub fn resource_list() -> Response {
    let resource = |name: &str, kind: &str, namespaced: bool| json!({"name": name, "singularName": "", "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]});
    Response::json(
        200,
        &json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": format!("{GROUP}/{VERSION}"),
            "resources": [
                resource("nodes", "NodeMetrics", false),
                resource("pods", "PodMetrics", true),
            ],
        }),
    )
}

fn usage(usage: &Usage) -> Value {
    json!({"cpu": usage.cpu_text(), "memory": usage.memory_text()})
}

fn not_found(resource: &str, name: &str) -> Response {
    Response::json(
        404,
        &status::body(
            404,
            "NotFound",
            &format!("{resource}.{GROUP} \"{name}\" not found"),
            Some(json!({"name": name, "group": GROUP, "kind": resource})),
        ),
    )
}

/// `GET /apis/metrics.k8s.io/v1beta1/…`.
pub fn handle(server: &ApiServer, request: &Request, target: &Target) -> Response {
    let state = server.lock();
    let cluster = &state.cluster;
    let store = cluster.store();
    if !api_available(store) || target.version != VERSION || target.subresource.is_some() {
        return status::not_found_path();
    }
    if request.method != "GET" {
        return status::method_not_allowed();
    }
    let selector = match Selector::parse(request.param("labelSelector").unwrap_or("")) {
        Ok(selector) => selector,
        Err(error) => return status::bad_request(&error),
    };
    let now = cluster.now().to_string();
    let meta = |name: &str, namespace: Option<&str>, labels: Value| {
        let mut meta = json!({"name": name, "creationTimestamp": now, "labels": labels});
        if let Some(namespace) = namespace {
            meta["namespace"] = json!(namespace);
        }
        meta
    };
    let (kind, items): (&str, Vec<Value>) = match target.resource.as_str() {
        "nodes" if target.namespace.is_none() => {
            let usages = node_usages(store);
            let items = store
                .list(Kind::Node)
                .filter_map(Node::of)
                .filter(|n| {
                    target
                        .name
                        .as_ref()
                        .is_none_or(|name| n.metadata.name.as_ref() == Some(name))
                })
                .filter(|n| selector.matches(&labels_of(&n.metadata)))
                .filter_map(|n| {
                    let name = n.metadata.name.as_deref()?;
                    let used = usages.get(name)?;
                    Some(json!({
                        "metadata": meta(name, None, json!(labels_of(&n.metadata))),
                        "timestamp": now,
                        "window": "20s",
                        "usage": usage(used),
                    }))
                })
                .collect();
            ("NodeMetrics", items)
        }
        "pods" => {
            let items = store
                .list(Kind::Pod)
                .filter_map(Pod::of)
                .filter(|p| {
                    target
                        .namespace
                        .as_ref()
                        .is_none_or(|ns| p.metadata.namespace.as_ref() == Some(ns))
                })
                .filter(|p| {
                    target
                        .name
                        .as_ref()
                        .is_none_or(|name| p.metadata.name.as_ref() == Some(name))
                })
                .filter(|p| selector.matches(&labels_of(&p.metadata)))
                .filter_map(|p| {
                    let containers = pod_usage(store, p)?;
                    Some(json!({
                        "metadata": meta(
                            p.metadata.name.as_deref().unwrap_or_default(),
                            p.metadata.namespace.as_deref(),
                            json!(labels_of(&p.metadata)),
                        ),
                        "timestamp": now,
                        "window": "20s",
                        "containers": containers
                            .iter()
                            .map(|(name, used)| json!({"name": name, "usage": usage(used)}))
                            .collect::<Vec<_>>(),
                    }))
                })
                .collect();
            ("PodMetrics", items)
        }
        _ => return status::not_found_path(),
    };
    let api_version = format!("{GROUP}/{VERSION}");
    match &target.name {
        Some(name) => match items.into_iter().next() {
            Some(mut item) => {
                item["kind"] = json!(kind);
                item["apiVersion"] = json!(api_version);
                Response::json(200, &item)
            }
            None => {
                let resource = if kind == "NodeMetrics" {
                    "nodemetrics"
                } else {
                    "podmetrics"
                };
                let shown = match &target.namespace {
                    Some(namespace) => format!("{namespace}/{name}"),
                    None => name.clone(),
                };
                not_found(resource, &shown)
            }
        },
        None => Response::json(
            200,
            &json!({
                "kind": format!("{kind}List"),
                "apiVersion": api_version,
                "metadata": {},
                "items": items,
            }),
        ),
    }
}
