//! Nodes (`pkg/registry/core/node/strategy.go`).

use k8s_openapi::api::core::v1::Node;

use super::{Context, Strategy};
use crate::api::validation::{validate_node, FieldError};

/// The node registry stamps `timeAdded` on NoExecute taints that lack one:
/// the eviction manager counts `tolerationSeconds` from it.
fn stamp_taints(node: &mut Node, ctx: &Context) {
    for taint in node
        .spec
        .iter_mut()
        .flat_map(|s| s.taints.iter_mut().flatten())
    {
        if taint.effect == "NoExecute" && taint.time_added.is_none() {
            taint.time_added = Some(ctx.now.clone());
        }
    }
}

impl Strategy for Node {
    fn prepare_for_create(&mut self, ctx: &Context) {
        stamp_taints(self, ctx);
    }

    fn prepare_for_update(&mut self, old: &Self, ctx: &Context) {
        stamp_taints(self, ctx);
        self.status = old.status.clone();
    }

    fn validate(&self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_node(self, errors);
    }
}
