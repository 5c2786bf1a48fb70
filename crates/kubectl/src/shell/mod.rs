//! The small shell around kubectl that documentation pages assume:
//! `VAR=$(kubectl …)`, `$VAR`, quotes, pipes into `grep`, `wc`, `head`,
//! `tail`, `sort`, `&&`, `||`, `;`, `cat <<EOF | kubectl apply -f -`.
//! Anything else is refused with a message saying so. Shared by
//! `daemonlab run`, `daemonlab check` and the browser terminal.

mod filters;
mod pattern;
mod sed;
mod words;

use std::collections::BTreeMap;
use std::time::Duration;

use daemonlab_core::sim::Cluster;

pub use self::words::heredoc_delimiter;
use self::words::{tokenize, Piece, Redirect, Token};
use crate::scheduling_report;
use crate::{Files, Output};

/// How often `kubectl edit` opens the editor before daemonlab gives up.
const EDITOR_LAUNCHES: u32 = 20;

/// The commands a line may start with.
pub const COMMANDS: &[&str] = &[
    "kubectl", "sim", "cat", "echo", "grep", "head", "sed", "sort", "tail", "wc",
];

/// Variables and files kept from one line to the next, as in one terminal session.
#[derive(Clone, Debug, Default)]
pub struct Shell {
    vars: BTreeMap<String, String>,
    status: i32,
    /// Files written with `> FILE`; they hide files of the same name outside.
    files: BTreeMap<String, String>,
    /// Whether `kubectl edit` without `KUBE_EDITOR` may wait for the page's
    /// editor; a script has none.
    page_editor: bool,
}

/// Files of one's own first (a session's, a page's), then the ones outside.
pub(crate) struct Layered<'a> {
    pub own: &'a BTreeMap<String, String>,
    pub outside: &'a dyn Files,
}

impl Files for Layered<'_> {
    fn read(&self, path: &str) -> Option<String> {
        let path = path.strip_prefix("./").unwrap_or(path);
        self.own
            .get(path)
            .cloned()
            .or_else(|| self.outside.read(path))
    }
}

/// One command of a pipeline, with the heredoc it reads if any.
#[derive(Default)]
struct Stage {
    words: Vec<Vec<Piece>>,
    /// Reads the heredoc: `Some(true)` expands it (its delimiter is unquoted).
    heredoc: Option<bool>,
    redirects: Vec<Redirect>,
}

#[derive(Clone, Copy, PartialEq)]
enum Joint {
    Always,
    IfOk,
    IfFailed,
}

impl Shell {
    pub fn new() -> Self {
        Self::default()
    }

    /// A shell whose `kubectl edit` opens the page's editor when the
    /// environment names none.
    pub fn with_page_editor() -> Self {
        Shell {
            page_editor: true,
            ..Self::default()
        }
    }

    /// Runs one command line; `heredoc` is the text of its `<<DELIM` lines.
    pub fn run(
        &mut self,
        cluster: &mut Cluster,
        line: &str,
        heredoc: &str,
        files: &dyn Files,
    ) -> Output {
        let tokens = match tokenize(line) {
            Ok(tokens) => tokens,
            Err(message) => return self.failed(format!("syntax error: {message}")),
        };
        let mut total = Output::default();
        let mut pipeline: Vec<Stage> = Vec::new();
        let mut stage = Stage::default();
        let mut joint = Joint::Always;
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            let next_joint = match token {
                Token::Word(pieces) => {
                    stage.words.push(pieces);
                    if tokens.peek().is_some() {
                        continue;
                    }
                    None
                }
                Token::Heredoc(_, expands) => {
                    stage.heredoc = Some(expands);
                    if tokens.peek().is_some() {
                        continue;
                    }
                    None
                }
                Token::Redirect(redirect) => {
                    stage.redirects.push(redirect);
                    if tokens.peek().is_some() {
                        continue;
                    }
                    None
                }
                Token::Pipe => {
                    if stage.words.is_empty() {
                        return self.failed("syntax error near unexpected token `|'".to_string());
                    }
                    pipeline.push(std::mem::take(&mut stage));
                    continue;
                }
                Token::And => Some(Joint::IfOk),
                Token::Or => Some(Joint::IfFailed),
                Token::Semicolon => Some(Joint::Always),
            };
            if stage.words.is_empty() {
                if next_joint.is_some() || !pipeline.is_empty() {
                    return self.failed("syntax error: a command is missing".to_string());
                }
                continue;
            }
            pipeline.push(std::mem::take(&mut stage));
            let runs = match joint {
                Joint::Always => true,
                Joint::IfOk => self.status == 0,
                Joint::IfFailed => self.status != 0,
            };
            if runs {
                let output = self.pipeline(cluster, std::mem::take(&mut pipeline), heredoc, files);
                self.status = output.exit_code;
                total.notice.push_str(&output.notice);
                total.stdout.push_str(&output.stdout);
                total.stderr.push_str(&output.stderr);
                total.exit_code = output.exit_code;
                if output.editing.is_some() {
                    total.editing = output.editing;
                }
            } else {
                pipeline.clear();
            }
            joint = next_joint.unwrap_or(Joint::Always);
        }
        if !pipeline.is_empty() {
            return self.failed("syntax error: a command is missing after `|'".to_string());
        }
        total
    }

    fn failed(&mut self, message: String) -> Output {
        self.status = 2;
        Output {
            stderr: format!("{message}\n"),
            exit_code: 2,
            ..Default::default()
        }
    }

    /// Runs `a | b | c`: each stage reads what the one before printed on stdout.
    fn pipeline(
        &mut self,
        cluster: &mut Cluster,
        stages: Vec<Stage>,
        heredoc: &str,
        files: &dyn Files,
    ) -> Output {
        let mut result = Output::default();
        let mut input = String::new();
        let last = stages.len() - 1;
        for (n, stage) in stages.into_iter().enumerate() {
            let mut errors = String::new();
            match stage.heredoc {
                Some(true) => {
                    input = match words::heredoc_body(heredoc) {
                        Ok(pieces) => self.expand(cluster, &pieces, files, &mut errors).concat(),
                        Err(error) => {
                            errors.push_str(&format!("bash: {error}\n"));
                            String::new()
                        }
                    }
                }
                Some(false) => input = heredoc.to_string(),
                None => {}
            }
            let mut argv = Vec::new();
            let mut assignments = Vec::new();
            for pieces in &stage.words {
                if argv.is_empty() {
                    if let Some((name, value)) =
                        self.assignment(cluster, pieces, files, &mut errors)
                    {
                        assignments.push((name, value));
                        continue;
                    }
                }
                argv.extend(self.expand(cluster, pieces, files, &mut errors));
            }
            result.notice.push_str(&errors);
            let output = if argv.is_empty() {
                // Only assignments: they set shell variables.
                self.vars.extend(assignments);
                Output {
                    exit_code: i32::from(!errors.is_empty() && self.status != 0),
                    ..Default::default()
                }
            } else {
                self.command(cluster, &argv, &input, files, &assignments)
            };
            let output = self.redirected(output, &stage.redirects);
            result.notice.push_str(&output.notice);
            // An edit waiting for the page's editor waits wherever it was typed.
            if output.editing.is_some() {
                result.editing = output.editing.clone();
            }
            if n == last {
                result.stdout = output.stdout;
                result.stderr = output.stderr;
                result.exit_code = output.exit_code;
            } else {
                // What an earlier stage says on stderr reaches the terminal first.
                result.notice.push_str(&output.stderr);
                input = output.stdout;
            }
        }
        result
    }

    /// Runs `argv` with the variables assigned before it (`env`) set for it only.
    fn command(
        &mut self,
        cluster: &mut Cluster,
        argv: &[String],
        input: &str,
        files: &dyn Files,
        env: &[(String, String)],
    ) -> Output {
        let Some((program, args)) = argv.split_first() else {
            return Output::default();
        };
        if program == "sed" {
            // It may rewrite the shell's files in place (`sed -i`).
            let layered = Layered {
                own: &self.files,
                outside: files,
            };
            return match sed::run(args, input, &layered) {
                Ok(sed) => {
                    self.files.extend(sed.rewritten);
                    Output::ok(sed.stdout)
                }
                Err(message) if message == sed::USAGE => Output {
                    stderr: format!("{message}\n"),
                    exit_code: 1,
                    ..Default::default()
                },
                Err(message) => Output {
                    stderr: format!("sed: {message}\n"),
                    exit_code: 1,
                    ..Default::default()
                },
            };
        }
        let own = std::mem::take(&mut self.files);
        let mut output = self.program(
            cluster,
            program,
            args,
            input,
            &Layered {
                own: &own,
                outside: files,
            },
        );
        self.files = own;
        // `kubectl edit` opens the editor the environment names (kubectl's
        // `KUBE_EDITOR`, then `EDITOR`); without one it waits for the page's.
        let editor = ["KUBE_EDITOR", "EDITOR"]
            .iter()
            .find_map(|name| env.iter().find(|(n, v)| n == name && !v.is_empty()))
            .map(|(_, v)| v.clone());
        match (output.editing.take(), editor) {
            (Some(editing), Some(editor)) => self.edit(cluster, *editing, &editor, files),
            (Some(editing), None) if self.page_editor => Output {
                editing: Some(editing),
                ..output
            },
            (Some(_), None) => Output::error(
                "error: there is no editor to open here: name one for kubectl edit, as in KUBE_EDITOR=\"sed -i 's/OLD/NEW/'\" kubectl edit …",
            ),
            (None, _) => output,
        }
    }

    /// kubectl's edit loop with `editor` run on each file it writes, until
    /// the edit is saved or given up.
    fn edit(
        &mut self,
        cluster: &mut Cluster,
        mut editing: crate::edit::Editing,
        editor: &str,
        files: &dyn Files,
    ) -> Output {
        let mut total = Output::default();
        loop {
            let path = editing.file();
            self.files.insert(path.clone(), editing.text.clone());
            let ran = self.run(cluster, &format!("{editor} {path}"), "", files);
            let edited = self.files.remove(&path).unwrap_or_default();
            total.stdout.push_str(&ran.stdout);
            total.stderr.push_str(&ran.notice);
            total.stderr.push_str(&ran.stderr);
            if ran.exit_code != 0 {
                total.stderr.push_str(&editing.editor_failed(editor));
                total.exit_code = 1;
                return total;
            }
            let (saved, again) = match editing.save(cluster, &edited) {
                crate::edit::Saved::Done(out) => (out, None),
                crate::edit::Saved::Again(next, out) => (out, Some(next)),
            };
            total.stdout.push_str(&saved.stdout);
            total.stderr.push_str(&saved.stderr);
            total.exit_code = saved.exit_code;
            match again {
                // Real kubectl reopens for as long as the editor keeps
                // changing a refused file; a page cannot wait that long.
                Some(next) if next.launches >= EDITOR_LAUNCHES => {
                    total.stderr.push_str(&format!(
                        "error: the editor changed the refused file again on each of {EDITOR_LAUNCHES} reopenings; kubectl would open it once more, daemonlab stops here\n"
                    ));
                    total.exit_code = 1;
                    return total;
                }
                Some(next) => editing = *next,
                None => return total,
            }
        }
    }

    fn program(
        &mut self,
        cluster: &mut Cluster,
        program: &str,
        args: &[String],
        input: &str,
        files: &dyn Files,
    ) -> Output {
        match program {
            "kubectl" => crate::run(cluster, args, input, files),
            "sim" => sim(cluster, args),
            name => filters::run(name, args, input, files).unwrap_or_else(|| Output {
                stderr: format!(
                    "{name}: command not found (this terminal runs kubectl and sim, and pipes into {})\n",
                    filters::TOOLS.join(", ")
                ),
                exit_code: 127,
                ..Default::default()
            }),
        }
    }

    /// `NAME=value` at the start of a command.
    fn assignment(
        &mut self,
        cluster: &mut Cluster,
        pieces: &[Piece],
        files: &dyn Files,
        errors: &mut String,
    ) -> Option<(String, String)> {
        let Some(Piece::Text(first)) = pieces.first() else {
            return None;
        };
        let (name, value) = first.split_once('=')?;
        let valid = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return None;
        }
        let mut text = value.to_string();
        for piece in &pieces[1..] {
            text.push_str(&self.value_of(cluster, piece, files, errors));
        }
        Some((name.to_string(), text))
    }

    fn value_of(
        &mut self,
        cluster: &mut Cluster,
        piece: &Piece,
        files: &dyn Files,
        errors: &mut String,
    ) -> String {
        match piece {
            Piece::Text(text) => text.clone(),
            Piece::Var(name, _) if name == "?" => self.status.to_string(),
            Piece::Var(name, _) => self.vars.get(name).cloned().unwrap_or_default(),
            Piece::Command(line, _) => {
                let output = self.run(cluster, line, "", files);
                errors.push_str(&output.notice);
                errors.push_str(&output.stderr);
                output.stdout.trim_end_matches('\n').to_string()
            }
        }
    }

    /// The words one written word becomes: unquoted expansions split at whitespace.
    fn expand(
        &mut self,
        cluster: &mut Cluster,
        pieces: &[Piece],
        files: &dyn Files,
        errors: &mut String,
    ) -> Vec<String> {
        let mut fields = Vec::new();
        let mut current = String::new();
        let mut started = false;
        for piece in pieces {
            let value = self.value_of(cluster, piece, files, errors);
            let quoted = match piece {
                Piece::Text(_) => true,
                Piece::Var(_, quoted) | Piece::Command(_, quoted) => *quoted,
            };
            if quoted {
                current.push_str(&value);
                started = true;
                continue;
            }
            let parts: Vec<&str> = value.split_whitespace().collect();
            if parts.is_empty() {
                continue;
            }
            if value.starts_with(char::is_whitespace) && started {
                fields.push(std::mem::take(&mut current));
            }
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    fields.push(std::mem::take(&mut current));
                }
                current.push_str(part);
            }
            started = true;
            if value.ends_with(char::is_whitespace) {
                fields.push(std::mem::take(&mut current));
                started = false;
            }
        }
        if started {
            fields.push(current);
        }
        fields
    }
}

impl Shell {
    /// Applies a stage's redirections, left to right as a shell does.
    fn redirected(&mut self, mut output: Output, redirects: &[Redirect]) -> Output {
        for redirect in redirects {
            match redirect {
                Redirect::StdoutToFile(name, append) => {
                    let text = std::mem::take(&mut output.stdout);
                    let file = self.files.entry(name.clone()).or_default();
                    if !append {
                        file.clear();
                    }
                    file.push_str(&text);
                }
                Redirect::StdoutToNull => output.stdout.clear(),
                Redirect::StderrToNull => {
                    output.notice.clear();
                    output.stderr.clear();
                }
                Redirect::BothToNull => {
                    output.notice.clear();
                    output.stdout.clear();
                    output.stderr.clear();
                }
                Redirect::StderrToStdout => {
                    output.stdout = std::mem::take(&mut output.notice)
                        + &output.stdout
                        + &std::mem::take(&mut output.stderr);
                }
                Redirect::StdoutToStderr => {
                    let stdout = std::mem::take(&mut output.stdout);
                    output.stderr.insert_str(0, &stdout);
                }
            }
        }
        output
    }
}

/// Go's `time.Duration.String()` for whole seconds: `5s`, `1m0s`, `1h0m0s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s}s"),
        _ => format!("{h}h{m}m{s}s"),
    }
}

/// Go's `time.ParseDuration` for the units a script needs: `90s`, `5m`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err(invalid());
    }
    // Go takes a bare zero without a unit.
    if rest == "0" {
        return Ok(Duration::ZERO);
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
        // Go refuses a duration past about 290 years; this one never panics.
        total = Duration::try_from_secs_f64(seconds)
            .ok()
            .and_then(|d| total.checked_add(d))
            .ok_or_else(invalid)?;
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// The most one `sim advance` moves the clock: every retry and back-off in
/// that stretch is simulated, so a year would take minutes.
const SIM_ADVANCE_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// One `sim` command: virtual time and kubelets.
const SIM_USAGE: &str = "usage: sim advance DURATION | sim settle | sim node down NAME | sim node up NAME | sim explain pod NAME [-n NAMESPACE]";

/// `sim explain pod`: the scheduler's last attempt at the pod.
fn explained(cluster: &Cluster, namespace: &str, name: &str) -> Output {
    match scheduling_report::report(cluster, namespace, name) {
        Ok(text) => Output::ok(text),
        Err(message) => Output::error(message),
    }
}

/// Runs `sim WORDS…` (without the word `sim`).
pub fn sim(cluster: &mut Cluster, words: &[String]) -> Output {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let result = match words.as_slice() {
        ["advance", duration] => parse_duration(duration).and_then(|d| {
            if d > SIM_ADVANCE_LIMIT {
                return Err(format!(
                    "sim advance goes at most {} at a time",
                    format_duration(SIM_ADVANCE_LIMIT)
                ));
            }
            cluster.advance(d);
            Ok(())
        }),
        ["settle"] => {
            cluster.settle();
            Ok(())
        }
        ["node", "down", node] => cluster.node_down(node),
        ["node", "up", node] => cluster.node_up(node),
        ["explain", "pod", name] => return explained(cluster, "default", name),
        ["explain", "pod", name, "-n" | "--namespace", namespace]
        | ["explain", "pod", "-n" | "--namespace", namespace, name] => {
            return explained(cluster, namespace, name)
        }
        _ => Err(SIM_USAGE.to_string()),
    };
    match result {
        Ok(()) => Output::default(),
        Err(message) => Output::error(format!("error: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoFiles;

    fn session(lines: &[&str]) -> Vec<Output> {
        let mut cluster = Cluster::new(1);
        let mut shell = Shell::new();
        lines
            .iter()
            .map(|line| shell.run(&mut cluster, line, "", &NoFiles))
            .collect()
    }

    #[test]
    fn sim_advance_refuses_what_it_cannot_simulate() {
        let out = session(&[
            "sim advance 99999999999999999999999999h",
            "sim advance 25h",
            "sim advance 24h",
        ]);
        assert_eq!(
            out[0].stderr,
            "error: time: invalid duration \"99999999999999999999999999h\"\n"
        );
        assert_eq!(
            out[1].stderr,
            "error: sim advance goes at most 24h0m0s at a time\n"
        );
        assert_eq!(out[2], Output::default());
    }

    #[test]
    fn variables_and_substitution() {
        let out = session(&[
            "NS=kube-system",
            "N=$(kubectl get ns $NS -o jsonpath='{.metadata.name}')",
            "echo \"[$N]\" ${N}x '$N'",
            "A='a  b'; echo $A \"$A\"",
        ]);
        assert_eq!(out[0], Output::default());
        assert_eq!(out[2].stdout, "[kube-system] kube-systemx $N\n");
        assert_eq!(out[3].stdout, "a b a  b\n");
    }

    #[test]
    fn pipes_and_lists() {
        let out = session(&[
            "kubectl get ns --no-headers | wc -l",
            "kubectl get ns | grep -c kube",
            "kubectl get nope | wc -l",
            "false-command || echo fallback",
            "echo a && echo b; echo c",
            "kubectl get ns | awk '{print $1}'",
            "kubectl get nope 2>&1 | wc -l",
            "kubectl get nope 2>/dev/null",
            "kubectl get ns default -o yaml > ns.yaml; kubectl apply -f ns.yaml",
            "cat <<EOF > node.yaml",
            "kubectl apply -f node.yaml && cat node.yaml | wc -l",
        ]);
        assert_eq!(out[0].stdout, "4\n");
        assert_eq!(out[1].stdout, "3\n");
        assert_eq!(
            (out[2].notice.as_str(), out[2].stdout.as_str()),
            (
                "error: the server doesn't have a resource type \"nope\"\n",
                "0\n"
            )
        );
        assert!(out[3]
            .stderr
            .starts_with("false-command: command not found"));
        assert_eq!(out[3].stdout, "fallback\n");
        assert_eq!(out[4].stdout, "a\nb\nc\n");
        assert_eq!(out[5].exit_code, 127);
        assert_eq!(out[6].stdout, "1\n");
        assert_eq!((out[7].stderr.as_str(), out[7].exit_code), ("", 1));
        assert_eq!(out[8].stdout, "namespace/default configured\n");
        assert!(out[8]
            .notice
            .starts_with("Warning: resource namespaces/default is missing"));
        // The heredoc was empty here: the file is, and `&&` stops at the failure.
        assert_eq!(
            (out[10].stdout.as_str(), out[10].stderr.as_str()),
            ("", "error: no objects passed to apply\n")
        );
    }

    #[test]
    fn kubectl_edit_needs_an_editor_and_stops_one_that_never_settles() {
        let out = session(&[
            "kubectl create configmap a --from-literal=level=info",
            "kubectl edit cm a",
            // Each reopening gets one more bad line: real kubectl would
            // reopen the file forever.
            r#"KUBE_EDITOR="sed -i 's/^kind:/bad: : x\nkind:/'" kubectl edit cm a"#,
            "kubectl get cm a -o jsonpath={.data.level}",
        ]);
        assert!(out[1]
            .stderr
            .starts_with("error: there is no editor to open here"));
        assert!(out[2]
            .stderr
            .ends_with("error: the editor changed the refused file again on each of 20 reopenings; kubectl would open it once more, daemonlab stops here\n"));
        assert_eq!(out[2].exit_code, 1);
        assert_eq!(out[3].stdout, "info");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert!(parse_duration("5x").is_err());
    }
}
