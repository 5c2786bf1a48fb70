//! `kubectl create poddisruptionbudget`, `quota` and `priorityclass`
//! (`pkg/cmd/create/create_pdb.go`, `create_quota.go`, `create_priorityclass.go`).

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::Object;
use k8s_openapi::api::core::v1::{ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::policy::v1::{
    PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus,
};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{meta, Generated};
use crate::args::Args;
use crate::selector::Selector;

/// `^[0-9]+%?$`: a count or a percentage.
fn is_count_or_percent(text: &str) -> bool {
    let digits = text.strip_suffix('%').unwrap_or(text);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// `intstr.Parse`: a number if it is one, else the text.
fn int_or_string(text: &str) -> IntOrString {
    match text.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(text.to_string()),
    }
}

pub(super) fn pdb(name: String, args: &Args, namespace: &str) -> Result<Generated, String> {
    let selector = args.value(&["--selector"]).unwrap_or("");
    let min = args.value(&["--min-available"]).unwrap_or("");
    let max = args.value(&["--max-unavailable"]).unwrap_or("");
    if selector.is_empty() {
        return Err("error: a selector must be specified".to_string());
    }
    match (min.is_empty(), max.is_empty()) {
        (true, true) => {
            return Err("error: one of min-available or max-unavailable must be specified".into())
        }
        (false, false) => {
            return Err("error: min-available and max-unavailable cannot be both specified".into())
        }
        _ => {}
    }
    if !min.is_empty() && !is_count_or_percent(min) {
        return Err("error: invalid format specified for min-available".to_string());
    }
    if !max.is_empty() && !is_count_or_percent(max) {
        return Err("error: invalid format specified for max-unavailable".to_string());
    }
    let selector = Selector::parse(selector)
        .and_then(|s| s.to_label_selector())
        .map_err(|e| format!("error: {e}"))?;
    Ok(Generated {
        object: Object::from(PodDisruptionBudget {
            metadata: meta(&name, Some(namespace)),
            spec: Some(PodDisruptionBudgetSpec {
                selector: Some(selector),
                min_available: (!min.is_empty()).then(|| int_or_string(min)),
                max_unavailable: (!max.is_empty()).then(|| int_or_string(max)),
                ..Default::default()
            }),
            status: Some(PodDisruptionBudgetStatus {
                current_healthy: Some(0),
                desired_healthy: Some(0),
                disruptions_allowed: Some(0),
                expected_pods: Some(0),
                ..Default::default()
            }),
        }),
        failure_word: Some("failed to create poddisruptionbudgets: "),
    })
}

pub(super) fn quota(name: String, args: &Args, namespace: &str) -> Result<Generated, String> {
    let mut hard = BTreeMap::new();
    for statement in args
        .value(&["--hard"])
        .into_iter()
        .filter(|h| !h.is_empty())
        .flat_map(|h| h.split(','))
    {
        let parts: Vec<&str> = statement.split('=').collect();
        let [resource, value] = parts.as_slice() else {
            return Err(format!(
                "error: Invalid argument syntax {statement}, expected <resource>=<value>"
            ));
        };
        let quantity = Quantity::parse(value).map_err(|e| format!("error: {e}"))?;
        hard.insert(resource.to_string(), ApiQuantity(quantity.to_string()));
    }
    let mut scopes = Vec::new();
    for scope in args
        .value(&["--scopes"])
        .into_iter()
        .filter(|s| !s.is_empty())
        .flat_map(|s| s.split(','))
    {
        if scope.is_empty() {
            return Err("error: invalid resource quota scope \"\"".to_string());
        }
        scopes.push(scope.to_string());
    }
    Ok(Generated {
        object: Object::from(ResourceQuota {
            metadata: meta(&name, Some(namespace)),
            spec: Some(ResourceQuotaSpec {
                hard: (!hard.is_empty()).then_some(hard),
                scopes: (!scopes.is_empty()).then_some(scopes),
                ..Default::default()
            }),
            status: Some(Default::default()),
        }),
        failure_word: Some("failed to create quota: "),
    })
}

pub(super) fn priority_class(name: String, args: &Args) -> Result<Generated, String> {
    let value = match args.value(&["--value"]) {
        Some(text) => text.parse::<i32>().map_err(|_| {
            format!("error: invalid argument {text:?} for \"--value\" flag: strconv.ParseInt: parsing {text:?}: invalid syntax")
        })?,
        None => 0,
    };
    let global_default = match args.value(&["--global-default"]) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(format!(
                "error: invalid argument {other:?} for \"--global-default\" flag: strconv.ParseBool: parsing {other:?}: invalid syntax"
            ))
        }
    };
    let description = args.value(&["--description"]).unwrap_or("");
    let policy = args
        .value(&["--preemption-policy"])
        .unwrap_or("PreemptLowerPriority");
    Ok(Generated {
        object: Object::from(PriorityClass {
            metadata: meta(&name, None),
            value: Some(value),
            global_default: global_default.then_some(true),
            description: (!description.is_empty()).then(|| description.to_string()),
            preemption_policy: Some(policy.to_string()),
        }),
        failure_word: Some("failed to create priorityclass: "),
    })
}
