//! APIServices (`kube-aggregator/pkg/registry/apiservice`, `ValidateAPIService`).

use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;

use super::{Context, Strategy};
use crate::api::validation::{validate_object_meta, FieldError, NameRule, Rendered};

impl Strategy for APIService {
    const NAME_RULE: NameRule = NameRule::PathSegment;

    status_kept!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        let version = spec.version.clone().unwrap_or_default();
        let group = spec.group.clone().unwrap_or_default();
        let name = self.metadata.name.as_deref().unwrap_or("");
        let expected = format!("{version}.{group}");
        if name != expected {
            errors.push(FieldError::invalid(
                "metadata.name",
                Rendered::str(name),
                &format!("must be `spec.version+\".\"+spec.group`: {expected:?}"),
            ));
        }
        if spec.group_priority_minimum <= 0 || spec.group_priority_minimum > 20000 {
            errors.push(FieldError::invalid(
                "spec.groupPriorityMinimum",
                Rendered::int(spec.group_priority_minimum.into()),
                "must be positive and less than 20000",
            ));
        }
        if spec.version_priority <= 0 || spec.version_priority > 1000 {
            errors.push(FieldError::invalid(
                "spec.versionPriority",
                Rendered::int(spec.version_priority.into()),
                "must be positive and less than 1000",
            ));
        }
        if spec.insecure_skip_tls_verify == Some(true) && spec.ca_bundle.is_some() {
            errors.push(FieldError::invalid(
                "spec.insecureSkipTLSVerify",
                Rendered(true.to_string()),
                "may not be true if caBundle is present",
            ));
        }
    }
}
