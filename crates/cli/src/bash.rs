//! A bash session whose `kubectl` is a real one: commands run in turn, in one
//! shell (variables and the working folder carry over, as in a terminal),
//! each with what it printed (standard error folded in) and its exit code.
//! Used by `daemonlab check --kubectl` and by the differential test.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// What marks the end of one command's output, with its exit code after it.
const DONE: &str = "__daemonlab_done__";

pub struct Bash {
    child: Child,
    stdin: ChildStdin,
    /// Lines of its output, read on a thread so that a command that hangs
    /// can be given up on.
    lines: Receiver<String>,
    /// Holds the `kubectl` link first in the PATH.
    bin: PathBuf,
}

/// One command's output and exit code.
pub struct Ran {
    pub output: String,
    pub exit_code: i32,
}

impl Bash {
    /// A bash in `work`, `kubectl` being `kubectl`, with `env` set and `init`
    /// run first (shell functions, say).
    pub fn start(
        work: &Path,
        kubectl: &Path,
        env: &[(&str, &Path)],
        init: &str,
    ) -> std::io::Result<Bash> {
        let bin = std::env::temp_dir().join(format!(
            "daemonlab-kubectl-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&bin)?;
        let link = bin.join("kubectl");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(std::path::absolute(kubectl)?, &link)?;
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc"])
            // Its own process group, so that a hung kubectl goes with it.
            .process_group(0)
            .current_dir(work)
            .env("PATH", path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn()?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(std::io::Error::other("bash without pipes"));
        };
        let mut stdout = BufReader::new(stdout);
        let (send, lines) = channel();
        std::thread::spawn(move || loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 || send.send(line).is_err() {
                return;
            }
        });
        writeln!(stdin, "exec 2>&1\n{init}")?;
        Ok(Bash {
            child,
            stdin,
            lines,
            bin,
        })
    }

    /// Runs `command` (with its heredoc lines, if any); `None` if it did not
    /// finish within `limit`.
    pub fn run(&mut self, command: &str, limit: Duration) -> Option<Ran> {
        let script = if command.ends_with('\n') {
            command.to_string()
        } else {
            format!("{command}\n")
        };
        // A line of its own: output without a final newline stays apart.
        writeln!(self.stdin, "{script}printf '\\n%s %d\\n' {DONE} $?").ok()?;
        self.stdin.flush().ok()?;
        let deadline = Instant::now() + limit;
        let mut output = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).ok()?;
            if let Some(code) = line.strip_prefix(DONE) {
                // The newline printed before the marker is not the command's.
                if output.ends_with('\n') {
                    output.pop();
                }
                let exit_code = code.trim().parse().unwrap_or(1);
                return Some(Ran { output, exit_code });
            }
            output.push_str(&line);
        }
    }
}

static SESSIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Drop for Bash {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.bin);
    }
}
