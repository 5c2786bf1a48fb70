//! PriorityClasses (`pkg/registry/scheduling/priorityclass/strategy.go`).

use k8s_openapi::api::scheduling::v1::PriorityClass;

use super::{Context, Strategy};
use crate::api::defaults::default_priority_class;
use crate::api::validation::{validate_priority_class, validate_priority_class_update, FieldError};

impl Strategy for PriorityClass {
    fn default(&mut self) {
        default_priority_class(self);
    }

    fn validate(&self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_priority_class(self, errors);
    }

    fn validate_update(&self, old: &Self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_priority_class_update(self, old, errors);
    }
}
