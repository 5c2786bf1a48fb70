//! The tables `kubectl get` prints: for each kind its columns and cells, as
//! `pkg/printers/internalversion/printers.go` computes them on the server
//! (one module per API group area), the default `NAME  CREATED AT` table for
//! kinds without a printer, and a CRD's `additionalPrinterColumns`.
//! Columns marked wide are printed with `-o wide` only.

mod apps;
mod cluster;
mod core;
mod custom;

use std::collections::BTreeMap;

use daemonlab_core::api::store::Store;
use daemonlab_core::api::{Kind, Object};
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use crate::table::human_duration;

pub(crate) use self::core::access_modes;
pub use self::core::pod_columns;

/// One column of a table.
pub struct Column {
    pub name: String,
    /// Shown only with `-o wide` (priority 1 on the server).
    pub wide: bool,
}

fn columns(normal: &[&str], wide: &[&str]) -> Vec<Column> {
    normal
        .iter()
        .map(|name| Column {
            name: name.to_string(),
            wide: false,
        })
        .chain(wide.iter().map(|name| Column {
            name: name.to_string(),
            wide: true,
        }))
        .collect()
}

/// What a printer sees besides the object. The API server always prints
/// wide (`printers.GenerateOptions{Wide: true}`): cells never depend on `-o wide`.
pub struct Context<'a> {
    pub store: &'a Store,
    pub now: Timestamp,
}

impl Context<'_> {
    /// AGE: how long ago `created` was (`translateTimestampSince`).
    fn age(&self, created: Option<&Time>) -> String {
        age(created, self.now)
    }
}

/// The headers and rows of one kind's table (wide columns only with `wide`).
pub fn table(
    kind: Kind,
    objects: &[&Object],
    store: &Store,
    now: Timestamp,
    wide: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let ctx = Context { store, now };
    let columns = kind_columns(kind, store);
    let shown = |i: usize| wide || !columns[i].wide;
    let headers = (0..columns.len())
        .filter(|i| shown(*i))
        .map(|i| columns[i].name.clone())
        .collect();
    let rows = objects
        .iter()
        .map(|object| {
            cells(object, &ctx)
                .into_iter()
                .enumerate()
                .filter(|(i, _)| *i < columns.len() && shown(*i))
                .map(|(_, cell)| cell)
                .collect()
        })
        .collect();
    (headers, rows)
}

/// A kind's columns, wide ones included, as the server's Table defines them.
pub fn kind_columns(kind: Kind, store: &Store) -> Vec<Column> {
    match kind {
        Kind::Custom(custom) => custom::columns(custom, store),
        _ => builtin_columns(kind),
    }
}

const CONTAINERS_IMAGES_SELECTOR: &[&str] = &["CONTAINERS", "IMAGES", "SELECTOR"];

fn builtin_columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Node => columns(
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ],
        ),
        Kind::Pod => columns(
            &["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        ),
        Kind::DaemonSet => columns(
            &[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ],
            CONTAINERS_IMAGES_SELECTOR,
        ),
        Kind::Deployment => columns(
            &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            CONTAINERS_IMAGES_SELECTOR,
        ),
        Kind::ReplicaSet => columns(
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            CONTAINERS_IMAGES_SELECTOR,
        ),
        Kind::StatefulSet => columns(&["NAME", "READY", "AGE"], &["CONTAINERS", "IMAGES"]),
        Kind::Job => columns(
            &["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
            CONTAINERS_IMAGES_SELECTOR,
        ),
        Kind::CronJob => columns(
            &[
                "NAME",
                "SCHEDULE",
                "TIMEZONE",
                "SUSPEND",
                "ACTIVE",
                "LAST SCHEDULE",
                "AGE",
            ],
            CONTAINERS_IMAGES_SELECTOR,
        ),
        Kind::ControllerRevision => columns(&["NAME", "CONTROLLER", "REVISION", "AGE"], &[]),
        Kind::HorizontalPodAutoscaler => columns(
            &[
                "NAME",
                "REFERENCE",
                "TARGETS",
                "MINPODS",
                "MAXPODS",
                "REPLICAS",
                "AGE",
            ],
            &[],
        ),
        Kind::PodDisruptionBudget => columns(
            &[
                "NAME",
                "MIN AVAILABLE",
                "MAX UNAVAILABLE",
                "ALLOWED DISRUPTIONS",
                "AGE",
            ],
            &[],
        ),
        Kind::Namespace => columns(&["NAME", "STATUS", "AGE"], &[]),
        Kind::Event => columns(&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &[]),
        Kind::ServiceAccount => columns(&["NAME", "SECRETS", "AGE"], &[]),
        Kind::ConfigMap => columns(&["NAME", "DATA", "AGE"], &[]),
        Kind::Secret => columns(&["NAME", "TYPE", "DATA", "AGE"], &[]),
        Kind::Service => columns(
            &[
                "NAME",
                "TYPE",
                "CLUSTER-IP",
                "EXTERNAL-IP",
                "PORT(S)",
                "AGE",
            ],
            &["SELECTOR"],
        ),
        Kind::Endpoints => columns(&["NAME", "ENDPOINTS", "AGE"], &[]),
        Kind::EndpointSlice => columns(&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]),
        Kind::PersistentVolume => columns(
            &[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::PersistentVolumeClaim => columns(
            &[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Kind::PodTemplate => columns(&["NAME", "CONTAINERS", "IMAGES", "POD LABELS"], &[]),
        Kind::ResourceQuota => columns(&["NAME", "REQUEST", "LIMIT", "AGE"], &[]),
        Kind::RoleBinding | Kind::ClusterRoleBinding => columns(
            &["NAME", "ROLE", "AGE"],
            &["USERS", "GROUPS", "SERVICEACCOUNTS"],
        ),
        Kind::NetworkPolicy => columns(&["NAME", "POD-SELECTOR", "AGE"], &[]),
        Kind::Ingress => columns(&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]),
        Kind::IngressClass => columns(&["NAME", "CONTROLLER", "PARAMETERS", "AGE"], &[]),
        Kind::StorageClass => columns(
            &[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ],
            &[],
        ),
        Kind::CSIDriver => columns(
            &[
                "NAME",
                "ATTACHREQUIRED",
                "PODINFOONMOUNT",
                "STORAGECAPACITY",
                "TOKENREQUESTS",
                "REQUIRESREPUBLISH",
                "MODES",
                "AGE",
            ],
            &[],
        ),
        Kind::CSINode => columns(&["NAME", "DRIVERS", "AGE"], &[]),
        Kind::VolumeAttachment => {
            columns(&["NAME", "ATTACHER", "PV", "NODE", "ATTACHED", "AGE"], &[])
        }
        Kind::ValidatingWebhookConfiguration | Kind::MutatingWebhookConfiguration => {
            columns(&["NAME", "WEBHOOKS", "AGE"], &[])
        }
        Kind::ValidatingAdmissionPolicy => {
            columns(&["NAME", "VALIDATIONS", "PARAMKIND", "AGE"], &[])
        }
        Kind::ValidatingAdmissionPolicyBinding => {
            columns(&["NAME", "POLICYNAME", "PARAMREF", "AGE"], &[])
        }
        Kind::APIService => columns(&["NAME", "SERVICE", "AVAILABLE", "AGE"], &[]),
        Kind::Lease => columns(&["NAME", "HOLDER", "AGE"], &[]),
        Kind::RuntimeClass => columns(&["NAME", "HANDLER", "AGE"], &[]),
        // PREEMPTIONPOLICY has priority 0 although it comes after AGE.
        Kind::PriorityClass => columns(
            &["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"],
            &[],
        ),
        // The server's default table, for kinds without a printer.
        Kind::ClusterRole
        | Kind::Role
        | Kind::LimitRange
        | Kind::CustomResourceDefinition
        | Kind::Custom(_) => columns(&["NAME", "CREATED AT"], &[]),
    }
}

fn cells(object: &Object, ctx: &Context) -> Vec<String> {
    let name = cluster::class_name(object).unwrap_or_else(|| object.name().to_string());
    let created = object.metadata().creation_timestamp.as_ref();
    let rest = match object {
        Object::Custom(o) => return custom::cells(o, ctx),
        Object::ClusterRole(_)
        | Object::Role(_)
        | Object::LimitRange(_)
        | Object::CustomResourceDefinition(_) => return vec![name, created_at(created)],
        other => core::cells(other, ctx)
            .or_else(|| apps::cells(other, ctx))
            .or_else(|| cluster::cells(other, ctx))
            .unwrap_or_default(),
    };
    // Events have no NAME column; every other printer starts with the name.
    if matches!(object, Object::Event(_)) {
        rest
    } else {
        std::iter::once(name).chain(rest).collect()
    }
}

/// The default table's CREATED AT: RFC 3339 in UTC, whole seconds.
fn created_at(created: Option<&Time>) -> String {
    created
        .map(|t| t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// How old something created at `created` is, `now`, as kubectl prints AGE.
pub fn age(created: Option<&Time>, now: Timestamp) -> String {
    let Some(created) = created else {
        return human_duration(None, false);
    };
    let seconds = now.as_second() - created.0.as_second();
    human_duration(
        Some(std::time::Duration::from_secs(seconds.unsigned_abs())),
        seconds < 0,
    )
}

/// `k=v,k2=v2` sorted by key, or `<none>`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        "<none>".to_string()
    } else {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `layoutContainerCells`: container names, then images, comma-joined.
fn container_cells(containers: &[Container]) -> [String; 2] {
    [
        containers
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(","),
        containers
            .iter()
            .map(|c| c.image.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(","),
    ]
}

/// `a,b,c + N more...`: the first three of a list.
fn first_three(items: &[String]) -> String {
    let mut text = items.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    if items.len() > 3 {
        text.push_str(&format!(" + {} more...", items.len() - 3));
    }
    text
}

/// LoadBalancer addresses (an ip, else a hostname), sorted and without repeats.
pub(crate) fn load_balancer_addresses<'a>(
    entries: impl Iterator<Item = (Option<&'a String>, Option<&'a String>)>,
) -> Vec<String> {
    let mut addresses: Vec<String> = entries
        .filter_map(|(ip, hostname)| ip.or(hostname).cloned())
        .collect();
    addresses.sort();
    addresses.dedup();
    addresses
}

fn or_none(value: String) -> String {
    if value.is_empty() {
        "<none>".to_string()
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_balancer_addresses_are_deduplicated_in_order() {
        let ip = String::from("203.0.113.10");
        let other = String::from("203.0.113.9");
        let addresses = load_balancer_addresses(
            [(Some(&ip), None), (None, Some(&other)), (Some(&ip), None)].into_iter(),
        );
        assert_eq!(addresses, ["203.0.113.10", "203.0.113.9"]);
    }
}
