//! The object store (etcd behind the API server). Objects are kept per kind in
//! namespace/name order, which is also the order `kubectl get` lists them in.
//! Every write is recorded as a watch event that controllers and the UI read.

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Kind, Object, Served};

/// `(namespace, name)`; the namespace is empty for cluster-scoped kinds.
pub type Key = (String, String);

pub fn key_of(meta: &ObjectMeta) -> Key {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

/// ADDED / MODIFIED / DELETED, as a watch reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

/// One change to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchEvent {
    pub type_: WatchEventType,
    pub kind: Kind,
    pub key: Key,
    /// The store's resourceVersion after this change.
    pub resource_version: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// kind → namespace → name → object: lookups borrow, and listing keeps
    /// namespace/name order.
    objects: BTreeMap<Kind, BTreeMap<String, BTreeMap<String, Object>>>,
    resource_version: u64,
    log: Vec<WatchEvent>,
    /// Events by what makes two of them "the same" (see [`event_identity`]),
    /// so recording one does not scan them all.
    events_by_identity: HashMap<String, Key>,
}

/// What the event recorder compares to fold a repeat into an existing Event:
/// namespace, involved object, type, reason, message and source.
pub fn event_identity(event: &Event) -> String {
    let o = &event.involved_object;
    [
        event.metadata.namespace.as_deref(),
        o.uid.as_deref(),
        o.kind.as_deref(),
        o.name.as_deref(),
        event.type_.as_deref(),
        event.reason.as_deref(),
        event.message.as_deref(),
        event.source.as_ref().and_then(|s| s.component.as_deref()),
    ]
    .map(|part| part.unwrap_or(""))
    .join("\u{0}")
}

macro_rules! typed_access {
    ($variant:ident, $ty:ty, $list:ident, $put:ident) => {
        pub fn $list(&self) -> impl Iterator<Item = &$ty> {
            self.list(Kind::$variant).filter_map(|o| <$ty>::of(o))
        }

        pub fn $put(&mut self, object: $ty) {
            self.put(Object::$variant(object));
        }
    };
}

impl Store {
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.objects.get(&kind)?.get(namespace)?.get(name)
    }

    /// The stored object with the same kind, namespace and name as `like`.
    pub fn get_like(&self, like: &Object) -> Option<&Object> {
        self.get(like.kind(), like.namespace(), like.name())
    }

    /// Every object of `kind`, in namespace/name order.
    pub fn list(&self, kind: Kind) -> impl Iterator<Item = &Object> {
        self.objects
            .get(&kind)
            .into_iter()
            .flat_map(|namespaces| namespaces.values())
            .flat_map(|names| names.values())
    }

    /// Writes `object`, stamping a new resourceVersion as every etcd write does.
    pub fn put(&mut self, mut object: Object) {
        self.resource_version += 1;
        object.metadata_mut().resource_version = Some(self.resource_version.to_string());
        let kind = object.kind();
        let key = key_of(object.metadata());
        if let Object::Event(event) = &object {
            self.events_by_identity
                .insert(event_identity(event), key.clone());
        }
        let previous = self
            .objects
            .entry(kind)
            .or_default()
            .entry(key.0.clone())
            .or_default()
            .insert(key.1.clone(), object);
        let type_ = match previous {
            Some(_) => WatchEventType::Modified,
            None => WatchEventType::Added,
        };
        self.record(type_, kind, key);
    }

    pub fn remove(&mut self, kind: Kind, namespace: &str, name: &str) -> Option<Object> {
        let names = self.objects.get_mut(&kind)?.get_mut(namespace)?;
        let removed = names.remove(name)?;
        if names.is_empty() {
            if let Some(namespaces) = self.objects.get_mut(&kind) {
                namespaces.remove(namespace);
            }
        }
        let key = (namespace.to_string(), name.to_string());
        if let Object::Event(event) = &removed {
            self.events_by_identity.remove(&event_identity(event));
        }
        self.resource_version += 1;
        self.record(WatchEventType::Deleted, kind, key);
        Some(removed)
    }

    fn record(&mut self, type_: WatchEventType, kind: Kind, key: Key) {
        self.log.push(WatchEvent {
            type_,
            kind,
            key,
            resource_version: self.resource_version,
        });
    }

    /// The changes made after `resource_version`, oldest first.
    pub fn events_since(&self, resource_version: u64) -> &[WatchEvent] {
        let start = self
            .log
            .partition_point(|e| e.resource_version <= resource_version);
        &self.log[start..]
    }

    typed_access!(Namespace, Namespace, namespaces, put_namespace);
    typed_access!(Node, Node, nodes, put_node);
    typed_access!(DaemonSet, DaemonSet, daemonsets, put_daemonset);
    typed_access!(Pod, Pod, pods, put_pod);
    typed_access!(
        PriorityClass,
        PriorityClass,
        priority_classes,
        put_priority_class
    );

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.get(Kind::Namespace, "", name)
            .and_then(|o| Namespace::of(o))
    }

    pub fn node(&self, name: &str) -> Option<&Node> {
        self.get(Kind::Node, "", name).and_then(|o| Node::of(o))
    }

    pub fn daemonset(&self, key: &Key) -> Option<&DaemonSet> {
        self.get(Kind::DaemonSet, &key.0, &key.1)
            .and_then(|o| DaemonSet::of(o))
    }

    pub fn pod(&self, key: &Key) -> Option<&Pod> {
        self.get(Kind::Pod, &key.0, &key.1).and_then(|o| Pod::of(o))
    }

    pub fn priority_class(&self, name: &str) -> Option<&PriorityClass> {
        self.get(Kind::PriorityClass, "", name)
            .and_then(|o| PriorityClass::of(o))
    }

    /// The stored Event the same as `event` (same identity), if any.
    pub fn same_event(&self, event: &Event) -> Option<&Event> {
        let key = self.events_by_identity.get(&event_identity(event))?;
        self.get(Kind::Event, &key.0, &key.1)
            .and_then(|o| Event::of(o))
    }

    pub fn remove_pod(&mut self, key: &Key) -> Option<Pod> {
        match self.remove(Kind::Pod, &key.0, &key.1)? {
            Object::Pod(pod) => Some(pod),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some(name.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn writes_are_watch_events_with_increasing_versions() {
        let mut store = Store::default();
        store.put_node(node("a"));
        store.put_node(node("a"));
        store.remove(Kind::Node, "", "a");
        let types: Vec<_> = store.events_since(0).iter().map(|e| e.type_).collect();
        assert_eq!(
            types,
            [
                WatchEventType::Added,
                WatchEventType::Modified,
                WatchEventType::Deleted
            ]
        );
        assert_eq!(store.events_since(2).len(), 1);
        assert_eq!(store.resource_version(), 3);
    }
}
