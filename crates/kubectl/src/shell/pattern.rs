//! The regular expressions `grep` takes: basic (`grep`), extended (`grep -E`)
//! and fixed strings (`grep -F`). Enough of POSIX for reading kubectl output:
//! `.`, `*`, `+`, `?`, `{n,m}`, `[…]` with ranges and negation, `^`, `$`,
//! groups and alternation.

#[derive(Clone, Debug)]
enum Node {
    Char(char),
    Any,
    Class(bool, Vec<(char, char)>),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
}

#[derive(Clone, Debug)]
pub struct Pattern {
    alternatives: Vec<Vec<Node>>,
    ignore_case: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Basic,
    Extended,
    Fixed,
}

impl Pattern {
    pub fn new(text: &str, syntax: Syntax, ignore_case: bool) -> Result<Pattern, String> {
        let chars: Vec<char> = if ignore_case {
            text.to_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        let alternatives = if syntax == Syntax::Fixed {
            vec![chars.iter().map(|&c| Node::Char(c)).collect()]
        } else {
            let mut parser = Parser {
                chars: &chars,
                at: 0,
                extended: syntax == Syntax::Extended,
            };
            let alternatives = parser.alternatives()?;
            if parser.at < chars.len() {
                return Err("Unmatched ) or \\)".to_string());
            }
            alternatives
        };
        Ok(Pattern {
            alternatives,
            ignore_case,
        })
    }

    /// Whether the pattern matches anywhere in `line`.
    pub fn is_match(&self, line: &str) -> bool {
        let text: Vec<char> = if self.ignore_case {
            line.to_lowercase().chars().collect()
        } else {
            line.chars().collect()
        };
        let group = [Node::Group(self.alternatives.clone())];
        (0..=text.len()).any(|start| matches(&group, &text, start, &mut |_| true))
    }

    /// The leftmost, then longest, match in `line` (its characters) starting
    /// at or after `from`: its start and end.
    pub fn find(&self, line: &[char], from: usize) -> Option<(usize, usize)> {
        let text: Vec<char> = if self.ignore_case {
            line.iter().flat_map(|c| c.to_lowercase()).collect()
        } else {
            line.to_vec()
        };
        let group = [Node::Group(self.alternatives.clone())];
        (from..=text.len()).find_map(|start| {
            let mut longest = None;
            matches(&group, &text, start, &mut |end| {
                longest = longest.max(Some(end));
                false
            });
            longest.map(|end| (start, end))
        })
    }
}

struct Parser<'a> {
    chars: &'a [char],
    at: usize,
    extended: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    /// Whether the input at the cursor is the operator `op` (`\op` in basic syntax).
    fn operator(&self, op: char) -> bool {
        if self.extended {
            self.peek() == Some(op)
        } else {
            self.peek() == Some('\\') && self.chars.get(self.at + 1) == Some(&op)
        }
    }

    fn skip_operator(&mut self) {
        self.at += if self.extended { 1 } else { 2 };
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, String> {
        let mut alternatives = vec![self.sequence()?];
        while self.operator('|') {
            self.skip_operator();
            alternatives.push(self.sequence()?);
        }
        Ok(alternatives)
    }

    fn sequence(&mut self) -> Result<Vec<Node>, String> {
        let mut nodes = Vec::new();
        while let Some(c) = self.peek() {
            if self.operator('|') || self.operator(')') {
                break;
            }
            let node = if self.operator('(') {
                self.skip_operator();
                let group = self.alternatives()?;
                if !self.operator(')') {
                    return Err("Unmatched ( or \\(".to_string());
                }
                self.skip_operator();
                Node::Group(group)
            } else if c == '^' && nodes.is_empty() {
                self.at += 1;
                Node::Start
            } else if c == '$' && self.at + 1 == self.chars.len() {
                self.at += 1;
                Node::End
            } else if c == '.' {
                self.at += 1;
                Node::Any
            } else if c == '[' {
                self.class()?
            } else if c == '*' && nodes.is_empty() {
                self.at += 1;
                Node::Char('*')
            } else if c == '\\' {
                let escaped = self
                    .chars
                    .get(self.at + 1)
                    .copied()
                    .ok_or("Trailing backslash")?;
                self.at += 2;
                Node::Char(escaped)
            } else {
                self.at += 1;
                Node::Char(c)
            };
            nodes.push(self.repeated(node)?);
        }
        Ok(nodes)
    }

    fn repeated(&mut self, mut node: Node) -> Result<Node, String> {
        loop {
            let (min, max) = if self.peek() == Some('*') {
                self.at += 1;
                (0, None)
            } else if self.operator('+') {
                self.skip_operator();
                (1, None)
            } else if self.operator('?') {
                self.skip_operator();
                (0, Some(1))
            } else if self.operator('{') {
                self.skip_operator();
                self.interval()?
            } else {
                return Ok(node);
            };
            node = Node::Repeat(Box::new(node), min, max);
        }
    }

    fn interval(&mut self) -> Result<(usize, Option<usize>), String> {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit() || c == ',') {
            self.at += 1;
        }
        let body: String = self.chars[start..self.at].iter().collect();
        if !self.operator('}') {
            return Err("Unmatched \\{".to_string());
        }
        self.skip_operator();
        let number = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| "Invalid content of \\{\\}".to_string())
        };
        Ok(match body.split_once(',') {
            None => {
                let n = number(&body)?;
                (n, Some(n))
            }
            Some((min, "")) => (number(min)?, None),
            Some((min, max)) => (
                if min.is_empty() { 0 } else { number(min)? },
                Some(number(max)?),
            ),
        })
    }

    fn class(&mut self) -> Result<Node, String> {
        self.at += 1;
        let negated = self.peek() == Some('^');
        if negated {
            self.at += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or("Unmatched [, [^, [:, [., or [=")?;
            if c == ']' && !first {
                self.at += 1;
                break;
            }
            first = false;
            if c == '[' && self.chars.get(self.at + 1) == Some(&':') {
                let rest: String = self.chars[self.at..].iter().collect();
                let end = rest.find(":]").ok_or("Unmatched [, [^, [:, [., or [=")?;
                let name = &rest[2..end];
                ranges.extend(named_class(name).ok_or("Invalid character class name")?);
                self.at += rest[..end + 2].chars().count();
                continue;
            }
            self.at += 1;
            if self.peek() == Some('-') && self.chars.get(self.at + 1).is_some_and(|&e| e != ']') {
                let end = self.chars[self.at + 1];
                self.at += 2;
                ranges.push((c, end));
            } else {
                ranges.push((c, c));
            }
        }
        Ok(Node::Class(negated, ranges))
    }
}

fn named_class(name: &str) -> Option<Vec<(char, char)>> {
    Some(match name {
        "digit" => vec![('0', '9')],
        "alpha" => vec![('a', 'z'), ('A', 'Z')],
        "alnum" => vec![('a', 'z'), ('A', 'Z'), ('0', '9')],
        "upper" => vec![('A', 'Z')],
        "lower" => vec![('a', 'z')],
        "space" => vec![(' ', ' '), ('\t', '\r')],
        "blank" => vec![(' ', ' '), ('\t', '\t')],
        "xdigit" => vec![('0', '9'), ('a', 'f'), ('A', 'F')],
        "punct" => vec![('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        _ => return None,
    })
}

fn single(node: &Node, c: char) -> bool {
    match node {
        Node::Char(expected) => *expected == c,
        Node::Any => true,
        Node::Class(negated, ranges) => ranges.iter().any(|&(a, b)| a <= c && c <= b) != *negated,
        _ => false,
    }
}

/// Backtracking match of `nodes` at `text[at..]`; `then` continues with the rest.
fn matches(nodes: &[Node], text: &[char], at: usize, then: &mut dyn FnMut(usize) -> bool) -> bool {
    let Some((node, rest)) = nodes.split_first() else {
        return then(at);
    };
    match node {
        Node::Start => at == 0 && matches(rest, text, at, then),
        Node::End => at == text.len() && matches(rest, text, at, then),
        Node::Group(alternatives) => alternatives.iter().any(|alternative| {
            matches(alternative, text, at, &mut |next| {
                matches(rest, text, next, then)
            })
        }),
        Node::Repeat(inner, min, max) => repeat(inner, *min, *max, 0, rest, text, at, then),
        _ => at < text.len() && single(node, text[at]) && matches(rest, text, at + 1, then),
    }
}

#[allow(clippy::too_many_arguments)]
fn repeat(
    inner: &Node,
    min: usize,
    max: Option<usize>,
    count: usize,
    rest: &[Node],
    text: &[char],
    at: usize,
    then: &mut dyn FnMut(usize) -> bool,
) -> bool {
    // Greedy: one more repetition first, then the rest.
    if max.is_none_or(|max| count < max)
        && matches(std::slice::from_ref(inner), text, at, &mut |next| {
            next != at && repeat(inner, min, max, count + 1, rest, text, next, then)
        })
    {
        return true;
    }
    count >= min && matches(rest, text, at, then)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grep(pattern: &str, syntax: Syntax, line: &str) -> bool {
        Pattern::new(pattern, syntax, false).unwrap().is_match(line)
    }

    #[test]
    fn basic_and_extended() {
        assert!(grep("Taints", Syntax::Basic, "Taints:             <none>"));
        assert!(!grep("^Taints", Syntax::Basic, "  Taints:"));
        assert!(grep("Running$", Syntax::Basic, "a   1/1   Running"));
        assert!(grep(
            "node-.*-[a-z0-9]\\{5\\}",
            Syntax::Basic,
            "node-agent-x7k2p"
        ));
        assert!(grep("Pending|Failed", Syntax::Extended, "x Failed"));
        assert!(!grep("Pending|Failed", Syntax::Basic, "x Failed"));
        assert!(grep("Pending\\|Failed", Syntax::Basic, "x Failed"));
        assert!(grep("(ab)+c", Syntax::Extended, "xababc"));
        assert!(grep("[[:digit:]]+/[0-9]", Syntax::Extended, "READY 1/1"));
        assert!(grep("a.b", Syntax::Fixed, "xa.b") && !grep("a.b", Syntax::Fixed, "axb"));
        assert!(Pattern::new("running", Syntax::Basic, true)
            .unwrap()
            .is_match("Running"));
        assert!(Pattern::new("(a", Syntax::Extended, false).is_err());
    }
}
