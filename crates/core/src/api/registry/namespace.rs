//! Namespaces (`pkg/registry/core/namespace/strategy.go`).

use k8s_openapi::api::core::v1::{Namespace, NamespaceStatus};

use super::{Context, Strategy};
use crate::api::validation::NameRule;

impl Strategy for Namespace {
    const NAME_RULE: NameRule = NameRule::Dns1123Label;

    fn prepare_for_create(&mut self, _ctx: &Context) {
        self.status = Some(NamespaceStatus {
            phase: Some("Active".to_string()),
            ..Default::default()
        });
    }

    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        self.status = old.status.clone();
    }
}
