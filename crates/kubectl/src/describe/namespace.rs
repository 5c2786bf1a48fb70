//! `NamespaceDescriber` with the namespace's quotas and limit ranges, and
//! the `ResourceQuotaDescriber` and `LimitRangeDescriber` whose tables it
//! repeats. None shows events.

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{LimitRange, LimitRangeSpec, Namespace, ResourceQuota};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use super::{labels_and_annotations, name_and_namespace, time_or_zero};

pub(super) fn namespace(cluster: &Cluster, ns: &Namespace, lines: &mut Vec<String>) {
    let name = ns.metadata.name.as_deref().unwrap_or("");
    lines.push(format!("Name:\t{name}"));
    labels_and_annotations(&ns.metadata, lines);
    let status = ns.status.clone().unwrap_or_default();
    lines.push(format!("Status:\t{}", status.phase.unwrap_or_default()));
    let conditions = status.conditions.unwrap_or_default();
    if !conditions.is_empty() {
        lines.push("Conditions:".to_string());
        lines.push("  Type\tStatus\tLastTransitionTime\tReason\tMessage".to_string());
        lines.push("  ----\t------\t------------------\t------\t-------".to_string());
        for c in conditions {
            lines.push(format!(
                "  {}\t{}\t{}\t{}\t{}",
                c.type_,
                c.status,
                time_or_zero(c.last_transition_time.as_ref()),
                c.reason.unwrap_or_default(),
                c.message.unwrap_or_default()
            ));
        }
    }
    let store = cluster.store();
    let in_namespace = |kind: Kind| store.list(kind).filter(move |o| o.namespace() == name);
    lines.push(String::new());
    let mut quotas: Vec<&ResourceQuota> = in_namespace(Kind::ResourceQuota)
        .filter_map(ResourceQuota::of)
        .collect();
    if quotas.is_empty() {
        lines.push("No resource quota.".to_string());
    } else {
        quotas.sort_by_key(|q| q.metadata.name.clone());
        lines.push("Resource Quotas".to_string());
        for quota in quotas {
            lines.push(format!(
                "  Name:\t{}",
                quota.metadata.name.as_deref().unwrap_or("")
            ));
            scopes(quota, "  ", "* ", lines);
            lines.push("  Resource\tUsed\tHard".to_string());
            lines.push("  --------\t---\t---".to_string());
            for (resource, used, hard) in usage(quota, false) {
                lines.push(format!("  {resource}\t{used}\t{hard}"));
            }
        }
    }
    lines.push(String::new());
    let ranges: Vec<&LimitRange> = in_namespace(Kind::LimitRange)
        .filter_map(LimitRange::of)
        .collect();
    if ranges.is_empty() {
        lines.push("No LimitRange resource.".to_string());
    } else {
        lines.push("Resource Limits".to_string());
        lines.push(
            " Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio"
                .to_string(),
        );
        lines.push(
            " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------"
                .to_string(),
        );
        for range in ranges {
            limit_rows(range.spec.as_ref(), " ", lines);
        }
    }
}

pub(super) fn resource_quota(quota: &ResourceQuota, lines: &mut Vec<String>) {
    name_and_namespace(&quota.metadata, lines);
    scopes(quota, "", " * ", lines);
    lines.push("Resource\tUsed\tHard".to_string());
    lines.push("--------\t----\t----".to_string());
    for (resource, used, hard) in usage(quota, true) {
        lines.push(format!("{resource}\t{used}\t{hard}"));
    }
}

pub(super) fn limit_range(range: &LimitRange, lines: &mut Vec<String>) {
    name_and_namespace(&range.metadata, lines);
    lines.push(
        "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio"
            .to_string(),
    );
    lines.push(
        "----\t--------\t---\t---\t---------------\t-------------\t-----------------------"
            .to_string(),
    );
    limit_rows(range.spec.as_ref(), "", lines);
}

fn quantity(q: &ApiQuantity) -> String {
    Quantity::parse(&q.0).map_or_else(|_| q.0.clone(), |q| q.canonical())
}

/// `Scopes:` and the help text kubectl gives each scope.
fn scopes(quota: &ResourceQuota, indent: &str, help_prefix: &str, lines: &mut Vec<String>) {
    let mut scopes = quota
        .spec
        .as_ref()
        .and_then(|s| s.scopes.clone())
        .unwrap_or_default();
    if scopes.is_empty() {
        return;
    }
    scopes.sort();
    lines.push(format!("{indent}Scopes:\t{}", scopes.join(", ")));
    for scope in &scopes {
        let help = match scope.as_str() {
            "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
            "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
            "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
            "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
            _ => continue,
        };
        lines.push(format!("{indent}{help_prefix}{help}"));
    }
}

/// Each resource of `status.hard`, sorted, with what is used of it. The
/// quota's own describer prints a used amount in the hard amount's format.
fn usage(quota: &ResourceQuota, hard_format: bool) -> Vec<(String, String, String)> {
    let status = quota.status.clone().unwrap_or_default();
    let used = status.used.unwrap_or_default();
    status
        .hard
        .unwrap_or_default()
        .into_iter()
        .map(|(resource, hard)| {
            let used = used.get(&resource).cloned().unwrap_or_default();
            let used = match (Quantity::parse(&used.0), Quantity::parse(&hard.0)) {
                (Ok(u), Ok(h)) if hard_format => u.whole_in_format_of(&h).canonical(),
                _ => quantity(&used),
            };
            (resource, used, quantity(&hard))
        })
        .collect()
}

/// One row per limit type and resource. kubectl walks a Go map here, so a
/// real cluster prints a type's resources in any order; they are sorted.
fn limit_rows(spec: Option<&LimitRangeSpec>, prefix: &str, lines: &mut Vec<String>) {
    for item in spec.map(|s| s.limits.as_slice()).unwrap_or_default() {
        let columns: [&Option<BTreeMap<String, ApiQuantity>>; 5] = [
            &item.min,
            &item.max,
            &item.default_request,
            &item.default,
            &item.max_limit_request_ratio,
        ];
        let mut resources: Vec<&String> = columns
            .iter()
            .flat_map(|c| c.iter().flatten().map(|(k, _)| k))
            .collect();
        resources.sort();
        resources.dedup();
        for resource in resources {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| {
                    c.as_ref()
                        .and_then(|m| m.get(resource))
                        .map_or_else(|| "-".to_string(), quantity)
                })
                .collect();
            lines.push(format!(
                "{prefix}{}\t{resource}\t{}",
                item.type_,
                cells.join("\t")
            ));
        }
    }
}
