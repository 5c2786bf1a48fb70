//! The object store (etcd behind the API server). Objects are kept per kind in
//! name order, which is also the order `kubectl get` lists them in.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Object;

/// `(namespace, name)` of a namespaced object.
pub type Key = (String, String);

pub fn key_of(meta: &ObjectMeta) -> Key {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    namespaces: BTreeMap<String, Namespace>,
    nodes: BTreeMap<String, Node>,
    daemonsets: BTreeMap<Key, DaemonSet>,
    pods: BTreeMap<Key, Pod>,
    priority_classes: BTreeMap<String, PriorityClass>,
    resource_version: u64,
}

impl Store {
    /// Stamps a new `resourceVersion`, as every write to etcd does.
    fn stamp(&mut self, meta: &mut ObjectMeta) {
        self.resource_version += 1;
        meta.resource_version = Some(self.resource_version.to_string());
    }

    /// The stored object with the same kind, namespace and name as `like`.
    pub fn get(&self, like: &Object) -> Option<Object> {
        let name = like.name();
        match like {
            Object::Namespace(_) => self.namespace(name).cloned().map(Object::Namespace),
            Object::Node(_) => self.node(name).cloned().map(Object::Node),
            Object::DaemonSet(o) => self
                .daemonset(&key_of(&o.metadata))
                .cloned()
                .map(Object::DaemonSet),
            Object::Pod(o) => self.pod(&key_of(&o.metadata)).cloned().map(Object::Pod),
            Object::PriorityClass(_) => self
                .priority_class(name)
                .cloned()
                .map(Object::PriorityClass),
        }
    }

    pub fn put(&mut self, object: Object) {
        match object {
            Object::Namespace(o) => self.put_namespace(o),
            Object::Node(o) => self.put_node(o),
            Object::DaemonSet(o) => self.put_daemonset(o),
            Object::Pod(o) => self.put_pod(o),
            Object::PriorityClass(o) => self.put_priority_class(o),
        }
    }

    pub fn namespaces(&self) -> impl Iterator<Item = &Namespace> {
        self.namespaces.values()
    }
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.get(name)
    }
    pub fn put_namespace(&mut self, mut namespace: Namespace) {
        self.stamp(&mut namespace.metadata);
        let name = namespace.metadata.name.clone().unwrap_or_default();
        self.namespaces.insert(name, namespace);
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.get(name)
    }
    pub fn put_node(&mut self, mut node: Node) {
        self.stamp(&mut node.metadata);
        let name = node.metadata.name.clone().unwrap_or_default();
        self.nodes.insert(name, node);
    }

    pub fn daemonsets(&self) -> impl Iterator<Item = &DaemonSet> {
        self.daemonsets.values()
    }
    pub fn daemonset(&self, key: &Key) -> Option<&DaemonSet> {
        self.daemonsets.get(key)
    }
    pub fn put_daemonset(&mut self, mut ds: DaemonSet) {
        self.stamp(&mut ds.metadata);
        self.daemonsets.insert(key_of(&ds.metadata), ds);
    }

    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.pods.values()
    }
    pub fn pod(&self, key: &Key) -> Option<&Pod> {
        self.pods.get(key)
    }
    pub fn put_pod(&mut self, mut pod: Pod) {
        self.stamp(&mut pod.metadata);
        self.pods.insert(key_of(&pod.metadata), pod);
    }
    pub fn remove_pod(&mut self, key: &Key) -> Option<Pod> {
        self.pods.remove(key)
    }

    pub fn priority_classes(&self) -> impl Iterator<Item = &PriorityClass> {
        self.priority_classes.values()
    }
    pub fn priority_class(&self, name: &str) -> Option<&PriorityClass> {
        self.priority_classes.get(name)
    }
    pub fn put_priority_class(&mut self, mut class: PriorityClass) {
        self.stamp(&mut class.metadata);
        let name = class.metadata.name.clone().unwrap_or_default();
        self.priority_classes.insert(name, class);
    }
}
