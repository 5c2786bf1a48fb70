//! `kubectl patch`: a strategic merge patch (the default), a JSON merge patch
//! (RFC 7386) or a JSON patch (RFC 6902) of one object, or of its `status`
//! subresource (`--subresource=status`, as a device plugin advertises an
//! extended resource in a node's capacity).

use daemonlab_core::api::errors::Reason;
use daemonlab_core::api::patch::PatchType;
use daemonlab_core::api::Kind;
use daemonlab_core::sim::Cluster;
use serde_json::Value;

use crate::args::Args;
use crate::get::not_found;
use crate::resources::resolve;
use crate::written::print;
use crate::{Files, Output};

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-p",
    "--patch",
    "--patch-file",
    "--type",
    "--subresource",
    "-o",
    "--output",
];
pub const BOOL_FLAGS: &[&str] = &[];

const TYPES: &str = "[json merge strategic]";

pub fn run(cluster: &mut Cluster, args: &Args, files: &dyn Files) -> Output {
    match patch(cluster, args, files) {
        Ok(text) => Output::ok(text),
        Err(message) => Output::error(message),
    }
}

fn patch(cluster: &mut Cluster, args: &Args, files: &dyn Files) -> Result<String, String> {
    let text =
        match (
            args.value(&["-p", "--patch"]),
            args.value(&["--patch-file"]),
        ) {
            (Some(_), Some(_)) => {
                return Err("error: cannot specify --patch and --patch-file together".into())
            }
            (None, None) => return Err(
                "error: must specify --patch or --patch-file containing the contents of the patch"
                    .into(),
            ),
            (Some(text), None) => text.to_string(),
            (None, Some(path)) => files.read(path).ok_or_else(|| {
                format!("error: unable to read patch file: open {path}: no such file or directory")
            })?,
        };
    let kind_of_patch = match args.value(&["--type"]).map(str::to_lowercase).as_deref() {
        None | Some("strategic") => PatchType::Strategic,
        Some("merge") => PatchType::Merge,
        Some("json") => PatchType::Json,
        Some(_) => {
            return Err(format!(
                "error: --type must be one of {TYPES}, not {:?}",
                args.value(&["--type"]).unwrap_or_default()
            ))
        }
    };
    let status_only = match args.value(&["--subresource"]) {
        None => false,
        Some("status") => true,
        Some(other) => {
            return Err(format!(
                "error: invalid subresource value: {other:?}. Must be one of [status scale]"
            ))
        }
    };
    let patch: Value = serde_yaml::from_str(&text)
        .map_err(|e| format!("error: unable to parse {text:?}: yaml: {e}"))?;
    let (kind, name) = target(cluster, &args.positional)?;
    let namespace = if kind.namespaced() {
        args.value(&["-n", "--namespace"]).unwrap_or("default")
    } else {
        ""
    };
    let (stored, after) = cluster
        .patch(
            (kind, namespace, &name),
            kind.api_version(),
            kind_of_patch,
            &patch,
            status_only,
        )
        .map_err(|e| match e.reason {
            // kubectl's words for an Invalid status that names no object.
            Reason::Invalid if e.details.kind.is_empty() => {
                format!("The request is invalid: {}", e.message)
            }
            Reason::NotFound => not_found(kind, &name),
            _ => format!("Error from server ({}): {e}", e.reason),
        })?;
    let changed = after != stored;
    match args.value(&["-o", "--output"]) {
        Some(format) => print(&[(kind.resource(), after.to_json())], format),
        None => Ok(format!(
            "{}/{name} {}\n",
            kind.resource(),
            if changed {
                "patched"
            } else {
                "patched (no change)"
            }
        )),
    }
}

/// `TYPE NAME` or `TYPE/NAME`.
fn target(cluster: &Cluster, positional: &[String]) -> Result<(Kind, String), String> {
    let (kind, name) = match positional {
        [one] if one.contains('/') => one.split_once('/').map(|(k, n)| (k, n.to_string())),
        [kind, name] => Some((kind.as_str(), name.clone())),
        _ => None,
    }
    .ok_or_else(|| {
        "error: you must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".to_string()
    })?;
    let kind = resolve(cluster.store(), kind)
        .ok_or_else(|| format!("error: the server doesn't have a resource type {kind:?}"))?;
    Ok((kind, name))
}
