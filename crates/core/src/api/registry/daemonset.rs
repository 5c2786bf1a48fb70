//! DaemonSets (`pkg/registry/apps/daemonset/strategy.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Context, Strategy};
use crate::api::defaults::default_daemonset;
use crate::api::validation::{validate_daemonset, validate_daemonset_update, FieldError};

/// The annotation counting template changes; the DaemonSet controller writes
/// it into each pod as `pod-template-generation`.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";

fn template_generation(meta: &ObjectMeta) -> i64 {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
        .and_then(|g| g.parse().ok())
        .unwrap_or(0)
}

fn set_template_generation(meta: &mut ObjectMeta, generation: i64) {
    meta.annotations.get_or_insert_with(BTreeMap::new).insert(
        TEMPLATE_GENERATION_ANNOTATION.to_string(),
        generation.to_string(),
    );
}

impl Strategy for DaemonSet {
    fn default(&mut self) {
        default_daemonset(self);
    }

    fn prepare_for_create(&mut self, _ctx: &Context) {
        self.metadata.generation = Some(1);
        set_template_generation(&mut self.metadata, 1);
        self.status = None;
    }

    /// Status is kept; the generation follows the spec, the template
    /// generation the template.
    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        self.status = old.status.clone();
        let old_spec = old.spec.clone().unwrap_or_default();
        let new_spec = self.spec.clone().unwrap_or_default();
        if old_spec.template != new_spec.template {
            set_template_generation(&mut self.metadata, template_generation(&old.metadata) + 1);
        }
        if old_spec != new_spec {
            self.metadata.generation = Some(old.metadata.generation.unwrap_or(0) + 1);
        }
    }

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        // A selector defaulting filled in is not one the user gave.
        let selector_given = ctx
            .manifest
            .is_none_or(|m| m.pointer("/spec/selector").is_some_and(|s| !s.is_null()));
        validate_daemonset(self, selector_given, errors);
    }

    fn validate_update(&self, old: &Self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_daemonset_update(self, old, errors);
    }
}
