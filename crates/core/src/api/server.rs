//! What the API server does with a write, in its order: strict decoding, defaulting,
//! admission (namespace must exist; pods get their service account, priority and
//! default tolerations), the registry's own fields (uid, creationTimestamp,
//! generation), validation, and storage. Plus `kubectl apply`'s three-way merge.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{
    ConfigMap, KeyToPath, NamespaceStatus, ObjectFieldSelector, Pod, PodStatus,
    ProjectedVolumeSource, ServiceAccount, ServiceAccountTokenProjection, Toleration, Volume,
    VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;

use super::decode::TypeError;
use super::defaults::{
    default_daemonset, default_pod_only, default_pod_spec, default_priority_class,
};
use super::errors::{ApiError, Reason};
use super::ids::Ids;
use super::quantity::{Quantity, QUANTITY_SYNTAX};
use super::store::Store;
use super::validation::{
    validate_daemonset, validate_daemonset_update, validate_node, validate_object_meta,
    validate_pod, validate_priority_class, validate_priority_class_update, FieldError, NameRule,
};
use super::{Kind, Object};
use crate::controllers::daemonset::pod_template::TEMPLATE_GENERATION_ANNOTATION;

/// Where `kubectl apply` keeps the manifest it last applied, to tell on the next
/// apply which fields the user removed.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplyAction {
    Created,
    Configured,
    Unchanged,
}

impl fmt::Display for ApplyAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApplyAction::Created => "created",
            ApplyAction::Configured => "configured",
            ApplyAction::Unchanged => "unchanged",
        })
    }
}

/// What `kubectl apply` prints for one object: `daemonset.apps/fluentd created`,
/// and any warnings it prints first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub resource: String,
    pub name: String,
    pub action: ApplyAction,
    pub warnings: Vec<String>,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} {}", self.resource, self.name, self.action)
    }
}

/// The time and identifiers a write needs.
pub struct Env<'a> {
    pub now: &'a Time,
    pub ids: &'a mut Ids,
}

/// The Go type a JSON type error names, from the field's parent (best effort:
/// the fields users most often mistype).
fn go_parent_type(path: &str) -> &'static str {
    let parent = path
        .rsplit('.')
        .nth(1)
        .map(|p| p.split('[').next().unwrap_or(p))
        .unwrap_or("");
    match parent {
        "containers" | "initContainers" => "Container",
        "ports" => "ContainerPort",
        "resources" => "ResourceRequirements",
        "tolerations" => "Toleration",
        "taints" => "Taint",
        "volumes" => "Volume",
        "volumeMounts" => "VolumeMount",
        "metadata" => "ObjectMeta",
        "selector" => "LabelSelector",
        "rollingUpdate" => "RollingUpdateDaemonSet",
        "updateStrategy" => "DaemonSetUpdateStrategy",
        "template" => "PodTemplateSpec",
        _ if path.starts_with("spec.template.spec.") || path.starts_with("spec.") => "PodSpec",
        _ => "Object",
    }
}

/// serde's `invalid type: string "abc", expected i32` in encoding/json's words.
fn go_type_error(error: &TypeError) -> String {
    let found = error
        .message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split([' ', ',']).next())
        .map(|t| match t {
            "integer" | "floating" => "number",
            "boolean" => "bool",
            "sequence" => "array",
            "map" => "object",
            other => other,
        });
    let expected = error.message.rsplit("expected ").next().unwrap_or("");
    let go_type = match expected {
        "i32" => "int32",
        "i64" => "int64",
        "a boolean" => "bool",
        "a string" => "string",
        e if e.starts_with("a sequence") => "[]interface {}",
        e if e.starts_with("a map") => "map[string]string",
        e => e,
    };
    let dotted: String = error
        .path
        .split('.')
        .map(|p| p.split('[').next().unwrap_or(p))
        .collect::<Vec<_>>()
        .join(".");
    match found {
        Some(found) => format!(
            "json: cannot unmarshal {found} into Go struct field {}.{dotted} of type {go_type}",
            go_parent_type(&error.path)
        ),
        None => format!("json: {}", error.message),
    }
}

/// The first quantity in `json` that does not parse (`2 cores`), with its path:
/// the server refuses those while decoding, before any validation.
fn bad_quantity(json: &Value, path: &str) -> Option<String> {
    let quantity_lists = ["requests", "limits", "capacity", "allocatable", "overhead"];
    match json {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let is_list = quantity_lists.contains(&key.as_str()) && value.is_object();
            if is_list || key == "sizeLimit" {
                let values: Vec<(&String, &Value)> = match value {
                    Value::Object(m) => m.iter().collect(),
                    _ => vec![(key, value)],
                };
                let bad = values.into_iter().find(|(_, v)| match v {
                    Value::String(s) => Quantity::parse(s).is_err(),
                    Value::Number(_) => false,
                    _ => true,
                });
                if bad.is_some() {
                    return Some(child);
                }
            }
            bad_quantity(value, &child)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| bad_quantity(v, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// `strict decoding error: unknown field "a", unknown field "b"`.
fn strict_decoding_error(unknown: &[String]) -> String {
    let list: Vec<String> = unknown
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect();
    format!("strict decoding error: {}", list.join(", "))
}

/// Decodes a manifest strictly, as the server does with `fieldValidation=Strict`.
fn decode_for_create(kind: Kind, json: &Value) -> Result<Object, ApiError> {
    let version = kind.api_version().rsplit('/').next().unwrap_or("");
    let cannot = |detail: String| {
        format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: {detail}",
            kind = kind.name()
        )
    };
    if let Some(path) = bad_quantity(json, "") {
        let mut e = ApiError::new(Reason::BadRequest, cannot(QUANTITY_SYNTAX.to_string()));
        e.details.fields = vec![path];
        return Err(e);
    }
    match kind.decode(json) {
        Err(error) => {
            let mut e = ApiError::new(Reason::BadRequest, cannot(go_type_error(&error)));
            e.details.fields = vec![error.path];
            Err(e)
        }
        Ok(decoded) if !decoded.unknown_fields.is_empty() => {
            let mut e = ApiError::new(
                Reason::BadRequest,
                cannot(strict_decoding_error(&decoded.unknown_fields)),
            );
            e.details.fields = decoded.unknown_fields;
            Err(e)
        }
        Ok(decoded) => Ok(decoded.object),
    }
}

/// Go's `%v` of a float64 (JSON numbers decode to float64): shortest digits,
/// exponent form from 1e+06 up and below 1e-04.
pub fn go_float(f: f64) -> String {
    let scientific = format!("{f:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exponent.abs())
    } else {
        format!("{f}")
    }
}

/// Go's `%v` of a decoded JSON value: `map[k:v]`, `[a b]`. With `ints`,
/// whole numbers are int64 (as in unstructured objects, which kubectl
/// prints); without, every number is a float64 (as the server decodes a patch).
pub fn go_value(value: &Value, ints: bool) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if ints && !n.is_f64() => n.to_string(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| go_value(v, ints))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Value::Object(map) => format!(
            "map[{}]",
            map.iter()
                .map(|(k, v)| format!("{k}:{}", go_value(v, ints)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// The patch kubectl sends: what changed from `current` to `merged`, removals as null.
fn patch_between(current: &Value, merged: &Value) -> Value {
    match (current.as_object(), merged.as_object()) {
        (Some(old), Some(new)) => {
            let mut patch = serde_json::Map::new();
            for (key, value) in new {
                match old.get(key) {
                    Some(before) if before == value => {}
                    Some(before) if before.is_object() && value.is_object() => {
                        patch.insert(key.clone(), patch_between(before, value));
                    }
                    _ => {
                        patch.insert(key.clone(), value.clone());
                    }
                }
            }
            for key in old.keys().filter(|k| !new.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            Value::Object(patch)
        }
        _ => merged.clone(),
    }
}

/// Decodes a merged object strictly; a refusal quotes the patch, as the server does.
fn decode_for_patch(kind: Kind, current: &Value, merged: &Value) -> Result<Object, ApiError> {
    let refuse = |detail: String, fields: Vec<String>| {
        let cause = FieldError::invalid(
            "patch",
            super::validation::Rendered::str(&go_value(&patch_between(current, merged), false)),
            &detail,
        );
        let mut e = ApiError::invalid("", "", "", vec![cause]);
        e.details.fields = fields;
        e
    };
    if let Some(path) = bad_quantity(merged, "") {
        return Err(refuse(QUANTITY_SYNTAX.to_string(), vec![path]));
    }
    match kind.decode(merged) {
        Err(error) => {
            let detail = format!("unrecognized type: {}", go_type_error(&error));
            Err(refuse(detail, vec![error.path]))
        }
        Ok(decoded) if !decoded.unknown_fields.is_empty() => Err(refuse(
            strict_decoding_error(&decoded.unknown_fields),
            decoded.unknown_fields,
        )),
        Ok(decoded) => Ok(decoded.object),
    }
}

/// kubectl's three-way merge: fields the user set are written, fields they set
/// last time but no longer are removed, and everything else (kubelet labels,
/// server defaults, `kubectl label` edits) stays. Lists are replaced whole.
fn three_way_merge(current: &mut Value, last: Option<&Value>, new: &Value) {
    let (Some(current_map), Some(new_map)) = (current.as_object_mut(), new.as_object()) else {
        *current = new.clone();
        return;
    };
    if let Some(last_map) = last.and_then(Value::as_object) {
        for key in last_map.keys() {
            if !new_map.contains_key(key) {
                current_map.remove(key);
            }
        }
    }
    for (key, value) in new_map {
        let last_value = last.and_then(|l| l.get(key));
        match current_map.get_mut(key) {
            Some(existing) if existing.is_object() && value.is_object() => {
                three_way_merge(existing, last_value, value)
            }
            _ => {
                current_map.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The manifest as kubectl sends it: with `annotations` present (empty if the
/// manifest had none) and the last-applied annotation set to the manifest itself
/// (compact JSON, keys sorted, newline-terminated, without that annotation).
fn with_last_applied(manifest: &Value) -> (Value, String) {
    let mut json = manifest.clone();
    if let Some(meta) = json.pointer_mut("/metadata").and_then(Value::as_object_mut) {
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Some(annotations) = annotations.as_object_mut() {
            annotations.remove(LAST_APPLIED);
        }
    }
    let recorded = format!("{json}\n");
    if let Some(annotations) = json
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.insert(LAST_APPLIED.to_string(), Value::String(recorded.clone()));
    }
    (json, recorded)
}

fn set_annotation(meta: &mut ObjectMeta, key: &str, value: String) {
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(key.to_string(), value);
}

/// Defaulting, run as the server decodes an object.
fn default_object(object: &mut Object) {
    match object {
        Object::DaemonSet(ds) => default_daemonset(ds),
        Object::Pod(pod) => {
            let spec = pod.spec.get_or_insert_with(Default::default);
            default_pod_spec(spec);
            default_pod_only(spec);
        }
        Object::PriorityClass(class) => default_priority_class(class),
        _ => {}
    }
}

fn template_generation(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(0)
}

/// `Guaranteed` when every container's requests equal its cpu and memory limits,
/// `BestEffort` when nothing is requested or limited, else `Burstable`.
fn qos_class(pod: &Pod) -> &'static str {
    let containers = pod
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let resources: Vec<_> = containers
        .iter()
        .filter_map(|c| c.resources.as_ref())
        .collect();
    let any = resources.iter().any(|r| {
        r.requests.as_ref().is_some_and(|m| !m.is_empty())
            || r.limits.as_ref().is_some_and(|m| !m.is_empty())
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let Some(r) = &c.resources else { return false };
        let limits = r.limits.clone().unwrap_or_default();
        let requests = r.requests.clone().unwrap_or_default();
        ["cpu", "memory"].iter().all(|k| limits.contains_key(*k))
            && requests.iter().all(|(k, v)| limits.get(k) == Some(v))
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The name a pod is known by in admission errors: its name, or its generateName.
fn pod_display_name(pod: &Pod) -> String {
    pod.metadata
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| pod.metadata.generate_name.clone())
        .unwrap_or_default()
}

/// The ServiceAccount, Priority and DefaultTolerationSeconds admission plugins.
fn admit_pod(store: &Store, pod: &mut Pod, ids: &mut Ids) -> Result<(), ApiError> {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let forbidden = |pod: &Pod, why: String| {
        ApiError::new(
            Reason::Forbidden,
            format!("pods \"{}\" is forbidden: {why}", pod_display_name(pod)),
        )
    };
    let spec = pod.spec.clone().unwrap_or_default();
    // ServiceAccount: the account must exist; its token is mounted.
    let account = spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string());
    if store
        .get(Kind::ServiceAccount, &namespace, &account)
        .is_none()
    {
        return Err(forbidden(
            pod,
            format!(
                "error looking up service account {namespace}/{account}: serviceaccount \"{account}\" not found"
            ),
        ));
    }
    // Priority: from the named class, else 0.
    let (priority, policy) = match spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        Some(name) => match store.priority_class(name) {
            Some(class) => (
                class.value.unwrap_or(0),
                class
                    .preemption_policy
                    .clone()
                    .unwrap_or_else(|| "PreemptLowerPriority".to_string()),
            ),
            None => {
                return Err(forbidden(
                    pod,
                    format!("no PriorityClass with name {name} was found"),
                ))
            }
        },
        None => (0, "PreemptLowerPriority".to_string()),
    };
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.service_account_name = Some(account.clone());
    spec.service_account = Some(account);
    spec.priority = Some(priority);
    spec.preemption_policy.get_or_insert(policy);
    if spec.automount_service_account_token != Some(false) {
        mount_service_account_token(spec, ids);
    }
    add_default_toleration_seconds(spec.tolerations.get_or_insert_with(Vec::new));
    Ok(())
}

/// The projected `kube-api-access-xxxxx` volume and its mount in every container.
fn mount_service_account_token(spec: &mut k8s_openapi::api::core::v1::PodSpec, ids: &mut Ids) {
    let name = ids.generate_name("kube-api-access-");
    let mount = VolumeMount {
        name: name.clone(),
        mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".to_string(),
        read_only: Some(true),
        ..Default::default()
    };
    for container in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(mount.clone());
    }
    let sources = vec![
        VolumeProjection {
            service_account_token: Some(ServiceAccountTokenProjection {
                expiration_seconds: Some(3607),
                path: "token".to_string(),
                ..Default::default()
            }),
            ..Default::default()
        },
        VolumeProjection {
            config_map: Some(k8s_openapi::api::core::v1::ConfigMapProjection {
                name: "kube-root-ca.crt".to_string(),
                items: Some(vec![KeyToPath {
                    key: "ca.crt".to_string(),
                    path: "ca.crt".to_string(),
                    mode: None,
                }]),
                optional: None,
            }),
            ..Default::default()
        },
        VolumeProjection {
            downward_api: Some(k8s_openapi::api::core::v1::DownwardAPIProjection {
                items: Some(vec![k8s_openapi::api::core::v1::DownwardAPIVolumeFile {
                    field_ref: Some(ObjectFieldSelector {
                        api_version: Some("v1".to_string()),
                        field_path: "metadata.namespace".to_string(),
                    }),
                    path: "namespace".to_string(),
                    ..Default::default()
                }]),
            }),
            ..Default::default()
        },
    ];
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name,
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(sources),
        }),
        ..Default::default()
    });
}

/// `DefaultTolerationSeconds`: 300 s for not-ready and unreachable, unless tolerated.
fn add_default_toleration_seconds(tolerations: &mut Vec<Toleration>) {
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = tolerations.iter().any(|t| {
            let k = t.key.as_deref().unwrap_or("");
            let e = t.effect.as_deref().unwrap_or("");
            (k.is_empty() || k == key) && (e.is_empty() || e == "NoExecute")
        });
        if !tolerated {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
}

/// Mutating admission: the namespace must exist (NamespaceLifecycle), then the
/// pod plugins.
fn admit(store: &Store, object: &mut Object, ids: &mut Ids) -> Result<(), ApiError> {
    if object.kind().namespaced() {
        let namespace = object.namespace();
        if store.namespace(namespace).is_none() {
            return Err(ApiError::not_found("namespaces", namespace));
        }
    }
    if let Object::Pod(pod) = object {
        admit_pod(store, pod, ids)?;
    }
    Ok(())
}

/// `strategy.Validate` on create. `manifest` tells what the user actually wrote.
fn validate_create(object: &Object, manifest: Option<&Value>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match object {
        Object::DaemonSet(ds) => {
            let selector_given =
                manifest.is_none_or(|m| m.pointer("/spec/selector").is_some_and(|s| !s.is_null()));
            validate_daemonset(ds, selector_given, &mut errors)
        }
        Object::Pod(pod) => validate_pod(pod, &mut errors),
        Object::Node(node) => validate_node(node, &mut errors),
        Object::PriorityClass(class) => validate_priority_class(class, &mut errors),
        Object::Namespace(ns) => {
            validate_object_meta(&ns.metadata, false, NameRule::Dns1123Label, &mut errors)
        }
        other => validate_object_meta(
            other.metadata(),
            other.kind().namespaced(),
            NameRule::Dns1123Subdomain,
            &mut errors,
        ),
    }
    errors
}

/// `strategy.ValidateUpdate`.
fn validate_update(object: &Object, old: &Object) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match (object, old) {
        (Object::DaemonSet(ds), Object::DaemonSet(old)) => {
            validate_daemonset_update(ds, old, &mut errors)
        }
        (Object::PriorityClass(class), Object::PriorityClass(old)) => {
            validate_priority_class_update(class, old, &mut errors)
        }
        _ => errors = validate_create(object, None),
    }
    errors
}

fn invalid(object: &Object, causes: Vec<FieldError>) -> ApiError {
    let kind = object.kind();
    let qualified = match kind.group() {
        "" => kind.name().to_string(),
        group => format!("{}.{group}", kind.name()),
    };
    ApiError::invalid(kind.name(), &qualified, object.name(), causes)
}

/// The node registry stamps `timeAdded` on NoExecute taints that lack one: the
/// eviction manager counts `tolerationSeconds` from it.
fn stamp_taints(object: &mut Object, now: &Time) {
    if let Object::Node(node) = object {
        for taint in node
            .spec
            .iter_mut()
            .flat_map(|s| s.taints.iter_mut().flatten())
        {
            if taint.effect == "NoExecute" && taint.time_added.is_none() {
                taint.time_added = Some(now.clone());
            }
        }
    }
}

/// What the registry sets on create (REFERENCE §1.3 for DaemonSets).
fn prepare_create(object: &mut Object, env: &mut Env) {
    stamp_taints(object, env.now);
    let meta = object.metadata_mut();
    meta.uid = Some(env.ids.uid());
    meta.creation_timestamp = Some(env.now.clone());
    match object {
        Object::DaemonSet(ds) => {
            ds.metadata.generation = Some(1);
            set_annotation(
                &mut ds.metadata,
                TEMPLATE_GENERATION_ANNOTATION,
                "1".to_string(),
            );
            ds.status = None;
        }
        Object::Pod(pod) => {
            let qos = qos_class(pod).to_string();
            pod.status = Some(PodStatus {
                phase: Some("Pending".to_string()),
                qos_class: Some(qos),
                ..Default::default()
            });
        }
        Object::Namespace(ns) => {
            ns.status = Some(NamespaceStatus {
                phase: Some("Active".to_string()),
                ..Default::default()
            })
        }
        _ => {}
    }
}

/// What the registry does on update: status is not written through the main
/// resource, and a DaemonSet's generations follow its spec.
fn prepare_update(object: &mut Object, stored: &Object) {
    match (object, stored) {
        (Object::DaemonSet(ds), Object::DaemonSet(old)) => {
            ds.status = old.status.clone();
            let old_spec = old.spec.clone().unwrap_or_default();
            let new_spec = ds.spec.clone().unwrap_or_default();
            if old_spec.template != new_spec.template {
                let next = template_generation(&old.metadata) + 1;
                set_annotation(
                    &mut ds.metadata,
                    TEMPLATE_GENERATION_ANNOTATION,
                    next.to_string(),
                );
            }
            if old_spec != new_spec {
                ds.metadata.generation = Some(old.metadata.generation.unwrap_or(0) + 1);
            }
        }
        (Object::Pod(pod), Object::Pod(old)) => pod.status = old.status.clone(),
        (Object::Node(node), Object::Node(old)) => node.status = old.status.clone(),
        (Object::Namespace(ns), Object::Namespace(old)) => ns.status = old.status.clone(),
        _ => {}
    }
}

/// What a new namespace gets from its controllers: the `default` ServiceAccount
/// and the `kube-root-ca.crt` ConfigMap.
fn populate_namespace(store: &mut Store, namespace: &str, env: &mut Env) {
    let meta = |name: &str, env: &mut Env| ObjectMeta {
        name: Some(name.to_string()),
        namespace: Some(namespace.to_string()),
        uid: Some(env.ids.uid()),
        creation_timestamp: Some(env.now.clone()),
        ..Default::default()
    };
    let account = ServiceAccount {
        metadata: meta("default", env),
        ..Default::default()
    };
    let root_ca = ConfigMap {
        metadata: ObjectMeta {
            annotations: Some(BTreeMap::from([(
                "kubernetes.io/description".to_string(),
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string(),
            )])),
            ..meta("kube-root-ca.crt", env)
        },
        data: Some(BTreeMap::from([(
            "ca.crt".to_string(),
            "-----BEGIN CERTIFICATE-----\n(daemonlab simulated cluster CA)\n-----END CERTIFICATE-----\n".to_string(),
        )])),
        ..Default::default()
    };
    store.put(Object::from(account));
    store.put(Object::from(root_ca));
}

/// Stores a new, already decoded object: defaults, admission, registry fields,
/// validation. `manifest` is what the user wrote, when there is one.
fn insert(
    store: &mut Store,
    mut object: Object,
    manifest: Option<&Value>,
    env: &mut Env,
) -> Result<String, ApiError> {
    default_object(&mut object);
    admit(store, &mut object, env.ids)?;
    // The registry completes generateName after admission: admission errors
    // name the prefix (`pods "fluent-bit-" is forbidden`).
    if object.name().is_empty() {
        let prefix = object.metadata().generate_name.clone().unwrap_or_default();
        let (kind, namespace) = (object.kind(), object.namespace().to_string());
        let name = loop {
            let candidate = env.ids.generate_name(&prefix);
            if store.get(kind, &namespace, &candidate).is_none() {
                break candidate;
            }
        };
        object.metadata_mut().name = Some(name);
    }
    prepare_create(&mut object, env);
    let errors = validate_create(&object, manifest);
    if !errors.is_empty() {
        return Err(invalid(&object, errors));
    }
    let namespace = match &object {
        Object::Namespace(ns) => ns.metadata.name.clone(),
        _ => None,
    };
    let name = object.name().to_string();
    store.put(object);
    if let Some(namespace) = namespace {
        populate_namespace(store, &namespace, env);
    }
    Ok(name)
}

/// Creates `object` (`kubectl create`, controllers, the objects a cluster starts with).
pub fn create(store: &mut Store, object: Object, env: &mut Env) -> Result<(), ApiError> {
    if store.get_like(&object).is_some() {
        return Err(ApiError::already_exists(
            &qualified_resource(object.kind()),
            object.name(),
        ));
    }
    insert(store, object, None, env).map(|_| ())
}

/// `daemonsets.apps`, `pods`: the resource as the server names it in messages.
pub fn qualified_resource(kind: Kind) -> String {
    match kind.group() {
        "" => kind.plural().to_string(),
        group => format!("{}.{group}", kind.plural()),
    }
}

/// Creates a pod whose name the server completes from `generateName`, as
/// controllers do. Returns the name given.
pub fn create_generated(store: &mut Store, pod: Pod, env: &mut Env) -> Result<String, ApiError> {
    insert(store, Object::from(pod), None, env)
}

/// `kubectl apply` of one manifest of `kind` (its JSON as written). Namespaced
/// objects without a namespace go to `default_namespace`, as kubectl does.
pub fn apply(
    store: &mut Store,
    kind: Kind,
    manifest: &Value,
    default_namespace: &str,
    env: &mut Env,
) -> Result<Applied, ApiError> {
    let mut manifest = manifest.clone();
    if kind.namespaced() {
        if let Some(meta) = manifest
            .pointer_mut("/metadata")
            .and_then(Value::as_object_mut)
        {
            meta.entry("namespace")
                .or_insert_with(|| Value::String(default_namespace.to_string()));
        }
    }
    let name = manifest
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let namespace = manifest
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (modified, last_applied) = with_last_applied(&manifest);
    let applied = |action, warnings| Applied {
        resource: kind.resource(),
        name: name.clone(),
        action,
        warnings,
    };
    let Some(stored) = store.get(kind, &namespace, &name).cloned() else {
        let mut object = decode_for_create(kind, &manifest)?;
        set_annotation(object.metadata_mut(), LAST_APPLIED, last_applied);
        insert(store, object, Some(&manifest), env)?;
        return Ok(applied(ApplyAction::Created, Vec::new()));
    };
    let previous = stored
        .metadata()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(|json| serde_json::from_str::<Value>(json).ok());
    let mut warnings = Vec::new();
    if previous.is_none() {
        warnings.push(format!(
            "Warning: resource {}/{name} is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.",
            kind.plural()
        ));
    }
    let current = stored.to_json();
    let mut merged = current.clone();
    three_way_merge(&mut merged, previous.as_ref(), &modified);
    let mut updated = decode_for_patch(kind, &current, &merged)?;
    stamp_taints(&mut updated, env.now);
    default_object(&mut updated);
    prepare_update(&mut updated, &stored);
    let errors = validate_update(&updated, &stored);
    if !errors.is_empty() {
        return Err(invalid(&updated, errors));
    }
    if updated == stored {
        return Ok(applied(ApplyAction::Unchanged, warnings));
    }
    store.put(updated);
    Ok(applied(ApplyAction::Configured, warnings))
}

/// `--cascade`: what happens to the objects a deleted object owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cascade {
    /// The garbage collector deletes the dependents afterwards (the default).
    Background,
    /// The dependents stay, without their owner reference.
    Orphan,
}

/// Deletes an object. Dependents go with it (`Background`) or are orphaned.
pub fn delete(
    store: &mut Store,
    kind: Kind,
    namespace: &str,
    name: &str,
    cascade: Cascade,
) -> Result<Object, ApiError> {
    let Some(removed) = store.remove(kind, namespace, name) else {
        return Err(ApiError::not_found(&qualified_resource(kind), name));
    };
    if cascade == Cascade::Orphan {
        let uid = removed.metadata().uid.clone().unwrap_or_default();
        let dependents: Vec<Object> = Kind::ALL
            .iter()
            .flat_map(|k| store.list(*k))
            .filter(|o| {
                o.metadata()
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|r| r.uid == uid)
            })
            .cloned()
            .collect();
        for mut dependent in dependents {
            let meta = dependent.metadata_mut();
            if let Some(refs) = meta.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
            }
            if meta.owner_references.as_ref().is_some_and(Vec::is_empty) {
                meta.owner_references = None;
            }
            store.put(dependent);
        }
    }
    Ok(removed)
}

/// Deletes a pod gracefully: it gets a deletionTimestamp `grace` seconds ahead
/// (its own `terminationGracePeriodSeconds` if None) and its kubelet removes it
/// once its containers stop. A pod no node runs goes at once.
pub fn delete_pod(
    store: &mut Store,
    key: &super::store::Key,
    grace: Option<i64>,
    now: &Time,
) -> Result<Pod, ApiError> {
    let Some(mut pod) = store.pod(key).cloned() else {
        return Err(ApiError::not_found("pods", &key.1));
    };
    let grace = grace
        .or_else(|| {
            pod.spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds)
        })
        .unwrap_or(30)
        .max(0);
    let bound = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|n| !n.is_empty());
    if !bound || grace == 0 {
        return store
            .remove_pod(key)
            .ok_or_else(|| ApiError::not_found("pods", &key.1));
    }
    if pod.metadata.deletion_timestamp.is_none() {
        let at = now
            .0
            .checked_add(std::time::Duration::from_secs(grace.unsigned_abs()))
            .unwrap_or(now.0);
        pod.metadata.deletion_timestamp = Some(Time(at));
        pod.metadata.deletion_grace_period_seconds = Some(grace);
        store.put_pod(pod.clone());
    }
    Ok(pod)
}

/// Writes a changed object back (`kubectl label`, `taint`, `cordon`): defaults,
/// the registry's update rules and validation, as for any update.
pub fn update(store: &mut Store, mut object: Object, now: &Time) -> Result<(), ApiError> {
    stamp_taints(&mut object, now);
    let Some(stored) = store.get_like(&object).cloned() else {
        return Err(ApiError::not_found(
            &qualified_resource(object.kind()),
            object.name(),
        ));
    };
    default_object(&mut object);
    prepare_update(&mut object, &stored);
    let errors = validate_update(&object, &stored);
    if !errors.is_empty() {
        return Err(invalid(&object, errors));
    }
    if object != stored {
        store.put(object);
    }
    Ok(())
}
