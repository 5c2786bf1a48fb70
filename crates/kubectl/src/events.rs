//! `kubectl events [--for TYPE/NAME] [--types Normal,Warning] [-A]`: the
//! namespace's events oldest first (by last seen; ties in the order Go's sort
//! leaves them), each object as `Kind/name`, repeats as `(xN over AGE)`.

use daemonlab_core::api::{Kind, Object, Served};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use serde_json::{json, Value};

use crate::args::Args;
use crate::printers::age;
use crate::resources::resolve;
use crate::sort_by::go_sort;
use crate::table::layout;
use crate::yaml::to_yaml;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &["-n", "--namespace", "--for", "--types", "-o", "--output"];
pub const BOOL_FLAGS: &[&str] = &["-A", "--all-namespaces", "--no-headers", "-w", "--watch"];

pub fn run(cluster: &Cluster, args: &Args) -> Output {
    match events(cluster, args) {
        Ok(output) => output,
        Err(message) => Output::error(message),
    }
}

fn events(cluster: &Cluster, args: &Args) -> Result<Output, String> {
    if args.flag(&["-w", "--watch"]) {
        return Err("error: daemonlab does not simulate \"kubectl events --watch\": its terminal runs one command at a time; run kubectl events again after the clock moves".to_string());
    }
    let all_namespaces = args.flag(&["-A", "--all-namespaces"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let store = cluster.store();
    let target = match args.value(&["--for"]) {
        None => None,
        Some(text) => {
            let Some((type_name, name)) = text.split_once('/') else {
                return Err("error: --for must be in resource/name form".to_string());
            };
            if name.contains('/') {
                return Err(
                    "error: arguments in resource/name form may not have more than one slash"
                        .to_string(),
                );
            }
            let kind = resolve(store, type_name).ok_or_else(|| {
                format!(
                    "error: no matches for kind \"{}\" in group \"\"",
                    type_name.to_lowercase()
                )
            })?;
            Some((kind, name.to_string()))
        }
    };
    // A set, as kubectl keeps them; any case is accepted.
    let mut types: Vec<String> = args
        .values(&["--types"])
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::to_string)
        .collect();
    types.sort();
    types.dedup();
    if types
        .iter()
        .any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning"))
    {
        return Err("error: valid --types are Normal or Warning".to_string());
    }
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    if output == "json" {
        // kubectl prints the typed list in Go's field order, which the
        // playground's JSON (keys sorted, as for every served object) is not.
        return Err("error: daemonlab does not print \"kubectl events -o json\"; -o yaml prints the same list".to_string());
    }
    let template = [
        "jsonpath=",
        "jsonpath-as-json=",
        "go-template=",
        "template=",
    ]
    .iter()
    .any(|prefix| output.starts_with(prefix));
    if !matches!(output, "" | "yaml" | "name") && !template {
        return Err(format!("error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml"));
    }
    let mut events: Vec<&Event> = store
        .list(Kind::Event)
        .filter(|o| all_namespaces || o.namespace() == namespace)
        .filter_map(Event::of)
        .filter(|e| match &target {
            None => true,
            Some((kind, name)) => {
                let object = &e.involved_object;
                object.kind.as_deref() == Some(kind.name())
                    && object.api_version.as_deref() == Some(kind.api_version())
                    && object.name.as_deref() == Some(name.as_str())
            }
        })
        .filter(|e| {
            types.is_empty()
                || types
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(e.type_.as_deref().unwrap_or("")))
        })
        .collect();
    if events.is_empty() {
        let message = if all_namespaces {
            "No events found.\n".to_string()
        } else {
            format!("No events found in {namespace} namespace.\n")
        };
        return Ok(Output {
            stderr: message,
            ..Default::default()
        });
    }
    go_sort(&mut events, &mut |a, b| last_seen(a) < last_seen(b));
    let stdout = match output {
        "" => table(
            &events,
            all_namespaces,
            args.flag(&["--no-headers"]),
            cluster.now(),
        ),
        // kubectl's name printer refuses a typed list, and `kubectl events`
        // does not report what its printer returns.
        "name" => String::new(),
        _ => {
            let list = json!({
                "kind": "EventList",
                "apiVersion": "v1",
                "metadata": {},
                "items": events.iter().map(|e| typed_json(e)).collect::<Vec<Value>>(),
            });
            if template {
                crate::written::print(&[(String::new(), list)], output)?
            } else {
                to_yaml(&list)
            }
        }
    };
    Ok(Output::ok(stdout))
}

/// An event as Go marshals the typed object: a zero `eventTime` is `null`,
/// the reporting fields are always there.
fn typed_json(event: &Event) -> Value {
    let mut json = Object::from(event.clone()).to_json();
    if let Some(map) = json.as_object_mut() {
        map.entry("eventTime").or_insert(Value::Null);
        map.entry("reportingComponent").or_insert_with(|| "".into());
        map.entry("reportingInstance").or_insert_with(|| "".into());
    }
    json
}

/// `eventTime`: what kubectl sorts by.
fn last_seen(event: &Event) -> Option<Timestamp> {
    if let Some(series) = &event.series {
        return series.last_observed_time.as_ref().map(|t| t.0);
    }
    event
        .last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or(event.event_time.as_ref().map(|t| t.0))
}

fn table(events: &[&Event], all_namespaces: bool, no_headers: bool, now: Timestamp) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    if !no_headers {
        let mut header = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
        if all_namespaces {
            header.insert(0, "NAMESPACE");
        }
        rows.push(header.into_iter().map(str::to_string).collect());
    }
    for event in events {
        let object = &event.involved_object;
        let mut row = vec![
            interval(event, now),
            event.type_.clone().unwrap_or_default(),
            event.reason.clone().unwrap_or_default(),
            format!(
                "{}/{}",
                object.kind.as_deref().unwrap_or(""),
                object.name.as_deref().unwrap_or("")
            ),
            event.message.as_deref().unwrap_or("").trim().to_string(),
        ];
        if all_namespaces {
            row.insert(0, event.metadata.namespace.clone().unwrap_or_default());
        }
        rows.push(row);
    }
    layout(&rows)
}

/// `getInterval`: the first time seen, or the last with the count and the span.
fn interval(event: &Event, now: Timestamp) -> String {
    let since = |t: Option<Timestamp>| match t {
        Some(t) => age(Some(&Time(t)), now),
        None => "<unknown>".to_string(),
    };
    let first = match &event.event_time {
        Some(t) => since(Some(t.0)),
        None => since(event.first_timestamp.as_ref().map(|t| t.0)),
    };
    let count = event.count.unwrap_or(0);
    match &event.series {
        Some(series) => format!(
            "{} (x{} over {first})",
            since(series.last_observed_time.as_ref().map(|t| t.0)),
            series.count.unwrap_or(0)
        ),
        None if count > 1 => format!(
            "{} (x{count} over {first})",
            since(event.last_timestamp.as_ref().map(|t| t.0))
        ),
        None => first,
    }
}
