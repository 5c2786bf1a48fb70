//! Protobuf request bodies (`application/vnd.kubernetes.protobuf`), which
//! kubectl's typed clients send (`kubectl create configmap`, `drain`'s
//! evictions): the `k8s\0` envelope (`runtime.Unknown`: type, raw object),
//! and the object read into JSON by the field table in `types.txt` (each API
//! type's field numbers, JSON names and Go types, from their definitions), as
//! Go's JSON encoding of the same struct would write it.

use std::collections::HashMap;
use std::sync::OnceLock;

use daemonlab_kubectl::create::base64;
use k8s_openapi::jiff::Timestamp;
use serde_json::{json, Map, Value};

const TABLE: &str = include_str!("types.txt");
const MAGIC: &[u8] = b"k8s\0";

pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// One field of a type: its JSON name (`-inline-` for an embedded struct
/// whose fields Go writes in the parent), what it holds, and whether Go
/// leaves it out of JSON when it is empty (`omitempty` on a value, not a pointer).
struct Field {
    name: &'static str,
    kind: &'static str,
    omit_empty: bool,
}

fn table() -> &'static HashMap<&'static str, HashMap<u64, Field>> {
    static TABLE_CELL: OnceLock<HashMap<&'static str, HashMap<u64, Field>>> = OnceLock::new();
    TABLE_CELL.get_or_init(|| {
        let mut types = HashMap::new();
        let mut current: Option<(&str, HashMap<u64, Field>)> = None;
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            if let Some(name) = line.strip_prefix("struct ") {
                if let Some((name, fields)) = current.take() {
                    types.insert(name, fields);
                }
                current = Some((name, HashMap::new()));
                continue;
            }
            let parts: Vec<&'static str> = line.split(' ').collect();
            if let ([number, name, kind, pointer, omit], Some((_, fields))) =
                (parts.as_slice(), current.as_mut())
            {
                if let Ok(number) = number.parse() {
                    fields.insert(
                        number,
                        Field {
                            name,
                            kind,
                            omit_empty: *pointer == "val" && *omit == "omit",
                        },
                    );
                }
            }
        }
        if let Some((name, fields)) = current {
            types.insert(name, fields);
        }
        types
    })
}

/// `apps/v1` → `apps/v1`, `v1` → `core/v1`, `rbac.authorization.k8s.io/v1` → `rbac/v1`.
fn package(api_version: &str) -> String {
    match api_version.split_once('/') {
        None => format!("core/{api_version}"),
        Some((group, version)) => {
            format!("{}/{version}", group.split('.').next().unwrap_or(group))
        }
    }
}

/// A protobuf body as the JSON object it stands for.
pub fn decode(body: &[u8]) -> Result<Value, String> {
    let envelope = body
        .strip_prefix(MAGIC)
        .ok_or("the body does not start with the protobuf envelope")?;
    let mut api_version = String::new();
    let mut kind = String::new();
    let mut raw: &[u8] = &[];
    for field in Fields::new(envelope) {
        match field? {
            (1, Wire::Bytes(type_meta)) => {
                for field in Fields::new(type_meta) {
                    match field? {
                        (1, Wire::Bytes(v)) => api_version = text(v),
                        (2, Wire::Bytes(v)) => kind = text(v),
                        _ => {}
                    }
                }
            }
            (2, Wire::Bytes(bytes)) => raw = bytes,
            _ => {}
        }
    }
    let type_name = format!("{}.{kind}", package(&api_version));
    let mut object = message(raw, &type_name)?;
    object.insert("apiVersion".into(), json!(api_version));
    object.insert("kind".into(), json!(kind));
    Ok(Value::Object(object))
}

/// A field's value on the wire.
enum Wire<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    /// No API type has one; skipped.
    Fixed32,
}

/// The fields of a message, in the order written.
struct Fields<'a> {
    bytes: &'a [u8],
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Fields { bytes }
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.bytes.split_first().ok_or("truncated varint")?;
            self.bytes = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint too long".to_string())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.bytes.len() {
            return Err("truncated field".to_string());
        }
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(taken)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Wire<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.bytes.is_empty() {
            return None;
        }
        let field = (|| {
            let tag = self.varint()?;
            let wire = match tag & 7 {
                0 => Wire::Varint(self.varint()?),
                1 => Wire::Fixed64(u64::from_le_bytes(
                    self.take(8)?.try_into().map_err(|_| "truncated")?,
                )),
                2 => {
                    let n = usize::try_from(self.varint()?).map_err(|_| "field too long")?;
                    Wire::Bytes(self.take(n)?)
                }
                5 => {
                    self.take(4)?;
                    Wire::Fixed32
                }
                other => return Err(format!("unsupported wire type {other}")),
            };
            Ok((tag >> 3, wire))
        })();
        if field.is_err() {
            self.bytes = &[];
        }
        Some(field)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A message of type `type_name` as a JSON object.
fn message(bytes: &[u8], type_name: &str) -> Result<Map<String, Value>, String> {
    let fields = table()
        .get(type_name)
        .ok_or_else(|| format!("no protobuf decoding for {type_name}"))?;
    let mut object = Map::new();
    for field in Fields::new(bytes) {
        let (number, wire) = field?;
        let Some(field) = fields.get(&number) else {
            continue;
        };
        if let Some(element) = field.kind.strip_prefix("list:") {
            let items = object
                .entry(field.name)
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = items {
                match (&wire, element) {
                    // Packed numbers and booleans.
                    (Wire::Bytes(packed), "int32" | "int64" | "bool") => {
                        let mut numbers = Fields::new(packed);
                        while !numbers.bytes.is_empty() {
                            items.push(value(Wire::Varint(numbers.varint()?), element)?);
                        }
                    }
                    _ => items.push(value(wire, element)?),
                }
            }
        } else if let Some(entry) = field.kind.strip_prefix("map:") {
            let (key_kind, value_kind) = entry.split_once(':').unwrap_or(("string", entry));
            let Wire::Bytes(entry) = wire else {
                return Err(format!("{}: a map entry is not a message", field.name));
            };
            let (mut key, mut item) = (String::new(), Value::Null);
            for part in Fields::new(entry) {
                match part? {
                    (1, w) => key = value(w, key_kind)?.as_str().unwrap_or_default().to_string(),
                    (2, w) => item = value(w, value_kind)?,
                    _ => {}
                }
            }
            if let Value::Object(map) = object
                .entry(field.name)
                .or_insert_with(|| Value::Object(Map::new()))
            {
                map.insert(key, item);
            }
        } else if field.name == "-inline-" {
            if let Value::Object(inner) = value(wire, field.kind)? {
                object.extend(inner);
            }
        } else {
            object.insert(field.name.to_string(), value(wire, field.kind)?);
        }
    }
    object.retain(|name, v| {
        let omit = fields
            .values()
            .find(|f| f.name == name)
            .is_some_and(|f| f.omit_empty);
        !(omit && is_empty(v))
    });
    Ok(object)
}

/// Go's `omitempty`: false, 0, "", and empty lists and maps.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(_) => false,
    }
}

fn int(wire: &Wire, bits32: bool) -> Result<i64, String> {
    match wire {
        // int32 is sign-extended to 64 bits on the wire.
        Wire::Varint(v) if bits32 => Ok(i64::from(*v as u32 as i32)),
        Wire::Varint(v) => Ok(*v as i64),
        _ => Err("a number is not a varint".to_string()),
    }
}

/// One value of kind `kind`.
fn value(wire: Wire, kind: &str) -> Result<Value, String> {
    let bytes = |wire: &Wire| match wire {
        Wire::Bytes(b) => Ok(b.to_vec()),
        _ => Err(format!("a {kind} is not length-delimited")),
    };
    Ok(match kind {
        "string" => json!(text(&bytes(&wire)?)),
        "int32" => json!(int(&wire, true)?),
        "int64" => json!(int(&wire, false)?),
        "bool" => json!(int(&wire, false)? != 0),
        "float64" => match wire {
            Wire::Fixed64(bits) => json!(f64::from_bits(bits)),
            _ => return Err("a float is not fixed64".to_string()),
        },
        "bytes" => json!(base64(&bytes(&wire)?)),
        "quantity" => {
            let mut quantity = String::new();
            for field in Fields::new(&bytes(&wire)?) {
                if let (1, Wire::Bytes(s)) = field? {
                    quantity = text(s);
                }
            }
            json!(quantity)
        }
        "time" | "microtime" => {
            let body = bytes(&wire)?;
            // Go writes a zero time as an empty message; its JSON is null.
            if body.is_empty() {
                return Ok(Value::Null);
            }
            let (mut seconds, mut nanos) = (0i64, 0i64);
            for field in Fields::new(&body) {
                match field? {
                    (1, w) => seconds = int(&w, false)?,
                    (2, w) => nanos = int(&w, true)?,
                    _ => {}
                }
            }
            let at = Timestamp::new(seconds, nanos as i32).map_err(|e| e.to_string())?;
            if kind == "time" {
                json!(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            } else {
                json!(at.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string())
            }
        }
        "intorstring" => {
            let (mut is_string, mut number, mut string) = (false, 0, String::new());
            for field in Fields::new(&bytes(&wire)?) {
                match field? {
                    (1, w) => is_string = int(&w, false)? == 1,
                    (2, w) => number = int(&w, true)?,
                    (3, Wire::Bytes(s)) => string = text(s),
                    _ => {}
                }
            }
            if is_string {
                json!(string)
            } else {
                json!(number)
            }
        }
        "raw" | "fieldsv1" => {
            let mut raw = Vec::new();
            for field in Fields::new(&bytes(&wire)?) {
                if let (1, Wire::Bytes(b)) = field? {
                    raw = b.to_vec();
                }
            }
            serde_json::from_slice(&raw).map_err(|e| e.to_string())?
        }
        "duration" => {
            let mut nanos = 0;
            for field in Fields::new(&bytes(&wire)?) {
                if let (1, w) = field? {
                    nanos = int(&w, false)?;
                }
            }
            json!(go_duration(nanos))
        }
        message_kind => match message_kind.strip_prefix("msg:") {
            Some(type_name) => Value::Object(message(&bytes(&wire)?, type_name)?),
            None => return Err(format!("cannot read a {message_kind}")),
        },
    })
}

/// Go's `time.Duration.String()` for whole seconds and above, which is what
/// the API's durations hold.
fn go_duration(nanos: i64) -> String {
    let seconds = nanos / 1_000_000_000;
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What kubectl 1.36.3 sent for `kubectl create deployment web
    /// --image=nginx:1.25 --replicas=2`, and what it prints of the same
    /// object with `--dry-run=client -o json` (Go's JSON of the struct).
    #[test]
    fn kubectl_create_deployment_reads_as_kubectl_prints_it() {
        let body = include_bytes!("../../tests/data/create-deployment.pb");
        let printed: Value =
            serde_json::from_str(include_str!("../../tests/data/create-deployment.json"))
                .unwrap_or(Value::Null);
        assert_eq!(decode(body), Ok(printed));
    }

    #[test]
    fn bodies_that_are_not_protobuf_are_refused() {
        assert!(decode(b"{}").is_err());
        assert!(decode(b"k8s\0\x12\xff").is_err());
    }
}
