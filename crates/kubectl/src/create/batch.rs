//! `kubectl create job` (from an image, or `--from=cronjob/NAME`) and
//! `kubectl create cronjob` (`pkg/cmd/create/create_job.go`, `create_cronjob.go`).

use std::collections::BTreeMap;

use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::{meta, Generated};
use crate::args::Args;

/// The pod template both generators build: one container named after the
/// object, running `command` if one follows `--`.
fn template(name: &str, image: &str, command: &[&str], restart: &str) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta::default()),
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.to_string(),
                image: Some(image.to_string()),
                command: (!command.is_empty())
                    .then(|| command.iter().map(|c| c.to_string()).collect()),
                resources: Some(ResourceRequirements::default()),
                ..Default::default()
            }],
            restart_policy: Some(restart.to_string()),
            ..Default::default()
        }),
    }
}

pub(super) fn job(
    cluster: &Cluster,
    name: String,
    command: &[&str],
    args: &Args,
    namespace: &str,
) -> Result<Generated, String> {
    let image = args.value(&["--image"]).unwrap_or("");
    let from = args.value(&["--from"]).unwrap_or("");
    if image.is_empty() == from.is_empty() {
        return Err("error: either --image or --from must be specified".to_string());
    }
    if !command.is_empty() && !from.is_empty() {
        return Err("error: cannot specify --from and command".to_string());
    }
    let failure_word = Some("failed to create job: ");
    if !image.is_empty() {
        return Ok(Generated {
            object: Object::from(Job {
                metadata: meta(&name, Some(namespace)),
                spec: Some(JobSpec {
                    template: template(&name, image, command, "Never"),
                    ..Default::default()
                }),
                status: Some(Default::default()),
            }),
            failure_word,
        });
    }
    let cronjob = from_cronjob(cluster, from, namespace)?;
    let job_template = cronjob.spec.job_template.clone();
    let job_meta = job_template.metadata.unwrap_or_default();
    let mut annotations = BTreeMap::from([(
        "cronjob.kubernetes.io/instantiate".to_string(),
        "manual".to_string(),
    )]);
    annotations.extend(job_meta.annotations.unwrap_or_default());
    let mut metadata = meta(&name, Some(namespace));
    metadata.annotations = Some(annotations);
    metadata.labels = job_meta.labels;
    metadata.owner_references = Some(vec![OwnerReference {
        api_version: "batch/v1".to_string(),
        kind: "CronJob".to_string(),
        name: cronjob.metadata.name.clone().unwrap_or_default(),
        uid: cronjob.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        ..Default::default()
    }]);
    Ok(Generated {
        object: Object::from(Job {
            metadata,
            spec: job_template.spec,
            status: Some(Default::default()),
        }),
        failure_word,
    })
}

/// The CronJob `--from` names (`cronjob/NAME`, `cj/NAME`, `cronjobs.batch/NAME`).
fn from_cronjob(cluster: &Cluster, from: &str, namespace: &str) -> Result<CronJob, String> {
    let Some((resource, name)) = from.split_once('/') else {
        return Err("error: resource(s) were provided, but no name was specified".to_string());
    };
    let kind = crate::resources::resolve(cluster.store(), resource)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{resource}\""))?;
    let object = cluster
        .store()
        .get(kind, namespace, name)
        .ok_or_else(|| crate::get::not_found(kind, name))?;
    match (kind, CronJob::of(object)) {
        (Kind::CronJob, Some(cronjob)) => Ok(cronjob.clone()),
        _ => Err(format!("error: unknown object type *v1.{}", kind.name())),
    }
}

pub(super) fn cronjob(
    name: String,
    command: &[&str],
    args: &Args,
    namespace: &str,
) -> Result<Generated, String> {
    let missing: Vec<&str> = ["image", "schedule"]
        .into_iter()
        .filter(|flag| args.value(&[&format!("--{flag}")]).is_none())
        .collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|f| format!("\"{f}\"")).collect();
        return Err(format!(
            "error: required flag(s) {} not set",
            list.join(", ")
        ));
    }
    let image = args.value(&["--image"]).unwrap_or("");
    let schedule = args.value(&["--schedule"]).unwrap_or("");
    let restart = args
        .value(&["--restart"])
        .filter(|r| !r.is_empty())
        .unwrap_or("OnFailure");
    Ok(Generated {
        object: Object::from(CronJob {
            metadata: meta(&name, Some(namespace)),
            spec: CronJobSpec {
                schedule: schedule.to_string(),
                job_template: JobTemplateSpec {
                    metadata: Some(ObjectMeta {
                        name: Some(name.clone()),
                        ..Default::default()
                    }),
                    spec: Some(JobSpec {
                        template: template(&name, image, command, restart),
                        ..Default::default()
                    }),
                },
                ..Default::default()
            },
            status: Some(Default::default()),
        }),
        failure_word: Some("failed to create cronjob: "),
    })
}
