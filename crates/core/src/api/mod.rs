//! The API server's side: objects as `k8s-openapi` types, decoding YAML into them,
//! validation and defaulting, and the object store.

pub mod decode;
pub mod defaults;
pub mod errors;
pub mod ids;
pub mod locate;
pub mod names;
pub mod quantity;
pub mod server;
pub mod store;
pub mod validation;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{ConfigMap, Event, Namespace, Node, Pod, ServiceAccount};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};

use self::decode::{decode_strict, Decoded, TypeError};

/// Declares the kinds daemonlab serves: `Kind`, the `Object` enum holding one
/// object of any of them, and what the API server knows about each.
macro_rules! served_kinds {
    ($($variant:ident: $ty:ty, namespaced: $namespaced:literal, short: [$($short:literal),*];)*) => {
        /// A kind the simulated API server serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $($variant),*
        }

        /// One object of a served kind. Boxed, so that every stored object
        /// takes its own size and not that of the largest kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $($variant(Box<$ty>)),*
        }

        $(impl From<$ty> for Object {
            fn from(object: $ty) -> Self {
                Object::$variant(Box::new(object))
            }
        }

        impl From<Box<$ty>> for Object {
            fn from(object: Box<$ty>) -> Self {
                Object::$variant(object)
            }
        })*

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// `DaemonSet`
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::KIND),* }
            }

            /// `apps/v1`
            pub fn api_version(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::API_VERSION),* }
            }

            /// `apps`, or empty for the core group.
            pub fn group(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::GROUP),* }
            }

            /// `daemonsets`
            pub fn plural(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::URL_PATH_SEGMENT),* }
            }

            pub fn namespaced(self) -> bool {
                match self { $(Kind::$variant => $namespaced),* }
            }

            /// kubectl's short names, e.g. `ds`.
            pub fn short_names(self) -> &'static [&'static str] {
                match self { $(Kind::$variant => &[$($short),*]),* }
            }

            /// Decodes JSON as an object of this kind, strictly (unknown fields are reported).
            pub fn decode(self, json: &serde_json::Value) -> Result<Decoded, TypeError> {
                Ok(match self {
                    $(Kind::$variant => {
                        let (object, unknown_fields) = decode_strict::<$ty>(json)?;
                        Decoded { object: Object::$variant(Box::new(object)), unknown_fields }
                    }),*
                })
            }

            /// The kind a manifest's `apiVersion` and `kind` name, if it is served.
            pub fn lookup(api_version: &str, kind: &str) -> Option<Kind> {
                Kind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.api_version() == api_version && k.name() == kind)
            }
        }

        /// A served kind's Rust type, reachable inside an [`Object`].
        pub trait Served {
            fn of(object: &Object) -> Option<&Self>;
        }

        $(impl Served for $ty {
            fn of(object: &Object) -> Option<&Self> {
                match object {
                    Object::$variant(o) => Some(o),
                    _ => None,
                }
            }
        })*

        impl Object {
            pub fn kind(&self) -> Kind {
                match self { $(Object::$variant(_) => Kind::$variant),* }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self { $(Object::$variant(o) => o.metadata()),* }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$variant(o) => o.metadata_mut()),* }
            }

            /// The object as the API serves it in JSON.
            pub fn to_json(&self) -> serde_json::Value {
                let json = match self { $(Object::$variant(o) => serde_json::to_value(o)),* };
                // These types always serialize: string keys, no non-finite floats.
                json.unwrap_or_default()
            }
        }
    };
}

served_kinds! {
    ConfigMap: ConfigMap, namespaced: true, short: ["cm"];
    ControllerRevision: ControllerRevision, namespaced: true, short: [];
    DaemonSet: DaemonSet, namespaced: true, short: ["ds"];
    Event: Event, namespaced: true, short: ["ev"];
    Namespace: Namespace, namespaced: false, short: ["ns"];
    Node: Node, namespaced: false, short: ["no"];
    Pod: Pod, namespaced: true, short: ["po"];
    PriorityClass: PriorityClass, namespaced: false, short: ["pc"];
    ServiceAccount: ServiceAccount, namespaced: true, short: ["sa"];
}

impl Kind {
    /// kubectl's `<kind>.<group>` spelling, as in `daemonset.apps/fluentd created`.
    pub fn resource(self) -> String {
        let kind = self.name().to_lowercase();
        match self.group() {
            "" => kind,
            group => format!("{kind}.{group}"),
        }
    }
}

impl Object {
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.metadata().namespace.as_deref().unwrap_or("")
    }
}
