//! The YAML editor: text with line numbers, Apply (button or Ctrl/Cmd+Enter),
//! and the result of the last apply beside it.

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

use crate::highlight::{line_pieces, mark_from, Mark, Piece};
use crate::Outcome;
use daemonlab_kubectl::apply::Entry;

/// Results longer than this are summed up, their lines folded away.
const FOLD_AFTER: usize = 12;
/// The editor's line height in CSS pixels (13 px text, line-height 1.5).
const LINE_HEIGHT: f64 = 19.5;
/// Lines a tall editor shows at once, and those drawn above and below them.
const VISIBLE_LINES: usize = 60;
const MARGIN_LINES: usize = 20;

/// Where the last apply found problems, with their messages.
fn marks(outcome: &Option<Outcome>) -> Vec<Mark> {
    outcome
        .iter()
        .flat_map(|o| o.entries.iter())
        .filter(|e| !e.ok)
        .filter_map(|e| {
            e.location.map(|l| Mark {
                line: l.line,
                column: l.column,
                message: e.message.clone(),
            })
        })
        .collect()
}

fn pieces_view(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|(class, text)| view! { <span class=class>{text}</span> })
        .collect_view()
}

#[component]
pub fn Editor(
    text: RwSignal<String>,
    outcome: RwSignal<Option<Outcome>>,
    #[prop(into)] on_apply: Callback<()>,
    /// The command that changed the cluster since the text was applied, if any.
    moved: RwSignal<Option<String>>,
    /// Whether the text holds edits that were never applied.
    #[prop(into)]
    dirty: Signal<bool>,
    /// Replaces the text with the cluster's objects as they are now.
    #[prop(into)]
    on_load_live: Callback<()>,
    /// An embed that shows its manifests without letting them change.
    #[prop(optional)]
    readonly: bool,
) -> impl IntoView {
    let line_count = move || text.read().lines().count().max(1);
    // Only the lines in view (and a margin) are drawn in the gutter and the
    // colour layer, between spacers as tall as the lines above and below:
    // a manifest of thousands of lines costs what a screenful does.
    let scroll_top = RwSignal::new(0.0f64);
    let in_view = move || {
        let first = (scroll_top.get() / LINE_HEIGHT) as usize;
        let first = first.saturating_sub(MARGIN_LINES);
        (first, first + VISIBLE_LINES + 2 * MARGIN_LINES)
    };
    let spacer = |lines: usize| {
        let height = format!("{}px", lines as f64 * LINE_HEIGHT);
        view! { <span class="spacer" style:height=height></span> }
    };
    // Problems are marked in the gutter (their message on hover and in the
    // list under the editor), never inside the text: both layers keep exactly
    // the text's lines, so what is seen is where the caret goes.
    let gutter = move || {
        let marks = marks(&outcome.read());
        let count = line_count();
        let (first, end) = in_view();
        let end = end.min(count);
        let first = first.min(end);
        let numbers = (first + 1..=end)
            .map(|n| {
                let messages: Vec<&str> = marks
                    .iter()
                    .filter(|m| m.line == n)
                    .map(|m| m.message.as_str())
                    .collect();
                if messages.is_empty() {
                    view! { <span class="line">{n}</span> }.into_any()
                } else {
                    let title = messages.join("\n");
                    view! { <span class="line error" title=title>{n}</span> }.into_any()
                }
            })
            .collect_view();
        view! { {spacer(first)} {numbers} {spacer(count - end)} }
    };
    // The coloured copy of the text under the (transparent) textarea, with each
    // problem underlined from its column.
    let highlighted = move || {
        let marks = marks(&outcome.read());
        let text = text.read();
        let count = text.split('\n').count();
        let (first, end) = in_view();
        let end = end.min(count);
        let first = first.min(end);
        let mut lines: Vec<AnyView> = Vec::new();
        for (n, line) in text.split('\n').enumerate().skip(first).take(end - first) {
            let pieces = line_pieces(line);
            match marks.iter().find(|m| m.line == n + 1) {
                Some(mark) => {
                    let (before, marked) = mark_from(pieces, mark.column);
                    lines.push(
                        view! {
                            {pieces_view(before)}
                            <span class="err">{pieces_view(marked)}" "</span>
                            "\n"
                        }
                        .into_any(),
                    );
                }
                None => lines.push(view! { {pieces_view(pieces)} "\n" }.into_any()),
            }
        }
        view! { {spacer(first)} {lines} {spacer(count - end)} }
    };
    let gutter_ref = NodeRef::<leptos::html::Div>::new();
    let highlight_ref = NodeRef::<leptos::html::Pre>::new();
    let area_ref = NodeRef::<leptos::html::Textarea>::new();
    let on_scroll = move |ev: leptos::ev::Event| {
        // Keep the line numbers and the colours beside the lines they belong to.
        let area = event_target::<web_sys::HtmlTextAreaElement>(&ev);
        scroll_top.set(f64::from(area.scroll_top()));
        if let Some(gutter) = gutter_ref.get() {
            gutter.set_scroll_top(area.scroll_top());
        }
        if let Some(colours) = highlight_ref.get() {
            colours.set_scroll_top(area.scroll_top());
            colours.set_scroll_left(area.scroll_left());
        }
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) && !readonly {
            ev.prevent_default();
            on_apply.run(());
        }
    };
    // A problem in the list puts the caret where it points.
    let go_to = Callback::new(move |(line, column): (usize, usize)| {
        let Some(area) = area_ref.get() else { return };
        let offset = text.with_untracked(|t| utf16_offset(t, line, column));
        let _ = area.focus();
        let _ = area.set_selection_range(offset, offset);
        area.set_scroll_top(((line as f64 - 3.0) * LINE_HEIGHT).max(0.0) as i32);
        scroll_top.set(f64::from(area.scroll_top()));
    });

    view! {
        <section class="editor-panel" aria-labelledby="editor-heading">
            <h2 id="editor-heading">"Manifests"</h2>
            {move || moved.get().map(|line| {
                let load = move |_| {
                    let go = !dirty.get_untracked()
                        || window()
                            .confirm_with_message("The editor has changes that were not applied. Replace them with the cluster's objects?")
                            .unwrap_or(false);
                    if go {
                        on_load_live.run(());
                    }
                };
                view! {
                    <div class="moved" role="status" data-testid="cluster-moved">
                        <p>
                            "The cluster has changed since this text was applied ("
                            <code>{line}</code>
                            "). Apply applies the text as it is: fields it sets go back to what it says."
                        </p>
                        <button class="link" data-testid="load-live" on:click=load>
                            "Load the cluster's objects into the editor"
                        </button>
                    </div>
                }
            })}
            <div class="editor">
                <div class="gutter" aria-hidden="true" node_ref=gutter_ref>{gutter}</div>
                <div class="code">
                <pre class="highlight" aria-hidden="true" node_ref=highlight_ref>{highlighted}</pre>
                <textarea
                    data-testid="yaml-editor"
                    aria-label="YAML manifests"
                    spellcheck="false"
                    autocomplete="off"
                    node_ref=area_ref
                    readonly=readonly
                    prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value())
                    on:keydown=on_keydown
                    on:scroll=on_scroll
                ></textarea>
                </div>
            </div>
            {(!readonly).then(|| view! {
                <div class="actions">
                    <button data-testid="apply-button" class="primary" on:click=move |_| on_apply.run(())>
                        "Apply"
                    </button>
                    <span class="hint">"Ctrl+Enter"</span>
                </div>
            })}
            <Results outcome=outcome go_to=go_to />
        </section>
    }
}

/// Where line `line`, column `column` (both from 1, the column in
/// characters) starts in the textarea's UTF-16 text.
fn utf16_offset(text: &str, line: usize, column: usize) -> u32 {
    let mut offset = 0usize;
    for (n, content) in text.split('\n').enumerate() {
        if n + 1 == line {
            offset += content
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf16)
                .sum::<usize>();
            break;
        }
        offset += content.encode_utf16().count() + 1;
    }
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// What the last apply said: one kubectl line per manifest, problems with the
/// line and column they point at.
#[component]
fn Results(outcome: RwSignal<Option<Outcome>>, go_to: Callback<(usize, usize)>) -> impl IntoView {
    move || {
        let Some(outcome) = outcome.get() else {
            return ().into_any();
        };
        let entry_view = move |entry: Entry| {
            // A problem's place is a link into the text.
            let place = entry.location.map(|l| {
                let label = format!("line {}, column {}", l.line, l.column);
                view! {
                    <button
                        class="link go-to"
                        data-testid="go-to-problem"
                        on:click=move |_| go_to.run((l.line, l.column))
                    >
                        {label}
                    </button>
                    ": "
                }
            });
            let class = if entry.ok { "ok" } else { "failed" };
            let note = entry
                .note
                .map(|note| view! { <span class="stored-only">{format!(" ({note})")}</span> });
            view! {
                <li class=class>
                    {place}
                    {entry.message}
                    {note}
                </li>
            }
        };
        // A long install manifest: problems first, then a count of what was
        // applied, its lines folded away.
        let entries = if outcome.entries.len() > FOLD_AFTER {
            let (ok, failed): (Vec<Entry>, Vec<Entry>) =
                outcome.entries.into_iter().partition(|e| e.ok);
            let stored = ok.iter().filter(|e| e.note.is_some()).count();
            let mut summary = format!("{} applied, {} failed", ok.len(), failed.len());
            if stored > 0 {
                summary.push_str(&format!(" · {stored} only stored, not simulated"));
            }
            let failed = failed.into_iter().map(entry_view).collect_view();
            let ok = ok.into_iter().map(entry_view).collect_view();
            view! {
                {failed}
                <li class="summary" data-testid="apply-summary">
                    <details>
                        <summary>{summary}</summary>
                        <ul>{ok}</ul>
                    </details>
                </li>
            }
            .into_any()
        } else {
            outcome
                .entries
                .into_iter()
                .map(entry_view)
                .collect_view()
                .into_any()
        };
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
