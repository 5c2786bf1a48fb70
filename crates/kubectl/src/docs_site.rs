//! Pages written the way kubernetes.io writes its tasks: commands in
//! ```` ```shell ```` blocks without a prompt, one per line (`#` comments
//! aside); the output, when the page shows it, in the next block after a
//! line such as "The output is similar to:" or "This returns …:"; manifests
//! shown with `{{< codenew file="…" >}}` or `{{% code_sample file="…" %}}` and
//! applied with `-f https://k8s.io/examples/PATH`; blocks inside list items
//! indented up to three spaces.

use crate::Files;

/// How a command's output is held against the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Compare {
    /// Line for line (console blocks).
    Exact,
    /// "Similar to": the columns the page shows, row by row; outside a table,
    /// the words, whatever the spacing. Placeholders (`<name>`, `...`,
    /// `x.x.x.x`, `-xxxxx`) match anything.
    Similar,
    /// The page shows no output: the command must only succeed.
    Succeeds,
    /// The command cannot be run faithfully here, and why.
    NotChecked(&'static str),
}

/// The fence languages kubernetes.io uses for commands (and, alas, output).
pub const SHELL: &[&str] = &["shell", "bash", "sh", ""];

/// Whether a prose line says the next block is the previous command's output.
pub fn introduces_output(line: &str) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    line.ends_with(':')
        && ((lower.contains("output")
            && (lower.contains("similar to") || lower.contains("should be")))
            || lower.starts_with("this returns")
            || lower.contains("the command returns"))
}

/// The commands of a shell block, if it holds only commands (and comments).
pub fn commands(body: &[String]) -> Option<Vec<(usize, String)>> {
    let lines: Vec<(usize, &str)> = body
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let is_command = |l: &str| l.starts_with("kubectl ") || l.starts_with("sim ");
    (!lines.is_empty() && lines.iter().all(|(_, l)| is_command(l)))
        .then(|| lines.into_iter().map(|(i, l)| (i, l.to_string())).collect())
}

/// Why a command cannot be checked here, if it cannot.
pub fn unchecked(command: &str) -> Option<&'static str> {
    let words: Vec<&str> = command.split_whitespace().collect();
    if has_placeholder(command) {
        return Some("it has a placeholder for the reader to fill in");
    }
    match words.get(1).copied() {
        Some("edit") => Some("interactive: it opens an editor"),
        Some("exec" | "attach" | "cp" | "debug") => {
            Some("it works inside a container, and the simulation runs none")
        }
        Some("port-forward" | "proxy") => Some("it serves until stopped"),
        _ => None,
    }
}

/// `<pod-name>`, `<key>=<value>`: an angle-bracketed word (not `<<EOF`).
fn has_placeholder(text: &str) -> bool {
    text.match_indices('<').any(|(at, _)| {
        let rest = &text[at + 1..];
        let word: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
            .collect();
        !word.is_empty()
            && word.starts_with(|c: char| c.is_ascii_alphabetic())
            && rest[word.len()..].starts_with('>')
    })
}

/// The file a `codenew` or `code_sample` shortcode shows, if the line is one.
pub fn code_sample(line: &str) -> Option<String> {
    let line = line.trim();
    let inner = line
        .strip_prefix("{{<")
        .and_then(|l| l.strip_suffix(">}}"))
        .or_else(|| line.strip_prefix("{{%").and_then(|l| l.strip_suffix("%}}")))?
        .trim();
    let rest = inner
        .strip_prefix("codenew")
        .or_else(|| inner.strip_prefix("code_sample"))?;
    let value = rest.split("file=").nth(1)?.trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Where the site serves its examples from: `-f` of these reads the examples folder.
const EXAMPLES_URL: &str = "https://k8s.io/examples/";

/// The page's files, and the site's examples behind `https://k8s.io/examples/`.
pub struct SiteFiles<'a> {
    pub page: &'a dyn Files,
    pub examples: Option<&'a dyn Files>,
}

impl Files for SiteFiles<'_> {
    fn read(&self, path: &str) -> Option<String> {
        match path.strip_prefix(EXAMPLES_URL) {
            Some(example) => self.examples?.read(example),
            None => self.page.read(path),
        }
    }
}

/// Whether `actual` (what the command printed) is similar to `expected` (the
/// page's block): a table by the columns the page shows, else word for word.
pub fn similar(
    expected: &[String],
    actual: &str,
    line_matches: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let expected: Vec<&str> = expected
        .iter()
        .map(|l| l.trim_end())
        .filter(|l| !l.trim().is_empty())
        .collect();
    let actual: Vec<&str> = actual
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let expected: Vec<String> = expected.iter().map(|l| placeholders(l)).collect();
    if let (Some(want), Some(have)) = (expected.first(), actual.first()) {
        if let (Some(want_columns), Some(have_columns)) = (header(want), header(have)) {
            return similar_table(
                &expected,
                &want_columns,
                &actual,
                &have_columns,
                line_matches,
            );
        }
    }
    // Not a table: the same lines, spacing aside.
    let squeeze = |l: &str| l.split_whitespace().collect::<String>();
    expected.len() == actual.len()
        && expected
            .iter()
            .zip(&actual)
            .all(|(e, a)| line_matches(&squeeze(e), &squeeze(a)))
}

/// The page's placeholders as the line matcher's `[..]`.
fn placeholders(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('<') {
        let close = rest[at..].find('>').map(|c| at + c);
        match close {
            Some(close) if has_placeholder(&rest[at..=close]) => {
                out.push_str(&rest[..at]);
                // `<daemonset-name><some-hash-01>`: one stretch of anything.
                if !out.ends_with("[..]") {
                    out.push_str("[..]");
                }
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=at]);
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out.split(' ')
        .map(|word| match word {
            "..." | "....." | "x.x.x.x" => "[..]".to_string(),
            _ if word.ends_with("-xxxxx") || word.ends_with("-yyyyy") => {
                format!("{}-[..]", &word[..word.len() - 6])
            }
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A table header's columns and where each starts, if the line is one
/// (capitals, two or more columns).
fn header(line: &str) -> Option<Vec<(usize, String)>> {
    let columns = cells(line);
    (columns.len() >= 2
        && columns.iter().all(|(_, c)| {
            c.chars()
                .all(|ch| ch.is_ascii_uppercase() || "-_ ".contains(ch))
        }))
    .then_some(columns)
}

/// Cells separated by two or more spaces, with where each starts.
fn cells(line: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut spaces = 0;
    for (i, c) in line.char_indices() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if start.is_none() || spaces >= 2 {
            if let Some(s) = start {
                out.push((s, line[s..i].trim_end().to_string()));
            }
            start = Some(i);
        }
        spaces = 0;
    }
    if let Some(s) = start {
        out.push((s, line[s..].trim_end().to_string()));
    }
    out
}

/// Where each column the page shows sits among the printed ones, if every
/// one is printed.
fn picks(want_columns: &[(usize, String)], have_columns: &[(usize, String)]) -> Option<Vec<usize>> {
    want_columns
        .iter()
        .map(|(_, name)| have_columns.iter().position(|(_, n)| n == name))
        .collect()
}

/// Whether a printed row agrees with the page's in the page's columns.
fn row_matches(
    want: &str,
    have: &str,
    picks: &[usize],
    have_width: usize,
    line_matches: &dyn Fn(&str, &str) -> bool,
) -> bool {
    let want = cells(want);
    let have = cells(have);
    want.len() == picks.len()
        && have.len() == have_width
        && want
            .iter()
            .zip(picks)
            .all(|((_, cell), pick)| line_matches(cell, &have[*pick].1))
}

fn similar_table(
    expected: &[String],
    want_columns: &[(usize, String)],
    actual: &[&str],
    have_columns: &[(usize, String)],
    line_matches: &dyn Fn(&str, &str) -> bool,
) -> bool {
    // Every column the page shows is printed, and the rows agree in those.
    let Some(picks) = picks(want_columns, have_columns) else {
        return false;
    };
    if expected.len() != actual.len() {
        return false;
    }
    // The page's rows in any order (kubectl sorts by name, pages often by node).
    let mut unused: Vec<&str> = actual[1..].to_vec();
    expected[1..].iter().all(|want| {
        let found = unused
            .iter()
            .position(|have| row_matches(want, have, &picks, have_columns.len(), line_matches));
        found.map(|at| unused.remove(at)).is_some()
    })
}

/// Whether a printed line stands for a page's line.
pub type LineJudge<'a> = Box<dyn Fn(&str, &str) -> bool + 'a>;

/// The line-by-line judgement of [`similar`], for a diff that marks only
/// the rows that differ.
pub fn similar_lines<'a>(
    expected: &[String],
    actual: &str,
    line_matches: &'a dyn Fn(&str, &str) -> bool,
) -> LineJudge<'a> {
    let squeeze = |l: &str| l.split_whitespace().collect::<String>();
    let first_expected = expected
        .iter()
        .find(|l| !l.trim().is_empty())
        .map(|l| placeholders(l.trim_end()));
    let first_actual = actual.lines().find(|l| !l.trim().is_empty());
    match first_expected
        .as_deref()
        .and_then(header)
        .zip(first_actual.and_then(header))
    {
        Some((want, have)) => {
            let picks = picks(&want, &have);
            Box::new(move |e: &str, a: &str| {
                let e = placeholders(e.trim_end());
                match &picks {
                    _ if header(&e).is_some() && header(a).is_some() => picks.is_some(),
                    Some(picks) => row_matches(&e, a, picks, have.len(), line_matches),
                    None => false,
                }
            })
        }
        None => {
            Box::new(move |e: &str, a: &str| line_matches(&squeeze(&placeholders(e)), &squeeze(a)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::line_matches;

    #[test]
    fn lead_ins_commands_and_samples_are_recognised() {
        for line in [
            "The output is similar to:",
            "The output is similar to this:",
            "The output from both commands should be:",
            "When the rollout is complete, the output is similar to this:",
            "The output will list one Pod per node, similar to:",
            "This returns a list of DaemonSet revisions:",
            "If it succeeds, the command returns:",
        ] {
            assert!(introduces_output(line), "{line}");
        }
        assert!(!introduces_output(
            "Check the update strategy of your DaemonSet:"
        ));
        assert_eq!(
            commands(&[
                "# Specify the revision".into(),
                "kubectl rollout undo ds x".into()
            ]),
            Some(vec![(1, "kubectl rollout undo ds x".to_string())])
        );
        assert_eq!(
            commands(&["daemonset \"x\" successfully rolled out".into()]),
            None
        );
        assert_eq!(
            code_sample(r#"{{% code_sample file="controllers/daemonset-label-selector.yaml" %}}"#)
                .as_deref(),
            Some("controllers/daemonset-label-selector.yaml")
        );
        assert_eq!(
            code_sample(r#"{{< codenew file="controllers/fluentd-daemonset.yaml" >}}"#).as_deref(),
            Some("controllers/fluentd-daemonset.yaml")
        );
        assert_eq!(
            unchecked("kubectl edit ds/x -n kube-system"),
            Some("interactive: it opens an editor")
        );
        assert!(unchecked(
            "kubectl rollout undo daemonset <daemonset-name> --to-revision=<revision>"
        )
        .is_some());
        assert_eq!(unchecked("kubectl apply -f - <<EOF"), None);
        assert_eq!(
            unchecked("kubectl get ds/x -o go-template='{{.spec.updateStrategy.type}}{{\"\\n\"}}'"),
            None
        );
    }

    #[test]
    fn similar_output_compares_the_columns_the_page_shows() {
        let page: Vec<String> = [
            "NAME                              READY     STATUS    RESTARTS   AGE    IP      NODE",
            "<daemonset-name><some-hash-01>    1/1       Running   0          13s    .....   example-node-1",
            "<daemonset-name><some-hash-02>    1/1       Running   0          5s     .....   example-node-2",
        ]
        .map(String::from)
        .to_vec();
        let printed = "NAME          READY   STATUS    RESTARTS   AGE   IP           NODE             NOMINATED NODE   READINESS GATES\nssd-a-x7k2p   1/1     Running   0          2m    10.244.1.2   example-node-1   <none>           <none>\nssd-a-p9q4z   1/1     Running   0          40s   10.244.2.2   example-node-2   <none>           <none>\n";
        assert!(similar(&page, printed, &line_matches));
        let reordered = {
            let mut lines: Vec<&str> = printed.lines().collect();
            lines.swap(1, 2);
            lines.join("\n")
        };
        assert!(similar(&page, &reordered, &line_matches));
        let elsewhere = printed.replace("example-node-2", "example-node-9");
        assert!(!similar(&page, &elsewhere, &line_matches));
        let one_row = printed.lines().take(2).collect::<Vec<_>>().join("\n");
        assert!(!similar(&page, &one_row, &line_matches));
        // Outside a table only the words count: kubectl says "daemon set".
        let rolled = ["daemonset \"fluentd-elasticsearch\" successfully rolled out".to_string()];
        assert!(similar(
            &rolled,
            "daemon set \"fluentd-elasticsearch\" successfully rolled out\n",
            &line_matches
        ));
        assert!(!similar(
            &rolled,
            "Waiting for daemon set \"fluentd-elasticsearch\" rollout to finish\n",
            &line_matches
        ));
    }
}
