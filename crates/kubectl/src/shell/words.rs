//! A command line as a POSIX shell reads it: words (with quotes, `$VAR`,
//! `${VAR}` and `$(…)` kept apart for expansion), `|`, `&&`, `||`, `;`,
//! `<<DELIM` and `#` comments.

/// A piece of a word before expansion.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// Text as written (quotes removed); quoted text is never split.
    Text(String),
    /// `$NAME` or `${NAME}`; `true` inside double quotes.
    Var(String, bool),
    /// `$(command)`; `true` inside double quotes.
    Command(String, bool),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Token {
    Word(Vec<Piece>),
    Pipe,
    And,
    Or,
    Semicolon,
    /// `<<DELIM`: the stage reads the lines that follow, up to DELIM; `true`
    /// when DELIM is unquoted and the lines are expanded as bash expands them.
    Heredoc(String, bool),
    Redirect(Redirect),
}

/// The redirections a terminal session needs without files: discarding a
/// stream, or sending one to the other.
#[derive(Clone, Debug, PartialEq)]
pub enum Redirect {
    /// `> FILE` (or `>> FILE` when `true`): the session's own files, which `-f` and `cat` read.
    StdoutToFile(String, bool),
    StdoutToNull,
    StderrToNull,
    BothToNull,
    StderrToStdout,
    StdoutToStderr,
}

/// Reads a redirection starting at `chars[i]` (`>`, `1>`, `2>`, `&>`); returns it and where it ends.
fn redirect(chars: &[char], i: usize) -> Result<(Redirect, usize), String> {
    let (source, mut j) = match chars[i] {
        '>' => ('1', i + 1),
        c => (c, i + 2),
    };
    let append = chars.get(j) == Some(&'>');
    if append {
        j += 1;
    }
    while chars.get(j).is_some_and(|c| *c == ' ' || *c == '\t') {
        j += 1;
    }
    let end = (j..chars.len())
        .find(|&k| chars[k].is_whitespace() || matches!(chars[k], '|' | ';'))
        .unwrap_or(chars.len());
    let target: String = chars[j..end].iter().collect();
    if target.is_empty() {
        return Err("syntax error near unexpected token `newline'".to_string());
    }
    let redirect = match (source, target.as_str()) {
        ('1', "/dev/null") => Redirect::StdoutToNull,
        ('2', "/dev/null") => Redirect::StderrToNull,
        ('&', "/dev/null") => Redirect::BothToNull,
        ('2', "&1") => Redirect::StderrToStdout,
        ('1', "&2") => Redirect::StdoutToStderr,
        ('1', file) if !file.starts_with('&') && !file.contains('/') => Redirect::StdoutToFile(
            file.trim_matches(|c| c == '"' || c == '\'').to_string(),
            append,
        ),
        _ => {
            return Err(unsupported(&format!(
                "writing to {target:?} (only files in the current folder, /dev/null, 2>&1 and >&2)"
            )))
        }
    };
    Ok((redirect, end))
}

fn unsupported(what: &str) -> String {
    format!("{what} is not supported by the playground's shell")
}

/// Reads `line` into tokens.
pub fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut word: Vec<Piece> = Vec::new();
    let mut in_word = false;
    let mut i = 0;
    let push_text = |word: &mut Vec<Piece>, c: char| match word.last_mut() {
        Some(Piece::Text(text)) => text.push(c),
        _ => word.push(Piece::Text(c.to_string())),
    };
    macro_rules! end_word {
        () => {
            if in_word {
                tokens.push(Token::Word(std::mem::take(&mut word)));
                in_word = false;
            }
        };
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => {
                end_word!();
                i += 1;
            }
            '#' if !in_word => break,
            '|' => {
                end_word!();
                if chars.get(i + 1) == Some(&'|') {
                    tokens.push(Token::Or);
                    i += 2;
                } else {
                    tokens.push(Token::Pipe);
                    i += 1;
                }
            }
            '&' if chars.get(i + 1) != Some(&'>') => {
                end_word!();
                if chars.get(i + 1) != Some(&'&') {
                    return Err(unsupported("running a command in the background (&)"));
                }
                tokens.push(Token::And);
                i += 2;
            }
            ';' => {
                end_word!();
                tokens.push(Token::Semicolon);
                i += 1;
            }
            '<' if chars.get(i + 1) == Some(&'<') => {
                end_word!();
                i += 2;
                if chars.get(i) == Some(&'-') {
                    i += 1;
                }
                while chars.get(i).is_some_and(|c| *c == ' ' || *c == '\t') {
                    i += 1;
                }
                let mut delimiter = String::new();
                let mut quoted = false;
                while let Some(&c) = chars.get(i) {
                    if c.is_whitespace() || matches!(c, '|' | ';' | '&' | '<' | '>') {
                        break;
                    }
                    if matches!(c, '\'' | '"' | '\\') {
                        quoted = true;
                    } else {
                        delimiter.push(c);
                    }
                    i += 1;
                }
                if delimiter.is_empty() {
                    return Err("syntax error near unexpected token `newline'".to_string());
                }
                tokens.push(Token::Heredoc(delimiter, !quoted));
            }
            '>' => {
                end_word!();
                let (r, next) = redirect(&chars, i)?;
                tokens.push(Token::Redirect(r));
                i = next;
            }
            '1' | '2' | '&' if !in_word && chars.get(i + 1) == Some(&'>') => {
                let (r, next) = redirect(&chars, i)?;
                tokens.push(Token::Redirect(r));
                i = next;
            }
            '<' => return Err(unsupported("reading from a file (<)")),
            '`' => return Err(unsupported("`…` (write $(…) instead)")),
            '\'' => {
                in_word = true;
                let close = (i + 1..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .ok_or("unexpected EOF while looking for matching `''")?;
                word.push(Piece::Text(chars[i + 1..close].iter().collect()));
                i = close + 1;
            }
            '"' => {
                in_word = true;
                // An empty "" still makes a word.
                word.push(Piece::Text(String::new()));
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err("unexpected EOF while looking for matching `\"'".to_string())
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\' | '$' | '`')) => {
                            push_text(&mut word, chars[i + 1]);
                            i += 2;
                        }
                        Some('$') => i = dollar(&chars, i, true, &mut word)?,
                        Some('`') => return Err(unsupported("`…` (write $(…) instead)")),
                        Some(&c) => {
                            push_text(&mut word, c);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(&next) = chars.get(i + 1) {
                    push_text(&mut word, next);
                }
                i += 2;
            }
            '$' => {
                in_word = true;
                i = dollar(&chars, i, false, &mut word)?;
            }
            c => {
                in_word = true;
                push_text(&mut word, c);
                i += 1;
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Reads the expansion starting at the `$` at `chars[i]`; returns the index after it.
fn dollar(chars: &[char], i: usize, quoted: bool, word: &mut Vec<Piece>) -> Result<usize, String> {
    let is_name = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    match chars.get(i + 1) {
        Some('(') => {
            let close = matching_paren(chars, i + 2)?;
            word.push(Piece::Command(chars[i + 2..close].iter().collect(), quoted));
            Ok(close + 1)
        }
        Some('{') => {
            let close = (i + 2..chars.len())
                .find(|&j| chars[j] == '}')
                .ok_or("unexpected EOF while looking for matching `}'")?;
            let name: String = chars[i + 2..close].iter().collect();
            if name.is_empty() || !name.chars().all(|c| is_name(&c)) {
                return Err(format!("${{{name}}}: bad substitution"));
            }
            word.push(Piece::Var(name, quoted));
            Ok(close + 1)
        }
        Some('?') => {
            word.push(Piece::Var("?".to_string(), quoted));
            Ok(i + 2)
        }
        Some(c) if is_name(c) && !c.is_ascii_digit() => {
            let end = (i + 1..chars.len())
                .find(|&j| !is_name(&chars[j]))
                .unwrap_or(chars.len());
            word.push(Piece::Var(chars[i + 1..end].iter().collect(), quoted));
            Ok(end)
        }
        _ => {
            match word.last_mut() {
                Some(Piece::Text(text)) => text.push('$'),
                _ => word.push(Piece::Text("$".to_string())),
            }
            Ok(i + 1)
        }
    }
}

/// The index of the `)` closing a `$(` whose body starts at `start`.
fn matching_paren(chars: &[char], start: usize) -> Result<usize, String> {
    let mut depth = 0;
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' => {
                i = (i + 1..chars.len())
                    .find(|&j| chars[j] == '\'')
                    .ok_or("unexpected EOF while looking for matching `''")?;
            }
            '"' => {
                let mut j = i + 1;
                while chars.get(j).is_some_and(|&c| c != '"') {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                if j >= chars.len() {
                    return Err("unexpected EOF while looking for matching `\"'".to_string());
                }
                i = j;
            }
            '\\' => i += 1,
            '(' => depth += 1,
            ')' if depth == 0 => return Ok(i),
            ')' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    Err("unexpected EOF while looking for matching `)'".to_string())
}

/// The heredoc delimiter of a command line, if it has one.
pub fn heredoc_delimiter(line: &str) -> Option<String> {
    tokenize(line)
        .ok()?
        .into_iter()
        .find_map(|token| match token {
            Token::Heredoc(delimiter, _) => Some(delimiter),
            _ => None,
        })
}

/// The lines of a heredoc whose delimiter is unquoted, as bash reads them:
/// `$NAME`, `${NAME}` and `$(…)` expanded, `\` before a newline joining the
/// lines, before `$`, `` ` `` or `\\` escaping it, and kept before anything else.
pub fn heredoc_body(text: &str) -> Result<Vec<Piece>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut pieces = vec![Piece::Text(String::new())];
    let push = |pieces: &mut Vec<Piece>, c: char| match pieces.last_mut() {
        Some(Piece::Text(text)) => text.push(c),
        _ => pieces.push(Piece::Text(c.to_string())),
    };
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match (c, chars.get(i + 1)) {
            ('\\', Some('\n')) => i += 2,
            ('\\', Some(&next @ ('$' | '`' | '\\'))) => {
                push(&mut pieces, next);
                i += 2;
            }
            ('$', _) => i = dollar(&chars, i, true, &mut pieces)?,
            ('`', _) => return Err(unsupported("`…` (write $(…) instead)")),
            _ => {
                push(&mut pieces, c);
                i += 1;
            }
        }
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_string())
    }

    #[test]
    fn quotes_expansions_and_operators() {
        let tokens =
            tokenize(r#"POD=$(kubectl get pods -o jsonpath='{.items[0]}') "a $B" | wc -l # note"#)
                .unwrap();
        assert_eq!(
            tokens,
            [
                Token::Word(vec![
                    text("POD="),
                    Piece::Command(
                        "kubectl get pods -o jsonpath='{.items[0]}'".to_string(),
                        false
                    )
                ]),
                Token::Word(vec![text("a "), Piece::Var("B".to_string(), true)]),
                Token::Pipe,
                Token::Word(vec![text("wc")]),
                Token::Word(vec![text("-l")]),
            ]
        );
        assert_eq!(
            tokenize("cat <<'EOF' | kubectl apply -f - && echo ok").unwrap()[1..3],
            [Token::Heredoc("EOF".to_string(), false), Token::Pipe]
        );
        assert_eq!(tokenize(r#"''"#).unwrap(), [Token::Word(vec![text("")])]);
        assert_eq!(
            tokenize("cat > ds.yaml").unwrap()[1],
            Token::Redirect(Redirect::StdoutToFile("ds.yaml".to_string(), false))
        );
        assert!(tokenize("kubectl get pods > /etc/out").is_err());
        assert_eq!(
            tokenize("a 2>/dev/null >&2 2>&1 &>/dev/null").unwrap()[1..],
            [
                Token::Redirect(Redirect::StderrToNull),
                Token::Redirect(Redirect::StdoutToStderr),
                Token::Redirect(Redirect::StderrToStdout),
                Token::Redirect(Redirect::BothToNull),
            ]
        );
        assert!(tokenize("echo 'open").is_err());
    }

    #[test]
    fn heredocs() {
        assert_eq!(
            heredoc_delimiter("kubectl apply -f - <<EOF"),
            Some("EOF".to_string())
        );
        assert_eq!(
            heredoc_delimiter("cat << 'END' | kubectl apply -f -"),
            Some("END".to_string())
        );
        assert_eq!(heredoc_delimiter("kubectl get pods"), None);
    }
}
