//! The RollingUpdate strategy (`rollingUpdate` in `pkg/controller/daemon/update.go`,
//! REFERENCE §6): without surge, delete old pods within the `maxUnavailable`
//! budget and let `manage` create their replacements; with surge, create new
//! pods beside old ones within `maxSurge` and retire the old once the new are
//! available. Nodes are visited in name order (Go's map order is random).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;

use super::pod_template::{
    CONTROLLER_REVISION_HASH, POD_TEMPLATE_GENERATION, TEMPLATE_GENERATION_ANNOTATION,
};
use crate::api::store::{key_of, Key};
use crate::controllers::availability;

/// `GetScaledValueFromIntOrPercent(value, total, roundUp=true)`.
pub fn scaled(value: Option<&IntOrString>, total: i32) -> i32 {
    crate::controllers::scaled_value(value, total, true)
}

/// `maxSurge` and `maxUnavailable` for `desired` nodes (§1.2), with the 0/0 fallback.
pub fn surge_and_unavailable(ds: &DaemonSet, desired: i32) -> (i32, i32) {
    let spec = ds.spec.as_ref();
    let strategy = spec.and_then(|s| s.update_strategy.as_ref());
    if strategy.and_then(|s| s.type_.as_deref()) != Some("RollingUpdate") {
        return (0, 0);
    }
    let rolling = strategy.and_then(|s| s.rolling_update.as_ref());
    let surge = scaled(rolling.and_then(|r| r.max_surge.as_ref()), desired);
    let mut unavailable = scaled(rolling.and_then(|r| r.max_unavailable.as_ref()), desired);
    if desired > 0 && surge == 0 && unavailable == 0 {
        // "not configured for surge or unavailability, defaulting to accepting unavailability"
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `AllowsSurge`: RollingUpdate with a maxSurge that is not zero (scaled against 1).
pub fn allows_surge(ds: &DaemonSet) -> bool {
    let strategy = ds.spec.as_ref().and_then(|s| s.update_strategy.as_ref());
    strategy.and_then(|s| s.type_.as_deref()) == Some("RollingUpdate")
        && scaled(
            strategy
                .and_then(|s| s.rolling_update.as_ref())
                .and_then(|r| r.max_surge.as_ref()),
            1,
        ) > 0
}

/// Is `pod` of the current revision (hash, or template generation)?
pub fn is_updated(pod: &Pod, ds: &DaemonSet, hash: &str) -> bool {
    let labels = pod.metadata.labels.as_ref();
    let generation = ds
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION));
    labels
        .and_then(|l| l.get(CONTROLLER_REVISION_HASH))
        .map(String::as_str)
        == Some(hash)
        || (generation.is_some()
            && labels.and_then(|l| l.get(POD_TEMPLATE_GENERATION)) == generation)
}

/// `spec.minReadySeconds`.
pub fn min_ready(ds: &DaemonSet) -> Duration {
    let seconds = ds
        .spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0);
    Duration::from_secs(seconds.max(0).unsigned_abs().into())
}

/// What one rolling-update pass decided.
#[derive(Debug, Default)]
pub struct Plan {
    pub delete: Vec<Key>,
    /// Nodes that get a new pod now (surge).
    pub create: Vec<String>,
    /// When the pass wants to run again (a pod becoming available).
    pub wake: Option<Timestamp>,
}

/// One pass of the RollingUpdate strategy over `by_node` (node → its daemon pods).
pub fn rolling_update(
    ds: &DaemonSet,
    placements: &HashMap<String, (bool, bool)>,
    by_node: &BTreeMap<&str, Vec<&Pod>>,
    hash: &str,
    now: Timestamp,
) -> Plan {
    let min_ready = min_ready(ds);
    let mut plan = Plan::default();
    let mut available = |pod: &Pod| {
        let (ok, when) = availability(pod, min_ready, now);
        if let Some(at) = when.filter(|_| !ok) {
            plan.wake = Some(plan.wake.map_or(at, |w: Timestamp| w.min(at)));
        }
        ok
    };
    let desired =
        i32::try_from(placements.values().filter(|(run, _)| *run).count()).unwrap_or(i32::MAX);
    let (max_surge, max_unavailable) = surge_and_unavailable(ds, desired);
    // The working set: nodes with pods, and desired nodes without.
    let mut working: BTreeMap<&str, (Option<&Pod>, Option<&Pod>, bool)> = BTreeMap::new();
    for name in placements
        .iter()
        .filter(|(_, (run, _))| *run)
        .map(|(n, _)| n)
    {
        working.insert(name, (None, None, true));
    }
    for (node, pods) in by_node {
        let live: Vec<&Pod> = pods
            .iter()
            .copied()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        let (new, old): (Vec<&Pod>, Vec<&Pod>) =
            live.into_iter().partition(|p| is_updated(p, ds, hash));
        let ok = new.len() <= 1 && old.len() <= 1;
        working.insert(node, (new.first().copied(), old.first().copied(), ok));
    }
    let mut plan_delete = Vec::new();
    if max_surge == 0 {
        let mut unavailable = 0;
        let mut replacements = Vec::new();
        let mut candidates = Vec::new();
        for (new, old, ok) in working.values() {
            if !ok {
                unavailable += 1;
                continue;
            }
            match (new, old) {
                (None, None) | (Some(_), Some(_)) => unavailable += 1,
                (Some(new), None) => {
                    if !available(new) {
                        unavailable += 1;
                    }
                }
                (None, Some(old)) => {
                    if !available(old) {
                        replacements.push(key_of(&old.metadata));
                        unavailable += 1;
                    } else if unavailable < max_unavailable {
                        candidates.push(key_of(&old.metadata));
                    }
                }
            }
        }
        let budget = (max_unavailable - unavailable)
            .clamp(0, i32::try_from(candidates.len()).unwrap_or(i32::MAX));
        plan_delete.extend(replacements);
        plan_delete.extend(candidates.into_iter().take(budget.unsigned_abs() as usize));
    } else {
        let mut surge = 0;
        let mut available_count = 0;
        let mut should_not_run = Vec::new();
        let mut allowed_new = Vec::new();
        let mut candidate_new = Vec::new();
        for (node, (new, old, ok)) in &working {
            if !ok {
                surge += 1;
                continue;
            }
            match (old, new) {
                (Some(old), _) if available(old) => available_count += 1,
                (None, Some(new)) if available(new) => available_count += 1,
                _ => {}
            }
            let should_run = placements.get(*node).is_some_and(|(run, _)| *run);
            match (old, new) {
                (None, _) => {}
                (Some(old), None) => {
                    if !available(old) {
                        if !should_run {
                            plan_delete.push(key_of(&old.metadata));
                            continue;
                        }
                        allowed_new.push(*node);
                    } else {
                        if !should_run {
                            should_not_run.push(key_of(&old.metadata));
                            continue;
                        }
                        if surge >= max_surge {
                            continue;
                        }
                        candidate_new.push(*node);
                    }
                }
                (Some(old), Some(new)) => {
                    if !available(new) {
                        surge += 1;
                        continue;
                    }
                    plan_delete.push(key_of(&old.metadata));
                }
            }
        }
        let extra = available_count - desired;
        if extra > 0 {
            plan_delete.extend(
                should_not_run
                    .into_iter()
                    .take(extra.unsigned_abs() as usize),
            );
        }
        let remaining =
            (max_surge - surge).clamp(0, i32::try_from(candidate_new.len()).unwrap_or(i32::MAX));
        plan.create
            .extend(allowed_new.into_iter().map(str::to_string));
        plan.create.extend(
            candidate_new
                .into_iter()
                .take(remaining.unsigned_abs() as usize)
                .map(str::to_string),
        );
    }
    plan.delete = plan_delete;
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_up() {
        let pct = |s: &str| IntOrString::String(s.to_string());
        assert_eq!(scaled(Some(&pct("10%")), 3), 1);
        assert_eq!(scaled(Some(&pct("50%")), 3), 2);
        assert_eq!(scaled(Some(&pct("30%")), 10), 3);
        assert_eq!(scaled(Some(&pct("1%")), 1), 1);
        assert_eq!(scaled(Some(&pct("0%")), 50), 0);
        assert_eq!(scaled(Some(&IntOrString::Int(2)), 50), 2);
    }
}
