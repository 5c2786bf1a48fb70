//! JSON → YAML as `kubectl get -o yaml` writes it: `sigs.k8s.io/yaml` hands the
//! JSON to go-yaml v2, which sorts keys its own way, chooses plain, quoted or
//! literal styles, and folds long plain strings at 80 columns.

use std::cmp::Ordering;

use serde_json::Value;

/// libyaml's preferred line width.
const BEST_WIDTH: usize = 80;

/// go-yaml v2's `keyList.Less`: letters by code point, runs of digits by value,
/// and a non-letter before a letter.
pub fn compare_keys(a: &str, b: &str) -> Ordering {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0_i64, 0_i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an
                .saturating_mul(10)
                .saturating_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn
                .saturating_mul(10)
                .saturating_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// Would go-yaml v2 read this plain scalar as something other than a string?
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: [&str; 29] = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y",
        "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF", ".inf", ".nan",
    ];
    if WORDS.contains(&s) || matches!(s, "-.inf" | "+.inf" | ".Inf" | ".INF" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let digits = unsigned.replace('_', "");
    let is_int = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    let is_hex = digits
        .strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()));
    let is_binary = digits
        .strip_prefix("0b")
        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c == '0' || c == '1'));
    let is_float = s.parse::<f64>().is_ok()
        && s.chars().any(|c| c.is_ascii_digit())
        && !s.contains(['i', 'I', 'n', 'N']);
    is_int || is_hex || is_binary || is_float || looks_like_timestamp(s)
}

/// `2006-01-02`, optionally followed by a time: go-yaml reads these as timestamps.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// The style go-yaml v2 and libyaml's emitter settle on for a string value.
fn style_of(s: &str) -> Style {
    if s.contains('\n') {
        let leading_space = s.starts_with(' ');
        let special = s.chars().any(|c| c.is_control() && c != '\n');
        return if leading_space || special {
            Style::DoubleQuoted
        } else {
            Style::Literal
        };
    }
    if resolves_to_non_string(s) || s.chars().any(|c| c.is_control() && c != '\t') {
        return Style::DoubleQuoted;
    }
    let first = s.chars().next().unwrap_or(' ');
    let second = s.chars().nth(1);
    let followed_by_space = second.is_none_or(|c| c == ' ');
    let indicator_start = matches!(
        first,
        '#' | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) || (matches!(first, '-' | '?' | ':') && followed_by_space);
    let plain_allowed = !indicator_start
        && !s.starts_with("---")
        && !s.starts_with("...")
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.contains('\t');
    if plain_allowed {
        Style::Plain
    } else if s.starts_with(' ') && s.trim().is_empty() {
        Style::DoubleQuoted
    } else {
        Style::SingleQuoted
    }
}

struct Writer {
    out: String,
    column: usize,
}

impl Writer {
    fn push(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
            self.out.push(c);
        }
    }

    fn newline_indent(&mut self, indent: usize) {
        self.push("\n");
        self.push(&" ".repeat(indent));
    }

    /// Words separated by single spaces, broken onto a new line (at `indent`)
    /// at a space once the line is past the best width, as libyaml does.
    fn write_folded(&mut self, s: &str, indent: usize) {
        let chars: Vec<char> = s.chars().collect();
        let mut previous_space = false;
        for (i, &c) in chars.iter().enumerate() {
            let next_is_space = chars.get(i + 1) == Some(&' ');
            if c == ' '
                && !previous_space
                && self.column > BEST_WIDTH
                && !next_is_space
                && i != 0
                && i + 1 != chars.len()
            {
                self.newline_indent(indent);
            } else {
                self.push(&c.to_string());
            }
            previous_space = c == ' ';
        }
    }

    /// A string value, styled; `indent` is where continuation lines start.
    fn write_string(&mut self, s: &str, indent: usize, simple_key: bool) {
        match style_of(s) {
            Style::Plain if simple_key => self.push(s),
            Style::Plain => self.write_folded(s, indent),
            Style::SingleQuoted => {
                self.push("'");
                let escaped = s.replace('\'', "''");
                if simple_key {
                    self.push(&escaped);
                } else {
                    self.write_folded(&escaped, indent);
                }
                self.push("'");
            }
            Style::DoubleQuoted => self.push(&double_quoted(s)),
            Style::Literal => {
                let trailing = s.len() - s.trim_end_matches('\n').len();
                self.push(match trailing {
                    0 => "|-",
                    1 => "|",
                    _ => "|+",
                });
                let body = s.strip_suffix('\n').unwrap_or(s);
                for line in body.split('\n') {
                    if line.is_empty() {
                        self.push("\n");
                    } else {
                        self.newline_indent(indent);
                        self.push(line);
                    }
                }
            }
        }
    }

    fn write_scalar(&mut self, value: &Value, indent: usize) {
        match value {
            Value::Null => self.push("null"),
            Value::Bool(b) => self.push(if *b { "true" } else { "false" }),
            Value::Number(n) => self.push(&n.to_string()),
            Value::String(s) => self.write_string(s, indent, false),
            Value::Array(_) => self.push("[]"),
            Value::Object(_) => self.push("{}"),
        }
    }

    fn is_block(value: &Value) -> bool {
        match value {
            Value::Array(items) => !items.is_empty(),
            Value::Object(map) => !map.is_empty(),
            _ => false,
        }
    }

    /// A mapping's entries, each starting at `indent` (the first one where the
    /// cursor already is).
    fn write_mapping(
        &mut self,
        map: &serde_json::Map<String, Value>,
        indent: usize,
        first_inline: bool,
    ) {
        let mut keys: Vec<&String> = map.keys().collect();
        keys.sort_by(|a, b| compare_keys(a, b));
        for (i, key) in keys.into_iter().enumerate() {
            if i > 0 || !first_inline {
                self.newline_indent(indent);
            }
            self.write_string(key, indent, true);
            self.push(":");
            let value = &map[key];
            match value {
                Value::Object(child) if !child.is_empty() => {
                    self.write_mapping(child, indent + 2, false)
                }
                // go-yaml v2 puts a mapping's sequence at the key's own indentation.
                Value::Array(items) if !items.is_empty() => self.write_sequence(items, indent),
                scalar => {
                    self.push(" ");
                    self.write_scalar(scalar, indent + 2);
                }
            }
        }
    }

    fn write_sequence(&mut self, items: &[Value], indent: usize) {
        for item in items {
            self.newline_indent(indent);
            self.push("- ");
            match item {
                Value::Object(map) if !map.is_empty() => self.write_mapping(map, indent + 2, true),
                Value::Array(inner) if Self::is_block(item) => {
                    // A sequence in a sequence starts on the dash's line.
                    let mut first = true;
                    for nested in inner {
                        if !first {
                            self.newline_indent(indent + 2);
                        }
                        first = false;
                        self.push("- ");
                        self.write_scalar(nested, indent + 4);
                    }
                }
                scalar => self.write_scalar(scalar, indent + 2),
            }
        }
    }
}

/// libyaml's double-quoted style, with its escapes.
fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `value` as `kubectl get -o yaml` prints it, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut writer = Writer {
        out: String::new(),
        column: 0,
    };
    match value {
        Value::Object(map) if !map.is_empty() => writer.write_mapping(map, 0, true),
        Value::Array(items) if !items.is_empty() => {
            writer.write_sequence(items, 0);
            writer.out.remove(0);
        }
        scalar => writer.write_scalar(scalar, 0),
    }
    writer.out.push('\n');
    writer.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_sort_like_go_yaml() {
        let mut keys = vec![
            "hugepages-2Mi",
            "memory",
            "hugepages-1Gi",
            "cpu",
            "Zeta",
            "a10",
            "a9",
            "a_b",
            "ab",
        ];
        keys.sort_by(|a, b| compare_keys(a, b));
        assert_eq!(
            keys,
            [
                "Zeta",
                "a_b",
                "a9",
                "a10",
                "ab",
                "cpu",
                "hugepages-1Gi",
                "hugepages-2Mi",
                "memory"
            ]
        );
    }

    #[test]
    fn documents_look_like_kubectl_output() {
        let value = json!({
            "apiVersion": "apps/v1",
            "metadata": {
                "annotations": {
                    "deprecated.daemonset.template.generation": "1",
                    "kubectl.kubernetes.io/last-applied-configuration": "{\"a\":1}\n"
                },
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "labels": {"node-role.kubernetes.io/control-plane": ""},
                "name": "x"
            },
            "spec": {
                "containers": [{"name": "c", "args": ["--path.procfs", "/host/proc", "\"^/(sys|proc)($|/)\""], "ports": []}],
                "nodeSelector": {"disk": "ssd"},
                "tolerations": [{"operator": "Exists"}],
                "value": 2000001000,
                "description": "Used for system critical pods that must not be moved from their current node.",
                "flag": true,
                "note": "a: b"
            }
        });
        assert_eq!(
            to_yaml(&value),
            "apiVersion: apps/v1
metadata:
  annotations:
    deprecated.daemonset.template.generation: \"1\"
    kubectl.kubernetes.io/last-applied-configuration: |
      {\"a\":1}
  creationTimestamp: \"2026-01-01T00:00:00Z\"
  labels:
    node-role.kubernetes.io/control-plane: \"\"
  name: x
spec:
  containers:
  - args:
    - --path.procfs
    - /host/proc
    - '\"^/(sys|proc)($|/)\"'
    name: c
    ports: []
  description: Used for system critical pods that must not be moved from their current
    node.
  flag: true
  nodeSelector:
    disk: ssd
  note: 'a: b'
  tolerations:
  - operator: Exists
  value: 2000001000
"
        );
    }
}
