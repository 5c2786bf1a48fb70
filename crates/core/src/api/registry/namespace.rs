//! Namespaces (`pkg/registry/core/namespace/strategy.go`).

use k8s_openapi::api::core::v1::{Namespace, NamespaceStatus};

use super::{Context, Strategy};
use crate::api::validation::NameRule;

impl Strategy for Namespace {
    const NAME_RULE: NameRule = NameRule::Dns1123Label;

    /// `SetDefaults_Namespace`: every named namespace carries its name as
    /// the `kubernetes.io/metadata.name` label, so selectors can pick it.
    fn default(&mut self) {
        if let Some(name) = self.metadata.name.clone().filter(|n| !n.is_empty()) {
            self.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert("kubernetes.io/metadata.name".to_string(), name);
        }
    }

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
