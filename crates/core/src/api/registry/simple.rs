//! Kinds whose registry does nothing beyond `ValidateObjectMeta`, or beyond
//! keeping a controller's status out of reach of writes to the main resource.
//! The simulation stores, lists, describes and deletes them; no controller acts
//! on them (webhooks are never called, quotas and limits are not enforced,
//! network policies do not filter anything).

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
    ValidatingWebhookConfiguration,
};
use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    Endpoints, Event, LimitRange, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimStatus, PersistentVolumeStatus, PodTemplate, ResourceQuota,
    ServiceAccount,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::{CSIDriver, CSINode, StorageClass, VolumeAttachment};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{immutable, Context, Strategy};
use crate::api::validation::{validate_object_meta, FieldError};

macro_rules! metadata_only {
    ($($ty:ty),*) => { $(impl Strategy for $ty {})* };
}

metadata_only!(
    ControllerRevision,
    Endpoints,
    EndpointSlice,
    Event,
    IngressClass,
    Lease,
    LimitRange,
    NetworkPolicy,
    PodTemplate,
    ServiceAccount,
    CSINode,
    ValidatingAdmissionPolicyBinding
);

/// Status belongs to a controller: cleared on create, kept on update.
macro_rules! status_kept_only {
    ($($ty:ty),*) => {
        $(impl Strategy for $ty {
            status_kept!();
        })*
    };
}

status_kept_only!(
    Ingress,
    ResourceQuota,
    ValidatingAdmissionPolicy,
    VolumeAttachment
);

/// Volumes and claims start `Pending`: `PrepareForCreate` clears the status
/// and the defaulters, run again as the object is read back, set the phase.
macro_rules! status_pending {
    ($($ty:ty: $status:ty),*) => {
        $(impl Strategy for $ty {
            fn prepare_for_create(&mut self, _ctx: &Context) {
                self.status = Some(<$status>::default());
                if let Some(status) = self.status.as_mut() {
                    status.phase = Some("Pending".to_string());
                }
            }

            fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
                self.status = old.status.clone();
            }
        })*
    };
}

status_pending!(
    PersistentVolume: PersistentVolumeStatus,
    PersistentVolumeClaim: PersistentVolumeClaimStatus
);

impl Strategy for PodDisruptionBudget {
    spec_and_status!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, ctx.namespaced, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        if spec.min_available.is_some() && spec.max_unavailable.is_some() {
            errors.push(FieldError::invalid(
                "spec",
                crate::api::validation::Rendered::json(&spec),
                "minAvailable and maxUnavailable cannot be both set",
            ));
        }
        for (value, field) in [
            (&spec.min_available, "spec.minAvailable"),
            (&spec.max_unavailable, "spec.maxUnavailable"),
        ] {
            if let Some(value) = value {
                crate::api::validation::validate_int_or_percent(value, field, errors);
                crate::api::validation::not_more_than_100_percent(value, field, errors);
            }
        }
        if let Some(selector) = &spec.selector {
            crate::api::validation::validate_label_selector(selector, "spec.selector", errors);
        }
    }
}

impl Strategy for StorageClass {
    fn default(&mut self) {
        self.reclaim_policy
            .get_or_insert_with(|| "Delete".to_string());
        self.volume_binding_mode
            .get_or_insert_with(|| "Immediate".to_string());
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        immutable(&self.parameters, &old.parameters, "parameters", errors);
        immutable(&self.provisioner, &old.provisioner, "provisioner", errors);
        immutable(
            &self.reclaim_policy,
            &old.reclaim_policy,
            "reclaimPolicy",
            errors,
        );
        immutable(
            &self.volume_binding_mode,
            &old.volume_binding_mode,
            "volumeBindingMode",
            errors,
        );
    }
}

impl Strategy for CSIDriver {
    fn default(&mut self) {
        let spec = &mut self.spec;
        spec.attach_required.get_or_insert(true);
        spec.pod_info_on_mount.get_or_insert(false);
        spec.storage_capacity.get_or_insert(false);
        spec.fs_group_policy
            .get_or_insert_with(|| "ReadWriteOnceWithFSType".to_string());
        spec.requires_republish.get_or_insert(false);
        spec.se_linux_mount.get_or_insert(false);
        spec.volume_lifecycle_modes
            .get_or_insert_with(|| vec!["Persistent".to_string()]);
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        immutable(
            &self.spec.attach_required,
            &old.spec.attach_required,
            "spec.attachRequired",
            errors,
        );
    }
}

/// `SetDefaults_ValidatingWebhook` / `SetDefaults_MutatingWebhook` share these.
macro_rules! default_webhook {
    ($webhook:expr) => {{
        let webhook = $webhook;
        webhook
            .failure_policy
            .get_or_insert_with(|| "Fail".to_string());
        webhook
            .match_policy
            .get_or_insert_with(|| "Equivalent".to_string());
        webhook
            .namespace_selector
            .get_or_insert_with(LabelSelector::default);
        webhook
            .object_selector
            .get_or_insert_with(LabelSelector::default);
        webhook.timeout_seconds.get_or_insert(10);
        if let Some(service) = webhook.client_config.service.as_mut() {
            service.port.get_or_insert(443);
        }
        for rule in webhook.rules.iter_mut().flatten() {
            rule.scope.get_or_insert_with(|| "*".to_string());
        }
    }};
}

impl Strategy for ValidatingWebhookConfiguration {
    fn default(&mut self) {
        for webhook in self.webhooks.iter_mut().flatten() {
            default_webhook!(&mut *webhook);
        }
    }
}

impl Strategy for MutatingWebhookConfiguration {
    fn default(&mut self) {
        for webhook in self.webhooks.iter_mut().flatten() {
            default_webhook!(&mut *webhook);
            webhook
                .reinvocation_policy
                .get_or_insert_with(|| "Never".to_string());
        }
    }
}
