//! daemonlab's browser front end. It renders what the core computes and sends it
//! the user's actions; no Kubernetes rule lives here.

mod clock;
mod cluster_view;
mod daemonsets;
mod details;
mod editor;
mod embed;
mod events;
mod export;
mod feedback;
mod gallery;
mod highlight;
mod share;
mod terminal;

use daemonlab_core::decision::decision;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{
    cluster_view, daemonsets_view, events_view, ClusterView, DaemonSetRow, EventRow,
};
use daemonlab_kubectl::NoFiles;
use daemonlab_session::protocol::Request;
use daemonlab_session::{journal_from_json, link, Action, Done, Session};
use leptos::prelude::*;
use serde_json::Value;

pub use clock::Clock;
pub use cluster_view::ClusterPanel;
pub use daemonlab_session::Outcome;
pub use daemonsets::DaemonSetPanel;
pub use editor::Editor;
pub use events::EventLog;
pub use gallery::Gallery;
pub use terminal::{TermEntry, Terminal};

/// localStorage keys: the editor's text, and the session's journal (every
/// text that applied cleanly, every command, the time the clock ran): a
/// reload replays it, so the cluster comes back and a broken draft never
/// empties it.
const EDITOR_KEY: &str = "daemonlab.editor";
const APPLIED_KEY: &str = "daemonlab.applied";

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

/// The session a visit without a share link opens: the stored journal
/// replayed, else the starter cluster as if it had been running a while.
fn stored_session() -> (Vec<Action>, Option<String>) {
    let journal = load(APPLIED_KEY)
        .and_then(|json| serde_json::from_str::<Value>(&json).ok())
        .map(|list| journal_from_json(&list))
        .filter(|j| !j.is_empty())
        .unwrap_or_else(|| {
            vec![
                Action::Apply(daemonlab_core::samples::STARTER.to_string()),
                Action::Settle,
            ]
        });
    (journal, load(EDITOR_KEY))
}

/// What the page starts from: a share link's session, or the stored one
/// (with why the link in the address could not be opened, if it could not).
struct Start {
    session: Session,
    done: Vec<Done>,
    editor: Option<String>,
    /// Opened from a share link: the clock waits, so the state is seen as shared.
    from_link: bool,
    /// The panels the link's embed showed (an embed opening it shows them too).
    panels: Vec<String>,
    link_problem: Option<String>,
}

fn starting_point(embed: Option<&embed::Embed>) -> Start {
    let problem = match share::link_in_address() {
        None => None,
        Some(Ok(shared)) => match link::open(shared.actions) {
            Ok((session, done)) => {
                return Start {
                    session,
                    done,
                    editor: Some(shared.editor),
                    from_link: true,
                    panels: shared.panels,
                    link_problem: None,
                }
            }
            Err(e) => Some(e),
        },
        Some(Err(e)) => Some(e),
    };
    // An embed keeps nothing: pages with several must not share one state.
    let (journal, editor) = match embed {
        None => stored_session(),
        Some(embed) => (
            embed
                .scenario
                .map(|s| vec![Action::Apply(s.yaml.to_string()), Action::Settle])
                .unwrap_or_default(),
            None,
        ),
    };
    let (session, done) = Session::replay(journal);
    Start {
        session,
        done,
        editor,
        from_link: false,
        panels: Vec::new(),
        link_problem: problem.map(|e| format!("This share link cannot be opened: {e}. The playground opened as it would without it.")),
    }
}

/// Events the log keeps on screen.
const EVENT_ROWS: usize = 300;
/// How often the clock ticks, in real milliseconds.
const TICK_MS: u32 = 100;

/// The whole playground: editor on one side, the cluster on the other.
#[component]
pub fn App() -> impl IntoView {
    let embed = embed::from_address();
    if let Some(embed) = &embed {
        embed::mark_page(embed);
    }
    let Start {
        session: opened,
        done,
        editor,
        from_link,
        panels: link_panels,
        link_problem,
    } = starting_point(embed.as_ref());
    let embedded = embed.is_some();
    // The terminal shows what each replayed command printed, as it did.
    let mut first_entries = Vec::new();
    let mut last_outcome = None;
    for done in done {
        match done {
            Done::Ran {
                line,
                heredoc,
                output,
            } => {
                let id = first_entries.len() as u64;
                terminal::push_entry(
                    &mut first_entries,
                    TermEntry::new(id, &line, &heredoc, output),
                );
            }
            Done::Applied(outcome) => last_outcome = Some(outcome),
            Done::Waited => {}
        }
    }
    let applied_text = opened.last_applied().unwrap_or_default().to_string();
    let editor_text = editor.unwrap_or_else(|| applied_text.clone());
    let next_entry = StoredValue::new(first_entries.last().map_or(0, |e| e.id + 1));
    let session = StoredValue::new(opened);
    let on_cluster = move |f: &dyn Fn(&Cluster)| session.with_value(|s| f(&s.cluster));
    let view_model: RwSignal<ClusterView> =
        RwSignal::new(session.with_value(|s| cluster_view(&s.cluster)));
    let ds_rows: RwSignal<Vec<DaemonSetRow>> =
        RwSignal::new(session.with_value(|s| daemonsets_view(&s.cluster)));
    let event_rows: RwSignal<Vec<EventRow>> =
        RwSignal::new(session.with_value(|s| events_view(&s.cluster, EVENT_ROWS)));
    let now = RwSignal::new(session.with_value(|s| s.cluster.now()));
    let outcome = RwSignal::new(last_outcome);
    // The last text applied cleanly (or loaded): the editor differs from it
    // when it holds edits nobody applied.
    let applied_text = RwSignal::new(applied_text);
    let text = RwSignal::new(editor_text);
    let link_problem = RwSignal::new(link_problem);
    // The first command since the last Apply (or Load) that may have changed
    // the objects the editor's text describes.
    let cluster_moved = RwSignal::new(None::<String>);
    let entries = RwSignal::new(first_entries);
    let playing = RwSignal::new(embed.as_ref().map_or(!from_link, |e| e.autoplay));
    let pause_each_step = RwSignal::new(false);
    let paused_because = RwSignal::new(None::<String>);
    let speed = RwSignal::new(embed.as_ref().map_or(1, |e| e.speed));

    Effect::new(move |_| {
        if !embedded {
            save(EDITOR_KEY, &text.read());
        }
    });

    // Redraws what changed since the last look; unchanged parts keep their DOM.
    // The views only change when the store does (or a command ran: a kubelet
    // taken down writes nothing yet), so a tick that changed nothing only
    // moves the clock.
    let seen_version = StoredValue::new(None::<u64>);
    let refresh = move |force: bool| {
        on_cluster(&|c| {
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
        if embedded {
            return;
        }
        session.with_value(|s| {
            if let Ok(json) = serde_json::to_string(&s.journal_json()) {
                save(APPLIED_KEY, &json);
            }
        });
    };
    // Once opened, a share link's session is this page's own: a reload keeps
    // what was done after it, not the link.
    if from_link {
        persist();
    }
    share::forget_link_in_address();

    let embed = StoredValue::new(embed);
    let announce = move |kind: &str, fields: serde_json::Value| {
        embed.with_value(|e| {
            if let Some(e) = e {
                embed::announce(e, kind, fields);
            }
        });
    };
    let announce_applied = move |outcome: &Outcome| {
        let entries: Vec<serde_json::Value> = outcome
            .entries
            .iter()
            .map(|e| serde_json::json!({ "ok": e.ok, "message": e.message }))
            .collect();
        announce(
            "applied",
            serde_json::json!({ "applied": outcome.applied, "entries": entries }),
        );
    };

    let apply = move || {
        let source = text.get_untracked();
        let done = session.try_update_value(|s| s.act(Action::Apply(source.clone())));
        let Some(Done::Applied(result)) = done else {
            return;
        };
        if result.applied {
            applied_text.set(source);
            cluster_moved.set(None);
            persist();
            refresh(true);
        }
        announce_applied(&result);
        outcome.set(Some(result));
    };

    let run = move |(line, heredoc): (String, String)| -> (daemonlab_kubectl::Output, Option<u64>) {
        let done = session.try_update_value(|s| {
            s.act(Action::Run {
                line: line.clone(),
                heredoc: heredoc.clone(),
            })
        });
        let Some(Done::Ran { output, .. }) = done else {
            return (daemonlab_kubectl::Output::default(), None);
        };
        if !daemonlab_kubectl::export::only_reads(&line) && cluster_moved.get_untracked().is_none()
        {
            cluster_moved.set(Some(line.clone()));
        }
        persist();
        refresh(true);
        announce(
            "output",
            serde_json::json!({
                "line": line,
                "stdout": output.stdout,
                "stderr": format!("{}{}", output.notice, output.stderr),
                "exit": output.exit_code,
            }),
        );
        let id = next_entry.get_value();
        next_entry.set_value(id + 1);
        entries.update(|list| {
            terminal::push_entry(list, TermEntry::new(id, &line, &heredoc, output.clone()))
        });
        (output, Some(id))
    };
    let command: feedback::Command = Callback::new(run);
    let typed = Callback::new(move |args: (String, String)| {
        run(args);
    });

    let advance = move |ms: u64| {
        session.update_value(|s| {
            s.act(Action::Advance(ms));
        });
        refresh(false);
    };

    let step = move || {
        let limit = clock::STEP_LIMIT_SECONDS * 1000;
        let gap = session.with_value(|s| {
            let c = &s.cluster;
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

    let journal = Callback::new(move |()| session.with_value(|s| s.journal().to_vec()));

    let complete = move |line: String| {
        session
            .try_with_value(|s| daemonlab_kubectl::complete::complete(&s.cluster, &line))
            .unwrap_or_default()
    };
    let clock = Signal::derive(move || now.get().strftime("%H:%M:%S").to_string());

    // A scenario starts a new cluster: its manifests, applied and settled.
    let current_scenario = RwSignal::new(None::<&'static str>);
    let start = move |yaml: String, id: Option<&'static str>| -> Option<Outcome> {
        let (fresh, done) = Session::replay(vec![Action::Apply(yaml.clone()), Action::Settle]);
        session.set_value(fresh);
        persist();
        text.set(yaml.clone());
        applied_text.set(yaml);
        cluster_moved.set(None);
        let result = done.into_iter().find_map(|d| match d {
            Done::Applied(outcome) => Some(outcome),
            _ => None,
        });
        if let Some(result) = &result {
            announce_applied(result);
        }
        outcome.set(result.clone());
        entries.set(Vec::new());
        current_scenario.set(id);
        refresh(true);
        result
    };
    let load_scenario = move |scenario: &'static daemonlab_core::samples::Scenario| {
        start(scenario.yaml.to_string(), Some(scenario.id));
    };
    let reset = move |()| {
        let loaded = current_scenario
            .get_untracked()
            .and_then(|id| daemonlab_core::samples::GALLERY.iter().find(|s| s.id == id));
        // An embed goes back to the text its page gave it.
        let yaml = match (loaded, embedded) {
            (Some(scenario), _) => scenario.yaml.to_string(),
            (None, true) => session
                .with_value(|s| s.journal().first().cloned())
                .and_then(|a| match a {
                    Action::Apply(text) => Some(text),
                    _ => None,
                })
                .unwrap_or_default(),
            (None, false) => daemonlab_core::samples::STARTER.to_string(),
        };
        start(yaml, loaded.map(|s| s.id));
    };
    let dirty = Signal::derive(move || text.with(|t| applied_text.with(|a| t != a)));

    // The editor takes the cluster's objects as they are now.
    let load_live = move |()| {
        let source = applied_text.get_untracked();
        let live =
            session.with_value(|s| daemonlab_kubectl::export::live_manifests(&s.cluster, &source));
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
        let output = session
            .try_update_value(|s| {
                daemonlab_kubectl::run(&mut s.cluster, &target.describe_argv(), "", &NoFiles)
            })
            .unwrap_or_default();
        format!("{}{}", output.stdout, output.stderr)
    });

    // A selected pod's last scheduling decision, plugin by plugin.
    let decided = Signal::derive(move || {
        view_model.track();
        let target = selected.get().filter(|t| t.kind == "pod")?;
        session
            .try_with_value(|s| decision(&s.cluster, &target.namespace, &target.name))
            .flatten()
    });

    // Embedded: the parent page may drive the playground as its reader would.
    if let Some(config) = embed.get_value() {
        let handle = Callback::new(move |request: Request| -> serde_json::Value {
            match request {
                Request::Load { yaml } => {
                    let result = start(yaml, None);
                    serde_json::json!({ "applied": result.is_some_and(|r| r.applied) })
                }
                Request::Run { line, stdin } => {
                    let (output, _) = run((line, stdin));
                    serde_json::json!({
                        "stdout": output.stdout,
                        "stderr": format!("{}{}", output.notice, output.stderr),
                        "exit": output.exit_code,
                    })
                }
                Request::Play {} => {
                    paused_because.set(None);
                    playing.set(true);
                    serde_json::json!({})
                }
                Request::Pause {} => {
                    playing.set(false);
                    serde_json::json!({})
                }
                Request::Step {} => {
                    step();
                    serde_json::json!({})
                }
                Request::Speed { value } => {
                    speed.set(value);
                    serde_json::json!({})
                }
                Request::Reset {} => {
                    reset(());
                    serde_json::json!({})
                }
            }
        });
        embed::listen(&config, handle);
        embed::report_height(&config);
        Effect::new(move |_| {
            let at = now.get();
            announce(
                "clock",
                serde_json::json!({ "now": at.to_string(), "playing": playing.get(), "speed": speed.get() }),
            );
        });
        announce(
            "ready",
            serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }),
        );
    }
    // The full page shows every panel; an embed those it was given, or those
    // of the embed its share link came from.
    let panels = embed.with_value(|e| match e {
        None => embed::Panels::ALL,
        Some(_) if !link_panels.is_empty() => embed::Panels::parse(&link_panels.join(",")),
        Some(e) => e.panels,
    });
    let readonly = embed.with_value(|e| e.as_ref().is_some_and(|e| e.readonly));
    // "Open in the full playground": this state, as a share link to the page itself.
    let open_full = move |_| {
        let shared = link::Shared {
            editor: text.get_untracked(),
            actions: journal.run(()),
            panels: panels.names(),
        };
        let _ = window().open_with_url_and_target(&share::full_page_address(&shared), "_blank");
    };
    let header = if embedded {
        view! {
            <header class="topbar embed-bar">
                <Clock now=clock playing=playing speed=speed paused_because=paused_because on_step=step />
                <button class="link open-full" data-testid="open-full" on:click=open_full>"Open in the full playground ↗"</button>
            </header>
        }
        .into_any()
    } else {
        view! {
            <header class="topbar">
                <h1>"daemonlab"</h1>
                <p class="tagline">"A DaemonSet playground: paste nodes and DaemonSets, press Apply, watch where the pods land."</p>
                <Clock now=clock playing=playing speed=speed paused_because=paused_because on_step=step />
                <share::Share text=text journal=journal />
                <export::Export journal=journal />
            </header>
        }
        .into_any()
    };

    view! {
        {header}
        {move || link_problem.get().map(|problem| view! {
            <div class="link-problem" role="alert" data-testid="link-problem">
                <p>{problem}</p>
                <button aria-label="Dismiss the share link message" on:click=move |_| link_problem.set(None)>"Dismiss"</button>
            </div>
        })}
        <main class="layout" class:embed=embedded>
            {(!embedded).then(|| view! { <Gallery current=current_scenario dirty=dirty on_load=load_scenario on_reset=reset /> })}
            {panels.editor.then(|| view! { <Editor text=text outcome=outcome on_apply=apply moved=cluster_moved dirty=dirty on_load_live=load_live readonly=readonly /> })}
            {panels.cluster.then(|| view! { <ClusterPanel view=view_model on_command=command selected=selected /> })}
            <details::Details selected=selected described=described decided=decided />
            {panels.terminal.then(|| view! { <Terminal entries=entries on_run=typed on_complete=complete /> })}
            {panels.daemonsets.then(|| view! { <DaemonSetPanel daemonsets=ds_rows now=now pause_each_step=pause_each_step on_command=command /> })}
            {panels.events.then(|| view! { <EventLog events=event_rows now=now /> })}
        </main>
    }
}
