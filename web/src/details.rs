//! Details of a pod or a node, in place: for a pod, the scheduler's last
//! decision (nodes × filters with the one that rejected each node, and the
//! scores with their weighted totals); then what `kubectl describe` prints.
//! Kept current as the cluster changes, until closed (its button, or Escape
//! anywhere on the page).

use daemonlab_core::decision::{Decision, FilterCell};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// The object whose details are open: `pod` or `node`, namespace, name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selected {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

impl Selected {
    /// The kubectl command whose output the panel shows.
    pub fn describe_argv(&self) -> Vec<String> {
        let mut argv = vec![
            "describe".to_string(),
            self.kind.to_string(),
            self.name.clone(),
        ];
        if !self.namespace.is_empty() {
            argv.extend(["-n".to_string(), self.namespace.clone()]);
        }
        argv
    }
}

#[component]
pub fn Details(
    selected: RwSignal<Option<Selected>>,
    /// `kubectl describe` of the selected object, recomputed as the cluster changes.
    #[prop(into)]
    described: Signal<String>,
    /// The selected pod's last scheduling decision.
    #[prop(into)]
    decided: Signal<Option<Decision>>,
) -> impl IntoView {
    let close = move || selected.set(None);
    // Escape closes the details wherever the focus is.
    let listener = window_event_listener(leptos::ev::keydown, move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && selected.get_untracked().is_some() {
            close();
        }
    });
    on_cleanup(move || listener.remove());
    move || {
        selected.get().map(|s| {
            let title = format!("{}/{}", s.kind, s.name);
            let label = format!("Details of {title}");
            let command = format!("$ kubectl {}", s.describe_argv().join(" "));
            view! {
                <aside class="details" role="dialog" aria-label=label data-testid="details">
                    <header>
                        <h2>{title}</h2>
                        <button class="close" data-testid="close-details" aria-label="Close the details" on:click=move |_| close()>"Close"</button>
                    </header>
                    {move || decided.get().map(|d| view! { <DecisionView decision=d /> })}
                    <p class="details-command">{command}</p>
                    <pre class="details-text" tabindex="0" data-testid="details-text">{move || described.get()}</pre>
                </aside>
            }
        })
    }
}

/// The decision as two tables: the filters (a column per plugin, the
/// rejecting one marked) and, when there was a choice, the scores.
#[component]
fn DecisionView(decision: Decision) -> impl IntoView {
    let Decision {
        summary,
        notes,
        filters,
        scores,
        rows,
        daemonset,
        ..
    } = decision;
    let scored: Vec<_> = rows.iter().filter(|r| r.total.is_some()).cloned().collect();
    let looked_at = !rows.is_empty();
    let filter_heads = filters
        .iter()
        .map(|f| view! { <th scope="col" class="plugin" title=*f><span>{words(f)}</span></th> })
        .collect_view();
    let filter_rows = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .filters
                .iter()
                .zip(&filters)
                .map(|(cell, plugin)| {
                    let (class, mark, said) = match cell {
                        FilterCell::Passed => ("passed", "✓", "passed"),
                        FilterCell::Rejected => ("rejected", "✗", "rejected the node"),
                        FilterCell::NotRun => ("not-run", "–", "not run"),
                    };
                    let label = format!("{plugin}: {said}");
                    view! { <td class=class data-plugin=*plugin title=label.clone() aria-label=label>{mark}</td> }
                })
                .collect_view();
            let rejected = row.filters.contains(&FilterCell::Rejected);
            let node = row.node.clone();
            view! {
                <tr class:rejected-row=rejected data-node=node>
                    <th scope="row">{row.node}</th>
                    {cells}
                    <td class="reason">{if rejected { row.reason } else { "feasible".to_string() }}</td>
                </tr>
            }
        })
        .collect_view();
    let filter_table = looked_at.then(|| {
        view! {
            <div class="decision-table-wrap" tabindex="0">
                <table class="decision-table filters" data-testid="decision-filters">
                    <caption>"Filters, in the order they run: a node's run stops at the first that rejects it"</caption>
                    <thead><tr><th scope="col">"Node"</th>{filter_heads}<th scope="col">"Why"</th></tr></thead>
                    <tbody>{filter_rows}</tbody>
                </table>
            </div>
        }
    });
    let score_table = (!scored.is_empty()).then(|| {
        let heads = scores
            .iter()
            .map(|(p, w)| {
                let title = format!("{p}, weight {w}");
                view! { <th scope="col" class="plugin" title=title><span>{words(p)}" ×"{*w}</span></th> }
            })
            .collect_view();
        let body = scored
            .into_iter()
            .map(|row| {
                let cells = row
                    .scores
                    .iter()
                    .map(|s| view! { <td>{s.to_string()}</td> })
                    .collect_view();
                let total = row.total.unwrap_or_default().to_string();
                let node = row.node.clone();
                view! {
                    <tr class:chosen=row.chosen data-node=node>
                        <th scope="row">{row.node}</th>
                        {cells}
                        <td class="total">{total}{row.chosen.then_some(" ← chosen")}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="decision-table-wrap" tabindex="0">
                <table class="decision-table scores" data-testid="decision-scores">
                    <caption>"Scores: each plugin's 0–100, times its weight; the highest total wins"</caption>
                    <thead><tr><th scope="col">"Node"</th>{heads}<th scope="col">"Total"</th></tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
    });
    view! {
        <section class="decision" aria-label="The scheduler's last decision" data-testid="decision">
            <h3>"Scheduling"</h3>
            <p class="decision-summary" data-testid="decision-summary">{summary}</p>
            {notes.into_iter().map(|n| view! { <p class="decision-note">{n}</p> }).collect_view()}
            {daemonset.map(|d| view! { <p class="decision-note" data-testid="decision-daemonset">{d}</p> })}
            {filter_table}
            {score_table}
        </section>
    }
}

/// A plugin's name with a break allowed between its words
/// (`Node<wbr>Resources<wbr>Fit`), so a narrow header wraps there.
fn words(name: &str) -> impl IntoView {
    let mut parts: Vec<String> = Vec::new();
    for c in name.chars() {
        match parts.last_mut() {
            Some(part) if !c.is_ascii_uppercase() => part.push(c),
            _ => parts.push(c.to_string()),
        }
    }
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| view! { {(i > 0).then(|| view! { <wbr /> })}{part} })
        .collect_view()
}
