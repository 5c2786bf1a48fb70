//! `DeploymentDescriber`, `ReplicaSetDescriber`, `StatefulSetDescriber`,
//! `JobDescriber` and `CronJobDescriber`.

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::claim::storage_class;
use super::{
    conditions, intstr, labels_and_annotations, name_and_namespace, pod_template_lines,
    pods_status, rfc1123z,
};
use crate::selector::{format_label_selector, selector_string};
use crate::table::human_duration;

fn int_or_string(value: Option<&IntOrString>) -> String {
    value.map_or_else(|| "0".to_string(), intstr)
}

/// `printReplicaSetsByLabels`: `name (current/desired replicas created)`.
fn replica_sets(sets: &[&ReplicaSet]) -> String {
    if sets.is_empty() {
        return "<none>".to_string();
    }
    sets.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map_or(0, |s| s.replicas),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn deployment(cluster: &Cluster, deploy: &Deployment, lines: &mut Vec<String>) {
    let meta = &deploy.metadata;
    let spec = deploy.spec.clone().unwrap_or_default();
    let status = deploy.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    if let Some(created) = &meta.creation_timestamp {
        lines.push(format!("CreationTimestamp:\t{}", rfc1123z(&created.0)));
    }
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        format_label_selector(&spec.selector)
    ));
    lines.push(format!(
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable",
        spec.replicas.unwrap_or(1),
        status.updated_replicas.unwrap_or(0),
        status.replicas.unwrap_or(0),
        status.available_replicas.unwrap_or(0),
        status.unavailable_replicas.unwrap_or(0)
    ));
    let strategy = spec.strategy.clone().unwrap_or_default();
    lines.push(format!(
        "StrategyType:\t{}",
        strategy.type_.clone().unwrap_or_default()
    ));
    lines.push(format!(
        "MinReadySeconds:\t{}",
        spec.min_ready_seconds.unwrap_or(0)
    ));
    if let Some(rolling) = &strategy.rolling_update {
        lines.push(format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge",
            int_or_string(rolling.max_unavailable.as_ref()),
            int_or_string(rolling.max_surge.as_ref())
        ));
    }
    lines.extend(pod_template_lines(&spec.template));
    let rows = status.conditions.clone().unwrap_or_default();
    conditions(
        rows.into_iter()
            .map(|c| (c.type_, c.status, c.reason))
            .collect(),
        lines,
    );
    // GetAllReplicaSets: the new one has the Deployment's template.
    let uid = meta.uid.clone().unwrap_or_default();
    let store = cluster.store();
    let namespace = meta.namespace.clone().unwrap_or_default();
    let without_hash = |rs: &ReplicaSet| {
        let mut template = rs.spec.as_ref()?.template.clone()?;
        if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            labels.remove("pod-template-hash");
        }
        Some(template)
    };
    let mut owned: Vec<&ReplicaSet> = store
        .list_namespace(Kind::ReplicaSet, &namespace)
        .filter_map(ReplicaSet::of)
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect();
    owned.sort_by_key(|rs| rs.metadata.creation_timestamp.as_ref().map(|t| t.0));
    let (new, old): (Vec<&ReplicaSet>, Vec<&ReplicaSet>) = owned
        .into_iter()
        .partition(|rs| without_hash(rs).as_ref() == Some(&spec.template));
    // Old sets are listed only while they still have pods (`FindOldReplicaSets`).
    let old: Vec<&ReplicaSet> = old
        .into_iter()
        .filter(|rs| rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0)
        .collect();
    lines.push(format!("OldReplicaSets:\t{}", replica_sets(&old)));
    lines.push(format!(
        "NewReplicaSet:\t{}",
        replica_sets(&new.into_iter().take(1).collect::<Vec<_>>())
    ));
}

pub(super) fn replicaset(cluster: &Cluster, rs: &ReplicaSet, lines: &mut Vec<String>) {
    let meta = &rs.metadata;
    let spec = rs.spec.clone().unwrap_or_default();
    let status = rs.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        format_label_selector(&spec.selector)
    ));
    labels_and_annotations(meta, lines);
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
    {
        lines.push(format!("Controlled By:\t{}/{}", owner.kind, owner.name));
    }
    lines.push(format!(
        "Replicas:\t{} current / {} desired",
        status.replicas,
        spec.replicas.unwrap_or(1)
    ));
    lines.push(pods_status(cluster, meta.uid.as_deref().unwrap_or("")));
    lines.extend(pod_template_lines(&spec.template.unwrap_or_default()));
    let rows = status.conditions.unwrap_or_default();
    conditions(
        rows.into_iter()
            .map(|c| (c.type_, c.status, c.reason))
            .collect(),
        lines,
    );
}

pub(super) fn statefulset(cluster: &Cluster, sts: &StatefulSet, lines: &mut Vec<String>) {
    let meta = &sts.metadata;
    let spec = sts.spec.clone().unwrap_or_default();
    let status = sts.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    if let Some(created) = &meta.creation_timestamp {
        lines.push(format!("CreationTimestamp:\t{}", rfc1123z(&created.0)));
    }
    lines.push(format!("Selector:\t{}", selector_string(&spec.selector)));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Replicas:\t{} desired | {} total",
        spec.replicas.unwrap_or(1),
        status.replicas
    ));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    lines.push(format!(
        "Update Strategy:\t{}",
        strategy.type_.unwrap_or_default()
    ));
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        lines.push(format!("  Partition:\t{partition}"));
        if let Some(max) = strategy
            .rolling_update
            .as_ref()
            .and_then(|r| r.max_unavailable.as_ref())
        {
            lines.push(format!("  MaxUnavailable:\t{}", int_or_string(Some(max))));
        }
    }
    lines.push(pods_status(cluster, meta.uid.as_deref().unwrap_or("")));
    lines.extend(pod_template_lines(&spec.template));
    let claims = spec.volume_claim_templates.unwrap_or_default();
    if claims.is_empty() {
        lines.push("Volume Claims:\t<none>".to_string());
    } else {
        lines.push("Volume Claims:".to_string());
    }
    for claim in claims {
        let claim_meta = &claim.metadata;
        let claim_spec = claim.spec.clone().unwrap_or_default();
        lines.push(format!(
            "  Name:\t{}",
            claim_meta.name.as_deref().unwrap_or("")
        ));
        lines.push(format!(
            "  StorageClass:	{}",
            storage_class(claim_spec.storage_class_name.as_ref(), claim_meta)
        ));
        // printLabelsMultilineWithIndent, for annotations too.
        for (title, map) in [
            ("Labels", &claim_meta.labels),
            ("Annotations", &claim_meta.annotations),
        ] {
            let pairs: Vec<String> = map
                .iter()
                .flatten()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if pairs.is_empty() {
                lines.push(format!("  {title}:\t<none>"));
            }
            for (i, pair) in pairs.into_iter().enumerate() {
                let title = if i == 0 {
                    format!("  {title}:")
                } else {
                    "  ".to_string()
                };
                lines.push(format!("{title}\t{pair}"));
            }
        }
        let capacity = claim_spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map_or_else(|| "<default>".to_string(), |q| quantity(&q.0));
        lines.push(format!("  Capacity:\t{capacity}"));
        lines.push(format!(
            "  Access Modes:\t[{}]",
            claim_spec.access_modes.unwrap_or_default().join(" ")
        ));
    }
}

fn quantity(text: &str) -> String {
    Quantity::parse(text).map_or_else(|_| text.to_string(), |q| q.canonical())
}

fn controlled_by(meta: &ObjectMeta, lines: &mut Vec<String>) {
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
    {
        lines.push(format!("Controlled By:\t{}/{}", owner.kind, owner.name));
    }
}

pub(super) fn job(job: &Job, lines: &mut Vec<String>) {
    let meta = &job.metadata;
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        spec.selector
            .as_ref()
            .map_or_else(String::new, selector_string)
    ));
    labels_and_annotations(meta, lines);
    controlled_by(meta, lines);
    if let Some(parallelism) = spec.parallelism {
        lines.push(format!("Parallelism:\t{parallelism}"));
    }
    lines.push(format!(
        "Completions:\t{}",
        spec.completions
            .map_or_else(|| "<unset>".to_string(), |c| c.to_string())
    ));
    if let Some(mode) = &spec.completion_mode {
        lines.push(format!("Completion Mode:\t{mode}"));
    }
    if let Some(suspend) = spec.suspend {
        lines.push(format!("Suspend:\t{suspend}"));
    }
    if let Some(limit) = spec.backoff_limit {
        lines.push(format!("Backoff Limit:\t{limit}"));
    }
    if let Some(ttl) = spec.ttl_seconds_after_finished {
        lines.push(format!("TTL Seconds After Finished:\t{ttl}"));
    }
    if let Some(start) = &status.start_time {
        lines.push(format!("Start Time:\t{}", rfc1123z(&start.0)));
    }
    if let Some(done) = &status.completion_time {
        lines.push(format!("Completed At:\t{}", rfc1123z(&done.0)));
    }
    if let (Some(start), Some(done)) = (&status.start_time, &status.completion_time) {
        let elapsed = done.0.duration_since(start.0);
        lines.push(format!(
            "Duration:\t{}",
            human_duration(elapsed.try_into().ok(), elapsed.is_negative())
        ));
    }
    if let Some(deadline) = spec.active_deadline_seconds {
        lines.push(format!("Active Deadline Seconds:\t{deadline}s"));
    }
    let (active, succeeded, failed) = (
        status.active.unwrap_or(0),
        status.succeeded.unwrap_or(0),
        status.failed.unwrap_or(0),
    );
    lines.push(match status.ready {
        None => format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed"),
        Some(ready) => format!(
            "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed"
        ),
    });
    if spec.completion_mode.as_deref() == Some("Indexed") {
        lines.push(format!(
            "Completed Indexes:\t{}",
            cap_indexes(status.completed_indexes.as_deref().unwrap_or(""), 50)
        ));
    }
    lines.extend(pod_template_lines(&spec.template));
}

/// `capIndexesListOrNone`: the list cut at the first comma after `soft_limit`.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    match indexes.get(soft_limit..).and_then(|rest| rest.find(',')) {
        Some(comma) => format!("{}...", &indexes[..=soft_limit + comma]),
        None => indexes.to_string(),
    }
}

pub(super) fn cronjob(cj: &CronJob, lines: &mut Vec<String>) {
    let meta = &cj.metadata;
    let spec = &cj.spec;
    let status = cj.status.clone().unwrap_or_default();
    let unset = |value: Option<String>| value.unwrap_or_else(|| "<unset>".to_string());
    name_and_namespace(meta, lines);
    labels_and_annotations(meta, lines);
    lines.push(format!("Schedule:\t{}", spec.schedule));
    lines.push(format!(
        "Concurrency Policy:\t{}",
        spec.concurrency_policy.clone().unwrap_or_default()
    ));
    lines.push(format!(
        "Suspend:\t{}",
        unset(
            spec.suspend
                .map(|s| if s { "True" } else { "False" }.to_string())
        )
    ));
    lines.push(format!("Time Zone:\t{}", unset(spec.time_zone.clone())));
    lines.push(format!(
        "Successful Job History Limit:\t{}",
        unset(spec.successful_jobs_history_limit.map(|n| n.to_string()))
    ));
    lines.push(format!(
        "Failed Job History Limit:\t{}",
        unset(spec.failed_jobs_history_limit.map(|n| n.to_string()))
    ));
    lines.push(format!(
        "Starting Deadline Seconds:\t{}",
        unset(spec.starting_deadline_seconds.map(|n| format!("{n}s")))
    ));
    let job = spec.job_template.spec.clone().unwrap_or_default();
    lines.push(format!(
        "Selector:\t{}",
        unset(job.selector.as_ref().map(selector_string))
    ));
    lines.push(format!(
        "Parallelism:\t{}",
        unset(job.parallelism.map(|n| n.to_string()))
    ));
    lines.push(format!(
        "Completions:\t{}",
        unset(job.completions.map(|n| n.to_string()))
    ));
    if let Some(deadline) = job.active_deadline_seconds {
        lines.push(format!("Active Deadline Seconds:\t{deadline}s"));
    }
    lines.extend(pod_template_lines(&job.template));
    lines.push(format!(
        "Last Schedule Time:\t{}",
        unset(status.last_schedule_time.map(|t| rfc1123z(&t.0)))
    ));
    let active: Vec<String> = status
        .active
        .iter()
        .flatten()
        .map(|j| j.name.clone().unwrap_or_default())
        .collect();
    lines.push(format!(
        "Active Jobs:\t{}",
        if active.is_empty() {
            "<none>".to_string()
        } else {
            active.join(", ")
        }
    ));
}
