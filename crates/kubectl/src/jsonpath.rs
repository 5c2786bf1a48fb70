//! kubectl's JSONPath templates (`-o jsonpath=…`, `-o custom-columns=…`), as
//! client-go's `util/jsonpath` parses and evaluates them: text outside braces,
//! and inside them field paths, `[n]`, `[a:b]`, `[*]`, unions `[0,2]`,
//! `['key']`, recursive descent `..`, filters `[?(@.k=="v")]`, string
//! literals, and `range` … `end`. Missing keys print nothing, as kubectl allows.

use std::borrow::Cow;
use std::cmp::Ordering;

use daemonlab_core::api::server::{go_float, go_value};
use serde_json::Value;

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Text(String),
    Expr(Vec<Step>),
    Range(Vec<Step>, Vec<Item>),
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Field(String),
    Wildcard,
    Recursive,
    /// `[n]`; negative counts from the end.
    Index(i64),
    /// `[start:end]`; `None` is an omitted bound.
    Slice(Option<i64>, Option<i64>),
    Union(Vec<Vec<Step>>),
    Filter(Vec<Step>, Compare, Vec<Step>),
    Exists(Vec<Step>),
    Literal(Value),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Compare {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

/// One `{…}` action as the parser reads it: its steps, or `range`/`end`.
enum Action {
    Steps(Vec<Step>),
    Range(Vec<Step>),
    End,
}

/// kubectl's `RelaxedJSONPathExpression`: `a.b`, `.a.b`, `{a.b}` and `{.a.b}`
/// all mean `{.a.b}`; an empty text stays empty.
pub fn relaxed_expression(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let inner = match text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        Some(inner) => inner,
        None => text,
    };
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".to_string());
    }
    Ok(format!("{{.{inner}}}"))
}

impl Template {
    /// Parses `text`; the error reads as client-go's parser words it.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut stack: Vec<(Vec<Step>, Vec<Item>)> = Vec::new();
        let mut items = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let Some(open) = rest.find('{') else {
                items.push(Item::Text(rest.to_string()));
                break;
            };
            if open > 0 {
                items.push(Item::Text(rest[..open].to_string()));
            }
            let (action, after) = parse_action(&rest[open + 1..])?;
            rest = after;
            match action {
                Action::Steps(steps) => items.push(Item::Expr(steps)),
                Action::Range(steps) => stack.push((steps, std::mem::take(&mut items))),
                Action::End => {
                    let Some((steps, outer)) = stack.pop() else {
                        return Err("not in range, nothing to end".to_string());
                    };
                    let body = std::mem::replace(&mut items, outer);
                    items.push(Item::Range(steps, body));
                }
            }
        }
        // A range left open runs to the end of the template, as in client-go.
        while let Some((steps, outer)) = stack.pop() {
            let body = std::mem::replace(&mut items, outer);
            items.push(Item::Range(steps, body));
        }
        Ok(Template { items })
    }

    /// kubectl's relaxed form for custom columns: `.a.b` or `a.b` mean `{.a.b}`.
    pub fn parse_relaxed(text: &str) -> Result<Template, String> {
        Template::parse(&relaxed_expression(text)?)
    }

    /// The results of each action, in order (what client-go's `FindResults` gives).
    pub fn find<'a>(&self, data: &'a Value) -> Result<Vec<Vec<Cow<'a, Value>>>, String> {
        let mut out = Vec::new();
        run_items(&self.items, data, &mut out)?;
        Ok(out)
    }

    /// The text `-o jsonpath` prints: strings bare, maps and lists as compact
    /// JSON, several results of one action separated by a space.
    pub fn render(&self, data: &Value) -> Result<String, String> {
        self.render_as(data, false)
    }

    /// `render`, or with `as_json` (`-o jsonpath-as-json`) each action's
    /// results as one indented JSON list.
    pub fn render_as(&self, data: &Value, as_json: bool) -> Result<String, String> {
        let mut text = String::new();
        for results in self.find(data)? {
            if as_json {
                let list = Value::Array(results.into_iter().map(Cow::into_owned).collect());
                text.push_str(&crate::get::to_json(&list));
            } else {
                let printed: Vec<String> = results.iter().map(|v| to_text(v)).collect();
                text.push_str(&printed.join(" "));
            }
        }
        Ok(text)
    }
}

fn run_items<'a>(
    items: &[Item],
    data: &'a Value,
    out: &mut Vec<Vec<Cow<'a, Value>>>,
) -> Result<(), String> {
    for item in items {
        match item {
            Item::Text(text) => out.push(vec![Cow::Owned(Value::String(text.clone()))]),
            Item::Expr(steps) => out.push(eval(steps, vec![Cow::Borrowed(data)])?),
            Item::Range(steps, body) => {
                for value in eval(steps, vec![Cow::Borrowed(data)])? {
                    match value {
                        Cow::Borrowed(value) => run_items(body, value, out)?,
                        Cow::Owned(value) => {
                            let mut inner = Vec::new();
                            run_items(body, &value, &mut inner)?;
                            out.extend(inner.into_iter().map(|results| {
                                results
                                    .into_iter()
                                    .map(|v| Cow::Owned(v.into_owned()))
                                    .collect()
                            }));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Splits `text` (after a `{`) into one action and what follows its `}`.
fn parse_action(text: &str) -> Result<(Action, &str), String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut steps = Vec::new();
    let mut identifier: Option<String> = None;
    let mut i = 0;
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let offset = |i: usize| chars.get(i).map_or(text.len(), |&(o, _)| o);
    loop {
        let Some(c) = at(i) else {
            return Err("unclosed action".to_string());
        };
        match c {
            '}' => {
                let rest = &text[offset(i) + 1..];
                let action = match identifier.as_deref() {
                    Some("range") => Action::Range(steps),
                    Some("end") => Action::End,
                    Some(other) => return Err(format!("unrecognized identifier {other}")),
                    None => Action::Steps(steps),
                };
                return Ok((action, rest));
            }
            '\r' | '\n' => return Err("unclosed action".to_string()),
            ' ' | '\t' | '@' | '$' => i += 1,
            '.' if at(i + 1) == Some('.') => {
                if steps.last() == Some(&Step::Recursive) {
                    return Err("invalid multiple recursive descent".to_string());
                }
                steps.push(Step::Recursive);
                i += 2;
                if at(i).is_some_and(is_alphanumeric) {
                    i = field(&chars, i, &mut steps);
                }
            }
            '.' => i = field(&chars, i + 1, &mut steps),
            '[' if text[offset(i)..].starts_with("[?(") => {
                let (step, next) = filter(text, &chars, i)?;
                steps.push(step);
                i = next;
            }
            '[' => {
                let close = (i..chars.len())
                    .find(|&j| matches!(at(j), Some(']' | '\n')))
                    .filter(|&j| at(j) == Some(']'))
                    .ok_or("unterminated array")?;
                steps.extend(array(&text[offset(i + 1)..offset(close)])?);
                i = close + 1;
            }
            '"' | '\'' => {
                let mut j = i + 1;
                loop {
                    match at(j) {
                        None | Some('\n') => return Err("unterminated quoted string".to_string()),
                        Some(q) if q == c && at(j - 1) != Some('\\') => break,
                        _ => j += 1,
                    }
                }
                let quoted = &text[offset(i)..offset(j + 1)];
                steps.push(Step::Literal(Value::String(
                    unquote(quoted).map_err(|e| format!("unquote string {quoted} error {e}"))?,
                )));
                i = j + 1;
            }
            '+' | '-' | '0'..='9' => {
                let mut j = i + 1;
                while at(j).is_some_and(|c| c == '.' || c.is_ascii_digit()) {
                    j += 1;
                }
                let number = &text[offset(i)..offset(j)];
                let value = if let Ok(n) = number.parse::<i64>() {
                    Value::from(n)
                } else if let Ok(f) = number.parse::<f64>() {
                    Value::from(f)
                } else {
                    return Err(format!("cannot parse number {number}"));
                };
                steps.push(Step::Literal(value));
                i = j;
            }
            c if is_alphanumeric(c) => {
                let mut j = i;
                while at(j).is_some_and(|c| !is_terminator(c)) {
                    j += 1;
                }
                let word = &text[offset(i)..offset(j)];
                match word {
                    "true" | "false" => steps.push(Step::Literal(Value::Bool(word == "true"))),
                    _ => identifier = Some(word.to_string()),
                }
                i = j;
            }
            other => {
                return Err(format!(
                    "unrecognized character in action: U+{:04X} '{other}'",
                    other as u32
                ))
            }
        }
    }
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn is_terminator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'
    )
}

/// A field name from `start` up to a terminator (`\.` escapes a dot); returns where it stopped.
fn field(chars: &[(usize, char)], start: usize, steps: &mut Vec<Step>) -> usize {
    let mut name = String::new();
    let mut i = start;
    while let Some(&(_, c)) = chars.get(i) {
        if c == '\\' {
            if let Some(&(_, escaped)) = chars.get(i + 1) {
                name.push(escaped);
            }
            i += 2;
            continue;
        }
        if is_terminator(c) {
            break;
        }
        name.push(c);
        i += 1;
    }
    steps.push(if name == "*" {
        Step::Wildcard
    } else {
        Step::Field(name)
    });
    i
}

/// The inside of `[…]`: an index, a slice, `*`, a quoted key, or a union of those.
fn array(text: &str) -> Result<Vec<Step>, String> {
    let text = if text == "*" { ":" } else { text };
    if text.contains(',') {
        let mut union = Vec::new();
        for part in text.split(',') {
            union.push(array(part.trim())?);
        }
        return Ok(vec![Step::Union(union)]);
    }
    if let Some(key) = text
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .filter(|k| !k.contains('\''))
    {
        let (action, _) = parse_action(&format!(".{key}}}"))?;
        return Ok(match action {
            Action::Steps(steps) => steps,
            _ => Vec::new(),
        });
    }
    let invalid = || format!("invalid array index {text}");
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3
        || parts.iter().enumerate().any(|(i, p)| {
            let digits = p.strip_prefix('-').unwrap_or(p);
            !digits.chars().all(|c| c.is_ascii_digit()) || (i > 0 && *p == "-")
        })
    {
        return Err(invalid());
    }
    let number = |p: &str| -> Result<Option<i64>, String> {
        if p.is_empty() {
            Ok(None)
        } else {
            p.parse()
                .map(Some)
                .map_err(|_| format!("array index {p} is not a number"))
        }
    };
    let start = number(parts[0])?;
    let end = match parts.get(1) {
        Some(p) => number(p)?,
        // `[n]` is the slice n..n+1, counted after a negative n is resolved.
        None => return Ok(vec![Step::Index(start.unwrap_or(0))]),
    };
    // A third part is a capacity in client-go, which changes nothing printed.
    if let Some(p) = parts.get(2) {
        number(p)?;
    }
    Ok(vec![Step::Slice(start, end)])
}

/// `[?(left op right)]` or `[?(path)]` starting at `chars[i]`; returns the step and where it ended.
fn filter(text: &str, chars: &[(usize, char)], i: usize) -> Result<(Step, usize), String> {
    let at = |j: usize| chars.get(j).map(|&(_, c)| c);
    let mut j = i + 3;
    let body_start = j;
    let (mut begin, mut end) = (false, false);
    let mut pair = '"';
    loop {
        match at(j) {
            None | Some('\n') => return Err("unterminated filter".to_string()),
            Some(q @ ('"' | '\'')) => {
                if !begin {
                    begin = true;
                    pair = q;
                } else if q == pair && at(j - 1) != Some('\\') {
                    end = true;
                }
            }
            Some(')') if begin == end => break,
            _ => {}
        }
        j += 1;
    }
    if at(j + 1) != Some(']') {
        return Err("unclosed array expect ]".to_string());
    }
    let offset = |k: usize| chars.get(k).map_or(text.len(), |&(o, _)| o);
    let body = &text[offset(body_start)..offset(j)];
    let steps_of = |part: &str| -> Result<Vec<Step>, String> {
        match parse_action(&format!("{part}}}"))?.0 {
            Action::Steps(steps) => Ok(steps),
            _ => Err(format!("unrecognized identifier {part}")),
        }
    };
    let operator_at = body.find(['!', '<', '>', '=']).filter(|&p| p > 0);
    let step = match operator_at {
        None => Step::Exists(steps_of(body)?),
        Some(p) => {
            let op_len = body[p..]
                .find(|c| !matches!(c, '!' | '<' | '>' | '='))
                .unwrap_or(body.len() - p);
            let op = match &body[p..p + op_len] {
                "==" => Compare::Eq,
                "!=" => Compare::Ne,
                "<" => Compare::Lt,
                ">" => Compare::Gt,
                "<=" => Compare::Le,
                ">=" => Compare::Ge,
                other => return Err(format!("unrecognized filter operator {other}")),
            };
            Step::Filter(steps_of(&body[..p])?, op, steps_of(&body[p + op_len..])?)
        }
    };
    Ok((step, j + 2))
}

/// Go's `strconv.Unquote`, extended to single-quoted strings.
fn unquote(quoted: &str) -> Result<String, String> {
    let inner = &quoted[1..quoted.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some(c @ ('\\' | '"' | '\'')) => out.push(c),
            _ => return Err("invalid syntax".to_string()),
        }
    }
    Ok(out)
}

fn eval<'a>(
    steps: &[Step],
    mut current: Vec<Cow<'a, Value>>,
) -> Result<Vec<Cow<'a, Value>>, String> {
    for step in steps {
        current = apply(step, current)?;
    }
    Ok(current)
}

fn child<'a>(
    value: &Cow<'a, Value>,
    pick: impl Fn(&Value) -> Option<&Value>,
) -> Option<Cow<'a, Value>> {
    match value {
        Cow::Borrowed(v) => pick(v).map(Cow::Borrowed),
        Cow::Owned(v) => pick(v).map(|c| Cow::Owned(c.clone())),
    }
}

fn children<'a>(value: &Cow<'a, Value>) -> Vec<Cow<'a, Value>> {
    let count = match value.as_ref() {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    (0..count)
        .filter_map(|i| {
            child(value, |v| match v {
                Value::Array(items) => items.get(i),
                Value::Object(map) => map.values().nth(i),
                _ => None,
            })
        })
        .collect()
}

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::Null => "<nil>",
    }
}

fn apply<'a>(step: &Step, input: Vec<Cow<'a, Value>>) -> Result<Vec<Cow<'a, Value>>, String> {
    let mut out = Vec::new();
    match step {
        Step::Field(name) => {
            for value in &input {
                out.extend(child(value, |v| v.as_object().and_then(|m| m.get(name))));
            }
        }
        Step::Wildcard => {
            for value in &input {
                out.extend(children(value));
            }
        }
        Step::Recursive => {
            fn descend<'a>(value: Cow<'a, Value>, out: &mut Vec<Cow<'a, Value>>) {
                let inner = children(&value);
                if !inner.is_empty() {
                    out.push(value);
                    for c in inner {
                        descend(c, out);
                    }
                }
            }
            for value in input {
                descend(value, &mut out);
            }
        }
        Step::Index(index) => {
            for value in &input {
                let len = match value.as_ref() {
                    Value::Null => continue,
                    Value::Array(items) => items.len() as i64,
                    other => return Err(format!("{} is not array or slice", go_type(other))),
                };
                let at = if *index < 0 { index + len } else { *index };
                if !(0..len).contains(&at) {
                    return Err(format!(
                        "array index out of bounds: index {at}, length {len}"
                    ));
                }
                out.extend(child(value, |v| {
                    v.as_array().and_then(|a| a.get(at as usize))
                }));
            }
        }
        Step::Slice(start, end) => {
            for value in &input {
                let items = match value.as_ref() {
                    Value::Null => continue,
                    Value::Array(items) => items,
                    other => return Err(format!("{} is not array or slice", go_type(other))),
                };
                let len = items.len() as i64;
                let mut from = start.unwrap_or(0);
                if from < 0 {
                    from += len;
                }
                let mut to = end.unwrap_or(len);
                if to < 0 {
                    to += len;
                }
                if to != from {
                    if from >= len || from < 0 {
                        return Err(format!(
                            "array index out of bounds: index {from}, length {len}"
                        ));
                    }
                    if to > len {
                        return Err(format!(
                            "array index out of bounds: index {}, length {len}",
                            to - 1
                        ));
                    }
                }
                if to < from {
                    return Err(format!("slice bounds out of range [{from}:{to}]"));
                }
                for i in from..to {
                    out.extend(child(value, |v| {
                        v.as_array().and_then(|a| a.get(i as usize))
                    }));
                }
            }
        }
        Step::Union(parts) => {
            for part in parts {
                out.extend(eval(part, input.clone())?);
            }
        }
        Step::Exists(path) => {
            for value in &input {
                for element in elements(value)? {
                    if !eval(path, vec![element.clone()])?.is_empty() {
                        out.push(element);
                    }
                }
            }
        }
        Step::Filter(left, op, right) => {
            for value in &input {
                for element in elements(value)? {
                    let lefts = eval(left, vec![element.clone()])?;
                    let rights = eval(right, vec![element.clone()])?;
                    // An element without the field compares as nothing: it is left out.
                    if lefts.is_empty() || rights.is_empty() {
                        continue;
                    }
                    if lefts.len() != 1 || rights.len() != 1 {
                        return Err("can only compare one element at a time".to_string());
                    }
                    if compare(&lefts[0], *op, &rights[0])? {
                        out.push(element);
                    }
                }
            }
        }
        Step::Literal(literal) => {
            out.extend(input.iter().map(|_| Cow::Owned(literal.clone())));
        }
    }
    Ok(out)
}

fn elements<'a>(value: &Cow<'a, Value>) -> Result<Vec<Cow<'a, Value>>, String> {
    match value.as_ref() {
        Value::Array(_) => Ok(children(value)),
        other => Err(format!(
            "{} is not array or slice and cannot be filtered",
            go_value(other, true)
        )),
    }
}

/// Go text/template's comparisons: numbers with numbers, strings with strings, bools for equality.
fn compare(left: &Value, op: Compare, right: &Value) -> Result<bool, String> {
    let ordering = match (left, right) {
        (Value::Number(a), Value::Number(b)) => a
            .as_f64()
            .zip(b.as_f64())
            .and_then(|(a, b)| a.partial_cmp(&b)),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => {
            return match op {
                Compare::Eq => Ok(a == b),
                Compare::Ne => Ok(a != b),
                _ => Err("invalid type for comparison".to_string()),
            }
        }
        _ => return Err("incompatible types for comparison".to_string()),
    };
    let Some(ordering) = ordering else {
        return Ok(false);
    };
    Ok(match op {
        Compare::Eq => ordering == Ordering::Equal,
        Compare::Ne => ordering != Ordering::Equal,
        Compare::Lt => ordering == Ordering::Less,
        Compare::Gt => ordering == Ordering::Greater,
        Compare::Le => ordering != Ordering::Greater,
        Compare::Ge => ordering != Ordering::Less,
    })
}

/// How `-o jsonpath` prints one result.
fn to_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(_) | Value::Array(_) => go_json(value),
        Value::Null => "<nil>".to_string(),
        other => other.to_string(),
    }
}

/// Go's `json.Marshal`: compact, keys sorted, `<`, `>` and `&` escaped.
pub fn go_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Go's `%#v` of a decoded JSON value, as kubectl prints the object in a
/// template error.
pub fn go_syntax(value: &Value) -> String {
    match value {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "interface {}(nil)".to_string(),
        Value::Array(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "map[string]interface {{}}{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k:?}:{}", go_syntax(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Number(n) if n.is_f64() => go_float(n.as_f64().unwrap_or_default()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relaxed_paths_as_kubectl_reads_them() {
        for text in [
            "metadata.name",
            ".metadata.name",
            "{metadata.name}",
            "{.metadata.name}",
        ] {
            assert_eq!(relaxed_expression(text).unwrap(), "{.metadata.name}");
        }
        assert!(relaxed_expression("{.a}{.b}").is_err());
    }

    use serde_json::json;

    fn render(template: &str, data: &Value) -> String {
        Template::parse(template)
            .and_then(|t| t.render(data))
            .unwrap_or_else(|e| format!("ERROR {e}"))
    }

    fn pods() -> Value {
        json!({"kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app": "x", "kubernetes.io/os": "linux"}},
             "spec": {"nodeName": "n1", "tolerations": [
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
                {"operator": "Exists"}]},
             "status": {"phase": "Running", "restarts": 3}},
            {"metadata": {"name": "b", "labels": {"app": "y"}},
             "spec": {"nodeName": "n2"},
             "status": {"phase": "Pending", "restarts": 0}}
        ]})
    }

    #[test]
    fn fields_indexes_and_wildcards() {
        let data = pods();
        assert_eq!(render("{.items[0].metadata.name}", &data), "a");
        assert_eq!(render("{.items[*].metadata.name}", &data), "a b");
        assert_eq!(render("{.items[-1].spec.nodeName}", &data), "n2");
        assert_eq!(render("{.items[0:1].metadata.name}", &data), "a");
        assert_eq!(
            render("{.items[0,1].status.phase}", &data),
            "Running Pending"
        );
        assert_eq!(render("{.items[0]['metadata']['name']}", &data), "a");
        assert_eq!(
            render(r"{.items[0].metadata.labels.kubernetes\.io/os}", &data),
            "linux"
        );
        assert_eq!(render("{.items[1].missing}", &data), "");
        assert_eq!(render("{..nodeName}", &data), "n1 n2");
        assert_eq!(
            render("{.items[1].metadata}", &data),
            r#"{"labels":{"app":"y"},"name":"b"}"#
        );
        assert_eq!(render("{.kind}{\"\\n\"}", &data), "List\n");
        assert_eq!(
            render("name: {.items[0].metadata.name}!", &data),
            "name: a!"
        );
    }

    #[test]
    fn ranges_and_filters() {
        let data = pods();
        assert_eq!(
            render(
                r#"{range .items[*]}{.metadata.name}{"\t"}{.spec.nodeName}{"\n"}{end}"#,
                &data
            ),
            "a\tn1\nb\tn2\n"
        );
        assert_eq!(
            render(
                r#"{range .items[0].spec.tolerations[*]}{.key} {.operator}{"\n"}{end}"#,
                &data
            ),
            "node.kubernetes.io/not-ready Exists\n Exists\n"
        );
        assert_eq!(
            render(
                r#"{.items[?(@.status.phase=="Pending")].metadata.name}"#,
                &data
            ),
            "b"
        );
        assert_eq!(
            render(r#"{.items[?(@.status.restarts>1)].metadata.name}"#, &data),
            "a"
        );
        assert_eq!(
            render("{.items[?(@.spec.tolerations)].metadata.name}", &data),
            "a"
        );
        assert_eq!(
            render(
                r#"{.items[0].spec.tolerations[?(@.key!="x")].effect}"#,
                &data
            ),
            "NoExecute"
        );
    }

    #[test]
    fn errors_read_like_client_go() {
        let data = pods();
        assert_eq!(
            render("{.items[5]}", &data),
            "ERROR array index out of bounds: index 5, length 2"
        );
        assert_eq!(
            render("{.kind[0]}", &data),
            "ERROR string is not array or slice"
        );
        assert_eq!(render("{.items", &data), "ERROR unclosed action");
        assert_eq!(render("{end}", &data), "ERROR not in range, nothing to end");
        assert_eq!(render("{.items[x]}", &data), "ERROR invalid array index x");
        assert_eq!(render("{foo}", &data), "ERROR unrecognized identifier foo");
    }

    #[test]
    fn go_formatting() {
        let value = json!({"b": [1, "x"], "a": {"c": null}, "f": 2.5, "g": 2e6});
        assert_eq!(
            go_value(&value, true),
            "map[a:map[c:<nil>] b:[1 x] f:2.5 g:2e+06]"
        );
        assert_eq!(
            go_syntax(&json!({"a": ["x", 1]})),
            r#"map[string]interface {}{"a":[]interface {}{"x", 1}}"#
        );
        assert_eq!(go_json(&json!({"a": "<b>"})), r#"{"a":"\u003cb\u003e"}"#);
    }
}
