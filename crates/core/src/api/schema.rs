//! A CRD's structural `openAPIV3Schema` applied to a custom object, as the
//! apiextensions server does: unknown fields are pruned (and named, so strict
//! field validation can refuse them) unless `x-kubernetes-preserve-unknown-fields`
//! keeps them; then types, `required`, `enum`, bounds and lengths are checked
//! with the messages of kube-openapi's validator (`spec.replicas in body must be
//! of type integer: "string"`), and `default`s are filled in. CEL rules
//! (`x-kubernetes-validations`) and `pattern` are not evaluated.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};
use serde_json::Value;

use super::server::go_value;
use super::validation::{FieldError, Rendered};

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn items(schema: &JSONSchemaProps) -> Option<&JSONSchemaProps> {
    match schema.items.as_ref()? {
        JSONSchemaPropsOrArray::Schema(item) => Some(item),
        JSONSchemaPropsOrArray::Schemas(list) => list.first(),
    }
}

fn additional(schema: &JSONSchemaProps) -> Option<&JSONSchemaProps> {
    match schema.additional_properties.as_ref()? {
        JSONSchemaPropsOrBool::Schema(s) => Some(s),
        JSONSchemaPropsOrBool::Bool(_) => None,
    }
}

fn preserves(schema: &JSONSchemaProps) -> bool {
    schema.x_kubernetes_preserve_unknown_fields == Some(true)
        || matches!(
            schema.additional_properties,
            Some(JSONSchemaPropsOrBool::Bool(true))
        )
}

/// Prunes the object below the root (`apiVersion`, `kind` and `metadata` are
/// handled by the caller); pruned paths are pushed to `unknown`.
pub fn prune_root(schema: &JSONSchemaProps, value: &mut Value, unknown: &mut Vec<String>) {
    prune(schema, value, "", unknown);
}

fn prune(schema: &JSONSchemaProps, value: &mut Value, path: &str, unknown: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = &schema.properties {
                let keep_unknown = preserves(schema);
                let keys: Vec<String> = map.keys().cloned().collect();
                for key in keys {
                    let child = join(path, &key);
                    match properties.get(&key) {
                        Some(sub) => {
                            if let Some(v) = map.get_mut(&key) {
                                prune(sub, v, &child, unknown);
                            }
                        }
                        None if keep_unknown => {}
                        None => {
                            map.remove(&key);
                            unknown.push(child);
                        }
                    }
                }
            } else if let Some(sub) = additional(schema) {
                for (key, v) in map.iter_mut() {
                    prune(sub, v, &join(path, key), unknown);
                }
            } else if !preserves(schema) && schema.x_kubernetes_embedded_resource != Some(true) {
                // A structural schema without properties keeps no fields.
                for key in map.keys() {
                    unknown.push(join(path, key));
                }
                map.clear();
            }
        }
        Value::Array(list) => {
            if let Some(item) = items(schema) {
                for (i, v) in list.iter_mut().enumerate() {
                    prune(item, v, &format!("{path}[{i}]"), unknown);
                }
            }
        }
        _ => {}
    }
}

/// Structural defaulting below the root, after pruning: nulls where the
/// schema allows none and gives no default are dropped
/// (`PruneNonNullableNullsWithoutDefaults`), then every absent or null field
/// with a `default` gets a copy of it, and defaulting goes on inside, the
/// copied defaults included (`defaulting.Default`).
pub fn default_root(schema: &JSONSchemaProps, value: &mut Value) {
    drop_nulls_without_defaults(schema, value);
    default(schema, value);
}

/// The schema of field `key` of an object: its property, or the schema
/// every value of a map shares.
fn child<'a>(schema: &'a JSONSchemaProps, key: &str) -> Option<&'a JSONSchemaProps> {
    match &schema.properties {
        Some(properties) => properties.get(key),
        None => additional(schema),
    }
}

fn non_nullable_null(value: &Value, schema: &JSONSchemaProps) -> bool {
    value.is_null() && schema.nullable != Some(true)
}

fn drop_nulls_without_defaults(schema: &JSONSchemaProps, value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, v| {
                !child(schema, key)
                    .is_some_and(|sub| non_nullable_null(v, sub) && sub.default.is_none())
            });
            for (key, v) in map.iter_mut() {
                if let Some(sub) = child(schema, key) {
                    drop_nulls_without_defaults(sub, v);
                }
            }
        }
        Value::Array(list) => {
            if let Some(item) = items(schema) {
                for v in list {
                    drop_nulls_without_defaults(item, v);
                }
            }
        }
        _ => {}
    }
}

fn default(schema: &JSONSchemaProps, value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, sub) in schema.properties.iter().flatten() {
                let Some(fallback) = &sub.default else {
                    continue;
                };
                if map.get(key).is_none_or(|v| non_nullable_null(v, sub)) {
                    map.insert(key.clone(), fallback.0.clone());
                }
            }
            for (key, v) in map.iter_mut() {
                if let Some(sub) = child(schema, key) {
                    default_item(sub, v);
                }
            }
        }
        Value::Array(list) => {
            if let Some(item) = items(schema) {
                for v in list {
                    default_item(item, v);
                }
            }
        }
        _ => {}
    }
}

/// A field, item or map value: a null one takes the schema's default.
fn default_item(schema: &JSONSchemaProps, value: &mut Value) {
    if let Some(fallback) = schema
        .default
        .as_ref()
        .filter(|_| non_nullable_null(value, schema))
    {
        *value = fallback.0.clone();
    }
    default(schema, value);
}

/// Checks the object below the root against its schema.
pub fn validate_root(schema: &JSONSchemaProps, value: &Value, errors: &mut Vec<FieldError>) {
    if let (Value::Object(map), Some(properties)) = (value, &schema.properties) {
        required(schema, map, "", errors);
        for (key, v) in map {
            if let Some(sub) = properties.get(key) {
                check(sub, v, key, errors);
            }
        }
    }
}

fn required(
    schema: &JSONSchemaProps,
    map: &serde_json::Map<String, Value>,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    for key in schema.required.iter().flatten() {
        if !map.contains_key(key) {
            errors.push(FieldError::required(&join(path, key), ""));
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A value in a field error: Go's `%#v`-like rendering kube-openapi uses.
fn rendered(value: &Value) -> Rendered {
    match value {
        Value::String(s) => Rendered::str(s),
        Value::Number(_) | Value::Bool(_) => Rendered(value.to_string()),
        other => Rendered(go_value(other, true)),
    }
}

fn check(schema: &JSONSchemaProps, value: &Value, path: &str, errors: &mut Vec<FieldError>) {
    if value.is_null() && schema.nullable == Some(true) {
        return;
    }
    let int_or_string = schema.x_kubernetes_int_or_string == Some(true);
    if let Some(expected) = schema.type_.as_deref().filter(|_| !int_or_string) {
        let actual = type_name(value);
        let fits = actual == expected || (expected == "number" && actual == "integer");
        if !fits {
            errors.push(FieldError::invalid(
                path,
                rendered(value),
                &format!("{path} in body must be of type {expected}: \"{actual}\""),
            ));
            return;
        }
    } else if int_or_string && !matches!(value, Value::String(_) | Value::Number(_)) {
        errors.push(FieldError::invalid(
            path,
            rendered(value),
            &format!(
                "{path} in body must be of type integer,string: \"{}\"",
                type_name(value)
            ),
        ));
        return;
    }
    if let Some(allowed) = &schema.enum_ {
        if !allowed.iter().any(|a| a.0 == *value) {
            let list: Vec<String> = allowed
                .iter()
                .map(|a| match &a.0 {
                    Value::String(s) => super::validation::go_quote(s),
                    other => other.to_string(),
                })
                .collect();
            errors.push(FieldError {
                field: path.to_string(),
                type_: super::validation::ErrorType::NotSupported,
                value: rendered(value).0,
                detail: format!("supported values: {}", list.join(", ")),
            });
        }
    }
    match value {
        Value::Number(n) => {
            let x = n.as_f64().unwrap_or(0.0);
            if let Some(min) = schema.minimum {
                let exclusive = schema.exclusive_minimum == Some(true);
                if x < min || (exclusive && x == min) {
                    let word = if exclusive {
                        "greater than"
                    } else {
                        "greater than or equal to"
                    };
                    errors.push(FieldError::invalid(
                        path,
                        rendered(value),
                        &format!(
                            "{path} in body should be {word} {}",
                            go_value(&Value::from(min), true)
                        ),
                    ));
                }
            }
            if let Some(max) = schema.maximum {
                let exclusive = schema.exclusive_maximum == Some(true);
                if x > max || (exclusive && x == max) {
                    let word = if exclusive {
                        "less than"
                    } else {
                        "less than or equal to"
                    };
                    errors.push(FieldError::invalid(
                        path,
                        rendered(value),
                        &format!(
                            "{path} in body should be {word} {}",
                            go_value(&Value::from(max), true)
                        ),
                    ));
                }
            }
        }
        Value::String(s) => {
            let length = s.chars().count() as i64;
            if let Some(min) = schema.min_length.filter(|m| length < *m) {
                errors.push(FieldError::invalid(
                    path,
                    rendered(value),
                    &format!("{path} in body should be at least {min} chars long"),
                ));
            }
            if let Some(max) = schema.max_length.filter(|m| length > *m) {
                errors.push(FieldError::invalid(
                    path,
                    rendered(value),
                    &format!("{path} in body should be at most {max} chars long"),
                ));
            }
        }
        Value::Array(list) => {
            if let Some(min) = schema.min_items.filter(|m| (list.len() as i64) < *m) {
                errors.push(FieldError::invalid(
                    path,
                    rendered(value),
                    &format!("{path} in body should have at least {min} items"),
                ));
            }
            if let Some(item) = items(schema) {
                for (i, v) in list.iter().enumerate() {
                    check(item, v, &format!("{path}[{i}]"), errors);
                }
            }
        }
        Value::Object(map) => {
            required(schema, map, path, errors);
            match (&schema.properties, additional(schema)) {
                (Some(properties), _) => {
                    for (key, v) in map {
                        if let Some(sub) = properties.get(key) {
                            check(sub, v, &join(path, key), errors);
                        }
                    }
                }
                (None, Some(sub)) => {
                    for (key, v) in map {
                        check(sub, v, &join(path, key), errors);
                    }
                }
                (None, None) => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(json: Value) -> JSONSchemaProps {
        serde_json::from_value(json).expect("a schema")
    }

    #[test]
    fn unknown_fields_are_pruned_unless_preserved() {
        let s = schema(serde_json::json!({
            "type": "object",
            "properties": {
                "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            }
        }));
        let mut value = serde_json::json!({
            "spec": {"replicas": 1, "replicaz": 2},
            "extra": {"anything": {"goes": true}},
            "top": 1,
        });
        let mut unknown = Vec::new();
        prune_root(&s, &mut value, &mut unknown);
        assert_eq!(unknown, ["spec.replicaz", "top"]);
        assert_eq!(
            value,
            serde_json::json!({"spec": {"replicas": 1}, "extra": {"anything": {"goes": true}}})
        );
    }

    #[test]
    fn types_required_and_enums_are_checked_with_kube_openapi_words() {
        let s = schema(serde_json::json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["mode"],
                    "properties": {
                        "replicas": {"type": "integer", "maximum": 10},
                        "mode": {"type": "string", "enum": ["a", "b"]},
                        "port": {"x-kubernetes-int-or-string": true},
                    }
                }
            }
        }));
        let mut errors = Vec::new();
        validate_root(
            &s,
            &serde_json::json!({"spec": {"replicas": "three", "port": "http"}}),
            &mut errors,
        );
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "spec.mode: Required value",
                "spec.replicas: Invalid value: \"three\": spec.replicas in body must be of type integer: \"string\"",
            ]
        );
        let mut errors = Vec::new();
        validate_root(
            &s,
            &serde_json::json!({"spec": {"replicas": 15, "mode": "c"}}),
            &mut errors,
        );
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "spec.mode: Unsupported value: \"c\": supported values: \"a\", \"b\"",
                "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
            ]
        );
    }
}
