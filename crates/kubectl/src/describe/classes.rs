//! The describers of cluster-wide classes (`PriorityClassDescriber`,
//! `StorageClassDescriber`, `IngressClassDescriber`) and of a node's CSI
//! drivers (`CSINodeDescriber`).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::IngressClass;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::{CSINode, StorageClass};

use super::{labels_and_annotations, time_or_zero};

/// `labels.FormatLabels`: `k=v,k2=v2`, sorted, or `<none>`.
pub(super) fn format_labels(map: Option<&BTreeMap<String, String>>) -> String {
    let pairs: Vec<String> = map
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if pairs.is_empty() {
        "<none>".to_string()
    } else {
        pairs.join(",")
    }
}

/// Unlike other describers, it prints every annotation on one line,
/// the last-applied configuration included.
pub(super) fn priority_class(pc: &PriorityClass, lines: &mut Vec<String>) {
    lines.push(format!(
        "Name:\t{}",
        pc.metadata.name.as_deref().unwrap_or("")
    ));
    lines.push(format!("Value:\t{}", pc.value.unwrap_or(0)));
    lines.push(format!(
        "GlobalDefault:\t{}",
        pc.global_default.unwrap_or(false)
    ));
    lines.push(format!(
        "PreemptionPolicy:\t{}",
        pc.preemption_policy.as_deref().unwrap_or("")
    ));
    lines.push(format!(
        "Description:\t{}",
        pc.description.as_deref().unwrap_or("")
    ));
    lines.push(format!(
        "Annotations:\t{}",
        format_labels(pc.metadata.annotations.as_ref())
    ));
}

pub(super) fn storage_class(sc: &StorageClass, lines: &mut Vec<String>) {
    let meta = &sc.metadata;
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    let is_default = [
        "storageclass.kubernetes.io/is-default-class",
        "storageclass.beta.kubernetes.io/is-default-class",
    ]
    .iter()
    .any(|key| {
        meta.annotations
            .as_ref()
            .and_then(|a| a.get(*key))
            .map(String::as_str)
            == Some("true")
    });
    lines.push(format!(
        "IsDefaultClass:\t{}",
        if is_default { "Yes" } else { "No" }
    ));
    lines.push(format!(
        "Annotations:\t{}",
        format_labels(meta.annotations.as_ref())
    ));
    lines.push(format!("Provisioner:\t{}", sc.provisioner));
    lines.push(format!(
        "Parameters:\t{}",
        format_labels(sc.parameters.as_ref())
    ));
    lines.push(format!(
        "AllowVolumeExpansion:\t{}",
        match sc.allow_volume_expansion {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        }
    ));
    match sc.mount_options.as_deref().unwrap_or_default() {
        [] => lines.push("MountOptions:\t<none>".to_string()),
        options => {
            lines.push("MountOptions:".to_string());
            lines.extend(options.iter().map(|o| format!("  {o}")));
        }
    }
    if let Some(policy) = &sc.reclaim_policy {
        lines.push(format!("ReclaimPolicy:\t{policy}"));
    }
    if let Some(mode) = &sc.volume_binding_mode {
        lines.push(format!("VolumeBindingMode:\t{mode}"));
    }
    if let Some(topologies) = &sc.allowed_topologies {
        if topologies.is_empty() {
            lines.push("AllowedTopologies:\t<none>".to_string());
        } else {
            lines.push("AllowedTopologies:\t".to_string());
            for (i, term) in topologies.iter().enumerate() {
                let requirements = term.match_label_expressions.as_deref().unwrap_or_default();
                if requirements.is_empty() {
                    lines.push(format!("  Term {i}:\t<none>"));
                }
                for (j, req) in requirements.iter().enumerate() {
                    let title = if j == 0 {
                        format!("  Term {i}:")
                    } else {
                        "  ".to_string()
                    };
                    let mut expression = format!("{} in", req.key);
                    if !req.values.is_empty() {
                        expression.push_str(&format!(" [{}]", req.values.join(", ")));
                    }
                    lines.push(format!("{title}\t{expression}"));
                }
            }
        }
    }
}

pub(super) fn ingress_class(ic: &IngressClass, lines: &mut Vec<String>) {
    lines.push(format!(
        "Name:\t{}",
        ic.metadata.name.as_deref().unwrap_or("")
    ));
    labels_and_annotations(&ic.metadata, lines);
    let spec = ic.spec.clone().unwrap_or_default();
    lines.push(format!(
        "Controller:\t{}",
        spec.controller.unwrap_or_default()
    ));
    if let Some(parameters) = spec.parameters {
        lines.push("Parameters:".to_string());
        if let Some(group) = parameters.api_group {
            lines.push(format!("  APIGroup:\t{group}"));
        }
        lines.push(format!("  Kind:\t{}", parameters.kind));
        lines.push(format!("  Name:\t{}", parameters.name));
    }
}

/// `describeCSINode`: the node's CSI drivers, their node IDs, volume limits
/// and topology keys.
pub(super) fn csi_node(csi: &CSINode, lines: &mut Vec<String>) {
    let meta = &csi.metadata;
    lines.push(format!("Name:\t{}", meta.name.as_deref().unwrap_or("")));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "CreationTimestamp:\t{}",
        time_or_zero(meta.creation_timestamp.as_ref())
    ));
    lines.push("Spec:".to_string());
    lines.push("  Drivers:".to_string());
    for driver in &csi.spec.drivers {
        lines.push(format!("    {}:", driver.name));
        lines.push(format!("      Node ID:\t{}", driver.node_id));
        if let Some(count) = driver.allocatable.as_ref().and_then(|a| a.count) {
            lines.push("      Allocatables:".to_string());
            lines.push(format!("        Count:\t{count}"));
        }
        if let Some(keys) = &driver.topology_keys {
            lines.push(format!("      Topology Keys:\t[{}]", keys.join(" ")));
        }
    }
}
