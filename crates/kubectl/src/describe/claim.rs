//! `PersistentVolumeClaimDescriber`: the claim, what it is bound to, and the
//! pods that use it.

use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use super::{labels_and_annotations, name_and_namespace, time_or_zero};
use crate::printers::{access_modes, age};

pub(super) fn describe(cluster: &Cluster, pvc: &PersistentVolumeClaim, lines: &mut Vec<String>) {
    let meta = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    // `GetPersistentVolumeClaimClass`: the field, else the beta annotation.
    let class = spec.storage_class_name.clone().or_else(|| {
        meta.annotations
            .as_ref()
            .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class").cloned())
    });
    lines.push(format!("StorageClass:\t{}", class.unwrap_or_default()));
    match &meta.deletion_timestamp {
        Some(deleted) => lines.push(format!(
            "Status:\tTerminating (lasts {})",
            age(Some(deleted), cluster.now())
        )),
        None => lines.push(format!(
            "Status:\t{}",
            status.phase.clone().unwrap_or_default()
        )),
    }
    let volume = spec.volume_name.clone().unwrap_or_default();
    lines.push(format!("Volume:\t{volume}"));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Finalizers:\t[{}]",
        meta.finalizers.clone().unwrap_or_default().join(" ")
    ));
    // Capacity and access modes are the bound volume's, shown once bound.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status
                .capacity
                .as_ref()
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_else(|| "0".to_string()),
            access_modes(&status.access_modes.clone().unwrap_or_default()),
        )
    };
    lines.push(format!("Capacity:\t{capacity}"));
    lines.push(format!("Access Modes:\t{modes}"));
    if let Some(mode) = &spec.volume_mode {
        lines.push(format!("VolumeMode:\t{mode}"));
    }
    if let Some(source) = &spec.data_source {
        lines.push("DataSource:".to_string());
        if let Some(group) = &source.api_group {
            lines.push(format!("  APIGroup:\t{group}"));
        }
        lines.push(format!("  Kind:\t{}", source.kind));
        lines.push(format!("  Name:\t{}", source.name));
    }
    // `getPodsForPVC`: pods with a volume of this claim, sorted by name.
    let name = meta.name.as_deref().unwrap_or("");
    let mut users: Vec<&str> = cluster
        .store()
        .list_namespace(Kind::Pod, meta.namespace.as_deref().unwrap_or(""))
        .filter_map(Pod::of)
        .filter(|pod| {
            pod.spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|c| c.claim_name == name)
                })
        })
        .filter_map(|pod| pod.metadata.name.as_deref())
        .collect();
    users.sort_unstable();
    if users.is_empty() {
        lines.push("Used By:\t<none>".to_string());
    }
    for (i, user) in users.into_iter().enumerate() {
        let title = if i == 0 { "Used By:" } else { "" };
        lines.push(format!("{title}\t{user}"));
    }
    let conditions = status.conditions.unwrap_or_default();
    if !conditions.is_empty() {
        lines.push("Conditions:".to_string());
        lines
            .push("  Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage".to_string());
        lines.push(
            "  ----\t------\t-----------------\t------------------\t------\t-------".to_string(),
        );
        for c in conditions {
            lines.push(format!(
                "  {} \t{} \t{} \t{} \t{} \t{}",
                c.type_,
                c.status,
                time_or_zero(c.last_probe_time.as_ref()),
                time_or_zero(c.last_transition_time.as_ref()),
                c.reason.unwrap_or_default(),
                c.message.unwrap_or_default()
            ));
        }
    }
}
