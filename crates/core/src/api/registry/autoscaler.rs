//! HorizontalPodAutoscalers (`pkg/registry/autoscaling/horizontalpodautoscaler`):
//! served at `autoscaling/v2` and at `autoscaling/v1`, converted as
//! `pkg/apis/autoscaling/v1/conversion.go` does; v2's defaults
//! (`pkg/apis/autoscaling/v2/defaults.go`) and the spec's validation
//! (`pkg/apis/autoscaling/validation`). Nothing scales on metrics here.

use k8s_openapi::api::autoscaling::v1::HorizontalPodAutoscaler as V1;
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec,
};
use serde_json::{json, Map, Value};

use super::{Context, Strategy};
use crate::api::decode::{decode_strict, TypeError};
use crate::api::names::path_segment_errors;
use crate::api::validation::{validate_object_meta, FieldError, Rendered};

/// Where v1 keeps what it has no field for, as the API server's conversion does.
const METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";
const DEFAULT_CPU_UTILIZATION: i32 = 80;

impl Strategy for HorizontalPodAutoscaler {
    fn default(&mut self) {
        let spec = &mut self.spec;
        spec.min_replicas.get_or_insert(1);
        if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
            spec.metrics = Some(vec![cpu_utilization(DEFAULT_CPU_UTILIZATION)]);
        }
        if let Some(behavior) = spec.behavior.as_mut() {
            behavior.scale_up = Some(with_defaults(
                behavior.scale_up.take(),
                Some(0),
                vec![policy("Pods", 4), policy("Percent", 100)],
            ));
            // The scale-down window is the controller's flag, not a default.
            behavior.scale_down = Some(with_defaults(
                behavior.scale_down.take(),
                None,
                vec![policy("Percent", 100)],
            ));
        }
    }

    status_kept!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let spec = &self.spec;
        if let Some(min) = spec.min_replicas.filter(|m| *m < 1) {
            errors.push(FieldError::invalid(
                "spec.minReplicas",
                Rendered::int(min.into()),
                "must be greater than or equal to 1",
            ));
        }
        let max = Rendered::int(spec.max_replicas.into());
        if spec.max_replicas < 1 {
            errors.push(FieldError::invalid(
                "spec.maxReplicas",
                max.clone(),
                "must be greater than 0",
            ));
        }
        if spec.min_replicas.is_some_and(|min| spec.max_replicas < min) {
            errors.push(FieldError::invalid(
                "spec.maxReplicas",
                max,
                "must be greater than or equal to `minReplicas`",
            ));
        }
        let target = &spec.scale_target_ref;
        for (field, value) in [("kind", &target.kind), ("name", &target.name)] {
            let path = format!("spec.scaleTargetRef.{field}");
            if value.is_empty() {
                errors.push(FieldError::required(&path, ""));
            }
            for msg in path_segment_errors(value) {
                errors.push(FieldError::invalid(&path, Rendered::str(value), &msg));
            }
        }
        for (i, metric) in spec.metrics.iter().flatten().enumerate() {
            let path = format!("spec.metrics[{i}].type");
            if metric.type_.is_empty() {
                errors.push(FieldError::required(
                    &path,
                    "must specify a metric source type",
                ));
            } else if !METRIC_TYPES.contains(&metric.type_.as_str()) {
                errors.push(FieldError::not_supported(
                    &path,
                    Rendered::str(&metric.type_),
                    METRIC_TYPES,
                ));
            }
        }
    }
}

const METRIC_TYPES: &[&str] = &[
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];

fn cpu_utilization(percent: i32) -> MetricSpec {
    serde_json::from_value(json!({
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": percent}},
    }))
    .unwrap_or_default()
}

fn policy(type_: &str, value: i32) -> HPAScalingPolicy {
    HPAScalingPolicy {
        type_: type_.to_string(),
        value,
        period_seconds: 15,
    }
}

/// `GenerateHPAScaleUpRules`/`…ScaleDownRules`: what the rules leave unset
/// comes from the defaults.
fn with_defaults(
    rules: Option<HPAScalingRules>,
    window: Option<i32>,
    policies: Vec<HPAScalingPolicy>,
) -> HPAScalingRules {
    let rules = rules.unwrap_or_default();
    HPAScalingRules {
        select_policy: rules.select_policy.or_else(|| Some("Max".to_string())),
        stabilization_window_seconds: rules.stabilization_window_seconds.or(window),
        policies: rules.policies.or(Some(policies)),
        tolerance: rules.tolerance,
    }
}

fn is_cpu_utilization(metric: &Value) -> bool {
    metric["type"] == "Resource"
        && metric["resource"]["name"] == "cpu"
        && metric["resource"]["target"]["averageUtilization"].is_number()
}

/// An `autoscaling/v1` manifest as `autoscaling/v2`: `targetCPUUtilizationPercentage`
/// becomes a CPU utilization metric, after the metrics and behavior an
/// earlier conversion kept in annotations. Decoding is strict, so unknown
/// fields are named at their v1 paths.
pub(crate) fn v1_to_v2(json: &Value) -> Result<(Value, Vec<String>), TypeError> {
    let (v1, unknown) = decode_strict::<V1>(json)?;
    let mut metadata = v1.metadata;
    let mut stashed = |key: &str| -> Option<Value> {
        let annotations = metadata.annotations.as_mut()?;
        let value = serde_json::from_str(annotations.get(key)?).ok()?;
        annotations.remove(key);
        Some(value)
    };
    let mut metrics = match stashed(METRICS_ANNOTATION) {
        Some(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    let behavior = stashed(BEHAVIOR_ANNOTATION);
    let spec = v1.spec;
    if let Some(percent) = spec.target_cpu_utilization_percentage {
        metrics.push(serde_json::to_value(cpu_utilization(percent)).unwrap_or_default());
    }
    let mut v2_spec = Map::new();
    v2_spec.insert(
        "scaleTargetRef".into(),
        serde_json::to_value(&spec.scale_target_ref).unwrap_or_default(),
    );
    if let Some(min) = spec.min_replicas {
        v2_spec.insert("minReplicas".into(), min.into());
    }
    v2_spec.insert("maxReplicas".into(), spec.max_replicas.into());
    if !metrics.is_empty() {
        v2_spec.insert("metrics".into(), Value::Array(metrics));
    }
    if let Some(behavior) = behavior {
        v2_spec.insert("behavior".into(), behavior);
    }
    let converted = json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": serde_json::to_value(&metadata).unwrap_or_default(),
        "spec": v2_spec,
    });
    Ok((converted, unknown))
}

/// A stored autoscaler as `autoscaling/v1` serves it: the first CPU
/// utilization metric is `targetCPUUtilizationPercentage`; other metrics and
/// the behavior go into annotations so that converting back loses nothing.
/// The status is left out: writes through the main resource never set it.
pub(crate) fn v2_to_v1(json: &Value) -> Value {
    let spec = &json["spec"];
    let metrics = spec["metrics"].as_array().cloned().unwrap_or_default();
    let cpu = metrics.iter().find(|m| is_cpu_utilization(m));
    let others: Vec<Value> = metrics
        .iter()
        .filter(|m| !is_cpu_utilization(m))
        .cloned()
        .collect();
    let mut metadata = json["metadata"].clone();
    let mut stash = |key: &str, value: &Value| {
        if let Some(meta) = metadata.as_object_mut() {
            let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
            annotations[key] = Value::String(value.to_string());
        }
    };
    if !others.is_empty() {
        stash(METRICS_ANNOTATION, &Value::Array(others));
    }
    if !spec["behavior"].is_null() {
        stash(BEHAVIOR_ANNOTATION, &spec["behavior"]);
    }
    let mut v1_spec = Map::new();
    for key in ["scaleTargetRef", "minReplicas", "maxReplicas"] {
        if !spec[key].is_null() {
            v1_spec.insert(key.into(), spec[key].clone());
        }
    }
    if let Some(cpu) = cpu {
        v1_spec.insert(
            "targetCPUUtilizationPercentage".into(),
            cpu["resource"]["target"]["averageUtilization"].clone(),
        );
    }
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata,
        "spec": v1_spec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_and_v2_round_trip_without_loss() {
        let v2 = json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 2,
                "maxReplicas": 5,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
                    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
                ],
                "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}},
            },
        });
        let v1 = v2_to_v1(&v2);
        assert_eq!(v1["spec"]["targetCPUUtilizationPercentage"], 60);
        let (back, unknown) = v1_to_v2(&v1).expect("decodes");
        assert!(unknown.is_empty());
        assert_eq!(back["spec"], v2["spec"]);
        assert_eq!(back["metadata"]["annotations"], json!({}));
    }
}
