//! The patches a client computes from an object before and after its user
//! changed it, as `kubectl edit` sends them: a two-way strategic merge patch
//! (`strategicpatch.CreateTwoWayMergePatch`) for the built-in kinds, a JSON
//! merge patch (`jsonpatch.CreateMergePatch`) for custom resources.

use serde_json::{Map, Value};

use super::patch::merge_key;

/// The strategic merge patch that turns `original` into `modified`: changed
/// and added fields, `null` for removed ones; lists with a merge key patched
/// item by item (`$patch: delete` for a removed item, `$setElementOrder`
/// for the order), `finalizers` as a set, other lists replaced whole.
pub fn two_way_strategic(original: &Value, modified: &Value) -> Value {
    Value::Object(diff_maps(original, modified, None, true))
}

/// The JSON merge patch (RFC 7386) that turns `original` into `modified`.
pub fn two_way_merge(original: &Value, modified: &Value) -> Value {
    Value::Object(diff_maps(original, modified, None, false))
}

fn diff_maps(
    original: &Value,
    modified: &Value,
    parent: Option<&str>,
    strategic: bool,
) -> Map<String, Value> {
    let empty = Map::new();
    let original = original.as_object().unwrap_or(&empty);
    let modified = modified.as_object().unwrap_or(&empty);
    let mut patch = Map::new();
    for (key, new) in modified {
        let Some(old) = original.get(key) else {
            patch.insert(key.clone(), new.clone());
            continue;
        };
        match (old, new) {
            (Value::Object(_), Value::Object(_)) => {
                let inner = diff_maps(old, new, Some(key), strategic);
                if !inner.is_empty() {
                    patch.insert(key.clone(), Value::Object(inner));
                }
            }
            (Value::Array(old), Value::Array(new)) if strategic => {
                diff_lists(key, parent, old, new, &mut patch);
            }
            _ if old != new => {
                patch.insert(key.clone(), new.clone());
            }
            _ => {}
        }
    }
    for key in original.keys() {
        if !modified.contains_key(key) {
            patch.insert(key.clone(), Value::Null);
        }
    }
    patch
}

/// A list's part of a strategic patch: its items, `$setElementOrder/KEY` and
/// `$deleteFromPrimitiveList/KEY`, as `diffLists` writes them.
fn diff_lists(
    field: &str,
    parent: Option<&str>,
    old: &[Value],
    new: &[Value],
    patch: &mut Map<String, Value>,
) {
    if field == "finalizers" {
        // A set of strings (`patchStrategy:"merge"` on a list of scalars).
        if old == new {
            return;
        }
        let added: Vec<Value> = new.iter().filter(|v| !old.contains(v)).cloned().collect();
        let removed: Vec<Value> = old.iter().filter(|v| !new.contains(v)).cloned().collect();
        if !added.is_empty() {
            patch.insert(field.to_string(), Value::Array(added));
        }
        if !removed.is_empty() {
            patch.insert(
                format!("$deleteFromPrimitiveList/{field}"),
                Value::Array(removed),
            );
        }
        patch.insert(
            format!("$setElementOrder/{field}"),
            Value::Array(new.to_vec()),
        );
        return;
    }
    let keyed = new.iter().chain(old).all(Value::is_object);
    let Some(key) = merge_key(field, parent).filter(|_| keyed) else {
        if old != new {
            patch.insert(field.to_string(), Value::Array(new.to_vec()));
        }
        return;
    };
    let id = |item: &Value| item.get(key).cloned().unwrap_or(Value::Null);
    // Changed and added items in the order of the edited list…
    let mut items: Vec<Value> = Vec::new();
    for item in new {
        match old.iter().find(|o| id(o) == id(item)) {
            Some(before) => {
                let mut inner = diff_maps(before, item, Some(field), true);
                if !inner.is_empty() {
                    inner.insert(key.to_string(), id(item));
                    items.push(Value::Object(inner));
                }
            }
            None => items.push(item.clone()),
        }
    }
    // …then the removed ones, by their merge keys' text as Go sorts them.
    let mut removed: Vec<&Value> = old
        .iter()
        .filter(|o| !new.iter().any(|n| id(n) == id(o)))
        .collect();
    removed.sort_by_key(|o| key_text(&id(o)));
    for item in removed {
        let mut deletion = Map::new();
        deletion.insert("$patch".into(), Value::String("delete".into()));
        deletion.insert(key.to_string(), id(item));
        items.push(Value::Object(deletion));
    }
    let reordered = {
        let kept: Vec<Value> = old
            .iter()
            .map(id)
            .filter(|k| new.iter().any(|n| id(n) == *k))
            .collect();
        kept != new.iter().map(id).collect::<Vec<_>>()
    };
    if items.is_empty() && !reordered {
        return;
    }
    if !items.is_empty() {
        patch.insert(field.to_string(), Value::Array(items));
    }
    let order = new
        .iter()
        .map(|item| {
            let mut only_key = Map::new();
            only_key.insert(key.to_string(), id(item));
            Value::Object(only_key)
        })
        .collect();
    patch.insert(format!("$setElementOrder/{field}"), Value::Array(order));
}

/// A merge key's value as Go's `%v` prints it, which is how the lists are sorted.
fn key_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::patch::strategic_patch;
    use serde_json::json;

    fn daemonset(containers: Value) -> Value {
        json!({"spec": {"template": {"spec": {"containers": containers}}}})
    }

    // The patches below are what kubectl 1.36's `edit --output-patch` printed
    // for the same edits of a DaemonSet.
    #[test]
    fn an_image_changed_in_the_second_container() {
        let before = daemonset(json!([
            {"name": "agent", "image": "busybox:1.36"},
            {"name": "side", "image": "nginx:1.25"}
        ]));
        let after = daemonset(json!([
            {"name": "agent", "image": "busybox:1.36"},
            {"name": "side", "image": "nginx:1.26"}
        ]));
        let patch = two_way_strategic(&before, &after);
        assert_eq!(
            patch.to_string(),
            r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"agent"},{"name":"side"}],"containers":[{"image":"nginx:1.26","name":"side"}]}}}}"#
        );
        assert_eq!(strategic_patch(&before, &patch), after);
    }

    #[test]
    fn a_port_renamed_inside_a_container() {
        let before = daemonset(json!([
            {"name": "agent", "ports": [{"containerPort": 9100, "name": "metrics"}]},
            {"name": "side"}
        ]));
        let after = daemonset(json!([
            {"name": "agent", "ports": [{"containerPort": 9100, "name": "prom"}]},
            {"name": "side"}
        ]));
        assert_eq!(
            two_way_strategic(&before, &after).to_string(),
            r#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"agent"},{"name":"side"}],"containers":[{"$setElementOrder/ports":[{"containerPort":9100}],"name":"agent","ports":[{"containerPort":9100,"name":"prom"}]}]}}}}"#
        );
    }

    #[test]
    fn a_container_removed_and_a_field_dropped() {
        let before = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"template": {"spec": {
            "containers": [{"name": "agent"}, {"name": "side"}]}}}});
        let after = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"template": {"spec": {
            "containers": [{"name": "agent"}]}}}});
        let patch = two_way_strategic(&before, &after);
        assert_eq!(
            patch.to_string(),
            r#"{"metadata":{"labels":{"b":null}},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"agent"}],"containers":[{"$patch":"delete","name":"side"}]}}}}"#
        );
        assert_eq!(strategic_patch(&before, &patch), after);
    }

    #[test]
    fn lists_without_a_merge_key_are_replaced_and_equal_objects_give_nothing() {
        let before =
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["x"]}]}}}});
        let after = json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "args": ["x", "y"]}]}}}});
        let patch = two_way_strategic(&before, &after);
        assert_eq!(strategic_patch(&before, &patch), after);
        assert_eq!(two_way_strategic(&after, &after), json!({}));
        assert_eq!(
            two_way_merge(&before, &after).to_string(),
            r#"{"spec":{"template":{"spec":{"containers":[{"args":["x","y"],"name":"a"}]}}}}"#
        );
    }
}
