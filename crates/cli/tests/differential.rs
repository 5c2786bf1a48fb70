//! Real kubectl as the judge: every transcript in `tests/scenarios/` runs
//! again, command by command, with real kubectl 1.36 against `daemonlab
//! serve` (`sim` lines go to the server's clock), and each command must print
//! what the transcript says daemonlab's own kubectl prints.
//!
//! Needs real kubectl: `cargo xtask kubectl` fetches it and prints its path;
//! `DAEMONLAB_KUBECTL=PATH cargo test -p daemonlab-cli --test differential --
//! --ignored` runs this (`cargo xtask differential` does both). The docs
//! pages of `tests/docs/` run the same way, through `daemonlab check
//! --kubectl`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use daemonlab_cli::bash::Bash;
use daemonlab_kubectl::shell::heredoc_delimiter;

mod common;
use common::{kubectl, serve};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// One command of a transcript, with its heredoc, and what it printed.
struct Step {
    command: String,
    expected: String,
}

fn steps(transcript: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = transcript.lines();
    while let Some(line) = lines.next() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let mut text = format!("{command}\n");
            if let Some(delimiter) = heredoc_delimiter(command) {
                for body in lines.by_ref() {
                    text.push_str(body);
                    text.push('\n');
                    if body.trim() == delimiter {
                        break;
                    }
                }
            }
            steps.push(Step {
                command: text,
                expected: String::new(),
            });
        } else if let Some(step) = steps.last_mut() {
            step.expected.push_str(line);
            step.expected.push('\n');
        }
    }
    steps
}

/// The longest one command may take (a stalled `--timeout=5s` takes 5).
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// The one normalisation: `kubectl describe` and `kubectl events` print each
/// event's age by the client machine's clock (a real cluster's clock is the
/// machine's; the simulated cluster's is not), so the Age cell of a
/// describe's Events table and the LAST SEEN cell of `kubectl events` (`30s`,
/// or `2m (x3 over 5m)`) are left out of the comparison, and the table's
/// spacing with them, since its widths follow the ages.
fn without_event_ages(text: &str) -> String {
    let mut out = String::new();
    let mut in_events = false;
    for line in text.lines() {
        if line.starts_with("Events:") {
            in_events = true;
        } else if in_events && line.starts_with("  ") {
            let mut cells: Vec<&str> = line.split_whitespace().collect();
            if cells.len() > 2 {
                let repeats = cells.get(3).is_some_and(|c| c.starts_with("(x"));
                let end = if repeats { 6.min(cells.len()) } else { 3 };
                cells.splice(2..end, ["<age>"]);
            }
            out.push_str("  ");
            out.push_str(&cells.join(" "));
            out.push('\n');
            continue;
        } else {
            in_events = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// `kubectl events`' table with its LAST SEEN cells (after NAMESPACE with
/// `-A`) left out, as [`without_event_ages`] does for describe.
fn without_last_seen(text: &str, all_namespaces: bool) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut cells: Vec<&str> = line.split_whitespace().collect();
        let at = usize::from(all_namespaces);
        if line.starts_with("LAST SEEN") || line.starts_with("NAMESPACE") {
            out.push_str(&cells.join(" "));
        } else if cells.len() > at + 1 {
            let repeats = cells.get(at + 1).is_some_and(|c| c.starts_with("(x"));
            let end = if repeats { at + 4 } else { at + 1 }.min(cells.len());
            cells.splice(at..end, ["<age>"]);
            out.push_str(&cells.join(" "));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `kubectl edit` keeps a refused edit in a file `os.CreateTemp` names with
/// random digits (`/tmp/kubectl-edit-1234567.yaml`); daemonlab's digits are
/// seeded, so only the digits are left out.
fn without_edit_file_digits(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("kubectl-edit-") {
        let (head, tail) = rest.split_at(at + "kubectl-edit-".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str("<digits>");
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a work folder");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
        }
    }
}

#[test]
#[ignore = "needs real kubectl: run by `cargo xtask differential`"]
fn real_kubectl_prints_what_the_transcripts_say() {
    let kubectl = kubectl();
    let root = std::env::temp_dir().join(format!("daemonlab-differential-{}", std::process::id()));
    let only = std::env::var("DIFFERENTIAL_ONLY").ok();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(scenarios())
        .expect("tests/scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter(|p| {
            only.as_deref().is_none_or(|o| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(o))
            })
        })
        .collect();
    entries.sort();
    let (mut total, mut differing) = (0, 0);
    let mut report = String::new();
    for path in entries {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let transcript = std::fs::read_to_string(&path).expect("readable transcript");
        let work = root.join(name.trim_end_matches(".txt"));
        copy_dir(&scenarios(), &work);
        let config = work.join("kubeconfig");
        let address = serve(&config);
        let sim =
            format!("sim() {{ curl -s --data-binary \"$*\" http://{address}/daemonlab/sim; }}");
        let mut shell = Bash::start(
            &work,
            &kubectl,
            &[("KUBECONFIG", &config), ("HOME", &work)],
            &sim,
        )
        .expect("bash runs");
        let mut differences = 0;
        for (n, step) in steps(&transcript).into_iter().enumerate() {
            total += 1;
            // Each command starts with an empty discovery cache, as the
            // playground's kubectl (which has none) always does: a kind a
            // CRD took away is then unknown, not listed and not found.
            let cache = work.join(format!("cache-{n}"));
            let command = format!("export KUBECACHEDIR={}\n{}", cache.display(), step.command);
            let Some(actual) = shell.run(&command, COMMAND_LIMIT).map(|ran| ran.output) else {
                // The rest of the transcript depends on this command.
                differences += 1;
                report.push_str(&format!(
                    "--- {name}: $ {}+++ real kubectl did not finish in {COMMAND_LIMIT:?}\n\n",
                    step.command
                ));
                break;
            };
            let events_table =
                step.command.starts_with("kubectl events") && !step.command.contains(" -o");
            let (expected, actual) = if step.command.starts_with("kubectl describe") {
                (
                    without_event_ages(&step.expected),
                    without_event_ages(&actual),
                )
            } else if events_table {
                let all = step.command.contains(" -A") || step.command.contains("--all-namespaces");
                (
                    without_last_seen(&step.expected, all),
                    without_last_seen(&actual, all),
                )
            } else {
                (step.expected.clone(), actual)
            };
            let (expected, actual) = if step.command.contains("kubectl edit") {
                (
                    without_edit_file_digits(&expected),
                    without_edit_file_digits(&actual),
                )
            } else {
                (expected, actual)
            };
            if actual != expected {
                differences += 1;
                report.push_str(&format!(
                    "--- {name}: $ {}+++ expected\n{}+++ real kubectl\n{}\n",
                    step.command, expected, actual
                ));
            }
        }
        differing += differences;
        eprintln!("{name}: {differences} difference(s)");
    }
    std::fs::write(root.join("report.txt"), &report).expect("report written");
    eprintln!(
        "{} of {total} commands printed the same; the differences are in {}",
        total - differing,
        root.join("report.txt").display()
    );
    assert_eq!(differing, 0, "{report}");
}

/// `daemonlab check PAGE --kubectl PATH` against a fresh `daemonlab serve`:
/// the exit code and the report of one docs page.
fn check_with_real_kubectl(page: &str) -> (bool, String) {
    let config = std::env::temp_dir().join(format!(
        "daemonlab-check-{}-{}.kubeconfig",
        std::process::id(),
        page.replace('/', "-")
    ));
    serve(&config);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/docs");
    let ran = std::process::Command::new(env!("CARGO_BIN_EXE_daemonlab"))
        .arg("check")
        .arg(docs.join(page))
        .arg("--kubectl")
        .arg(kubectl())
        .env("KUBECONFIG", &config)
        .output()
        .expect("daemonlab runs");
    let _ = std::fs::remove_file(&config);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&ran.stdout),
        String::from_utf8_lossy(&ran.stderr)
    );
    (ran.status.success(), report)
}

#[test]
#[ignore = "needs real kubectl: run by `cargo xtask differential`"]
fn docs_pages_pass_with_real_kubectl_against_serve() {
    for page in ["node-agent.md", "why-no-pod.md"] {
        let (passed, report) = check_with_real_kubectl(page);
        assert!(passed, "{report}");
        assert!(report.contains(" 0 differences"), "{report}");
    }
}

#[test]
#[ignore = "needs real kubectl: run by `cargo xtask differential`"]
fn a_stale_page_fails_with_real_kubectl_too() {
    let (passed, report) = check_with_real_kubectl("wrong/stale-transcript.md");
    assert!(!passed, "{report}");
    assert!(
        report.contains("--- page\n+++ kubectl\n")
            && report.contains("-fluent-bit   3         3         3")
            && report.contains("+fluent-bit   2         2         2"),
        "{report}"
    );
}
