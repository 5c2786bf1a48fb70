//! `-o go-template=…` (and `-o template=…`): the part of Go's text/template
//! that kubectl users write: `{{.field.path}}`, string literals with Go's
//! escapes, `{{range …}}`, `{{if …}}`/`{{else}}`, `{{with …}}`, `{{end}}`,
//! `index`, `len`, and the `{{-`/`-}}` trim markers. Values print as Go's
//! `fmt` prints what kubectl decodes (maps as `map[k:v]`, lists as `[a b]`,
//! a missing field as `<no value>`).

use serde_json::Value;

use daemonlab_core::api::server::go_value;

use crate::jsonpath::go_syntax;

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Print(Vec<Arg>),
    Range(Vec<Arg>, Vec<Node>, Vec<Node>),
    If(Vec<Arg>, Vec<Node>, Vec<Node>),
    With(Vec<Arg>, Vec<Node>, Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
enum Arg {
    /// `.a.b` (`.` itself when empty).
    Field(Vec<String>),
    Literal(Value),
    Function(String),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct GoTemplate(Vec<Node>);

/// One action's words, and the text between actions, with trim markers applied.
enum Token {
    Text(String),
    /// The action's words and the line it starts on.
    Action(String, usize),
}

/// Where an action ends (the index of its `}}` in `inside`), or the error
/// Go's lexer gives, with the index in `inside` it stopped at: a lone `}`
/// outside a string is a bad character, and the end of the text before `}}`
/// an unclosed action.
fn action_end(inside: &str) -> Result<usize, (usize, String)> {
    let mut quoted = false;
    let mut chars = inside.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quoted => {
                chars.next();
            }
            '"' => quoted = !quoted,
            '}' if !quoted => {
                return match chars.peek() {
                    Some((_, '}')) => Ok(i),
                    _ => Err((i, "bad character U+007D '}'".to_string())),
                }
            }
            _ => {}
        }
    }
    Err((inside.len(), "unclosed action".to_string()))
}

/// Go's `template: output:LINE: …` for an error at byte `at` of `text`.
fn at_line(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let mut before = rest[..open].to_string();
        let inside = &rest[open + 2..];
        let start = text.len() - inside.len();
        let close = action_end(inside).map_err(|(at, error)| {
            let (opened, line) = (at_line(text, start), at_line(text, start + at));
            if error == "unclosed action" && line != opened {
                format!("output:{line}: {error} started at output:{opened}")
            } else {
                format!("output:{line}: {error}")
            }
        })?;
        let mut action = &inside[..close];
        if let Some(trimmed) = action.strip_prefix("- ") {
            before = before.trim_end().to_string();
            action = trimmed;
        }
        let trim_after = action.ends_with(" -");
        if trim_after {
            action = &action[..action.len() - 2];
        }
        out.push(Token::Text(before));
        out.push(Token::Action(
            action.trim().to_string(),
            at_line(text, start),
        ));
        rest = &inside[close + 2..];
        if trim_after {
            rest = rest.trim_start();
        }
    }
    out.push(Token::Text(rest.to_string()));
    Ok(out)
}

/// The arguments of an action: fields, literals, function names.
fn args(action: &str) -> Result<Vec<Arg>, String> {
    let mut out = Vec::new();
    let mut chars = action.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next().ok_or("unterminated quoted string")? {
                    '"' => break,
                    '\\' => match chars.next().ok_or("unterminated quoted string")? {
                        'n' => text.push('\n'),
                        't' => text.push('\t'),
                        '\\' => text.push('\\'),
                        '"' => text.push('"'),
                        other => return Err(format!("unknown escape sequence: \\{other}")),
                    },
                    c => text.push(c),
                }
            }
            out.push(Arg::Literal(Value::String(text)));
        } else {
            let word: String =
                std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect();
            out.push(match word.as_str() {
                "." => Arg::Field(Vec::new()),
                w if w.starts_with('.') => {
                    Arg::Field(w[1..].split('.').map(str::to_string).collect())
                }
                w if w.parse::<i64>().is_ok() => {
                    Arg::Literal(Value::from(w.parse::<i64>().unwrap_or(0)))
                }
                "true" | "false" => Arg::Literal(Value::Bool(word == "true")),
                w if w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    Arg::Function(w.to_string())
                }
                w => return Err(format!("unexpected {w:?} in command")),
            });
        }
    }
    Ok(out)
}

impl GoTemplate {
    /// The template, or Go's parse error after `template: ` (`output:LINE: …`).
    pub fn parse(text: &str) -> Result<GoTemplate, String> {
        let tokens = tokens(text)?;
        let mut at = 0;
        let eof = at_line(text, text.len());
        let (nodes, end) = block(&tokens, &mut at, eof)?;
        match end {
            None => Ok(GoTemplate(nodes)),
            Some((word, line)) => Err(format!("output:{line}: unexpected {{{{{word}}}}}")),
        }
    }

    pub fn render(&self, data: &Value) -> Result<String, String> {
        let mut out = String::new();
        run(&self.0, data, &mut out)?;
        Ok(out)
    }
}

/// The `{{end}}` or `{{else}}` that ended a block, and its line.
type BlockEnd = Option<(String, usize)>;

/// Nodes up to an `{{end}}` or `{{else}}` (returned, with its line) or the
/// end of the text (on line `eof`).
fn block(tokens: &[Token], at: &mut usize, eof: usize) -> Result<(Vec<Node>, BlockEnd), String> {
    let mut nodes = Vec::new();
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token {
            Token::Text(text) if text.is_empty() => {}
            Token::Text(text) => nodes.push(Node::Text(text.clone())),
            Token::Action(action, line) => {
                let (word, rest) = action
                    .split_once(char::is_whitespace)
                    .unwrap_or((action, ""));
                let at_line = |e: String| format!("output:{line}: {e}");
                match word {
                    "end" | "else" => return Ok((nodes, Some((word.to_string(), *line)))),
                    "range" | "if" | "with" => {
                        let pipeline = args(rest).map_err(at_line)?;
                        let unexpected_eof = || format!("output:{eof}: unexpected EOF");
                        let (body, end) = block(tokens, at, eof)?;
                        let otherwise = match end {
                            Some((end, _)) if end == "else" => match block(tokens, at, eof)? {
                                (otherwise, Some((end, _))) if end == "end" => otherwise,
                                _ => return Err(unexpected_eof()),
                            },
                            Some((end, _)) if end == "end" => Vec::new(),
                            _ => return Err(unexpected_eof()),
                        };
                        nodes.push(match word {
                            "range" => Node::Range(pipeline, body, otherwise),
                            "if" => Node::If(pipeline, body, otherwise),
                            _ => Node::With(pipeline, body, otherwise),
                        });
                    }
                    "" => return Err(at_line("missing value for command".to_string())),
                    _ => nodes.push(Node::Print(args(action).map_err(at_line)?)),
                }
            }
        }
    }
    Ok((nodes, None))
}

/// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn field(data: &Value, path: &[String]) -> Value {
    let mut value = data;
    for name in path {
        match value.get(name) {
            Some(next) => value = next,
            None => return Value::Null,
        }
    }
    value.clone()
}

fn evaluate(args: &[Arg], data: &Value) -> Result<Value, String> {
    let value = |arg: &Arg| match arg {
        Arg::Field(path) => Ok(field(data, path)),
        Arg::Literal(value) => Ok(value.clone()),
        Arg::Function(name) => Err(format!("{name} is not a value")),
    };
    match args {
        [] => Err("missing value for command".to_string()),
        [Arg::Function(name), rest @ ..] => match (name.as_str(), rest) {
            ("len", [arg]) => match value(arg)? {
                Value::Array(a) => Ok(Value::from(a.len())),
                Value::Object(o) => Ok(Value::from(o.len())),
                Value::String(s) => Ok(Value::from(s.len())),
                other => Err(format!(
                    "error calling len: len of type {}",
                    go_type(&other)
                )),
            },
            ("index", [arg, keys @ ..]) => {
                let mut current = value(arg)?;
                for key in keys {
                    current = match (current, value(key)?) {
                        (Value::Object(map), Value::String(k)) => {
                            map.get(&k).cloned().unwrap_or(Value::Null)
                        }
                        (Value::Array(list), Value::Number(n)) => n
                            .as_u64()
                            .and_then(|i| list.get(i as usize).cloned())
                            .ok_or_else(|| {
                                format!("error calling index: index out of range: {n}")
                            })?,
                        _ => return Err("error calling index: cannot index this value".to_string()),
                    };
                }
                Ok(current)
            }
            ("not", [arg]) => Ok(Value::Bool(!truthy(&value(arg)?))),
            (name, _) => Err(format!("function {name:?} not defined")),
        },
        [one] => value(one),
        [first, ..] => Err(format!(
            "can't give argument to non-function {}",
            describe(first)
        )),
    }
}

fn describe(arg: &Arg) -> String {
    match arg {
        Arg::Field(path) => format!(".{}", path.join(".")),
        Arg::Literal(value) => value.to_string(),
        Arg::Function(name) => name.clone(),
    }
}

fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn run(nodes: &[Node], data: &Value, out: &mut String) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Print(args) => match evaluate(args, data)? {
                Value::Null => out.push_str("<no value>"),
                value => out.push_str(&go_value(&value, true)),
            },
            Node::If(pipeline, body, otherwise) => {
                let chosen = if truthy(&evaluate(pipeline, data)?) {
                    body
                } else {
                    otherwise
                };
                run(chosen, data, out)?;
            }
            Node::With(pipeline, body, otherwise) => {
                let value = evaluate(pipeline, data)?;
                if truthy(&value) {
                    run(body, &value, out)?;
                } else {
                    run(otherwise, data, out)?;
                }
            }
            Node::Range(pipeline, body, otherwise) => {
                let items: Vec<Value> = match evaluate(pipeline, data)? {
                    Value::Array(list) => list,
                    // Go ranges over a map's values in key order.
                    Value::Object(map) => map.into_iter().map(|(_, v)| v).collect(),
                    Value::Null => Vec::new(),
                    other => return Err(format!("range can't iterate over {}", go_syntax(&other))),
                };
                if items.is_empty() {
                    run(otherwise, data, out)?;
                }
                for item in &items {
                    run(body, item, out)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(template: &str, data: &Value) -> String {
        GoTemplate::parse(template)
            .and_then(|t| t.render(data))
            .unwrap_or_else(|e| format!("ERROR {e}"))
    }

    #[test]
    fn the_templates_kubectl_users_write() {
        let ds = json!({"metadata": {"name": "fluentd", "labels": {"app": "f", "tier": "logs"}},
            "spec": {"updateStrategy": {"type": "RollingUpdate"}, "replicas": 3},
            "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]});
        assert_eq!(
            render(r#"{{.spec.updateStrategy.type}}{{"\n"}}"#, &ds),
            "RollingUpdate\n"
        );
        assert_eq!(
            render("{{range .items}}{{.metadata.name}} {{end}}", &ds),
            "a b "
        );
        assert_eq!(render("{{.spec.replicas}}", &ds), "3");
        assert_eq!(render("{{.spec.missing}}", &ds), "<no value>");
        assert_eq!(render("{{.metadata.labels}}", &ds), "map[app:f tier:logs]");
        assert_eq!(render(r#"{{index .metadata.labels "tier"}}"#, &ds), "logs");
        assert_eq!(render("{{len .items}}", &ds), "2");
        assert_eq!(
            render("{{if .spec.paused}}paused{{else}}running{{end}}", &ds),
            "running"
        );
        assert_eq!(
            render("{{with .spec.updateStrategy}}{{.type}}{{end}}", &ds),
            "RollingUpdate"
        );
        assert_eq!(
            render("{{range .items -}}\n  {{.metadata.name}}\n{{- end}}", &ds),
            "ab"
        );
        assert_eq!(
            render("{{range .items}}", &ds),
            "ERROR output:1: unexpected EOF"
        );
        assert_eq!(
            render("{{.a}", &ds),
            "ERROR output:1: bad character U+007D '}'"
        );
    }
}
