//! The YAML editor: text with line numbers, Apply (button or Ctrl/Cmd+Enter),
//! and the result of the last apply beside it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::Outcome;

fn error_line(outcome: &Option<Outcome>) -> Option<usize> {
    match outcome {
        Some(Outcome::Refused(error)) => error.location.map(|l| l.line),
        _ => None,
    }
}

#[component]
pub fn Editor(
    text: RwSignal<String>,
    outcome: RwSignal<Option<Outcome>>,
    #[prop(into)] on_apply: Callback<()>,
) -> impl IntoView {
    let line_count = move || text.read().lines().count().max(1);
    let gutter = move || {
        let bad = error_line(&outcome.read());
        (1..=line_count())
            .map(|n| {
                let class = if Some(n) == bad { "line error" } else { "line" };
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

/// What the last apply said: one kubectl-style line per document, or the decode error.
#[component]
fn Results(outcome: RwSignal<Option<Outcome>>) -> impl IntoView {
    move || match outcome.get() {
        None => ().into_any(),
        Some(Outcome::Applied(lines)) => view! {
            <ul class="results" data-testid="apply-results" aria-live="polite">
                {lines
                    .into_iter()
                    .map(|(ok, line)| {
                        view! { <li class=if ok { "ok" } else { "failed" }>{line}</li> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
        Some(Outcome::Refused(error)) => {
            let place = error
                .location
                .map(|l| format!("line {}, column {}: ", l.line, l.column))
                .unwrap_or_default();
            view! {
                <div class="apply-error" data-testid="apply-error" role="alert">
                    <strong>{place}</strong>
                    {error.message.clone()}
                    <p class="note">"Nothing was applied: the cluster still shows the last good state."</p>
                </div>
            }
            .into_any()
        }
    }
}
