//! `kubectl delete` (by name, `-f`, `-l`, `--all`, `--cascade`).

use std::time::Duration;

use daemonlab_core::api::decode::{kind_of, manifests};
use daemonlab_core::api::server::Cascade;
use daemonlab_core::api::Kind;
use daemonlab_core::sim::Cluster;

use crate::args::Args;
use crate::resources::resolve;
use crate::selector::Selector;
use crate::{Files, Output};

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-f",
    "--filename",
    "-l",
    "--selector",
    "--cascade",
    "--grace-period",
    "--wait",
];
pub const BOOL_FLAGS: &[&str] = &[
    "--all",
    "--force",
    "--now",
    "--ignore-not-found",
    "-A",
    "--all-namespaces",
];

/// How long `kubectl delete` waits for what it deleted to be gone.
const WAIT_LIMIT: Duration = Duration::from_secs(600);

/// `pod "x" deleted from default namespace`, `node "x" deleted`.
fn deleted_line(kind: Kind, name: &str, namespace: &str) -> String {
    if kind.namespaced() {
        format!(
            "{} \"{name}\" deleted from {namespace} namespace\n",
            kind.resource()
        )
    } else {
        format!("{} \"{name}\" deleted\n", kind.resource())
    }
}

fn qualified(kind: Kind) -> String {
    match kind.group() {
        "" => kind.plural().to_string(),
        group => format!("{}.{group}", kind.plural()),
    }
}

pub fn run(cluster: &mut Cluster, args: &Args, stdin: &str, files: &dyn Files) -> Output {
    let namespace = args
        .value(&["-n", "--namespace"])
        .unwrap_or("default")
        .to_string();
    let cascade = match args.value(&["--cascade"]).unwrap_or("background") {
        "background" | "true" | "foreground" => Cascade::Background,
        "orphan" | "false" => Cascade::Orphan,
        other => {
            return Output::error(format!(
                "error: invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            ))
        }
    };
    let force = args.flag(&["--force"]);
    let grace = match args.value(&["--grace-period"]) {
        Some(g) => match g.parse::<i64>() {
            Ok(g) if force && g <= 0 => Some(0),
            // Without --force, 0 means the shortest graceful period.
            Ok(0) => Some(1),
            Ok(g) if g < 0 => None,
            Ok(g) => Some(g),
            Err(_) => return Output::error(format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax")),
        },
        None if args.flag(&["--now"]) => Some(1),
        None => None,
    };
    // (kind, namespace, name, source for messages)
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut out = Output::default();
    let mut source = None;
    if let Some(path) = args.value(&["-f", "--filename"]) {
        let (text, name) = match crate::read_filename(path, stdin, files) {
            Ok(read) => read,
            Err(error) => return error,
        };
        source = Some(name);
        let (found, error) = manifests(&text);
        if let Some(error) = error {
            return Output::error(format!("error: error parsing {path}: {}", error.message));
        }
        for manifest in found {
            match kind_of(&manifest, cluster.store()) {
                Ok(kind) => {
                    let ns = if kind.namespaced() {
                        Some(manifest.namespace())
                            .filter(|n| !n.is_empty())
                            .unwrap_or(&namespace)
                            .to_string()
                    } else {
                        String::new()
                    };
                    targets.push((kind, ns, manifest.name().to_string()));
                }
                Err(_) => {
                    out.stderr.push_str(&format!(
                        "error: resource mapping not found for name: \"{}\" namespace: \"{}\" from \"{path}\": no matches for kind \"{}\" in version \"{}\"\nensure CRDs are installed first\n",
                        manifest.name(), manifest.namespace(), manifest.kind(), manifest.api_version()
                    ));
                    out.exit_code = 1;
                }
            }
        }
    } else {
        let Some(first) = args.positional.first() else {
            return Output::error("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
        };
        let (type_arg, names) = crate::resources::type_and_names(first, &args.positional[1..]);
        let Some(kind) = resolve(cluster.store(), type_arg) else {
            return Output::error(format!(
                "error: the server doesn't have a resource type \"{type_arg}\""
            ));
        };
        let ns = if kind.namespaced() {
            namespace.clone()
        } else {
            String::new()
        };
        let selector = args.value(&["-l", "--selector"]);
        if names.is_empty() {
            if selector.is_none() && !args.flag(&["--all"]) {
                return Output::error(
                    "error: resource(s) were provided, but no name was specified",
                );
            }
            let selector = match Selector::parse(selector.unwrap_or("")) {
                Ok(s) => s,
                Err(e) => return Output::error(format!("error: {e}")),
            };
            for object in cluster.store().list(kind) {
                let labels = object.metadata().labels.clone().unwrap_or_default();
                if (!kind.namespaced() || object.namespace() == ns) && selector.matches(&labels) {
                    targets.push((kind, ns.clone(), object.name().to_string()));
                }
            }
            if targets.is_empty() {
                return Output {
                    stderr: if kind.namespaced() {
                        format!("No resources found in {ns} namespace.\n")
                    } else {
                        "No resources found\n".to_string()
                    },
                    ..Default::default()
                };
            }
        } else {
            targets.extend(names.into_iter().map(|n| (kind, ns.clone(), n)));
        }
    }
    let mut deleted = Vec::new();
    for (kind, ns, name) in targets {
        match cluster.delete(kind, &ns, &name, cascade, grace) {
            Ok(_) => {
                out.stdout.push_str(&deleted_line(kind, &name, &ns));
                deleted.push((kind, ns, name));
            }
            Err(_) if args.flag(&["--ignore-not-found"]) => {}
            Err(_) => {
                let when = source
                    .as_ref()
                    .map(|s| format!("error when deleting \"{s}\": "))
                    .unwrap_or_default();
                out.stderr.push_str(&format!(
                    "Error from server (NotFound): {when}{} \"{name}\" not found\n",
                    qualified(kind)
                ));
                out.exit_code = 1;
            }
        }
    }
    cluster.reconcile();
    // kubectl waits until what it deleted is gone (pods take their grace period).
    if args.value(&["--wait"]) != Some("false") {
        wait_until_gone(cluster, &deleted);
    }
    out
}

/// Waits, as kubectl's watch does, until none of `objects` exists any more:
/// virtual time moves from one change to the next while something is under
/// way (a pod stopping), for [`WAIT_LIMIT`] at most.
pub(crate) fn wait_until_gone(cluster: &mut Cluster, objects: &[(Kind, String, String)]) {
    let start = cluster.now();
    while objects
        .iter()
        .any(|(k, ns, n)| cluster.store().get(*k, ns, n).is_some())
    {
        let waited = cluster.now().duration_since(start);
        if Duration::try_from(waited).unwrap_or_default() >= WAIT_LIMIT
            || !cluster.wait_for_change()
        {
            return;
        }
    }
}
