//! The YAML editor: text with line numbers, Apply (button or Ctrl/Cmd+Enter),
//! and the result of the last apply beside it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::Outcome;

/// The lines the last apply found problems on.
fn problem_lines(outcome: &Option<Outcome>) -> Vec<usize> {
    outcome
        .iter()
        .flat_map(|o| o.entries.iter())
        .filter(|e| !e.ok)
        .filter_map(|e| e.location.map(|l| l.line))
        .collect()
}

#[component]
pub fn Editor(
    text: RwSignal<String>,
    outcome: RwSignal<Option<Outcome>>,
    #[prop(into)] on_apply: Callback<()>,
) -> impl IntoView {
    let line_count = move || text.read().lines().count().max(1);
    let gutter = move || {
        let bad = problem_lines(&outcome.read());
        (1..=line_count())
            .map(|n| {
                let class = if bad.contains(&n) {
                    "line error"
                } else {
                    "line"
                };
                view! { <span class=class>{n}</span> }
            })
            .collect_view()
    };
    let gutter_ref = NodeRef::<leptos::html::Div>::new();
    let on_scroll = move |ev: leptos::ev::Event| {
        // Keep the line numbers beside the lines they number.
        if let Some(gutter) = gutter_ref.get() {
            let area = event_target::<web_sys::HtmlTextAreaElement>(&ev);
            gutter.set_scroll_top(area.scroll_top());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
            ev.prevent_default();
            on_apply.run(());
        }
    };

    view! {
        <section class="editor-panel" aria-label="Manifests">
            <div class="editor">
                <div class="gutter" aria-hidden="true" node_ref=gutter_ref>{gutter}</div>
                <textarea
                    data-testid="yaml-editor"
                    aria-label="YAML manifests"
                    spellcheck="false"
                    autocomplete="off"
                    prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value())
                    on:keydown=on_keydown
                    on:scroll=on_scroll
                ></textarea>
            </div>
            <div class="actions">
                <button data-testid="apply-button" class="primary" on:click=move |_| on_apply.run(())>
                    "Apply"
                </button>
                <span class="hint">"Ctrl+Enter"</span>
            </div>
            <Results outcome=outcome />
        </section>
    }
}

/// What the last apply said: one kubectl line per manifest, problems with the
/// line and column they point at.
#[component]
fn Results(outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    move || {
        let Some(outcome) = outcome.get() else {
            return ().into_any();
        };
        let entries = outcome
            .entries
            .into_iter()
            .map(|entry| {
                let place = entry
                    .location
                    .map(|l| format!("line {}, column {}: ", l.line, l.column))
                    .unwrap_or_default();
                let class = if entry.ok { "ok" } else { "failed" };
                view! {
                    <li class=class>
                        <strong>{place}</strong>
                        {entry.message}
                    </li>
                }
            })
            .collect_view();
        let note = (!outcome.applied).then(|| {
            view! {
                <p class="note" data-testid="apply-error" role="alert">
                    "The text is not valid YAML, so nothing was applied: the cluster still shows the last good state."
                </p>
            }
        });
        view! {
            <div class="results" data-testid="apply-results" aria-live="polite">
                <ul>{entries}</ul>
                {note}
            </div>
        }
        .into_any()
    }
}
