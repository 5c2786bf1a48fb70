//! Resource names as kubectl resolves them: `ds`, `daemonset`, `daemonsets.apps`…

use daemonlab_core::api::store::Store;
use daemonlab_core::api::Kind;

/// The kind a resource argument names, custom kinds included, or None
/// (kubectl: `the server doesn't have a resource type "X"`).
pub fn resolve(store: &Store, name: &str) -> Option<Kind> {
    let lower = name.to_lowercase();
    store.kinds().find(|kind| {
        let singular = match kind.custom() {
            Some(custom) => custom.singular.to_string(),
            None => kind.name().to_lowercase(),
        };
        let plural = kind.plural();
        let group = kind.group();
        let mut names = vec![singular.clone(), plural.to_string()];
        names.extend(kind.short_names().iter().map(|s| s.to_string()));
        if !group.is_empty() {
            names.push(format!("{singular}.{group}"));
            names.push(format!("{plural}.{group}"));
        }
        names.contains(&lower)
    })
}

/// The API groups in discovery order (the aggregator's group priorities,
/// highest first): categories such as `all` expand in this order.
pub const DISCOVERY_ORDER: &[&str] = &[
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
];

/// Where a kind comes in discovery: its group's priority (groups of custom
/// resources after the built-in ones, alphabetically), then its plural.
pub fn discovery_rank(kind: &Kind) -> (usize, &'static str, &'static str) {
    let group = kind.group();
    let rank = DISCOVERY_ORDER
        .iter()
        .position(|g| *g == group)
        .unwrap_or(DISCOVERY_ORDER.len());
    (
        rank,
        if kind.custom().is_some() { group } else { "" },
        kind.plural(),
    )
}

/// The kinds a resource argument stands for: the one it names, or every kind
/// of the category it names (`all`), in discovery order.
pub fn expand(store: &Store, name: &str) -> Option<Vec<Kind>> {
    if let Some(kind) = resolve(store, name) {
        return Some(vec![kind]);
    }
    let mut kinds: Vec<Kind> = store
        .kinds()
        .filter(|k| k.categories().contains(&name))
        .collect();
    kinds.sort_by_key(discovery_rank);
    (!kinds.is_empty()).then_some(kinds)
}

/// The resource type and names of `get`/`describe`/`delete` arguments:
/// `TYPE NAME...` or `TYPE/NAME`.
pub fn type_and_names<'a>(first: &'a str, rest: &[String]) -> (&'a str, Vec<String>) {
    match first.split_once('/') {
        Some((kind, name)) => (kind, vec![name.to_string()]),
        None => (first, rest.to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_kubectl_accepts() {
        let store = Store::default();
        let resolve = |name| resolve(&store, name);
        for name in [
            "ds",
            "daemonset",
            "daemonsets",
            "daemonsets.apps",
            "DaemonSet",
        ] {
            assert_eq!(resolve(name), Some(Kind::DaemonSet), "{name}");
        }
        assert_eq!(resolve("po"), Some(Kind::Pod));
        assert_eq!(resolve("no"), Some(Kind::Node));
        assert_eq!(
            resolve("priorityclasses.scheduling.k8s.io"),
            Some(Kind::PriorityClass)
        );
        assert_eq!(resolve("dss"), None);
        assert_eq!(
            expand(&store, "all"),
            Some(vec![
                Kind::Pod,
                Kind::Service,
                Kind::DaemonSet,
                Kind::Deployment,
                Kind::ReplicaSet,
                Kind::StatefulSet,
                Kind::HorizontalPodAutoscaler,
                Kind::CronJob,
                Kind::Job,
            ]),
            "kubectl get all, in discovery order"
        );
    }
}
