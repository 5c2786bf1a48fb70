//! `kubectl wait --for=condition=NAME[=VALUE] | delete | create |
//! jsonpath=PATH[=VALUE] (TYPE/NAME | TYPE NAME... | TYPE -l SELECTOR | TYPE
//! --all) [--timeout=30s]`: each object in turn until its condition holds,
//! then `TYPE/NAME condition met`. Virtual time moves from change to change,
//! as a watch sees them; with nothing under way it does not run out the wait
//! (a watch-driven server cannot move it either), and the wait times out.

use std::time::Duration;

use daemonlab_core::api::server::go_value;
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use serde_json::Value;

use crate::args::Args;
use crate::get::{labels_of, not_found};
use crate::jsonpath::{relaxed_expression, Template};
use crate::resources::{resolve, type_and_names};
use crate::selector::Selector;
use crate::shell::parse_duration;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--for",
    "--timeout",
    "-l",
    "--selector",
];
pub const BOOL_FLAGS: &[&str] = &["--all", "-A", "--all-namespaces"];

/// `--timeout` when not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// A negative `--timeout` waits for a week.
const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

enum Condition {
    Delete,
    Create,
    /// `condition=NAME=VALUE`, compared without case.
    Status(String, String),
    /// `jsonpath=PATH[=VALUE]`; no value means any value will do.
    JsonPath(Template, Option<String>),
}

pub fn run(cluster: &mut Cluster, args: &Args) -> Output {
    match wait(cluster, args) {
        Ok(output) => output,
        Err(output) => output,
    }
}

fn error(message: impl Into<String>) -> Output {
    Output::error(message.into())
}

fn condition(text: &str) -> Result<Condition, Output> {
    let lower = text.to_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = text.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status(name.to_string(), value.to_string()));
    }
    if let Some(rest) = text.strip_prefix("jsonpath=") {
        let parts = split_on_single_equals(rest);
        if parts.len() > 2 {
            return Err(error("error: jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'"));
        }
        let path = relaxed_expression(&parts[0]).map_err(|e| error(format!("error: {e}")))?;
        if path.is_empty() {
            return Err(error("error: jsonpath expression cannot be empty"));
        }
        let value = match parts.get(1) {
            None => None,
            Some(value) => {
                let value = value.trim_matches(|c| c == '\'' || c == '"');
                if value.is_empty() {
                    return Err(error("error: jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3"));
                }
                Some(value.to_string())
            }
        };
        let template = Template::parse(&path).map_err(|e| error(format!("error: {e}")))?;
        return Ok(Condition::JsonPath(template, value));
    }
    Err(error(format!("error: unrecognized condition: \"{text}\"")))
}

/// kubectl's `splitJSONPathInput`: `=` splits, `==` does not.
fn split_on_single_equals(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '=' {
            if chars.peek() == Some(&'=') {
                chars.next();
                if let Some(last) = parts.last_mut() {
                    last.push_str("==");
                }
                continue;
            }
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts
}

/// Whether `object` meets `condition` (`Delete` is checked by its absence).
fn met(condition: &Condition, object: &Value) -> Result<bool, String> {
    match condition {
        Condition::Delete => Ok(false),
        Condition::Create => Ok(true),
        Condition::Status(name, value) => {
            let generation = object
                .pointer("/metadata/generation")
                .and_then(Value::as_i64);
            let conditions = object
                .pointer("/status/conditions")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for c in &conditions {
                let type_ = c.get("type").and_then(Value::as_str).unwrap_or("");
                if !type_.eq_ignore_ascii_case(name) {
                    continue;
                }
                let Some(status) = c.get("status").and_then(Value::as_str) else {
                    continue;
                };
                if let Some(generation) = generation {
                    let observed = c
                        .get("observedGeneration")
                        .or_else(|| object.pointer("/status/observedGeneration"))
                        .and_then(Value::as_i64);
                    if observed.is_some_and(|o| o < generation) {
                        return Ok(false);
                    }
                }
                return Ok(status.eq_ignore_ascii_case(value));
            }
            Ok(false)
        }
        Condition::JsonPath(template, value) => {
            let results = template.find(object)?;
            let Some(first) = results.first().filter(|r| !r.is_empty()) else {
                return Ok(false);
            };
            if results.len() > 1 {
                return Err("given jsonpath expression matches more than one list".to_string());
            }
            if first.len() > 1 {
                return Err("given jsonpath expression matches more than one value".to_string());
            }
            let Some(expected) = value else {
                return Ok(true);
            };
            match first[0].as_ref() {
                Value::Object(_) | Value::Array(_) => Err(
                    "jsonpath leads to a nested object or list which is not supported".to_string(),
                ),
                v => Ok(go_value(v, true).trim() == expected.trim()),
            }
        }
    }
}

fn wait(cluster: &mut Cluster, args: &Args) -> Result<Output, Output> {
    let conditions: Vec<Condition> = args
        .values(&["--for"])
        .iter()
        .map(|text| condition(text))
        .collect::<Result<_, _>>()?;
    if conditions.is_empty() {
        return Err(error("error: --for must be set"));
    }
    let timeout = match args.value(&["--timeout"]) {
        None => DEFAULT_TIMEOUT,
        Some(text) if text.starts_with('-') => WEEK,
        Some(text) => parse_duration(text).map_err(|e| {
            error(format!(
                "error: invalid argument \"{text}\" for \"--timeout\" flag: {e}"
            ))
        })?,
    };
    if args.positional.is_empty() {
        return Err(error(
            "error: resource(s) were provided, but no name was specified",
        ));
    }
    // `TYPE NAME...`, or every argument `TYPE/NAME`.
    let groups: Vec<(&str, Vec<String>)> = if args.positional.iter().all(|a| a.contains('/')) {
        args.positional
            .iter()
            .map(|a| type_and_names(a, &[]))
            .collect()
    } else {
        vec![type_and_names(&args.positional[0], &args.positional[1..])]
    };
    let all_namespaces = args.flag(&["-A", "--all-namespaces"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let selector = args.value(&["-l", "--selector"]);
    let for_delete = conditions.iter().any(|c| matches!(c, Condition::Delete));
    let mut out = Output::default();
    // The objects are found once, before any waiting.
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    for (type_arg, names) in groups {
        let kind = resolve(cluster.store(), type_arg).ok_or_else(|| {
            error(format!(
                "error: the server doesn't have a resource type \"{type_arg}\""
            ))
        })?;
        let ns = if kind.namespaced() { namespace } else { "" };
        if names.is_empty() {
            if selector.is_none() && !args.flag(&["--all"]) {
                return Err(error(
                    "error: resource(s) were provided, but no name was specified",
                ));
            }
            let selector = Selector::parse(selector.unwrap_or(""))
                .map_err(|e| error(format!("error: {e}")))?;
            targets.extend(
                cluster
                    .store()
                    .list(kind)
                    .filter(|o| !kind.namespaced() || all_namespaces || o.namespace() == namespace)
                    .filter(|o| selector.matches(&labels_of(o.metadata())))
                    .map(|o| (kind, o.namespace().to_string(), o.name().to_string())),
            );
        } else {
            for name in &names {
                if cluster.store().get(kind, ns, name).is_some() {
                    targets.push((kind, ns.to_string(), name.clone()));
                } else if !for_delete {
                    out.stderr.push_str(&not_found(kind, name));
                    out.stderr.push('\n');
                    out.exit_code = 1;
                    return Ok(out);
                }
            }
        }
    }
    if targets.is_empty() && !for_delete {
        return Err(error("error: no matching resources found"));
    }
    // One deadline for the whole command. An object that fails is reported
    // and the next one is waited for; once the deadline has passed, each
    // that is left times out at once, as kubectl's cancelled context does.
    let start = cluster.now();
    let mut expired = false;
    let mut errors: Vec<String> = Vec::new();
    'targets: for (kind, ns, name) in targets {
        let timed_out = format!(
            "timed out waiting for the condition on {}/{name}",
            kind.plural()
        );
        for condition in &conditions {
            loop {
                if expired {
                    errors.push(timed_out);
                    continue 'targets;
                }
                let object = cluster.store().get(kind, &ns, &name).map(Object::to_json);
                let done = match (&object, condition) {
                    (None, Condition::Delete) => Ok(true),
                    (None, _) => Err(not_found(kind, &name)),
                    (Some(object), condition) => met(condition, object),
                };
                match done {
                    Ok(true) => {
                        out.stdout
                            .push_str(&format!("{}/{name} condition met\n", kind.resource()));
                        break;
                    }
                    Ok(false) if timeout.is_zero() => {
                        errors.push(format!("condition not met for {}/{name}", kind.plural()));
                        continue 'targets;
                    }
                    Ok(false) => {}
                    Err(error) => {
                        errors.push(error);
                        continue 'targets;
                    }
                }
                let waited =
                    Duration::try_from(cluster.now().duration_since(start)).unwrap_or_default();
                if waited >= timeout || !cluster.wait_for_change() {
                    expired = true;
                }
            }
        }
    }
    // kubectl prints one error with `error: `, several each on a line.
    match errors.as_slice() {
        [] => {}
        // The API server's errors print as they are.
        [one] if one.starts_with("Error from server") => {
            out.stderr.push_str(one);
            out.stderr.push('\n');
        }
        [one] => out.stderr.push_str(&format!("error: {one}\n")),
        several => {
            for error in several {
                out.stderr.push_str(error);
                out.stderr.push('\n');
            }
        }
    }
    if !errors.is_empty() {
        out.exit_code = 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonpath_input_splits_on_single_equals() {
        assert_eq!(
            split_on_single_equals("a.b.c====d.e.f===g.h.i==="),
            vec!["a.b.c====d.e.f==", "g.h.i==", ""]
        );
    }
}
