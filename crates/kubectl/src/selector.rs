//! Label selectors as `kubectl -l` reads them (`k8s.io/apimachinery/pkg/labels`):
//! `app=x`, `app!=x`, `app in (a,b)`, `tier notin (web)`, `gpu`, `!gpu`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Op {
    Equals(String),
    NotEquals(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
    Greater(i64),
    Less(i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

/// A parsed `-l` selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    requirements: Vec<Requirement>,
}

/// Splits on commas that are not inside parentheses.
fn split_requirements(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn set_values(text: &str) -> Result<Vec<String>, String> {
    let inner = text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("unable to parse requirement: found '{text}', expected: '('"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
}

fn parse_requirement(text: &str) -> Result<Requirement, String> {
    let text = text.trim();
    if let Some(key) = text.strip_prefix('!') {
        return Ok(Requirement {
            key: key.trim().to_string(),
            op: Op::DoesNotExist,
        });
    }
    for (word, set) in [(" notin ", false), (" in ", true)] {
        if let Some((key, values)) = text.split_once(word) {
            let values = set_values(values)?;
            return Ok(Requirement {
                key: key.trim().to_string(),
                op: if set {
                    Op::In(values)
                } else {
                    Op::NotIn(values)
                },
            });
        }
    }
    let number = |v: &str| {
        v.trim()
            .parse::<i64>()
            .map_err(|_| "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer".to_string())
    };
    let (key, op) = if let Some((k, v)) = text.split_once("!=") {
        (k, Op::NotEquals(v.trim().to_string()))
    } else if let Some((k, v)) = text.split_once("==") {
        (k, Op::Equals(v.trim().to_string()))
    } else if let Some((k, v)) = text.split_once('=') {
        (k, Op::Equals(v.trim().to_string()))
    } else if let Some((k, v)) = text.split_once('>') {
        (k, Op::Greater(number(v)?))
    } else if let Some((k, v)) = text.split_once('<') {
        (k, Op::Less(number(v)?))
    } else {
        (text, Op::Exists)
    };
    let key = key.trim();
    if key.is_empty() {
        return Err("unable to parse requirement: key is empty".to_string());
    }
    Ok(Requirement {
        key: key.to_string(),
        op,
    })
}

impl Selector {
    /// `metav1.ParseToLabelSelector`: equalities become `matchLabels`, set and
    /// existence requirements `matchExpressions` (by key, values sorted).
    pub fn to_label_selector(&self) -> Result<LabelSelector, String> {
        let mut requirements = self.requirements.clone();
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        let mut selector = LabelSelector::default();
        for requirement in requirements {
            let key = requirement.key;
            let (operator, mut values) = match requirement.op {
                Op::Equals(value) => {
                    selector
                        .match_labels
                        .get_or_insert_with(BTreeMap::new)
                        .insert(key, value);
                    continue;
                }
                Op::In(values) => ("In", values),
                Op::NotIn(values) => ("NotIn", values),
                Op::Exists => ("Exists", Vec::new()),
                Op::DoesNotExist => ("DoesNotExist", Vec::new()),
                Op::NotEquals(_) => {
                    return Err("\"!=\" is not a valid label selector operator".into())
                }
                Op::Greater(_) => {
                    return Err("\"gt\" is not a valid label selector operator".into())
                }
                Op::Less(_) => return Err("\"lt\" is not a valid label selector operator".into()),
            };
            values.sort();
            values.dedup();
            selector
                .match_expressions
                .get_or_insert_with(Vec::new)
                .push(LabelSelectorRequirement {
                    key,
                    operator: operator.to_string(),
                    values: (!values.is_empty()).then_some(values),
                });
        }
        Ok(selector)
    }

    /// Parses `-l`/`--selector`; an empty string selects everything.
    pub fn parse(text: &str) -> Result<Selector, String> {
        if text.trim().is_empty() {
            return Ok(Selector::default());
        }
        let requirements = split_requirements(text)
            .into_iter()
            .map(parse_requirement)
            .collect::<Result<_, _>>()?;
        Ok(Selector { requirements })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| {
            let value = labels.get(&r.key);
            match &r.op {
                Op::Equals(v) => value == Some(v),
                Op::NotEquals(v) => value != Some(v),
                Op::In(vs) => value.is_some_and(|x| vs.contains(x)),
                Op::NotIn(vs) => value.is_none_or(|x| !vs.contains(x)),
                Op::Exists => value.is_some(),
                Op::DoesNotExist => value.is_none(),
                Op::Greater(n) => value
                    .and_then(|x| x.parse::<i64>().ok())
                    .is_some_and(|x| x > *n),
                Op::Less(n) => value
                    .and_then(|x| x.parse::<i64>().ok())
                    .is_some_and(|x| x < *n),
            }
        })
    }
}

/// `metav1.FormatLabelSelector`: how kubectl prints a DaemonSet's selector.
pub fn format_label_selector(selector: &LabelSelector) -> String {
    match selector_string(selector) {
        empty if empty.is_empty() => "<none>".to_string(),
        text => text,
    }
}

/// `labels.Selector.String()` of a label selector: requirements sorted by
/// key, values sorted; empty when it selects everything.
pub fn selector_string(selector: &LabelSelector) -> String {
    let mut parts: Vec<(&str, String)> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), format!("{k}={v}")))
        .collect();
    for expression in selector.match_expressions.iter().flatten() {
        let mut values = expression.values.clone().unwrap_or_default();
        values.sort();
        let key = &expression.key;
        parts.push((
            key,
            match expression.operator.as_str() {
                "In" => format!("{key} in ({})", values.join(",")),
                "NotIn" => format!("{key} notin ({})", values.join(",")),
                "Exists" => key.clone(),
                "DoesNotExist" => format!("!{key}"),
                op => format!("{key} {op} {}", values.join(",")),
            },
        ));
    }
    parts.sort_by_key(|(key, _)| *key);
    parts
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_selector_grammar() {
        let node = labels(&[("app", "fluent-bit"), ("tier", "infra"), ("cores", "8")]);
        for (text, expected) in [
            ("", true),
            ("app=fluent-bit", true),
            ("app==fluent-bit", true),
            ("app!=fluent-bit", false),
            ("app=fluent-bit,tier=web", false),
            ("tier in (infra, web)", true),
            ("tier notin (infra)", false),
            ("gpu", false),
            ("!gpu", true),
            ("cores>4", true),
            ("cores<4", false),
            ("app in (a,fluent-bit),!gpu", true),
        ] {
            let selector = Selector::parse(text).expect(text);
            assert_eq!(selector.matches(&node), expected, "{text}");
        }
    }
}
