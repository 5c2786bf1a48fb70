//! `kubectl set image`, `kubectl scale` and `kubectl rollout
//! status|history|undo|restart|pause|resume` for DaemonSets, Deployments and
//! StatefulSets, with kubectl's words. A watching `rollout status` moves
//! virtual time forward until the rollout finishes or times out.

use std::collections::BTreeMap;
use std::time::Duration;

use daemonlab_core::api::store::controller_uid;
use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::controllers::daemonset::history::{revision_template, revisions_of};
use daemonlab_core::controllers::deployment::{POD_TEMPLATE_HASH, REVISION};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::args::Args;
use crate::shell::parse_duration;
use crate::table::layout_padded;
use crate::Output;

/// How long a watching `rollout status` without `--timeout` waits in virtual time.
const WATCH_LIMIT: Duration = Duration::from_secs(3600);

/// `ds/NAME`, `deploy/NAME`, `daemonsets.apps/NAME`, or `ds NAME`: the
/// workload a rollout command names, DaemonSet or Deployment.
fn workload(cluster: &Cluster, args: &Args) -> Result<(Kind, String), String> {
    let first = args
        .positional
        .first()
        .ok_or("error: required resource not specified")?;
    let (kind, name) = match first.split_once('/') {
        Some((kind, name)) => (kind.to_string(), name.to_string()),
        None => (
            first.clone(),
            args.positional
                .get(1)
                .cloned()
                .ok_or("error: required resource not specified")?,
        ),
    };
    match crate::resources::resolve(cluster.store(), &kind) {
        Some(kind @ (Kind::DaemonSet | Kind::Deployment | Kind::StatefulSet)) => Ok((kind, name)),
        Some(other) => Err(format!(
            "error: no status viewer has been implemented for {}",
            other.name()
        )),
        None => Err(format!(
            "error: the server doesn't have a resource type \"{kind}\""
        )),
    }
}

fn namespace(args: &Args) -> String {
    args.value(&["-n", "--namespace"])
        .unwrap_or("default")
        .to_string()
}

/// The object of `kind`, or kubectl's NotFound.
fn get_object(
    cluster: &Cluster,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Result<Object, String> {
    cluster
        .store()
        .get(kind, namespace, name)
        .cloned()
        .ok_or_else(|| crate::get::not_found(kind, name))
}

/// The pod template of a workload.
fn template_mut(object: &mut Object) -> Option<&mut PodTemplateSpec> {
    match object {
        Object::DaemonSet(ds) => ds.spec.as_mut().map(|s| &mut s.template),
        Object::Deployment(deploy) => deploy.spec.as_mut().map(|s| &mut s.template),
        Object::StatefulSet(sts) => sts.spec.as_mut().map(|s| &mut s.template),
        _ => None,
    }
}

fn write_object(cluster: &mut Cluster, object: Object) -> Result<(), String> {
    cluster
        .update(object)
        .map_err(|e| format!("Error from server ({}): {e}", e.reason))
}

/// `kubectl set image ds/NAME CONTAINER=IMAGE…` (or a Deployment).
pub fn set_image(cluster: &mut Cluster, args: &Args) -> Output {
    let mut run = || -> Result<String, String> {
        let (kind, name) = workload(cluster, args)?;
        let namespace = namespace(args);
        let mut object = get_object(cluster, kind, &namespace, &name)?;
        let skip = if args.positional.first().is_some_and(|p| p.contains('/')) {
            1
        } else {
            2
        };
        let changes: Vec<(&str, &str)> = args.positional[skip..]
            .iter()
            .filter_map(|c| c.split_once('='))
            .collect();
        if changes.is_empty() {
            return Err("error: at least one image update is required".to_string());
        }
        let spec = template_mut(&mut object)
            .and_then(|t| t.spec.as_mut())
            .ok_or("error: the object has no pod template")?;
        let mut changed = false;
        for (container, image) in changes {
            let targets: Vec<_> = spec
                .containers
                .iter_mut()
                .chain(spec.init_containers.iter_mut().flatten())
                .filter(|c| container == "*" || c.name == container)
                .collect();
            if targets.is_empty() {
                return Err(format!(
                    "error: unable to find container named \"{container}\""
                ));
            }
            for c in targets {
                changed |= c.image.as_deref() != Some(image);
                c.image = Some(image.to_string());
            }
        }
        // An image already set makes an empty patch: kubectl sends and says nothing.
        if !changed {
            return Ok(String::new());
        }
        write_object(cluster, object)?;
        Ok(format!("{}/{name} image updated\n", kind.resource()))
    };
    run().map_or_else(Output::error, Output::ok)
}

/// `kubectl scale deployment/NAME --replicas=N` (ReplicaSets and StatefulSets too).
pub fn scale(cluster: &mut Cluster, args: &Args) -> Output {
    let mut run = || -> Result<String, String> {
        let replicas: i32 = match args.value(&["--replicas"]) {
            None => return Err("error: required flag(s) \"replicas\" not set".to_string()),
            Some(r) => r.parse().map_err(|_| {
                format!("error: invalid argument \"{r}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax")
            })?,
        };
        let first = args
            .positional
            .first()
            .ok_or("error: required resource not specified")?;
        let (type_arg, names) = crate::resources::type_and_names(first, &args.positional[1..]);
        let kind = crate::resources::resolve(cluster.store(), type_arg).ok_or_else(|| {
            format!("error: the server doesn't have a resource type \"{type_arg}\"")
        })?;
        let namespace = namespace(args);
        let mut out = String::new();
        for name in names {
            let mut object = get_object(cluster, kind, &namespace, &name)?;
            match &mut object {
                Object::Deployment(d) => {
                    d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
                }
                Object::ReplicaSet(rs) => {
                    rs.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
                }
                Object::StatefulSet(sts) => {
                    sts.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
                }
                _ => {
                    return Err(format!(
                        "error: no objects passed to scale {}/{name}",
                        kind.resource()
                    ))
                }
            }
            write_object(cluster, object)?;
            out.push_str(&format!("{}/{name} scaled\n", kind.resource()));
        }
        Ok(out)
    };
    run().map_or_else(Output::error, Output::ok)
}

/// `StatefulSetStatusViewer`'s line and whether the rollout is done.
fn statefulset_status_line(sts: &StatefulSet) -> Result<(String, bool), String> {
    let spec = sts.spec.clone().unwrap_or_default();
    let status = sts.status.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref() != Some("RollingUpdate") {
        return Err(
            "error: rollout status is only available for RollingUpdate strategy type".to_string(),
        );
    }
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || sts.metadata.generation.unwrap_or(0) > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...\n".to_string(),
            false,
        ));
    }
    let replicas = spec.replicas.unwrap_or(1);
    let ready = status.ready_replicas.unwrap_or(0);
    if ready < replicas {
        return Ok((
            format!("Waiting for {} pods to be ready...\n", replicas - ready),
            false,
        ));
    }
    let updated = status.updated_replicas.unwrap_or(0);
    // The API server defaults `rollingUpdate.partition` to 0, so a stored
    // StatefulSet always takes this path, as kubectl's status viewer does.
    if let Some(rolling) = &strategy.rolling_update {
        if let (Some(replicas), Some(partition)) = (spec.replicas, rolling.partition) {
            if updated < replicas - partition {
                return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", replicas - partition), false));
            }
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated...\n"),
            true,
        ));
    }
    let update_revision = status.update_revision.clone().unwrap_or_default();
    if status.update_revision != status.current_revision {
        return Ok((
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n"),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {}...\n",
            status.current_replicas.unwrap_or(0),
            status.current_revision.unwrap_or_default()
        ),
        true,
    ))
}

/// `DeploymentStatusViewer`'s line and whether the rollout is done.
fn deployment_status_line(deploy: &Deployment) -> Result<(String, bool), String> {
    let name = deploy.metadata.name.clone().unwrap_or_default();
    let status = deploy.status.clone().unwrap_or_default();
    if deploy.metadata.generation > status.observed_generation {
        return Ok((
            "Waiting for deployment spec update to be observed...\n".to_string(),
            false,
        ));
    }
    let timed_out = status.conditions.iter().flatten().any(|c| {
        c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    if timed_out {
        return Err(format!(
            "error: deployment {name:?} exceeded its progress deadline"
        ));
    }
    let desired = deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = status.updated_replicas.unwrap_or(0);
    let replicas = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    Ok(if updated < desired {
        (format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {desired} new replicas have been updated...\n"), false)
    } else if replicas > updated {
        (format!("Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false)
    } else if available < updated {
        (format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"), false)
    } else {
        (
            format!("deployment {name:?} successfully rolled out\n"),
            true,
        )
    })
}

/// The status viewer's line and whether the rollout is done (REFERENCE §11.6).
fn status_line(ds: &DaemonSet) -> (String, bool) {
    let name = ds.metadata.name.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    if ds.metadata.generation > status.observed_generation {
        return (
            "Waiting for daemon set spec update to be observed...\n".to_string(),
            false,
        );
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    let available = status.number_available.unwrap_or(0);
    if updated < desired {
        (format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false)
    } else if available < desired {
        (format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n"), false)
    } else {
        (
            format!("daemon set \"{name}\" successfully rolled out\n"),
            true,
        )
    }
}

fn strategy_type(ds: &DaemonSet) -> &str {
    ds.spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("")
}

/// `kubectl rollout status`: a line on every change to the DaemonSet, until done.
fn status(cluster: &mut Cluster, args: &Args) -> Output {
    let ((kind, name), namespace) = match workload(cluster, args) {
        Ok(target) => (target, namespace(args)),
        Err(e) => return Output::error(e),
    };
    let timeout = match args.value(&["--timeout"]) {
        Some(t) if t != "0s" && t != "0" => match parse_duration(t) {
            Ok(d) => Some(d),
            Err(e) => {
                return Output::error(format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: {e}"
                ))
            }
        },
        _ => None,
    };
    let watch = args.value(&["-w", "--watch"]) != Some("false");
    let mut out = Output::default();
    let mut waited = Duration::ZERO;
    let mut last_version = None;
    loop {
        let object = match get_object(cluster, kind, &namespace, &name) {
            Ok(object) => object,
            Err(_) if last_version.is_some() => {
                out.stderr.push_str("error: object has been deleted\n");
                out.exit_code = 1;
                return out;
            }
            Err(e) => return Output::error(e),
        };
        let version = object.metadata().resource_version.clone();
        let line = match &object {
            Object::DaemonSet(ds) if strategy_type(ds) != "RollingUpdate" => Err(
                "error: rollout status is only available for RollingUpdate strategy type"
                    .to_string(),
            ),
            Object::DaemonSet(ds) => Ok(status_line(ds)),
            Object::Deployment(deploy) => deployment_status_line(deploy),
            Object::StatefulSet(sts) => statefulset_status_line(sts),
            _ => Err(format!(
                "error: no status viewer has been implemented for {}",
                kind.name()
            )),
        };
        let (line, done) = match line {
            Ok(line) => line,
            Err(e) => {
                out.stderr.push_str(&e);
                out.stderr.push('\n');
                out.exit_code = 1;
                return out;
            }
        };
        if last_version != version {
            last_version = version;
            out.stdout.push_str(&line);
            if done || !watch {
                return out;
            }
        }
        let limit = timeout.unwrap_or(WATCH_LIMIT);
        if waited >= limit {
            out.stderr
                .push_str("error: timed out waiting for the condition\n");
            out.exit_code = 1;
            return out;
        }
        // The watch sees the next change. When nothing is under way (a
        // stalled rollout, retries that may fail forever) none comes, and
        // virtual time, like a paused clock, does not run out the wait.
        let before = cluster.now();
        if cluster.wait_for_change() {
            waited += Duration::try_from(cluster.now().duration_since(before)).unwrap_or_default();
        } else {
            waited = limit;
        }
    }
}

/// One revision of a workload's rollout history: the template its
/// ControllerRevision or ReplicaSet holds, and that object's annotations.
struct Revision {
    template: PodTemplateSpec,
    annotations: BTreeMap<String, String>,
}

impl Revision {
    fn change_cause(&self) -> Option<&str> {
        self.annotations
            .get(CHANGE_CAUSE)
            .map(String::as_str)
            .filter(|c| !c.is_empty())
    }
}

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// `HistoryViewer.GetHistory`: a DaemonSet's or StatefulSet's
/// ControllerRevisions, or a Deployment's ReplicaSets by their revision
/// annotation, keyed by revision number.
fn history_of(cluster: &Cluster, object: &Object) -> BTreeMap<i64, Revision> {
    let meta = object.metadata();
    if let Object::Deployment(_) = object {
        let uid = meta.uid.as_deref().unwrap_or("");
        return cluster
            .store()
            .dependents_of_kind(uid, Kind::ReplicaSet)
            .filter_map(|o| ReplicaSet::of(o))
            .filter(|rs| controller_uid(&rs.metadata) == Some(uid))
            .filter_map(|rs| {
                let annotations = rs.metadata.annotations.clone().unwrap_or_default();
                let number = annotations.get(REVISION)?.parse().ok()?;
                let template = rs.spec.as_ref()?.template.clone().unwrap_or_default();
                Some((
                    number,
                    Revision {
                        template,
                        annotations,
                    },
                ))
            })
            .collect();
    }
    revisions_of(cluster.store(), meta)
        .iter()
        .map(|r| {
            (
                r.revision,
                Revision {
                    template: revision_template(r).unwrap_or_default(),
                    annotations: r.metadata.annotations.clone().unwrap_or_default(),
                },
            )
        })
        .collect()
}

/// The workload a history command names, with kubectl's error for kinds
/// without a history viewer or rollbacker (`what`).
fn with_history(cluster: &Cluster, args: &Args, what: &str) -> Result<(Object, String), String> {
    let (kind, name) = workload(cluster, args)?;
    let object = get_object(cluster, kind, &namespace(args), &name)?;
    if !matches!(kind, Kind::DaemonSet | Kind::Deployment | Kind::StatefulSet) {
        return Err(format!(
            "error: no {what} has been implemented for {}",
            kind.name()
        ));
    }
    Ok((object, name))
}

/// `kubectl rollout history` (with `--revision=N`, the revision's template,
/// written as kubectl's prefix writer writes it: tabs, no alignment).
fn history(cluster: &Cluster, args: &Args) -> Output {
    let run = || -> Result<String, String> {
        let (object, name) = with_history(cluster, args, "history viewer")?;
        let resource = object.kind().resource();
        let revisions = history_of(cluster, &object);
        if revisions.is_empty() {
            return Ok(format!("{resource}/{name} \nNo rollout history found.\n"));
        }
        if let Some(wanted) = args.value(&["--revision"]).filter(|r| *r != "0") {
            let revision = wanted
                .parse::<i64>()
                .ok()
                .and_then(|n| revisions.get(&n))
                .ok_or("error: unable to find the specified revision")?;
            let mut template = revision.template.clone();
            // A Deployment's history shows each ReplicaSet's change-cause on its template.
            if let Object::Deployment(_) = object {
                let annotations = template
                    .metadata
                    .get_or_insert_with(Default::default)
                    .annotations
                    .get_or_insert_with(Default::default);
                if let Some(cause) = revision.change_cause() {
                    annotations.insert(CHANGE_CAUSE.to_string(), cause.to_string());
                }
            }
            let lines = crate::describe::pod_template_lines(&template);
            // The name printer ends the template's last line, then its own.
            return Ok(format!(
                "{resource}/{name} with revision #{wanted}\n{}\n\n",
                lines.join("\n")
            ));
        }
        let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
        for (number, revision) in &revisions {
            let cause = revision.change_cause().unwrap_or("<none>");
            rows.push(vec![number.to_string(), cause.to_string()]);
        }
        // The history printer's tabwriter pads with two spaces.
        let table = layout_padded(&rows, 2, 0);
        Ok(format!("{resource}/{name} \n{table}\n"))
    };
    run().map_or_else(Output::error, Output::ok)
}

/// Annotations a Deployment keeps as they are when rolled back; the others
/// come from the revision's ReplicaSet (`annotationsToSkip`).
const KEPT_ON_ROLLBACK: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
];

/// A template without the `pod-template-hash` label a Deployment's
/// ReplicaSets add to it.
fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut template = template.clone();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    template
}

/// `kubectl rollout undo [--to-revision=N]`, as each kind's rollbacker does it.
fn undo(cluster: &mut Cluster, args: &Args) -> Output {
    let mut warning = String::new();
    let mut run = || -> Result<String, String> {
        let (mut object, name) = with_history(cluster, args, "rollbacker")?;
        let kind = object.kind();
        if object
            .metadata()
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubectl.kubernetes.io/last-applied-configuration"))
        {
            warning = format!("Warning: resource {}/{name} was previously managed with 'kubectl apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n", kind.plural());
        }
        let to: i64 = args
            .value(&["--to-revision"])
            .unwrap_or("0")
            .parse()
            .map_err(|_| "error: invalid --to-revision".to_string())?;
        let not_found = || format!("error: unable to find specified revision {to} in history");
        if to < 0 {
            return Err(not_found());
        }
        let revisions = history_of(cluster, &object);
        let is_deployment = matches!(object, Object::Deployment(_));
        let target = match to {
            0 if is_deployment => revisions.values().nth_back(1).ok_or_else(|| {
                format!("error: no rollout history found for deployment \"{name}\"")
            })?,
            0 if revisions.len() < 2 => {
                return Err("error: no last revision to roll back to".to_string())
            }
            0 => revisions.values().nth_back(1).ok_or_else(not_found)?,
            to => revisions.get(&to).ok_or_else(not_found)?,
        };
        if let Object::Deployment(deploy) = &object {
            if deploy.spec.as_ref().and_then(|s| s.paused) == Some(true) {
                return Err("error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".to_string());
            }
        }
        let template = without_hash(&target.template);
        let current = template_mut(&mut object).map(|t| without_hash(t));
        if current.as_ref() == Some(&template) {
            return Ok(format!(
                "{}/{name} skipped rollback (current template already matches revision {to})\n",
                kind.resource()
            ));
        }
        if let Object::Deployment(deploy) = &mut object {
            let own = deploy.metadata.annotations.take().unwrap_or_default();
            let mut annotations: BTreeMap<String, String> = own
                .into_iter()
                .filter(|(k, _)| KEPT_ON_ROLLBACK.contains(&k.as_str()))
                .collect();
            annotations.extend(
                target
                    .annotations
                    .iter()
                    .filter(|(k, _)| !KEPT_ON_ROLLBACK.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            deploy.metadata.annotations = Some(annotations);
        }
        if let Some(t) = template_mut(&mut object) {
            *t = template;
        }
        write_object(cluster, object)?;
        Ok(format!("{}/{name} rolled back\n", kind.resource()))
    };
    let result = run();
    let mut out = result.map_or_else(Output::error, Output::ok);
    out.notice = warning;
    out
}

/// `kubectl rollout pause|resume`: only Deployments can be paused.
fn pause(cluster: &mut Cluster, args: &Args, paused: bool) -> Output {
    let mut run = || -> Result<String, String> {
        let (kind, name) = workload(cluster, args)?;
        let mut object = get_object(cluster, kind, &namespace(args), &name)?;
        let verb = if paused { "pausing" } else { "resuming" };
        let Object::Deployment(deploy) = &mut object else {
            return Err(format!(
                "error: {} \"{name}\" {verb} is not supported",
                qualified(kind)
            ));
        };
        let spec = deploy.spec.get_or_insert_with(Default::default);
        if spec.paused.unwrap_or(false) == paused {
            let state = if paused {
                "is already paused"
            } else {
                "is not paused"
            };
            return Err(format!("error: {} \"{name}\" {state}", qualified(kind)));
        }
        spec.paused = paused.then_some(true);
        write_object(cluster, object)?;
        let done = if paused { "paused" } else { "resumed" };
        Ok(format!("{}/{name} {done}\n", kind.resource()))
    };
    run().map_or_else(Output::error, Output::ok)
}

/// `deployments.apps`: the resource and group kubectl names in these errors.
fn qualified(kind: Kind) -> String {
    daemonlab_core::api::server::qualified_resource(kind)
}

/// `kubectl rollout restart`: stamps the template so every pod is replaced.
fn restart(cluster: &mut Cluster, args: &Args) -> Output {
    let mut run = || -> Result<String, String> {
        let (kind, name) = workload(cluster, args)?;
        let mut object = get_object(cluster, kind, &namespace(args), &name)?;
        if let Object::Deployment(deploy) = &object {
            if deploy.spec.as_ref().and_then(|s| s.paused) == Some(true) {
                return Err(format!(
                    "error: {} \"{name}\" can't restart paused deployment (run rollout resume first)",
                    qualified(kind)
                ));
            }
        }
        let now = Time(cluster.now()).0.to_string();
        if let Some(template) = template_mut(&mut object) {
            template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert("kubectl.kubernetes.io/restartedAt".to_string(), now);
        }
        write_object(cluster, object)?;
        Ok(format!("{}/{name} restarted\n", kind.resource()))
    };
    run().map_or_else(Output::error, Output::ok)
}

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--timeout",
    "--revision",
    "--to-revision",
    "-w",
    "--watch",
];

/// `kubectl rollout SUBCOMMAND …`.
pub fn rollout(cluster: &mut Cluster, argv: &[String]) -> Output {
    let Some((sub, rest)) = argv.split_first() else {
        return Output::error("error: Required resource not specified.");
    };
    let args = match Args::parse(rest, VALUE_FLAGS, &[]) {
        Ok(args) => args,
        Err(e) => return Output::error(e),
    };
    match sub.as_str() {
        "status" => status(cluster, &args),
        "history" => history(cluster, &args),
        "undo" => undo(cluster, &args),
        "restart" => restart(cluster, &args),
        "pause" => pause(cluster, &args, true),
        "resume" => pause(cluster, &args, false),
        other => Output::error(format!(
            "error: unknown command \"{other}\" for \"kubectl rollout\""
        )),
    }
}
