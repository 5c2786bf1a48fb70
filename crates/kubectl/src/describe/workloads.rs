//! `DeploymentDescriber` and `ReplicaSetDescriber`.

use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    conditions, labels_and_annotations, name_and_namespace, pod_template_lines, pods_status,
    rfc1123z,
};
use crate::selector::format_label_selector;

fn int_or_string(value: Option<&IntOrString>) -> String {
    match value {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "0".to_string(),
    }
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
