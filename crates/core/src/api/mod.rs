//! The API server's side: objects as `k8s-openapi` types, decoding YAML into them,
//! and the object store.

pub mod decode;
pub mod ids;
pub mod names;
pub mod server;
pub mod store;

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// One object of a kind daemonlab serves.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    Node(Node),
    DaemonSet(DaemonSet),
    Pod(Pod),
    PriorityClass(PriorityClass),
}

impl Object {
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.metadata,
            Object::Node(o) => &o.metadata,
            Object::DaemonSet(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::PriorityClass(o) => &o.metadata,
        }
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.metadata,
            Object::Node(o) => &mut o.metadata,
            Object::DaemonSet(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::PriorityClass(o) => &mut o.metadata,
        }
    }

    /// kubectl's `<resource>.<group>` spelling, as in `daemonset.apps/fluentd created`.
    pub fn resource(&self) -> &'static str {
        match self {
            Object::Namespace(_) => "namespace",
            Object::Node(_) => "node",
            Object::DaemonSet(_) => "daemonset.apps",
            Object::Pod(_) => "pod",
            Object::PriorityClass(_) => "priorityclass.scheduling.k8s.io",
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Object::Namespace(_) => "Namespace",
            Object::Node(_) => "Node",
            Object::DaemonSet(_) => "DaemonSet",
            Object::Pod(_) => "Pod",
            Object::PriorityClass(_) => "PriorityClass",
        }
    }

    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The object as the API serves it in JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let json = match self {
            Object::Namespace(o) => serde_json::to_value(o),
            Object::Node(o) => serde_json::to_value(o),
            Object::DaemonSet(o) => serde_json::to_value(o),
            Object::Pod(o) => serde_json::to_value(o),
            Object::PriorityClass(o) => serde_json::to_value(o),
        };
        // These types serialize to JSON without fail: string keys, no non-finite floats.
        json.unwrap_or_default()
    }

    /// Reads JSON back as an object of `kind` (one of [`Object::kind`]'s names).
    pub fn from_json(kind: &str, json: serde_json::Value) -> Result<Object, serde_json::Error> {
        use serde::de::Error;
        Ok(match kind {
            "Namespace" => Object::Namespace(serde_json::from_value(json)?),
            "Node" => Object::Node(serde_json::from_value(json)?),
            "DaemonSet" => Object::DaemonSet(serde_json::from_value(json)?),
            "Pod" => Object::Pod(serde_json::from_value(json)?),
            "PriorityClass" => Object::PriorityClass(serde_json::from_value(json)?),
            other => return Err(serde_json::Error::custom(format!("unknown kind {other}"))),
        })
    }

    pub fn is_namespaced(&self) -> bool {
        matches!(self, Object::DaemonSet(_) | Object::Pod(_))
    }
}
