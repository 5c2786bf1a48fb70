//! Real kubectl as the judge: every transcript in `tests/scenarios/` runs
//! again, command by command, with real kubectl 1.36 against `daemonlab
//! serve` (`sim` lines go to the server's clock), and each command must print
//! what the transcript says daemonlab's own kubectl prints.
//!
//! Needs real kubectl: `cargo xtask kubectl` fetches it and prints its path;
//! `DAEMONLAB_KUBECTL=PATH cargo test -p daemonlab-apiserver --test
//! differential -- --ignored` runs this (`cargo xtask differential` does both).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use daemonlab_apiserver::{kubeconfig, listen, ApiServer, Clock};
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::shell::heredoc_delimiter;

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

/// A bash that runs one transcript's commands in turn, kubectl being the real one.
struct Shell {
    child: Child,
    stdin: ChildStdin,
    /// Lines of its output, read on a thread so that a command that hangs
    /// can be given up on.
    lines: Receiver<String>,
}

/// The longest one command may take (a stalled `--timeout=5s` takes 5).
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

const DONE: &str = "__daemonlab_done__";

impl Shell {
    fn start(work: &Path, bin: &Path, kubeconfig: &Path, address: &str) -> Shell {
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut child = Command::new("bash")
            .args(["--noprofile", "--norc"])
            // Its own process group, so that a hung kubectl goes with it.
            .process_group(0)
            .current_dir(work)
            .env("PATH", path)
            .env("KUBECONFIG", kubeconfig)
            .env("HOME", work)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash runs");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (send, lines) = channel();
        std::thread::spawn(move || loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 || send.send(line).is_err() {
                return;
            }
        });
        writeln!(
            stdin,
            "exec 2>&1\nsim() {{ curl -s --data-binary \"$*\" http://{address}/daemonlab/sim; }}"
        )
        .expect("bash reads");
        Shell {
            child,
            stdin,
            lines,
        }
    }

    /// What `command` printed, or `None` if it did not finish in time.
    fn run(&mut self, command: &str) -> Option<String> {
        writeln!(self.stdin, "{command}printf '%s\\n' {DONE}").expect("bash reads");
        self.stdin.flush().expect("bash reads");
        let deadline = Instant::now() + COMMAND_LIMIT;
        let mut output = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            if let Some(before) = line.strip_suffix(&format!("{DONE}\n")) {
                output.push_str(before);
                return Some(output);
            }
            output.push_str(&line);
        }
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("a work folder");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copied");
        }
    }
}

fn kubectl() -> PathBuf {
    match std::env::var_os("DAEMONLAB_KUBECTL") {
        Some(path) => PathBuf::from(path),
        None => {
            panic!("set DAEMONLAB_KUBECTL to real kubectl 1.36 (`cargo xtask kubectl` fetches it)")
        }
    }
}

#[test]
#[ignore = "needs real kubectl: run by `cargo xtask differential`"]
fn real_kubectl_prints_what_the_transcripts_say() {
    let kubectl = kubectl();
    let root = std::env::temp_dir().join(format!("daemonlab-differential-{}", std::process::id()));
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("a bin folder");
    let _ = std::fs::remove_file(bin.join("kubectl"));
    std::os::unix::fs::symlink(&kubectl, bin.join("kubectl")).expect("kubectl linked");
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
        let server = Arc::new(ApiServer::new(Cluster::new(1), Clock::Manual));
        let address = listen(server, "127.0.0.1:0")
            .and_then(|l| l.spawn())
            .expect("a loopback port");
        let work = root.join(name.trim_end_matches(".txt"));
        copy_dir(&scenarios(), &work);
        let config = work.join("kubeconfig");
        std::fs::write(&config, kubeconfig(&address)).expect("kubeconfig written");
        let mut shell = Shell::start(&work, &bin, &config, &address.to_string());
        let mut differences = 0;
        for (n, step) in steps(&transcript).into_iter().enumerate() {
            total += 1;
            // Each command starts with an empty discovery cache, as the
            // playground's kubectl (which has none) always does: a kind a
            // CRD took away is then unknown, not listed and not found.
            let cache = work.join(format!("cache-{n}"));
            let command = format!("export KUBECACHEDIR={}\n{}", cache.display(), step.command);
            let Some(actual) = shell.run(&command) else {
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
