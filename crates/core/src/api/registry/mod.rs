//! What the API server's registry does for each kind, one module per kind, as
//! `pkg/registry/<group>/<resource>/strategy.go` lays it out: defaulting,
//! admission, the fields the registry owns on create and update, and
//! validation. `api::server` runs these steps in the server's order for every
//! kind alike; a new kind is a new module here and a line in `served_kinds!`.
//!
//! The validators themselves live in `api::validation` (as `pkg/apis/*/validation`
//! do) and the defaulters in `api::defaults`; a strategy says which apply.

/// `PrepareForCreate` and `PrepareForUpdate` of kinds with a spec and a
/// controller-owned status: status is the controller's, the generation counts
/// spec changes.
macro_rules! spec_and_status {
    () => {
        fn prepare_for_create(&mut self, _ctx: &$crate::api::registry::Context) {
            self.metadata.generation = Some(1);
            self.status = None;
        }

        fn prepare_for_update(&mut self, old: &Self, _ctx: &$crate::api::registry::Context) {
            keep_status_count_generations!(self, old);
        }
    };
}

/// `PrepareForCreate` and `PrepareForUpdate` of kinds whose status belongs to
/// a controller: cleared on create, kept on update.
macro_rules! status_kept {
    () => {
        fn prepare_for_create(&mut self, _ctx: &$crate::api::registry::Context) {
            self.status = None;
        }

        fn prepare_for_update(&mut self, old: &Self, _ctx: &$crate::api::registry::Context) {
            self.status = old.status.clone();
        }
    };
}

/// The update half of [`spec_and_status`], for kinds with their own create.
macro_rules! keep_status_count_generations {
    ($new:ident, $old:ident) => {{
        $new.status = $old.status.clone();
        $new.metadata.generation = $old.metadata.generation;
        if $new.spec != $old.spec {
            $new.metadata.generation = Some($old.metadata.generation.unwrap_or(0) + 1);
        }
    }};
}

mod apiservice;
mod autoscaler;
mod crd;
mod daemonset;
mod namespace;
mod node;
mod pod;
mod priority_class;
mod rbac;
mod runtime_class;
mod secret;
mod service;
mod simple;
mod workloads;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::Metadata;
use serde_json::Value;

use super::decode::TypeError;
use super::errors::ApiError;
use super::ids::Ids;
use super::store::Store;
use super::validation::{validate_object_meta, FieldError, NameRule};
use super::Kind;

pub use crd::custom_kind_of;
pub use daemonset::TEMPLATE_GENERATION_ANNOTATION;
pub use pod::qos_class;

/// What a strategy may look at besides the object.
pub struct Context<'a> {
    pub store: &'a Store,
    /// The manifest as the user wrote it, when the write comes from one: some
    /// checks depend on what was written rather than what defaulting filled in.
    pub manifest: Option<&'a Value>,
    pub now: &'a Time,
    /// Is the kind namespaced?
    pub namespaced: bool,
}

/// An object with metadata: every k8s-openapi kind, and custom objects.
pub trait HasMeta {
    fn meta(&self) -> &ObjectMeta;
}

impl<T: Metadata<Ty = ObjectMeta>> HasMeta for T {
    fn meta(&self) -> &ObjectMeta {
        self.metadata()
    }
}

/// `rest.RESTCreateStrategy` and `rest.RESTUpdateStrategy` for one kind.
pub trait Strategy: HasMeta {
    /// The grammar `metadata.name` must follow.
    const NAME_RULE: NameRule = NameRule::Dns1123Subdomain;

    /// The defaulters the server runs as it decodes an object of this kind.
    fn default(&mut self) {}

    /// Mutating admission plugins that act on this kind.
    fn admit(&mut self, _store: &Store, _ids: &mut Ids) -> Result<(), ApiError> {
        Ok(())
    }

    /// `PrepareForCreate`: fields the registry owns (status, generation).
    fn prepare_for_create(&mut self, _ctx: &Context) {}

    /// `PrepareForUpdate`: what an update through the main resource may not change.
    fn prepare_for_update(&mut self, _old: &Self, _ctx: &Context) {}

    /// `Validate`: by default `ValidateObjectMeta` with the kind's name rule.
    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(self.meta(), ctx.namespaced, Self::NAME_RULE, errors);
    }

    /// `ValidateUpdate`; by default the object is validated as on create
    /// (name, namespace and uid cannot change: they are the store's keys).
    fn validate_update(&self, _old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors)
    }
}

pub(crate) fn validate<T: Strategy>(object: &T, ctx: &Context) -> Vec<FieldError> {
    let mut errors = Vec::new();
    object.validate(ctx, &mut errors);
    errors
}

pub(crate) fn validate_update<T: Strategy>(object: &T, old: &T, ctx: &Context) -> Vec<FieldError> {
    let mut errors = Vec::new();
    object.validate_update(old, ctx, &mut errors);
    errors
}

/// A field that may not change after creation: `field: Invalid value: <new>: field is immutable`.
pub(crate) fn immutable<T: PartialEq + serde::Serialize>(
    new: &T,
    old: &T,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    if new != old {
        errors.push(FieldError::invalid(
            field,
            super::validation::Rendered::json(new),
            "field is immutable",
        ));
    }
}

/// The versions a built-in kind is also served at, besides its preferred one.
pub fn other_versions(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::HorizontalPodAutoscaler => &["autoscaling/v1"],
        _ => &[],
    }
}

/// A manifest written at one of [`other_versions`], decoded strictly at that
/// version and converted to the preferred one (unknown fields named at the
/// manifest's paths); `None` when `json` is at the preferred version.
pub(crate) fn to_preferred_version(
    kind: Kind,
    json: &Value,
) -> Option<Result<(Value, Vec<String>), TypeError>> {
    match (kind, json.get("apiVersion")?.as_str()?) {
        (Kind::HorizontalPodAutoscaler, "autoscaling/v1") => Some(autoscaler::v1_to_v2(json)),
        _ => None,
    }
}

/// A stored object (at the preferred version) as `api_version` serves it;
/// unchanged when that is the preferred version.
pub fn at_version(kind: Kind, json: Value, api_version: &str) -> Value {
    match (kind, api_version) {
        (Kind::HorizontalPodAutoscaler, "autoscaling/v1") => autoscaler::v2_to_v1(&json),
        _ => json,
    }
}
