//! Scripts of kubectl and `sim` commands, as `daemonlab run` reads them, and
//! transcripts (a script with its expected output) as the tests compare them.
//!
//! Each line not blank and not starting with `#` is a command: `kubectl …`,
//! `sim advance 90s`, `sim settle`, `sim node down NAME`, `sim node up NAME`.
//! `kubectl apply -f - <<EOF` takes the lines up to `EOF` as its input. The
//! output shows each command after `$ ` (comments as they are), then what it
//! printed on stdout and stderr.

use std::time::Duration;

use daemonlab_core::sim::Cluster;

use crate::{run, Files, Output};

/// Splits a command line into words: whitespace separates, single and double
/// quotes group, a backslash escapes the next character outside single quotes.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("unterminated single quote".to_string()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("unterminated double quote".to_string()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("unterminated double quote".to_string()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    word.push(c);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Go's `time.ParseDuration` for the units a script needs: `90s`, `5m`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err(invalid());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("time: missing unit in duration \"{text}\""))?;
        let number: f64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => {
                return Err(format!(
                    "time: unknown unit \"{}\" in duration \"{text}\"",
                    &rest[..unit_len]
                ))
            }
        };
        total += Duration::from_secs_f64(seconds);
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// The heredoc delimiter of a command line ending in `<<EOF`, `<< EOF` or `<<'EOF'`.
fn heredoc(line: &str) -> Option<(&str, String)> {
    let at = line.rfind("<<")?;
    let delimiter = line[at + 2..]
        .trim()
        .trim_matches(|c| c == '\'' || c == '"');
    (!delimiter.is_empty() && !delimiter.contains(' '))
        .then(|| (line[..at].trim_end(), delimiter.to_string()))
}

/// One `sim` command.
fn sim(cluster: &mut Cluster, words: &[String]) -> Output {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["advance", duration] => parse_duration(duration).map(|d| {
            cluster.advance(d);
        }),
        ["settle"] => {
            cluster.settle();
            Ok(())
        }
        ["node", "down", node] => cluster.node_down(node),
        ["node", "up", node] => cluster.node_up(node),
        _ => Err(
            "usage: sim advance DURATION | sim settle | sim node down NAME | sim node up NAME"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => Output::default(),
        Err(message) => Output::error(format!("error: {message}")),
    }
}

/// Runs one command line with its heredoc input; returns what it printed.
pub fn run_line(cluster: &mut Cluster, line: &str, stdin: &str, files: &dyn Files) -> Output {
    let words = match split_words(line) {
        Ok(words) => words,
        Err(message) => return Output::error(format!("error: {message}")),
    };
    match words.split_first() {
        Some((program, args)) if program == "kubectl" => run(cluster, args, stdin, files),
        Some((program, args)) if program == "sim" => sim(cluster, args),
        Some((program, _)) => Output::error(format!(
            "error: unknown command \"{program}\": a line is a kubectl or sim command"
        )),
        None => Output::default(),
    }
}

/// Runs a whole script; returns the transcript it prints.
pub fn run_script(cluster: &mut Cluster, text: &str, files: &dyn Files) -> String {
    let mut out = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.push_str(&format!("$ {trimmed}\n"));
        let (command, stdin) = match heredoc(trimmed) {
            Some((command, delimiter)) => {
                let mut body = String::new();
                for body_line in lines.by_ref() {
                    out.push_str(body_line);
                    out.push('\n');
                    if body_line.trim() == delimiter {
                        break;
                    }
                    body.push_str(body_line);
                    body.push('\n');
                }
                (command.to_string(), body)
            }
            None => (trimmed.to_string(), String::new()),
        };
        let output = run_line(cluster, &command, &stdin, files);
        out.push_str(&output.notice);
        out.push_str(&output.stdout);
        out.push_str(&output.stderr);
    }
    out
}

/// The script inside a transcript: its commands (with their heredocs) and
/// comments; everything else is the output it expects.
pub fn script_of(transcript: &str) -> String {
    let mut script = String::new();
    let mut lines = transcript.lines();
    while let Some(line) = lines.next() {
        if line.starts_with('#') {
            script.push_str(line);
            script.push('\n');
        } else if let Some(command) = line.strip_prefix("$ ") {
            script.push_str(command);
            script.push('\n');
            if let Some((_, delimiter)) = heredoc(command) {
                for body_line in lines.by_ref() {
                    script.push_str(body_line);
                    script.push('\n');
                    if body_line.trim() == delimiter {
                        break;
                    }
                }
            }
        }
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split_words(r#"kubectl get pod $POD -o jsonpath='{.items[0].metadata.name}' "a b""#)
                .unwrap(),
            [
                "kubectl",
                "get",
                "pod",
                "$POD",
                "-o",
                "jsonpath={.items[0].metadata.name}",
                "a b"
            ]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("5x").is_err());
    }

    #[test]
    fn transcripts_give_back_their_script() {
        let transcript = "# two nodes\n$ kubectl apply -f - <<EOF\napiVersion: v1\nEOF\nnode/a created\n$ sim settle\n";
        assert_eq!(
            script_of(transcript),
            "# two nodes\nkubectl apply -f - <<EOF\napiVersion: v1\nEOF\nsim settle\n"
        );
    }
}
