//! OpenAPI v3: the root listing each group version's document, and the
//! documents themselves with a path per resource and its operations, tagged
//! with `x-kubernetes-group-version-kind` and their query parameters. kubectl
//! reads the PATCH operations' `fieldValidation` parameter to know that the
//! server validates fields itself (`--validate=strict`).

use daemonlab_core::api::Kind;
use serde_json::{json, Map, Value};

use crate::discovery::served_group_versions;
use crate::{status, ApiServer, Response};

/// The parameters of a write, as the API server declares them.
fn write_parameters() -> Value {
    let query = |name: &str| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}});
    json!([
        query("dryRun"),
        query("fieldManager"),
        query("fieldValidation"),
        {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}},
    ])
}

fn gvk(group: &str, version: &str, kind: Kind) -> Value {
    json!({"group": group, "version": version, "kind": kind.name()})
}

/// `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`.
fn document(group: &str, version: &str, kinds: &[Kind]) -> Value {
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let mut paths = Map::new();
    for kind in kinds {
        let collection = if kind.namespaced() {
            format!("{prefix}/namespaces/{{namespace}}/{}", kind.plural())
        } else {
            format!("{prefix}/{}", kind.plural())
        };
        let extension = gvk(group, version, *kind);
        let operation = |id: &str, action: &str| {
            json!({
                "operationId": format!("{id}{}", kind.name()),
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": extension,
                "parameters": if matches!(action, "post" | "put" | "patch") { write_parameters() } else { json!([]) },
                "responses": {"200": {"description": "OK"}},
            })
        };
        paths.insert(
            collection.clone(),
            json!({"get": operation("list", "list"), "post": operation("create", "post")}),
        );
        let object = format!("{collection}/{{name}}");
        paths.insert(
            object.clone(),
            json!({
                "get": operation("read", "get"),
                "put": operation("replace", "put"),
                "patch": operation("patch", "patch"),
                "delete": operation("delete", "delete"),
            }),
        );
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": daemonlab_core::controllers::kubelet::KUBELET_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    })
}

/// A stable tag of a document's content, for the clients' caches.
fn hash(value: &Value) -> String {
    // FNV-1a over the serialized document.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in value.to_string().bytes() {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016X}")
}

/// `/openapi/v3` and the documents below it.
pub fn v3(server: &ApiServer, rest: &[String]) -> Response {
    let state = server.lock();
    let documents: Vec<(String, Value)> = served_group_versions(state.cluster.store())
        .into_iter()
        .map(|(group, version, kinds)| {
            let path = if group.is_empty() {
                format!("api/{version}")
            } else {
                format!("apis/{group}/{version}")
            };
            (path, document(group, version, &kinds))
        })
        .collect();
    if rest.is_empty() {
        let paths: Map<String, Value> = documents
            .iter()
            .map(|(path, doc)| {
                (
                    path.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", hash(doc))}),
                )
            })
            .collect();
        return Response::json(200, &json!({"paths": paths}));
    }
    let wanted = rest.join("/");
    match documents.into_iter().find(|(path, _)| *path == wanted) {
        Some((_, doc)) => Response::json(200, &doc),
        None => status::not_found_path(),
    }
}
