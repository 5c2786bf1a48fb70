//! `HorizontalPodAutoscalerDescriber` for autoscaling/v2: each metric as
//! current / target (`<unknown>` until a metrics pipeline reports one), the
//! replica bounds, the scaling behavior and the conditions.

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget,
    MetricValueStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{labels_and_annotations, name_and_namespace, rfc1123z};

fn text(q: Option<&Quantity>) -> String {
    // Go prints an unset Quantity's String() as "0".
    q.map_or_else(|| "0".to_string(), |q| q.0.clone())
}

fn unknown() -> String {
    "<unknown>".to_string()
}

pub(super) fn describe(hpa: &HorizontalPodAutoscaler, lines: &mut Vec<String>) {
    let meta = &hpa.metadata;
    name_and_namespace(meta, lines);
    labels_and_annotations(meta, lines);
    if let Some(created) = &meta.creation_timestamp {
        lines.push(format!("CreationTimestamp:\t{}", rfc1123z(&created.0)));
    }
    let spec = hpa.spec.clone();
    let status = hpa.status.clone().unwrap_or_default();
    let target = &spec.scale_target_ref;
    lines.push(format!("Reference:\t{}/{}", target.kind, target.name));
    lines.push("Metrics:\t( current / target )".to_string());
    let current_metrics = status.current_metrics.unwrap_or_default();
    for (i, metric) in spec.metrics.iter().flatten().enumerate() {
        metric_line(metric, current_metrics.get(i), lines);
    }
    lines.push(format!(
        "Min replicas:\t{}",
        spec.min_replicas
            .map_or_else(|| "<unset>".to_string(), |n| n.to_string())
    ));
    lines.push(format!("Max replicas:\t{}", spec.max_replicas));
    if let Some(behavior) = &spec.behavior {
        lines.push("Behavior:".to_string());
        direction("Scale Up", behavior.scale_up.as_ref(), lines);
        direction("Scale Down", behavior.scale_down.as_ref(), lines);
    }
    lines.push(format!(
        "{} pods:\t{} current / {} desired",
        target.kind,
        status.current_replicas.unwrap_or(0),
        status.desired_replicas
    ));
    let conditions = status.conditions.unwrap_or_default();
    if !conditions.is_empty() {
        lines.push("Conditions:".to_string());
        lines.push("  Type\tStatus\tReason\tMessage".to_string());
        lines.push("  ----\t------\t------\t-------".to_string());
        for c in conditions {
            lines.push(format!(
                "  {}\t{}\t{}\t{}",
                c.type_,
                c.status,
                c.reason.unwrap_or_default(),
                c.message.unwrap_or_default()
            ));
        }
    }
}

/// The current average value, or `<unknown>`.
fn average(current: Option<&MetricValueStatus>) -> String {
    current
        .and_then(|c| c.average_value.as_ref())
        .map_or_else(unknown, |q| q.0.clone())
}

/// `resource cpu on pods  (as a percentage of request):  <unknown> / 60%` and
/// its siblings for a resource of the pods or of one container.
fn resource_line(
    subject: String,
    target: &MetricTarget,
    current: Option<&MetricValueStatus>,
    lines: &mut Vec<String>,
) {
    if let Some(value) = &target.average_value {
        lines.push(format!("  {subject}:\t{} / {}", average(current), value.0));
        return;
    }
    let current = current
        .and_then(|c| {
            c.average_utilization
                .map(|u| format!("{u}% ({})", text(c.average_value.as_ref())))
        })
        .unwrap_or_else(unknown);
    let target = target
        .average_utilization
        .map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
    lines.push(format!(
        "  {subject}  (as a percentage of request):\t{current} / {target}"
    ));
}

fn metric_line(metric: &MetricSpec, current: Option<&MetricStatus>, lines: &mut Vec<String>) {
    match metric.type_.as_str() {
        "External" => {
            let Some(external) = &metric.external else {
                return;
            };
            let now = current
                .and_then(|c| c.external.as_ref())
                .map(|e| &e.current);
            let name = &external.metric.name;
            if let Some(value) = &external.target.average_value {
                lines.push(format!(
                    "  {name:?} (target average value):\t{} / {}",
                    now.and_then(|c| c.average_value.as_ref())
                        .map_or_else(unknown, |q| q.0.clone()),
                    value.0
                ));
            } else {
                lines.push(format!(
                    "  {name:?} (target value):\t{} / {}",
                    now.map_or_else(unknown, |c| text(c.value.as_ref())),
                    text(external.target.value.as_ref())
                ));
            }
        }
        "Pods" => {
            let Some(pods) = &metric.pods else { return };
            let now = current.and_then(|c| c.pods.as_ref()).map(|p| &p.current);
            lines.push(format!(
                "  {:?} on pods:\t{} / {}",
                pods.metric.name,
                now.map_or_else(unknown, |c| text(c.average_value.as_ref())),
                text(pods.target.average_value.as_ref())
            ));
        }
        "Object" => {
            let Some(object) = &metric.object else { return };
            let now = current.and_then(|c| c.object.as_ref()).map(|o| &o.current);
            let subject = format!(
                "  \"{}\" on {}/{} ",
                object.metric.name, object.described_object.kind, object.described_object.name
            );
            if object.target.type_ == "AverageValue" {
                lines.push(format!(
                    "{subject}(target average value):\t{} / {}",
                    now.map_or_else(unknown, |c| text(c.average_value.as_ref())),
                    text(object.target.average_value.as_ref())
                ));
            } else {
                lines.push(format!(
                    "{subject}(target value):\t{} / {}",
                    now.map_or_else(unknown, |c| text(c.value.as_ref())),
                    text(object.target.value.as_ref())
                ));
            }
        }
        "Resource" => {
            let Some(resource) = &metric.resource else {
                return;
            };
            let now = current
                .and_then(|c| c.resource.as_ref())
                .map(|r| &r.current);
            resource_line(
                format!("resource {} on pods", resource.name),
                &resource.target,
                now,
                lines,
            );
        }
        "ContainerResource" => {
            let Some(resource) = &metric.container_resource else {
                return;
            };
            let now = current
                .and_then(|c| c.container_resource.as_ref())
                .map(|r| &r.current);
            resource_line(
                format!(
                    "resource {} of container \"{}\" on pods",
                    resource.name, resource.container
                ),
                &resource.target,
                now,
                lines,
            );
        }
        other => lines.push(format!("  <unknown metric type {other:?}>")),
    }
}

/// `printDirectionBehavior`.
fn direction(title: &str, rules: Option<&HPAScalingRules>, lines: &mut Vec<String>) {
    let Some(rules) = rules else { return };
    lines.push(format!("  {title}:"));
    if let Some(window) = rules.stabilization_window_seconds {
        lines.push(format!("    Stabilization Window: {window} seconds"));
    }
    let policies = rules.policies.as_deref().unwrap_or_default();
    if !policies.is_empty() {
        lines.push(format!(
            "    Select Policy: {}",
            rules.select_policy.as_deref().unwrap_or("Max")
        ));
        lines.push("    Policies:".to_string());
        for p in policies {
            lines.push(format!(
                "      - Type: {}\tValue: {}\tPeriod: {} seconds",
                p.type_, p.value, p.period_seconds
            ));
        }
    }
}
