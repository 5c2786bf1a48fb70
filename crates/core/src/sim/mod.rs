//! The simulated cluster: the store, the controllers, a virtual clock and seeded
//! identifiers. Same seed and same inputs give the same cluster, natively and in wasm.

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::{Namespace, Pod, Service, ServicePort, ServiceSpec};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::api::errors::ApiError;
use crate::api::ids::Ids;
use crate::api::patch::PatchType;
use crate::api::server::{self, Applied, Cascade, Env};
use crate::api::store::{key_of, Key, Store};
use crate::api::validation::SYSTEM_PRIORITY_CLASSES;
use crate::api::{Kind, Object};
use crate::controllers::apiservice::APIServiceState;
use crate::controllers::autoregister::AutoregisterState;
use crate::controllers::daemonset::history::{current_revision_hash, revision_number};
use crate::controllers::daemonset::DaemonSetState;
use crate::controllers::deployment::DeploymentState;
use crate::controllers::disruption::DisruptionState;
use crate::controllers::endpoints::EndpointsState;
use crate::controllers::garbage_collector::GarbageCollectorState;
use crate::controllers::kubelet::Kubelets;
use crate::controllers::node_lifecycle::NodeLifecycleState;
use crate::controllers::replicaset::ReplicaSetState;
use crate::controllers::scheduler::Scheduler;
use crate::controllers::statefulset::StatefulSetState;
use crate::controllers::taint_eviction::TaintEvictionState;
use crate::controllers::{
    apiservice, autoregister, daemonset, deployment, disruption, endpoints, garbage_collector,
    kubelet, node_lifecycle, replicaset, scheduler, statefulset, taint_eviction, Ctx, Cursor,
};
use crate::scheduling::framework::Attempt;

/// Namespaces every cluster starts with.
const INITIAL_NAMESPACES: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/// 2026-01-01T00:00:00Z: virtual time starts here.
const EPOCH_SECONDS: i64 = 1_767_225_600;

/// Controller passes a settle may take before it gives up: far more than any
/// cluster needs, and a guard against two controllers undoing each other forever.
const MAX_SETTLE_PASSES: usize = 1_000;

/// What the simulation does not do for objects of `kind`, which it stores and
/// serves like any other: no controller, webhook or device of theirs runs here.
pub fn stored_only(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::ValidatingWebhookConfiguration | Kind::MutatingWebhookConfiguration => {
            "stored only: the simulated API server calls no admission webhooks"
        }
        Kind::ValidatingAdmissionPolicy | Kind::ValidatingAdmissionPolicyBinding => {
            "stored only: admission policies are not evaluated"
        }
        Kind::APIService => {
            "stored only: no aggregated API server runs here; it is Available once its Service has ready endpoints"
        }
        Kind::NetworkPolicy => "stored only: the simulated pod network filters nothing",
        Kind::ResourceQuota | Kind::LimitRange => "stored only: not enforced",
        Kind::Ingress | Kind::IngressClass => "stored only: no ingress controller runs here",
        Kind::HorizontalPodAutoscaler => "stored only: nothing scales on metrics here",
        Kind::Job | Kind::CronJob => "stored only: no Job controller runs here",
        Kind::PersistentVolume
        | Kind::PersistentVolumeClaim
        | Kind::StorageClass
        | Kind::CSIDriver
        | Kind::CSINode
        | Kind::VolumeAttachment => "stored only: no volumes are provisioned or attached",
        Kind::Custom(_) => "stored only: no controller for this kind runs here",
        _ => return None,
    })
}

/// One moment of a DaemonSet's rollout, as the UI charts it: the nodes that
/// should run its pod, sorted by what they run (`new + old + terminating +
/// without_pod() == desired`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutSample {
    pub at: Timestamp,
    /// The current revision's number, as `kubectl rollout history` lists it.
    pub revision: i64,
    /// `desiredNumberScheduled`.
    pub desired: usize,
    /// Nodes with a live pod of the current revision.
    pub new: usize,
    /// Nodes whose live pods are all of older revisions.
    pub old: usize,
    /// Nodes whose only pods are terminating.
    pub terminating: usize,
    /// Desired nodes without an available pod (`numberUnavailable`).
    pub unavailable: usize,
    /// Nodes running an old and a new pod at once.
    pub surge: usize,
}

impl RolloutSample {
    /// Nodes that should run a pod and have none yet.
    pub fn without_pod(&self) -> usize {
        self.desired
            .saturating_sub(self.new + self.old + self.terminating)
    }

    fn same_counts(&self, other: &RolloutSample) -> bool {
        RolloutSample {
            at: other.at,
            ..self.clone()
        } == *other
    }
}

/// Samples kept per DaemonSet; older ones are dropped.
const ROLLOUT_SAMPLES: usize = 10_000;

/// `sim settle` never runs longer than this.
const SETTLE_LIMIT: Duration = Duration::from_secs(3600);

#[derive(Clone, Debug)]
pub struct Cluster {
    store: Store,
    ids: Ids,
    now: Timestamp,
    kubelets: Kubelets,
    daemonsets: DaemonSetState,
    deployments: DeploymentState,
    disruption: DisruptionState,
    endpoints: EndpointsState,
    statefulsets: StatefulSetState,
    apiservices: APIServiceState,
    autoregister: AutoregisterState,
    replicasets: ReplicaSetState,
    evictions: TaintEvictionState,
    garbage: GarbageCollectorState,
    nodes: NodeLifecycleState,
    scheduler: Scheduler,
    /// The earliest moment a controller asked to run again (any reason, and to
    /// finish work under way), from the last pass.
    wake: Option<Timestamp>,
    pending: Option<Timestamp>,
    /// Each DaemonSet's rollout, one sample per change.
    rollouts: BTreeMap<Key, Vec<RolloutSample>>,
    /// How far rollout sampling has read the watch log.
    sampled: Cursor,
}

impl Cluster {
    pub fn new(seed: u64) -> Self {
        let mut cluster = Cluster {
            store: Store::default(),
            ids: Ids::new(seed),
            now: Timestamp::from_second(EPOCH_SECONDS).unwrap_or(Timestamp::UNIX_EPOCH),
            kubelets: Kubelets::new(seed),
            daemonsets: DaemonSetState::default(),
            deployments: DeploymentState::default(),
            disruption: DisruptionState::default(),
            endpoints: EndpointsState::default(),
            statefulsets: StatefulSetState::default(),
            apiservices: APIServiceState::default(),
            autoregister: AutoregisterState::default(),
            replicasets: ReplicaSetState::default(),
            evictions: TaintEvictionState::default(),
            garbage: GarbageCollectorState::default(),
            nodes: NodeLifecycleState::default(),
            scheduler: Scheduler::new(seed),
            wake: None,
            pending: None,
            rollouts: BTreeMap::new(),
            sampled: Cursor::default(),
        };
        let meta = |name: &str| ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        };
        let namespaces = INITIAL_NAMESPACES.map(|name| {
            Object::from(Namespace {
                metadata: meta(name),
                ..Default::default()
            })
        });
        let classes = SYSTEM_PRIORITY_CLASSES.map(|(name, value, description)| {
            Object::from(PriorityClass {
                metadata: meta(name),
                value: Some(value),
                description: Some(description.to_string()),
                ..Default::default()
            })
        });
        let now = Time(cluster.now);
        let mut env = Env {
            now: &now,
            ids: &mut cluster.ids,
        };
        // The API server publishes itself as `default/kubernetes`.
        let api_service = Object::from(Service {
            metadata: ObjectMeta {
                name: Some("kubernetes".to_string()),
                namespace: Some("default".to_string()),
                labels: Some(BTreeMap::from([
                    ("component".to_string(), "apiserver".to_string()),
                    ("provider".to_string(), "kubernetes".to_string()),
                ])),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                cluster_ip: Some("10.96.0.1".to_string()),
                ports: Some(vec![ServicePort {
                    name: Some("https".to_string()),
                    port: 443,
                    protocol: Some("TCP".to_string()),
                    target_port: Some(IntOrString::Int(6443)),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        });
        for object in namespaces
            .into_iter()
            .chain(classes)
            .chain(std::iter::once(api_service))
            .chain(autoregister::built_in())
        {
            // Distinct, valid built-in objects in an empty store: creating them cannot fail.
            let _ = server::create(&mut cluster.store, object, &mut env);
        }
        // The control plane has started: its controllers have seen these.
        cluster.reconcile();
        cluster
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The scheduler's last attempt at `pod`, plugin by plugin, if it made one.
    pub fn scheduling_attempt(&self, pod: &Pod) -> Option<&Attempt> {
        self.scheduler.attempt(pod)
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// `kubectl apply` of one manifest of a served kind. The cluster does not
    /// settle until [`Cluster::settle`].
    pub fn apply_manifest(
        &mut self,
        kind: Kind,
        manifest: &Value,
        default_namespace: &str,
    ) -> Result<Applied, ApiError> {
        let now = Time(self.now);
        let mut env = Env {
            now: &now,
            ids: &mut self.ids,
        };
        server::apply(&mut self.store, kind, manifest, default_namespace, &mut env)
    }

    /// `kubectl create -f` of one manifest of a served kind.
    pub fn create_manifest(
        &mut self,
        kind: Kind,
        manifest: &Value,
        default_namespace: &str,
        save_config: bool,
    ) -> Result<Applied, ApiError> {
        let now = Time(self.now);
        let mut env = Env {
            now: &now,
            ids: &mut self.ids,
        };
        server::create_from_manifest(
            &mut self.store,
            kind,
            manifest,
            default_namespace,
            save_config,
            &mut env,
        )
    }

    /// `kubectl delete`: pods get a deletionTimestamp and go when their kubelet
    /// has stopped them; other objects go at once, their dependents following
    /// when the cluster runs (or staying, orphaned).
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        cascade: Cascade,
        grace: Option<i64>,
    ) -> Result<Object, ApiError> {
        if kind == Kind::Pod {
            let key = (namespace.to_string(), name.to_string());
            return server::delete_pod(&mut self.store, &key, grace, &Time(self.now))
                .map(Object::from);
        }
        server::delete(&mut self.store, kind, namespace, name, cascade)
    }

    /// `kubectl drain`'s eviction of a pod, which PodDisruptionBudgets may refuse.
    pub fn evict(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        let key = (namespace.to_string(), name.to_string());
        crate::api::eviction::evict(&mut self.store, &key, &Time(self.now)).map(|_| ())
    }

    /// Updates an object as a client that read it and changed it would.
    pub fn update(&mut self, object: Object) -> Result<(), ApiError> {
        server::update(&mut self.store, object, &Time(self.now))
    }

    /// PATCH of an object (only its status with `status`) as served at
    /// `api_version`; what was stored before and after.
    pub fn patch(
        &mut self,
        target: (Kind, &str, &str),
        api_version: &str,
        patch_type: PatchType,
        patch: &Value,
        status: bool,
    ) -> Result<(Object, Object), ApiError> {
        crate::api::patch::patch(
            &mut self.store,
            target,
            api_version,
            patch_type,
            patch,
            status,
            &Time(self.now),
        )
    }

    /// Writes an object's status, as a client of the `status` subresource
    /// does. Returns whether it changed.
    pub fn update_status(&mut self, object: Object) -> Result<bool, ApiError> {
        server::update_status(&mut self.store, object, &Time(self.now))
    }

    /// `kubectl create`: a new object, refused if it exists.
    pub fn create(&mut self, object: Object) -> Result<(), ApiError> {
        let now = Time(self.now);
        let mut env = Env {
            now: &now,
            ids: &mut self.ids,
        };
        server::create(&mut self.store, object, &mut env)
    }

    /// `sim node down`: the node's kubelet stops reporting.
    pub fn node_down(&mut self, node: &str) -> Result<(), String> {
        self.store
            .node(node)
            .ok_or_else(|| format!("node \"{node}\" not found"))?;
        self.kubelets.stop(node, self.now);
        Ok(())
    }

    /// `sim node up`: the node's kubelet reports again.
    pub fn node_up(&mut self, node: &str) -> Result<(), String> {
        self.store
            .node(node)
            .ok_or_else(|| format!("node \"{node}\" not found"))?;
        self.kubelets.start(node);
        Ok(())
    }

    pub fn kubelet_is_down(&self, node: &str) -> bool {
        self.kubelets.is_down(node)
    }

    /// Runs every controller at the current moment until none changes anything.
    pub fn reconcile(&mut self) {
        let mut poked = self.kubelets.take_poked();
        for _ in 0..MAX_SETTLE_PASSES {
            let mut ctx = Ctx {
                now: Time(self.now),
                ids: &mut self.ids,
                wake: None,
                pending: None,
            };
            let store = &mut self.store;
            let mut changed = garbage_collector::collect(store, &mut self.garbage, &mut ctx);
            changed |= kubelet::sync(store, &mut self.kubelets, &poked, &mut ctx);
            changed |=
                node_lifecycle::reconcile(store, &mut self.nodes, &self.kubelets, &poked, &mut ctx);
            poked.clear();
            changed |= daemonset::sync_all(store, &mut self.daemonsets, &mut ctx);
            changed |= deployment::sync_all(store, &mut self.deployments, &mut ctx);
            changed |= replicaset::sync_all(store, &mut self.replicasets, &mut ctx);
            changed |= statefulset::sync_all(store, &mut self.statefulsets, &mut ctx);
            changed |= disruption::sync_all(store, &mut self.disruption, &mut ctx);
            changed |= endpoints::sync_all(store, &mut self.endpoints, &mut ctx);
            changed |= autoregister::sync(store, &mut self.autoregister, &mut ctx);
            changed |= apiservice::sync_all(store, &mut self.apiservices, &mut ctx);
            changed |= scheduler::schedule(store, &mut self.scheduler, &mut ctx);
            // After the DaemonSet controller, which removes its own pods from
            // NoExecute-tainted nodes first.
            changed |= taint_eviction::reconcile(store, &mut self.evictions, &mut ctx);
            self.wake = ctx.wake;
            self.pending = ctx.pending;
            if !changed {
                self.sample_rollouts();
                self.forget_read_events();
                return;
            }
        }
    }

    /// The rollout record of a DaemonSet: a sample at every moment its pods or
    /// availability changed.
    pub fn rollout_record(&self, namespace: &str, name: &str) -> &[RolloutSample] {
        self.rollouts
            .get(&(namespace.to_string(), name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Drops the watch events every controller has read.
    fn forget_read_events(&mut self) {
        let read = [
            self.kubelets.cursor(),
            self.nodes.cursor(),
            self.garbage.cursor(),
            self.evictions.cursor(),
            self.deployments.cursor(),
            self.disruption.cursor(),
            self.endpoints.cursor(),
            self.statefulsets.cursor(),
            self.apiservices.cursor(),
            self.replicasets.cursor(),
            self.sampled,
        ]
        .iter()
        .map(Cursor::position)
        .chain(self.daemonsets.oldest_read())
        .min()
        .unwrap_or(0);
        self.store.forget_events_through(read);
    }

    /// Samples the DaemonSets whose pods or status changed since the last sample.
    fn sample_rollouts(&mut self) {
        let now = self.now;
        let store = &self.store;
        self.rollouts
            .retain(|key, _| store.daemonset(key).is_some());
        let owners: BTreeMap<&str, Key> = store
            .daemonsets()
            .filter_map(|ds| Some((ds.metadata.uid.as_deref()?, key_of(&ds.metadata))))
            .collect();
        let mut touched: std::collections::BTreeSet<Key> = std::collections::BTreeSet::new();
        for event in self.sampled.unread(store) {
            match event.kind {
                Kind::DaemonSet => {
                    touched.insert(event.key.clone());
                }
                Kind::Pod => match store.pod(&event.key) {
                    Some(pod) => touched.extend(
                        crate::api::store::controller_uid(&pod.metadata)
                            .and_then(|uid| owners.get(uid))
                            .cloned(),
                    ),
                    // A deleted pod may have been any DaemonSet's of its namespace.
                    None => {
                        touched.extend(owners.values().filter(|key| key.0 == event.key.0).cloned())
                    }
                },
                _ => {}
            }
        }
        self.sampled.catch_up(store);
        for ds in touched.iter().filter_map(|key| store.daemonset(key)) {
            let key = key_of(&ds.metadata);
            let counts = self.daemonsets.rollout_counts(store, ds);
            let hash = current_revision_hash(store, ds);
            let sample = RolloutSample {
                at: now,
                revision: revision_number(store, ds, &hash),
                desired: counts.desired,
                new: counts.new,
                old: counts.old,
                terminating: counts.terminating,
                unavailable: ds
                    .status
                    .as_ref()
                    .and_then(|s| s.number_unavailable)
                    .unwrap_or(0)
                    .max(0)
                    .unsigned_abs() as usize,
                surge: counts.surging,
            };
            let record = self.rollouts.entry(key).or_default();
            let same = record.last().is_some_and(|last| last.same_counts(&sample));
            if !same {
                record.push(sample);
                if record.len() > ROLLOUT_SAMPLES {
                    record.remove(0);
                }
            }
        }
    }

    /// The next moment a controller asked to look again, if any: where a
    /// step of the playground's clock goes.
    pub fn next_change(&self) -> Option<Timestamp> {
        self.wake
    }

    /// Moves virtual time forward by `duration`, running the controllers at every
    /// moment one of them asked for on the way.
    pub fn advance(&mut self, duration: Duration) {
        let target = self.now.checked_add(duration).unwrap_or(self.now);
        self.reconcile();
        while let Some(next) = self.wake.filter(|w| *w <= target) {
            self.now = next;
            self.reconcile();
        }
        self.now = target;
        self.reconcile();
    }

    /// Someone waits for the cluster (`kubectl rollout status`, `delete`,
    /// `drain`): if something is under way, time moves to the next moment a
    /// controller acts, as a watcher would see it; returns whether it moved.
    pub fn wait_for_change(&mut self) -> bool {
        self.reconcile();
        let Some(pending) = self.pending else {
            return false;
        };
        let next = self.wake.unwrap_or(pending).min(pending);
        if next <= self.now {
            return false;
        }
        self.now = next;
        self.reconcile();
        true
    }

    /// `sim settle`: advances until nothing is under way (pods waiting to be
    /// created, bound, started, stopped or evicted), or for an hour at most.
    /// Retries that may fail forever (a missing image, an unschedulable pod) do
    /// not keep it going. Returns how long it ran.
    pub fn settle(&mut self) -> Duration {
        let start = self.now;
        let limit = start.checked_add(SETTLE_LIMIT).unwrap_or(start);
        self.reconcile();
        while let Some(pending) = self.pending.filter(|p| *p <= limit) {
            let next = self.wake.unwrap_or(pending).min(pending);
            self.now = next;
            self.reconcile();
        }
        let elapsed = self.now.duration_since(start);
        Duration::try_from(elapsed).unwrap_or_default()
    }
}
