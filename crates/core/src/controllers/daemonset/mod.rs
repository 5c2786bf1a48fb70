//! The DaemonSet controller (`pkg/controller/daemon`): one reconcile entry point,
//! [`reconcile`], that creates and deletes daemon pods per node and writes status.

pub mod history;
pub mod placement;
pub mod pod_template;
pub mod update;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use k8s_openapi::jiff::Timestamp;

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::Pod;

use self::history::{cleanup_history, construct_history, current_revision_hash};
use self::placement::should_run_on;
use self::pod_template::{
    controller_ref, new_daemon_pod, target_node, TEMPLATE_GENERATION_ANNOTATION,
};
use self::update::{allows_surge, is_updated, min_ready, rolling_update};
use super::events::record_about;
use super::ownership::{claim_pods, controlled_by};
use super::{availability, is_pod_ready, later, pod_node_name, pod_phase, Ctx};
use crate::api::server::{create_generated, delete_pod};
use crate::api::store::{controller_uid, key_of, Key, Store, WatchEventType};
use crate::api::validation::selector_matches;
use crate::api::Kind;

/// Does the DaemonSet (uid, namespace) count `pod` as one of its pods on a
/// node? Terminal pods already being deleted are ignored (`getNodesToDaemonPods`).
fn counts(pod: &Pod, uid: &str, namespace: Option<&str>) -> bool {
    let terminal = matches!(pod_phase(pod), "Succeeded" | "Failed");
    controlled_by(pod, uid)
        && pod.metadata.namespace.as_deref() == namespace
        && !(terminal && pod.metadata.deletion_timestamp.is_some())
}

/// The DaemonSet's pods grouped by the node they are meant for
/// (`getNodesToDaemonPods`).
fn pods_by_node<'a>(store: &'a Store, ds: &'a DaemonSet) -> BTreeMap<&'a str, Vec<&'a Pod>> {
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let namespace = ds.metadata.namespace.as_deref();
    let mut by_node: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
    for pod in store.pods_controlled_by(uid) {
        if !counts(pod, uid, namespace) {
            continue;
        }
        if let Some(node) = target_node(pod) {
            by_node.entry(node).or_default().push(pod);
        }
    }
    by_node
}

/// [`pods_by_node`] for a few nodes only, found through the store's pod-by-node
/// index. `None` if one of them no longer matches the selector, which only a
/// full sync (releasing it) handles.
fn pods_on_nodes<'a>(
    store: &'a Store,
    ds: &'a DaemonSet,
    nodes: &BTreeSet<String>,
) -> Option<BTreeMap<&'a str, Vec<&'a Pod>>> {
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let namespace = ds.metadata.namespace.as_deref();
    let selector = ds.spec.as_ref().map(|s| &s.selector);
    let bound = nodes.iter().flat_map(|n| store.pods_on_node(n));
    let pending = store
        .pods_on_node("")
        .filter(|p| target_node(p).is_some_and(|n| nodes.contains(n)));
    let mut by_node: BTreeMap<&str, Vec<&Pod>> = BTreeMap::new();
    for pod in bound.chain(pending) {
        if !counts(pod, uid, namespace) {
            continue;
        }
        let labels = pod.metadata.labels.as_ref();
        if !selector_matches(selector?, labels.unwrap_or(&BTreeMap::new())) {
            return None;
        }
        if let Some(node) = target_node(pod) {
            by_node.entry(node).or_default().push(pod);
        }
    }
    Some(by_node)
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
    /// DaemonSet → the point in the watch log its last sync read up to, so the
    /// next pass can skip it until something it watches changes or its
    /// wake-up comes.
    synced: BTreeMap<Key, Synced>,
    /// DaemonSet → what its last sync saw on each node, so the next can look
    /// only at the nodes that changed.
    views: BTreeMap<Key, View>,
}

impl DaemonSetState {
    /// The oldest point in the watch log a skipped DaemonSet still has to read from.
    pub fn oldest_read(&self) -> Option<u64> {
        self.synced.values().map(|s| s.resource_version).min()
    }

    /// Where each node that should run the DaemonSet's pod stands in a
    /// rollout, as its last sync counted them (or counted afresh for one being
    /// deleted, which no longer syncs).
    pub fn rollout_counts(&self, store: &Store, ds: &DaemonSet) -> RolloutCounts {
        let view = self
            .views
            .get(&key_of(&ds.metadata))
            .filter(|_| ds.metadata.deletion_timestamp.is_none());
        let total = match view {
            Some(view) => view.total,
            None => {
                let hash = current_revision_hash(store, ds);
                let now = Timestamp::UNIX_EPOCH;
                survey(
                    ds,
                    &hash,
                    &placements(store, ds),
                    pods_by_node(store, ds),
                    now,
                )
                .1
            }
        };
        let count = |n: i32| usize::try_from(n).unwrap_or(0);
        RolloutCounts {
            desired: count(total.desired),
            new: count(total.on_new),
            old: count(total.on_old),
            terminating: count(total.replacing),
            surging: count(total.surging),
        }
    }
}

/// See [`DaemonSetState::rollout_counts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RolloutCounts {
    pub desired: usize,
    /// Desired nodes with a live pod of the current revision.
    pub new: usize,
    /// Desired nodes whose live pods are all of older revisions.
    pub old: usize,
    /// Desired nodes whose only pods are terminating; the rest of `desired`
    /// has no pod yet.
    pub terminating: usize,
    /// Nodes with live pods of both.
    pub surging: usize,
}

#[derive(Clone, Debug)]
struct Synced {
    resource_version: u64,
    wake: Option<Timestamp>,
    pending: Option<Timestamp>,
}

/// A DaemonSet's last sync, node by node. It stays good for the same pod
/// template (`Identity`); a sync that finds it good re-manages and recounts
/// only the nodes whose pods or placement changed since, and adds the
/// difference to the status.
#[derive(Clone, Debug)]
struct View {
    identity: Identity,
    nodes: HashMap<String, NodeView>,
    total: Tally,
}

/// What makes a pod "updated": the DaemonSet, its current revision and the
/// deprecated template-generation annotation. Status tallies hold only while
/// these stay the same.
#[derive(Clone, Debug, PartialEq)]
struct Identity {
    uid: Option<String>,
    generation: Option<i64>,
    hash: String,
    template_generation: Option<String>,
}

impl Identity {
    fn of(ds: &DaemonSet, hash: &str) -> Identity {
        Identity {
            uid: ds.metadata.uid.clone(),
            generation: ds.metadata.generation,
            hash: hash.to_string(),
            template_generation: ds
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(TEMPLATE_GENERATION_ANNOTATION))
                .cloned(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct NodeView {
    /// (should run, should continue running); `None` for a node that is gone
    /// but still has pods of the DaemonSet.
    placement: Option<(bool, bool)>,
    tally: Tally,
}

/// What one node (or a sum of nodes) adds to the DaemonSet's status, plus its
/// live pods by revision: old ones are what a rolling update still has to
/// replace, and a node with both is surging. `on_new`, `on_old` and
/// `replacing` sort the desired nodes by what they run (the rollout chart).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    desired: i32,
    current: i32,
    updated: i32,
    ready: i32,
    available: i32,
    misscheduled: i32,
    old: i32,
    new: i32,
    surging: i32,
    on_new: i32,
    on_old: i32,
    replacing: i32,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.desired += o.desired;
        self.current += o.current;
        self.updated += o.updated;
        self.ready += o.ready;
        self.available += o.available;
        self.misscheduled += o.misscheduled;
        self.old += o.old;
        self.new += o.new;
        self.surging += o.surging;
        self.on_new += o.on_new;
        self.on_old += o.on_old;
        self.replacing += o.replacing;
    }
}

impl std::ops::SubAssign for Tally {
    fn sub_assign(&mut self, o: Tally) {
        self.desired -= o.desired;
        self.current -= o.current;
        self.updated -= o.updated;
        self.ready -= o.ready;
        self.available -= o.available;
        self.misscheduled -= o.misscheduled;
        self.old -= o.old;
        self.new -= o.new;
        self.surging -= o.surging;
        self.on_new -= o.on_new;
        self.on_old -= o.on_old;
        self.replacing -= o.replacing;
    }
}

/// Syncs the DaemonSets that need it: those with a change they watch (a node,
/// a namespace, the DaemonSet, its revisions, its pods or orphans it may adopt)
/// since their last sync, or a wake-up that has come. The informers'
/// event handlers do this in Kubernetes; here it keeps a step's work to what
/// changed. Returns whether anything in the store changed.
pub fn sync_all(store: &mut Store, state: &mut DaemonSetState, ctx: &mut Ctx) -> bool {
    let keys: Vec<Key> = store.daemonsets().map(|ds| key_of(&ds.metadata)).collect();
    state.synced.retain(|key, _| store.daemonset(key).is_some());
    state.views.retain(|key, _| store.daemonset(key).is_some());
    let mut changed = false;
    for key in keys {
        let mut since = None;
        if let Some(last) = state.synced.get(&key) {
            let woken = last.wake.is_some_and(|w| w <= ctx.now());
            let view = state.views.get(&key);
            if !woken && !watched_change(store, &key, view, last.resource_version) {
                ctx.wake = earliest(ctx.wake, last.wake);
                ctx.pending = earliest(ctx.pending, last.pending);
                continue;
            }
            // A DaemonSet waiting on time (a back-off, a pod becoming available)
            // gets a full sync, which sets its wake-ups afresh.
            since = last.wake.is_none().then_some(last.resource_version);
            // A refused create waits out its back-off (5 ms at first) unless
            // what admission refused it for has since appeared; then the
            // retry, milliseconds away on a real cluster, is made at once.
            if admission_input_changed(store, &key, last.resource_version) {
                state.create_backoff.remove(&key);
            }
        }
        // This DaemonSet's own wake-ups, kept apart to be remembered.
        let outer = (ctx.wake.take(), ctx.pending.take());
        let before = store.resource_version();
        let wrote = reconcile(store, state, &key, since, ctx);
        let (wake, pending) = (ctx.wake, ctx.pending);
        // After writing pods it reads its own writes again on the next pass
        // (they may call for more); a status worked out after every other
        // write is already up to date.
        let resource_version = if wrote == Wrote::Pods {
            before
        } else {
            store.resource_version()
        };
        state.synced.insert(
            key,
            Synced {
                resource_version,
                wake,
                pending,
            },
        );
        ctx.wake = earliest(outer.0, wake);
        ctx.pending = earliest(outer.1, pending);
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

/// Has a ServiceAccount of the DaemonSet's namespace, a namespace or a
/// PriorityClass (what pod admission looks up) changed after `since`?
fn admission_input_changed(store: &Store, key: &Key, since: u64) -> bool {
    store
        .events_since(since)
        .iter()
        .any(|event| match event.kind {
            Kind::ServiceAccount => event.key.0 == key.0,
            Kind::Namespace | Kind::PriorityClass => true,
            _ => false,
        })
}

/// Has anything the DaemonSet `key` depends on changed after `since`? A node
/// counts only if whether the DaemonSet should run or continue running there
/// changed (as `updateNode` in Kubernetes decides), judged against what its
/// last sync saw.
fn watched_change(store: &Store, key: &Key, view: Option<&View>, since: u64) -> bool {
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
                let before = view
                    .and_then(|v| v.nodes.get(&event.key.1))
                    .and_then(|n| n.placement)
                    .unwrap_or((false, false));
                // A node that comes or goes may also leave this DaemonSet's pod
                // stranded on it (a node re-created under the same name).
                let comes_or_goes = event.type_ != WatchEventType::Modified;
                view.is_none()
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
            // Nothing else a DaemonSet's placement or pods depend on.
            _ => false,
        })
}

/// The nodes whose pods or placement may have changed for `ds` since `since`,
/// or `None` if something else it depends on changed (a namespace, a priority
/// class, an orphan pod it may adopt, a pod of its own whose node is unknown)
/// or so many nodes changed that a full sync is cheaper.
fn dirty_nodes(
    store: &Store,
    ds: &DaemonSet,
    since: u64,
    known: usize,
) -> Option<BTreeSet<String>> {
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let namespace = ds.metadata.namespace.as_deref().unwrap_or("");
    let selector = ds.spec.as_ref().map(|s| &s.selector)?;
    let mut dirty = BTreeSet::new();
    for event in store.events_since(since) {
        match event.kind {
            Kind::Event | Kind::DaemonSet | Kind::ControllerRevision => {}
            Kind::Node => {
                dirty.insert(event.key.1.clone());
            }
            Kind::Namespace | Kind::PriorityClass => return None,
            Kind::ConfigMap | Kind::ServiceAccount | Kind::Pod if event.key.0 != namespace => {}
            Kind::ConfigMap | Kind::ServiceAccount => return None,
            Kind::Pod => {
                let pod = store.pod(&event.key);
                let gone = event.deleted.as_ref();
                let adoptable = pod.is_some_and(|p| {
                    controller_uid(&p.metadata).is_none()
                        && p.metadata.deletion_timestamp.is_none()
                        && selector_matches(
                            selector,
                            p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
                        )
                });
                if adoptable {
                    return None;
                }
                let (node, ours) = match (pod, gone) {
                    (Some(pod), _) => (target_node(pod), controlled_by(pod, uid)),
                    (None, Some(gone)) => (
                        gone.node.as_deref(),
                        gone.controller.as_deref() == Some(uid),
                    ),
                    // Deleted since: its Deleted event further on says where it was.
                    (None, None) => continue,
                };
                match node {
                    Some(node) => {
                        dirty.insert(node.to_string());
                    }
                    None if ours => return None,
                    None => {}
                }
            }
            _ => {}
        }
    }
    (dirty.len() * 4 <= known + 64).then_some(dirty)
}

/// The work queue's per-item back-off: 5 ms doubling to 1000 s.
fn queue_backoff(failures: u32) -> Duration {
    Duration::from_millis(5)
        .saturating_mul(1 << failures.min(20))
        .min(Duration::from_secs(1000))
}

/// The failed-pod back-off: 1 s doubling to 15 min.
fn failed_pod_backoff_for(failures: u32) -> Duration {
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
    record_about(
        store,
        ctx,
        Kind::DaemonSet,
        &ds.metadata,
        "daemonset-controller",
        type_,
        reason,
        message,
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

/// `manage`'s decisions, taken on borrowed pods: the nodes that need a pod,
/// the pods that must go, and the events to record.
#[derive(Default)]
struct Decisions {
    create: Vec<String>,
    delete: Vec<Key>,
    notes: Vec<Note>,
}

impl Decisions {
    fn is_empty(&self) -> bool {
        self.create.is_empty() && self.delete.is_empty()
    }

    /// Unscheduled pods meant for a node that no longer exists go.
    fn delete_unscheduled(&mut self, pods: &[&Pod]) {
        self.delete.extend(
            pods.iter()
                .filter(|p| pod_node_name(p).is_none())
                .map(|p| key_of(&p.metadata)),
        );
    }
}

/// `manage` for one node: given where the DaemonSet should run and the pods it
/// has there, decide what to create and delete.
#[allow(clippy::too_many_arguments)]
fn manage_node(
    failed_pod_backoff: &mut BTreeMap<(String, String), (u32, Timestamp)>,
    ds: &DaemonSet,
    hash: &str,
    name: &str,
    (should_run, should_continue_running): (bool, bool),
    pods: Vec<&Pod>,
    ctx: &mut Ctx,
    out: &mut Decisions,
) {
    let surge = allows_surge(ds);
    // Without surge, a node whose only pod is terminating or failed gets
    // its replacement once that pod is gone, not before.
    let has_pods = !pods.is_empty();
    let live: Vec<&Pod> = pods
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    if !should_continue_running {
        out.delete.extend(live.iter().map(|p| key_of(&p.metadata)));
        return;
    }
    let (finished, mut running): (Vec<&Pod>, Vec<&Pod>) = live
        .into_iter()
        .partition(|p| matches!(pod_phase(p), "Failed" | "Succeeded"));
    let namespace = ds.metadata.namespace.as_deref().unwrap_or("");
    for pod in &finished {
        let pod_name = format!("{namespace}/{}", pod.metadata.name.as_deref().unwrap_or(""));
        if pod_phase(pod) == "Succeeded" {
            out.notes.push((
                "Normal",
                "SucceededDaemonPod",
                format!(
                    "Found succeeded daemon pod {pod_name} on node {name}, will try to delete it"
                ),
            ));
            out.delete.push(key_of(&pod.metadata));
            continue;
        }
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let backoff_key = (uid, name.to_string());
        let (failures, not_before) = failed_pod_backoff
            .get(&backoff_key)
            .copied()
            .unwrap_or((0, ctx.now()));
        if not_before > ctx.now() {
            ctx.wake_at(not_before);
            continue;
        }
        out.notes.push((
            "Warning",
            "FailedDaemonPod",
            format!("Found failed daemon pod {pod_name} on node {name}, will try to kill it"),
        ));
        failed_pod_backoff.insert(
            backoff_key,
            (
                failures + 1,
                later(ctx.now(), failed_pod_backoff_for(failures)),
            ),
        );
        out.delete.push(key_of(&pod.metadata));
    }
    if running.is_empty() {
        // With surge, a replacement need not wait for a terminating pod.
        if should_run && (!has_pods || surge) {
            out.create.push(name.to_string());
        }
    } else if !surge {
        sort_oldest_first(&mut running);
        out.delete
            .extend(running.iter().skip(1).map(|p| key_of(&p.metadata)));
    } else {
        // Surge: keep the oldest new pod and the oldest old one, retire the
        // old one once the new one is available (or it is not Ready).
        sort_oldest_first(&mut running);
        let (new, old): (Vec<&Pod>, Vec<&Pod>) =
            running.iter().partition(|p| is_updated(p, ds, hash));
        out.delete.extend(
            new.iter()
                .skip(1)
                .chain(old.iter().skip(1))
                .map(|p| key_of(&p.metadata)),
        );
        if let (Some(new), Some(old)) = (new.first(), old.first()) {
            let (new_available, when) = availability(new, min_ready(ds), ctx.now());
            if !is_pod_ready(old) || new_available {
                out.delete.push(key_of(&old.metadata));
            } else if let Some(at) = when {
                ctx.wake_at(at);
            }
        }
    }
}

/// `manage` over every node; also returns where the DaemonSet should run.
fn manage_plan(
    store: &Store,
    mut by_node: BTreeMap<&str, Vec<&Pod>>,
    state: &mut DaemonSetState,
    ds: &DaemonSet,
    hash: &str,
    ctx: &mut Ctx,
) -> (Decisions, HashMap<String, (bool, bool)>) {
    let mut out = Decisions::default();
    let mut placements = HashMap::new();
    for node in store.nodes() {
        let name = node.metadata.name.as_deref().unwrap_or("");
        let placement = should_run_on(node, ds);
        let placement = (placement.should_run, placement.should_continue_running);
        placements.insert(name.to_string(), placement);
        let pods = by_node.remove(name).unwrap_or_default();
        let backoff = &mut state.failed_pod_backoff;
        manage_node(backoff, ds, hash, name, placement, pods, ctx, &mut out);
    }
    for pods in by_node.values() {
        out.delete_unscheduled(pods);
    }
    (out, placements)
}

fn is_rolling(ds: &DaemonSet) -> bool {
    ds.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        == Some("RollingUpdate")
}

/// Syncs one DaemonSet: creates missing daemon pods, deletes those that must go,
/// then writes status. With `since`, and nothing but some nodes' pods or
/// placement changed after it, only those nodes are looked at.
fn reconcile(
    store: &mut Store,
    state: &mut DaemonSetState,
    key: &Key,
    since: Option<u64>,
    ctx: &mut Ctx,
) -> Wrote {
    let Some(ds) = store.daemonset(key).cloned() else {
        state.create_backoff.remove(key);
        return Wrote::Nothing;
    };
    if ds.metadata.deletion_timestamp.is_some() {
        return Wrote::Nothing;
    }
    let hash = construct_history(store, &ds, ctx);
    if let Some(wrote) =
        since.and_then(|since| reconcile_nodes(store, state, key, &ds, &hash, since, ctx))
    {
        return wrote;
    }
    let selector = ds
        .spec
        .as_ref()
        .map(|s| s.selector.clone())
        .unwrap_or_default();
    let mut changed = claim_pods(
        store,
        &controller_ref(&ds),
        ds.metadata.namespace.as_deref(),
        &selector,
    );
    // Everything is decided on one grouping of the pods as they are now; the
    // rolling update's plan is used only if `manage` writes nothing, and the
    // status is worked out again only if a pod was written.
    let (decisions, placements, plan, survey_before) = {
        let by_node = pods_by_node(store, &ds);
        let (decisions, placements) = manage_plan(store, by_node.clone(), state, &ds, &hash, ctx);
        let plan = (is_rolling(&ds) && !changed && decisions.is_empty())
            .then(|| rolling_update(&ds, &placements, &by_node, &hash, ctx.now()));
        let quiet = !changed
            && decisions.is_empty()
            && plan
                .as_ref()
                .is_none_or(|p| p.create.is_empty() && p.delete.is_empty());
        let survey_before = quiet.then(|| survey(&ds, &hash, &placements, by_node, ctx.now()));
        (decisions, placements, plan, survey_before)
    };
    changed |= carry_out(store, state, key, &ds, &hash, decisions, ctx);
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
    let (nodes, total, wake) = match survey_before.filter(|_| !changed) {
        Some(survey) => survey,
        None => survey(&ds, &hash, &placements, pods_by_node(store, &ds), ctx.now()),
    };
    if let Some(at) = wake {
        ctx.wake_at(at);
    }
    let identity = Identity::of(&ds, &hash);
    state.views.insert(
        key.clone(),
        View {
            identity,
            nodes,
            total,
        },
    );
    finish(store, ds, &hash, total, changed)
}

/// The node-by-node sync: `manage` and the status count for the nodes that
/// changed since `since`, the rest taken from the DaemonSet's last sync.
/// `None` when that is not enough: the view is missing or for another
/// template, something besides nodes and pods changed, `minReadySeconds` makes
/// availability a matter of time, or a rolling update has old pods to replace.
fn reconcile_nodes(
    store: &mut Store,
    state: &mut DaemonSetState,
    key: &Key,
    ds: &DaemonSet,
    hash: &str,
    since: u64,
    ctx: &mut Ctx,
) -> Option<Wrote> {
    let identity = Identity::of(ds, hash);
    let view = state.views.get(key).filter(|v| v.identity == identity)?;
    if !min_ready(ds).is_zero() {
        return None;
    }
    let dirty = dirty_nodes(store, ds, since, view.nodes.len())?;
    let placements: HashMap<String, Option<(bool, bool)>> = dirty
        .iter()
        .map(|name| {
            let placement = store.node(name).map(|node| should_run_on(node, ds));
            let placement = placement.map(|p| (p.should_run, p.should_continue_running));
            (name.clone(), placement)
        })
        .collect();
    // Without minReadySeconds a Ready pod is available at once: no wake-ups.
    let now = ctx.now();
    let tallies = |store: &Store| {
        let mut by_node = pods_on_nodes(store, ds, &dirty)?;
        let nodes: HashMap<String, NodeView> = placements
            .iter()
            .map(|(name, placement)| {
                let pods = by_node.remove(name.as_str()).unwrap_or_default();
                let (tally, _) = tally(ds, hash, *placement, pods, Duration::ZERO, now);
                let placement = *placement;
                (name.clone(), NodeView { placement, tally })
            })
            .collect();
        Some(nodes)
    };
    let mut total = view.total;
    let before = tallies(store)?;
    for (name, node) in &before {
        total += node.tally;
        if let Some(last) = view.nodes.get(name) {
            total -= last.tally;
        }
    }
    if is_rolling(ds) && total.old > 0 {
        return None;
    }
    let decisions = {
        let mut by_node = pods_on_nodes(store, ds, &dirty)?;
        let mut out = Decisions::default();
        for (name, placement) in &placements {
            let pods = by_node.remove(name.as_str()).unwrap_or_default();
            match placement {
                Some(placement) => {
                    let backoff = &mut state.failed_pod_backoff;
                    manage_node(backoff, ds, hash, name, *placement, pods, ctx, &mut out);
                }
                None => out.delete_unscheduled(&pods),
            }
        }
        out
    };
    let changed = carry_out(store, state, key, ds, hash, decisions, ctx);
    let after = if changed { tallies(store)? } else { before };
    let view = state.views.get_mut(key)?;
    for (name, node) in after {
        if let Some(last) = view.nodes.remove(&name) {
            view.total -= last.tally;
        }
        view.total += node.tally;
        if node.placement.is_some() || node.tally != Tally::default() {
            view.nodes.insert(name, node);
        }
    }
    let total = view.total;
    debug_assert_eq!(
        total,
        recount(store, ds, hash, ctx.now()),
        "node-by-node status of {key:?}"
    );
    Some(finish(store, ds.clone(), hash, total, changed))
}

/// Every node's tally counted afresh, to check the node-by-node sync in
/// debug builds.
fn recount(store: &Store, ds: &DaemonSet, hash: &str, now: Timestamp) -> Tally {
    survey(
        ds,
        hash,
        &placements(store, ds),
        pods_by_node(store, ds),
        now,
    )
    .1
}

/// Node → (should run, should continue running) for every node.
fn placements(store: &Store, ds: &DaemonSet) -> HashMap<String, (bool, bool)> {
    store
        .nodes()
        .map(|node| {
            let placement = should_run_on(node, ds);
            let name = node.metadata.name.clone().unwrap_or_default();
            (
                name,
                (placement.should_run, placement.should_continue_running),
            )
        })
        .collect()
}

/// Writes `manage`'s decisions: its events, then the pods to create in
/// slow-start batches of 1, 2, 4… (a failure abandons the rest and backs off),
/// then the deletions. Returns whether a pod was written.
fn carry_out(
    store: &mut Store,
    state: &mut DaemonSetState,
    key: &Key,
    ds: &DaemonSet,
    hash: &str,
    decisions: Decisions,
    ctx: &mut Ctx,
) -> bool {
    let Decisions {
        mut create,
        delete,
        notes,
    } = decisions;
    for (type_, reason, message) in notes {
        ds_event(store, ctx, ds, type_, reason, message);
    }
    let backoff = state.create_backoff.get(key).copied();
    if let Some((_, not_before)) = backoff.filter(|(_, t)| *t > ctx.now()) {
        if !create.is_empty() {
            ctx.retry_at(not_before);
            create.clear();
        }
    }
    let mut changed = false;
    let mut batch = 1;
    let created_any = !create.is_empty();
    let mut queue = create.into_iter();
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
            if !create_pod(store, ctx, ds, &node, hash) {
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
    changed |= delete_pods(store, ctx, ds, delete);
    changed
}

/// Writes the status `total` implies and prunes old revisions.
fn finish(store: &mut Store, mut ds: DaemonSet, hash: &str, total: Tally, changed: bool) -> Wrote {
    let status = status_of(&ds, total);
    let pruned = cleanup_history(store, &ds, hash);
    let new_status = ds.status.as_ref() != Some(&status);
    if new_status {
        ds.status = Some(status);
        store.put_daemonset(ds);
    }
    if changed {
        Wrote::Pods
    } else if pruned || new_status {
        Wrote::Status
    } else {
        Wrote::Nothing
    }
}

/// One node's part of the status (REFERENCE §8): the oldest pod on a node that
/// should run one counts as current, updated, ready and available; pods on a
/// node that should not run one make it misscheduled. `placement` is `None`
/// for a node that is gone, which counts only its pods by revision. Also
/// returns when the node's pod becomes available, if it is not yet.
fn tally(
    ds: &DaemonSet,
    hash: &str,
    placement: Option<(bool, bool)>,
    mut pods: Vec<&Pod>,
    min_ready: Duration,
    now: Timestamp,
) -> (Tally, Option<Timestamp>) {
    let (mut old, mut new) = (0, 0);
    for pod in pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
    {
        if is_updated(pod, ds, hash) {
            new += 1;
        } else {
            old += 1;
        }
    }
    let mut tally = Tally {
        old,
        new,
        surging: i32::from(old > 0 && new > 0),
        ..Tally::default()
    };
    let Some((should_run, _)) = placement else {
        return (tally, None);
    };
    if !should_run {
        tally.misscheduled = i32::from(!pods.is_empty());
        return (tally, None);
    }
    tally.desired = 1;
    tally.on_new = i32::from(new > 0);
    tally.on_old = i32::from(new == 0 && old > 0);
    tally.replacing = i32::from(new == 0 && old == 0 && !pods.is_empty());
    sort_oldest_first(&mut pods);
    let Some(oldest) = pods.first() else {
        return (tally, None);
    };
    tally.current = 1;
    tally.updated = i32::from(is_updated(oldest, ds, hash));
    if !is_pod_ready(oldest) {
        return (tally, None);
    }
    tally.ready = 1;
    // Available once Ready for strictly longer than minReadySeconds.
    let (available, when) = availability(oldest, min_ready, now);
    tally.available = i32::from(available);
    (tally, when.filter(|_| !available))
}

/// Every node's tally from one grouping of the pods (nodes that exist, then
/// nodes that are gone but still have pods), their sum, and the first moment
/// a pod becomes available.
fn survey(
    ds: &DaemonSet,
    hash: &str,
    placements: &HashMap<String, (bool, bool)>,
    mut by_node: BTreeMap<&str, Vec<&Pod>>,
    now: Timestamp,
) -> (HashMap<String, NodeView>, Tally, Option<Timestamp>) {
    let min_ready = min_ready(ds);
    let mut nodes = HashMap::with_capacity(placements.len());
    let mut total = Tally::default();
    let mut wake = None;
    let gone: Vec<&str> = by_node
        .keys()
        .copied()
        .filter(|n| !placements.contains_key(*n))
        .collect();
    let every = placements
        .iter()
        .map(|(name, placement)| (name.as_str(), Some(*placement)))
        .chain(gone.into_iter().map(|name| (name, None)));
    for (name, placement) in every {
        let pods = by_node.remove(name).unwrap_or_default();
        let (tally, when) = tally(ds, hash, placement, pods, min_ready, now);
        total += tally;
        wake = earliest(wake, when);
        nodes.insert(name.to_string(), NodeView { placement, tally });
    }
    (nodes, total, wake)
}

/// The status `updateDaemonSetStatus` writes for these totals.
fn status_of(ds: &DaemonSet, total: Tally) -> DaemonSetStatus {
    let unavailable = total.desired - total.available;
    DaemonSetStatus {
        observed_generation: ds.metadata.generation,
        collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
        desired_number_scheduled: total.desired,
        current_number_scheduled: total.current,
        updated_number_scheduled: (total.updated > 0).then_some(total.updated),
        number_ready: total.ready,
        number_available: (total.available > 0).then_some(total.available),
        number_misscheduled: total.misscheduled,
        number_unavailable: (unavailable > 0).then_some(unavailable),
        ..Default::default()
    }
}
