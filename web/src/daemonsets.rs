//! The DaemonSet panel: `kubectl get ds` numbers, update strategy, revision, a
//! rollout chart over virtual time, and rollout controls that run the kubectl
//! commands a user would type (they show in the terminal).

use daemonlab_core::sim::RolloutSample;
use daemonlab_core::view::DaemonSetRow;
use k8s_openapi::jiff::Timestamp;
use leptos::prelude::*;

use crate::feedback::{run_into, Command, Feedback, FeedbackLine};

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 72.0;

/// The most virtual time the chart shows, ending now.
const WINDOW_MS: i64 = 120_000;

/// SVG points for one series as steps over the chart's window: each value holds
/// until the next sample.
fn steps(
    samples: &[RolloutSample],
    end: i64,
    value: impl Fn(&RolloutSample) -> usize,
    top: usize,
) -> String {
    // The window grows with the record until it is two minutes wide.
    let recorded = samples.first().map_or(end, |s| s.at.as_millisecond());
    let start = (end - WINDOW_MS).max(recorded);
    let span = (end - start).max(1000) as f64;
    let x = |at: i64| ((at.max(start) - start) as f64 / span) * WIDTH;
    let y = |v: usize| HEIGHT - 6.0 - (v as f64 / top.max(1) as f64) * (HEIGHT - 12.0);
    // The value the window opens with: the last sample before it.
    let first = samples
        .iter()
        .rposition(|s| s.at.as_millisecond() <= start)
        .unwrap_or(0);
    let mut points = Vec::new();
    let mut previous: Option<usize> = None;
    for sample in &samples[first..] {
        let at = sample.at.as_millisecond();
        if let Some(before) = previous {
            points.push(format!("{:.1},{:.1}", x(at), y(before)));
        }
        points.push(format!("{:.1},{:.1}", x(at), y(value(sample))));
        previous = Some(value(sample));
    }
    if let Some(last) = previous {
        points.push(format!("{WIDTH:.1},{:.1}", y(last)));
    }
    points.join(" ")
}

#[component]
fn RolloutChart(samples: Vec<RolloutSample>, now: Timestamp) -> impl IntoView {
    let top = samples
        .iter()
        .map(|s| s.old.max(s.new).max(s.unavailable))
        .max()
        .unwrap_or(1);
    let end = now.as_millisecond();
    // The time axis: from the window's start (up to two minutes back) to now.
    let recorded = samples.first().map_or(end, |s| s.at.as_millisecond());
    let shown_seconds = (end - (end - WINDOW_MS).max(recorded)).max(1000) / 1000;
    let since = if shown_seconds >= 60 && shown_seconds % 60 == 0 {
        format!("−{}m", shown_seconds / 60)
    } else {
        format!("−{shown_seconds}s")
    };
    let old = steps(&samples, end, |s| s.old, top);
    let new = steps(&samples, end, |s| s.new, top);
    let unavailable = steps(&samples, end, |s| s.unavailable, top);
    let summary = samples
        .last()
        .map(|s| {
            format!(
                "{} old, {} new, {} unavailable",
                s.old, s.new, s.unavailable
            )
        })
        .unwrap_or_default();
    view! {
        <figure class="rollout" data-testid="rollout-chart">
            <div class="chart-area">
                <span class="y-label y-max" aria-hidden="true">{format!("{top} pods")}</span>
                <span class="y-label y-min" aria-hidden="true">"0"</span>
                <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=format!("Rollout over the last {shown_seconds} s: {summary}")>
                    <polyline class="series old" points=old />
                    <polyline class="series new" points=new />
                    <polyline class="series unavailable" points=unavailable />
                </svg>
            </div>
            <div class="x-axis" aria-hidden="true">
                <span>{since}</span>
                <span>"now"</span>
            </div>
            <figcaption>
                <span class="key old">"old"</span>
                <span class="key new">"new"</span>
                <span class="key unavailable">"unavailable"</span>
                <span class="now">{summary}</span>
            </figcaption>
        </figure>
    }
}

#[component]
fn DaemonSetCard(
    daemonsets: Signal<Vec<DaemonSetRow>>,
    now: Signal<Timestamp>,
    namespace: String,
    name: String,
    on_command: Command,
) -> impl IntoView {
    let feedback = RwSignal::new(None::<Feedback>);
    let row = {
        let (namespace, name) = (namespace.clone(), name.clone());
        Memo::new(move |_| {
            daemonsets.with(|list| {
                list.iter()
                    .find(|d| d.namespace == namespace && d.name == name)
                    .cloned()
            })
        })
    };
    let (target, in_namespace) = (format!("daemonset/{name}"), format!("-n {namespace}"));
    let first_container = move || {
        row.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.images.first().cloned())
                .and_then(|i| {
                    i.split_once('=')
                        .map(|(c, i)| (c.to_string(), i.to_string()))
                })
                .unwrap_or_default()
        })
    };
    let image = RwSignal::new(first_container().1);
    let set_image = {
        let target = target.clone();
        let in_namespace = in_namespace.clone();
        move || {
            let wanted = image.get_untracked().trim().to_string();
            if wanted.is_empty() {
                feedback.set(Some(Feedback::refused(
                    "Type an image first, for example busybox:1.37.",
                )));
                return;
            }
            let container = first_container().0;
            let line = format!("kubectl set image {target} {container}={wanted} {in_namespace}");
            run_into(on_command, feedback, line, String::new());
        }
    };
    let on_enter = {
        let set_image = set_image.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            if ev.key() == "Enter" {
                ev.prevent_default();
                set_image();
            }
        }
    };
    let undo = {
        let target = target.clone();
        let in_namespace = in_namespace.clone();
        move |_| {
            run_into(
                on_command,
                feedback,
                format!("kubectl rollout undo {target} {in_namespace}"),
                String::new(),
            )
        }
    };
    let contents = move || {
        let ds = row.get()?;
        let stalled = ds.stalled.clone().map(|why| {
            view! { <p class="stalled" role="alert" data-testid="rollout-stalled">{why}</p> }
        });
        Some(view! {
            {stalled}
            <table class="ds-numbers">
                <thead>
                    <tr><th>"DESIRED"</th><th>"CURRENT"</th><th>"READY"</th><th>"UP-TO-DATE"</th><th>"AVAILABLE"</th></tr>
                </thead>
                <tbody>
                    <tr data-testid="ds-numbers">
                        <td>{ds.desired}</td><td>{ds.current}</td><td>{ds.ready}</td>
                        <td>{ds.updated}</td><td>{ds.available}</td>
                    </tr>
                </tbody>
            </table>
            <p class="ds-meta">{ds.strategy}" · revision "{ds.revision}</p>
            <p class="ds-meta">{ds.images.join(", ")}</p>
            <RolloutChart samples=ds.rollout now=now.get() />
        })
    };
    let label = format!("Image for {name}");
    view! {
        <article class="ds" data-testid="daemonset" data-daemonset=name.clone()>
            <header>
                <h3>{name.clone()}</h3>
                <span class="ds-namespace">{namespace.clone()}</span>
            </header>
            {contents}
            <div class="ds-actions">
                <input
                    aria-label=label
                    data-testid="set-image-input"
                    prop:value=move || image.get()
                    on:input:target=move |ev| image.set(ev.target().value())
                    on:keydown=on_enter
                />
                <button data-testid="set-image" aria-label=format!("Set image of {name}") on:click=move |_| set_image()>"Set image"</button>
                <button data-testid="rollout-undo" aria-label=format!("Undo the last rollout of {name}") on:click=undo>"Undo"</button>
            </div>
            <FeedbackLine feedback=feedback />
        </article>
    }
}

#[component]
pub fn DaemonSetPanel(
    #[prop(into)] daemonsets: Signal<Vec<DaemonSetRow>>,
    #[prop(into)] now: Signal<Timestamp>,
    /// Pause the clock whenever a rollout replaces a node's pod.
    pause_each_step: RwSignal<bool>,
    on_command: Command,
) -> impl IntoView {
    let keys = Memo::new(move |_| {
        daemonsets.with(|list| {
            list.iter()
                .map(|d| (d.namespace.clone(), d.name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let empty = move || {
        keys.with(Vec::is_empty)
            .then(|| view! { <p class="empty">"No DaemonSets yet."</p> })
    };
    view! {
        <section class="ds-panel" aria-label="DaemonSets">
            <div class="panel-head">
                <h2>"DaemonSets"</h2>
                <label class="pause-steps">
                    <input
                        type="checkbox"
                        data-testid="pause-each-step"
                        prop:checked=move || pause_each_step.get()
                        on:change:target=move |ev| pause_each_step.set(ev.target().checked())
                    />
                    "Pause at each rollout step"
                </label>
            </div>
            {empty}
            <div class="ds-list">
                <For each=move || keys.get() key=|key| key.clone() let:key>
                    <DaemonSetCard daemonsets=daemonsets now=now namespace=key.0.clone() name=key.1 on_command=on_command />
                </For>
            </div>
        </section>
    }
}
