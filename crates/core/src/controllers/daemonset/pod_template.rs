//! What a daemon pod looks like: the template plus the tolerations and the
//! per-node affinity the controller injects (`util/daemonset_util.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{
    Affinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodSpec, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::scheduling::node_affinity::required_node_selector;
use crate::scheduling::taints::{NO_EXECUTE, NO_SCHEDULE};

pub const CONTROLLER_REVISION_HASH: &str = "controller-revision-hash";
pub const POD_TEMPLATE_GENERATION: &str = "pod-template-generation";
pub use crate::api::registry::TEMPLATE_GENERATION_ANNOTATION;

fn exists(key: &str, effect: &str) -> Toleration {
    Toleration {
        key: Some(key.to_string()),
        operator: Some("Exists".to_string()),
        effect: Some(effect.to_string()),
        ..Default::default()
    }
}

/// `AddOrUpdateTolerationInPodSpec`: replace an identical key/operator/value/effect
/// toleration (dropping any `tolerationSeconds` it had), else append.
fn add_or_update(tolerations: &mut Vec<Toleration>, toleration: Toleration) {
    let same = |t: &Toleration| {
        t.key == toleration.key
            && t.operator == toleration.operator
            && t.value == toleration.value
            && t.effect == toleration.effect
    };
    match tolerations.iter_mut().find(|t| same(t)) {
        Some(existing) => *existing = toleration,
        None => tolerations.push(toleration),
    }
}

/// The template's tolerations plus those every daemon pod gets (`AddOrUpdateDaemonPodTolerations`).
pub fn daemon_tolerations(spec: &PodSpec) -> Vec<Toleration> {
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    for (key, effect) in [
        ("node.kubernetes.io/not-ready", NO_EXECUTE),
        ("node.kubernetes.io/unreachable", NO_EXECUTE),
        ("node.kubernetes.io/disk-pressure", NO_SCHEDULE),
        ("node.kubernetes.io/memory-pressure", NO_SCHEDULE),
        ("node.kubernetes.io/pid-pressure", NO_SCHEDULE),
        ("node.kubernetes.io/unschedulable", NO_SCHEDULE),
    ] {
        add_or_update(&mut tolerations, exists(key, effect));
    }
    if spec.host_network == Some(true) {
        add_or_update(
            &mut tolerations,
            exists("node.kubernetes.io/network-unavailable", NO_SCHEDULE),
        );
    }
    tolerations
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required terms become a single
/// `matchFields metadata.name In [node]`; preferred terms and nodeSelector stay.
fn pin_to_node(affinity: Option<Affinity>, node_name: &str) -> Affinity {
    let mut affinity = affinity.unwrap_or_default();
    let mut node_affinity = affinity.node_affinity.take().unwrap_or_default();
    node_affinity.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_expressions: None,
            match_fields: Some(vec![NodeSelectorRequirement {
                key: "metadata.name".to_string(),
                operator: "In".to_string(),
                values: Some(vec![node_name.to_string()]),
            }]),
        }],
    });
    affinity.node_affinity = Some(node_affinity);
    affinity
}

/// The node a daemon pod is meant for: `spec.nodeName`, else the single value of
/// its first `matchFields metadata.name In` requirement.
pub fn target_node(pod: &Pod) -> Option<&str> {
    let spec = pod.spec.as_ref()?;
    if let Some(name) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        return Some(name);
    }
    let req = required_node_selector(spec)?
        .node_selector_terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")?;
    match req.values.as_deref() {
        Some([only]) => Some(only),
        _ => None,
    }
}

/// The owner reference a DaemonSet puts on the pods and revisions it controls.
pub fn controller_ref(ds: &DaemonSet) -> OwnerReference {
    crate::controllers::ownership::controller_ref(crate::api::Kind::DaemonSet, &ds.metadata)
}

/// A new daemon pod for `node_name`, as the controller submits it: no name yet
/// (the API server completes `generateName`), not bound (the scheduler binds it).
pub fn new_daemon_pod(ds: &DaemonSet, node_name: &str, revision_hash: &str) -> Pod {
    let template = ds
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let template_meta = template.metadata.unwrap_or_default();
    let mut spec = template.spec.unwrap_or_default();
    spec.tolerations = Some(daemon_tolerations(&spec));
    spec.affinity = Some(pin_to_node(spec.affinity.take(), node_name));

    let mut labels: BTreeMap<String, String> = template_meta.labels.unwrap_or_default();
    labels.insert(
        CONTROLLER_REVISION_HASH.to_string(),
        revision_hash.to_string(),
    );
    if let Some(generation) = ds
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
    {
        labels.insert(POD_TEMPLATE_GENERATION.to_string(), generation.clone());
    }
    let ds_name = ds.metadata.name.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{ds_name}-")),
            namespace: ds.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: template_meta.annotations,
            finalizers: template_meta.finalizers,
            owner_references: Some(vec![controller_ref(ds)]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeAffinity;

    #[test]
    fn injected_tolerations_come_in_upstream_order() {
        let keys: Vec<_> = daemon_tolerations(&PodSpec::default())
            .into_iter()
            .map(|t| {
                format!(
                    "{} {} {}",
                    t.key.unwrap(),
                    t.operator.unwrap(),
                    t.effect.unwrap()
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                "node.kubernetes.io/not-ready Exists NoExecute",
                "node.kubernetes.io/unreachable Exists NoExecute",
                "node.kubernetes.io/disk-pressure Exists NoSchedule",
                "node.kubernetes.io/memory-pressure Exists NoSchedule",
                "node.kubernetes.io/pid-pressure Exists NoSchedule",
                "node.kubernetes.io/unschedulable Exists NoSchedule",
            ]
        );
    }

    #[test]
    fn host_network_adds_network_unavailable() {
        let spec = PodSpec {
            host_network: Some(true),
            ..Default::default()
        };
        assert_eq!(daemon_tolerations(&spec).len(), 7);
    }

    #[test]
    fn user_toleration_seconds_on_not_ready_is_overwritten() {
        let spec = PodSpec {
            tolerations: Some(vec![Toleration {
                toleration_seconds: Some(60),
                ..exists("node.kubernetes.io/not-ready", NO_EXECUTE)
            }]),
            ..Default::default()
        };
        let tolerations = daemon_tolerations(&spec);
        assert_eq!(tolerations.len(), 6);
        assert_eq!(tolerations[0].toleration_seconds, None);
    }

    #[test]
    fn user_required_terms_are_replaced_by_the_node_name() {
        let affinity = Affinity {
            node_affinity: Some(NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "kubernetes.io/hostname".into(),
                            operator: "In".into(),
                            values: Some(vec!["a".into(), "b".into()]),
                        }]),
                        match_fields: None,
                    }],
                }),
                preferred_during_scheduling_ignored_during_execution: Some(vec![]),
            }),
            ..Default::default()
        };
        let pinned = pin_to_node(Some(affinity), "worker-0");
        let na = pinned.node_affinity.unwrap();
        assert!(na
            .preferred_during_scheduling_ignored_during_execution
            .is_some());
        let terms = na
            .required_during_scheduling_ignored_during_execution
            .unwrap()
            .node_selector_terms;
        assert_eq!(
            serde_json::to_string(&terms).unwrap(),
            r#"[{"matchFields":[{"key":"metadata.name","operator":"In","values":["worker-0"]}]}]"#
        );
    }
}
