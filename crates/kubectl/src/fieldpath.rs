//! Simple JSONPath field references, as `-o custom-columns` takes them:
//! `.metadata.name`, `.spec.containers[0].image`, `.spec.containers[*].name`.

use serde_json::Value;

/// The values `path` reaches in `value` (several with `[*]`).
pub fn select<'a>(value: &'a Value, path: &str) -> Result<Vec<&'a Value>, String> {
    let path = path.trim().trim_start_matches('{').trim_end_matches('}');
    let mut current = vec![value];
    let mut rest = path.strip_prefix('.').unwrap_or(path);
    while !rest.is_empty() {
        let (step, after) = match rest.find(['.', '[']) {
            Some(0) if rest.starts_with('[') => {
                let close = rest
                    .find(']')
                    .ok_or_else(|| format!("unterminated array index in {path}"))?;
                (&rest[..=close], &rest[close + 1..])
            }
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        rest = after.strip_prefix('.').unwrap_or(after);
        current = if let Some(index) = step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            current
                .into_iter()
                .flat_map(|v| match (v, index) {
                    (Value::Array(items), "*") => items.iter().collect::<Vec<_>>(),
                    (Value::Array(items), i) => i
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i))
                        .into_iter()
                        .collect(),
                    (Value::Object(map), "*") => map.values().collect(),
                    _ => Vec::new(),
                })
                .collect()
        } else if step.is_empty() {
            current
        } else {
            current.into_iter().filter_map(|v| v.get(step)).collect()
        };
    }
    Ok(current)
}

/// How kubectl prints a selected value in a column: strings bare, others as JSON.
pub fn render(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "<none>".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths() {
        let pod = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}, "status": {"n": 3}});
        let names = |p| {
            select(&pod, p)
                .unwrap()
                .into_iter()
                .map(render)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(".metadata.name"), ["p"]);
        assert_eq!(names(".spec.containers[*].name"), ["a", "b"]);
        assert_eq!(names(".spec.containers[1].name"), ["b"]);
        assert_eq!(names("{.status.n}"), ["3"]);
        assert!(names(".status.missing").is_empty());
    }
}
