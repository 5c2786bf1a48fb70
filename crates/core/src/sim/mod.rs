//! The simulated cluster: the store, the controllers, a virtual clock and seeded
//! identifiers. Same seed and same inputs give the same cluster, natively and in wasm.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::api::errors::ApiError;
use crate::api::ids::Ids;
use crate::api::server::{self, Applied, Cascade, Env};
use crate::api::store::{key_of, Store};
use crate::api::validation::SYSTEM_PRIORITY_CLASSES;
use crate::api::{Kind, Object};
use crate::controllers::{daemonset, garbage_collector, kubelet, scheduler, Ctx};

/// Namespaces every cluster starts with.
const INITIAL_NAMESPACES: [&str; 4] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/// 2026-01-01T00:00:00Z: virtual time starts here.
const EPOCH_SECONDS: i64 = 1_767_225_600;

/// Controller passes a settle may take before it gives up: far more than any
/// cluster needs, and a guard against two controllers undoing each other forever.
const MAX_SETTLE_PASSES: usize = 1_000;

#[derive(Clone, Debug)]
pub struct Cluster {
    store: Store,
    ids: Ids,
    now: Timestamp,
}

impl Cluster {
    pub fn new(seed: u64) -> Self {
        let mut cluster = Cluster {
            store: Store::default(),
            ids: Ids::new(seed),
            now: Timestamp::from_second(EPOCH_SECONDS).unwrap_or(Timestamp::UNIX_EPOCH),
        };
        let meta = |name: &str| ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        };
        let namespaces = INITIAL_NAMESPACES.map(|name| {
            Object::Namespace(Namespace {
                metadata: meta(name),
                ..Default::default()
            })
        });
        let classes = SYSTEM_PRIORITY_CLASSES.map(|(name, value, description)| {
            Object::PriorityClass(PriorityClass {
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
        for object in namespaces.into_iter().chain(classes) {
            // Distinct, valid built-in objects in an empty store: creating them cannot fail.
            let _ = server::create(&mut cluster.store, object, &mut env);
        }
        cluster
    }

    pub fn store(&self) -> &Store {
        &self.store
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

    /// `kubectl delete`: the object goes at once; its dependents follow when the
    /// cluster settles (or stay, orphaned).
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        cascade: Cascade,
    ) -> Result<Object, ApiError> {
        server::delete(&mut self.store, kind, namespace, name, cascade)
    }

    /// Runs the controllers until none has anything left to do.
    pub fn settle(&mut self) {
        for _ in 0..MAX_SETTLE_PASSES {
            let mut ctx = Ctx {
                now: Time(self.now),
                ids: &mut self.ids,
            };
            let mut changed = garbage_collector::collect(&mut self.store);
            changed |= kubelet::sync(&mut self.store, &mut ctx);
            let keys: Vec<_> = self
                .store
                .daemonsets()
                .map(|ds| key_of(&ds.metadata))
                .collect();
            for key in keys {
                changed |= daemonset::reconcile(&mut self.store, &key, &mut ctx);
            }
            changed |= scheduler::schedule(&mut self.store, &mut ctx);
            if !changed {
                return;
            }
        }
    }
}
