//! DaemonSets: `ValidateDaemonSet`, `ValidateDaemonSetSpec` and
//! `ValidateRollingUpdateDaemonSet` from `pkg/apis/apps/validation`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetUpdateStrategy};
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::{
    selector_matches, selector_parses, validate_annotations, validate_label_selector,
    validate_labels, validate_object_meta, NameRule,
};
use super::pod::validate_pod_spec;
use super::{nonnegative, FieldError, Rendered};

const PERCENT_SYNTAX: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/// `intstr` renders as its JSON: `1` or `"50%"`.
fn render(value: &IntOrString) -> Rendered {
    Rendered::json(value)
}

fn percent(value: &IntOrString) -> Option<i64> {
    match value {
        IntOrString::String(s) => {
            let digits = s.strip_suffix('%')?;
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse().ok())
                .flatten()
        }
        IntOrString::Int(_) => None,
    }
}

/// `getIntOrPercentValue`: the number, whether or not it is a percentage (a
/// string that is not a percentage counts as its integer value, or 0).
pub fn int_or_percent_value(value: &IntOrString) -> i64 {
    match value {
        IntOrString::Int(i) => (*i).into(),
        IntOrString::String(s) => percent(value).unwrap_or_else(|| s.parse().unwrap_or(0)),
    }
}

pub fn validate_int_or_percent(value: &IntOrString, field: &str, errors: &mut Vec<FieldError>) {
    match value {
        IntOrString::String(_) if percent(value).is_none() => {
            errors.push(FieldError::invalid(field, render(value), PERCENT_SYNTAX))
        }
        IntOrString::String(_) => {}
        IntOrString::Int(i) => nonnegative((*i).into(), field, errors),
    }
}

pub fn not_more_than_100_percent(value: &IntOrString, field: &str, errors: &mut Vec<FieldError>) {
    if percent(value).is_some_and(|p| p > 100) {
        errors.push(FieldError::invalid(
            field,
            render(value),
            "must not be greater than 100%",
        ));
    }
}

/// Go's JSON of the internal strategy type: exported field names, no tags.
fn render_strategy(strategy: &DaemonSetUpdateStrategy) -> Rendered {
    let json = |v: &Option<IntOrString>| {
        serde_json::to_string(v.as_ref().unwrap_or(&IntOrString::Int(0)))
            .unwrap_or_else(|_| "0".to_string())
    };
    let rolling = match &strategy.rolling_update {
        Some(r) => format!(
            "{{\"MaxUnavailable\":{},\"MaxSurge\":{}}}",
            json(&r.max_unavailable),
            json(&r.max_surge)
        ),
        None => "null".to_string(),
    };
    let type_ = serde_json::to_string(strategy.type_.as_deref().unwrap_or("")).unwrap_or_default();
    Rendered(format!("{{\"Type\":{type_},\"RollingUpdate\":{rolling}}}"))
}

fn validate_update_strategy(strategy: &DaemonSetUpdateStrategy, errors: &mut Vec<FieldError>) {
    let field = "spec.updateStrategy";
    match strategy.type_.as_deref() {
        Some("OnDelete") => {}
        Some("RollingUpdate") => {
            let Some(rolling) = &strategy.rolling_update else {
                errors.push(FieldError::required(&format!("{field}.rollingUpdate"), ""));
                return;
            };
            let zero = IntOrString::Int(0);
            let unavailable = rolling.max_unavailable.as_ref().unwrap_or(&zero);
            let surge = rolling.max_surge.as_ref().unwrap_or(&zero);
            let (u_field, s_field) = (
                format!("{field}.rollingUpdate.maxUnavailable"),
                format!("{field}.rollingUpdate.maxSurge"),
            );
            validate_int_or_percent(unavailable, &u_field, errors);
            validate_int_or_percent(surge, &s_field, errors);
            not_more_than_100_percent(unavailable, &u_field, errors);
            not_more_than_100_percent(surge, &s_field, errors);
            let has_unavailable = int_or_percent_value(unavailable) != 0;
            let has_surge = int_or_percent_value(surge) != 0;
            if has_unavailable && has_surge {
                errors.push(FieldError::invalid(
                    &s_field,
                    render(surge),
                    "may not be set when maxUnavailable is non-zero",
                ));
            } else if !has_unavailable && !has_surge {
                errors.push(FieldError::required(
                    &u_field,
                    "cannot be 0 when maxSurge is 0",
                ));
            }
        }
        _ => errors.push(FieldError::not_supported(
            field,
            render_strategy(strategy),
            &["RollingUpdate", "OnDelete"],
        )),
    }
}

/// The selector and pod template checks every workload shares
/// (`ValidateDaemonSetSpec`, `ValidateDeploymentSpec`, `ValidateReplicaSetSpec`,
/// `ValidateStatefulSetSpec`): the selector must select the template's labels and
/// may not be empty; the template is a valid pod template. `what` names the
/// workload in "empty selector is invalid for …"; `restart_policies` are the
/// ones its pods may have.
pub fn validate_selector_and_template(
    selector: Option<&LabelSelector>,
    template: &PodTemplateSpec,
    what: &str,
    restart_policies: &[&str],
    errors: &mut Vec<FieldError>,
) {
    validate_selector_and_template_meta(selector, template, what, errors);
    let pod_spec = template.spec.clone().unwrap_or_default();
    validate_pod_spec(&pod_spec, "spec.template.spec", errors);
    validate_restart_policy(&pod_spec, restart_policies, errors);
}

/// The selector, and the template's labels and annotations: all a
/// StatefulSet's template gets (`ValidatePodTemplateSpecForStatefulSet`
/// leaves its pod spec unchecked, since mounts may name claim templates).
pub fn validate_selector_and_template_meta(
    selector: Option<&LabelSelector>,
    template: &PodTemplateSpec,
    what: &str,
    errors: &mut Vec<FieldError>,
) {
    let template_meta = template.metadata.clone().unwrap_or_default();
    let empty = BTreeMap::new();
    let template_labels = template_meta.labels.as_ref().unwrap_or(&empty);
    if let Some(selector) = selector {
        validate_label_selector(selector, "spec.selector", errors);
    }
    // A missing selector selects nothing, so it never matches the template; one
    // that cannot be parsed is not compared at all.
    let matches = selector.is_some_and(|s| selector_matches(s, template_labels));
    if !matches && selector.is_none_or(selector_parses) {
        errors.push(FieldError::invalid(
            "spec.template.metadata.labels",
            Rendered::json(&template_meta.labels),
            "`selector` does not match template `labels`",
        ));
    }
    if let Some(selector) = selector {
        let clauses = selector.match_labels.as_ref().map_or(0, BTreeMap::len)
            + selector.match_expressions.as_ref().map_or(0, Vec::len);
        if clauses == 0 {
            errors.push(FieldError::invalid(
                "spec.selector",
                Rendered::json(selector),
                &format!("empty selector is invalid for {what}"),
            ));
        }
    }
    // ValidatePodTemplateSpec: labels and annotations under `spec.template`, then the spec.
    validate_labels(template_labels, "spec.template.labels", errors);
    if let Some(annotations) = &template_meta.annotations {
        validate_annotations(annotations, "spec.template.annotations", errors);
    }
}

pub fn validate_restart_policy(
    pod_spec: &PodSpec,
    restart_policies: &[&str],
    errors: &mut Vec<FieldError>,
) {
    if let Some(policy) = pod_spec
        .restart_policy
        .as_deref()
        .filter(|p| !restart_policies.contains(p))
    {
        errors.push(FieldError::not_supported(
            "spec.template.spec.restartPolicy",
            Rendered::str(policy),
            restart_policies,
        ));
    }
}

/// `ValidateDaemonSet` (after defaulting, as the server runs it). `selector_given`
/// tells a missing `spec.selector` (nil: selects nothing) from an empty one.
pub fn validate_daemonset(ds: &DaemonSet, selector_given: bool, errors: &mut Vec<FieldError>) {
    validate_object_meta(&ds.metadata, true, NameRule::Dns1123Subdomain, errors);
    let spec = ds.spec.clone().unwrap_or_default();
    let selector = selector_given.then_some(&spec.selector);
    validate_selector_and_template(selector, &spec.template, "daemonset", &["Always"], errors);
    if spec
        .template
        .spec
        .as_ref()
        .is_some_and(|s| s.active_deadline_seconds.is_some())
    {
        errors.push(FieldError::forbidden(
            "spec.template.spec.activeDeadlineSeconds",
            "activeDeadlineSeconds in DaemonSet is not Supported",
        ));
    }
    nonnegative(
        spec.min_ready_seconds.unwrap_or(0).into(),
        "spec.minReadySeconds",
        errors,
    );
    if let Some(strategy) = &spec.update_strategy {
        validate_update_strategy(strategy, errors);
    }
    if let Some(limit) = spec.revision_history_limit {
        nonnegative(limit.into(), "spec.revisionHistoryLimit", errors);
    }
}

/// `ValidateDaemonSetUpdate`: the selector may not change.
pub fn validate_daemonset_update(ds: &DaemonSet, old: &DaemonSet, errors: &mut Vec<FieldError>) {
    validate_daemonset(ds, true, errors);
    let selector = ds.spec.as_ref().map(|s| &s.selector);
    if selector != old.spec.as_ref().map(|s| &s.selector) {
        errors.push(FieldError::invalid(
            "spec.selector",
            Rendered::json(&selector),
            "field is immutable",
        ));
    }
}
