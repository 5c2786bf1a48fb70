//! The API server's side: objects as `k8s-openapi` types, decoding YAML into them,
//! validation and defaulting, and the object store.

pub mod custom;
pub mod decode;
pub mod defaults;
pub mod errors;
pub mod eviction;
pub mod ids;
pub mod locate;
pub mod logs;
pub mod names;
pub mod patch;
pub mod patch_diff;
pub mod quantity;
pub mod registry;
pub mod schema;
pub mod server;
pub mod store;
pub mod validation;

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
    ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume,
    PersistentVolumeClaim, Pod, PodTemplate, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::node::v1::RuntimeClass;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::{CSIDriver, CSINode, StorageClass, VolumeAttachment};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService;
use k8s_openapi::{Metadata, Resource};

use self::custom::{CustomKind, CustomObject};
use self::decode::{decode_strict, Decoded, TypeError};
use self::registry::{Context, Strategy};
use self::store::Store;
use self::validation::FieldError;

/// Go's encoder writes a whole float without a fraction (`maximum: 10`, not
/// `10.0`), and clients read it back as an integer.
fn go_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15)
            {
                // Exact: a whole float below 2^53 converts without loss.
                *value = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(go_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(go_numbers),
        _ => {}
    }
}

/// Declares the kinds daemonlab serves: `Kind`, the `Object` enum holding one
/// object of any of them, and what the API server knows about each. Kinds that
/// CustomResourceDefinitions add are `Kind::Custom`.
macro_rules! served_kinds {
    ($($variant:ident: $ty:ty, namespaced: $namespaced:literal, short: [$($short:literal),*], categories: [$($category:literal),*];)*) => {
        /// A kind the simulated API server serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $($variant,)*
            /// A kind a CustomResourceDefinition registered.
            Custom(CustomKind),
        }

        /// One object of a served kind. Boxed, so that every stored object
        /// takes its own size and not that of the largest kind.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $($variant(Box<$ty>),)*
            Custom(Box<CustomObject>),
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
            /// The built-in kinds (custom kinds are found through the store).
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            /// `DaemonSet`
            pub fn name(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::KIND,)* Kind::Custom(c) => c.kind }
            }

            /// `apps/v1`
            pub fn api_version(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::API_VERSION,)* Kind::Custom(c) => c.api_version }
            }

            /// `apps`, or empty for the core group.
            pub fn group(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::GROUP,)* Kind::Custom(c) => c.group }
            }

            /// `daemonsets`
            pub fn plural(self) -> &'static str {
                match self { $(Kind::$variant => <$ty as Resource>::URL_PATH_SEGMENT,)* Kind::Custom(c) => c.plural }
            }

            pub fn namespaced(self) -> bool {
                match self { $(Kind::$variant => $namespaced,)* Kind::Custom(c) => c.namespaced }
            }

            /// kubectl's short names, e.g. `ds`.
            pub fn short_names(self) -> &'static [&'static str] {
                match self { $(Kind::$variant => &[$($short),*],)* Kind::Custom(c) => c.short_names }
            }

            /// The categories the kind belongs to (`all` for `kubectl get all`).
            pub fn categories(self) -> &'static [&'static str] {
                match self { $(Kind::$variant => &[$($category),*],)* Kind::Custom(c) => c.categories }
            }

            /// Decodes JSON as an object of this kind, strictly (unknown fields
            /// are reported). A custom kind is read against its CRD's schema.
            pub fn decode(self, json: &serde_json::Value, store: &Store) -> Result<Decoded, TypeError> {
                Ok(match self {
                    $(Kind::$variant => {
                        let (object, unknown_fields) = decode_strict::<$ty>(json)?;
                        Decoded { object: Object::$variant(Box::new(object)), unknown_fields }
                    })*
                    Kind::Custom(kind) => {
                        let (object, unknown_fields) = CustomObject::decode(kind, json, store)?;
                        Decoded { object: Object::Custom(Box::new(object)), unknown_fields }
                    }
                })
            }

            /// The built-in kind a manifest's `apiVersion` and `kind` name.
            /// [`Store::lookup_kind`] also knows the custom kinds.
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
                match self { $(Object::$variant(_) => Kind::$variant,)* Object::Custom(o) => Kind::Custom(o.kind) }
            }

            pub fn metadata(&self) -> &ObjectMeta {
                match self { $(Object::$variant(o) => o.metadata(),)* Object::Custom(o) => &o.metadata }
            }

            pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$variant(o) => o.metadata_mut(),)* Object::Custom(o) => &mut o.metadata }
            }

            /// The object as the API serves it in JSON.
            pub fn to_json(&self) -> serde_json::Value {
                let json = match self { $(Object::$variant(o) => serde_json::to_value(o),)* Object::Custom(o) => Ok(o.to_json()) };
                // These types always serialize: string keys, no non-finite floats.
                let mut json = json.unwrap_or_default();
                go_numbers(&mut json);
                json
            }

            /// The kind's defaulters.
            pub(crate) fn default(&mut self) {
                match self { $(Object::$variant(o) => Strategy::default(o.as_mut()),)* Object::Custom(o) => Strategy::default(o.as_mut()) }
            }

            /// The admission plugins that act on the kind.
            pub(crate) fn admit(&mut self, store: &Store, ids: &mut ids::Ids) -> Result<(), errors::ApiError> {
                match self { $(Object::$variant(o) => o.admit(store, ids),)* Object::Custom(o) => o.admit(store, ids) }
            }

            /// The registry's `PrepareForCreate`.
            pub(crate) fn prepare_for_create(&mut self, ctx: &Context) {
                match self { $(Object::$variant(o) => o.prepare_for_create(ctx),)* Object::Custom(o) => o.prepare_for_create(ctx) }
            }

            /// The registry's `PrepareForUpdate` against the stored object.
            pub(crate) fn prepare_for_update(&mut self, old: &Object, ctx: &Context) {
                match (self, old) {
                    $((Object::$variant(o), Object::$variant(old)) => o.prepare_for_update(old, ctx),)*
                    (Object::Custom(o), Object::Custom(old)) => o.prepare_for_update(old, ctx),
                    _ => {}
                }
            }

            /// `ValidateObjectMeta` and the kind's `Validate`.
            pub(crate) fn validate(&self, ctx: &Context) -> Vec<FieldError> {
                match self { $(Object::$variant(o) => registry::validate(o.as_ref(), ctx),)* Object::Custom(o) => registry::validate(o.as_ref(), ctx) }
            }

            /// The kind's `ValidateUpdate` against the stored object.
            pub(crate) fn validate_update(&self, old: &Object, ctx: &Context) -> Vec<FieldError> {
                match (self, old) {
                    $((Object::$variant(o), Object::$variant(old)) => registry::validate_update(o.as_ref(), old, ctx),)*
                    (Object::Custom(o), Object::Custom(old)) => registry::validate_update(o.as_ref(), old, ctx),
                    _ => self.validate(ctx),
                }
            }
        }
    };
}

served_kinds! {
    APIService: APIService, namespaced: false, short: [], categories: ["api-extensions"];
    CSIDriver: CSIDriver, namespaced: false, short: [], categories: [];
    CSINode: CSINode, namespaced: false, short: [], categories: [];
    ClusterRole: ClusterRole, namespaced: false, short: [], categories: [];
    ClusterRoleBinding: ClusterRoleBinding, namespaced: false, short: [], categories: [];
    ConfigMap: ConfigMap, namespaced: true, short: ["cm"], categories: [];
    ControllerRevision: ControllerRevision, namespaced: true, short: [], categories: [];
    CronJob: CronJob, namespaced: true, short: ["cj"], categories: ["all"];
    CustomResourceDefinition: CustomResourceDefinition, namespaced: false, short: ["crd", "crds"], categories: ["api-extensions"];
    DaemonSet: DaemonSet, namespaced: true, short: ["ds"], categories: ["all"];
    Deployment: Deployment, namespaced: true, short: ["deploy"], categories: ["all"];
    EndpointSlice: EndpointSlice, namespaced: true, short: [], categories: [];
    Endpoints: Endpoints, namespaced: true, short: ["ep"], categories: [];
    Event: Event, namespaced: true, short: ["ev"], categories: [];
    HorizontalPodAutoscaler: HorizontalPodAutoscaler, namespaced: true, short: ["hpa"], categories: ["all"];
    Ingress: Ingress, namespaced: true, short: ["ing"], categories: [];
    IngressClass: IngressClass, namespaced: false, short: [], categories: [];
    Job: Job, namespaced: true, short: [], categories: ["all"];
    Lease: Lease, namespaced: true, short: [], categories: [];
    LimitRange: LimitRange, namespaced: true, short: ["limits"], categories: [];
    MutatingWebhookConfiguration: MutatingWebhookConfiguration, namespaced: false, short: [], categories: ["api-extensions"];
    Namespace: Namespace, namespaced: false, short: ["ns"], categories: [];
    NetworkPolicy: NetworkPolicy, namespaced: true, short: ["netpol"], categories: [];
    Node: Node, namespaced: false, short: ["no"], categories: [];
    PersistentVolume: PersistentVolume, namespaced: false, short: ["pv"], categories: [];
    PersistentVolumeClaim: PersistentVolumeClaim, namespaced: true, short: ["pvc"], categories: [];
    Pod: Pod, namespaced: true, short: ["po"], categories: ["all"];
    PodDisruptionBudget: PodDisruptionBudget, namespaced: true, short: ["pdb"], categories: [];
    PodTemplate: PodTemplate, namespaced: true, short: [], categories: [];
    PriorityClass: PriorityClass, namespaced: false, short: ["pc"], categories: [];
    ReplicaSet: ReplicaSet, namespaced: true, short: ["rs"], categories: ["all"];
    ResourceQuota: ResourceQuota, namespaced: true, short: ["quota"], categories: [];
    Role: Role, namespaced: true, short: [], categories: [];
    RoleBinding: RoleBinding, namespaced: true, short: [], categories: [];
    RuntimeClass: RuntimeClass, namespaced: false, short: [], categories: [];
    Secret: Secret, namespaced: true, short: [], categories: [];
    Service: Service, namespaced: true, short: ["svc"], categories: ["all"];
    ServiceAccount: ServiceAccount, namespaced: true, short: ["sa"], categories: [];
    StatefulSet: StatefulSet, namespaced: true, short: ["sts"], categories: ["all"];
    StorageClass: StorageClass, namespaced: false, short: ["sc"], categories: [];
    ValidatingAdmissionPolicy: ValidatingAdmissionPolicy, namespaced: false, short: [], categories: ["api-extensions"];
    ValidatingAdmissionPolicyBinding: ValidatingAdmissionPolicyBinding, namespaced: false, short: [], categories: ["api-extensions"];
    ValidatingWebhookConfiguration: ValidatingWebhookConfiguration, namespaced: false, short: [], categories: ["api-extensions"];
    VolumeAttachment: VolumeAttachment, namespaced: false, short: [], categories: [];
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
