//! daemonlab's browser front end. It renders what the core computes and sends it
//! the user's actions; no Kubernetes rule lives here.

mod clock;
mod cluster_view;
mod daemonsets;
mod details;
mod editor;
mod events;
mod feedback;
mod gallery;
mod highlight;
mod terminal;

use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{
    cluster_view, daemonsets_view, events_view, ClusterView, DaemonSetRow, EventRow,
};
use daemonlab_kubectl::apply::{apply_all_or_nothing, Entry};
use daemonlab_kubectl::shell::Shell;
use daemonlab_kubectl::NoFiles;
use leptos::prelude::*;
use serde_json::{json, Value};
use std::time::Duration;

pub use clock::Clock;
pub use cluster_view::ClusterPanel;
pub use daemonsets::DaemonSetPanel;
pub use editor::Editor;
pub use events::EventLog;
pub use gallery::Gallery;
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
    Outcome {
        entries: report.entries(text),
        applied,
    }
}

/// One thing that changed the cluster, as it is kept for a reload.
#[derive(Clone, Debug, PartialEq)]
enum Action {
    Apply(String),
    Run {
        line: String,
        heredoc: String,
    },
    /// Virtual time the clock ran, in milliseconds.
    Advance(u64),
    Settle,
}

impl Action {
    fn from_json(value: &Value) -> Option<Action> {
        match value {
            // Earlier versions kept only applied texts, as plain strings.
            Value::String(text) => Some(Action::Apply(text.clone())),
            Value::Object(map) => {
                let field = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
                if let Some(text) = field("apply") {
                    Some(Action::Apply(text))
                } else if let Some(ms) = map.get("advance").and_then(Value::as_u64) {
                    Some(Action::Advance(ms))
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

    fn to_json(&self) -> Value {
        match self {
            Action::Apply(text) => json!({ "apply": text }),
            Action::Run { line, heredoc } => json!({ "run": line, "heredoc": heredoc }),
            Action::Advance(ms) => json!({ "advance": ms }),
            Action::Settle => json!({ "settle": true }),
        }
    }

    /// Does it to `cluster`; an Apply returns its outcome.
    fn replay(&self, cluster: &mut Cluster, shell: &mut Shell) -> Option<Outcome> {
        match self {
            Action::Apply(text) => return Some(apply_text(cluster, text)),
            Action::Run { line, heredoc } => {
                shell.run(cluster, line, heredoc, &NoFiles);
            }
            Action::Advance(ms) => cluster.advance(Duration::from_millis(*ms)),
            Action::Settle => {
                cluster.settle();
            }
        }
        None
    }
}

/// Events the log keeps on screen.
const EVENT_ROWS: usize = 300;
/// How often the clock ticks, in real milliseconds.
const TICK_MS: u32 = 100;

/// The whole playground: editor on one side, the cluster on the other.
#[component]
pub fn App() -> impl IntoView {
    let history: Vec<Action> = load(APPLIED_KEY)
        .and_then(|json| serde_json::from_str::<Vec<Value>>(&json).ok())
        .map(|list| list.iter().filter_map(Action::from_json).collect())
        .filter(|h: &Vec<Action>| !h.is_empty())
        .unwrap_or_else(|| {
            // The starter cluster opens as if it had been running a while.
            vec![
                Action::Apply(daemonlab_core::samples::STARTER.to_string()),
                Action::Settle,
            ]
        });
    let mut replayed = Cluster::new(SEED);
    let mut shell = Shell::new();
    let mut last_outcome = None;
    let mut last_text = None;
    for action in &history {
        if let Some(outcome) = action.replay(&mut replayed, &mut shell) {
            last_outcome = Some(outcome);
        }
        if let Action::Apply(text) = action {
            last_text = Some(text.clone());
        }
    }
    let editor_text = load(EDITOR_KEY).or(last_text).unwrap_or_default();
    let cluster = StoredValue::new(replayed);
    let shell = StoredValue::new(shell);
    let history = StoredValue::new(history);
    let view_model: RwSignal<ClusterView> = RwSignal::new(cluster.with_value(cluster_view));
    let ds_rows: RwSignal<Vec<DaemonSetRow>> = RwSignal::new(cluster.with_value(daemonsets_view));
    let event_rows: RwSignal<Vec<EventRow>> =
        RwSignal::new(cluster.with_value(|c| events_view(c, EVENT_ROWS)));
    let now = RwSignal::new(cluster.with_value(Cluster::now));
    let outcome = RwSignal::new(last_outcome);
    // The last text applied cleanly (or loaded): the editor differs from it
    // when it holds edits nobody applied.
    let applied_text = RwSignal::new(history.with_value(|h| {
        h.iter()
            .rev()
            .find_map(|a| match a {
                Action::Apply(text) => Some(text.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }));
    let text = RwSignal::new(editor_text);
    // The first command since the last Apply (or Load) that may have changed
    // the objects the editor's text describes.
    let cluster_moved = RwSignal::new(None::<String>);
    let entries = RwSignal::new(Vec::<TermEntry>::new());
    let next_entry = StoredValue::new(0u64);
    let playing = RwSignal::new(true);
    let pause_each_step = RwSignal::new(false);
    let paused_because = RwSignal::new(None::<String>);
    let speed = RwSignal::new(1u32);

    Effect::new(move |_| save(EDITOR_KEY, &text.read()));

    // Redraws what changed since the last look; unchanged parts keep their DOM.
    // The views only change when the store does (or a command ran: a kubelet
    // taken down writes nothing yet), so a tick that changed nothing only
    // moves the clock.
    let seen_version = StoredValue::new(None::<u64>);
    let refresh = move |force: bool| {
        cluster.with_value(|c| {
            now.set(c.now());
            let version = c.store().resource_version();
            if !force && seen_version.get_value() == Some(version) {
                return;
            }
            seen_version.set_value(Some(version));
            let nodes = cluster_view(c);
            if view_model.with_untracked(|v| *v != nodes) {
                view_model.set(nodes);
            }
            let rows = daemonsets_view(c);
            if ds_rows.with_untracked(|r| *r != rows) {
                // A rollout step: a node of a DaemonSet got its up-to-date pod.
                let stepped = ds_rows.with_untracked(|old| {
                    rows.iter().any(|row| {
                        old.iter().any(|o| {
                            o.namespace == row.namespace
                                && o.name == row.name
                                && row.updated > o.updated
                        })
                    })
                });
                if stepped && pause_each_step.get_untracked() && playing.get_untracked() {
                    playing.set(false);
                    paused_because.set(Some(
                        "Paused: a node got its new pod (\u{201c}pause at each rollout step\u{201d} is on). Press Play to go on.".to_string(),
                    ));
                }
                ds_rows.set(rows);
            }
            let events = events_view(c, EVENT_ROWS);
            if event_rows.with_untracked(|e| *e != events) {
                event_rows.set(events);
            }
        });
    };

    let persist = move || {
        history.with_value(|h| {
            let list: Vec<Value> = h.iter().map(Action::to_json).collect();
            if let Ok(json) = serde_json::to_string(&list) {
                save(APPLIED_KEY, &json);
            }
        });
    };
    let remember = move |action: Action| {
        history.update_value(|h| match (h.last_mut(), &action) {
            // Consecutive ticks are kept as one stretch of time.
            (Some(Action::Advance(total)), Action::Advance(more)) => *total += more,
            _ => h.push(action),
        });
    };

    let apply = move || {
        let source = text.get_untracked();
        let result = cluster.try_update_value(|c| apply_text(c, &source));
        let Some(result) = result else {
            return;
        };
        if result.applied {
            applied_text.set(source.clone());
            cluster_moved.set(None);
            remember(Action::Apply(source));
            persist();
            refresh(true);
        }
        outcome.set(Some(result));
    };

    let run = move |(line, heredoc): (String, String)| -> (daemonlab_kubectl::Output, Option<u64>) {
        let output = cluster.try_update_value(|c| {
            shell
                .try_update_value(|s| s.run(c, &line, &heredoc, &NoFiles))
                .unwrap_or_default()
        });
        let Some(output) = output else {
            return (daemonlab_kubectl::Output::default(), None);
        };
        if !daemonlab_kubectl::export::only_reads(&line) && cluster_moved.get_untracked().is_none()
        {
            cluster_moved.set(Some(line.clone()));
        }
        remember(Action::Run {
            line: line.clone(),
            heredoc: heredoc.clone(),
        });
        persist();
        refresh(true);
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
                    output: output.clone(),
                },
            )
        });
        (output, Some(id))
    };
    let command: feedback::Command = Callback::new(run);
    let typed = Callback::new(move |args: (String, String)| {
        run(args);
    });

    let advance = move |ms: u64| {
        cluster.update_value(|c| c.advance(Duration::from_millis(ms)));
        remember(Action::Advance(ms));
        refresh(false);
    };

    let step = move || {
        let limit = clock::STEP_LIMIT_SECONDS * 1000;
        let gap = cluster.with_value(|c| {
            c.next_change()
                .map(|next| next.as_millisecond() - c.now().as_millisecond())
                .filter(|ms| *ms > 0)
                .map_or(limit, |ms| (ms as u64).min(limit))
        });
        advance(gap);
        persist();
    };

    // The clock: while playing, every tick moves virtual time by speed × tick.
    let ticks = StoredValue::new(0u32);
    let timer = StoredValue::new_local(None::<gloo_timers::callback::Interval>);
    Effect::new(move |_| {
        let running = playing.get();
        timer.set_value(running.then(|| {
            gloo_timers::callback::Interval::new(TICK_MS, move || {
                advance(u64::from(TICK_MS) * u64::from(speed.get_untracked()));
                // Saving every tick would write storage ten times a second.
                ticks.update_value(|t| *t += 1);
                if ticks.get_value().is_multiple_of(10) {
                    persist();
                }
            })
        }));
    });

    let complete = move |line: String| {
        cluster
            .try_with_value(|c| daemonlab_kubectl::complete::complete(c, &line))
            .unwrap_or_default()
    };
    let clock = Signal::derive(move || now.get().strftime("%H:%M:%S").to_string());

    // A scenario starts a new cluster: its manifests, applied and settled.
    let current_scenario = RwSignal::new(None::<&'static str>);
    let start = move |yaml: &'static str, id: Option<&'static str>| {
        let mut fresh = Cluster::new(SEED);
        let result = apply_text(&mut fresh, yaml);
        fresh.settle();
        cluster.set_value(fresh);
        shell.set_value(Shell::new());
        history.set_value(vec![Action::Apply(yaml.to_string()), Action::Settle]);
        persist();
        text.set(yaml.to_string());
        applied_text.set(yaml.to_string());
        cluster_moved.set(None);
        outcome.set(Some(result));
        entries.set(Vec::new());
        current_scenario.set(id);
        refresh(true);
    };
    let load_scenario = move |scenario: &'static daemonlab_core::samples::Scenario| {
        start(scenario.yaml, Some(scenario.id));
    };
    let reset = move |()| {
        let loaded = current_scenario
            .get_untracked()
            .and_then(|id| daemonlab_core::samples::GALLERY.iter().find(|s| s.id == id));
        match loaded {
            Some(scenario) => start(scenario.yaml, Some(scenario.id)),
            None => start(daemonlab_core::samples::STARTER, None),
        }
    };
    let dirty = Signal::derive(move || text.with(|t| applied_text.with(|a| t != a)));

    // The editor takes the cluster's objects as they are now.
    let load_live = move |()| {
        let source = applied_text.get_untracked();
        let live = cluster.with_value(|c| daemonlab_kubectl::export::live_manifests(c, &source));
        if let Some(live) = live {
            text.set(live.clone());
            applied_text.set(live);
            cluster_moved.set(None);
        }
    };

    // A pod's or node's details: kubectl describe of it, redone whenever the
    // cluster view changes (the store moved on).
    let selected = RwSignal::new(None::<details::Selected>);
    let described = Signal::derive(move || {
        view_model.track();
        let Some(target) = selected.get() else {
            return String::new();
        };
        let output = cluster
            .try_update_value(|c| daemonlab_kubectl::run(c, &target.describe_argv(), "", &NoFiles))
            .unwrap_or_default();
        format!("{}{}", output.stdout, output.stderr)
    });

    view! {
        <header class="topbar">
            <h1>"daemonlab"</h1>
            <p class="tagline">"A DaemonSet playground: paste nodes and DaemonSets, press Apply, watch where the pods land."</p>
            <Clock now=clock playing=playing speed=speed paused_because=paused_because on_step=step />
        </header>
        <main class="layout">
            <Gallery current=current_scenario dirty=dirty on_load=load_scenario on_reset=reset />
            <Editor text=text outcome=outcome on_apply=apply moved=cluster_moved dirty=dirty on_load_live=load_live />
            <ClusterPanel view=view_model on_command=command selected=selected />
            <details::Details selected=selected described=described />
            <Terminal entries=entries on_run=typed on_complete=complete />
            <DaemonSetPanel daemonsets=ds_rows now=now pause_each_step=pause_each_step on_command=command />
            <EventLog events=event_rows now=now />
        </main>
    }
}
