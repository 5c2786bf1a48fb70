//! `kubectl set image` and `kubectl rollout status|history|undo|restart|pause|resume`
//! for DaemonSets (and `set image`, `rollout status` and `restart` for
//! Deployments), with kubectl's words. A watching `rollout status` moves
//! virtual time forward until the rollout finishes or times out.

use std::time::Duration;

use daemonlab_core::api::{Kind, Object};
use daemonlab_core::controllers::daemonset::history::{revision_template, revisions_of};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
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

/// The DaemonSet a command that only DaemonSets support here names.
fn daemonset_name(cluster: &Cluster, args: &Args) -> Result<String, String> {
    match workload(cluster, args)? {
        (Kind::DaemonSet, name) => Ok(name),
        (kind, _) => Err(format!(
            "error: daemonlab does not simulate this command for {} yet",
            kind.name()
        )),
    }
}

fn namespace(args: &Args) -> String {
    args.value(&["-n", "--namespace"])
        .unwrap_or("default")
        .to_string()
}

fn get(cluster: &Cluster, namespace: &str, name: &str) -> Result<DaemonSet, String> {
    match cluster.store().get(Kind::DaemonSet, namespace, name) {
        Some(Object::DaemonSet(ds)) => Ok((**ds).clone()),
        _ => Err(format!(
            "Error from server (NotFound): daemonsets.apps \"{name}\" not found"
        )),
    }
}

fn write(cluster: &mut Cluster, ds: DaemonSet) -> Result<(), String> {
    cluster
        .update(Object::from(ds))
        .map_err(|e| format!("Error from server ({}): {e}", e.reason))
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
                c.image = Some(image.to_string());
            }
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
    let partition = strategy
        .rolling_update
        .and_then(|r| r.partition)
        .unwrap_or(0);
    if partition > 0 {
        return Ok(if updated < replicas - partition {
            (format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", replicas - partition), false)
        } else {
            (
                format!("partitioned roll out complete: {updated} new pods have been updated...\n"),
                true,
            )
        });
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
        cluster.advance(Duration::from_secs(1));
        waited += Duration::from_secs(1);
    }
}

/// `kubectl rollout history` (with `--revision=N`, the revision's template).
fn history(cluster: &Cluster, args: &Args) -> Output {
    let run = || -> Result<String, String> {
        let name = daemonset_name(cluster, args)?;
        let ds = get(cluster, &namespace(args), &name)?;
        let revisions = revisions_of(cluster.store(), &ds);
        if let Some(wanted) = args.value(&["--revision"]).filter(|r| *r != "0") {
            let revision = revisions
                .iter()
                .find(|r| r.revision.to_string() == wanted)
                .ok_or("error: unable to find the specified revision")?;
            let template = revision_template(revision).unwrap_or_default();
            return Ok(format!(
                "daemonset.apps/{name} with revision #{wanted}\n{}",
                crate::describe::pod_template(&template)
            ));
        }
        if revisions.is_empty() {
            return Ok(format!(
                "daemonset.apps/{name} \nNo rollout history found.\n"
            ));
        }
        let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
        for r in &revisions {
            let cause = r
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubernetes.io/change-cause"))
                .cloned()
                .unwrap_or_else(|| "<none>".to_string());
            rows.push(vec![r.revision.to_string(), cause]);
        }
        // The history printer's tabwriter pads with two spaces.
        let table = layout_padded(&rows, 2, 0);
        Ok(format!("daemonset.apps/{name} \n{table}\n"))
    };
    run().map_or_else(Output::error, Output::ok)
}

/// `kubectl rollout undo [--to-revision=N]`.
fn undo(cluster: &mut Cluster, args: &Args) -> Output {
    let mut warning = String::new();
    let mut run = || -> Result<String, String> {
        let name = daemonset_name(cluster, args)?;
        let namespace = namespace(args);
        let mut ds = get(cluster, &namespace, &name)?;
        let revisions = revisions_of(cluster.store(), &ds);
        let to: i64 = args
            .value(&["--to-revision"])
            .unwrap_or("0")
            .parse()
            .map_err(|_| "error: invalid --to-revision".to_string())?;
        let target = if to == 0 {
            if revisions.len() < 2 {
                return Err("error: no last revision to roll back to".to_string());
            }
            &revisions[revisions.len() - 2]
        } else {
            revisions.iter().find(|r| r.revision == to).ok_or_else(|| {
                format!("error: unable to find specified revision {to} in history")
            })?
        };
        let template = revision_template(target).unwrap_or_default();
        let current = ds
            .spec
            .as_ref()
            .map(|s| s.template.clone())
            .unwrap_or_default();
        if template == current {
            return Ok(format!(
                "daemonset.apps/{name} skipped rollback (current template already matches revision {})\n",
                target.revision
            ));
        }
        if ds
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubectl.kubernetes.io/last-applied-configuration"))
        {
            warning = format!("Warning: resource daemonsets/{name} was previously managed with 'kubectl apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.\n");
        }
        if let Some(spec) = ds.spec.as_mut() {
            spec.template = template;
        }
        write(cluster, ds)?;
        Ok(format!("daemonset.apps/{name} rolled back\n"))
    };
    let result = run();
    let mut out = result.map_or_else(Output::error, Output::ok);
    out.notice = warning;
    out
}

/// `kubectl rollout restart`: stamps the template so every pod is replaced.
fn restart(cluster: &mut Cluster, args: &Args) -> Output {
    let mut run = || -> Result<String, String> {
        let (kind, name) = workload(cluster, args)?;
        let mut object = get_object(cluster, kind, &namespace(args), &name)?;
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
        "pause" | "resume" => match daemonset_name(cluster, &args) {
            Ok(name) => Output::error(format!(
                "error: daemonsets.apps \"{name}\" {}ing is not supported",
                sub.trim_end_matches('e')
            )),
            Err(e) => Output::error(e),
        },
        other => Output::error(format!(
            "error: unknown command \"{other}\" for \"kubectl rollout\""
        )),
    }
}
