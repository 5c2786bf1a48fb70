//! The resource handlers: list (label and field selectors, pages, Tables),
//! get, create, update, patch, delete (one or a collection), and the
//! subresources `status`, `scale`, `eviction` and `log`. Every write goes
//! through the same path as the playground's own kubectl: the core's strict
//! decoding, defaulting, admission and validation.

use std::sync::Arc;

use daemonlab_core::api::errors::{ApiError, Reason};
use daemonlab_core::api::logs::pod_log;
use daemonlab_core::api::patch::PatchType;
use daemonlab_core::api::registry::at_version;
use daemonlab_core::api::server::{qualified_resource, Cascade};
use daemonlab_core::api::store::Store;
use daemonlab_core::api::{Kind, Object};
use daemonlab_kubectl::get::{field_matches, labels_of, parse_field_selector, selectable_fields};
use daemonlab_kubectl::selector::Selector;
use serde_json::{json, Value};

use crate::discovery::kind_at;
use crate::route::Target;
use crate::{protobuf, status, tables, watch, ApiServer, Clock, Request, Response};

/// What a request is about, once its kind is known.
pub(crate) struct Scope<'a> {
    pub kind: Kind,
    pub target: &'a Target,
    /// `group/version` of the request (the object is answered at it).
    pub api_version: String,
}

impl Scope<'_> {
    fn namespace(&self) -> &str {
        self.target.namespace.as_deref().unwrap_or("")
    }

    fn error(&self, error: &ApiError) -> Response {
        status::error(error, &self.target.group, &self.target.resource)
    }

    /// An object as the request's version serves it.
    pub fn json(&self, object: &Object) -> Value {
        at_version(self.kind, object.to_json(), &self.api_version)
    }
}

pub fn handle(server: &Arc<ApiServer>, request: &Request, target: Target) -> Response {
    let kind = {
        let state = server.lock();
        kind_at(
            state.cluster.store(),
            &target.group,
            &target.version,
            &target.resource,
        )
    };
    let Some(kind) = kind else {
        return status::not_found_path();
    };
    if !kind.namespaced() && target.namespace.is_some() {
        return status::not_found_path();
    }
    let api_version = if target.group.is_empty() {
        target.version.clone()
    } else {
        format!("{}/{}", target.group, target.version)
    };
    let scope = Scope {
        kind,
        target: &target,
        api_version,
    };
    let mut response = route(server, request, &scope);
    if kind == Kind::Endpoints {
        // The API server's deprecation warning, which clients print.
        response.headers.push((
            "Warning".to_string(),
            "299 - \"v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\""
                .to_string(),
        ));
    }
    response
}

fn route(server: &Arc<ApiServer>, request: &Request, scope: &Scope) -> Response {
    let (target, kind) = (scope.target, scope.kind);
    let method = request.method.as_str();
    match (&target.name, target.subresource.as_deref(), method) {
        (None, None, "GET") if is_watch(request) => watch::start(server, request, scope),
        (None, None, "GET") => list(server, request, scope),
        (None, None, "POST") => create(server, request, scope),
        (None, None, "DELETE") => delete_collection(server, request, scope),
        (Some(name), None | Some("status"), "GET") => get(server, request, scope, name),
        (Some(name), sub @ (None | Some("status")), "PUT") => {
            update(server, request, scope, name, sub.is_some())
        }
        (Some(name), sub @ (None | Some("status")), "PATCH") => {
            patch(server, request, scope, name, sub.is_some())
        }
        (Some(name), None, "DELETE") => delete(server, request, scope, name),
        (Some(name), Some("scale"), _) if has_scale(kind) => scale(server, request, scope, name),
        (Some(name), Some("eviction"), "POST") if kind == Kind::Pod => {
            evict(server, request, scope, name)
        }
        (Some(name), Some("log"), "GET") if kind == Kind::Pod => log(server, request, scope, name),
        (_, Some(_), _) => status::not_found_path(),
        _ => status::method_not_allowed(),
    }
}

fn is_watch(request: &Request) -> bool {
    matches!(request.param("watch"), Some("true" | "1"))
}

fn has_scale(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet
    )
}

/// The objects a list or watch selects: the namespace of the path (every
/// namespace without one), `labelSelector` and `fieldSelector`.
pub(crate) fn select<'a>(
    store: &'a Store,
    request: &Request,
    scope: &Scope,
) -> Result<Vec<&'a Object>, Response> {
    let labels = Selector::parse(request.param("labelSelector").unwrap_or(""))
        .map_err(|e| status::bad_request(&format!("unable to parse requirement: {e}")))?;
    let fields = parse_field_selector(request.param("fieldSelector").unwrap_or(""))
        .map_err(|e| status::bad_request(e.trim_start_matches("error: ")))?;
    if let Some((field, _, _)) = fields
        .iter()
        .find(|(f, _, _)| !selectable_fields(scope.kind).contains(&f.as_str()))
    {
        return Err(status::bad_request(&format!(
            "field label not supported: {field}"
        )));
    }
    let namespace = scope.target.namespace.as_deref();
    Ok(store
        .list(scope.kind)
        .filter(|o| namespace.is_none_or(|ns| o.namespace() == ns))
        .filter(|o| labels.matches(&labels_of(o.metadata())))
        .filter(|o| field_matches(o, &fields))
        .collect())
}

fn list(server: &ApiServer, request: &Request, scope: &Scope) -> Response {
    let state = server.lock();
    let mut objects = match select(state.cluster.store(), request, scope) {
        Ok(objects) => objects,
        Err(response) => return response,
    };
    // Pages: `limit`, and `continue` naming the first object of the next page.
    if let Some(start) = request.param("continue").filter(|c| !c.is_empty()) {
        let from = objects
            .iter()
            .position(|o| page_key(o) == start)
            .unwrap_or(objects.len());
        objects.drain(..from);
    }
    let mut metadata = json!({
        "resourceVersion": state.cluster.store().resource_version().to_string(),
    });
    if let Some(limit) = request
        .param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0 && *l < objects.len())
    {
        let remaining = objects.len() - limit;
        let next = page_key(objects[limit]);
        objects.truncate(limit);
        metadata["continue"] = json!(next);
        metadata["remainingItemCount"] = json!(remaining);
    }
    if tables::wanted(request) {
        let table = tables::of(
            request,
            scope.kind,
            &objects,
            state.cluster.store(),
            state.cluster.now(),
            metadata,
        );
        return Response::typed(200, tables::TABLE, &table);
    }
    let builtin = scope.kind.custom().is_none();
    let items: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut item = scope.json(o);
            // A typed list's items carry no apiVersion and kind.
            if let (true, Some(fields)) = (builtin, item.as_object_mut()) {
                fields.remove("apiVersion");
                fields.remove("kind");
            }
            item
        })
        .collect();
    Response::json(
        200,
        &json!({
            "kind": format!("{}List", scope.kind.name()),
            "apiVersion": scope.api_version,
            "metadata": metadata,
            "items": items,
        }),
    )
}

/// A page boundary: the object's namespace and name.
fn page_key(object: &Object) -> String {
    format!("{}/{}", object.namespace(), object.name())
}

fn not_found(scope: &Scope, name: &str) -> Response {
    scope.error(&ApiError::not_found(&qualified_resource(scope.kind), name))
}

fn get(server: &ApiServer, request: &Request, scope: &Scope, name: &str) -> Response {
    let state = server.lock();
    let store = state.cluster.store();
    let Some(object) = store.get(scope.kind, scope.namespace(), name) else {
        return not_found(scope, name);
    };
    if tables::wanted(request) {
        let metadata = json!({"resourceVersion": object.metadata().resource_version});
        let table = tables::of(
            request,
            scope.kind,
            &[object],
            store,
            state.cluster.now(),
            metadata,
        );
        return Response::typed(200, tables::TABLE, &table);
    }
    Response::json(200, &scope.json(object))
}

/// The request's body as JSON (kubectl's typed clients send protobuf).
fn body(request: &Request) -> Result<Value, Response> {
    let content_type = request.header("content-type").unwrap_or("");
    if content_type.starts_with(protobuf::CONTENT_TYPE) {
        return protobuf::decode(&request.body)
            .map_err(|e| status::bad_request(&format!("error decoding the request body: {e}")));
    }
    let text = String::from_utf8_lossy(&request.body);
    serde_json::from_str(&text)
        .map_err(|e| status::bad_request(&format!("error decoding the request body: {e}")))
}

fn dry_run(request: &Request) -> bool {
    request.param("dryRun") == Some("All")
}

/// Runs `write` on the cluster, or on a copy of it for `dryRun=All`.
fn write<T>(
    server: &ApiServer,
    request: &Request,
    write: impl FnOnce(&mut daemonlab_core::sim::Cluster) -> T,
) -> T {
    let mut state = server.lock();
    if dry_run(request) {
        let mut copy = state.cluster.clone();
        return write(&mut copy);
    }
    let result = write(&mut state.cluster);
    server.wrote(&mut state, request);
    result
}

fn warnings(response: &mut Response, warnings: &[String]) {
    for warning in warnings {
        response
            .headers
            .push(("Warning".to_string(), format!("299 - {warning:?}")));
    }
}

fn create(server: &ApiServer, request: &Request, scope: &Scope) -> Response {
    let mut manifest = match body(request) {
        Ok(value) => value,
        Err(response) => return response,
    };
    if scope.kind.namespaced() {
        let path_namespace = scope.namespace().to_string();
        let meta = &mut manifest["metadata"];
        match meta.get("namespace").and_then(Value::as_str) {
            Some(ns) if !ns.is_empty() && ns != path_namespace => {
                return status::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                )
            }
            _ => meta["namespace"] = json!(path_namespace),
        }
    }
    let namespace = scope.namespace().to_string();
    write(server, request, |cluster| {
        match cluster.create_manifest(scope.kind, &manifest, &namespace, false) {
            Ok(applied) => {
                let object = cluster
                    .store()
                    .get(scope.kind, &namespace, &applied.name)
                    .map(|o| scope.json(o))
                    .unwrap_or(Value::Null);
                let mut response = Response::json(201, &object);
                warnings(&mut response, &applied.warnings);
                response
            }
            Err(error) => scope.error(&error),
        }
    })
}

fn update(
    server: &ApiServer,
    request: &Request,
    scope: &Scope,
    name: &str,
    status_only: bool,
) -> Response {
    let manifest = match body(request) {
        Ok(value) => value,
        Err(response) => return response,
    };
    let namespace = scope.namespace().to_string();
    write(server, request, |cluster| {
        let Some(stored) = cluster.store().get(scope.kind, &namespace, name) else {
            return not_found(scope, name);
        };
        let expected = manifest
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty());
        if let Some(expected) = expected {
            if stored.metadata().resource_version.as_deref() != Some(expected) {
                return conflict(scope, name);
            }
        }
        let decoded = match scope.kind.decode(&manifest, cluster.store()) {
            Ok(decoded) => decoded,
            Err(e) => {
                return scope.error(&ApiError::new(
                    Reason::BadRequest,
                    format!("{}: {}", e.path, e.message),
                ))
            }
        };
        if let Some(field) = decoded.unknown_fields.first() {
            return scope.error(&ApiError::new(
                Reason::BadRequest,
                format!("strict decoding error: unknown field {field:?}"),
            ));
        }
        let result = if status_only {
            cluster.update_status(decoded.object).map(|_| ())
        } else {
            cluster.update(decoded.object)
        };
        match result {
            Ok(()) => answer_with_stored(cluster, scope, name, 200),
            Err(error) => scope.error(&error),
        }
    })
}

/// `409 Conflict`: the client wrote over an object that changed since it read it.
fn conflict(scope: &Scope, name: &str) -> Response {
    let resource = qualified_resource(scope.kind);
    let message = format!("Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
    Response::json(
        409,
        &status::body(
            409,
            "Conflict",
            &message,
            Some(json!({"name": name, "group": scope.target.group, "kind": scope.target.resource})),
        ),
    )
}

fn answer_with_stored(
    cluster: &daemonlab_core::sim::Cluster,
    scope: &Scope,
    name: &str,
    code: u16,
) -> Response {
    match cluster.store().get(scope.kind, scope.namespace(), name) {
        Some(object) => Response::json(code, &scope.json(object)),
        None => not_found(scope, name),
    }
}

fn patch(
    server: &ApiServer,
    request: &Request,
    scope: &Scope,
    name: &str,
    status_only: bool,
) -> Response {
    let content_type = request.header("content-type").unwrap_or("");
    let Some(patch_type) = PatchType::from_content_type(content_type) else {
        return status::unsupported_media_type(content_type);
    };
    let patch = match body(request) {
        Ok(value) => value,
        Err(response) => return response,
    };
    let namespace = scope.namespace().to_string();
    write(server, request, |cluster| {
        match cluster.patch(
            (scope.kind, &namespace, name),
            &scope.api_version,
            patch_type,
            &patch,
            status_only,
        ) {
            Ok((_, after)) => Response::json(200, &scope.json(&after)),
            Err(error) => scope.error(&error),
        }
    })
}

/// `DeleteOptions` from the body or the query.
fn delete_options(request: &Request) -> (Cascade, Option<i64>) {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let policy = body
        .get("propagationPolicy")
        .and_then(Value::as_str)
        .or_else(|| request.param("propagationPolicy"));
    let orphan = body.get("orphanDependents").and_then(Value::as_bool) == Some(true)
        || request.param("orphanDependents") == Some("true");
    let cascade = if policy == Some("Orphan") || orphan {
        Cascade::Orphan
    } else {
        Cascade::Background
    };
    let grace = body
        .get("gracePeriodSeconds")
        .and_then(Value::as_i64)
        .or_else(|| request.param("gracePeriodSeconds")?.parse().ok());
    (cascade, grace)
}

fn delete(server: &ApiServer, request: &Request, scope: &Scope, name: &str) -> Response {
    let (cascade, grace) = delete_options(request);
    let namespace = scope.namespace().to_string();
    write(server, request, |cluster| {
        match cluster.delete(scope.kind, &namespace, name, cascade, grace) {
            Ok(object) => deleted(cluster, scope, &object),
            Err(error) => scope.error(&error),
        }
    })
}

/// What a delete answers: the object while it is still there (a pod
/// stopping), else a `Success` status naming it.
fn deleted(cluster: &daemonlab_core::sim::Cluster, scope: &Scope, object: &Object) -> Response {
    if let Some(still) = cluster
        .store()
        .get(scope.kind, object.namespace(), object.name())
    {
        return Response::json(200, &scope.json(still));
    }
    Response::json(
        200,
        &status::success(json!({
            "name": object.name(),
            "group": scope.target.group,
            "kind": scope.target.resource,
            "uid": object.metadata().uid,
        })),
    )
}

fn delete_collection(server: &ApiServer, request: &Request, scope: &Scope) -> Response {
    let (cascade, grace) = delete_options(request);
    let keys: Vec<(String, String)> = {
        let state = server.lock();
        match select(state.cluster.store(), request, scope) {
            Ok(objects) => objects
                .iter()
                .map(|o| (o.namespace().to_string(), o.name().to_string()))
                .collect(),
            Err(response) => return response,
        }
    };
    write(server, request, |cluster| {
        let mut items = Vec::new();
        for (namespace, name) in &keys {
            match cluster.delete(scope.kind, namespace, name, cascade, grace) {
                Ok(object) => items.push(scope.json(&object)),
                Err(error) => return scope.error(&error),
            }
        }
        Response::json(
            200,
            &json!({
                "kind": format!("{}List", scope.kind.name()),
                "apiVersion": scope.api_version,
                "metadata": {"resourceVersion": cluster.store().resource_version().to_string()},
                "items": items,
            }),
        )
    })
}

/// The `scale` subresource: an `autoscaling/v1` Scale over `spec.replicas`.
fn scale(server: &ApiServer, request: &Request, scope: &Scope, name: &str) -> Response {
    let namespace = scope.namespace().to_string();
    let scale_of = |object: &Object| -> Value {
        let json = object.to_json();
        let meta = object.metadata();
        let selector = json
            .pointer("/spec/selector")
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .map(|s| daemonlab_kubectl::selector::selector_string(&s))
            .unwrap_or_default();
        json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta.name,
                "namespace": meta.namespace,
                "uid": meta.uid,
                "resourceVersion": meta.resource_version,
                "creationTimestamp": meta.creation_timestamp,
            },
            "spec": {"replicas": json.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
            "status": {
                "replicas": json.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
                "selector": selector,
            },
        })
    };
    if request.method == "GET" {
        let state = server.lock();
        return match state.cluster.store().get(scope.kind, &namespace, name) {
            Some(object) => Response::json(200, &scale_of(object)),
            None => not_found(scope, name),
        };
    }
    let change = match body(request) {
        Ok(value) => value,
        Err(response) => return response,
    };
    let content_type = request.header("content-type").unwrap_or("");
    write(server, request, |cluster| {
        let Some(current) = cluster
            .store()
            .get(scope.kind, &namespace, name)
            .map(scale_of)
        else {
            return not_found(scope, name);
        };
        let wanted = match (
            request.method.as_str(),
            PatchType::from_content_type(content_type),
        ) {
            ("PUT", _) => change.clone(),
            ("PATCH", Some(PatchType::Json)) => {
                match daemonlab_core::api::patch::json_patch(&current, &change) {
                    Ok(value) => value,
                    Err(_) => {
                        return scope.error(&ApiError::new(
                            Reason::Invalid,
                            "the server rejected our request due to an error in our request",
                        ))
                    }
                }
            }
            ("PATCH", Some(_)) => daemonlab_core::api::patch::merge_patch(&current, &change),
            ("PATCH", None) => return status::unsupported_media_type(content_type),
            _ => return status::method_not_allowed(),
        };
        let replicas = wanted
            .pointer("/spec/replicas")
            .cloned()
            .unwrap_or(json!(0));
        match cluster.patch(
            (scope.kind, &namespace, name),
            scope.kind.api_version(),
            PatchType::Merge,
            &json!({"spec": {"replicas": replicas}}),
            false,
        ) {
            Ok((_, after)) => Response::json(200, &scale_of(&after)),
            Err(error) => scope.error(&error),
        }
    })
}

/// How long kubectl drain waits before it asks again for an eviction a
/// budget refused.
const EVICTION_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// `pods/eviction`: a PodDisruptionBudget may refuse it (429).
fn evict(server: &ApiServer, request: &Request, scope: &Scope, name: &str) -> Response {
    let namespace = scope.namespace().to_string();
    let manual = server.clock == Clock::Manual;
    write(server, request, |cluster| {
        match cluster.evict(&namespace, name) {
            Ok(()) => Response::json(
                201,
                &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
            ),
            Err(error) => {
                // A refused eviction is retried after kubectl drain's fixed
                // 5 s: a manual clock lets that time pass, as the
                // playground's own drain does.
                if manual && error.reason == Reason::TooManyRequests {
                    cluster.advance(EVICTION_RETRY);
                }
                scope.error(&error)
            }
        }
    })
}

/// `pods/log`: what a container wrote (`core::api::logs`).
fn log(server: &ApiServer, request: &Request, scope: &Scope, name: &str) -> Response {
    let state = server.lock();
    match pod_log(
        state.cluster.store(),
        scope.namespace(),
        name,
        request.param("container"),
    ) {
        Ok(text) => Response::text(200, text),
        Err(error) => scope.error(&error),
    }
}
