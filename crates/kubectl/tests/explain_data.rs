//! `kubectl explain` reads the API's schemas from `src/explain/schemas.json`,
//! taken from k8s-openapi's (the Kubernetes OpenAPI descriptions). This test
//! makes sure the file is what k8s-openapi gives today; `BLESS=1` rewrites it.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
    ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume,
    PersistentVolumeClaim, Pod, PodTemplate, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::node::v1::RuntimeClass;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::{CSIDriver, CSINode, StorageClass, VolumeAttachment};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
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
    // Every built-in kind the simulated API server serves.
    add::<APIService>(&mut kinds, &mut defs);
    add::<CSIDriver>(&mut kinds, &mut defs);
    add::<CSINode>(&mut kinds, &mut defs);
    add::<ClusterRole>(&mut kinds, &mut defs);
    add::<ClusterRoleBinding>(&mut kinds, &mut defs);
    add::<ConfigMap>(&mut kinds, &mut defs);
    add::<ControllerRevision>(&mut kinds, &mut defs);
    add::<CronJob>(&mut kinds, &mut defs);
    add::<CustomResourceDefinition>(&mut kinds, &mut defs);
    add::<DaemonSet>(&mut kinds, &mut defs);
    add::<Deployment>(&mut kinds, &mut defs);
    add::<EndpointSlice>(&mut kinds, &mut defs);
    add::<Endpoints>(&mut kinds, &mut defs);
    add::<Event>(&mut kinds, &mut defs);
    add::<HorizontalPodAutoscaler>(&mut kinds, &mut defs);
    add::<Ingress>(&mut kinds, &mut defs);
    add::<IngressClass>(&mut kinds, &mut defs);
    add::<Job>(&mut kinds, &mut defs);
    add::<Lease>(&mut kinds, &mut defs);
    add::<LimitRange>(&mut kinds, &mut defs);
    add::<MutatingWebhookConfiguration>(&mut kinds, &mut defs);
    add::<Namespace>(&mut kinds, &mut defs);
    add::<NetworkPolicy>(&mut kinds, &mut defs);
    add::<Node>(&mut kinds, &mut defs);
    add::<PersistentVolume>(&mut kinds, &mut defs);
    add::<PersistentVolumeClaim>(&mut kinds, &mut defs);
    add::<Pod>(&mut kinds, &mut defs);
    add::<PodDisruptionBudget>(&mut kinds, &mut defs);
    add::<PodTemplate>(&mut kinds, &mut defs);
    add::<PriorityClass>(&mut kinds, &mut defs);
    add::<ReplicaSet>(&mut kinds, &mut defs);
    add::<ResourceQuota>(&mut kinds, &mut defs);
    add::<Role>(&mut kinds, &mut defs);
    add::<RoleBinding>(&mut kinds, &mut defs);
    add::<RuntimeClass>(&mut kinds, &mut defs);
    add::<Secret>(&mut kinds, &mut defs);
    add::<Service>(&mut kinds, &mut defs);
    add::<ServiceAccount>(&mut kinds, &mut defs);
    add::<StatefulSet>(&mut kinds, &mut defs);
    add::<StorageClass>(&mut kinds, &mut defs);
    add::<ValidatingAdmissionPolicy>(&mut kinds, &mut defs);
    add::<ValidatingAdmissionPolicyBinding>(&mut kinds, &mut defs);
    add::<ValidatingWebhookConfiguration>(&mut kinds, &mut defs);
    add::<VolumeAttachment>(&mut kinds, &mut defs);
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
