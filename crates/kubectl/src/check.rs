//! `daemonlab check PAGE.md`: runs the console blocks of a Markdown page on a
//! fresh cluster, as one terminal session, and compares what each command
//! prints with the text the page shows under it.
//!
//! A console block is a fenced block whose info string is `console`,
//! `shell-session`, `sh-session` or `terminal`; in it `$ ` starts a command
//! (with its heredoc lines) and the lines up to the next command are its
//! output. In expected output, `[..]` stands for any text within a line, the
//! five-character suffix of a generated pod name matches any suffix, an age
//! (`8s`, `5m30s`, `113m`) matches any age, and runs of spaces match runs of
//! spaces, so columns may be wider or narrower. A fenced block whose info
//! string names `file=NAME` (or `title=NAME`) is a file `-f NAME` can read.
//!
//! Each `<daemonlab-playground>` the page embeds (`crate::embedded`) is a
//! scenario of its own, on its own fresh cluster, as its reader gets it: its
//! manifests applied as the playground's editor applies them (all or
//! nothing), every document of them accepted, then its `run` commands, each
//! of which must succeed.

use std::collections::BTreeMap;

use daemonlab_core::sim::Cluster;

use crate::apply::{apply_all_or_nothing, Entry};
pub use crate::docs_site::Compare;
use crate::docs_site::{self, SiteFiles};
use crate::embedded::{Embedded, Source};
use crate::shell::{heredoc_delimiter, Layered, Shell};
use crate::{Files, Output};

/// One command of a page, where it is, and what the page says it prints.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub line: usize,
    pub command: String,
    pub heredoc: String,
    pub expected: Vec<String>,
    pub compare: Compare,
}

/// What `check` found: the page's commands and the differences.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub commands: usize,
    /// Commands that could not be run faithfully: where, what, and why.
    pub not_checked: Vec<String>,
    /// The `<daemonlab-playground>` scenarios run.
    pub scenarios: usize,
    pub differences: Vec<String>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }

    /// The text `daemonlab check` prints.
    pub fn render(&self, page: &str) -> String {
        let mut out = String::new();
        for difference in &self.differences {
            out.push_str(difference);
            out.push('\n');
        }
        for skipped in &self.not_checked {
            out.push_str(skipped);
            out.push('\n');
        }
        let scenarios = match self.scenarios {
            0 => String::new(),
            1 => ", 1 embedded scenario".to_string(),
            n => format!(", {n} embedded scenarios"),
        };
        let not_checked = match self.not_checked.len() {
            0 => String::new(),
            n => format!(", {n} not checked"),
        };
        out.push_str(&format!(
            "{page}: {} commands{not_checked}{scenarios}, {} {}\n",
            self.commands,
            self.differences.len(),
            if self.differences.len() == 1 {
                "difference"
            } else {
                "differences"
            }
        ));
        out
    }
}

const CONSOLE: &[&str] = &["console", "shell-session", "sh-session", "terminal"];

/// The file a fence's info string names (`file=x.yaml`, `title="x.yaml"`).
fn fence_file(info: &str) -> Option<String> {
    info.split_whitespace().find_map(|part| {
        let value = part
            .strip_prefix("file=")
            .or_else(|| part.strip_prefix("title="))?;
        Some(value.trim_matches(|c| c == '"' || c == '\'').to_string())
    })
}

/// What a page holds: its commands, the files its blocks name, and the site
/// examples its shortcodes show (with their lines).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    pub steps: Vec<Step>,
    pub files: BTreeMap<String, String>,
    pub samples: Vec<(usize, String)>,
}

/// The commands and files of a page.
pub fn parse(markdown: &str) -> Page {
    let mut page = Page::default();
    let mut lines = markdown.lines().enumerate().peekable();
    // The last line of prose: "The output is similar to:" makes the next
    // block an output.
    let mut prose: Option<&str> = None;
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        let Some(fence) = fence.filter(|_| indent <= 3) else {
            if let Some(file) = docs_site::code_sample(trimmed) {
                page.samples.push((n + 1, file));
            }
            if !trimmed.is_empty() {
                prose = Some(trimmed);
            }
            continue;
        };
        let info = trimmed.trim_start_matches(fence.chars().next().unwrap_or('`'));
        let mut body = Vec::new();
        for (n, line) in lines.by_ref() {
            if line.trim_start().starts_with(fence) {
                break;
            }
            // A block indented in a list item: its lines lose that indentation.
            let strip = line.len() - line.trim_start_matches(' ').len();
            body.push((n, line[strip.min(indent)..].to_string()));
        }
        let lead_in = prose.take();
        let language = info.split_whitespace().next().unwrap_or("");
        let text: Vec<String> = body.iter().map(|(_, l)| l.clone()).collect();
        if let Some(name) = fence_file(info) {
            page.files
                .insert(name, text.iter().map(|l| format!("{l}\n")).collect());
        } else if CONSOLE.contains(&language) {
            let body: Vec<(usize, &str)> = body.iter().map(|(n, l)| (*n, l.as_str())).collect();
            console_steps(&body, &mut page.steps);
        } else if lead_in.is_some_and(docs_site::introduces_output) {
            // The output of the command before it, as far as the page shows it.
            if let Some(last) = page
                .steps
                .last_mut()
                .filter(|s| s.compare == Compare::Succeeds)
            {
                last.expected = text;
                last.compare = Compare::Similar;
            }
        } else if docs_site::SHELL.contains(&language) {
            for (i, command) in docs_site::commands(&text).unwrap_or_default() {
                page.steps.push(Step {
                    line: body[i].0 + 1,
                    compare: docs_site::unchecked(&command)
                        .map_or(Compare::Succeeds, Compare::NotChecked),
                    command,
                    heredoc: String::new(),
                    expected: Vec::new(),
                });
            }
        }
    }
    page
}

fn console_steps(body: &[(usize, &str)], steps: &mut Vec<Step>) {
    let mut i = 0;
    while i < body.len() {
        let (n, line) = body[i];
        i += 1;
        let Some(command) = line.strip_prefix("$ ") else {
            continue;
        };
        let mut heredoc = String::new();
        if let Some(delimiter) = heredoc_delimiter(command) {
            while i < body.len() {
                let text = body[i].1;
                i += 1;
                if text.trim() == delimiter {
                    break;
                }
                heredoc.push_str(text);
                heredoc.push('\n');
            }
        }
        let mut expected = Vec::new();
        while i < body.len() && !body[i].1.starts_with("$ ") {
            expected.push(body[i].1.to_string());
            i += 1;
        }
        while expected.last().is_some_and(|l| l.trim().is_empty()) {
            expected.pop();
        }
        steps.push(Step {
            line: n + 1,
            command: command.trim().to_string(),
            heredoc,
            expected,
            compare: Compare::Exact,
        });
    }
}

/// A part of an expected line.
#[derive(Debug)]
enum Part {
    Text(char),
    Spaces,
    Anything,
    Age,
    Suffix,
}

const SUFFIX_ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";

fn is_age(word: &str) -> bool {
    if word == "<invalid>" || word == "<unknown>" {
        return true;
    }
    let mut rest = word;
    let mut units = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 || digits == rest.len() {
            return false;
        }
        let unit = rest[digits..].chars().next().unwrap_or(' ');
        if !"smhdy".contains(unit) {
            return false;
        }
        rest = &rest[digits + 1..];
        units += 1;
    }
    units > 0 && units <= 2
}

/// The parts of an expected line.
fn pattern(line: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect();
        if rest.starts_with("[..]") {
            parts.push(Part::Anything);
            i += 4;
            continue;
        }
        if chars[i] == ' ' {
            while chars.get(i) == Some(&' ') {
                i += 1;
            }
            parts.push(Part::Spaces);
            continue;
        }
        let at_word_start = i == 0 || chars[i - 1] == ' ';
        if at_word_start {
            let word: String = chars[i..].iter().take_while(|c| **c != ' ').collect();
            if is_age(&word) {
                parts.push(Part::Age);
                i += word.chars().count();
                continue;
            }
        }
        // `name-x7k2p`: a dash, five characters of the generator's alphabet, then a word end.
        if chars[i] == '-'
            && i + 6 <= chars.len()
            && chars[i + 1..i + 6]
                .iter()
                .all(|c| SUFFIX_ALPHABET.contains(*c))
            && chars
                .get(i + 6)
                .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != '-')
        {
            parts.push(Part::Text('-'));
            parts.push(Part::Suffix);
            i += 6;
            continue;
        }
        parts.push(Part::Text(chars[i]));
        i += 1;
    }
    parts
}

fn matches(parts: &[Part], text: &[char]) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match part {
        Part::Text(c) => text.first() == Some(c) && matches(rest, &text[1..]),
        Part::Spaces => {
            let n = text.iter().take_while(|c| **c == ' ').count();
            n > 0 && matches(rest, &text[n..])
        }
        Part::Anything => (0..=text.len()).any(|k| matches(rest, &text[k..])),
        Part::Age => {
            let word: String = text.iter().take_while(|c| **c != ' ').collect();
            is_age(&word) && matches(rest, &text[word.chars().count()..])
        }
        Part::Suffix => {
            text.len() >= 5
                && text[..5].iter().all(|c| SUFFIX_ALPHABET.contains(*c))
                && matches(rest, &text[5..])
        }
    }
}

/// Whether an actual output line fits the page's line.
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let actual: Vec<char> = actual.trim_end().chars().collect();
    matches(&pattern(expected.trim_end()), &actual)
}

/// A unified diff of the page's lines against the actual ones (LCS by `line_matches`).
fn diff(
    ran: &str,
    expected: &[String],
    actual: &[&str],
    line_matches: &dyn Fn(&str, &str) -> bool,
) -> String {
    let (n, m) = (expected.len(), actual.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if line_matches(&expected[i], actual[j]) {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("--- page\n+++ {ran}\n");
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && line_matches(&expected[i], actual[j]) {
            out.push_str(&format!(" {}\n", actual[j]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("-{}\n", expected[i]));
            i += 1;
        } else {
            out.push_str(&format!("+{}\n", actual[j]));
            j += 1;
        }
    }
    out
}

/// How a page is checked besides its own text.
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    pub seed: u64,
    /// The docs site's examples folder: `-f https://k8s.io/examples/PATH`
    /// and the `codenew`/`code_sample` shortcodes read it.
    pub examples: Option<&'a dyn Files>,
    /// Manifests applied (and settled) before the page's first command: the
    /// cluster the page assumes its reader has.
    pub cluster: Option<&'a str>,
}

/// Where a page's commands run: the simulator, or (on the command line) a
/// real kubectl against a real cluster.
pub trait Runner {
    /// What ran the commands, as a difference names it.
    fn name(&self) -> &str;
    /// A reader reads between a docs page's steps: what was under way has
    /// finished.
    fn settle(&mut self);
    /// Runs one command line, with the heredoc it reads, as the page's
    /// terminal would.
    fn run(&mut self, command: &str, heredoc: &str, files: &dyn Files) -> Output;
}

/// The playground's own cluster and terminal.
pub struct Simulator {
    pub cluster: Cluster,
    shell: Shell,
}

impl Simulator {
    pub fn new(seed: u64) -> Simulator {
        Simulator {
            cluster: Cluster::new(seed),
            shell: Shell::new(),
        }
    }
}

impl Runner for Simulator {
    fn name(&self) -> &str {
        "daemonlab"
    }

    fn settle(&mut self) {
        self.cluster.settle();
    }

    fn run(&mut self, command: &str, heredoc: &str, files: &dyn Files) -> Output {
        self.shell.run(&mut self.cluster, command, heredoc, files)
    }
}

/// Runs the page `markdown` (named `page` in messages) and compares.
pub fn check(markdown: &str, page: &str, seed: u64, files: &dyn Files) -> Report {
    check_with(
        markdown,
        page,
        Options {
            seed,
            ..Options::default()
        },
        files,
    )
}

/// [`check`] with a docs site's examples and a starting cluster.
pub fn check_with(markdown: &str, page: &str, options: Options, files: &dyn Files) -> Report {
    let mut simulator = Simulator::new(options.seed);
    let mut starting = Vec::new();
    if let Some(manifests) = options.cluster {
        let (problems, _) = apply_problems(&mut simulator.cluster, manifests, "cluster");
        starting.extend(
            problems
                .into_iter()
                .map(|e| format!("the starting cluster: {}", e.message)),
        );
        simulator.cluster.settle();
    }
    let mut report = check_on(markdown, page, options, files, &mut simulator);
    starting.append(&mut report.differences);
    report.differences = starting;
    report
}

/// [`check_with`], the page's commands run by `runner` (its embedded
/// playgrounds still run on clusters of their own in the simulator).
pub fn check_on(
    markdown: &str,
    page: &str,
    options: Options,
    files: &dyn Files,
    runner: &mut dyn Runner,
) -> Report {
    let parsed = parse(markdown);
    let page_files = Layered {
        own: &parsed.files,
        outside: files,
    };
    let files = SiteFiles {
        page: &page_files,
        examples: options.examples,
    };
    let mut report = Report {
        commands: parsed.steps.len(),
        ..Default::default()
    };
    for (line, sample) in &parsed.samples {
        if let Some(problem) = sample_problem(sample, options) {
            report
                .differences
                .push(format!("{page}:{line}: {sample}: {problem}"));
        }
    }
    for step in &parsed.steps {
        if let Compare::NotChecked(why) = step.compare {
            report.not_checked.push(format!(
                "{page}:{}: not checked: $ {} ({why})",
                step.line, step.command
            ));
            continue;
        }
        if step.compare != Compare::Exact {
            // A reader reads between a docs page's steps: the cluster has settled.
            runner.settle();
        }
        let output = runner.run(&step.command, &step.heredoc, &files);
        let text = format!("{}{}{}", output.notice, output.stdout, output.stderr);
        let actual: Vec<&str> = text.lines().collect();
        let same = match step.compare {
            Compare::Exact => {
                actual.len() == step.expected.len()
                    && step
                        .expected
                        .iter()
                        .zip(&actual)
                        .all(|(e, a)| line_matches(e, a))
            }
            Compare::Similar => docs_site::similar(&step.expected, &text, &line_matches),
            _ => output.exit_code == 0,
        };
        if !same {
            let shown = match step.compare {
                Compare::Similar => diff(
                    runner.name(),
                    &step.expected,
                    &actual,
                    &*docs_site::similar_lines(&step.expected, &text, &line_matches),
                ),
                // The page shows nothing; the command failed.
                Compare::Succeeds => diff(runner.name(), &[], &actual, &line_matches),
                _ => diff(runner.name(), &step.expected, &actual, &line_matches),
            };
            report
                .differences
                .push(format!("{page}:{}: $ {}\n{shown}", step.line, step.command));
        }
    }
    for embed in crate::embedded::find(markdown) {
        report.scenarios += 1;
        report
            .differences
            .extend(check_embedded(&embed, page, options.seed, &files));
    }
    report
}

/// What is wrong with a site example a shortcode shows: missing, or not
/// accepted by the API server.
fn sample_problem(sample: &str, options: Options) -> Option<String> {
    let examples = options.examples?;
    let Some(text) = examples.read(sample) else {
        return Some("not in the examples folder".to_string());
    };
    let mut scratch = Cluster::new(options.seed);
    let (problems, _) = apply_problems(&mut scratch, &text, sample);
    let messages: Vec<String> = problems.into_iter().map(|e| e.message).collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// Applies `text` as the playground's editor does: what failed, and whether
/// the text was YAML at all.
fn apply_problems(cluster: &mut Cluster, text: &str, source: &str) -> (Vec<Entry>, bool) {
    let report = apply_all_or_nothing(cluster, text, source);
    let problems = report.entries(text).into_iter().filter(|e| !e.ok).collect();
    (problems, report.syntax_error.is_none())
}

/// What is wrong with one embedded scenario, as the reader would meet it.
fn check_embedded(embed: &Embedded, page: &str, seed: u64, files: &dyn Files) -> Vec<String> {
    let place = format!(
        "{page}:{}: <daemonlab-playground> \"{}\"",
        embed.line, embed.title
    );
    let yaml = match &embed.source {
        Source::Inline(yaml) => yaml.clone(),
        Source::File(src) => match files.read(src) {
            Some(yaml) => yaml,
            None => return vec![format!("{place}: cannot read src=\"{src}\"")],
        },
        Source::Gallery(id) => match daemonlab_core::samples::GALLERY.iter().find(|s| s.id == *id) {
            Some(scenario) => scenario.yaml.to_string(),
            None => return vec![format!("{place}: no gallery scenario is called \"{id}\"")],
        },
        Source::None => {
            return vec![format!(
                "{place}: no manifests (a <pre>, <script type=\"text/yaml\"> or <template> child, src or scenario)"
            )]
        }
    };
    let mut cluster = Cluster::new(seed);
    let (problems, read) = apply_problems(&mut cluster, &yaml, "STDIN");
    let mut differences: Vec<String> = problems
        .into_iter()
        .map(|e| match e.location {
            Some(at) => format!(
                "{place}: its manifests, line {}, column {}: {}",
                at.line, at.column, e.message
            ),
            None => format!("{place}: its manifests: {}", e.message),
        })
        .collect();
    if !read {
        return differences;
    }
    cluster.settle();
    let mut shell = Shell::new();
    for line in &embed.run {
        let output = shell.run(&mut cluster, line, "", files);
        if output.exit_code != 0 {
            differences.push(format!("{place}: $ {line}\n{}", output.stderr.trim_end()));
        }
    }
    differences
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_match_with_variable_parts() {
        assert!(line_matches(
            "node-agent-hzx2v   1/1     Running   0          8s    10.244.2.2   worker-0",
            "node-agent-8xlks   1/1     Running   0          113m   10.244.2.2   worker-0"
        ));
        assert!(line_matches(
            "Created pod: [..]",
            "Created pod: fluent-bit-abcde"
        ));
        assert!(!line_matches("worker-0", "worker-1"));
        assert!(!line_matches("Running", "Pending"));
        assert!(line_matches("a  b", "a       b"));
        assert!(!line_matches("ab", "a b"));
        // `disk-pressure` is a word, not a generated suffix.
        assert!(!line_matches(
            "node.kubernetes.io/disk-pressure",
            "node.kubernetes.io/disk-prissure"
        ));
    }

    #[test]
    fn pages_are_read_into_steps_and_files() {
        let page = "# Title\n\n```yaml file=agent.yaml\nkind: Node\n```\n\n```console\n$ kubectl apply -f agent.yaml\nnode/x created\n\n$ kubectl get nodes\nNAME\n```\n\n```sh\n$ not a console block\n```\n";
        let Page { steps, files, .. } = parse(page);
        assert_eq!(
            files.get("agent.yaml").map(String::as_str),
            Some("kind: Node\n")
        );
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].line, 8);
        assert_eq!(steps[0].expected, ["node/x created"]);
        assert_eq!(steps[1].command, "kubectl get nodes");
    }

    #[test]
    fn embedded_scenarios_run_on_clusters_of_their_own() {
        let page = "<daemonlab-playground title=\"ok\" run=\"kubectl get nodes\"><pre>\nkind: Node\napiVersion: v1\nmetadata:\n  name: a\n</pre></daemonlab-playground>\n\n<daemonlab-playground title=\"broken\" run=\"kubectl get ds nope\"><pre>\napiVersion: v1\nkind: Node\nmetadata:\n  name: b\n  colour: red\n</pre></daemonlab-playground>\n<daemonlab-playground scenario=\"no-such\"></daemonlab-playground>\n";
        let report = check(page, "p.md", 1, &crate::NoFiles);
        assert_eq!(report.scenarios, 3);
        assert_eq!(
            report.differences,
            [
                "p.md:8: <daemonlab-playground> \"broken\": its manifests, line 5, column 3: Error from server (BadRequest): error when creating \"STDIN\": Node in version \"v1\" cannot be handled as a Node: strict decoding error: unknown field \"metadata.colour\"",
                "p.md:8: <daemonlab-playground> \"broken\": $ kubectl get ds nope\nError from server (NotFound): daemonsets.apps \"nope\" not found",
                "p.md:15: <daemonlab-playground> \"embed at line 15\": no gallery scenario is called \"no-such\"",
            ]
        );
        assert!(report
            .render("p.md")
            .ends_with("p.md: 0 commands, 3 embedded scenarios, 3 differences\n"));
    }

    #[test]
    fn a_wrong_page_gets_a_readable_diff() {
        let page = "```console\n$ kubectl get ns\nNAME              STATUS   AGE\ndefault           Active   1s\nkube-system       Active   1s\n```\n";
        let report = check(page, "page.md", 1, &crate::NoFiles);
        assert!(!report.passed());
        assert_eq!(
            report.differences[0],
            "page.md:2: $ kubectl get ns\n--- page\n+++ daemonlab\n NAME              STATUS   AGE\n default           Active   0s\n+kube-node-lease   Active   0s\n+kube-public       Active   0s\n kube-system       Active   0s\n"
        );
    }
}
