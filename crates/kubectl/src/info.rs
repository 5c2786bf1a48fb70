//! `kubectl version` and `kubectl api-resources`: what the simulated cluster
//! is and serves.

use daemonlab_core::api::store::Store;
use daemonlab_core::api::Kind;
use daemonlab_core::controllers::kubelet::KUBELET_VERSION as KUBERNETES_VERSION;

use crate::args::Args;
use crate::table::layout;
use crate::Output;

/// The kustomize release built into kubectl of that version.
const KUSTOMIZE_VERSION: &str = "v5.8.1";

/// The `version.Info` fields of a build of that release, in the struct's
/// order; a server adds its emulation and compatibility versions.
pub fn version_info(server: bool) -> Vec<(&'static str, String)> {
    let (major, minor) = KUBERNETES_VERSION
        .trim_start_matches('v')
        .split_once('.')
        .map(|(major, rest)| (major, rest.split('.').next().unwrap_or(rest)))
        .unwrap_or(("1", "36"));
    let mut fields = vec![("major", major.to_string()), ("minor", minor.to_string())];
    if server {
        let previous = minor
            .parse::<u32>()
            .map_or(String::new(), |m| (m - 1).to_string());
        fields.extend([
            ("emulationMajor", major.to_string()),
            ("emulationMinor", minor.to_string()),
            ("minCompatibilityMajor", major.to_string()),
            ("minCompatibilityMinor", previous),
        ]);
    }
    fields.extend(
        [
            ("gitVersion", KUBERNETES_VERSION),
            ("gitCommit", "0f29094e5b73085e3802ecc1298ecae13866bfe6"),
            ("gitTreeState", "clean"),
            ("buildDate", "2026-07-22T18:10:35Z"),
            ("goVersion", "go1.26.5"),
            ("compiler", "gc"),
            ("platform", "linux/amd64"),
        ]
        .map(|(k, v)| (k, v.to_string())),
    );
    fields
}

/// `kubectl version [--client] [-o json|yaml]`.
pub fn version(args: &Args) -> Output {
    let client_only = args.flag(&["--client"]);
    let mut sections = vec![("clientVersion", version_info(false))];
    if !client_only {
        sections.push(("serverVersion", version_info(true)));
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
        // `json.MarshalIndent(…, "", "  ")`, the struct's fields in order.
        "json" => {
            let object = |fields: &[(&str, String)]| {
                fields
                    .iter()
                    .map(|(k, v)| format!("    \"{k}\": \"{v}\""))
                    .collect::<Vec<_>>()
                    .join(",\n")
            };
            let mut parts: Vec<String> = sections
                .iter()
                .map(|(name, fields)| format!("  \"{name}\": {{\n{}\n  }}", object(fields)))
                .collect();
            parts.insert(
                1,
                format!("  \"kustomizeVersion\": \"{KUSTOMIZE_VERSION}\""),
            );
            Output::ok(format!("{{\n{}\n}}\n", parts.join(",\n")))
        }
        "yaml" => {
            // The YAML printer goes through a map: keys come sorted.
            let object = |fields: &[(&str, String)]| -> String {
                let mut sorted = fields.to_vec();
                sorted.sort();
                sorted
                    .iter()
                    .map(|(k, v)| {
                        // go-yaml quotes strings that would read as numbers or times.
                        let quoted = v.parse::<f64>().is_ok() || v.ends_with('Z');
                        let v = if quoted {
                            format!("\"{v}\"")
                        } else {
                            v.clone()
                        };
                        format!("  {k}: {v}\n")
                    })
                    .collect()
            };
            let mut text = format!(
                "clientVersion:\n{}kustomizeVersion: {KUSTOMIZE_VERSION}\n",
                object(&sections[0].1)
            );
            if let Some((_, server)) = sections.get(1) {
                text.push_str(&format!("serverVersion:\n{}", object(server)));
            }
            Output::ok(text + "\n")
        }
        _ => Output::error("error: --output must be 'yaml' or 'json'"),
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
