//! The playground's state as what its user did, in order: every text that
//! applied cleanly, every command, every stretch of virtual time. The
//! simulation is deterministic (seeded names, a virtual clock), so replaying
//! the journal on a fresh cluster gives back the same cluster, terminal and
//! clock: a reload replays it from the browser's storage, and a share link
//! (`link`) carries it to someone else.

pub mod export;
pub mod link;
pub mod protocol;

use std::time::Duration;

use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::{apply_all_or_nothing, Entry};
use daemonlab_kubectl::shell::Shell;
use daemonlab_kubectl::{NoFiles, Output};
use serde_json::{json, Value};

/// Seed for the names the cluster generates; fixed so a replay repeats exactly.
pub const SEED: u64 = 1;

/// One thing that changed the cluster.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The editor's text, applied with all-or-nothing (see [`apply_text`]).
    Apply(String),
    /// A terminal line, with the text a heredoc on it carries.
    Run { line: String, heredoc: String },
    /// Virtual time the clock ran, in milliseconds.
    Advance(u64),
    /// `sim settle`: on until nothing is under way.
    Settle,
}

impl Action {
    /// Reads one action as [`Action::to_json`] writes it; a plain string is
    /// an applied text, as the first stored journals kept them.
    pub fn from_json(value: &Value) -> Option<Action> {
        match value {
            Value::String(text) => Some(Action::Apply(text.clone())),
            Value::Object(map) => {
                let field = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
                if let Some(text) = field("apply") {
                    Some(Action::Apply(text))
                } else if let Some(ms) = map.get("advance") {
                    ms.as_u64().map(Action::Advance)
                } else if map.contains_key("settle") {
                    Some(Action::Settle)
                } else {
                    Some(Action::Run {
                        line: field("run")?,
                        heredoc: field("heredoc").unwrap_or_default(),
                    })
                }
            }
            _ => None,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Action::Apply(text) => json!({ "apply": text }),
            Action::Run { line, heredoc } => json!({ "run": line, "heredoc": heredoc }),
            Action::Advance(ms) => json!({ "advance": ms }),
            Action::Settle => json!({ "settle": true }),
        }
    }
}

/// The result of an Apply of the editor's text, as the user reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What kubectl said about each manifest, in order, with where problems are.
    pub entries: Vec<Entry>,
    /// False when the text stopped being YAML: then nothing at all was applied.
    pub applied: bool,
}

/// Applies `text` to `cluster`, as `kubectl apply -f -`. Unlike kubectl, which
/// applies the manifests before a syntax error, the editor applies all or
/// nothing: a text that is not YAML leaves the cluster exactly as it was.
pub fn apply_text(cluster: &mut Cluster, text: &str) -> Outcome {
    let report = apply_all_or_nothing(cluster, text, "STDIN");
    let applied = report.syntax_error.is_none();
    Outcome {
        entries: report.entries(text),
        applied,
    }
}

/// What one action did, for the page to show.
#[derive(Clone, Debug, PartialEq)]
pub enum Done {
    Applied(Outcome),
    /// A terminal line, the heredoc it carried, and what it printed.
    Ran {
        line: String,
        heredoc: String,
        output: Output,
    },
    Waited,
}

/// A cluster and the shell the terminal types into, with the journal that
/// made them.
#[derive(Clone, Debug)]
pub struct Session {
    pub cluster: Cluster,
    pub shell: Shell,
    journal: Vec<Action>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            cluster: Cluster::new(SEED),
            shell: Shell::with_page_editor(),
            journal: Vec::new(),
        }
    }
}

impl Session {
    /// A fresh cluster with `actions` done on it, in order, and what each did.
    pub fn replay(actions: Vec<Action>) -> (Session, Vec<Done>) {
        let mut session = Session::default();
        let done = actions.into_iter().map(|a| session.act(a)).collect();
        (session, done)
    }

    /// Does `action` and keeps it in the journal (consecutive stretches of
    /// time as one: the clock ticks ten times a second).
    pub fn act(&mut self, action: Action) -> Done {
        let done = match &action {
            Action::Apply(text) => Done::Applied(apply_text(&mut self.cluster, text)),
            Action::Run { line, heredoc } => Done::Ran {
                line: line.clone(),
                heredoc: heredoc.clone(),
                output: self.shell.run(&mut self.cluster, line, heredoc, &NoFiles),
            },
            Action::Advance(ms) => {
                self.cluster.advance(Duration::from_millis(*ms));
                Done::Waited
            }
            Action::Settle => {
                self.cluster.settle();
                Done::Waited
            }
        };
        match (self.journal.last_mut(), &action, &done) {
            // A text that was not YAML changed nothing: a replay need not try it.
            (_, _, Done::Applied(outcome)) if !outcome.applied => {}
            (Some(Action::Advance(total)), Action::Advance(more), _) => *total += more,
            _ => self.journal.push(action),
        }
        done
    }

    pub fn journal(&self) -> &[Action] {
        &self.journal
    }

    /// The journal as JSON, for storage.
    pub fn journal_json(&self) -> Value {
        Value::Array(self.journal.iter().map(Action::to_json).collect())
    }

    /// The last text that applied cleanly.
    pub fn last_applied(&self) -> Option<&str> {
        self.journal.iter().rev().find_map(|a| match a {
            Action::Apply(text) => Some(text.as_str()),
            _ => None,
        })
    }
}

/// Reads a stored journal; entries it cannot read are skipped.
pub fn journal_from_json(value: &Value) -> Vec<Action> {
    value
        .as_array()
        .map(|list| list.iter().filter_map(Action::from_json).collect())
        .unwrap_or_default()
}
