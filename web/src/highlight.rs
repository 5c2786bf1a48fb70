//! YAML colouring for the editor: each line split into classed pieces
//! (comments, keys, strings, numbers, booleans, document markers), and the
//! place a problem was found marked with its message beside it.

/// One coloured piece of a line; an empty class is plain text.
pub type Piece = (&'static str, String);

/// A problem to mark: 1-based line and column, and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn scalar_class(value: &str) -> &'static str {
    let v = value.trim();
    if v.starts_with('"') || v.starts_with('\'') {
        "s"
    } else if matches!(v, "true" | "false" | "null" | "~" | "yes" | "no") {
        "b"
    } else if !v.is_empty() && v.parse::<f64>().is_ok() {
        "n"
    } else if v == "|" || v == ">" || v == "|-" || v == ">-" || v == "{}" || v == "[]" {
        "p"
    } else {
        "v"
    }
}

/// Where a comment starts: a `#` at the start or after a space, outside quotes.
fn comment_at(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '#' && previous.is_whitespace() => return Some(i),
            None => {}
        }
        previous = c;
    }
    None
}

/// The coloured pieces of one line.
pub fn line_pieces(line: &str) -> Vec<Piece> {
    let (code, comment) = match comment_at(line) {
        Some(at) => (&line[..at], Some(&line[at..])),
        None => (line, None),
    };
    let mut pieces: Vec<Piece> = Vec::new();
    let trimmed = code.trim_start();
    let indent = &code[..code.len() - trimmed.len()];
    if !indent.is_empty() {
        pieces.push(("", indent.to_string()));
    }
    if trimmed.trim_end() == "---" || trimmed.trim_end() == "..." {
        pieces.push(("doc", trimmed.to_string()));
    } else {
        let mut rest = trimmed;
        while let Some(after) = rest.strip_prefix("- ") {
            pieces.push(("dash", "- ".to_string()));
            rest = after;
        }
        let key_end = (!rest.starts_with(['"', '\'', '{', '[']))
            .then(|| {
                rest.find(": ")
                    .or_else(|| rest.strip_suffix(':').map(|k| k.len()))
            })
            .flatten();
        match key_end {
            Some(end) => {
                pieces.push(("k", rest[..=end].to_string()));
                let value = &rest[end + 1..];
                if !value.is_empty() {
                    pieces.push((scalar_class(value), value.to_string()));
                }
            }
            None if !rest.is_empty() => pieces.push((scalar_class(rest), rest.to_string())),
            None => {}
        }
    }
    if let Some(comment) = comment {
        pieces.push(("c", comment.to_string()));
    }
    pieces
}

/// Splits `pieces` at character `column` (1-based): what comes before, and
/// what is marked from there to the end of the line.
pub fn mark_from(pieces: Vec<Piece>, column: usize) -> (Vec<Piece>, Vec<Piece>) {
    let mut before = Vec::new();
    let mut marked = Vec::new();
    let mut seen = 0;
    let split = column.saturating_sub(1);
    for (class, text) in pieces {
        let len = text.chars().count();
        if seen + len <= split {
            before.push((class, text));
        } else if seen >= split {
            marked.push((class, text));
        } else {
            let at = text
                .char_indices()
                .nth(split - seen)
                .map_or(text.len(), |(i, _)| i);
            before.push((class, text[..at].to_string()));
            marked.push((class, text[at..].to_string()));
        }
        seen += len;
    }
    (before, marked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn keys_values_and_comments() {
        assert_eq!(
            line_pieces("  name: worker-1  # the first"),
            [
                ("", "  ".to_string()),
                ("k", "name:".to_string()),
                ("v", " worker-1  ".to_string()),
                ("c", "# the first".to_string())
            ]
        );
        assert_eq!(
            line_pieces("- key: \"a#b\""),
            [
                ("dash", "- ".to_string()),
                ("k", "key:".to_string()),
                ("s", " \"a#b\"".to_string())
            ]
        );
        assert_eq!(line_pieces("---"), [("doc", "---".to_string())]);
        assert_eq!(line_pieces("    cpu: 50m")[2].0, "v");
        assert_eq!(line_pieces("  replicas: 3")[2].0, "n");
        assert_eq!(line_pieces("spec:"), [("k", "spec:".to_string())]);
    }

    #[test]
    fn marks_split_at_the_column() {
        let (before, marked) = mark_from(line_pieces(" labels: x"), 2);
        assert_eq!(before, [("", " ".to_string())]);
        assert_eq!(marked[0], ("k", "labels:".to_string()));
    }
}
