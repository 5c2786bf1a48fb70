//! Taints and tolerations, as `k8s.io/api/core/v1/toleration.go` and the
//! component-helpers taint utilities define them.

use k8s_openapi::api::core::v1::{Node, Pod, Taint, Toleration};

pub const NO_SCHEDULE: &str = "NoSchedule";
pub const PREFER_NO_SCHEDULE: &str = "PreferNoSchedule";
pub const NO_EXECUTE: &str = "NoExecute";

/// `Toleration.ToleratesTaint`. `tolerationSeconds` does not matter here: it only
/// tells the eviction manager how long a tolerated NoExecute taint may stay.
pub fn tolerates(toleration: &Toleration, taint: &Taint) -> bool {
    let effect = toleration.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = toleration.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    let taint_value = taint.value.as_deref().unwrap_or("");
    match toleration.operator.as_deref().unwrap_or("") {
        "" | "Equal" => toleration.value.as_deref().unwrap_or("") == taint_value,
        "Exists" => true,
        // Lt and Gt sit behind an alpha feature gate that is off by default;
        // with the gate off they never tolerate anything.
        _ => false,
    }
}

/// The first taint with one of `effects` that no toleration tolerates.
pub fn first_untolerated<'a>(
    taints: &'a [Taint],
    tolerations: &[Toleration],
    effects: &[&str],
) -> Option<&'a Taint> {
    taints.iter().find(|taint| {
        effects.contains(&taint.effect.as_str()) && !tolerations.iter().any(|t| tolerates(t, taint))
    })
}

/// `key=value:Effect`, or `key:Effect` without a value, as kubectl prints taints.
pub fn taint_to_string(taint: &Taint) -> String {
    match taint.value.as_deref() {
        Some(value) if !value.is_empty() => format!("{}={}:{}", taint.key, value, taint.effect),
        _ => format!("{}:{}", taint.key, taint.effect),
    }
}

fn node_taints(node: &Node) -> &[Taint] {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
}

fn pod_tolerations(pod: &Pod) -> &[Toleration] {
    pod.spec
        .as_ref()
        .and_then(|s| s.tolerations.as_deref())
        .unwrap_or_default()
}

/// The `TaintToleration` filter's reason (since Kubernetes 1.35 it no longer
/// names the taint).
pub const REASON: &str = "node(s) had untolerated taint(s)";

/// The `TaintToleration` filter: whether the node has a NoSchedule or
/// NoExecute taint the pod does not tolerate.
pub fn filter(pod: &Pod, node: &Node) -> Option<&'static str> {
    first_untolerated(
        node_taints(node),
        pod_tolerations(pod),
        &[NO_SCHEDULE, NO_EXECUTE],
    )
    .map(|_| REASON)
}

/// The `TaintToleration` score: how many PreferNoSchedule taints the pod does
/// not tolerate, counting only its tolerations with that effect or none
/// (normalised in reverse: fewer is better).
pub fn score(pod: &Pod, node: &Node) -> i64 {
    let tolerations: Vec<Toleration> = pod_tolerations(pod)
        .iter()
        .filter(|t| {
            matches!(
                t.effect.as_deref(),
                None | Some("") | Some(PREFER_NO_SCHEDULE)
            )
        })
        .cloned()
        .collect();
    node_taints(node)
        .iter()
        .filter(|taint| taint.effect == PREFER_NO_SCHEDULE)
        .filter(|taint| !tolerations.iter().any(|t| tolerates(t, taint)))
        .count() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(key: &str, value: Option<&str>, effect: &str) -> Taint {
        Taint {
            key: key.into(),
            value: value.map(Into::into),
            effect: effect.into(),
            ..Default::default()
        }
    }

    fn toleration(key: &str, op: &str, value: Option<&str>, effect: &str) -> Toleration {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Toleration {
            key: opt(key),
            operator: opt(op),
            value: value.map(Into::into),
            effect: opt(effect),
            ..Default::default()
        }
    }

    #[test]
    fn empty_key_exists_tolerates_every_taint() {
        let all = toleration("", "Exists", None, "");
        assert!(tolerates(&all, &taint("gpu", Some("true"), NO_SCHEDULE)));
        assert!(tolerates(&all, &taint("x", None, NO_EXECUTE)));
    }

    #[test]
    fn effect_must_match_when_set() {
        let t = toleration("gpu", "Exists", None, NO_SCHEDULE);
        assert!(tolerates(&t, &taint("gpu", Some("true"), NO_SCHEDULE)));
        assert!(!tolerates(&t, &taint("gpu", Some("true"), NO_EXECUTE)));
    }

    #[test]
    fn equal_compares_values_and_is_the_default_operator() {
        let t = toleration("gpu", "", Some("true"), "");
        assert!(tolerates(&t, &taint("gpu", Some("true"), NO_SCHEDULE)));
        assert!(!tolerates(&t, &taint("gpu", Some("false"), NO_SCHEDULE)));
        let no_value = toleration("dedicated", "Equal", None, "");
        assert!(tolerates(&no_value, &taint("dedicated", None, NO_SCHEDULE)));
        assert!(tolerates(
            &no_value,
            &taint("dedicated", Some(""), NO_SCHEDULE)
        ));
    }

    #[test]
    fn lt_and_gt_never_tolerate_with_the_gate_off() {
        let t = toleration("level", "Gt", Some("1"), "");
        assert!(!tolerates(&t, &taint("level", Some("5"), NO_SCHEDULE)));
    }

    #[test]
    fn taints_print_like_kubectl() {
        assert_eq!(
            taint_to_string(&taint(
                "node-role.kubernetes.io/control-plane",
                None,
                NO_SCHEDULE
            )),
            "node-role.kubernetes.io/control-plane:NoSchedule"
        );
        assert_eq!(
            taint_to_string(&taint("gpu", Some("true"), NO_EXECUTE)),
            "gpu=true:NoExecute"
        );
    }
}
