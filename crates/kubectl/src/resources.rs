//! Resource names as kubectl resolves them: `ds`, `daemonset`, `daemonsets.apps`…

use daemonlab_core::api::Kind;

/// The kind a resource argument names, or None (kubectl: `the server doesn't
/// have a resource type "X"`).
pub fn resolve(name: &str) -> Option<Kind> {
    let lower = name.to_lowercase();
    Kind::ALL.iter().copied().find(|kind| {
        let singular = kind.name().to_lowercase();
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
    }
}
