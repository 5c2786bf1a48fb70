//! PATCH as the API server applies it: a JSON merge patch (RFC 7386), a
//! strategic merge patch (the API types' merge keys, `$patch` directives, the
//! server's element order) or a JSON patch (RFC 6902), to an object or to its
//! `status` subresource; the result is decoded strictly and written as any
//! update is.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::{Map, Value};

use super::errors::{ApiError, Reason};
use super::registry::at_version;
use super::server::{decode_for_patch, qualified_resource, update, update_status};
use super::store::Store;
use super::{Kind, Object};

/// The patch types the server accepts, by their content types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `application/json-patch+json`
    Json,
    /// `application/merge-patch+json`
    Merge,
    /// `application/strategic-merge-patch+json`
    Strategic,
}

impl PatchType {
    pub fn from_content_type(content_type: &str) -> Option<PatchType> {
        match content_type.split(';').next().unwrap_or("").trim() {
            "application/json-patch+json" => Some(PatchType::Json),
            "application/merge-patch+json" => Some(PatchType::Merge),
            "application/strategic-merge-patch+json" => Some(PatchType::Strategic),
            _ => None,
        }
    }
}

/// Patches the stored object `kind` `namespace/name` (only its status with
/// `status`) as served at `api_version` (the client computed the patch
/// against that version); returns what was stored before and after.
pub fn patch(
    store: &mut Store,
    target: (Kind, &str, &str),
    api_version: &str,
    patch_type: PatchType,
    patch: &Value,
    status: bool,
    now: &Time,
) -> Result<(Object, Object), ApiError> {
    let (kind, namespace, name) = target;
    let stored = store
        .get(kind, namespace, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&qualified_resource(kind), name))?;
    let original = at_version(kind, stored.to_json(), api_version);
    let patched = match patch_type {
        // `NewGenericServerResponse(422, …)`: the patch library's words are
        // not passed on.
        PatchType::Json => json_patch(&original, patch).map_err(|_| {
            ApiError::new(
                Reason::Invalid,
                "the server rejected our request due to an error in our request",
            )
        })?,
        PatchType::Merge => merge_patch(&original, patch),
        PatchType::Strategic => strategic_patch(&original, patch),
    };
    // Decoded at the patch's version, strictly, refused as the server words it.
    let object = decode_for_patch(store, kind, &original, &patched)?;
    if status {
        update_status(store, object, now)?;
    } else {
        update(store, object, now)?;
    }
    let after = store
        .get(kind, namespace, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(&qualified_resource(kind), name))?;
    Ok((stored, after))
}

/// A strategic merge patch (`strategicpatch.StrategicMergePatch`) of `original`.
pub fn strategic_patch(original: &Value, patch: &Value) -> Value {
    strategic(original, patch, &mut Vec::new()).unwrap_or(Value::Null)
}

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
pub fn merge_patch(original: &Value, patch: &Value) -> Value {
    match (original, patch) {
        (Value::Object(original), Value::Object(patch)) => {
            let mut out = original.clone();
            for (key, value) in patch {
                if value.is_null() {
                    out.remove(key);
                } else {
                    let merged = merge_patch(out.get(key).unwrap_or(&Value::Null), value);
                    out.insert(key.clone(), merged);
                }
            }
            Value::Object(out)
        }
        (_, Value::Object(patch)) => {
            merge_patch(&Value::Object(Map::new()), &Value::Object(patch.clone()))
        }
        (_, patch) => patch.clone(),
    }
}

/// The key that identifies an item of a list the API types merge by
/// (`patchMergeKey`), from the list's field name and its parent's; `None` for
/// lists a strategic patch replaces whole.
pub(crate) fn merge_key(field: &str, parent: Option<&str>) -> Option<&'static str> {
    Some(match (field, parent) {
        ("containers" | "initContainers" | "ephemeralContainers", _) => "name",
        ("ports", Some("containers" | "initContainers" | "ephemeralContainers")) => "containerPort",
        ("ports", _) => "port",
        ("env" | "volumes" | "imagePullSecrets" | "resourceClaims", _) => "name",
        ("volumeMounts", _) => "mountPath",
        ("volumeDevices", _) => "devicePath",
        ("hostAliases", _) => "ip",
        ("conditions" | "addresses", _) => "type",
        ("ownerReferences", _) => "uid",
        ("topologySpreadConstraints", _) => "topologyKey",
        _ => return None,
    })
}

/// A strategic merge patch (`strategicpatch.StrategicMergePatch`): maps
/// merge as in a merge patch; lists with a merge key merge item by item
/// (`$patch: delete` removes one); `finalizers` are merged as a set; other
/// lists are replaced. `$patch: replace` on a map replaces it, `$patch:
/// delete` removes it. `None`: the value is deleted.
fn strategic(original: &Value, patch: &Value, path: &mut Vec<String>) -> Option<Value> {
    let Value::Object(patch) = patch else {
        return Some(patch.clone());
    };
    match patch.get("$patch").and_then(Value::as_str) {
        Some("delete") => return None,
        Some("replace") => {
            let mut replaced = patch.clone();
            replaced.remove("$patch");
            return Some(Value::Object(replaced));
        }
        _ => {}
    }
    let mut out = match original {
        Value::Object(o) => o.clone(),
        _ => Map::new(),
    };
    for (key, value) in patch.iter().filter(|(k, _)| !k.starts_with('$')) {
        if value.is_null() {
            out.remove(key);
            continue;
        }
        let parent = path.last().cloned();
        path.push(key.clone());
        // `$setElementOrder/<field>`: the order the client wants the whole list in.
        let order = patch
            .get(&format!("$setElementOrder/{key}"))
            .and_then(Value::as_array)
            .map(Vec::as_slice);
        let merged = match (out.get(key), value) {
            (Some(Value::Array(old)), Value::Array(new)) => Some(Value::Array(merge_list(
                (key, parent.as_deref()),
                old,
                new,
                order,
                path,
            ))),
            (Some(old), new @ Value::Object(_)) => strategic(old, new, path),
            (None, new @ Value::Object(_)) => strategic(&Value::Null, new, path),
            (_, new) => Some(new.clone()),
        };
        path.pop();
        match merged {
            Some(v) => {
                out.insert(key.clone(), v);
            }
            None => {
                out.remove(key);
            }
        }
    }
    for (directive, values) in patch {
        // `$deleteFromPrimitiveList/finalizers: [a]` takes values out of a set.
        if let (Some(field), Some(values)) = (
            directive.strip_prefix("$deleteFromPrimitiveList/"),
            values.as_array(),
        ) {
            if let Some(Value::Array(items)) = out.get_mut(field) {
                items.retain(|item| !values.contains(item));
            }
        }
    }
    // `$retainKeys`: a union's other members are cleared.
    if let Some(keep) = patch.get("$retainKeys").and_then(Value::as_array) {
        out.retain(|k, _| keep.iter().any(|kept| kept.as_str() == Some(k)));
    }
    Some(Value::Object(out))
}

/// Merges a list `(field, parent field)` of the stored object with the
/// patch's; `order` is the patch's `$setElementOrder` for it.
fn merge_list(
    (field, parent): (&str, Option<&str>),
    old: &[Value],
    new: &[Value],
    order: Option<&[Value]>,
    path: &mut Vec<String>,
) -> Vec<Value> {
    let key = merge_key(field, parent);
    // Items are told apart by their merge key, a set's by their value.
    let id = |item: &Value| -> Option<Value> {
        match key {
            Some(key) => item.get(key).cloned(),
            None => Some(item.clone()),
        }
    };
    let mut merged = old.to_vec();
    if field == "finalizers" {
        merged.extend(new.iter().filter(|v| !old.contains(v)).cloned());
    } else if key.is_some() {
        for item in new {
            let at = id(item).and_then(|i| merged.iter().position(|m| id(m) == Some(i.clone())));
            match (
                at,
                strategic(at.map_or(&Value::Null, |i| &merged[i]), item, path),
            ) {
                (Some(i), Some(item)) => merged[i] = item,
                (Some(i), None) => {
                    merged.remove(i);
                }
                (None, Some(item)) => merged.push(item),
                (None, None) => {}
            }
        }
    } else {
        return new.to_vec();
    }
    // `normalizeElementOrder`: the patch's items in the patch's order, the
    // others in the server's, interleaved by the server's order.
    let position = |list: &[Value], item: &Value| {
        let wanted = id(item);
        list.iter().position(|x| id(x) == wanted)
    };
    let wanted = order.unwrap_or(new);
    let (mut patched, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|m| position(wanted, m).is_some());
    patched.sort_by_key(|m| position(wanted, m));
    server_only.sort_by_key(|m| position(old, m).unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(patched.len() + server_only.len());
    let (mut left, mut right) = (
        server_only.into_iter().peekable(),
        patched.into_iter().peekable(),
    );
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => match (position(old, l), position(old, r)) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            },
        };
        let next = if take_left { left.next() } else { right.next() };
        out.extend(next);
    }
    out
}

/// An RFC 6901 pointer's tokens, unescaped.
fn pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("JSON pointer {path:?} does not start with '/'"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// The container a pointer's last token is in, and that token.
fn parent_of<'a>(doc: &'a mut Value, tokens: &[String]) -> Option<(&'a mut Value, String)> {
    let (last, init) = tokens.split_last()?;
    let mut at = doc;
    for token in init {
        at = match at {
            Value::Object(map) => map.get_mut(token)?,
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some((at, last.clone()))
}

fn missing(op: &str, path: &str) -> String {
    format!("jsonpatch {op} operation does not apply: doc is missing path: {path:?}")
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let tokens = pointer(path)?;
    if tokens.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, key) = parent_of(doc, &tokens).ok_or_else(|| missing("add", path))?;
    match container {
        Value::Object(map) => {
            map.insert(key, value);
            Ok(())
        }
        Value::Array(items) if key == "-" => {
            items.push(value);
            Ok(())
        }
        Value::Array(items) => match key.parse::<usize>() {
            Ok(i) if i <= items.len() => {
                items.insert(i, value);
                Ok(())
            }
            _ => Err(missing("add", path)),
        },
        _ => Err(missing("add", path)),
    }
}

fn remove(doc: &mut Value, path: &str, op: &str) -> Result<Value, String> {
    let tokens = pointer(path)?;
    let (container, key) = parent_of(doc, &tokens).ok_or_else(|| missing(op, path))?;
    match container {
        Value::Object(map) => map.remove(&key).ok_or_else(|| missing(op, path)),
        Value::Array(items) => match key.parse::<usize>() {
            Ok(i) if i < items.len() => Ok(items.remove(i)),
            _ => Err(missing(op, path)),
        },
        _ => Err(missing(op, path)),
    }
}

/// RFC 6902: the operations in order; the first that cannot apply fails all.
pub fn json_patch(original: &Value, patch: &Value) -> Result<Value, String> {
    let ops = patch
        .as_array()
        .ok_or("json: cannot unmarshal object into Go value of type jsonpatch.Patch")?;
    let mut doc = original.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = op.get("path").and_then(Value::as_str).unwrap_or("");
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("jsonpatch {name} operation, missing value"))
        };
        match name {
            "add" => add(&mut doc, path, value()?)?,
            "remove" => {
                remove(&mut doc, path, "remove")?;
            }
            "replace" => {
                remove(&mut doc, path, "replace")?;
                add(&mut doc, path, value()?)?;
            }
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or("");
                let moved = if name == "move" {
                    remove(&mut doc, from, name)?
                } else {
                    doc.pointer(from)
                        .cloned()
                        .ok_or_else(|| missing(name, from))?
                };
                add(&mut doc, path, moved)?;
            }
            "test" => {
                if doc.pointer(path) != Some(&value()?) {
                    return Err(format!(
                        "jsonpatch test operation does not apply: is not equal: {path:?}"
                    ));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_patches_merge_containers_by_name_and_replace_other_lists() {
        let original = json!({"spec": {"containers": [
            {"name": "a", "image": "x:1", "args": ["1", "2"]},
            {"name": "b", "image": "y:1"}
        ], "tolerations": [{"key": "k", "operator": "Exists"}]}});
        let patch = json!({"spec": {"containers": [
            {"name": "b", "image": "y:2"},
            {"name": "a", "args": ["3"]},
            {"name": "c", "image": "z:1"}
        ], "tolerations": [{"operator": "Exists"}]}});
        let out = strategic(&original, &patch, &mut Vec::new());
        // As kubectl 1.36 (`patch --local`) orders them: the patch's items
        // first, in its order.
        assert_eq!(
            out,
            Some(json!({"spec": {"containers": [
                {"name": "b", "image": "y:2"},
                {"name": "a", "image": "x:1", "args": ["3"]},
                {"name": "c", "image": "z:1"}
            ], "tolerations": [{"operator": "Exists"}]}}))
        );
        let names = |patch: Value| -> Vec<Value> {
            strategic(&original, &patch, &mut Vec::new())
                .and_then(|v| v.pointer("/spec/containers").cloned())
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|c| c.get("name").cloned())
                .collect()
        };
        let only_b = json!({"spec": {"containers": [{"name": "b", "image": "y:2"}]}});
        assert_eq!(names(only_b), [json!("a"), json!("b")]);
        let new_c = json!({"spec": {"containers": [{"name": "c", "image": "z:2"}]}});
        assert_eq!(names(new_c), [json!("c"), json!("a"), json!("b")]);
        let finalizers = strategic(
            &json!({"metadata": {"finalizers": ["a"]}}),
            &json!({"metadata": {"finalizers": ["c"]}}),
            &mut Vec::new(),
        );
        assert_eq!(
            finalizers,
            Some(json!({"metadata": {"finalizers": ["c", "a"]}}))
        );
        let delete = json!({"spec": {"containers": [{"name": "a", "$patch": "delete"}]}});
        let out = strategic(&original, &delete, &mut Vec::new());
        assert_eq!(
            out.and_then(|v| v.pointer("/spec/containers/0/name").cloned()),
            Some(json!("b"))
        );
    }

    #[test]
    fn strategic_directives_order_lists_delete_from_sets_and_retain_keys() {
        // As `kubectl apply` sends them: the whole list's order, one item changed.
        let original =
            json!({"containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}]});
        let patch = json!({
            "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
            "containers": [{"name": "a", "image": "x:2"}]
        });
        assert_eq!(
            strategic_patch(&original, &patch),
            json!({"containers": [{"name": "b", "image": "y:1"}, {"name": "a", "image": "x:2"}]})
        );
        let finalizers = strategic_patch(
            &json!({"finalizers": ["a", "b", "c"]}),
            &json!({"$deleteFromPrimitiveList/finalizers": ["b"]}),
        );
        assert_eq!(finalizers, json!({"finalizers": ["a", "c"]}));
        let strategy = strategic_patch(
            &json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}),
            &json!({"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}),
        );
        assert_eq!(strategy, json!({"strategy": {"type": "Recreate"}}));
    }

    #[test]
    fn json_patches_follow_rfc_6902() {
        let doc = json!({"status": {"capacity": {"cpu": "4"}}, "list": [1, 2]});
        let patch = json!([
            {"op": "add", "path": "/status/capacity/example.com~1dongle", "value": "4"},
            {"op": "add", "path": "/list/-", "value": 3},
            {"op": "remove", "path": "/list/0"},
            {"op": "test", "path": "/list/0", "value": 2}
        ]);
        assert_eq!(
            json_patch(&doc, &patch),
            Ok(
                json!({"status": {"capacity": {"cpu": "4", "example.com/dongle": "4"}}, "list": [2, 3]})
            )
        );
        assert_eq!(
            json_patch(&doc, &json!([{"op": "remove", "path": "/status/nothing"}])),
            Err("jsonpatch remove operation does not apply: doc is missing path: \"/status/nothing\"".to_string())
        );
    }

    #[test]
    fn merge_patches_remove_with_null() {
        let doc = json!({"metadata": {"labels": {"a": "1", "b": "2"}}});
        let patch = json!({"metadata": {"labels": {"a": null, "c": "3"}}});
        assert_eq!(
            merge_patch(&doc, &patch),
            json!({"metadata": {"labels": {"b": "2", "c": "3"}}})
        );
    }
}
