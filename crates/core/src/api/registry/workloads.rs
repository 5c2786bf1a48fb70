//! Deployments, ReplicaSets and StatefulSets (`pkg/registry/apps/*/strategy.go`),
//! Jobs and CronJobs (`pkg/registry/batch/*/strategy.go`): their defaults
//! (`pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`), the
//! selector and template checks they share with DaemonSets, and generations
//! that follow the spec.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDeployment,
    RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetUpdateStrategy,
};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{immutable, Context, Strategy};
use crate::api::defaults::default_pod_spec;
use crate::api::validation::{
    int_or_percent_value, nonnegative, not_more_than_100_percent, validate_int_or_percent,
    validate_object_meta, validate_restart_policy, validate_selector_and_template,
    validate_selector_and_template_meta, FieldError, Rendered,
};

/// Did the user write a selector? Defaulting never fills one in for these
/// kinds, but a decoded object cannot tell a missing selector from an empty one.
fn selector_given(ctx: &Context) -> bool {
    ctx.manifest
        .is_none_or(|m| m.pointer("/spec/selector").is_some_and(|s| !s.is_null()))
}

fn validate_replicas(replicas: Option<i32>, errors: &mut Vec<FieldError>) {
    nonnegative(replicas.unwrap_or(0).into(), "spec.replicas", errors);
}

fn selector_immutable(
    new: Option<&LabelSelector>,
    old: Option<&LabelSelector>,
    errors: &mut Vec<FieldError>,
) {
    immutable(&new, &old, "spec.selector", errors);
}

impl Strategy for Deployment {
    fn default(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.replicas.get_or_insert(1);
        let strategy = spec
            .strategy
            .get_or_insert_with(DeploymentStrategy::default);
        let type_ = strategy
            .type_
            .get_or_insert_with(|| "RollingUpdate".to_string());
        if type_ == "RollingUpdate" {
            let rolling = strategy
                .rolling_update
                .get_or_insert_with(RollingUpdateDeployment::default);
            rolling
                .max_unavailable
                .get_or_insert(IntOrString::String("25%".to_string()));
            rolling
                .max_surge
                .get_or_insert(IntOrString::String("25%".to_string()));
        }
        spec.revision_history_limit.get_or_insert(10);
        spec.progress_deadline_seconds.get_or_insert(600);
        default_pod_spec(spec.template.spec.get_or_insert_with(Default::default));
    }

    spec_and_status!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, true, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        validate_replicas(spec.replicas, errors);
        let selector = selector_given(ctx).then_some(&spec.selector);
        if selector.is_none() {
            errors.push(FieldError::required("spec.selector", ""));
        }
        validate_selector_and_template(selector, &spec.template, "deployment", &["Always"], errors);
        if let Some(strategy) = &spec.strategy {
            match strategy.type_.as_deref() {
                Some("Recreate") => {
                    if strategy.rolling_update.is_some() {
                        errors.push(FieldError::forbidden(
                            "spec.strategy.rollingUpdate",
                            "may not be specified when strategy `type` is 'Recreate'",
                        ));
                    }
                }
                Some("RollingUpdate") => {
                    let rolling = strategy.rolling_update.clone().unwrap_or_default();
                    let zero = IntOrString::Int(0);
                    let unavailable = rolling.max_unavailable.as_ref().unwrap_or(&zero);
                    let surge = rolling.max_surge.as_ref().unwrap_or(&zero);
                    let u = "spec.strategy.rollingUpdate.maxUnavailable";
                    let s = "spec.strategy.rollingUpdate.maxSurge";
                    validate_int_or_percent(surge, s, errors);
                    validate_int_or_percent(unavailable, u, errors);
                    if int_or_percent_value(unavailable) == 0 && int_or_percent_value(surge) == 0 {
                        errors.push(FieldError::invalid(
                            u,
                            Rendered::json(unavailable),
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                    not_more_than_100_percent(unavailable, u, errors);
                }
                other => errors.push(FieldError::not_supported(
                    "spec.strategy.type",
                    Rendered::str(other.unwrap_or("")),
                    &["Recreate", "RollingUpdate"],
                )),
            }
        }
        if let Some(limit) = spec.revision_history_limit {
            nonnegative(limit.into(), "spec.revisionHistoryLimit", errors);
        }
        nonnegative(
            spec.min_ready_seconds.unwrap_or(0).into(),
            "spec.minReadySeconds",
            errors,
        );
        if let Some(deadline) = spec.progress_deadline_seconds {
            nonnegative(deadline.into(), "spec.progressDeadlineSeconds", errors);
            if deadline <= spec.min_ready_seconds.unwrap_or(0) {
                errors.push(FieldError::invalid(
                    "spec.progressDeadlineSeconds",
                    Rendered::int(deadline.into()),
                    "must be greater than minReadySeconds",
                ));
            }
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        selector_immutable(
            self.spec.as_ref().map(|s| &s.selector),
            old.spec.as_ref().map(|s| &s.selector),
            errors,
        );
    }
}

impl Strategy for ReplicaSet {
    fn default(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.replicas.get_or_insert(1);
        let template = spec.template.get_or_insert_with(Default::default);
        default_pod_spec(template.spec.get_or_insert_with(Default::default));
    }

    spec_and_status!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, true, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        validate_replicas(spec.replicas, errors);
        nonnegative(
            spec.min_ready_seconds.unwrap_or(0).into(),
            "spec.minReadySeconds",
            errors,
        );
        let selector = selector_given(ctx).then_some(&spec.selector);
        if selector.is_none() {
            errors.push(FieldError::required("spec.selector", ""));
        }
        let template = spec.template.clone().unwrap_or_default();
        validate_selector_and_template(selector, &template, "replicaset", &["Always"], errors);
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        selector_immutable(
            self.spec.as_ref().map(|s| &s.selector),
            old.spec.as_ref().map(|s| &s.selector),
            errors,
        );
    }
}

impl Strategy for StatefulSet {
    fn default(&mut self) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.pod_management_policy
            .get_or_insert_with(|| "OrderedReady".to_string());
        let strategy = spec
            .update_strategy
            .get_or_insert_with(StatefulSetUpdateStrategy::default);
        let type_ = strategy
            .type_
            .get_or_insert_with(|| "RollingUpdate".to_string());
        if type_ == "RollingUpdate" {
            strategy
                .rolling_update
                .get_or_insert_with(RollingUpdateStatefulSetStrategy::default)
                .partition
                .get_or_insert(0);
        }
        let retention = spec
            .persistent_volume_claim_retention_policy
            .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
        retention
            .when_deleted
            .get_or_insert_with(|| "Retain".to_string());
        retention
            .when_scaled
            .get_or_insert_with(|| "Retain".to_string());
        spec.replicas.get_or_insert(1);
        spec.revision_history_limit.get_or_insert(10);
        for claim in spec.volume_claim_templates.iter_mut().flatten() {
            let claim_spec = claim.spec.get_or_insert_with(Default::default);
            claim_spec
                .volume_mode
                .get_or_insert_with(|| "Filesystem".to_string());
        }
        default_pod_spec(spec.template.spec.get_or_insert_with(Default::default));
    }

    spec_and_status!();

    fn validate(&self, ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, true, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        if let Some(policy) = spec
            .pod_management_policy
            .as_deref()
            .filter(|p| !matches!(*p, "OrderedReady" | "Parallel"))
        {
            errors.push(FieldError::invalid(
                "spec.podManagementPolicy",
                Rendered::str(policy),
                "must be 'OrderedReady' or 'Parallel'",
            ));
        }
        validate_replicas(spec.replicas, errors);
        let selector = selector_given(ctx).then_some(&spec.selector);
        if selector.is_none() {
            errors.push(FieldError::required("spec.selector", ""));
        }
        validate_selector_and_template_meta(selector, &spec.template, "statefulset", errors);
        let pod_spec = spec.template.spec.clone().unwrap_or_default();
        validate_restart_policy(&pod_spec, &["Always"], errors);
        if pod_spec.active_deadline_seconds.is_some() {
            errors.push(FieldError::forbidden(
                "spec.template.spec.activeDeadlineSeconds",
                "activeDeadlineSeconds in StatefulSet is not Supported",
            ));
        }
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        // Only these fields may change (`ValidateStatefulSetUpdate`).
        let strip = |sts: &StatefulSet| {
            let mut spec = sts.spec.clone().unwrap_or_default();
            spec.replicas = None;
            spec.ordinals = None;
            spec.template = Default::default();
            spec.update_strategy = None;
            spec.persistent_volume_claim_retention_policy = None;
            spec.min_ready_seconds = None;
            spec
        };
        if strip(self) != strip(old) {
            errors.push(FieldError::forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            ));
        }
    }
}

fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    spec.backoff_limit.get_or_insert(6);
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".to_string());
    spec.suspend.get_or_insert(false);
    if spec.pod_failure_policy.is_none() {
        spec.pod_replacement_policy
            .get_or_insert_with(|| "TerminatingOrFailed".to_string());
    }
    spec.manual_selector.get_or_insert(false);
    default_pod_spec(spec.template.spec.get_or_insert_with(Default::default));
}

/// What a Job's pods may do when a container exits.
const JOB_RESTART_POLICIES: &[&str] = &["OnFailure", "Never"];

impl Strategy for Job {
    fn default(&mut self) {
        default_job_spec(self.spec.get_or_insert_with(Default::default));
    }

    /// Jobs get a generated selector on the job's uid (`generateSelector`).
    fn prepare_for_create(&mut self, _ctx: &Context) {
        self.metadata.generation = Some(1);
        self.status = None;
        let uid = self.metadata.uid.clone().unwrap_or_default();
        let name = self.metadata.name.clone().unwrap_or_default();
        let spec = self.spec.get_or_insert_with(Default::default);
        if spec.selector.is_none() && spec.manual_selector != Some(true) {
            let labels = spec
                .template
                .metadata
                .get_or_insert_with(Default::default)
                .labels
                .get_or_insert_with(BTreeMap::new);
            for (key, value) in [
                ("batch.kubernetes.io/controller-uid", &uid),
                ("batch.kubernetes.io/job-name", &name),
                ("controller-uid", &uid),
                ("job-name", &name),
            ] {
                labels
                    .entry(key.to_string())
                    .or_insert_with(|| value.clone());
            }
            spec.selector = Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    "batch.kubernetes.io/controller-uid".to_string(),
                    uid,
                )])),
                ..Default::default()
            });
        }
    }

    fn prepare_for_update(&mut self, old: &Self, _ctx: &Context) {
        keep_status_count_generations!(self, old);
    }

    fn validate(&self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, true, Self::NAME_RULE, errors);
        let spec = self.spec.clone().unwrap_or_default();
        for (value, field) in [
            (spec.parallelism, "spec.parallelism"),
            (spec.completions, "spec.completions"),
            (spec.backoff_limit, "spec.backoffLimit"),
        ] {
            if let Some(value) = value {
                nonnegative(value.into(), field, errors);
            }
        }
        validate_selector_and_template(
            spec.selector.as_ref(),
            &spec.template,
            "job",
            JOB_RESTART_POLICIES,
            errors,
        );
    }

    fn validate_update(&self, old: &Self, ctx: &Context, errors: &mut Vec<FieldError>) {
        self.validate(ctx, errors);
        let (new, old) = (
            self.spec.clone().unwrap_or_default(),
            old.spec.clone().unwrap_or_default(),
        );
        immutable(&new.selector, &old.selector, "spec.selector", errors);
        immutable(
            &new.completions,
            &old.completions,
            "spec.completions",
            errors,
        );
    }
}

impl Strategy for CronJob {
    fn default(&mut self) {
        let spec = &mut self.spec;
        spec.concurrency_policy
            .get_or_insert_with(|| "Allow".to_string());
        spec.suspend.get_or_insert(false);
        spec.successful_jobs_history_limit.get_or_insert(3);
        spec.failed_jobs_history_limit.get_or_insert(1);
        let job = spec.job_template.spec.get_or_insert_with(Default::default);
        default_pod_spec(job.template.spec.get_or_insert_with(Default::default));
    }

    spec_and_status!();

    fn validate(&self, _ctx: &Context, errors: &mut Vec<FieldError>) {
        validate_object_meta(&self.metadata, true, Self::NAME_RULE, errors);
        let spec = self.spec.clone();
        if spec.schedule.is_empty() {
            errors.push(FieldError::required("spec.schedule", ""));
        }
        if let Some(policy) = spec
            .concurrency_policy
            .as_deref()
            .filter(|p| !matches!(*p, "Allow" | "Forbid" | "Replace"))
        {
            errors.push(FieldError::not_supported(
                "spec.concurrencyPolicy",
                Rendered::str(policy),
                &["Allow", "Forbid", "Replace"],
            ));
        }
        let template = spec
            .job_template
            .spec
            .map(|s| s.template)
            .unwrap_or_default();
        if let Some(policy) = template
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.as_deref())
            .filter(|p| !JOB_RESTART_POLICIES.contains(p))
        {
            errors.push(FieldError::not_supported(
                "spec.jobTemplate.spec.template.spec.restartPolicy",
                Rendered::str(policy),
                JOB_RESTART_POLICIES,
            ));
        }
    }
}
