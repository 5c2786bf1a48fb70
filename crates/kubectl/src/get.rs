//! `kubectl get`: tables with the columns of `pkg/printers/internalversion`,
//! `-o wide|yaml|json|name`, `-n`, `-A`, `-l`, `--no-headers`, `--show-labels`.

use std::collections::BTreeMap;

use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::controllers::pod_node_name;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{node_roles, node_status};
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;
use serde_json::Value;

use crate::args::Args;
use crate::jsonpath::{go_syntax, Template};
use crate::resources::resolve;
use crate::selector::{format_label_selector, Selector};
use crate::table::{human_duration, layout};
use crate::yaml::to_yaml;
use crate::Output;

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
];
pub const BOOL_FLAGS: &[&str] = &["-A", "--all-namespaces", "--no-headers", "--show-labels"];

const NO_RESOURCE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// The fields a resource can be selected by with `--field-selector`.
fn selectable_fields(kind: Kind) -> &'static [&'static str] {
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
type FieldSelector = Vec<(String, bool, String)>;

fn parse_field_selector(text: &str) -> Result<FieldSelector, String> {
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

fn field_matches(object: &Object, selector: &FieldSelector) -> bool {
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

/// How old something created at `created` is, `now`, as kubectl prints AGE.
pub fn age(created: Option<&Time>, now: Timestamp) -> String {
    let Some(created) = created else {
        return human_duration(None, false);
    };
    let seconds = now.as_second() - created.0.as_second();
    human_duration(
        Some(std::time::Duration::from_secs(seconds.unsigned_abs())),
        seconds < 0,
    )
}

fn labels_of(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// `k=v,k2=v2` sorted by key, or `<none>`.
fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        "<none>".to_string()
    } else {
        labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// READY, STATUS and RESTARTS of `kubectl get pods` (`printPod`).
pub fn pod_columns(pod: &Pod, now: Timestamp) -> (String, String, String) {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let total = spec.containers.len();
    let mut reason = status
        .reason
        .clone()
        .or(status.phase.clone())
        .unwrap_or_else(|| "Pending".to_string());
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart: Option<Timestamp> = None;
    for container in status.container_statuses.iter().flatten().rev() {
        restarts += container.restart_count;
        if let Some(finished) = container
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
        {
            last_restart = Some(last_restart.map_or(finished.0, |t: Timestamp| t.max(finished.0)));
        }
        let state = container.state.clone().unwrap_or_default();
        if let Some(waiting) = state.waiting.as_ref().and_then(|w| w.reason.clone()) {
            reason = waiting;
        } else if let Some(terminated) = &state.terminated {
            reason = terminated
                .reason
                .clone()
                .unwrap_or_else(|| match terminated.signal {
                    Some(signal) if signal != 0 => format!("Signal:{signal}"),
                    _ => format!("ExitCode:{}", terminated.exit_code),
                });
        } else if container.ready && state.running.is_some() {
            ready += 1;
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.reason.as_deref() == Some("NodeLost") {
            "Unknown".to_string()
        } else {
            "Terminating".to_string()
        };
    }
    let restarts = match (restarts, last_restart) {
        (0, _) | (_, None) => restarts.to_string(),
        (n, Some(at)) => format!("{n} ({} ago)", age(Some(&Time(at)), now)),
    };
    (format!("{ready}/{total}"), reason, restarts)
}

fn node_internal_ip(node: &Node) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map_or_else(|| "<none>".to_string(), |a| a.address.clone())
}

/// One kind's table: headers, then a row per object.
fn table(
    kind: Kind,
    objects: &[&Object],
    now: Timestamp,
    wide: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let header = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let created = |o: &Object| age(o.metadata().creation_timestamp.as_ref(), now);
    match kind {
        Kind::Node => {
            let mut headers = header(&["NAME", "STATUS", "ROLES", "AGE", "VERSION"]);
            if wide {
                headers.extend(header(&[
                    "INTERNAL-IP",
                    "EXTERNAL-IP",
                    "OS-IMAGE",
                    "KERNEL-VERSION",
                    "CONTAINER-RUNTIME",
                ]));
            }
            let rows = objects
                .iter()
                .filter_map(|o| Some((o, Node::of(o)?)))
                .map(|(o, node)| {
                    let info = node
                        .status
                        .as_ref()
                        .and_then(|s| s.node_info.clone())
                        .unwrap_or_default();
                    let roles = node_roles(node);
                    let mut row = vec![
                        o.name().to_string(),
                        node_status(node),
                        if roles.is_empty() {
                            "<none>".to_string()
                        } else {
                            roles.join(",")
                        },
                        created(o),
                        info.kubelet_version.clone(),
                    ];
                    if wide {
                        row.extend([
                            node_internal_ip(node),
                            "<none>".to_string(),
                            info.os_image,
                            info.kernel_version,
                            info.container_runtime_version,
                        ]);
                    }
                    row
                })
                .collect();
            (headers, rows)
        }
        Kind::Pod => {
            let mut headers = header(&["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
            if wide {
                headers.extend(header(&["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]));
            }
            let rows = objects
                .iter()
                .filter_map(|o| Some((o, Pod::of(o)?)))
                .map(|(o, pod)| {
                    let (ready, status, restarts) = pod_columns(pod, now);
                    let mut row = vec![o.name().to_string(), ready, status, restarts, created(o)];
                    if wide {
                        let pod_status = pod.status.clone().unwrap_or_default();
                        let none = || "<none>".to_string();
                        row.extend([
                            pod_status
                                .pod_ip
                                .clone()
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(none),
                            pod_node_name(pod).map_or_else(none, str::to_string),
                            pod_status
                                .nominated_node_name
                                .clone()
                                .filter(|s| !s.is_empty())
                                .unwrap_or_else(none),
                            none(),
                        ]);
                    }
                    row
                })
                .collect();
            (headers, rows)
        }
        Kind::DaemonSet => {
            let mut headers = header(&[
                "NAME",
                "DESIRED",
                "CURRENT",
                "READY",
                "UP-TO-DATE",
                "AVAILABLE",
                "NODE SELECTOR",
                "AGE",
            ]);
            if wide {
                headers.extend(header(&["CONTAINERS", "IMAGES", "SELECTOR"]));
            }
            let rows = objects
                .iter()
                .filter_map(|o| Some((o, DaemonSet::of(o)?)))
                .map(|(o, ds)| daemonset_row(ds, created(o), wide))
                .collect();
            (headers, rows)
        }
        Kind::Namespace => (
            header(&["NAME", "STATUS", "AGE"]),
            objects
                .iter()
                .map(|o| {
                    let phase = match o {
                        Object::Namespace(ns) => ns
                            .status
                            .as_ref()
                            .and_then(|s| s.phase.clone())
                            .unwrap_or_default(),
                        _ => String::new(),
                    };
                    vec![o.name().to_string(), phase, created(o)]
                })
                .collect(),
        ),
        Kind::PriorityClass => (
            header(&["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]),
            objects
                .iter()
                .filter_map(|o| Some((o, PriorityClass::of(o)?)))
                .map(|(o, pc)| {
                    vec![
                        o.name().to_string(),
                        pc.value.unwrap_or(0).to_string(),
                        pc.global_default.unwrap_or(false).to_string(),
                        created(o),
                        pc.preemption_policy.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        Kind::ControllerRevision => (
            header(&["NAME", "CONTROLLER", "REVISION", "AGE"]),
            objects
                .iter()
                .filter_map(|o| Some((o, ControllerRevision::of(o)?)))
                .map(|(o, cr)| {
                    let controller = cr
                        .metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .find(|r| r.controller == Some(true))
                        .map_or_else(
                            || "<none>".to_string(),
                            |r| {
                                format!(
                                    "{}.{}/{}",
                                    r.kind.to_lowercase(),
                                    r.api_version.split('/').next().unwrap_or(""),
                                    r.name
                                )
                            },
                        );
                    vec![
                        o.name().to_string(),
                        controller,
                        cr.revision.to_string(),
                        created(o),
                    ]
                })
                .collect(),
        ),
        Kind::Event => (
            header(&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]),
            objects
                .iter()
                .filter_map(|o| Event::of(o))
                .map(|ev| {
                    let last = ev
                        .last_timestamp
                        .as_ref()
                        .or(ev.first_timestamp.as_ref())
                        .or(ev.metadata.creation_timestamp.as_ref());
                    vec![
                        age(last, now),
                        ev.type_.clone().unwrap_or_default(),
                        ev.reason.clone().unwrap_or_default(),
                        format!(
                            "{}/{}",
                            ev.involved_object
                                .kind
                                .clone()
                                .unwrap_or_default()
                                .to_lowercase(),
                            ev.involved_object.name.clone().unwrap_or_default()
                        ),
                        ev.message.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        ),
        Kind::ServiceAccount => (
            header(&["NAME", "SECRETS", "AGE"]),
            objects
                .iter()
                .map(|o| {
                    let secrets = match o {
                        Object::ServiceAccount(sa) => sa.secrets.as_ref().map_or(0, Vec::len),
                        _ => 0,
                    };
                    vec![o.name().to_string(), secrets.to_string(), created(o)]
                })
                .collect(),
        ),
        Kind::ConfigMap => (
            header(&["NAME", "DATA", "AGE"]),
            objects
                .iter()
                .map(|o| {
                    let data = match o {
                        Object::ConfigMap(cm) => {
                            cm.data.as_ref().map_or(0, BTreeMap::len)
                                + cm.binary_data.as_ref().map_or(0, BTreeMap::len)
                        }
                        _ => 0,
                    };
                    vec![o.name().to_string(), data.to_string(), created(o)]
                })
                .collect(),
        ),
    }
}

fn daemonset_row(ds: &DaemonSet, age: String, wide: bool) -> Vec<String> {
    let status = ds.status.clone().unwrap_or_default();
    let spec = ds.spec.clone().unwrap_or_default();
    let pod_spec = spec.template.spec.clone().unwrap_or_default();
    let mut row = vec![
        ds.metadata.name.clone().unwrap_or_default(),
        status.desired_number_scheduled.to_string(),
        status.current_number_scheduled.to_string(),
        status.number_ready.to_string(),
        status.updated_number_scheduled.unwrap_or(0).to_string(),
        status.number_available.unwrap_or(0).to_string(),
        format_labels(&pod_spec.node_selector.clone().unwrap_or_default()),
        age,
    ];
    if wide {
        row.extend([
            pod_spec
                .containers
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join(","),
            pod_spec
                .containers
                .iter()
                .map(|c| c.image.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(","),
            format_label_selector(&spec.selector),
        ]);
    }
    row
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

/// `HEADER:path,HEADER:path` of `-o custom-columns=`.
fn custom_columns(spec: &str) -> Result<Vec<(String, Template)>, String> {
    if spec.is_empty() {
        return Err(
            "error: custom-columns format specified but no custom columns given".to_string(),
        );
    }
    spec.split(',')
        .map(|column| {
            let (header, path) = column.split_once(':').ok_or_else(|| {
                format!("error: unexpected custom-columns spec: {column}, expected <header>:<json-path-expr>")
            })?;
            let template = Template::parse_relaxed(path)
                .map_err(|e| format!("error: unrecognized column definition {path:?}: {e}"))?;
            Ok((header.to_string(), template))
        })
        .collect()
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
pub fn run(cluster: &Cluster, args: &Args) -> Output {
    let Some(first) = args.positional.first() else {
        return Output::error(NO_RESOURCE);
    };
    let (type_arg, mut names) = crate::resources::type_and_names(first, &args.positional[1..]);
    if type_arg.contains(',') {
        names.clear();
    }
    let mut kinds = Vec::new();
    for part in type_arg.split(',') {
        match resolve(part) {
            Some(kind) => kinds.push(kind),
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
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    let now = cluster.now();
    let store = cluster.store();

    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut found_any = false;
    let mut documents: Vec<Value> = Vec::new();
    let mut custom_rows: Vec<Vec<String>> = Vec::new();
    let jsonpath = match output
        .strip_prefix("jsonpath=")
        .map(|text| Template::parse(text).map_err(|e| (text, e)))
    {
        Some(Err((text, e))) => {
            return Output::error(format!("error: error parsing jsonpath {text}, {e}\n"))
        }
        Some(Ok(template)) => Some(template),
        None => None,
    };
    let generic = matches!(output, "yaml" | "json") || jsonpath.is_some();
    let several_kinds = kinds.len() > 1;
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
        found_any = true;
        match output {
            _ if generic => documents.extend(objects.iter().map(|o| o.to_json())),
            "name" => {
                for o in &objects {
                    stdout.push_str(&format!("{}/{}\n", kind.resource(), o.name()));
                }
            }
            spec if spec.starts_with("custom-columns=") => {
                let columns = match custom_columns(&spec["custom-columns=".len()..]) {
                    Ok(columns) => columns,
                    Err(error) => return Output::error(error),
                };
                let mut rows = Vec::new();
                if !args.flag(&["--no-headers"]) && custom_rows.is_empty() {
                    rows.push(columns.iter().map(|(h, _)| h.clone()).collect());
                }
                for object in &objects {
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
                custom_rows.extend(rows);
            }
            "" | "wide" => {
                let (mut headers, rows) = table(*kind, &objects, now, output == "wide");
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
            other => {
                return Output::error(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
                ))
            }
        }
    }
    if !custom_rows.is_empty() {
        stdout.push_str(&layout(&custom_rows));
    }
    // Other printers than tables print what they got, even an empty list.
    if generic && (found_any || names.is_empty()) {
        let single = names.len() == 1 && kinds.len() == 1 && documents.len() == 1;
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
        match &jsonpath {
            Some(template) => match template.render(&value) {
                Ok(text) => stdout = text,
                Err(error) => {
                    let raw = output.trim_start_matches("jsonpath=");
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
    Output {
        stdout,
        stderr,
        exit_code,
        ..Default::default()
    }
}
