//! daemonlab's browser front end. It renders what the core computes and sends it
//! the user's actions; no Kubernetes rule lives here.

mod cluster_view;
mod editor;
mod terminal;

use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{cluster_view, ClusterView};
use daemonlab_kubectl::apply::{apply_all_or_nothing, Entry};
use daemonlab_kubectl::shell::Shell;
use daemonlab_kubectl::NoFiles;
use leptos::prelude::*;
use serde_json::{json, Value};

pub use cluster_view::ClusterPanel;
pub use editor::Editor;
pub use terminal::{TermEntry, Terminal};

/// Seed for the names the cluster generates; fixed so a page load repeats exactly.
const SEED: u64 = 1;
/// localStorage keys: the editor's text, and what changed the cluster, in order:
/// every text that applied cleanly and every terminal command (a reload replays
/// them, so the cluster comes back and a broken draft never empties it).
const EDITOR_KEY: &str = "daemonlab.editor";
const APPLIED_KEY: &str = "daemonlab.applied";

/// The result of the last Apply, as the user reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What kubectl said about each manifest, in order, with where problems are.
    pub entries: Vec<Entry>,
    /// False when the text stopped being YAML: then nothing at all was applied.
    pub applied: bool,
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn save(key: &str, text: &str) {
    if let Some(storage) = storage() {
        // Full or disabled storage only costs persistence, never the edit.
        let _ = storage.set_item(key, text);
    }
}

/// Applies `text` to `cluster`, as `kubectl apply -f -`. Unlike kubectl, which
/// applies the manifests before a syntax error, the editor applies all or
/// nothing: a text that is not YAML leaves the cluster exactly as it was.
fn apply_text(cluster: &mut Cluster, text: &str) -> Outcome {
    let report = apply_all_or_nothing(cluster, text, "STDIN");
    let applied = report.syntax_error.is_none();
    if applied {
        // Until the page has a clock of its own, show where the cluster settles.
        cluster.settle();
    }
    Outcome {
        entries: report.entries(text),
        applied,
    }
}

/// One thing that changed the cluster, as it is kept for a reload.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    Apply(String),
    Run { line: String, heredoc: String },
}

impl Action {
    fn from_json(value: &Value) -> Option<Action> {
        match value {
            // Earlier versions kept only applied texts, as plain strings.
            Value::String(text) => Some(Action::Apply(text.clone())),
            Value::Object(map) => {
                let field = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
                match field("apply") {
                    Some(text) => Some(Action::Apply(text)),
                    None => Some(Action::Run {
                        line: field("run")?,
                        heredoc: field("heredoc").unwrap_or_default(),
                    }),
                }
            }
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Action::Apply(text) => json!({ "apply": text }),
            Action::Run { line, heredoc } => json!({ "run": line, "heredoc": heredoc }),
        }
    }
}

/// Runs one terminal line. Until the page has a clock of its own, the cluster
/// then settles, as it does after Apply.
fn run_line(
    cluster: &mut Cluster,
    shell: &mut Shell,
    line: &str,
    heredoc: &str,
) -> daemonlab_kubectl::Output {
    let output = shell.run(cluster, line, heredoc, &NoFiles);
    cluster.settle();
    output
}

/// The whole playground: editor on one side, the cluster on the other.
#[component]
pub fn App() -> impl IntoView {
    let history: Vec<Action> = load(APPLIED_KEY)
        .and_then(|json| serde_json::from_str::<Vec<Value>>(&json).ok())
        .map(|list| list.iter().filter_map(Action::from_json).collect())
        .filter(|h: &Vec<Action>| !h.is_empty())
        .unwrap_or_else(|| vec![Action::Apply(daemonlab_core::samples::STARTER.to_string())]);
    let mut replayed = Cluster::new(SEED);
    let mut shell = Shell::new();
    let mut last_outcome = None;
    let mut last_text = None;
    for action in &history {
        match action {
            Action::Apply(source) => {
                last_outcome = Some(apply_text(&mut replayed, source));
                last_text = Some(source.clone());
            }
            Action::Run { line, heredoc } => {
                run_line(&mut replayed, &mut shell, line, heredoc);
            }
        }
    }
    let editor_text = load(EDITOR_KEY).or(last_text).unwrap_or_default();
    let cluster = StoredValue::new(replayed);
    let shell = StoredValue::new(shell);
    let history = StoredValue::new(history);
    let view_model: RwSignal<ClusterView> = RwSignal::new(cluster.with_value(cluster_view));
    let outcome = RwSignal::new(last_outcome);
    let text = RwSignal::new(editor_text);
    let entries = RwSignal::new(Vec::<TermEntry>::new());
    let next_entry = StoredValue::new(0u64);

    Effect::new(move |_| save(EDITOR_KEY, &text.read()));

    let remember = move |action: Action| {
        history.update_value(|h| h.push(action));
        history.with_value(|h| {
            let list: Vec<Value> = h.iter().map(Action::to_json).collect();
            if let Ok(json) = serde_json::to_string(&list) {
                save(APPLIED_KEY, &json);
            }
        });
    };

    let apply = move || {
        let source = text.get_untracked();
        let result = cluster.try_update_value(|c| apply_text(c, &source));
        let Some(result) = result else {
            return;
        };
        if result.applied {
            view_model.set(cluster.with_value(cluster_view));
            remember(Action::Apply(source));
        }
        outcome.set(Some(result));
    };

    let run = move |(line, heredoc): (String, String)| {
        let output = cluster.try_update_value(|c| {
            shell
                .try_update_value(|s| run_line(c, s, &line, &heredoc))
                .unwrap_or_default()
        });
        let Some(output) = output else {
            return;
        };
        view_model.set(cluster.with_value(cluster_view));
        remember(Action::Run {
            line: line.clone(),
            heredoc: heredoc.clone(),
        });
        let id = next_entry.get_value();
        next_entry.set_value(id + 1);
        let command = if heredoc.is_empty() {
            line
        } else {
            format!(
                "{line}\n{heredoc}{}",
                daemonlab_kubectl::shell::heredoc_delimiter(&line).unwrap_or_default()
            )
        };
        entries.update(|list| {
            terminal::push_entry(
                list,
                TermEntry {
                    id,
                    command,
                    output,
                },
            )
        });
    };

    let complete = move |line: String| {
        cluster
            .try_with_value(|c| daemonlab_kubectl::complete::complete(c, &line))
            .unwrap_or_default()
    };

    view! {
        <header class="topbar">
            <h1>"daemonlab"</h1>
            <p class="tagline">"A DaemonSet playground: paste nodes and DaemonSets, press Apply, see where the pods land."</p>
        </header>
        <main class="layout">
            <div class="left">
                <Editor text=text outcome=outcome on_apply=apply />
                <Terminal entries=entries on_run=run on_complete=complete />
            </div>
            <ClusterPanel view=view_model />
        </main>
    }
}
