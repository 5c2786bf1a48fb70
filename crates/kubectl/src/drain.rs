//! `kubectl drain NODE`: cordon, then evict every pod the filters of kubectl's
//! `drain` package allow, in their order (DaemonSet, local storage,
//! unreplicated), with their warnings and refusals word for word.

use std::collections::BTreeMap;

use std::time::Duration;

use daemonlab_core::api::errors::Reason;
use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::Kind;
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Pod;

use crate::args::Args;
use crate::delete::wait_until_gone;
use crate::nodes::cordon;
use crate::shell::parse_duration;
use crate::Output;

/// kubectl retries a refused eviction after this long.
const EVICTION_RETRY: Duration = Duration::from_secs(5);
/// A drain without `--timeout` waits this long in virtual time at most.
const EVICTION_LIMIT: Duration = Duration::from_secs(3600);

pub const VALUE_FLAGS: &[&str] = &["--grace-period", "--timeout", "--pod-selector"];
pub const BOOL_FLAGS: &[&str] = &[
    "--ignore-daemonsets",
    "--delete-emptydir-data",
    "--delete-local-data",
    "--force",
    "--disable-eviction",
];

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str =
    "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// What the filters decided for one pod.
enum Verdict {
    Delete,
    Warn { delete: bool, message: String },
    Refuse(String),
}

fn finished(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

fn verdict(cluster: &Cluster, pod: &Pod, args: &Args) -> Verdict {
    let force = args.flag(&["--force"]);
    let controller = pod
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    if let Some(owner) = controller.filter(|o| o.kind == "DaemonSet") {
        if !finished(pod) {
            if cluster
                .store()
                .get(Kind::DaemonSet, &namespace, &owner.name)
                .is_none()
            {
                let message = format!("daemonsets.apps \"{}\" not found", owner.name);
                return if force {
                    Verdict::Warn {
                        delete: true,
                        message,
                    }
                } else {
                    Verdict::Refuse(message)
                };
            }
            return if args.flag(&["--ignore-daemonsets"]) {
                Verdict::Warn {
                    delete: false,
                    message: DAEMONSET_WARNING.to_string(),
                }
            } else {
                Verdict::Refuse(DAEMONSET_FATAL.to_string())
            };
        }
    }
    let empty_dir = pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .any(|v| v.empty_dir.is_some());
    if empty_dir && !finished(pod) {
        if !args.flag(&["--delete-emptydir-data", "--delete-local-data"]) {
            return Verdict::Refuse(LOCAL_STORAGE_FATAL.to_string());
        }
        return Verdict::Warn {
            delete: true,
            message: LOCAL_STORAGE_WARNING.to_string(),
        };
    }
    if controller.is_none() && !finished(pod) {
        if !force {
            return Verdict::Refuse(UNMANAGED_FATAL.to_string());
        }
        return Verdict::Warn {
            delete: true,
            message: UNMANAGED_WARNING.to_string(),
        };
    }
    Verdict::Delete
}

/// Messages with the pods they concern, in the order first met.
fn grouped(entries: &[(String, String)]) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (message, pod) in entries {
        match groups.iter_mut().find(|(m, _)| m == message) {
            Some((_, pods)) => pods.push(pod.clone()),
            None => groups.push((message.clone(), vec![pod.clone()])),
        }
    }
    groups
}

/// Runs `kubectl drain`.
pub fn run(cluster: &mut Cluster, args: &Args) -> Output {
    let Some(name) = args.positional.first() else {
        return Output::error(
            "error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples",
        );
    };
    let name = name.strip_prefix("node/").unwrap_or(name).to_string();
    let mut out = cordon(cluster, args, true);
    if args.flag(&["--delete-local-data"]) {
        out.notice.insert_str(0, "Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.\n");
    }
    if out.exit_code != 0 {
        return out;
    }
    let pods: BTreeMap<(String, String), Pod> = cluster
        .store()
        .pods_on_node(&name)
        .map(|p| {
            (
                (
                    p.metadata.namespace.clone().unwrap_or_default(),
                    p.metadata.name.clone().unwrap_or_default(),
                ),
                p.clone(),
            )
        })
        .collect();
    let mut warnings = Vec::new();
    let mut refusals = Vec::new();
    let mut to_delete = Vec::new();
    for ((namespace, pod_name), pod) in &pods {
        if pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let id = format!("{namespace}/{pod_name}");
        match verdict(cluster, pod, args) {
            Verdict::Delete => to_delete.push((namespace.clone(), pod_name.clone())),
            Verdict::Warn { delete, message } => {
                warnings.push((message, id));
                if delete {
                    to_delete.push((namespace.clone(), pod_name.clone()));
                }
            }
            Verdict::Refuse(message) => refusals.push((message, id)),
        }
    }
    if !refusals.is_empty() {
        let errors: Vec<String> = grouped(&refusals)
            .into_iter()
            .map(|(message, pods)| format!("cannot delete {message}: {}", pods.join(", ")))
            .collect();
        out.stderr.push_str(&format!(
            "error: unable to drain node \"{name}\" due to error: {}, continuing command...\nThere are pending nodes to be drained:\n {name}\n",
            errors.join(", ")
        ));
        for error in errors {
            out.stderr.push_str(&error);
            out.stderr.push('\n');
        }
        out.exit_code = 1;
        return out;
    }
    // The cordon line comes before the warnings on the terminal; transcripts
    // print `notice` first, so both go there.
    let cordoned = std::mem::take(&mut out.stdout);
    out.notice.push_str(&cordoned);
    if !warnings.is_empty() {
        let text: Vec<String> = grouped(&warnings)
            .into_iter()
            .map(|(message, pods)| format!("{message}: {}", pods.join(", ")))
            .collect();
        out.notice
            .push_str(&format!("Warning: {}\n", text.join("; ")));
    }
    let grace = args
        .value(&["--grace-period"])
        .and_then(|g| g.parse::<i64>().ok())
        .filter(|g| *g >= 0);
    let mut gone = Vec::new();
    if args.flag(&["--disable-eviction"]) {
        for (namespace, pod_name) in &to_delete {
            out.stdout
                .push_str(&format!("deleting pod {namespace}/{pod_name}\n"));
            if cluster
                .delete(Kind::Pod, namespace, pod_name, Cascade::Background, grace)
                .is_ok()
            {
                gone.push((Kind::Pod, namespace.clone(), pod_name.clone()));
            }
        }
    } else {
        let timeout = args
            .value(&["--timeout"])
            .and_then(|t| parse_duration(t).ok())
            .filter(|t| !t.is_zero())
            .unwrap_or(EVICTION_LIMIT);
        let mut pending = to_delete.clone();
        let mut waited = Duration::ZERO;
        while !pending.is_empty() {
            let mut refused = Vec::new();
            for (namespace, pod_name) in pending {
                out.stdout
                    .push_str(&format!("evicting pod {namespace}/{pod_name}\n"));
                match cluster.evict(&namespace, &pod_name) {
                    Ok(()) => gone.push((Kind::Pod, namespace, pod_name)),
                    Err(error) if error.reason == Reason::TooManyRequests => {
                        // kubectl writes this on stderr; it is kept in the
                        // order a terminal shows it.
                        out.stdout.push_str(&format!(
                            "error when evicting pods/{pod_name:?} -n {namespace:?} (will retry after 5s): {error}\n"
                        ));
                        refused.push((namespace, pod_name));
                    }
                    Err(_) => {}
                }
            }
            pending = refused;
            if pending.is_empty() {
                break;
            }
            if waited >= timeout {
                let errors: Vec<String> = pending
                    .iter()
                    .map(|(namespace, pod_name)| {
                        format!(
                            "error when evicting pods/{pod_name:?} -n {namespace:?}: global timeout reached: {}",
                            crate::shell::format_duration(timeout)
                        )
                    })
                    .collect();
                out.stderr.push_str(&format!(
                    "error: unable to drain node {name:?} due to error: [{}], continuing command...\nThere are pending nodes to be drained:\n {name}\n",
                    errors.join(", ")
                ));
                for error in errors {
                    out.stderr.push_str(&format!("{error}\n"));
                }
                out.exit_code = 1;
                return out;
            }
            cluster.reconcile();
            cluster.advance(EVICTION_RETRY);
            waited += EVICTION_RETRY;
        }
    }
    cluster.reconcile();
    wait_until_gone(cluster, &gone);
    let verb = if args.flag(&["--disable-eviction"]) {
        "deleted"
    } else {
        "evicted"
    };
    for (_, _, pod_name) in &gone {
        out.stdout.push_str(&format!("pod/{pod_name} {verb}\n"));
    }
    out.stdout.push_str(&format!("node/{name} drained\n"));
    out
}
