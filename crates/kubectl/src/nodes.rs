//! `kubectl label`, `taint`, `cordon` and `uncordon`, with kubectl's messages
//! (`node/n1 labeled`, `node/n1 already cordoned`, …).

use std::collections::BTreeMap;

use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Taint;

use crate::args::Args;
use crate::get::not_found;
use crate::resources::resolve;
use crate::Output;
use daemonlab_core::api::names::label_value_errors;
use daemonlab_core::api::store::Store;

/// Objects by kind and name.
type Targets = Vec<(Kind, String)>;

/// The objects named before the changes (`TYPE NAME…` or `TYPE/NAME…`), and
/// the changes, split as kubectl's `getResourcesAndPairs` splits them: the
/// first argument that `is_change` starts the changes, and no object may
/// follow one.
fn targets(
    store: &Store,
    args: &Args,
    what: &str,
    is_change: fn(&str) -> bool,
) -> Result<(Targets, Vec<String>), String> {
    let mut resources = Vec::new();
    let mut changes = Vec::new();
    for arg in &args.positional {
        match (changes.is_empty(), is_change(arg)) {
            (_, true) => changes.push(arg.clone()),
            (true, false) => resources.push(arg.as_str()),
            (false, false) => {
                return Err(format!(
                    "error: all resources must be specified before {what} changes: {arg}"
                ))
            }
        }
    }
    let no_name = || "error: resource(s) were provided, but no name was specified".to_string();
    let kind_of = |kind: &str| {
        resolve(store, kind)
            .ok_or_else(|| format!("error: the server doesn't have a resource type \"{kind}\""))
    };
    let Some(first) = resources.first() else {
        return Err(no_name());
    };
    let named = if first.contains('/') {
        resources
            .iter()
            .map(|r| match r.split_once('/') {
                Some((kind, name)) => Ok((kind_of(kind)?, name.to_string())),
                None => Err(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'"
                        .to_string(),
                ),
            })
            .collect::<Result<Vec<_>, String>>()?
    } else {
        let kind = kind_of(first)?;
        resources[1..]
            .iter()
            .map(|name| (kind, name.to_string()))
            .collect()
    };
    if named.is_empty() {
        return Err(no_name());
    }
    Ok((named, changes))
}

/// A label or annotation change: `k=v`, `k-`.
fn is_pair(arg: &str) -> bool {
    (arg.contains('=') && !arg.starts_with('=')) || (arg.ends_with('-') && arg != "-")
}

/// A taint change: `k=v:Effect`, `k:Effect`, `k-`.
fn is_taint(arg: &str) -> bool {
    arg.contains('=') || arg.contains(':') || arg.ends_with('-')
}

/// What each object's change printed, in order, up to the first error.
fn each(targets: Targets, mut change: impl FnMut(Kind, &str) -> Result<String, String>) -> Output {
    let mut stdout = String::new();
    for (kind, name) in targets {
        match change(kind, &name) {
            Ok(line) => stdout.push_str(&line),
            Err(error) => {
                return Output {
                    stdout,
                    ..Output::error(error)
                }
            }
        }
    }
    Output::ok(stdout)
}

/// `kubectl label` and `kubectl annotate`: `k=v` sets, `k-` removes.
pub fn label(cluster: &mut Cluster, args: &Args, annotate: bool) -> Output {
    let what = if annotate { "annotation" } else { "label" };
    let (targets, changes) = match targets(cluster.store(), args, what, is_pair) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    // kubectl reads the changes before it asks the server for the object.
    for change in changes.iter().filter(|c| !c.ends_with('-')) {
        let parts: Vec<&str> = change.split('=').collect();
        if parts.len() > 2 {
            return Output::error(format!("error: invalid label spec: {change}"));
        }
        if let (false, Some(value)) = (annotate, parts.get(1)) {
            let errors = label_value_errors(value);
            if !errors.is_empty() {
                return Output::error(format!(
                    "error: invalid label value: \"{change}\": {}",
                    errors.join("; ")
                ));
            }
        }
    }
    if changes.is_empty() {
        return Output::error(format!("error: at least one {what} update is required"));
    }
    let removed: Vec<&str> = changes.iter().filter_map(|c| c.strip_suffix('-')).collect();
    let both: Vec<&str> = changes
        .iter()
        .filter_map(|c| c.split_once('=').map(|(k, _)| k))
        .filter(|k| removed.contains(k))
        .collect();
    if !both.is_empty() {
        return Output::error(if annotate {
            format!(
                "error: can not both modify and remove the following annotation(s) in the same command: {}",
                both.join(", ")
            )
        } else {
            "error: can not both modify and remove a label in the same command".to_string()
        });
    }
    let overwrite = args.flag(&["--overwrite"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    each(targets, |kind, name| {
        let namespace = if kind.namespaced() { namespace } else { "" };
        label_one(
            cluster,
            (kind, namespace, name),
            &changes,
            annotate,
            overwrite,
        )
    })
}

/// One object's labels (or annotations) changed: what kubectl prints for it.
fn label_one(
    cluster: &mut Cluster,
    (kind, namespace, name): (Kind, &str, &str),
    changes: &[String],
    annotate: bool,
    overwrite: bool,
) -> Result<String, String> {
    let Some(mut object) = cluster.store().get(kind, namespace, name).cloned() else {
        return Err(not_found(kind, name));
    };
    let meta = object.metadata_mut();
    let map: &mut Option<BTreeMap<String, String>> = if annotate {
        &mut meta.annotations
    } else {
        &mut meta.labels
    };
    let current = map.clone().unwrap_or_default();
    // kubectl says so of each label it was asked to remove that is not there.
    let not_found: String = changes
        .iter()
        .filter_map(|c| c.strip_suffix('-'))
        .filter(|key| !annotate && !current.contains_key(*key))
        .map(|key| format!("label {key:?} not found.\n"))
        .collect();
    let mut next = current.clone();
    for change in changes {
        if let Some(key) = change.strip_suffix('-') {
            next.remove(key);
        } else if let Some((key, value)) = change.split_once('=') {
            if let Some(old) = current.get(key).filter(|old| *old != value) {
                if !overwrite {
                    return Err(format!(
                        "error: '{key}' already has a value ({old}), and --overwrite is false"
                    ));
                }
            }
            next.insert(key.to_string(), value.to_string());
        }
    }
    let added = next.iter().any(|(k, v)| current.get(k) != Some(v));
    let removed = current.keys().any(|k| !next.contains_key(k));
    let verb = match (added, removed, annotate) {
        (false, false, false) => "not labeled",
        (false, false, true) => "not annotated",
        (true, false, false) => "labeled",
        (true, false, true) => "annotated",
        (false, true, false) => "unlabeled",
        (false, true, true) => "annotated",
        (true, true, _) => "modified",
    };
    *map = (!next.is_empty()).then_some(next);
    if added || removed {
        if let Err(error) = cluster.update(object) {
            return Err(format!("Error from server ({}): {error}", error.reason));
        }
    }
    Ok(format!("{not_found}{}/{name} {verb}\n", kind.resource()))
}

/// A bad taint is a usage error (`cmdutil.UsageErrorf`): kubectl points at its help.
const TAINT_USAGE: &str = "See 'kubectl taint -h' for help and examples";

fn parse_taint(spec: &str) -> Result<Taint, String> {
    let (key_value, effect) = spec.split_once(':').ok_or_else(|| {
        format!("error: invalid taint spec: {spec}, unsupported taint effect\n{TAINT_USAGE}")
    })?;
    if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        return Err(format!(
            "error: invalid taint effect: {effect}, unsupported taint effect\n{TAINT_USAGE}"
        ));
    }
    let (key, value) = match key_value.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (key_value, None),
    };
    Ok(Taint {
        key: key.to_string(),
        value,
        effect: effect.to_string(),
        time_added: None,
    })
}

/// `kubectl taint nodes NAME k=v:Effect`, `k:Effect-`, `k-`.
pub fn taint(cluster: &mut Cluster, args: &Args) -> Output {
    let (targets, changes) = match targets(cluster.store(), args, "taint", is_taint) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    if let Some((kind, _)) = targets.iter().find(|(kind, _)| *kind != Kind::Node) {
        return Output::error(format!(
            "error: invalid resource type {}, only node types are supported",
            kind.plural()
        ));
    }
    let overwrite = args.flag(&["--overwrite"]);
    each(targets, |_, name| {
        taint_one(cluster, name, &changes, overwrite)
    })
}

/// One node's taints changed: what kubectl prints for it.
fn taint_one(
    cluster: &mut Cluster,
    name: &str,
    changes: &[String],
    overwrite: bool,
) -> Result<String, String> {
    let Some(Object::Node(mut node)) = cluster.store().get(Kind::Node, "", name).cloned() else {
        return Err(not_found(Kind::Node, name));
    };
    let mut taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let before = taints.clone();
    let (mut added, mut removed, mut replaced) = (false, false, false);
    for change in changes {
        if let Some(spec) = change.strip_suffix('-') {
            let (key, effect) = match spec.split_once(':') {
                Some((k, e)) => (k.split('=').next().unwrap_or(k), Some(e)),
                None => (spec, None),
            };
            let count = taints.len();
            taints.retain(|t| !(t.key == key && effect.is_none_or(|e| t.effect == e)));
            if taints.len() == count {
                return Err(format!("error: taint \"{spec}\" not found"));
            }
            removed = true;
        } else {
            let new = parse_taint(change)?;
            match taints.iter_mut().find(|t| t.key == new.key && t.effect == new.effect) {
                Some(_) if !overwrite => {
                    return Err(format!(
                        "error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                        new.key
                    ))
                }
                Some(existing) => {
                    *existing = new;
                    replaced = true;
                }
                None => {
                    taints.push(new);
                    added = true;
                }
            }
        }
    }
    let verb = if replaced || (added && removed) {
        "modified"
    } else if removed {
        "untainted"
    } else {
        "tainted"
    };
    if taints != before {
        node.spec.get_or_insert_with(Default::default).taints =
            (!taints.is_empty()).then_some(taints);
        if let Err(error) = cluster.update(Object::from(node)) {
            return Err(format!("Error from server ({}): {error}", error.reason));
        }
    }
    Ok(format!("node/{name} {verb}\n"))
}

/// `kubectl cordon` (`unschedulable = true`) and `uncordon`.
pub fn cordon(cluster: &mut Cluster, args: &Args, unschedulable: bool) -> Output {
    let Some(name) = args.positional.first() else {
        return Output::error("error: resource(s) were provided, but no name was specified");
    };
    let name = name.strip_prefix("node/").unwrap_or(name);
    let Some(Object::Node(mut node)) = cluster.store().get(Kind::Node, "", name).cloned() else {
        return Output::error(not_found(Kind::Node, name));
    };
    let current = node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
    let word = if unschedulable {
        "cordoned"
    } else {
        "uncordoned"
    };
    if current == unschedulable {
        return Output::ok(format!("node/{name} already {word}\n"));
    }
    node.spec.get_or_insert_with(Default::default).unschedulable = unschedulable.then_some(true);
    if let Err(error) = cluster.update(Object::from(node)) {
        return Output::error(format!("Error from server ({}): {error}", error.reason));
    }
    Output::ok(format!("node/{name} {word}\n"))
}

#[cfg(test)]
mod tests {
    use crate::{run, NoFiles, Output};
    use daemonlab_core::sim::Cluster;

    fn kubectl(cluster: &mut Cluster, line: &str) -> Output {
        let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
        run(cluster, &argv, "", &NoFiles)
    }

    #[test]
    fn several_objects_take_the_same_changes_in_order() {
        let mut cluster = Cluster::new(1);
        let nodes = "apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: b\n";
        let argv: Vec<String> = ["apply", "-f", "-"].map(String::from).to_vec();
        assert_eq!(run(&mut cluster, &argv, nodes, &NoFiles).exit_code, 0);
        assert_eq!(
            kubectl(&mut cluster, "label nodes a b ssd=true").stdout,
            "node/a labeled\nnode/b labeled\n"
        );
        assert_eq!(
            kubectl(&mut cluster, "label node/a node/b ssd-").stdout,
            "node/a unlabeled\nnode/b unlabeled\n"
        );
        assert_eq!(
            kubectl(&mut cluster, "taint nodes a b gpu=true:NoSchedule").stdout,
            "node/a tainted\nnode/b tainted\n"
        );
        let out = kubectl(&mut cluster, "label nodes a x=1 b");
        assert_eq!(
            out.stderr,
            "error: all resources must be specified before label changes: b\n"
        );
        assert_eq!(
            kubectl(&mut cluster, "label node a nope-").stdout,
            "label \"nope\" not found.\nnode/a not labeled\n"
        );
        assert_eq!(
            kubectl(&mut cluster, "label node a x=1 x-").stderr,
            "error: can not both modify and remove a label in the same command\n"
        );
        // The first object's change stays when a later one fails, as in kubectl.
        let out = kubectl(&mut cluster, "label nodes a nope zone=z1");
        assert_eq!(out.stdout, "node/a labeled\n");
        assert_eq!(
            out.stderr,
            "Error from server (NotFound): nodes \"nope\" not found\n"
        );
    }
}
