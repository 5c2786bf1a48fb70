//! `kubectl version` and `kubectl api-resources`: what the simulated cluster
//! is and serves.

use daemonlab_core::api::store::Store;
use daemonlab_core::api::Kind;
use daemonlab_core::controllers::kubelet::KUBELET_VERSION as KUBERNETES_VERSION;

use crate::args::Args;
use crate::table::layout;
use crate::Output;

/// The kustomize release built into kubectl of that version.
const KUSTOMIZE_VERSION: &str = "v5.7.1";

/// `kubectl version [--client] [-o json|yaml]`.
pub fn version(args: &Args) -> Output {
    let client_only = args.flag(&["--client"]);
    let (major, minor) = KUBERNETES_VERSION
        .trim_start_matches('v')
        .split_once('.')
        .map(|(major, rest)| (major, rest.split('.').next().unwrap_or(rest)))
        .unwrap_or(("1", "36"));
    // Go prints the version struct's fields in their declared order.
    let fields = [
        ("major", major),
        ("minor", minor),
        ("gitVersion", KUBERNETES_VERSION),
        ("gitTreeState", "clean"),
        ("compiler", "gc"),
        ("platform", "linux/amd64"),
    ];
    let mut sections = vec!["clientVersion"];
    if !client_only {
        sections.push("serverVersion");
    }
    match args.value(&["-o", "--output"]).unwrap_or("") {
        "" => {
            let mut text = format!(
                "Client Version: {KUBERNETES_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
            );
            if !client_only {
                text.push_str(&format!("Server Version: {KUBERNETES_VERSION}\n"));
            }
            Output::ok(text)
        }
        "json" => {
            let object = |indent: &str| {
                fields
                    .iter()
                    .map(|(k, v)| format!("{indent}    \"{k}\": \"{v}\""))
                    .collect::<Vec<_>>()
                    .join(",\n")
            };
            let mut parts: Vec<String> = sections
                .iter()
                .map(|name| format!("    \"{name}\": {{\n{}\n    }}", object("    ")))
                .collect();
            parts.insert(
                1,
                format!("    \"kustomizeVersion\": \"{KUSTOMIZE_VERSION}\""),
            );
            Output::ok(format!("{{\n{}\n}}\n", parts.join(",\n")))
        }
        "yaml" => {
            // The YAML printer goes through a map: keys come sorted.
            let mut sorted = fields;
            sorted.sort();
            let object: String = sorted
                .iter()
                .map(|(k, v)| {
                    // go-yaml quotes strings that would read as numbers.
                    let v = if v.parse::<f64>().is_ok() {
                        format!("\"{v}\"")
                    } else {
                        v.to_string()
                    };
                    format!("  {k}: {v}\n")
                })
                .collect();
            let mut text =
                format!("clientVersion:\n{object}kustomizeVersion: {KUSTOMIZE_VERSION}\n");
            if !client_only {
                text.push_str(&format!("serverVersion:\n{object}"));
            }
            Output::ok(text + "\n")
        }
        other => Output::error(format!(
            "error: --output must be 'yaml' or 'json', but got '{other}'"
        )),
    }
}

/// The verbs the API server allows on a resource, as discovery lists them.
fn verbs(kind: Kind) -> &'static str {
    match kind {
        Kind::Namespace => "create,delete,get,list,patch,update,watch",
        _ => "create,delete,deletecollection,get,list,patch,update,watch",
    }
}

/// `kubectl api-resources`: the resources the simulated API server serves,
/// custom ones included, sorted by group (core first) and then by name.
pub fn api_resources(store: &Store, args: &Args) -> Output {
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    if !matches!(output, "" | "wide" | "name") {
        return Output::error(format!("error: --output {output} is not available"));
    }
    let namespaced = match args.value(&["--namespaced"]) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Output::error(format!(
                "error: invalid argument \"{other}\" for \"--namespaced\" flag: strconv.ParseBool: parsing \"{other}\": invalid syntax"
            ))
        }
    };
    let group = args.value(&["--api-group"]);
    let mut kinds: Vec<Kind> = store
        .kinds()
        .filter(|k| namespaced.is_none_or(|n| k.namespaced() == n))
        .filter(|k| group.is_none_or(|g| k.group() == g))
        .collect();
    match args.value(&["--sort-by"]) {
        Some("name") => kinds.sort_by_key(|k| (k.plural(), k.group())),
        Some("kind") => kinds.sort_by_key(|k| (k.name(), k.plural())),
        Some(other) => {
            return Output::error(format!(
                "error: --sort-by accepts only name or kind, got {other:?}"
            ))
        }
        None => kinds.sort_by_key(|k| (k.group(), k.plural())),
    }
    if output == "name" {
        return Output::ok(
            kinds
                .iter()
                .map(|k| match k.group() {
                    "" => format!("{}\n", k.plural()),
                    g => format!("{}.{g}\n", k.plural()),
                })
                .collect(),
        );
    }
    let wide = output == "wide";
    let mut rows = Vec::new();
    if !args.flag(&["--no-headers"]) {
        let mut header: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
            .map(String::from)
            .to_vec();
        if wide {
            header.extend(["VERBS".to_string(), "CATEGORIES".to_string()]);
        }
        rows.push(header);
    }
    for kind in kinds {
        let mut row = vec![
            kind.plural().to_string(),
            kind.short_names().join(","),
            kind.api_version().to_string(),
            kind.namespaced().to_string(),
            kind.name().to_string(),
        ];
        if wide {
            row.push(format!("[{}]", verbs(kind).replace(',', " ")));
            row.push(kind.categories().join(","));
        }
        rows.push(row);
    }
    Output::ok(layout(&rows))
}
