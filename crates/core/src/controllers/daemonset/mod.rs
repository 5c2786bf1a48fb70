//! The DaemonSet controller (`pkg/controller/daemon`): one reconcile entry point,
//! [`reconcile`], that creates and deletes daemon pods per node and writes status.

pub mod history;
pub mod placement;
pub mod pod_template;
pub mod update;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::Pod;

use self::history::{cleanup_history, construct_history};
use self::placement::should_run_on;
use self::pod_template::{controller_ref, new_daemon_pod, target_node};
use self::update::{allows_surge, availability, is_updated, min_ready, rolling_update};
use super::events::{record, reference, Reporter};
use super::{is_pod_ready, later, pod_condition, pod_node_name, pod_phase, Ctx};
use crate::api::server::{create_generated, delete_pod};
use crate::api::store::{controller_uid, key_of, Key, Store, WatchEventType};
use crate::api::validation::selector_matches;
use crate::api::Kind;

/// Is `pod` controlled by the DaemonSet with this uid?
fn controlled_by(pod: &Pod, uid: &str) -> bool {
    controller_uid(&pod.metadata) == Some(uid)
}

/// `ClaimPods`: adopts orphan pods the selector matches (in the DaemonSet's
/// namespace, not being deleted) and releases owned pods it no longer matches.
fn claim_pods(store: &mut Store, ds: &DaemonSet) -> bool {
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let namespace = ds.metadata.namespace.clone();
    let selector = ds
        .spec
        .as_ref()
        .map(|s| s.selector.clone())
        .unwrap_or_default();
    let mut changed = false;
    let is_orphan = |pod: &Pod| controller_uid(&pod.metadata).is_none();
    // Only pods whose ownership changes are copied.
    let candidates: Vec<Pod> = store
        .pods_controlled_by(&uid)
        .chain(store.orphan_pods())
        .filter(|p| p.metadata.namespace == namespace)
        .filter(|p| {
            let matches = selector_matches(
                &selector,
                p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
            );
            (controlled_by(p, &uid) && !matches)
                || (is_orphan(p) && matches && p.metadata.deletion_timestamp.is_none())
        })
        .cloned()
        .collect();
    for mut pod in candidates {
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let matches = selector_matches(&selector, &labels);
        let owned = controlled_by(&pod, &uid);
        let orphan = is_orphan(&pod);
        if owned && !matches {
            if let Some(refs) = pod.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
            }
            if pod
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(Vec::is_empty)
            {
                pod.metadata.owner_references = None;
            }
        } else if orphan && matches && pod.metadata.deletion_timestamp.is_none() {
            pod.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(controller_ref(ds));
        } else {
            continue;
        }
        store.put_pod(pod);
        changed = true;
    }
    changed
}

/// The DaemonSet's pods grouped by the node they are meant for
/// (`getNodesToDaemonPods`). Terminal pods already being deleted are ignored.
fn pods_by_node<'a>(store: &'a Store, ds: &'a DaemonSet) -> BTreeMap<&'a str, Vec<&'a Pod>> {
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let namespace = ds.metadata.namespace.as_deref();
    let mut by_node: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
    for pod in store.pods_controlled_by(uid) {
        if pod.metadata.namespace.as_deref() != namespace {
            continue;
        }
        let terminal = matches!(pod_phase(pod), "Succeeded" | "Failed");
        if terminal && pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if let Some(node) = target_node(pod) {
            by_node.entry(node).or_default().push(pod);
        }
    }
    by_node
}

/// Oldest first: scheduled pods, then earlier creationTimestamp, then name
/// (`podByCreationTimestampAndPhase`).
fn sort_oldest_first<P: std::borrow::Borrow<Pod>>(pods: &mut [P]) {
    pods.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        let scheduled = |p: &Pod| pod_node_name(p).is_none();
        scheduled(a)
            .cmp(&scheduled(b))
            .then_with(|| {
                let time = |p: &Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
                time(a).cmp(&time(b))
            })
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

/// What the controller remembers between syncs (as the real one does in memory):
/// back-offs for failing creates and for failed pods per node.
#[derive(Clone, Debug, Default)]
pub struct DaemonSetState {
    /// DaemonSet → (failed create attempts, not before).
    create_backoff: BTreeMap<Key, (u32, Timestamp)>,
    /// (DaemonSet uid, node) → (failed pods killed, not before).
    failed_pod_backoff: BTreeMap<(String, String), (u32, Timestamp)>,
    /// DaemonSet → its last sync that changed nothing, so the next pass can
    /// skip it until something it watches changes or its wake-up comes.
    synced: BTreeMap<Key, Synced>,
    /// DaemonSet → node → (should run, should continue running) as its last
    /// sync found them, so a node change that alters neither can be ignored.
    placements: BTreeMap<Key, HashMap<String, (bool, bool)>>,
}

impl DaemonSetState {
    /// The oldest point in the watch log a skipped DaemonSet still has to read from.
    pub fn oldest_read(&self) -> Option<u64> {
        self.synced.values().map(|s| s.resource_version).min()
    }
}

#[derive(Clone, Debug)]
struct Synced {
    resource_version: u64,
    wake: Option<Timestamp>,
    pending: Option<Timestamp>,
}

/// Syncs the DaemonSets that need it: those with a change they watch (a node,
/// a namespace, the DaemonSet, its revisions, its pods or orphans it may adopt)
/// since their last quiet sync, or a wake-up that has come. The informers'
/// event handlers do this in Kubernetes; here it keeps a step's work to what
/// changed. Returns whether anything in the store changed.
pub fn sync_all(store: &mut Store, state: &mut DaemonSetState, ctx: &mut Ctx) -> bool {
    let keys: Vec<Key> = store.daemonsets().map(|ds| key_of(&ds.metadata)).collect();
    state.synced.retain(|key, _| store.daemonset(key).is_some());
    state
        .placements
        .retain(|key, _| store.daemonset(key).is_some());
    let mut changed = false;
    for key in keys {
        if let Some(last) = state.synced.get(&key) {
            let woken = last.wake.is_some_and(|w| w <= ctx.now());
            let placements = state.placements.get(&key);
            if !woken && !watched_change(store, &key, placements, last.resource_version) {
                ctx.wake = earliest(ctx.wake, last.wake);
                ctx.pending = earliest(ctx.pending, last.pending);
                continue;
            }
        }
        // This DaemonSet's own wake-ups, kept apart to be remembered.
        let outer = (ctx.wake.take(), ctx.pending.take());
        let wrote = reconcile(store, state, &key, ctx);
        let own = (ctx.wake, ctx.pending);
        if wrote == Wrote::Pods {
            // Its own writes may call for another pass of it.
            state.synced.remove(&key);
        } else {
            // A status worked out after every other write is already up to date.
            let resource_version = store.resource_version();
            let (wake, pending) = own;
            state.synced.insert(
                key,
                Synced {
                    resource_version,
                    wake,
                    pending,
                },
            );
        }
        ctx.wake = earliest(outer.0, own.0);
        ctx.pending = earliest(outer.1, own.1);
        changed |= wrote != Wrote::Nothing;
    }
    changed
}

/// What one sync wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wrote {
    Nothing,
    /// Only the DaemonSet's status (and events or old revisions).
    Status,
    /// Pods, which the next pass must look at again.
    Pods,
}

fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Has anything the DaemonSet `key` depends on changed after `since`? A node
/// counts only if whether the DaemonSet should run or continue running there
/// changed (as `updateNode` in Kubernetes decides), judged against what its
/// last sync saw.
fn watched_change(
    store: &Store,
    key: &Key,
    placements: Option<&HashMap<String, (bool, bool)>>,
    since: u64,
) -> bool {
    let ds = store.daemonset(key);
    let uid = ds.and_then(|ds| ds.metadata.uid.as_deref()).unwrap_or("");
    store
        .events_since(since)
        .iter()
        .any(|event| match event.kind {
            Kind::Event => false,
            Kind::Node => {
                let now = store
                    .node(&event.key.1)
                    .zip(ds)
                    .map(|(node, ds)| should_run_on(node, ds))
                    .map_or((false, false), |p| {
                        (p.should_run, p.should_continue_running)
                    });
                let before = placements
                    .and_then(|p| p.get(&event.key.1))
                    .copied()
                    .unwrap_or((false, false));
                // A node that comes or goes may also leave this DaemonSet's pod
                // stranded on it (a node re-created under the same name).
                let comes_or_goes = event.type_ != WatchEventType::Modified;
                placements.is_none()
                    || now != before
                    || (comes_or_goes
                        && store
                            .pods_on_node(&event.key.1)
                            .any(|p| controlled_by(p, uid)))
            }
            Kind::Namespace | Kind::PriorityClass => true,
            Kind::DaemonSet => event.key == *key,
            // A pod matters if it is ours, or nobody's (to adopt); a deleted one
            // cannot be looked at, so it counts.
            Kind::Pod => {
                event.key.0 == key.0
                    && store.pod(&event.key).is_none_or(|pod| {
                        controlled_by(pod, uid) || controller_uid(&pod.metadata).is_none()
                    })
            }
            Kind::ControllerRevision | Kind::ConfigMap | Kind::ServiceAccount => {
                event.key.0 == key.0
            }
        })
}

/// The work queue's per-item back-off: 5 ms doubling to 1000 s.
fn queue_backoff(failures: u32) -> Duration {
    Duration::from_millis(5)
        .saturating_mul(1 << failures.min(20))
        .min(Duration::from_secs(1000))
}

/// The failed-pod back-off: 1 s doubling to 15 min.
fn failed_pod_backoff(failures: u32) -> Duration {
    Duration::from_secs(1)
        .saturating_mul(1 << failures.min(10))
        .min(Duration::from_secs(900))
}

fn ds_event(
    store: &mut Store,
    ctx: &mut Ctx,
    ds: &DaemonSet,
    type_: &str,
    reason: &str,
    message: String,
) {
    record(
        store,
        ctx,
        reference(Kind::DaemonSet, &ds.metadata),
        type_,
        reason,
        message,
        Reporter::component("daemonset-controller"),
    );
}

/// Creates the daemon pod for `node` from revision `hash`, recording
/// SuccessfulCreate or FailedCreate. Returns whether the pod was created.
fn create_pod(store: &mut Store, ctx: &mut Ctx, ds: &DaemonSet, node: &str, hash: &str) -> bool {
    let pod = new_daemon_pod(ds, node, hash);
    match create_generated(store, pod, &mut ctx.env()) {
        Ok(name) => {
            let message = format!("Created pod: {name}");
            ds_event(store, ctx, ds, "Normal", "SuccessfulCreate", message);
            true
        }
        Err(error) => {
            let message = format!("Error creating: {error}");
            ds_event(store, ctx, ds, "Warning", "FailedCreate", message);
            false
        }
    }
}

/// Deletes daemon pods gracefully, with a SuccessfulDelete event for each.
fn delete_pods(store: &mut Store, ctx: &mut Ctx, ds: &DaemonSet, pods: Vec<Key>) -> bool {
    let mut changed = false;
    for pod in pods {
        let now = ctx.now.clone();
        if let Ok(deleted) = delete_pod(store, &pod, None, &now) {
            let name = deleted.metadata.name.clone().unwrap_or_default();
            ds_event(
                store,
                ctx,
                ds,
                "Normal",
                "SuccessfulDelete",
                format!("Deleted pod: {name}"),
            );
            changed = true;
        }
    }
    changed
}

/// An event to record once the store is free to write: type, reason, message.
type Note = (&'static str, &'static str, String);

/// `manage`'s decisions for each node, on borrowed pods: the nodes that need a
/// pod, the pods that must go, and the events to record.
fn manage_plan(
    store: &Store,
    mut by_node: BTreeMap<&str, Vec<&Pod>>,
    state: &mut DaemonSetState,
    ds: &DaemonSet,
    hash: &str,
    ctx: &mut Ctx,
) -> (Vec<String>, Vec<Key>, Vec<Note>) {
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let namespace = ds.metadata.namespace.clone().unwrap_or_default();
    let surge = allows_surge(ds);
    let mut to_delete: Vec<Key> = Vec::new();
    let mut to_create: Vec<String> = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let mut placements = HashMap::new();
    for node in store.nodes() {
        let name = node.metadata.name.clone().unwrap_or_default();
        let placement = should_run_on(node, ds);
        placements.insert(
            name.clone(),
            (placement.should_run, placement.should_continue_running),
        );
        let pods = by_node.remove(name.as_str()).unwrap_or_default();
        // Without surge, a node whose only pod is terminating or failed gets
        // its replacement once that pod is gone, not before.
        let has_pods = !pods.is_empty();
        let live: Vec<&Pod> = pods
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        if !placement.should_continue_running {
            to_delete.extend(live.iter().map(|p| key_of(&p.metadata)));
            continue;
        }
        let (finished, mut running): (Vec<&Pod>, Vec<&Pod>) = live
            .into_iter()
            .partition(|p| matches!(pod_phase(p), "Failed" | "Succeeded"));
        for pod in &finished {
            let pod_name = format!("{namespace}/{}", pod.metadata.name.as_deref().unwrap_or(""));
            if pod_phase(pod) == "Succeeded" {
                notes.push(("Normal", "SucceededDaemonPod", format!("Found succeeded daemon pod {pod_name} on node {name}, will try to delete it")));
                to_delete.push(key_of(&pod.metadata));
                continue;
            }
            let backoff_key = (uid.clone(), name.clone());
            let (failures, not_before) = state
                .failed_pod_backoff
                .get(&backoff_key)
                .copied()
                .unwrap_or((0, ctx.now()));
            if not_before > ctx.now() {
                ctx.wake_at(not_before);
                continue;
            }
            notes.push((
                "Warning",
                "FailedDaemonPod",
                format!("Found failed daemon pod {pod_name} on node {name}, will try to kill it"),
            ));
            state.failed_pod_backoff.insert(
                backoff_key,
                (failures + 1, later(ctx.now(), failed_pod_backoff(failures))),
            );
            to_delete.push(key_of(&pod.metadata));
        }
        if running.is_empty() {
            // With surge, a replacement need not wait for a terminating pod.
            if placement.should_run && (!has_pods || surge) {
                to_create.push(name);
            }
        } else if !surge {
            sort_oldest_first(&mut running);
            to_delete.extend(running.iter().skip(1).map(|p| key_of(&p.metadata)));
        } else {
            // Surge: keep the oldest new pod and the oldest old one, retire the
            // old one once the new one is available (or it is not Ready).
            sort_oldest_first(&mut running);
            let (new, old): (Vec<&Pod>, Vec<&Pod>) =
                running.iter().partition(|p| is_updated(p, ds, hash));
            to_delete.extend(
                new.iter()
                    .skip(1)
                    .chain(old.iter().skip(1))
                    .map(|p| key_of(&p.metadata)),
            );
            if let (Some(new), Some(old)) = (new.first(), old.first()) {
                let (new_available, when) = availability(new, min_ready(ds), ctx.now());
                if !is_pod_ready(old) || new_available {
                    to_delete.push(key_of(&old.metadata));
                } else if let Some(at) = when {
                    ctx.wake_at(at);
                }
            }
        }
    }
    // Unscheduled pods whose node no longer exists.
    for pods in by_node.values() {
        to_delete.extend(
            pods.iter()
                .filter(|p| pod_node_name(p).is_none())
                .map(|p| key_of(&p.metadata)),
        );
    }

    state.placements.insert(key_of(&ds.metadata), placements);
    (to_create, to_delete, notes)
}

/// Syncs one DaemonSet: creates missing daemon pods, deletes those that must go,
/// then writes status.
fn reconcile(store: &mut Store, state: &mut DaemonSetState, key: &Key, ctx: &mut Ctx) -> Wrote {
    let Some(ds) = store.daemonset(key).cloned() else {
        state.create_backoff.remove(key);
        return Wrote::Nothing;
    };
    if ds.metadata.deletion_timestamp.is_some() {
        return Wrote::Nothing;
    }
    let hash = construct_history(store, &ds, ctx);
    let mut changed = claim_pods(store, &ds);
    let rolling = ds
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        == Some("RollingUpdate");
    // Everything is decided on one grouping of the pods as they are now; the
    // rolling update's plan is used only if `manage` writes nothing, and the
    // status is worked out again only if a pod was written.
    let (mut to_create, to_delete, notes, plan, status) = {
        let by_node = pods_by_node(store, &ds);
        let (to_create, to_delete, notes) =
            manage_plan(store, by_node.clone(), state, &ds, &hash, ctx);
        let placements = state.placements.get(key);
        let plan = placements
            .filter(|_| rolling && !changed && to_create.is_empty() && to_delete.is_empty())
            .map(|placements| rolling_update(&ds, placements, &by_node, &hash, ctx.now()));
        let quiet = !changed
            && to_create.is_empty()
            && to_delete.is_empty()
            && plan
                .as_ref()
                .is_none_or(|p| p.create.is_empty() && p.delete.is_empty());
        let status = quiet.then(|| compute_status(store, &ds, &hash, by_node, ctx));
        (to_create, to_delete, notes, plan, status)
    };
    for (type_, reason, message) in notes {
        ds_event(store, ctx, &ds, type_, reason, message);
    }

    let backoff = state.create_backoff.get(key).copied();
    if let Some((_, not_before)) = backoff.filter(|(_, t)| *t > ctx.now()) {
        if !to_create.is_empty() {
            ctx.retry_at(not_before);
            to_create.clear();
        }
    }
    // Slow start: batches of 1, 2, 4…; a failure abandons the rest.
    let mut batch = 1;
    let created_any = !to_create.is_empty();
    let mut queue = to_create.into_iter();
    'creating: loop {
        let chunk: Vec<String> = queue.by_ref().take(batch).collect();
        if chunk.is_empty() {
            if created_any {
                state.create_backoff.remove(key);
            }
            break;
        }
        for node in chunk {
            changed = true;
            if !create_pod(store, ctx, &ds, &node, &hash) {
                let failures = backoff.map_or(0, |(n, _)| n);
                let not_before = later(ctx.now(), queue_backoff(failures));
                state
                    .create_backoff
                    .insert(key.clone(), (failures + 1, not_before));
                ctx.retry_at(not_before);
                break 'creating;
            }
        }
        batch *= 2;
    }
    changed |= delete_pods(store, ctx, &ds, to_delete);
    // The update strategy runs once what `manage` did has been observed.
    if let Some(plan) = plan.filter(|_| !changed) {
        if let Some(at) = plan.wake {
            ctx.wake_at(at);
        }
        for node in plan.create {
            create_pod(store, ctx, &ds, &node, &hash);
            changed = true;
        }
        changed |= delete_pods(store, ctx, &ds, plan.delete);
    }
    let status = match status.filter(|_| !changed) {
        Some(status) => status,
        None => compute_status(store, &ds, &hash, pods_by_node(store, &ds), ctx),
    };
    let pruned = cleanup_history(store, &ds, &hash);
    let new_status = ds.status.as_ref() != Some(&status);
    if new_status {
        let mut updated = ds;
        updated.status = Some(status);
        store.put_daemonset(updated);
    }
    if changed {
        Wrote::Pods
    } else if pruned || new_status {
        Wrote::Status
    } else {
        Wrote::Nothing
    }
}

/// Status as `updateDaemonSetStatus` computes it (REFERENCE §8).
fn compute_status(
    store: &Store,
    ds: &DaemonSet,
    hash: &str,
    mut by_node: BTreeMap<&str, Vec<&Pod>>,
    ctx: &mut Ctx,
) -> DaemonSetStatus {
    let min_ready = ds
        .spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0);
    let mut status = DaemonSetStatus {
        observed_generation: ds.metadata.generation,
        collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
        ..Default::default()
    };
    for node in store.nodes() {
        let name = node.metadata.name.as_deref().unwrap_or("");
        let placement = should_run_on(node, ds);
        let mut pods = by_node.remove(name).unwrap_or_default();
        if placement.should_run {
            status.desired_number_scheduled += 1;
            sort_oldest_first(&mut pods);
            let Some(oldest) = pods.first() else {
                continue;
            };
            status.current_number_scheduled += 1;
            if is_updated(oldest, ds, hash) {
                *status.updated_number_scheduled.get_or_insert(0) += 1;
            }
            if is_pod_ready(oldest) {
                status.number_ready += 1;
                let ready_since = pod_condition(oldest, "Ready")
                    .and_then(|c| c.last_transition_time.as_ref())
                    .map(|t| t.0);
                let min_ready = Duration::from_secs(min_ready.unsigned_abs().into());
                let available = min_ready.is_zero()
                    || ready_since.is_some_and(|since| later(since, min_ready) < ctx.now());
                if !available {
                    // Available once Ready for strictly longer than minReadySeconds.
                    if let Some(since) = ready_since {
                        ctx.wake_at(later(since, min_ready + Duration::from_secs(1)));
                    }
                }
                if available {
                    *status.number_available.get_or_insert(0) += 1;
                }
            }
        } else if !pods.is_empty() {
            status.number_misscheduled += 1;
        }
    }
    let unavailable = status.desired_number_scheduled - status.number_available.unwrap_or(0);
    status.number_unavailable = (unavailable > 0).then_some(unavailable);
    status
}
