//! Pods (`pkg/registry/core/pod/strategy.go`) and the admission plugins that
//! act on them: ServiceAccount, Priority, DefaultTolerationSeconds, and
//! RuntimeClass (in `runtime_class`).

use k8s_openapi::api::core::v1::{
    Container, KeyToPath, ObjectFieldSelector, Pod, PodSpec, PodStatus, ProjectedVolumeSource,
    ServiceAccountTokenProjection, Toleration, Volume, VolumeMount, VolumeProjection,
};

use super::runtime_class::admit_runtime_class;
use super::{Context, Strategy};
use crate::api::defaults::{default_pod_only, default_pod_spec};
use crate::api::errors::{ApiError, Reason};
use crate::api::ids::Ids;
use crate::api::quantity::Quantity;
use crate::api::store::Store;
use crate::api::validation::{validate_pod, FieldError};
use crate::api::Kind;

impl Strategy for Pod {
    fn default(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        default_pod_spec(spec);
        default_pod_only(spec);
    }

    fn admit(&mut self, store: &Store, ids: &mut Ids) -> Result<(), ApiError> {
        admit_pod(store, self, ids)
    }

    fn prepare_for_create(&mut self, _ctx: &Context) {
        let qos = qos_class(self.spec.as_ref().unwrap_or(&PodSpec::default())).to_string();
        self.status = Some(PodStatus {
            phase: Some("Pending".to_string()),
            qos_class: Some(qos),
            ..Default::default()
        });
    }

    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        self.status = old.status.clone();
    }

    fn validate(&self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_pod(self, errors);
    }
}

/// `v1qos.GetPodQOS`: BestEffort without any cpu or memory request or limit,
/// Guaranteed when every container (init containers too) limits both and
/// requests what it limits (requests default to limits), else Burstable.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let containers: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &containers {
        let resources = c.resources.clone().unwrap_or_default();
        let requests = resources.requests.unwrap_or_default();
        let limits = resources.limits.unwrap_or_default();
        any |= requests
            .keys()
            .chain(limits.keys())
            .any(|k| k == "cpu" || k == "memory");
        for resource in ["cpu", "memory"] {
            let limit = limits
                .get(resource)
                .and_then(|q| Quantity::parse(&q.0).ok());
            let request = requests
                .get(resource)
                .and_then(|q| Quantity::parse(&q.0).ok())
                .or(limit);
            if limit.is_none() || limit != request {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        (true, false) => "Burstable",
    }
}

/// The name a pod is known by in admission errors: its name, or its generateName.
fn pod_display_name(pod: &Pod) -> String {
    pod.metadata
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| pod.metadata.generate_name.clone())
        .unwrap_or_default()
}

/// The ServiceAccount, Priority, DefaultTolerationSeconds and RuntimeClass
/// admission plugins, in the API server's order.
fn admit_pod(store: &Store, pod: &mut Pod, ids: &mut Ids) -> Result<(), ApiError> {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let forbidden = |pod: &Pod, why: String| {
        ApiError::new(
            Reason::Forbidden,
            format!("pods \"{}\" is forbidden: {why}", pod_display_name(pod)),
        )
    };
    let spec = pod.spec.clone().unwrap_or_default();
    // ServiceAccount: the account must exist; its token is mounted.
    let account = spec
        .service_account_name
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string());
    if store
        .get(Kind::ServiceAccount, &namespace, &account)
        .is_none()
    {
        return Err(forbidden(
            pod,
            format!(
                "error looking up service account {namespace}/{account}: serviceaccount \"{account}\" not found"
            ),
        ));
    }
    // Priority: from the named class, else 0.
    let (priority, policy) = match spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        Some(name) => match store.priority_class(name) {
            Some(class) => (
                class.value.unwrap_or(0),
                class
                    .preemption_policy
                    .clone()
                    .unwrap_or_else(|| "PreemptLowerPriority".to_string()),
            ),
            None => {
                return Err(forbidden(
                    pod,
                    format!("no PriorityClass with name {name} was found"),
                ))
            }
        },
        None => (0, "PreemptLowerPriority".to_string()),
    };
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.service_account_name = Some(account.clone());
    spec.service_account = Some(account);
    spec.priority = Some(priority);
    spec.preemption_policy.get_or_insert(policy);
    if spec.automount_service_account_token != Some(false) {
        mount_service_account_token(spec, ids);
    }
    add_default_toleration_seconds(spec.tolerations.get_or_insert_with(Vec::new));
    admit_runtime_class(store, pod).map_err(|why| forbidden(pod, why))
}

/// The projected `kube-api-access-xxxxx` volume and its mount in every container.
fn mount_service_account_token(spec: &mut k8s_openapi::api::core::v1::PodSpec, ids: &mut Ids) {
    let name = ids.generate_name("kube-api-access-");
    let mount = VolumeMount {
        name: name.clone(),
        mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".to_string(),
        read_only: Some(true),
        ..Default::default()
    };
    for container in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        container
            .volume_mounts
            .get_or_insert_with(Vec::new)
            .push(mount.clone());
    }
    let sources = vec![
        VolumeProjection {
            service_account_token: Some(ServiceAccountTokenProjection {
                expiration_seconds: Some(3607),
                path: "token".to_string(),
                ..Default::default()
            }),
            ..Default::default()
        },
        VolumeProjection {
            config_map: Some(k8s_openapi::api::core::v1::ConfigMapProjection {
                name: "kube-root-ca.crt".to_string(),
                items: Some(vec![KeyToPath {
                    key: "ca.crt".to_string(),
                    path: "ca.crt".to_string(),
                    mode: None,
                }]),
                optional: None,
            }),
            ..Default::default()
        },
        VolumeProjection {
            downward_api: Some(k8s_openapi::api::core::v1::DownwardAPIProjection {
                items: Some(vec![k8s_openapi::api::core::v1::DownwardAPIVolumeFile {
                    field_ref: Some(ObjectFieldSelector {
                        api_version: Some("v1".to_string()),
                        field_path: "metadata.namespace".to_string(),
                    }),
                    path: "namespace".to_string(),
                    ..Default::default()
                }]),
            }),
            ..Default::default()
        },
    ];
    spec.volumes.get_or_insert_with(Vec::new).push(Volume {
        name,
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(sources),
        }),
        ..Default::default()
    });
}

/// `DefaultTolerationSeconds`: 300 s for not-ready and unreachable, unless tolerated.
fn add_default_toleration_seconds(tolerations: &mut Vec<Toleration>) {
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = tolerations.iter().any(|t| {
            let k = t.key.as_deref().unwrap_or("");
            let e = t.effect.as_deref().unwrap_or("");
            (k.is_empty() || k == key) && (e.is_empty() || e == "NoExecute")
        });
        if !tolerated {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
}
