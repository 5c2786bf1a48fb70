//! `-o kyaml`: KYAML, the strict subset of YAML kubectl 1.36 prints (the
//! encoder of `sigs.k8s.io/yaml/kyaml`). kubectl marshals the object to JSON
//! first, so keys come sorted as Go's `encoding/json` sorts them, every string
//! value is double-quoted (multi-line ones folded with `\` line ends), keys are
//! bare unless YAML could read them as something else, and lists of objects
//! or lists are "cuddled" (`[{`, `}, {`, `}]`).

use serde_json::Value;

/// A document as kubectl prints it: `---`, the value, a newline.
pub fn to_kyaml(value: &Value) -> String {
    let mut out = String::from("---\n");
    node(value, 0, &mut out);
    out.push('\n');
    out
}

fn indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn node(value: &Value, level: usize, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(s, level + 1, false, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) if items.iter().all(|i| i.is_array() || i.is_object()) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                node(item, level, out);
            }
            out.push(']');
        }
        Value::Array(items) => {
            out.push_str("[\n");
            indent(level, out);
            for item in items {
                indent(1, out);
                node(item, level + 1, out);
                out.push_str(",\n");
                indent(level, out);
            }
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push_str("{\n");
            for (key, value) in entries {
                indent(level + 1, out);
                string(key, level + 1, true, out);
                out.push_str(": ");
                node(value, level + 1, out);
                out.push_str(",\n");
            }
            indent(level, out);
            out.push('}');
        }
    }
}

/// A string: a key bare when it can be (and never folded), a value always
/// quoted, folded at its newlines.
fn string(text: &str, level: usize, key: bool, out: &mut String) {
    let multi = text.contains('\n');
    if key && !multi && !needs_quotes(text) {
        out.push_str(text);
        return;
    }
    let fold = multi && !key;
    let mut buffer = String::from("\"");
    if fold {
        buffer.push_str("\\\n");
    }
    for c in text.chars() {
        if buffer.ends_with('\n') {
            indent(level, &mut buffer);
            // Leading whitespace on a folded line would be dropped: escaped.
            buffer.push(if c.is_whitespace() && c != '\n' {
                '\\'
            } else {
                ' '
            });
        }
        escaped(c, fold, &mut buffer);
    }
    if fold {
        if !buffer.ends_with('\n') {
            buffer.push_str("\\\n");
        }
        indent(level, &mut buffer);
    }
    buffer.push('"');
    out.push_str(&buffer);
}

/// Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols and
/// the ASCII space; not other spaces, controls or format characters), and the
/// tab, which kubectl 1.36's encoder writes as it is.
fn printable(c: char) -> bool {
    if c == ' ' || c == '\t' {
        return true;
    }
    let format = matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..);
    !c.is_control() && !c.is_whitespace() && !format
}

fn escaped(c: char, fold: bool, out: &mut String) {
    match c {
        '"' | '\\' => {
            out.push('\\');
            out.push(c);
        }
        c if printable(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' if fold => out.push_str("\\n\\\n"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        '\0' => out.push_str("\\0"),
        '\u{1b}' => out.push_str("\\e"),
        '\u{85}' => out.push_str("\\N"),
        '\u{a0}' => out.push_str("\\_"),
        '\u{2028}' => out.push_str("\\L"),
        '\u{2029}' => out.push_str("\\P"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// A key that must be quoted: empty, read by YAML as another type, or with a
/// character other than letters, digits and `_` (and `-`, `.`, `/` inside).
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || yaml_guesses_wrong(s) {
        return true;
    }
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let interior = i > 0 && i + 1 < chars.len() && matches!(c, '-' | '.' | '/');
        !(c.is_alphabetic() || c.is_numeric() || c == '_' || interior)
    })
}

/// A string YAML 1.1 would read as null, a boolean, a number, a sexagesimal
/// number, infinity or NaN, or a timestamp.
fn yaml_guesses_wrong(s: &str) -> bool {
    let lower = s.to_lowercase();
    if s.len() <= 5
        && matches!(
            lower.as_str(),
            "null"
                | "~"
                | "true"
                | "y"
                | "yes"
                | "on"
                | "false"
                | "n"
                | "no"
                | "off"
                | ".inf"
                | "-.inf"
                | "+.inf"
                | ".nan"
        )
    {
        return true;
    }
    // Go's strconv.ParseBool.
    if matches!(
        s,
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    ) {
        return true;
    }
    let plain = s.replace('_', "");
    go_int(&plain) || go_float(&plain) || sexagesimal(s) || timestamp(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)` succeeds.
fn go_int(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(hex) = lower.strip_prefix("0x") {
        (16, hex)
    } else if let Some(octal) = lower.strip_prefix("0o") {
        (8, octal)
    } else if let Some(binary) = lower.strip_prefix("0b") {
        (2, binary)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    !body.is_empty()
        && body.chars().all(|c| c.is_digit(radix))
        && i64::from_str_radix(
            &format!("{}{body}", if s.starts_with('-') { "-" } else { "" }),
            radix,
        )
        .is_ok()
}

/// Go's `strconv.ParseFloat(s, 64)` succeeds (in range).
fn go_float(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.strip_prefix(['+', '-']).unwrap_or(&lower);
    if matches!(unsigned, "inf" | "infinity" | "nan") {
        return true;
    }
    if let Some(hex) = unsigned.strip_prefix("0x") {
        // A hexadecimal float needs its `p` exponent.
        let Some((mantissa, exponent)) = hex.split_once('p') else {
            return false;
        };
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
        return mantissa.matches('.').count() <= 1
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_hexdigit())
            && !exponent.is_empty()
            && exponent.chars().all(|c| c.is_ascii_digit());
    }
    let decimal = unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-'));
    decimal && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[+-]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$`
fn sexagesimal(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (s, fraction) = match s.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (s, None),
    };
    if fraction.is_some_and(|f| !f.chars().all(|c| c.is_ascii_digit() || c == '_')) {
        return false;
    }
    let mut parts = s.split(':');
    let first = parts.next().unwrap_or("");
    let first_ok = first.starts_with(|c: char| ('1'..='9').contains(&c))
        && first.chars().all(|c| c.is_ascii_digit() || c == '_');
    let rest: Vec<&str> = parts.collect();
    first_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            let b = p.as_bytes();
            match b {
                [d] => d.is_ascii_digit(),
                [t, d] => (b'0'..=b'5').contains(t) && d.is_ascii_digit(),
                _ => false,
            }
        })
}

/// One of the timestamp forms go-yaml reads: `YYYY-M-D`, optionally with a
/// time after `T`, `t` or a space.
fn timestamp(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(at) => (&s[..at], Some((&s[at..at + 1], &s[at + 1..]))),
        None => (s, None),
    };
    let fields: Vec<&str> = date.split('-').collect();
    let short = |f: &str, max: u32| {
        (1..=2).contains(&f.len())
            && f.chars().all(|c| c.is_ascii_digit())
            && f.parse::<u32>().is_ok_and(|v| (1..=max).contains(&v))
    };
    let date_ok =
        fields.len() == 3 && fields[0].len() == 4 && short(fields[1], 12) && short(fields[2], 31);
    match time {
        None => date_ok,
        Some((separator, time)) => {
            // With a space there is no zone; with T or t the zone is Z or ±hh:mm.
            let (clock, zone) = if separator == " " {
                (time, None)
            } else if let Some(clock) = time.strip_suffix('Z') {
                (clock, Some(""))
            } else {
                match time.rfind(['+', '-']) {
                    Some(at) => (&time[..at], Some(&time[at..])),
                    None => return false,
                }
            };
            let zone_ok = zone.is_none_or(|z| {
                z.is_empty()
                    || (z.len() == 6
                        && z.as_bytes()[3] == b':'
                        && z[1..3]
                            .chars()
                            .chain(z[4..].chars())
                            .all(|c| c.is_ascii_digit()))
            });
            let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
            let parts: Vec<&str> = clock.split(':').collect();
            let clock_ok = parts.len() == 3
                && parts.iter().zip([23, 59, 59]).all(|(p, max)| {
                    (1..=2).contains(&p.len())
                        && p.chars().all(|c| c.is_ascii_digit())
                        && p.parse::<u32>().is_ok_and(|v| v <= max)
                })
                && !fraction.is_empty()
                && fraction.len() <= 9
                && fraction.chars().all(|c| c.is_ascii_digit());
            date_ok && zone_ok && clock_ok
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_bare_unless_yaml_would_misread_them() {
        for bare in [
            "app",
            "kubectl.kubernetes.io/last-applied-configuration",
            "a_b",
            "x1",
        ] {
            assert!(!needs_quotes(bare), "{bare}");
        }
        for quoted in [
            "",
            "yes",
            "On",
            "null",
            "1",
            "0x1F",
            "1_000",
            "1e3",
            ".5",
            "12:30",
            "2024-01-02",
            "2024-1-2T3:04:05Z",
            "-app",
            "app-",
            "a b",
            "a:b",
            "inf",
        ] {
            assert!(needs_quotes(quoted), "{quoted}");
        }
    }

    #[test]
    fn an_object_as_kubectl_prints_it() {
        let object = json!({
            "kind": "ConfigMap",
            "data": {"script": "#!/bin/sh\n  echo \"hi\"\n", "1": "one", "empty": ""},
            "list": [{"a": 1}, {"b": [true, null]}],
            "names": ["x", "y"],
            "none": [],
            "nothing": {},
        });
        assert_eq!(
            to_kyaml(&object),
            r#"---
{
  data: {
    "1": "one",
    empty: "",
    script: "\
       #!/bin/sh\n\
      \  echo \"hi\"\n\
      ",
  },
  kind: "ConfigMap",
  list: [{
    a: 1,
  }, {
    b: [
      true,
      null,
    ],
  }],
  names: [
    "x",
    "y",
  ],
  none: [],
  nothing: {},
}
"#
        );
    }
}
