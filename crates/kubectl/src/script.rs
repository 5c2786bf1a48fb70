//! Scripts of kubectl and `sim` commands, as `daemonlab run` reads them, and
//! transcripts (a script with its expected output) as the tests compare them.
//!
//! Each line not blank and not starting with `#` is a command: `kubectl …`,
//! `sim advance 90s`, `sim settle`, `sim node down NAME`, `sim node up NAME`,
//! `sim explain pod NAME`.
//! `kubectl apply -f - <<EOF` takes the lines up to `EOF` as its input. The
//! output shows each command after `$ ` (comments as they are), then what it
//! printed on stdout and stderr.

use daemonlab_core::sim::Cluster;

use crate::shell::{heredoc_delimiter, Shell};
use crate::Files;

/// Runs a whole script; returns the transcript it prints.
pub fn run_script(cluster: &mut Cluster, text: &str, files: &dyn Files) -> String {
    let mut shell = Shell::new();
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
        let stdin = match heredoc_delimiter(trimmed) {
            Some(delimiter) => {
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
                body
            }
            None => String::new(),
        };
        let output = shell.run(cluster, trimmed, &stdin, files);
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
            if let Some(delimiter) = heredoc_delimiter(command) {
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
    fn transcripts_give_back_their_script() {
        let transcript = "# two nodes\n$ kubectl apply -f - <<EOF\napiVersion: v1\nEOF\nnode/a created\n$ sim settle\n";
        assert_eq!(
            script_of(transcript),
            "# two nodes\nkubectl apply -f - <<EOF\napiVersion: v1\nEOF\nsim settle\n"
        );
    }
}
