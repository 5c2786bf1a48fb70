//! `kubectl explain` reads the API's schemas from `src/explain/schemas.json`,
//! taken from k8s-openapi's (the Kubernetes OpenAPI descriptions). This test
//! makes sure the file is what k8s-openapi gives today; `BLESS=1` rewrites it.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Node, Pod, ServiceAccount};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value};

/// Keeps what explain prints: descriptions, types, refs (by name), required.
fn trim(schema: &Value) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "description" | "type" => {
                out.insert(key.clone(), value.clone());
            }
            "$ref" => {
                let name = value
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                out.insert(key.clone(), Value::from(name));
            }
            "items" | "additionalProperties" if value.is_object() => {
                out.insert(key.clone(), trim(value));
            }
            "properties" => {
                let properties: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, field)| (name.clone(), trim(field)))
                    .collect();
                out.insert(key.clone(), Value::Object(properties));
            }
            // k8s-openapi marks `metadata` required because it is not optional in
            // Rust; the API's schema does not.
            "required" => {
                let required: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|name| name.as_str() != Some("metadata"))
                    .cloned()
                    .collect();
                if !required.is_empty() {
                    out.insert(key.clone(), Value::Array(required));
                }
            }
            _ => {}
        }
    }
    Value::Object(out)
}

fn add<T: JsonSchema>(kinds: &mut BTreeMap<String, String>, defs: &mut BTreeMap<String, Value>) {
    let schema = SchemaGenerator::default().into_root_schema_for::<T>();
    let value = serde_json::to_value(&schema).expect("a schema is JSON");
    let name = T::schema_name().to_string();
    for (def, body) in value
        .get("$defs")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        defs.insert(def.clone(), trim(body));
    }
    defs.insert(name.clone(), trim(&value));
    let kind = name.rsplit('.').next().unwrap_or(&name).to_string();
    kinds.insert(kind, name);
}

fn generated() -> String {
    let mut kinds = BTreeMap::new();
    let mut defs = BTreeMap::new();
    add::<ConfigMap>(&mut kinds, &mut defs);
    add::<ControllerRevision>(&mut kinds, &mut defs);
    add::<DaemonSet>(&mut kinds, &mut defs);
    add::<Event>(&mut kinds, &mut defs);
    add::<Namespace>(&mut kinds, &mut defs);
    add::<Node>(&mut kinds, &mut defs);
    add::<Pod>(&mut kinds, &mut defs);
    add::<PriorityClass>(&mut kinds, &mut defs);
    add::<ServiceAccount>(&mut kinds, &mut defs);
    let document = serde_json::json!({"kinds": kinds, "defs": defs});
    serde_json::to_string(&document).expect("JSON") + "\n"
}

#[test]
fn the_schemas_are_k8s_openapis() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/explain/schemas.json");
    let expected = generated();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(path, &expected).expect("writable schemas.json");
    }
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        actual == expected,
        "src/explain/schemas.json is out of date: run with BLESS=1"
    );
}
