//! `kubectl get`: tables with the columns of `pkg/printers/internalversion`,
//! `-o wide|yaml|json|name`, `-n`, `-A`, `-l`, `--no-headers`, `--show-labels`.

use std::collections::BTreeMap;

use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use crate::args::Args;
use crate::gotemplate::GoTemplate;
use crate::jsonpath::{go_syntax, Template};
use crate::kyaml::to_kyaml;
use crate::output_file;
use crate::printers::{format_labels, table};
use crate::resources::expand;
use crate::selector::Selector;
use crate::sort_by::SortBy;
use crate::table::layout;
use crate::yaml::to_yaml;
use crate::{Files, Output};

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-L",
    "--label-columns",
    "--field-selector",
    "--sort-by",
];
pub const BOOL_FLAGS: &[&str] = &["-A", "--all-namespaces", "--no-headers", "--show-labels"];

const ENDPOINTS_DEPRECATED: &str =
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\n";

const NO_RESOURCE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// The fields a resource can be selected by with `--field-selector`.
pub fn selectable_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        Kind::Event => &[
            "metadata.name",
            "metadata.namespace",
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Node => &["metadata.name", "spec.unschedulable"],
        Kind::Namespace => &["metadata.name", "status.phase"],
        _ => &["metadata.name", "metadata.namespace"],
    }
}

/// `--field-selector`: `field=value`, `field==value`, `field!=value`, comma-separated.
pub type FieldSelector = Vec<(String, bool, String)>;

pub fn parse_field_selector(text: &str) -> Result<FieldSelector, String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(|part| {
            if let Some((field, value)) = part.split_once("!=") {
                Ok((field.to_string(), false, value.to_string()))
            } else if let Some((field, value)) =
                part.split_once("==").or_else(|| part.split_once('='))
            {
                Ok((field.to_string(), true, value.to_string()))
            } else {
                Err(format!(
                    "error: invalid selector: '{text}'; can't understand '{part}'"
                ))
            }
        })
        .collect()
}

pub fn field_matches(object: &Object, selector: &FieldSelector) -> bool {
    let json = object.to_json();
    selector.iter().all(|(field, equal, value)| {
        let actual = match json.pointer(&format!("/{}", field.replace('.', "/"))) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        (actual == *value) == *equal
    })
}

pub fn labels_of(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// `kubectl get -o json`: Go's `json.MarshalIndent` with four spaces, which also
/// escapes `<`, `>` and `&`.
pub fn to_json(value: &Value) -> String {
    let mut buffer = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffer, formatter);
    let _ = serde::Serialize::serialize(value, &mut serializer);
    let text = String::from_utf8(buffer).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        + "\n"
}

/// The columns of `-o custom-columns=HEADER:path,…` or of
/// `-o custom-columns-file=PATH`; `None` for other formats.
fn custom_columns(
    output: &str,
    files: &dyn Files,
) -> Option<Result<Vec<(String, Template)>, String>> {
    let columns = match output.split_once('=')? {
        ("custom-columns", spec) => spec
            .split(',')
            .map(|column| {
                column
                    .split_once(':')
                    .map(|(h, p)| (h.to_string(), p.to_string()))
                    .ok_or_else(|| format!("error: unexpected custom-columns spec: {column}, expected <header>:<json-path-expr>"))
            })
            .collect::<Result<Vec<_>, String>>(),
        ("custom-columns-file", path) => output_file::custom_columns(files, path),
        _ => return None,
    };
    Some(columns.and_then(|columns| {
        columns
            .into_iter()
            .map(|(header, path)| {
                let template = Template::parse_relaxed(&path)
                    .map_err(|e| format!("error: unrecognized column definition {path:?}: {e}"))?;
                Ok((header, template))
            })
            .collect()
    }))
}

/// One custom-columns cell: every result as Go's `%v`, comma-separated.
fn custom_column_cell(results: &[Vec<std::borrow::Cow<'_, Value>>]) -> String {
    let values: Vec<String> = results
        .iter()
        .flatten()
        .map(|v| daemonlab_core::api::server::go_value(v, true))
        .collect();
    if values.is_empty() {
        "<none>".to_string()
    } else {
        values.join(",")
    }
}

pub(crate) fn not_found(kind: Kind, name: &str) -> String {
    let resource = match kind.group() {
        "" => kind.plural().to_string(),
        group => format!("{}.{group}", kind.plural()),
    };
    format!("Error from server (NotFound): {resource} \"{name}\" not found")
}

/// Runs `kubectl get`.
pub fn run(cluster: &Cluster, args: &Args, files: &dyn Files) -> Output {
    let Some(first) = args.positional.first() else {
        return Output::error(NO_RESOURCE);
    };
    let (type_arg, mut names) = crate::resources::type_and_names(first, &args.positional[1..]);
    if type_arg.contains(',') {
        names.clear();
    }
    let mut kinds = Vec::new();
    for part in type_arg.split(',') {
        match expand(cluster.store(), part) {
            Some(expanded) => kinds.extend(expanded),
            None => {
                return Output::error(format!(
                    "error: the server doesn't have a resource type \"{part}\""
                ))
            }
        }
    }
    let selector = match Selector::parse(args.value(&["-l", "--selector"]).unwrap_or("")) {
        Ok(selector) => selector,
        Err(error) => return Output::error(format!("error: {error}")),
    };
    let fields = match parse_field_selector(args.value(&["--field-selector"]).unwrap_or("")) {
        Ok(fields) => fields,
        Err(error) => return Output::error(error),
    };
    for kind in &kinds {
        if let Some((field, _, _)) = fields
            .iter()
            .find(|(f, _, _)| !selectable_fields(*kind).contains(&f.as_str()))
        {
            let (group, version) = kind
                .api_version()
                .split_once('/')
                .unwrap_or(("", kind.api_version()));
            return Output::error(format!(
                "Error from server (BadRequest): Unable to find \"{group}/{version}, Resource={}\" that match label selector \"{}\", field selector \"{}\": field label not supported: {field}",
                kind.plural(),
                args.value(&["-l", "--selector"]).unwrap_or(""),
                args.value(&["--field-selector"]).unwrap_or("")
            ));
        }
    }
    let all_namespaces = args.flag(&["-A", "--all-namespaces"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    // kubectl builds its printer once it has something to print (an object,
    // or a list even if empty): a bad format or template is reported then,
    // after the objects not found.
    let mut args = args.clone();
    let mut printer_error = output_file::inline(&mut args, files).err();
    let args = &args;
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    let now = cluster.now();
    let store = cluster.store();

    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut found_any = false;
    // `-o jsonpath-as-json` runs the same template and prints each action's
    // results as a JSON list.
    let (jsonpath_text, as_json) = match output.strip_prefix("jsonpath-as-json=") {
        Some(text) => (Some(text), true),
        None => (output.strip_prefix("jsonpath="), false),
    };
    let jsonpath = match jsonpath_text.map(|text| Template::parse(text).map_err(|e| (text, e))) {
        Some(Err((text, e))) => {
            printer_error.get_or_insert(format!("error: error parsing jsonpath {text}, {e}"));
            None
        }
        Some(Ok(template)) => Some(template),
        None => None,
    };
    let go_template = match output
        .strip_prefix("go-template=")
        .or_else(|| output.strip_prefix("template="))
        .map(|text| GoTemplate::parse(text).map_err(|e| (text, e)))
    {
        Some(Err((text, e))) => {
            printer_error.get_or_insert(format!(
                "error: error parsing template {text}, template: {e}"
            ));
            None
        }
        Some(Ok(template)) => Some(template),
        None => None,
    };
    let columns = match custom_columns(output, files) {
        Some(Err(error)) => {
            printer_error.get_or_insert(error);
            None
        }
        Some(Ok(columns)) => Some(columns),
        None => None,
    };
    let known = matches!(output, "" | "wide" | "name" | "yaml" | "json" | "kyaml")
        || jsonpath_text.is_some()
        || output.starts_with("go-template=")
        || output.starts_with("template=")
        || output.starts_with("custom-columns=")
        || output.starts_with("custom-columns-file=");
    if !known {
        printer_error.get_or_insert(format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml"
        ));
    }
    let sort_by = match args.value(&["--sort-by"]).filter(|s| !s.is_empty()) {
        Some(text) => match SortBy::parse(text) {
            Ok(sort_by) => Some(sort_by),
            Err(error) => return Output::error(error),
        },
        None => None,
    };
    let generic =
        matches!(output, "yaml" | "json" | "kyaml") || jsonpath.is_some() || go_template.is_some();
    // `-o name` and custom columns print the objects of every kind as one
    // list, which `--sort-by` sorts as one.
    let mut listed: Vec<(Kind, &Object)> = Vec::new();
    let several_kinds = kinds.len() > 1;
    // kubectl sorts each table (one per kind, or per object asked for by
    // name) on its own; several tables it first tries to sort as objects,
    // which have no such field.
    let table_sort = sort_by.as_ref().filter(|_| matches!(output, "" | "wide"));
    if let Some(sort_by) = table_sort {
        if (several_kinds || names.len() > 1) && !sort_by.is_table_field() {
            return Output::error(sort_by.not_found());
        }
    }
    let table_sort = table_sort.filter(|_| !several_kinds && names.len() <= 1);
    for kind in &kinds {
        let in_scope =
            |o: &&Object| !kind.namespaced() || all_namespaces || o.namespace() == namespace;
        let mut objects: Vec<&Object> = Vec::new();
        if names.is_empty() {
            objects.extend(
                store
                    .list(*kind)
                    .filter(in_scope)
                    .filter(|o| selector.matches(&labels_of(o.metadata())))
                    .filter(|o| field_matches(o, &fields)),
            );
        } else {
            for name in &names {
                let ns = if kind.namespaced() { namespace } else { "" };
                match store.get(*kind, ns, name) {
                    Some(object) => objects.push(object),
                    None => {
                        stderr.push_str(&not_found(*kind, name));
                        stderr.push('\n');
                    }
                }
            }
        }
        if objects.is_empty() {
            continue;
        }
        // A table whose rows all lack the field prints nothing: kubectl's
        // printer fails and its error goes unreported.
        if let Some(sort_by) = table_sort {
            if objects.len() > 1 && sort_by.sort(&mut objects, |o| o.to_json()).is_err() {
                continue;
            }
        }
        found_any = true;
        if printer_error.is_some() {
            continue;
        }
        match output {
            _ if generic => listed.extend(objects.iter().map(|o| (*kind, *o))),
            "name" => listed.extend(objects.iter().map(|o| (*kind, *o))),
            _ if columns.is_some() => listed.extend(objects.iter().map(|o| (*kind, *o))),
            "" | "wide" => {
                let (mut headers, rows) = table(*kind, &objects, store, now, output == "wide");
                let mut rows = rows;
                let label_columns: Vec<String> = args
                    .values(&["-L", "--label-columns"])
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(str::to_string)
                    .collect();
                for column in &label_columns {
                    headers.push(column.to_uppercase());
                }
                if args.flag(&["--show-labels"]) {
                    headers.push("LABELS".to_string());
                }
                for (row, object) in rows.iter_mut().zip(&objects) {
                    let labels = labels_of(object.metadata());
                    if several_kinds {
                        row[0] = format!("{}/{}", kind.resource(), row[0]);
                    }
                    for column in &label_columns {
                        row.push(labels.get(column).cloned().unwrap_or_default());
                    }
                    if args.flag(&["--show-labels"]) {
                        row.push(format_labels(&labels));
                    }
                    if all_namespaces && kind.namespaced() {
                        row.insert(0, object.namespace().to_string());
                    }
                }
                if all_namespaces && kind.namespaced() {
                    headers.insert(0, "NAMESPACE".to_string());
                }
                let mut all_rows = Vec::new();
                if !args.flag(&["--no-headers"]) {
                    all_rows.push(headers);
                }
                all_rows.extend(rows);
                if !stdout.is_empty() {
                    stdout.push('\n');
                }
                stdout.push_str(&layout(&all_rows));
            }
            _ => {}
        }
    }
    // The printer's error ends the command: objects not found go unreported.
    if let Some(error) = printer_error.filter(|_| found_any || names.is_empty()) {
        return Output::error(error);
    }
    let single = names.len() == 1 && kinds.len() == 1 && listed.len() == 1;
    if let Some(sort_by) = sort_by.as_ref().filter(|_| !single) {
        if let Err(error) = sort_by.sort(&mut listed, |(_, o)| o.to_json()) {
            return Output::error(error);
        }
    }
    if output == "name" {
        for (kind, o) in &listed {
            stdout.push_str(&format!("{}/{}\n", kind.resource(), o.name()));
        }
    }
    if let Some(columns) = columns.filter(|_| !listed.is_empty()) {
        let mut rows: Vec<Vec<String>> = Vec::new();
        if !args.flag(&["--no-headers"]) {
            rows.push(columns.iter().map(|(h, _)| h.clone()).collect());
        }
        for (_, object) in &listed {
            let json = object.to_json();
            let mut row = Vec::new();
            for (_, template) in &columns {
                match template.find(&json) {
                    Ok(results) => row.push(custom_column_cell(&results)),
                    Err(e) => return Output::error(format!("error: {e}")),
                }
            }
            rows.push(row);
        }
        stdout.push_str(&layout(&rows));
    }
    // Other printers than tables print what they got, even an empty list.
    if generic && (found_any || names.is_empty()) {
        let mut documents: Vec<Value> = listed.iter().map(|(_, o)| o.to_json()).collect();
        let value = if single {
            documents.remove(0)
        } else {
            serde_json::json!({
                "apiVersion": "v1",
                "items": documents,
                "kind": "List",
                "metadata": {"resourceVersion": ""}
            })
        };
        if let Some(template) = &go_template {
            return match template.render(&value) {
                Ok(text) => Output {
                    stdout: text,
                    stderr,
                    ..Default::default()
                },
                Err(error) => Output::error(format!(
                    "error: error executing template {:?}: template: output:1: {error}",
                    output.split_once('=').map_or("", |(_, t)| t)
                )),
            };
        }
        match &jsonpath {
            Some(template) => match template.render_as(&value, as_json) {
                Ok(text) => stdout = text,
                Err(error) => {
                    let raw = jsonpath_text.unwrap_or_default();
                    stderr.push_str(&format!(
                        "error: error executing jsonpath {raw:?}: Error executing template: {error}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{raw}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n",
                        go_syntax(&value)
                    ));
                    return Output {
                        stderr,
                        exit_code: 1,
                        ..Default::default()
                    };
                }
            },
            None if output == "yaml" => stdout = to_yaml(&value),
            None if output == "kyaml" => stdout = to_kyaml(&value),
            None => stdout = to_json(&value),
        }
    } else if !found_any && names.is_empty() {
        let any_namespaced = kinds.iter().any(|k| k.namespaced());
        stderr.push_str(&if any_namespaced && !all_namespaces {
            format!("No resources found in {namespace} namespace.\n")
        } else {
            "No resources found\n".to_string()
        });
    }
    let exit_code = i32::from(!names.is_empty() && stderr.contains("(NotFound)"));
    // The API server answers every v1 Endpoints request with this warning.
    let notice = if kinds.contains(&Kind::Endpoints) {
        ENDPOINTS_DEPRECATED.to_string()
    } else {
        String::new()
    };
    Output {
        notice,
        stdout,
        stderr,
        exit_code,
        ..Default::default()
    }
}
