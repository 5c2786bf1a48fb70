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

/// `TYPE NAME` or `TYPE/NAME` at the start of the positionals, and what follows.
fn target<'a>(store: &Store, args: &'a Args) -> Result<(Kind, String, &'a [String]), String> {
    let Some(first) = args.positional.first() else {
        return Err("error: resource(s) were provided, but no name was specified".to_string());
    };
    let (kind, name, rest) = match first.split_once('/') {
        Some((kind, name)) => (kind, name.to_string(), &args.positional[1..]),
        None => {
            let Some(name) = args.positional.get(1) else {
                return Err(
                    "error: resource(s) were provided, but no name was specified".to_string(),
                );
            };
            (first.as_str(), name.clone(), &args.positional[2..])
        }
    };
    let kind = resolve(store, kind)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{kind}\""))?;
    Ok((kind, name, rest))
}

/// `kubectl label` and `kubectl annotate`: `k=v` sets, `k-` removes.
pub fn label(cluster: &mut Cluster, args: &Args, annotate: bool) -> Output {
    let (kind, name, changes) = match target(cluster.store(), args) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let namespace = if kind.namespaced() {
        args.value(&["-n", "--namespace"]).unwrap_or("default")
    } else {
        ""
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
    let Some(mut object) = cluster.store().get(kind, namespace, &name).cloned() else {
        return Output::error(not_found(kind, &name));
    };
    let what = if annotate { "annotations" } else { "labels" };
    if changes.is_empty() {
        return Output::error(format!(
            "error: at least one {} update is required",
            &what[..what.len() - 1]
        ));
    }
    let overwrite = args.flag(&["--overwrite"]);
    let meta = object.metadata_mut();
    let map: &mut Option<BTreeMap<String, String>> = if annotate {
        &mut meta.annotations
    } else {
        &mut meta.labels
    };
    let current = map.clone().unwrap_or_default();
    let mut next = current.clone();
    for change in changes {
        if let Some(key) = change.strip_suffix('-') {
            next.remove(key);
        } else if let Some((key, value)) = change.split_once('=') {
            if let Some(old) = current.get(key).filter(|old| *old != value) {
                if !overwrite {
                    return Output::error(format!(
                        "error: '{key}' already has a value ({old}), and --overwrite is false"
                    ));
                }
            }
            next.insert(key.to_string(), value.to_string());
        } else {
            return Output::error(format!(
                "error: at least one {} update is required",
                &what[..what.len() - 1]
            ));
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
            return Output::error(format!("Error from server ({}): {error}", error.reason));
        }
    }
    Output::ok(format!("{}/{name} {verb}\n", kind.resource()))
}

fn parse_taint(spec: &str) -> Result<Taint, String> {
    let (key_value, effect) = spec
        .split_once(':')
        .ok_or_else(|| format!("error: invalid taint spec: {spec}, unsupported taint effect"))?;
    if !matches!(effect, "NoSchedule" | "PreferNoSchedule" | "NoExecute") {
        return Err(format!(
            "error: invalid taint effect: {effect}, unsupported taint effect"
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
    let (kind, name, changes) = match target(cluster.store(), args) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    if kind != Kind::Node {
        return Output::error(format!(
            "error: invalid resource type {}, only node types are supported",
            kind.plural()
        ));
    }
    let Some(Object::Node(mut node)) = cluster.store().get(Kind::Node, "", &name).cloned() else {
        return Output::error(not_found(kind, &name));
    };
    let overwrite = args.flag(&["--overwrite"]);
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
                return Output::error(format!("error: taint \"{spec}\" not found"));
            }
            removed = true;
        } else {
            let new = match parse_taint(change) {
                Ok(t) => t,
                Err(e) => return Output::error(e),
            };
            match taints.iter_mut().find(|t| t.key == new.key && t.effect == new.effect) {
                Some(_) if !overwrite => {
                    return Output::error(format!(
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
            return Output::error(format!("Error from server ({}): {error}", error.reason));
        }
    }
    Output::ok(format!("node/{name} {verb}\n"))
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
