//! Workloads: DaemonSets, Deployments, ReplicaSets, StatefulSets, their
//! ControllerRevisions, Jobs, CronJobs, HorizontalPodAutoscalers and
//! PodDisruptionBudgets.

use daemonlab_core::api::Object;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{age, container_cells, format_labels, Context};
use crate::selector::format_label_selector;

fn template_cells(
    template: Option<&PodTemplateSpec>,
    selector: Option<&LabelSelector>,
) -> Vec<String> {
    let containers = template
        .and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let [names, images] = container_cells(&containers);
    vec![
        names,
        images,
        selector.map_or_else(|| "<none>".to_string(), format_label_selector),
    ]
}

pub(super) fn cells(object: &Object, ctx: &Context) -> Option<Vec<String>> {
    let created = object.metadata().creation_timestamp.as_ref();
    Some(match object {
        Object::DaemonSet(ds) => {
            let status = ds.status.clone().unwrap_or_default();
            let spec = ds.spec.clone().unwrap_or_default();
            let node_selector = spec
                .template
                .spec
                .as_ref()
                .and_then(|s| s.node_selector.clone())
                .unwrap_or_default();
            let mut row = vec![
                status.desired_number_scheduled.to_string(),
                status.current_number_scheduled.to_string(),
                status.number_ready.to_string(),
                status.updated_number_scheduled.unwrap_or(0).to_string(),
                status.number_available.unwrap_or(0).to_string(),
                format_labels(&node_selector),
                ctx.age(created),
            ];
            row.extend(template_cells(Some(&spec.template), Some(&spec.selector)));
            row
        }
        Object::Deployment(deploy) => {
            let status = deploy.status.clone().unwrap_or_default();
            let spec = deploy.spec.clone().unwrap_or_default();
            let mut row = vec![
                format!(
                    "{}/{}",
                    status.ready_replicas.unwrap_or(0),
                    spec.replicas.unwrap_or(0)
                ),
                status.updated_replicas.unwrap_or(0).to_string(),
                status.available_replicas.unwrap_or(0).to_string(),
                ctx.age(created),
            ];
            let mut template = template_cells(Some(&spec.template), None);
            // `LabelSelectorAsSelector(...).String()`: an empty one stays empty.
            template[2] = match format_label_selector(&spec.selector) {
                none if none == "<none>" => String::new(),
                selector => selector,
            };
            row.extend(template);
            row
        }
        Object::ReplicaSet(rs) => {
            let status = rs.status.clone().unwrap_or_default();
            let spec = rs.spec.clone().unwrap_or_default();
            let mut row = vec![
                spec.replicas.unwrap_or(0).to_string(),
                status.replicas.to_string(),
                status.ready_replicas.unwrap_or(0).to_string(),
                ctx.age(created),
            ];
            row.extend(template_cells(spec.template.as_ref(), Some(&spec.selector)));
            row
        }
        Object::StatefulSet(sts) => {
            let status = sts.status.clone().unwrap_or_default();
            let spec = sts.spec.clone().unwrap_or_default();
            let mut row = vec![
                format!(
                    "{}/{}",
                    status.ready_replicas.unwrap_or(0),
                    spec.replicas.unwrap_or(0)
                ),
                ctx.age(created),
            ];
            row.extend(
                template_cells(Some(&spec.template), None)
                    .into_iter()
                    .take(2),
            );
            row
        }
        Object::ControllerRevision(cr) => {
            let controller = cr
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|r| r.controller == Some(true))
                .map_or_else(
                    || "<none>".to_string(),
                    |r| {
                        format!(
                            "{}.{}/{}",
                            r.kind.to_lowercase(),
                            r.api_version.split('/').next().unwrap_or(""),
                            r.name
                        )
                    },
                );
            vec![controller, cr.revision.to_string(), ctx.age(created)]
        }
        Object::Job(job) => {
            let spec = job.spec.clone().unwrap_or_default();
            let status = job.status.clone().unwrap_or_default();
            let condition = |type_: &str| {
                status
                    .conditions
                    .iter()
                    .flatten()
                    .any(|c| c.type_ == type_ && c.status == "True")
            };
            let state = if condition("Complete") {
                "Complete"
            } else if condition("Failed") {
                "Failed"
            } else if job.metadata.deletion_timestamp.is_some() {
                "Terminating"
            } else if condition("Suspended") {
                "Suspended"
            } else if condition("FailureTarget") {
                "FailureTarget"
            } else if condition("SuccessCriteriaMet") {
                "SuccessCriteriaMet"
            } else {
                "Running"
            };
            let succeeded = status.succeeded.unwrap_or(0);
            let completions = match (spec.completions, spec.parallelism.unwrap_or(1)) {
                (Some(n), _) => format!("{succeeded}/{n}"),
                (None, p) if p > 1 => format!("{succeeded}/1 of {p}"),
                (None, _) => format!("{succeeded}/1"),
            };
            let duration = match (&status.start_time, &status.completion_time) {
                (None, _) => String::new(),
                (Some(start), Some(end)) => age(Some(start), end.0),
                (Some(start), None) => age(Some(start), ctx.now),
            };
            let mut row = vec![state.to_string(), completions, duration, ctx.age(created)];
            row.extend(template_cells(Some(&spec.template), spec.selector.as_ref()));
            row
        }
        Object::CronJob(cj) => {
            let spec = &cj.spec;
            let status = cj.status.clone().unwrap_or_default();
            let job = spec.job_template.spec.clone().unwrap_or_default();
            let mut row = vec![
                spec.schedule.clone(),
                spec.time_zone
                    .clone()
                    .unwrap_or_else(|| "<none>".to_string()),
                match spec.suspend {
                    Some(true) => "True".to_string(),
                    Some(false) => "False".to_string(),
                    None => "<unset>".to_string(),
                },
                status.active.as_ref().map_or(0, Vec::len).to_string(),
                status
                    .last_schedule_time
                    .as_ref()
                    .map_or_else(|| "<none>".to_string(), |t| ctx.age(Some(t))),
                ctx.age(created),
            ];
            row.extend(template_cells(Some(&job.template), job.selector.as_ref()));
            row
        }
        Object::HorizontalPodAutoscaler(hpa) => {
            let spec = hpa.spec.clone();
            let status = hpa.status.clone().unwrap_or_default();
            let targets = hpa_targets(&spec, &status);
            vec![
                format!(
                    "{}/{}",
                    spec.scale_target_ref.kind, spec.scale_target_ref.name
                ),
                targets,
                spec.min_replicas
                    .map_or_else(|| "<unset>".to_string(), |m| m.to_string()),
                spec.max_replicas.to_string(),
                status.current_replicas.unwrap_or(0).to_string(),
                ctx.age(created),
            ]
        }
        Object::PodDisruptionBudget(pdb) => {
            let spec = pdb.spec.clone().unwrap_or_default();
            let int_or_string =
                |v: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| match v {
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i)) => {
                        i.to_string()
                    }
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => {
                        s.clone()
                    }
                    None => "N/A".to_string(),
                };
            vec![
                int_or_string(&spec.min_available),
                int_or_string(&spec.max_unavailable),
                pdb.status
                    .as_ref()
                    .map_or(0, |s| s.disruptions_allowed.unwrap_or(0))
                    .to_string(),
                ctx.age(created),
            ]
        }
        _ => return None,
    })
}

/// `formatHPAMetrics`, for the resource-utilization metrics manifests use.
fn hpa_targets(
    spec: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec,
    status: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerStatus,
) -> String {
    let metrics = spec.metrics.clone().unwrap_or_default();
    if metrics.is_empty() {
        return "<none>".to_string();
    }
    let current = status.current_metrics.clone().unwrap_or_default();
    let list: Vec<String> = metrics
        .iter()
        .enumerate()
        .map(|(i, metric)| match &metric.resource {
            Some(resource) => {
                let now = current
                    .get(i)
                    .and_then(|c| c.resource.as_ref())
                    .and_then(|r| r.current.average_utilization)
                    .map_or_else(|| "<unknown>".to_string(), |u| format!("{u}%"));
                match (
                    resource.target.average_utilization,
                    resource.target.average_value.as_ref(),
                ) {
                    (Some(target), _) => format!("{}: {now}/{target}%", resource.name),
                    (None, Some(value)) => format!("{}: {now}/{}", resource.name, value.0),
                    (None, None) => format!("{}: {now}/<auto>", resource.name),
                }
            }
            None => "<unknown>/<unknown>".to_string(),
        })
        .collect();
    let mut text = list.iter().take(2).cloned().collect::<Vec<_>>().join(", ");
    if list.len() > 2 {
        text.push_str(&format!(" + {} more...", list.len() - 2));
    }
    text
}
