//! The object store (etcd behind the API server). Objects are kept per kind in
//! namespace/name order, which is also the order `kubectl get` lists them in.
//! Every write is recorded as a watch event that controllers and the UI read.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionVersion, JSONSchemaProps,
};

use super::custom::CustomKind;
use super::registry::{self, custom_kind_of};
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
    /// What a deleted object was, for readers that can no longer look it up.
    pub deleted: Option<Deleted>,
}

/// What the log keeps of a deleted object: its uid (to find its dependents),
/// its controller's uid and, for a pod, the node it was bound to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    pub uid: Option<String>,
    pub controller: Option<String>,
    pub node: Option<String>,
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
    /// Pods by the node they are bound to ("" while unscheduled), so work on one
    /// node does not look at every pod.
    pods_by_node: HashMap<String, BTreeSet<Key>>,
    /// The last event-name stamp used per (namespace, object name).
    event_stamps: HashMap<Key, u64>,
    /// Objects by the uid of each owner they reference.
    dependents: HashMap<String, BTreeSet<(Kind, Key)>>,
    /// Pods without a controller, which a controller may adopt.
    orphan_pods: BTreeSet<Key>,
}

/// What the event recorder compares to fold a repeat into an existing Event:
/// namespace, involved object (with the field path), type, reason, message
/// and source, as `getEventKey` does.
pub fn event_identity(event: &Event) -> String {
    let o = &event.involved_object;
    [
        event.metadata.namespace.as_deref(),
        o.uid.as_deref(),
        o.kind.as_deref(),
        o.name.as_deref(),
        o.field_path.as_deref(),
        event.type_.as_deref(),
        event.reason.as_deref(),
        event.message.as_deref(),
        event.source.as_ref().and_then(|s| s.component.as_deref()),
    ]
    .map(|part| part.unwrap_or(""))
    .join("\u{0}")
}

/// The uid of the object's controller (the owner reference with `controller: true`).
pub fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// Where an object is indexed besides its kind, namespace and name.
struct IndexEntries {
    node: Option<String>,
    orphan_pod: bool,
    owners: Vec<String>,
}

fn index_entries(object: &Object) -> IndexEntries {
    let meta = object.metadata();
    let pod = Pod::of(object);
    IndexEntries {
        node: pod.map(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default()
        }),
        orphan_pod: pod.is_some() && controller_uid(meta).is_none(),
        owners: meta
            .owner_references
            .iter()
            .flatten()
            .map(|r| r.uid.clone())
            .collect(),
    }
}

macro_rules! typed_access {
    ($variant:ident, $ty:ty, $list:ident, $put:ident) => {
        pub fn $list(&self) -> impl Iterator<Item = &$ty> {
            self.list(Kind::$variant).filter_map(|o| <$ty>::of(o))
        }

        pub fn $put(&mut self, object: $ty) {
            self.put(Object::from(object));
        }
    };
}

impl Store {
    /// The kinds the served CustomResourceDefinitions register, with their CRDs.
    pub fn custom_kinds(&self) -> impl Iterator<Item = (CustomKind, &CustomResourceDefinition)> {
        self.list(Kind::CustomResourceDefinition)
            .filter_map(CustomResourceDefinition::of)
            .filter_map(|crd| Some((custom_kind_of(crd)?, crd)))
    }

    /// Every kind served: the built-in ones, then the custom ones.
    pub fn kinds(&self) -> impl Iterator<Item = Kind> + '_ {
        Kind::ALL
            .iter()
            .copied()
            .chain(self.custom_kinds().map(|(kind, _)| Kind::Custom(kind)))
    }

    /// The served kind a manifest's `apiVersion` and `kind` name, custom kinds
    /// included (at any version their CRD serves).
    pub fn lookup_kind(&self, api_version: &str, kind: &str) -> Option<Kind> {
        Kind::lookup(api_version, kind)
            .or_else(|| {
                Kind::ALL.iter().copied().find(|k| {
                    k.name() == kind && registry::other_versions(*k).contains(&api_version)
                })
            })
            .or_else(|| {
                let (group, version) = api_version.split_once('/')?;
                self.custom_kinds()
                    .find(|(k, _)| {
                        k.group == group && k.kind == kind && k.versions.contains(&version)
                    })
                    .map(|(k, _)| Kind::Custom(k))
            })
    }

    /// The version of a custom kind's CRD named `version`.
    pub fn custom_version(
        &self,
        kind: CustomKind,
        version: &str,
    ) -> Option<&CustomResourceDefinitionVersion> {
        let name = format!("{}.{}", kind.plural, kind.group);
        let crd =
            CustomResourceDefinition::of(self.get(Kind::CustomResourceDefinition, "", &name)?)?;
        crd.spec.versions.iter().find(|v| v.name == version)
    }

    /// The structural schema a custom kind's objects follow at `version`.
    pub fn custom_schema(&self, kind: CustomKind, version: &str) -> Option<&JSONSchemaProps> {
        self.custom_version(kind, version)?
            .schema
            .as_ref()?
            .open_api_v3_schema
            .as_ref()
    }

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

    /// How many objects of `kind` there are.
    pub fn count(&self, kind: Kind) -> usize {
        self.objects
            .get(&kind)
            .map_or(0, |namespaces| namespaces.values().map(BTreeMap::len).sum())
    }

    /// Every object of `kind` in `namespace`, in name order.
    pub fn list_namespace(&self, kind: Kind, namespace: &str) -> impl Iterator<Item = &Object> {
        self.objects
            .get(&kind)
            .and_then(|namespaces| namespaces.get(namespace))
            .into_iter()
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
        let type_ = match &previous {
            Some(_) => WatchEventType::Modified,
            None => WatchEventType::Added,
        };
        if let Some(previous) = &previous {
            self.unindex(previous, &key);
        }
        if let Some(stored) = self.get(kind, &key.0, &key.1) {
            let entries = index_entries(stored);
            self.index(kind, &key, entries);
        }
        self.record(type_, kind, key, None);
    }

    fn index(&mut self, kind: Kind, key: &Key, entries: IndexEntries) {
        if let Some(node) = entries.node {
            self.pods_by_node
                .entry(node)
                .or_default()
                .insert(key.clone());
        }
        if entries.orphan_pod {
            self.orphan_pods.insert(key.clone());
        }
        for owner in entries.owners {
            self.dependents
                .entry(owner)
                .or_default()
                .insert((kind, key.clone()));
        }
    }

    fn unindex(&mut self, object: &Object, key: &Key) {
        let entries = index_entries(object);
        if let Some(node) = entries.node {
            if let Some(keys) = self.pods_by_node.get_mut(&node) {
                keys.remove(key);
                if keys.is_empty() {
                    self.pods_by_node.remove(&node);
                }
            }
        }
        if entries.orphan_pod {
            self.orphan_pods.remove(key);
        }
        for owner in entries.owners {
            if let Some(keys) = self.dependents.get_mut(&owner) {
                keys.remove(&(object.kind(), key.clone()));
                if keys.is_empty() {
                    self.dependents.remove(&owner);
                }
            }
        }
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
        self.unindex(&removed, &key);
        self.resource_version += 1;
        let deleted = Deleted {
            uid: removed.metadata().uid.clone(),
            controller: controller_uid(removed.metadata()).map(str::to_string),
            node: match &removed {
                Object::Pod(pod) => pod.spec.as_ref().and_then(|s| s.node_name.clone()),
                _ => None,
            },
        };
        self.record(WatchEventType::Deleted, kind, key, Some(deleted));
        Some(removed)
    }

    fn record(&mut self, type_: WatchEventType, kind: Kind, key: Key, deleted: Option<Deleted>) {
        self.log.push(WatchEvent {
            type_,
            kind,
            key,
            resource_version: self.resource_version,
            deleted,
        });
    }

    /// Drops the watch events every reader has seen (those up to
    /// `resource_version`), so the log holds only what is still to be read.
    pub fn forget_events_through(&mut self, resource_version: u64) {
        let seen = self
            .log
            .partition_point(|e| e.resource_version <= resource_version);
        self.log.drain(..seen);
    }

    /// The pods bound to `node` (`""`: the unscheduled ones), in namespace/name order.
    pub fn pods_on_node<'a>(&'a self, node: &str) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods_by_node
            .get(node)
            .into_iter()
            .flatten()
            .filter_map(|key| self.pod(key))
    }

    /// Whether any pod is bound to `node`.
    pub fn node_has_pods(&self, node: &str) -> bool {
        self.pods_by_node.contains_key(node)
    }

    /// The objects with an owner reference to `uid`.
    pub fn dependents_of<'a>(&'a self, uid: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.dependents
            .get(uid)
            .into_iter()
            .flatten()
            .filter_map(|(kind, key)| self.get(*kind, &key.0, &key.1))
    }

    /// The objects of one kind that reference `uid` as an owner, so a
    /// DaemonSet reads its few revisions without passing its thousands of pods.
    pub fn dependents_of_kind<'a>(
        &'a self,
        uid: &str,
        kind: Kind,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        let first = (kind, (String::new(), String::new()));
        self.dependents
            .get(uid)
            .into_iter()
            .flat_map(move |keys| keys.range(first.clone()..))
            .take_while(move |(k, _)| *k == kind)
            .filter_map(|(kind, key)| self.get(*kind, &key.0, &key.1))
    }

    /// The pods `uid` controls (owner reference with `controller: true`).
    pub fn pods_controlled_by<'a>(&'a self, uid: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
        self.dependents_of_kind(uid, Kind::Pod)
            .filter_map(|o| Pod::of(o))
            .filter(move |pod| controller_uid(&pod.metadata) == Some(uid))
    }

    /// Pods without a controller, in namespace/name order.
    pub fn orphan_pods(&self) -> impl Iterator<Item = &Pod> {
        self.orphan_pods.iter().filter_map(|key| self.pod(key))
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

    /// client-go names an event `<object>.<nanoseconds in hex>`; events about
    /// one object in the same nanosecond take the next free number. Time only
    /// moves forward, so the stamps in use for an object end at the last one
    /// given, and the next free one is found without probing them all.
    pub fn fresh_event_name(&mut self, namespace: &str, object: &str, stamp: u64) -> String {
        let key = (namespace.to_string(), object.to_string());
        let mut stamp = match self.event_stamps.get(&key) {
            Some(last) if *last >= stamp => last + 1,
            _ => stamp,
        };
        while self
            .get(Kind::Event, namespace, &format!("{object}.{stamp:x}"))
            .is_some()
        {
            stamp += 1;
        }
        self.event_stamps.insert(key, stamp);
        format!("{object}.{stamp:x}")
    }

    /// The stored Event the same as `event` (same identity), if any.
    pub fn same_event(&self, event: &Event) -> Option<&Event> {
        let key = self.events_by_identity.get(&event_identity(event))?;
        self.get(Kind::Event, &key.0, &key.1)
            .and_then(|o| Event::of(o))
    }

    pub fn remove_pod(&mut self, key: &Key) -> Option<Pod> {
        match self.remove(Kind::Pod, &key.0, &key.1)? {
            Object::Pod(pod) => Some(*pod),
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
