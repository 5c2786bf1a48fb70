//! Custom resources: the kinds CustomResourceDefinitions register, and their
//! objects. A custom object is kept as the API server keeps one (unstructured
//! JSON), but only after its CRD's structural schema has pruned and checked it
//! (`api::schema`).

use std::fmt;
use std::ops::Deref;
use std::sync::{Mutex, PoisonError};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};

use super::decode::{decode_strict, TypeError};
use super::registry::{Context, Strategy};
use super::schema;
use super::store::Store;
use super::validation::{validate_object_meta, FieldError, NameRule};
use super::Kind;

/// What the API server knows of a custom kind: its CRD's names, scope and
/// served versions (highest priority first, as discovery lists them).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomKindInfo {
    pub group: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub versions: &'static [&'static str],
    /// `group/version` of the preferred version.
    pub api_version: &'static str,
}

/// A custom kind. Copy and comparable like the built-in kinds: the same
/// definition always yields the same handle.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomKind(&'static CustomKindInfo);

impl Deref for CustomKind {
    type Target = CustomKindInfo;

    fn deref(&self) -> &CustomKindInfo {
        self.0
    }
}

impl fmt::Debug for CustomKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.plural, self.group)
    }
}

/// A custom kind's definition, as read from its CRD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomKindSpec {
    pub group: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub versions: Vec<String>,
}

/// Every definition seen, so equal definitions share one handle. Kinds need
/// `'static` names like the built-in ones; a definition is kept once, however
/// many clusters or applies use it.
static KINDS: Mutex<Vec<&'static CustomKindInfo>> = Mutex::new(Vec::new());

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

fn leak_all(list: &[String]) -> &'static [&'static str] {
    Box::leak(
        list.iter()
            .map(|s| leak(s))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

impl CustomKindSpec {
    fn matches(&self, info: &CustomKindInfo) -> bool {
        info.group == self.group
            && info.kind == self.kind
            && info.plural == self.plural
            && info.singular == self.singular
            && info.namespaced == self.namespaced
            && info.short_names.iter().eq(self.short_names.iter())
            && info.categories.iter().eq(self.categories.iter())
            && info.versions.iter().eq(self.versions.iter())
    }

    /// The handle for this definition.
    pub fn intern(&self) -> CustomKind {
        let mut kinds = KINDS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(info) = kinds.iter().find(|info| self.matches(info)) {
            return CustomKind(info);
        }
        let preferred = self.versions.first().map_or("", String::as_str);
        let info: &'static CustomKindInfo = Box::leak(Box::new(CustomKindInfo {
            group: leak(&self.group),
            kind: leak(&self.kind),
            plural: leak(&self.plural),
            singular: leak(&self.singular),
            namespaced: self.namespaced,
            short_names: leak_all(&self.short_names),
            categories: leak_all(&self.categories),
            versions: leak_all(&self.versions),
            api_version: leak(&format!("{}/{preferred}", self.group)),
        }));
        kinds.push(info);
        CustomKind(info)
    }
}

/// One custom object: its metadata, and every other field but `apiVersion`
/// and `kind` as its schema left them.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomObject {
    pub kind: CustomKind,
    pub metadata: ObjectMeta,
    pub fields: Map<String, Value>,
}

impl CustomObject {
    /// Reads `json` as an object of `kind`: metadata strictly, the rest pruned
    /// against the CRD's schema for the version written. The paths of pruned
    /// fields are returned, for strict field validation to refuse.
    pub fn decode(
        kind: CustomKind,
        json: &Value,
        store: &Store,
    ) -> Result<(CustomObject, Vec<String>), TypeError> {
        let empty = Map::new();
        let map = json.as_object().unwrap_or(&empty);
        let (metadata, mut unknown) = match map.get("metadata") {
            Some(meta) => {
                let (meta, unknown) = decode_strict::<ObjectMeta>(meta).map_err(|e| TypeError {
                    path: format!("metadata.{}", e.path),
                    message: e.message,
                })?;
                (
                    meta,
                    unknown
                        .into_iter()
                        .map(|u| format!("metadata.{u}"))
                        .collect(),
                )
            }
            None => (ObjectMeta::default(), Vec::new()),
        };
        let mut fields: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let version = map
            .get("apiVersion")
            .and_then(Value::as_str)
            .and_then(|v| v.rsplit('/').next())
            .unwrap_or("");
        if let Some(schema) = store.custom_schema(kind, version) {
            let mut body = Value::Object(std::mem::take(&mut fields));
            schema::prune_root(schema, &mut body, &mut unknown);
            schema::default_root(schema, &mut body);
            if let Value::Object(pruned) = body {
                fields = pruned;
            }
        }
        Ok((
            CustomObject {
                kind,
                metadata,
                fields,
            },
            unknown,
        ))
    }

    /// The object as the API serves it, at the kind's preferred version.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            "apiVersion".to_string(),
            Value::String(self.kind.api_version.to_string()),
        );
        map.insert(
            "kind".to_string(),
            Value::String(self.kind.kind.to_string()),
        );
        map.insert(
            "metadata".to_string(),
            serde_json::to_value(&self.metadata).unwrap_or_default(),
        );
        map.extend(self.fields.iter().map(|(k, v)| (k.clone(), v.clone())));
        Value::Object(map)
    }
}

impl super::registry::HasMeta for CustomObject {
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
}

/// The custom resource strategy: the schema, applied while decoding, has
/// pruned and defaulted the fields; here it validates them. With a status
/// subresource, writes to the object leave its status alone (it is dropped on
/// create and kept on update) and only other changes count as a new
/// generation; without one every field is the object's spec.
impl Strategy for CustomObject {
    fn prepare_for_create(&mut self, ctx: &Context) {
        self.metadata.generation = Some(1);
        if self.has_status_subresource(ctx) {
            self.fields.remove("status");
        }
    }

    fn prepare_for_update(&mut self, old: &Self, ctx: &Context) {
        if self.has_status_subresource(ctx) {
            match old.fields.get("status") {
                Some(status) => self.fields.insert("status".to_string(), status.clone()),
                None => self.fields.remove("status"),
            };
        }
        self.metadata.generation = old.metadata.generation;
        if self.fields != old.fields {
            self.metadata.generation = Some(old.metadata.generation.unwrap_or(0) + 1);
        }
    }

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(
            &self.metadata,
            ctx.namespaced,
            NameRule::Dns1123Subdomain,
            errors,
        );
        let version = self.kind.api_version.rsplit('/').next().unwrap_or("");
        if let Some(schema) = ctx.store.custom_schema(self.kind, version) {
            schema::validate_root(schema, &Value::Object(self.fields.clone()), errors);
        }
    }
}

impl CustomObject {
    fn has_status_subresource(&self, ctx: &Context) -> bool {
        let version = self.kind.api_version.rsplit('/').next().unwrap_or("");
        ctx.store
            .custom_version(self.kind, version)
            .and_then(|v| v.subresources.as_ref())
            .is_some_and(|s| s.status.is_some())
    }
}

impl Kind {
    /// The custom kind, if this is one.
    pub fn custom(self) -> Option<CustomKind> {
        match self {
            Kind::Custom(kind) => Some(kind),
            _ => None,
        }
    }
}
