//! What the API server does with a write, in its order: strict decoding, defaulting,
//! admission (the namespace must exist, then the kind's plugins), the registry's
//! own fields (uid, creationTimestamp, then the kind's `PrepareForCreate`),
//! validation, and storage. What each step does for a kind is its strategy in
//! `api::registry`. Plus `kubectl apply`'s three-way merge.

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{ConfigMap, Pod, ServiceAccount};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;

use super::decode::{Decoded, TypeError};
use super::errors::{ApiError, Reason};
use super::ids::Ids;
use super::quantity::{Quantity, QUANTITY_SYNTAX};
use super::registry::{self, custom_kind_of, Context};
use super::store::Store;
use super::validation::FieldError;
use super::{Kind, Object, Served};

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

/// Where a kind's quantities sit: fields holding a map of them (`requests`,
/// a RuntimeClass's `podFixed`, a quota's `hard`…) and fields holding one.
/// `None` for kinds that hold none, or whose field names (a CRD's schema, a
/// custom object) may mean anything.
fn quantity_fields(kind: Kind) -> Option<(&'static [&'static str], &'static [&'static str])> {
    const WORKLOAD_MAPS: &[&str] = &["requests", "limits", "capacity", "allocatable", "overhead"];
    match kind {
        Kind::CustomResourceDefinition | Kind::Custom(_) => None,
        Kind::RuntimeClass => Some((&["podFixed"], &[])),
        Kind::ResourceQuota => Some((&["hard", "used"], &[])),
        Kind::LimitRange => Some((
            &[
                "max",
                "min",
                "default",
                "defaultRequest",
                "maxLimitRequestRatio",
            ],
            &[],
        )),
        Kind::HorizontalPodAutoscaler => Some((&[], &["averageValue", "value"])),
        _ => Some((WORKLOAD_MAPS, &["sizeLimit"])),
    }
}

/// The first quantity in `json` that does not parse (`2 cores`), with its path:
/// the server refuses those while decoding, before any validation.
fn bad_quantity(kind: Kind, json: &Value) -> Option<String> {
    let (maps, singles) = quantity_fields(kind)?;
    find_bad_quantity(maps, singles, json, "")
}

fn find_bad_quantity(maps: &[&str], singles: &[&str], json: &Value, path: &str) -> Option<String> {
    let not_quantity = |value: &Value| match value {
        Value::String(s) => Quantity::parse(s).is_err(),
        Value::Number(_) => false,
        _ => true,
    };
    match json {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let bad = match value {
                // A map of quantities holds only scalars; a map that holds
                // objects is a parent of one (`overhead.podFixed`).
                Value::Object(m)
                    if maps.contains(&key.as_str()) && !m.values().any(Value::is_object) =>
                {
                    m.values().any(not_quantity)
                }
                v if singles.contains(&key.as_str()) && !v.is_object() => not_quantity(v),
                _ => false,
            };
            if bad {
                return Some(child);
            }
            find_bad_quantity(maps, singles, value, &child)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_bad_quantity(maps, singles, v, &format!("{path}[{i}]"))),
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

/// Decodes `json` at the version it is written at: a manifest at an older
/// served version is decoded strictly there, then converted to the preferred one.
fn decode_versioned(store: &Store, kind: Kind, json: &Value) -> Result<Decoded, TypeError> {
    match registry::to_preferred_version(kind, json) {
        None => kind.decode(json, store),
        Some(converted) => {
            let (preferred, unknown_fields) = converted?;
            let decoded = kind.decode(&preferred, store)?;
            Ok(Decoded {
                object: decoded.object,
                unknown_fields,
            })
        }
    }
}

/// Decodes a manifest strictly, as the server does with `fieldValidation=Strict`.
fn decode_for_create(store: &Store, kind: Kind, json: &Value) -> Result<Object, ApiError> {
    let api_version = json
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or(kind.api_version());
    let version = api_version.rsplit('/').next().unwrap_or("");
    let cannot = |detail: String| {
        format!(
            "{kind} in version \"{version}\" cannot be handled as a {kind}: {detail}",
            kind = kind.name()
        )
    };
    if let Some(path) = bad_quantity(kind, json) {
        let mut e = ApiError::new(Reason::BadRequest, cannot(QUANTITY_SYNTAX.to_string()));
        e.details.fields = vec![path];
        return Err(e);
    }
    match decode_versioned(store, kind, json) {
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
pub(crate) fn decode_for_patch(
    store: &Store,
    kind: Kind,
    current: &Value,
    merged: &Value,
) -> Result<Object, ApiError> {
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
    if let Some(path) = bad_quantity(kind, merged) {
        return Err(refuse(QUANTITY_SYNTAX.to_string(), vec![path]));
    }
    match decode_versioned(store, kind, merged) {
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
pub fn with_last_applied(manifest: &Value) -> (Value, String) {
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

/// Mutating admission: the namespace must exist (NamespaceLifecycle), then the
/// plugins that act on the kind.
fn admit(store: &Store, object: &mut Object, ids: &mut Ids) -> Result<(), ApiError> {
    if object.kind().namespaced() {
        let namespace = object.namespace();
        if store.namespace(namespace).is_none() {
            return Err(ApiError::not_found("namespaces", namespace));
        }
    }
    object.admit(store, ids)
}

/// What a strategy may look at while it handles `object`.
fn context<'a>(
    store: &'a Store,
    object: &Object,
    manifest: Option<&'a Value>,
    now: &'a Time,
) -> Context<'a> {
    Context {
        store,
        manifest,
        now,
        namespaced: object.kind().namespaced(),
    }
}

fn invalid(object: &Object, causes: Vec<FieldError>) -> ApiError {
    let kind = object.kind();
    let qualified = match kind.group() {
        "" => kind.name().to_string(),
        group => format!("{}.{group}", kind.name()),
    };
    ApiError::invalid(kind.name(), &qualified, object.name(), causes)
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

/// `BeforeCreate`/`BeforeUpdate`: a cluster-scoped object has no namespace.
fn clear_namespace(object: &mut Object) {
    if !object.kind().namespaced() {
        object.metadata_mut().namespace = None;
    }
}

/// Stores a new, already decoded object: defaults, admission, registry fields,
/// validation. `manifest` is what the user wrote, when there is one.
fn insert(
    store: &mut Store,
    mut object: Object,
    manifest: Option<&Value>,
    env: &mut Env,
) -> Result<String, ApiError> {
    clear_namespace(&mut object);
    object.default();
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
    let meta = object.metadata_mut();
    meta.uid = Some(env.ids.uid());
    meta.creation_timestamp = Some(env.now.clone());
    let ctx = context(store, &object, manifest, env.now);
    object.prepare_for_create(&ctx);
    let errors = object.validate(&ctx);
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

/// `PrepareForUpdate` and `ValidateUpdate` of a changed object, then the write
/// (none when nothing changed). Returns whether anything was written.
fn replace(
    store: &mut Store,
    mut object: Object,
    stored: &Object,
    manifest: Option<&Value>,
    now: &Time,
) -> Result<bool, ApiError> {
    clear_namespace(&mut object);
    object.default();
    let ctx = context(store, &object, manifest, now);
    object.prepare_for_update(stored, &ctx);
    let errors = object.validate_update(stored, &ctx);
    if !errors.is_empty() {
        return Err(invalid(&object, errors));
    }
    if object == *stored {
        return Ok(false);
    }
    store.put(object);
    Ok(true)
}

/// A write through the `status` subresource: `object`'s status replaces the
/// stored one; its metadata and spec are not read (`PrepareForUpdate` of the
/// kinds' status strategies). Returns whether anything changed.
pub fn update_status(store: &mut Store, object: Object, now: &Time) -> Result<bool, ApiError> {
    let Some(stored) = store.get_like(&object).cloned() else {
        return Err(ApiError::not_found(
            &qualified_resource(object.kind()),
            object.name(),
        ));
    };
    let mut merged = stored.to_json();
    let status = object.to_json().get("status").cloned();
    match (merged.as_object_mut(), status) {
        (Some(fields), Some(status)) => {
            fields.insert("status".to_string(), status);
        }
        (Some(fields), None) => {
            fields.remove("status");
        }
        (None, _) => {}
    }
    let updated = stored
        .kind()
        .decode(&merged, store)
        .map_err(|e| ApiError::new(Reason::BadRequest, go_type_error(&e)))?
        .object;
    let ctx = context(store, &updated, None, now);
    let errors = updated.validate_update(&stored, &ctx);
    if !errors.is_empty() {
        return Err(invalid(&updated, errors));
    }
    if updated == stored {
        return Ok(false);
    }
    store.put(updated);
    Ok(true)
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
    create_generated_object(store, Object::from(pod), env)
}

/// Creates an object for a controller, its name completed from
/// `generateName` if it has none. Returns the name.
pub fn create_generated_object(
    store: &mut Store,
    object: Object,
    env: &mut Env,
) -> Result<String, ApiError> {
    if !object.name().is_empty() && store.get_like(&object).is_some() {
        return Err(ApiError::already_exists(
            &qualified_resource(object.kind()),
            object.name(),
        ));
    }
    insert(store, object, None, env)
}

/// A manifest with the namespace kubectl gives a namespaced object that names
/// none, and the name and namespace it is requested at (none for a
/// cluster-scoped object, whatever its manifest says).
fn placed(kind: Kind, manifest: &Value, default_namespace: &str) -> (Value, String, String) {
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
    let namespace = match kind.namespaced() {
        true => manifest
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        false => String::new(),
    };
    (manifest, name, namespace)
}

/// `kubectl create -f` of one manifest: a new object, refused if one of that
/// name exists. Only `--save-config` gives it the annotation `kubectl apply`
/// reads.
pub fn create_from_manifest(
    store: &mut Store,
    kind: Kind,
    manifest: &Value,
    default_namespace: &str,
    save_config: bool,
    env: &mut Env,
) -> Result<Applied, ApiError> {
    let (manifest, name, namespace) = placed(kind, manifest, default_namespace);
    let mut object = decode_for_create(store, kind, &manifest)?;
    if store.get(kind, &namespace, &name).is_some() {
        return Err(ApiError::already_exists(&qualified_resource(kind), &name));
    }
    if save_config {
        let (_, last_applied) = with_last_applied(&manifest);
        set_annotation(object.metadata_mut(), LAST_APPLIED, last_applied);
    }
    insert(store, object, Some(&manifest), env)?;
    Ok(Applied {
        resource: kind.resource(),
        name,
        action: ApplyAction::Created,
        warnings: Vec::new(),
    })
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
    let (manifest, name, namespace) = placed(kind, manifest, default_namespace);
    let (modified, last_applied) = with_last_applied(&manifest);
    let applied = |action, warnings| Applied {
        resource: kind.resource(),
        name: name.clone(),
        action,
        warnings,
    };
    let Some(stored) = store.get(kind, &namespace, &name).cloned() else {
        // kubectl drops nulls from what it creates (the annotation keeps
        // them), so that a create stores what a later apply would.
        let mut manifest = manifest;
        prune_nulls(&mut manifest);
        let mut object = decode_for_create(store, kind, &manifest)?;
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
    // kubectl reads the object at the manifest's version and patches it there.
    let api_version = manifest
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or(kind.api_version());
    let current = registry::at_version(kind, stored.to_json(), api_version);
    let mut merged = current.clone();
    three_way_merge(&mut merged, previous.as_ref(), &modified);
    let updated = decode_for_patch(store, kind, &current, &merged)?;
    let action = if replace(store, updated, &stored, Some(&manifest), env.now)? {
        ApplyAction::Configured
    } else {
        ApplyAction::Unchanged
    };
    Ok(applied(action, warnings))
}

/// `pruneNullsFromMap`: every map entry whose value is null, at any depth
/// (nulls in lists stay).
fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
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
    let custom = store
        .get(kind, namespace, name)
        .and_then(|o| CustomResourceDefinition::of(o))
        .and_then(custom_kind_of);
    let Some(removed) = store.remove(kind, namespace, name) else {
        return Err(ApiError::not_found(&qualified_resource(kind), name));
    };
    // The `customresourcecleanup` finalizer: a CRD goes with its objects.
    if let Some(custom) = custom {
        let objects: Vec<(String, String)> = store
            .list(Kind::Custom(custom))
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (namespace, name) in objects {
            store.remove(Kind::Custom(custom), &namespace, &name);
        }
    }
    if cascade == Cascade::Orphan {
        let uid = removed.metadata().uid.clone().unwrap_or_default();
        let dependents: Vec<Object> = store
            .kinds()
            .flat_map(|k| store.list(k))
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
pub fn update(store: &mut Store, object: Object, now: &Time) -> Result<(), ApiError> {
    let Some(stored) = store.get_like(&object).cloned() else {
        return Err(ApiError::not_found(
            &qualified_resource(object.kind()),
            object.name(),
        ));
    };
    replace(store, object, &stored, None, now).map(|_| ())
}
