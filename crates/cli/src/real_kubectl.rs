//! `daemonlab check --kubectl PATH`: a page's console blocks run by a real
//! kubectl against the current kubeconfig context, so that the page that
//! passes in the simulator can be verified against a real cluster (or
//! `daemonlab serve`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use daemonlab_kubectl::check::Runner;
use daemonlab_kubectl::shell::heredoc_delimiter;
use daemonlab_kubectl::{Files, Output};

use daemonlab_cli::bash::Bash;

/// The longest one command may take against a real cluster.
const COMMAND_LIMIT: Duration = Duration::from_secs(120);

pub struct RealKubectl {
    bash: Bash,
    /// Where the files the page's commands read are written.
    work: PathBuf,
}

impl RealKubectl {
    pub fn start(kubectl: &Path) -> Result<RealKubectl, String> {
        if !kubectl.is_file() {
            return Err(format!(
                "error: --kubectl {}: no such file",
                kubectl.display()
            ));
        }
        let work = std::env::temp_dir().join(format!("daemonlab-check-{}", std::process::id()));
        std::fs::create_dir_all(&work).map_err(|e| format!("error: {}: {e}", work.display()))?;
        // `sim` lines reach the clock of `daemonlab serve`; a real cluster
        // refuses them, and the page says it was written for the simulator.
        let sim = "sim() { printf '%s' \"$*\" | kubectl create --raw /daemonlab/sim -f -; }";
        let bash = Bash::start(&work, kubectl, &[], sim)
            .map_err(|e| format!("error: cannot start bash: {e}"))?;
        Ok(RealKubectl { bash, work })
    }

    /// Writes the files `command` reads with `-f` (the page's own, or its
    /// folder's) where kubectl will look for them.
    fn provide_files(&self, command: &str, files: &dyn Files) {
        for path in daemonlab_kubectl::relative_files_read(command) {
            if let Some(text) = files.read(&path) {
                let target = self.work.join(&path);
                if let Some(parent) = target.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = std::fs::write(target, text);
            }
        }
    }
}

impl Runner for RealKubectl {
    fn name(&self) -> &str {
        "kubectl"
    }

    /// Against `daemonlab serve` the simulated clock settles; a real
    /// cluster refuses the request and runs on by itself.
    fn settle(&mut self) {
        let _ = self.bash.run("sim settle >/dev/null 2>&1", COMMAND_LIMIT);
    }

    fn run(&mut self, command: &str, heredoc: &str, files: &dyn Files) -> Output {
        self.provide_files(command, files);
        let mut script = format!("{command}\n");
        if let Some(delimiter) = heredoc_delimiter(command) {
            script.push_str(heredoc);
            script.push_str(&delimiter);
            script.push('\n');
        }
        match self.bash.run(&script, COMMAND_LIMIT) {
            Some(ran) => Output {
                stdout: ran.output,
                exit_code: ran.exit_code,
                ..Default::default()
            },
            None => Output::error(format!(
                "daemonlab: the command did not finish in {} s",
                COMMAND_LIMIT.as_secs()
            )),
        }
    }
}

impl Drop for RealKubectl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.work);
    }
}
