//! daemonlab's browser front end. It renders what the core computes and sends it
//! the user's actions; no Kubernetes rule lives here.

mod cluster_view;
mod editor;

use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{cluster_view, ClusterView};
use daemonlab_kubectl::apply::{apply_all_or_nothing, Entry};
use leptos::prelude::*;

pub use cluster_view::ClusterPanel;
pub use editor::Editor;

/// Seed for the names the cluster generates; fixed so a page load repeats exactly.
const SEED: u64 = 1;
/// localStorage keys: the editor's text, and every text that applied cleanly, in
/// order (a reload replays them, so the cluster comes back and a broken draft never
/// empties it).
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

/// The whole playground: editor on one side, the cluster on the other.
#[component]
pub fn App() -> impl IntoView {
    let history: Vec<String> = load(APPLIED_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .filter(|h: &Vec<String>| !h.is_empty())
        .unwrap_or_else(|| vec![daemonlab_core::samples::STARTER.to_string()]);
    let mut replayed = Cluster::new(SEED);
    let mut last_outcome = None;
    for source in &history {
        last_outcome = Some(apply_text(&mut replayed, source));
    }
    let editor_text = load(EDITOR_KEY)
        .or_else(|| history.last().cloned())
        .unwrap_or_default();
    let cluster = StoredValue::new(replayed);
    let history = StoredValue::new(history);
    let view_model: RwSignal<ClusterView> = RwSignal::new(cluster.with_value(cluster_view));
    let outcome = RwSignal::new(last_outcome);
    let text = RwSignal::new(editor_text);

    Effect::new(move |_| save(EDITOR_KEY, &text.read()));

    let apply = move || {
        let source = text.get_untracked();
        let result = cluster.try_update_value(|c| apply_text(c, &source));
        let Some(result) = result else {
            return;
        };
        if result.applied {
            view_model.set(cluster.with_value(cluster_view));
            history.update_value(|h| h.push(source));
            history.with_value(|h| {
                if let Ok(json) = serde_json::to_string(h) {
                    save(APPLIED_KEY, &json);
                }
            });
        }
        outcome.set(Some(result));
    };

    view! {
        <header class="topbar">
            <h1>"daemonlab"</h1>
            <p class="tagline">"A DaemonSet playground: paste nodes and DaemonSets, press Apply, see where the pods land."</p>
        </header>
        <main class="layout">
            <Editor text=text outcome=outcome on_apply=apply />
            <ClusterPanel view=view_model />
        </main>
    }
}
