//! `PodDisruptionBudgetDescriber`: the budget and the status the disruption
//! controller keeps.

use k8s_openapi::api::policy::v1::PodDisruptionBudget;

use super::{intstr, name_and_namespace};
use crate::selector::format_label_selector;

pub(super) fn describe(pdb: &PodDisruptionBudget, lines: &mut Vec<String>) {
    name_and_namespace(&pdb.metadata, lines);
    let spec = pdb.spec.clone().unwrap_or_default();
    if let Some(min) = &spec.min_available {
        lines.push(format!("Min available:\t{}", intstr(min)));
    } else if let Some(max) = &spec.max_unavailable {
        lines.push(format!("Max unavailable:\t{}", intstr(max)));
    }
    lines.push(format!(
        "Selector:\t{}",
        spec.selector
            .as_ref()
            .map_or_else(|| "<unset>".to_string(), format_label_selector)
    ));
    let status = pdb.status.clone().unwrap_or_default();
    lines.push("Status:".to_string());
    lines.push(format!(
        "    Allowed disruptions:\t{}",
        status.disruptions_allowed.unwrap_or(0)
    ));
    lines.push(format!(
        "    Current:\t{}",
        status.current_healthy.unwrap_or(0)
    ));
    lines.push(format!(
        "    Desired:\t{}",
        status.desired_healthy.unwrap_or(0)
    ));
    lines.push(format!("    Total:\t{}", status.expected_pods.unwrap_or(0)));
}
