//! `PersistentVolumeClaimDescriber` (the claim, what it is bound to, the pods
//! that use it) and `PersistentVolumeDescriber`.

use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{labels_and_annotations, name_and_namespace, time_or_zero};
use crate::printers::{access_modes, age};

/// `GetPersistentVolumeClaimClass` and `GetPersistentVolumeClass`: the
/// field, else the beta annotation.
pub(super) fn storage_class(field: Option<&String>, meta: &ObjectMeta) -> String {
    field
        .or_else(|| {
            meta.annotations
                .as_ref()
                .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        })
        .cloned()
        .unwrap_or_default()
}

/// `Status:`, or how long it has been terminating.
fn phase(cluster: &Cluster, meta: &ObjectMeta, phase: Option<&str>) -> String {
    match &meta.deletion_timestamp {
        Some(deleted) => format!(
            "Status:\tTerminating (lasts {})",
            age(Some(deleted), cluster.now())
        ),
        None => format!("Status:\t{}", phase.unwrap_or_default()),
    }
}

pub(super) fn describe(cluster: &Cluster, pvc: &PersistentVolumeClaim, lines: &mut Vec<String>) {
    let meta = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    lines.push(format!(
        "StorageClass:	{}",
        storage_class(spec.storage_class_name.as_ref(), meta)
    ));
    lines.push(phase(cluster, meta, status.phase.as_deref()));
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

/// `describePersistentVolume`. Of the volume sources, those a cluster
/// without a cloud provider uses are printed in full: host paths, local
/// volumes, NFS and CSI.
pub(super) fn volume(cluster: &Cluster, pv: &PersistentVolume, lines: &mut Vec<String>) {
    let meta = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Finalizers:\t[{}]",
        meta.finalizers.clone().unwrap_or_default().join(" ")
    ));
    lines.push(format!(
        "StorageClass:	{}",
        storage_class(spec.storage_class_name.as_ref(), meta)
    ));
    lines.push(phase(cluster, meta, status.phase.as_deref()));
    lines.push(format!(
        "Claim:\t{}",
        spec.claim_ref
            .as_ref()
            .map_or_else(String::new, |c| format!(
                "{}/{}",
                c.namespace.as_deref().unwrap_or(""),
                c.name.as_deref().unwrap_or("")
            ))
    ));
    lines.push(format!(
        "Reclaim Policy:\t{}",
        spec.persistent_volume_reclaim_policy
            .clone()
            .unwrap_or_default()
    ));
    lines.push(format!(
        "Access Modes:\t{}",
        access_modes(&spec.access_modes.clone().unwrap_or_default())
    ));
    if let Some(mode) = &spec.volume_mode {
        lines.push(format!("VolumeMode:\t{mode}"));
    }
    lines.push(format!(
        "Capacity:\t{}",
        spec.capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map_or_else(|| "0".to_string(), |q| q.0.clone())
    ));
    match spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    {
        None => lines.push("Node Affinity:\t<none>".to_string()),
        Some(required) => {
            lines.push("Node Affinity:\t".to_string());
            if required.node_selector_terms.is_empty() {
                lines.push("  Required Terms:\t<none>".to_string());
            } else {
                lines.push("  Required Terms:\t".to_string());
            }
            for (i, term) in required.node_selector_terms.iter().enumerate() {
                let expressions = term.match_expressions.as_deref().unwrap_or_default();
                if expressions.is_empty() {
                    lines.push(format!("    Term {i}:\t<none>"));
                }
                for (j, req) in expressions.iter().enumerate() {
                    let title = if j == 0 {
                        format!("    Term {i}:")
                    } else {
                        "    ".to_string()
                    };
                    let mut text = format!("{} {}", req.key, req.operator.to_lowercase());
                    if let Some(values) = req.values.as_ref().filter(|v| !v.is_empty()) {
                        text.push_str(&format!(" [{}]", values.join(", ")));
                    }
                    lines.push(format!("{title}\t{text}"));
                }
            }
        }
    }
    lines.push(format!("Message:\t{}", status.message.unwrap_or_default()));
    lines.push("Source:".to_string());
    if let Some(host) = &spec.host_path {
        lines.push("    Type:\tHostPath (bare host directory volume)".to_string());
        lines.push(format!("    Path:\t{}", host.path));
        lines.push(format!(
            "    HostPathType:\t{}",
            host.type_.as_deref().unwrap_or("<none>")
        ));
    } else if let Some(nfs) = &spec.nfs {
        lines.push("    Type:\tNFS (an NFS mount that lasts the lifetime of a pod)".to_string());
        lines.push(format!("    Server:\t{}", nfs.server));
        lines.push(format!("    Path:\t{}", nfs.path));
        lines.push(format!("    ReadOnly:\t{}", nfs.read_only.unwrap_or(false)));
    } else if let Some(local) = &spec.local {
        lines.push(
            "    Type:\tLocalVolume (a persistent volume backed by local storage on a node)"
                .to_string(),
        );
        lines.push(format!("    Path:\t{}", local.path));
    } else if let Some(csi) = &spec.csi {
        lines
            .push("    Type:\tCSI (a Container Storage Interface (CSI) volume source)".to_string());
        lines.push(format!("    Driver:\t{}", csi.driver));
        lines.push(format!(
            "    FSType:\t{}",
            csi.fs_type.as_deref().unwrap_or("")
        ));
        lines.push(format!("    VolumeHandle:\t{}", csi.volume_handle));
        lines.push(format!("    ReadOnly:\t{}", csi.read_only.unwrap_or(false)));
        // `printCSIPersistentVolumeAttributesMultilineIndent` writes each
        // part at its own level, so every part carries its own indent.
        let attributes = csi.volume_attributes.clone().unwrap_or_default();
        if attributes.is_empty() {
            lines.push("    VolumeAttributes:\t<none>".to_string());
        }
        for (i, (key, value)) in attributes.iter().enumerate() {
            let title = if i == 0 {
                "    VolumeAttributes:"
            } else {
                "        "
            };
            let mut pair = format!("{key}={value}");
            if pair.len() > 140 {
                let mut end = 140;
                while !pair.is_char_boundary(end) {
                    end -= 1;
                }
                pair = format!("{}...", &pair[..end]);
            }
            lines.push(format!("{title}\t    {pair}"));
        }
    } else {
        lines.push("  <unknown>".to_string());
    }
}
