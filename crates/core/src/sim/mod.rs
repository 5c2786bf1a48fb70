//! The simulated cluster: the store, the controllers, a virtual clock and seeded
//! identifiers. Same seed and same inputs give the same cluster, natively and in wasm.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;

use crate::api::decode::{decode_all, DecodeError};
use crate::api::ids::Ids;
use crate::api::server::{self, ApiError, Applied};
use crate::api::store::{key_of, Store};
use crate::api::Object;
use crate::controllers::{daemonset, kubelet, scheduler, Ctx};

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
        for name in INITIAL_NAMESPACES {
            let namespace = Object::Namespace(Namespace {
                metadata: ObjectMeta {
                    name: Some(name.to_string()),
                    ..Default::default()
                },
                ..Default::default()
            });
            // Four distinct names in an empty store: creating them cannot fail.
            let _ = server::create(
                &mut cluster.store,
                namespace,
                &Time(cluster.now),
                &mut cluster.ids,
            );
        }
        cluster
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    fn apply_object(&mut self, object: Object) -> Result<Applied, ApiError> {
        server::apply(&mut self.store, object, &Time(self.now), &mut self.ids)
    }

    /// `kubectl apply -f`: decodes every document first (a decode error applies
    /// nothing), then applies each in order, like kubectl; the cluster then settles.
    pub fn apply_yaml(
        &mut self,
        text: &str,
    ) -> Result<Vec<Result<Applied, ApiError>>, DecodeError> {
        let objects = decode_all(text)?;
        let results = objects
            .into_iter()
            .map(|object| self.apply_object(object))
            .collect();
        self.settle();
        Ok(results)
    }

    /// Runs the controllers until none has anything left to do.
    pub fn settle(&mut self) {
        for _ in 0..MAX_SETTLE_PASSES {
            let mut ctx = Ctx {
                now: Time(self.now),
                ids: &mut self.ids,
            };
            let mut changed = kubelet::sync(&mut self.store, &mut ctx);
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
