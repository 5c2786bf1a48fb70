//! `kubectl explain TYPE[.FIELD...] [--recursive]`, printed as kubectl's
//! plaintext template prints the API's OpenAPI schemas. The schemas are the
//! API's own descriptions (`schemas.json`, kept equal to k8s-openapi's by
//! `tests/explain_data.rs`); enum lists are not in them, so none are printed.

use serde_json::Value;

use daemonlab_core::sim::Cluster;

use crate::args::Args;
use crate::resources::resolve;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &["--api-version", "-o", "--output"];
pub const BOOL_FLAGS: &[&str] = &["--recursive"];

/// The API's schemas: `defs` by definition name (`io.k8s.api.apps.v1.DaemonSet`,
/// references by bare name), and `kinds`, each served kind's definition.
pub const SCHEMAS: &str = include_str!("schemas.json");

struct Schemas {
    defs: Value,
}

impl Schemas {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(name) => self.defs.get(name).unwrap_or(schema),
            None => schema,
        }
    }

    /// The template's `typeGuess`: `string`, `Object`, `[]Container`, `map[string]string`.
    fn type_guess(&self, schema: &Value) -> String {
        if let Some(items) = schema.get("items") {
            return format!("[]{}", self.type_guess(items));
        }
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            return format!("map[string]{}", self.type_guess(values));
        }
        if let Some(name) = schema.get("$ref").and_then(Value::as_str) {
            let target = self.defs.get(name);
            return match target.and_then(|t| t.get("type")).and_then(Value::as_str) {
                Some("object") | None => name.rsplit('.').next().unwrap_or("Object").to_string(),
                Some(other) => other.to_string(),
            };
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("object") | None => "Object".to_string(),
            Some(other) => other.to_string(),
        }
    }

    /// The template's `description`: the schema's, then its ref's, items' and values'.
    fn description(&self, schema: &Value) -> String {
        let mut text = String::new();
        if let Some(own) = schema.get("description").and_then(Value::as_str) {
            text.push_str(own);
            text.push('\n');
        }
        let resolved = self.resolve(schema);
        if !std::ptr::eq(resolved, schema) {
            text.push_str(&self.description(resolved));
        }
        if let Some(items) = resolved.get("items") {
            text.push_str(&self.description(items));
        }
        if let Some(values) = resolved
            .get("additionalProperties")
            .filter(|v| v.is_object())
        {
            text.push_str(&self.description(values));
        }
        text
    }

    /// The schema whose fields a path step looks into: through refs, list items and map values.
    fn fields_of<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let resolved = self.resolve(schema);
        if resolved.get("properties").is_some() {
            return resolved;
        }
        if let Some(items) = resolved.get("items") {
            return self.fields_of(items);
        }
        if let Some(values) = resolved
            .get("additionalProperties")
            .filter(|v| v.is_object())
        {
            return self.fields_of(values);
        }
        resolved
    }

    /// The template's `fieldList` at `level`, every field with its description,
    /// or (recursive) names only, nested.
    fn field_list(
        &self,
        schema: &Value,
        level: usize,
        recursive: bool,
        seen: &mut Vec<String>,
        out: &mut String,
    ) {
        let reference = schema
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(name) = &reference {
            if seen.contains(name) {
                return;
            }
            seen.push(name.clone());
        }
        let resolved = self.resolve(schema);
        let required: Vec<&str> = resolved
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, field) in resolved
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let indent = " ".repeat(level * 2);
            out.push_str(&format!("{indent}{name}\t<{}>", self.type_guess(field)));
            if required.contains(&name.as_str()) {
                out.push_str(" -required-");
            }
            out.push('\n');
            if recursive {
                self.field_list(field, level + 1, true, seen, out);
            } else {
                let description = field
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("<no description>");
                out.push_str(&indent_text(
                    level * 2 + 2,
                    &wrap(78 - level * 2, description),
                ));
                out.push_str("\n\n");
            }
        }
        if let Some(items) = resolved.get("items") {
            self.field_list(items, level, recursive, seen, out);
        }
        if let Some(values) = resolved
            .get("additionalProperties")
            .filter(|v| v.is_object())
        {
            self.field_list(values, level, recursive, seen, out);
        }
        if let Some(name) = reference {
            seen.retain(|s| *s != name);
        }
    }
}

/// kubectl's `wrap` (`term.NewWordWrapWriter`, go-wordwrap's `WrapString`):
/// words wrapped at `limit` columns, a word longer than the limit whole on
/// its own line, the text's own line breaks kept.
pub fn wrap(limit: usize, text: &str) -> String {
    let mut out = String::new();
    let mut current = 0;
    let (mut word, mut space) = (String::new(), String::new());
    for c in text.chars() {
        if c == '\n' {
            end_line(&mut out, &space, &word, current, limit);
            space.clear();
            word.clear();
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space.chars().count() + word.chars().count();
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
            }
            space.push(c);
        } else {
            word.push(c);
            let word_len = word.chars().count();
            if current + space.chars().count() + word_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
            }
        }
    }
    end_line(&mut out, &space, &word, current, limit);
    out
}

/// The end of a line of `wrap`: the pending word with its spaces, or the
/// spaces alone if they still fit.
fn end_line(out: &mut String, space: &str, word: &str, current: usize, limit: usize) {
    if !word.is_empty() || current + space.chars().count() <= limit {
        out.push_str(space);
    }
    out.push_str(word);
}

/// The template's `indent`: every line, the first included.
fn indent_text(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// Runs `kubectl explain`.
pub fn run(cluster: &Cluster, args: &Args) -> Output {
    let Some(target) = args.positional.first() else {
        return Output::error("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl explain -h' for help and examples");
    };
    if let Some(format) = args
        .value(&["-o", "--output"])
        .filter(|f| *f != "plaintext")
    {
        return Output::error(format!(
            "error: unsupported output format: {format}; daemonlab prints the plaintext format"
        ));
    }
    let mut path = target.split('.');
    let type_name = path.next().unwrap_or_default();
    let Some(kind) = resolve(cluster.store(), type_name) else {
        return Output::error(format!(
            // kubectl prints this one without its usual `error: `.
            "the server doesn't have a resource type \"{type_name}\""
        ));
    };
    let fields: Vec<&str> = path.filter(|p| !p.is_empty()).collect();
    let document: Value = match serde_json::from_str(SCHEMAS) {
        Ok(document) => document,
        Err(error) => return Output::error(format!("error: reading the API schemas: {error}")),
    };
    let Some(root_name) = document["kinds"][kind.name()].as_str() else {
        return Output::error(format!(
            "error: GVR ({}) not found in OpenAPI schema",
            kind.plural()
        ));
    };
    let schemas = Schemas {
        defs: document["defs"].clone(),
    };
    let recursive = args.flag(&["--recursive"]);
    let (group, version) = kind
        .api_version()
        .split_once('/')
        .unwrap_or(("", kind.api_version()));
    let mut out = String::new();
    if !group.is_empty() {
        out.push_str(&format!("GROUP:      {group}\n"));
    }
    out.push_str(&format!(
        "KIND:       {}\nVERSION:    {version}\n\n",
        kind.name()
    ));
    let root = serde_json::json!({"$ref": root_name});
    let mut schema = &root;
    for (i, field) in fields.iter().enumerate() {
        let container = schemas.fields_of(schema);
        let Some(next) = container.get("properties").and_then(|p| p.get(*field)) else {
            // The template has printed the kind's header when it stops.
            let mut output = Output::error(format!("error: field \"{field}\" does not exist"));
            output.stdout = out;
            return output;
        };
        if i + 1 == fields.len() {
            out.push_str(&format!(
                "FIELD: {field} <{}>\n\n\n",
                schemas.type_guess(next)
            ));
        }
        schema = next;
    }
    out.push_str("DESCRIPTION:\n");
    let description = schemas.description(schema);
    let description = if description.is_empty() {
        "<empty>".to_string()
    } else {
        description
    };
    out.push_str(&indent_text(4, &wrap(76, &description)));
    out.push('\n');
    let mut list = String::new();
    schemas.field_list(schema, 1, recursive, &mut Vec::new(), &mut list);
    if !list.is_empty() {
        out.push_str("FIELDS:\n");
        out.push_str(&list);
    }
    out.push('\n');
    Output::ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_like_go_wordwrap() {
        assert_eq!(wrap(10, "aaa bbb ccc ddd"), "aaa bbb\nccc ddd");
        assert_eq!(
            wrap(10, "see https://example.com/a/long/url here"),
            "see\nhttps://example.com/a/long/url\nhere"
        );
        assert_eq!(wrap(76, "one.\n\nTwo."), "one.\n\nTwo.");
        assert_eq!(wrap(10, "aaa bbb\nccc ddd eee"), "aaa bbb\nccc ddd\neee");
    }
}
