//! `DaemonSetDescriber`.

use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::DaemonSet;

use super::{labels_and_annotations, name_and_namespace, or_none, pod_template_lines, pods_status};
use crate::selector::format_label_selector;

pub(super) fn describe(cluster: &Cluster, ds: &DaemonSet, lines: &mut Vec<String>) {
    let meta = &ds.metadata;
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    name_and_namespace(meta, lines);
    lines.push(format!(
        "Selector:\t{}",
        format_label_selector(&spec.selector)
    ));
    let node_selector: Vec<String> = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.push(format!(
        "Node-Selector:\t{}",
        or_none(node_selector).join(",")
    ));
    labels_and_annotations(meta, lines);
    lines.push(format!(
        "Desired Number of Nodes Scheduled: {}",
        status.desired_number_scheduled
    ));
    lines.push(format!(
        "Current Number of Nodes Scheduled: {}",
        status.current_number_scheduled
    ));
    lines.push(format!(
        "Number of Nodes Scheduled with Up-to-date Pods: {}",
        status.updated_number_scheduled.unwrap_or(0)
    ));
    lines.push(format!(
        "Number of Nodes Scheduled with Available Pods: {}",
        status.number_available.unwrap_or(0)
    ));
    lines.push(format!(
        "Number of Nodes Misscheduled: {}",
        status.number_misscheduled
    ));
    lines.push(pods_status(cluster, meta.uid.as_deref().unwrap_or("")));
    lines.extend(pod_template_lines(&spec.template));
}
