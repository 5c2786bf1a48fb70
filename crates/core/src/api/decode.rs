//! YAML text → API objects, read the way kubectl and the API server read a
//! manifest: every document is turned into JSON (YAML's part ends there, as with
//! `sigs.k8s.io/yaml`), then decoded strictly as its kind. Errors carry the line
//! and column they point at.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use super::locate::{locate, Segment};
use super::store::Store;
use super::{Kind, Object};

/// A position in the submitted text, 1-based like an editor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// Text that is not YAML. kubectl stops reading the stream there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The YAML parser's own words.
    pub message: String,
    pub location: Option<Location>,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(Location { line, column }) => {
                write!(f, "line {line}, column {column}: {}", self.message)
            }
            None => f.write_str(&self.message),
        }
    }
}

impl From<serde_yaml::Error> for SyntaxError {
    fn from(error: serde_yaml::Error) -> Self {
        let location = error.location().map(|l| Location {
            line: l.line(),
            column: l.column(),
        });
        SyntaxError {
            message: strip_positions(&error.to_string()),
            location,
        }
    }
}

/// Removes every " at line N column M" serde_yaml writes into its messages; the
/// position is reported on its own.
fn strip_positions(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_end = digits(tail);
        match tail[line_end..].strip_prefix(" column ") {
            Some(after) if line_end > 0 && digits(after) > 0 => rest = &after[digits(after)..],
            _ => {
                out.push_str(" at line ");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where a manifest sits in the text: its document (0-based, empty documents
/// counted) and, for an item of a `kind: List`, the path to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub document: usize,
    pub prefix: Vec<Segment>,
}

impl Source {
    /// The position of `path` (segments below this manifest) in `text`.
    pub fn locate(&self, text: &str, path: &[Segment]) -> Option<Location> {
        let mut full = self.prefix.clone();
        full.extend_from_slice(path);
        locate(text, self.document, &full)
    }
}

/// One object's manifest, as JSON, before it is decoded as its kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub source: Source,
    pub json: Value,
}

impl Manifest {
    fn field(&self, key: &str) -> &str {
        self.json.get(key).and_then(Value::as_str).unwrap_or("")
    }

    pub fn api_version(&self) -> &str {
        self.field("apiVersion")
    }

    pub fn kind(&self) -> &str {
        self.field("kind")
    }

    pub fn name(&self) -> &str {
        self.json
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.json
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// Splits `text` into manifests, expanding `kind: List`. Reading stops at the
/// first document that is not YAML; the manifests before it are returned with it.
pub fn manifests(text: &str) -> (Vec<Manifest>, Option<SyntaxError>) {
    let mut out = Vec::new();
    for (document, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        let json = match Value::deserialize(de) {
            Ok(json) => json,
            Err(error) => return (out, Some(error.into())),
        };
        let mut json = json;
        yaml11_scalars(text, document, &mut json, &mut Vec::new());
        let source = Source {
            document,
            prefix: Vec::new(),
        };
        match json {
            Value::Null => {}
            Value::Object(ref map)
                if map.get("kind").and_then(Value::as_str) == Some("List")
                    && map.get("items").is_some_and(Value::is_array) =>
            {
                let items = map.get("items").and_then(Value::as_array).cloned();
                for (i, item) in items.into_iter().flatten().enumerate() {
                    out.push(Manifest {
                        source: Source {
                            document,
                            prefix: vec![Segment::Key("items".to_string()), Segment::Index(i)],
                        },
                        json: item,
                    });
                }
            }
            json => out.push(Manifest { source, json }),
        }
    }
    (out, None)
}

/// What go-yaml v2 (YAML 1.1, the parser behind kubectl's YAML-to-JSON) reads
/// a plain scalar as where serde_yaml (YAML 1.2) reads a string: `0644` is the
/// octal number 420, `yes`/`no`/`on`/`off` are booleans. Quoted scalars stay
/// strings; the text at the scalar's position tells which it was.
fn yaml11_value(plain: &str) -> Option<Value> {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, plain.strip_prefix('+').unwrap_or(plain)),
    };
    if digits.len() > 1
        && digits.starts_with('0')
        && digits.bytes().all(|b| (b'0'..=b'7').contains(&b))
    {
        return i64::from_str_radix(digits, 8)
            .ok()
            .map(|n| Value::from(sign * n));
    }
    match plain {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(Value::Bool(true)),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// The first character of the scalar `locate` found: it reports a sequence
/// item at the item, a mapping value at its key (the value follows the colon).
fn scalar_start(text: &str, at: Location, after_key: bool) -> Option<char> {
    let mut lines = text.lines().skip(at.line.saturating_sub(1));
    let line = lines.next()?;
    let rest: String = line.chars().skip(at.column.saturating_sub(1)).collect();
    if !after_key {
        return rest.chars().next();
    }
    let key_end = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        _ => 0,
    };
    let colon = rest[key_end..].find(':').map(|i| key_end + i + 1)?;
    rest[colon..].trim_start().chars().next().or_else(|| {
        lines
            .map(str::trim_start)
            .find(|l| !l.is_empty())?
            .chars()
            .next()
    })
}

fn yaml11_scalars(text: &str, document: usize, json: &mut Value, path: &mut Vec<Segment>) {
    match json {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                path.push(Segment::Key(key.clone()));
                yaml11_scalars(text, document, value, path);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter_mut().enumerate() {
                path.push(Segment::Index(i));
                yaml11_scalars(text, document, value, path);
                path.pop();
            }
        }
        Value::String(s) => {
            let Some(value) = yaml11_value(s) else { return };
            let quoted = locate(text, document, path)
                .and_then(|at| scalar_start(text, at, matches!(path.last(), Some(Segment::Key(_)))))
                .is_some_and(|c| c == '"' || c == '\'');
            if !quoted {
                *json = value;
            }
        }
        _ => {}
    }
}

/// A field's JSON did not fit its type (a string where a number belongs, …).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// `spec.template.spec.containers[0].ports[0].containerPort`
    pub path: String,
    pub message: String,
}

/// An object decoded as its kind, and the fields its kind does not have.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    pub object: Object,
    /// Paths of unknown fields, as strict field validation names them.
    pub unknown_fields: Vec<String>,
}

fn render_ignored(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", render_ignored(parent)),
        Path::Map { parent, key } => match render_ignored(parent) {
            p if p.is_empty() => key.clone(),
            p => format!("{p}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => render_ignored(parent),
    }
}

/// Decodes `json` as `T`, collecting unknown fields instead of dropping them.
/// Every kind goes through this one function, so the deserializers are built once.
pub fn decode_strict<T: DeserializeOwned>(json: &Value) -> Result<(T, Vec<String>), TypeError> {
    let mut unknown = Vec::new();
    let mut record = |path: serde_ignored::Path| unknown.push(render_ignored(&path));
    let ignored = serde_ignored::Deserializer::new(json, &mut record);
    let result: Result<T, _> = serde_path_to_error::deserialize(ignored);
    match result {
        Ok(value) => Ok((value, unknown)),
        Err(error) => Err(TypeError {
            path: error.path().to_string(),
            message: error.into_inner().to_string(),
        }),
    }
}

/// Why a manifest could not become an object of a served kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingError {
    /// `apiVersion` or `kind` is missing.
    MissingTypeMeta { api_version: bool, kind: bool },
    /// No served kind has this apiVersion and kind.
    NotServed { api_version: String, kind: String },
}

/// The served kind a manifest names, custom kinds included.
pub fn kind_of(manifest: &Manifest, store: &Store) -> Result<Kind, MappingError> {
    let (api_version, kind) = (manifest.api_version(), manifest.kind());
    if api_version.is_empty() || kind.is_empty() {
        return Err(MappingError::MissingTypeMeta {
            api_version: api_version.is_empty(),
            kind: kind.is_empty(),
        });
    }
    store
        .lookup_kind(api_version, kind)
        .ok_or_else(|| MappingError::NotServed {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::locate::parse_path;

    #[test]
    fn multi_document_with_empty_documents_and_lists() {
        let text = "---\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: a\n---\n\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: monitoring\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: logging\n";
        let (manifests, error) = manifests(text);
        assert_eq!(error, None);
        let names: Vec<_> = manifests.iter().map(|m| m.name()).collect();
        assert_eq!(names, ["a", "monitoring", "logging"]);
        let logging = &manifests[2];
        assert_eq!(logging.source.document, 3);
        let at = logging.source.locate(text, &parse_path("metadata.name"));
        assert_eq!(
            at,
            Some(Location {
                line: 20,
                column: 5
            })
        );
    }

    #[test]
    fn plain_scalars_read_as_yaml_1_1_does() {
        let text = "a: 0644\nb: \"0644\"\nc: yes\nd: 'no'\ne: [0400, off, 08]\n";
        let (found, error) = manifests(text);
        assert_eq!(error, None);
        assert_eq!(
            found[0].json,
            serde_json::json!({"a": 420, "b": "0644", "c": true, "d": "no", "e": [256, false, "08"]})
        );
    }

    #[test]
    fn syntax_errors_stop_the_stream_with_their_position() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: a\n labels: x\n";
        let (manifests, error) = manifests(text);
        assert_eq!(manifests.len(), 1, "documents before the error are read");
        let error = error.expect("a syntax error");
        assert_eq!(error.location.map(|l| l.line), Some(10));
        assert!(!error.message.contains(" at line "), "{}", error.message);
    }

    #[test]
    fn unknown_fields_are_collected_with_their_paths() {
        let json: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "imagee": "x"}], "toleration": []}
        });
        let (_, unknown): (k8s_openapi::api::core::v1::Pod, _) =
            decode_strict(&json).expect("decodes");
        assert_eq!(unknown, ["spec.containers[0].imagee", "spec.toleration"]);
    }

    #[test]
    fn type_errors_name_their_path() {
        let json: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "ports": [{"containerPort": "abc"}]}]}
        });
        let error = decode_strict::<k8s_openapi::api::core::v1::Pod>(&json).expect_err("fails");
        assert_eq!(error.path, "spec.containers[0].ports[0].containerPort");
    }

    #[test]
    fn kinds_are_mapped_or_refused() {
        let manifest = |api: &str, kind: &str| Manifest {
            source: Source {
                document: 0,
                prefix: vec![],
            },
            json: serde_json::json!({"apiVersion": api, "kind": kind}),
        };
        let store = Store::default();
        assert_eq!(
            kind_of(&manifest("apps/v1", "DaemonSet"), &store),
            Ok(Kind::DaemonSet)
        );
        assert_eq!(
            kind_of(&manifest("example.com/v1", "Widget"), &store),
            Err(MappingError::NotServed {
                api_version: "example.com/v1".into(),
                kind: "Widget".into()
            })
        );
        assert_eq!(
            kind_of(&manifest("", "Node"), &store),
            Err(MappingError::MissingTypeMeta {
                api_version: true,
                kind: false
            })
        );
    }
}
