//! OpenAPI v3: the root listing each group version's document, and the
//! documents with a path per resource and its operations,
//! tagged with `x-kubernetes-group-version-kind` and their query parameters.
//! kubectl reads the PATCH operations' `fieldValidation` parameter to know
//! that the server validates fields itself (`--validate=strict`), and falls
//! back to v2 for a kind v3 does not list yet (a CRD created by the same apply).

use std::sync::OnceLock;

use daemonlab_core::api::Kind;
use daemonlab_core::controllers::kubelet::KUBELET_VERSION;
use serde_json::{json, Map, Value};

use crate::discovery::served_group_versions;
use crate::{status, ApiServer, Body, Response};

/// The parameters of a write, as the API server declares them.
fn write_parameters() -> Value {
    let query = |name: &str, type_: &str| json!({"name": name, "in": "query", "schema": {"type": type_, "uniqueItems": true}});
    json!([
        query("dryRun", "string"),
        query("fieldManager", "string"),
        query("fieldValidation", "string"),
        query("force", "boolean"),
    ])
}

fn gvk(group: &str, version: &str, kind: Kind) -> Value {
    json!({"group": group, "version": version, "kind": kind.name()})
}

/// The paths of `group`/`version`'s resources.
fn paths(group: &str, version: &str, kinds: &[Kind], paths: &mut Map<String, Value>) {
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
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
}

/// `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`: the paths of the group
/// version's resources, and the API's schemas (those `kubectl explain`
/// reads), each served kind's tagged with its group, version and kind.
fn document(group: &str, version: &str, kinds: &[Kind]) -> Value {
    let mut all = Map::new();
    paths(group, version, kinds, &mut all);
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBELET_VERSION},
        "paths": all,
        "components": {"schemas": schemas()},
    })
}

/// The API's schemas as OpenAPI v3 components: references as
/// `#/components/schemas/NAME`, each built-in kind's schema with its
/// `x-kubernetes-group-version-kind`.
fn schemas() -> &'static Value {
    static SCHEMAS: OnceLock<Value> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let document: Value =
            serde_json::from_str(daemonlab_kubectl::explain::SCHEMAS).unwrap_or(Value::Null);
        let mut defs = document.get("defs").cloned().unwrap_or_else(|| json!({}));
        point_refs(&mut defs);
        for kind in Kind::ALL {
            let Some(name) = document
                .pointer(&format!("/kinds/{}", kind.name()))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let version = kind.api_version().rsplit('/').next().unwrap_or("");
            if let Some(schema) = defs.get_mut(name).and_then(Value::as_object_mut) {
                schema.insert(
                    "x-kubernetes-group-version-kind".into(),
                    json!([{"group": kind.group(), "kind": kind.name(), "version": version}]),
                );
            }
        }
        defs
    })
}

/// `"$ref": "NAME"` → `"$ref": "#/components/schemas/NAME"`, everywhere; a
/// reference with a description of its own goes into an `allOf`, as the API
/// server writes it (beside a `$ref`, OpenAPI readers ignore other keys).
fn point_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(point_refs);
            if let Some(Value::String(name)) = map.remove("$ref") {
                let reference = json!({"$ref": format!("#/components/schemas/{name}")});
                if map.is_empty() {
                    *value = reference;
                } else {
                    map.insert("default".into(), json!({}));
                    map.insert("allOf".into(), json!([reference]));
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(point_refs),
        _ => {}
    }
}

/// `/openapi/v2`, which kubectl reads (as protobuf, gnostic's `Document`)
/// only for a kind v3 does not list yet: a CRD's kind created by the same
/// apply. It lists no paths, so that kind gets no client-side schema, as
/// on a real server before the CRD exists.
pub fn v2() -> Response {
    // Length-delimited fields: 1 swagger, 2 info {1 title, 2 version}, 10 paths.
    let field = |number: u8, bytes: &[u8]| -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    };
    let info = [
        field(1, b"Kubernetes"),
        field(2, KUBELET_VERSION.as_bytes()),
    ]
    .concat();
    let document = [field(1, b"2.0"), field(2, &info), field(10, &[])].concat();
    Response {
        code: 200,
        content_type: "application/com.github.proto-openapi.spec.v2.v1.0+protobuf".to_string(),
        body: Body::Bytes(document),
        headers: Vec::new(),
    }
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
