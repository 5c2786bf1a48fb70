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

/// The stretch of virtual time the chart shows: up to two minutes, ending now,
/// and never before the first sample.
#[derive(Clone, Copy)]
struct Window {
    start: i64,
    span: f64,
}

impl Window {
    fn new(samples: &[RolloutSample], end: i64) -> Self {
        let recorded = samples.first().map_or(end, |s| s.at.as_millisecond());
        let start = (end - WINDOW_MS).max(recorded).min(end);
        Window {
            start,
            span: (end - start).max(1000) as f64,
        }
    }

    /// Where `at` falls, from 0 (the window's start) to 1 (now).
    fn fraction(self, at: Timestamp) -> f64 {
        ((at.as_millisecond().max(self.start) - self.start) as f64 / self.span).min(1.0)
    }

    /// The samples the window shows, from the last one before it opens.
    fn shown(self, samples: &[RolloutSample]) -> &[RolloutSample] {
        let first = samples
            .iter()
            .rposition(|s| s.at.as_millisecond() <= self.start)
            .unwrap_or(0);
        &samples[first..]
    }
}

/// SVG points for one series as steps over the window: each value holds until
/// the next sample.
fn steps(
    window: Window,
    samples: &[RolloutSample],
    value: impl Fn(&RolloutSample) -> usize,
    top: usize,
) -> String {
    let y = |v: usize| HEIGHT - 6.0 - (v as f64 / top.max(1) as f64) * (HEIGHT - 12.0);
    let mut points = Vec::new();
    let mut previous: Option<usize> = None;
    for sample in window.shown(samples) {
        let x = window.fraction(sample.at) * WIDTH;
        if let Some(before) = previous {
            points.push(format!("{x:.1},{:.1}", y(before)));
        }
        points.push(format!("{x:.1},{:.1}", y(value(sample))));
        previous = Some(value(sample));
    }
    if let Some(last) = previous {
        points.push(format!("{WIDTH:.1},{:.1}", y(last)));
    }
    points.join(" ")
}

/// Where each revision starts within the window: "new" always means the
/// current revision, so its line starts again from the nodes that run it.
fn revision_marks(window: Window, samples: &[RolloutSample]) -> Vec<(f64, i64)> {
    let shown = window.shown(samples);
    let mut marks: Vec<(f64, i64)> = shown
        .first()
        .map(|s| (0.0, s.revision))
        .into_iter()
        .collect();
    for pair in shown.windows(2) {
        if pair[1].revision != pair[0].revision {
            marks.push((window.fraction(pair[1].at), pair[1].revision));
        }
    }
    marks
}

/// "Revision 2 · 4 desired: 1 new, 2 old, 1 terminating · 2 unavailable":
/// the node counts add up to DESIRED.
fn summary(sample: &RolloutSample) -> String {
    let mut nodes = format!(
        "{} new, {} old, {} terminating",
        sample.new, sample.old, sample.terminating
    );
    if sample.without_pod() > 0 {
        nodes.push_str(&format!(", {} without a pod", sample.without_pod()));
    }
    if sample.surge > 0 {
        nodes.push_str(&format!(" ({} running old and new)", sample.surge));
    }
    format!(
        "Revision {} · {} desired: {nodes} · {} unavailable",
        sample.revision, sample.desired, sample.unavailable
    )
}

#[component]
fn RolloutChart(samples: Vec<RolloutSample>, now: Timestamp) -> impl IntoView {
    let window = Window::new(&samples, now.as_millisecond());
    let top = window
        .shown(&samples)
        .iter()
        .map(|s| s.desired.max(s.new).max(s.old).max(s.unavailable))
        .max()
        .unwrap_or(1);
    let shown_seconds = (window.span as i64) / 1000;
    let since = if shown_seconds >= 60 && shown_seconds % 60 == 0 {
        format!("−{}m", shown_seconds / 60)
    } else {
        format!("−{shown_seconds}s")
    };
    let series = [
        ("desired", steps(window, &samples, |s| s.desired, top)),
        ("old", steps(window, &samples, |s| s.old, top)),
        (
            "terminating",
            steps(window, &samples, |s| s.terminating, top),
        ),
        (
            "unavailable",
            steps(window, &samples, |s| s.unavailable, top),
        ),
        ("new", steps(window, &samples, |s| s.new, top)),
    ]
    .map(|(class, points)| view! { <polyline class=format!("series {class}") points=points /> })
    .to_vec();
    let marks = revision_marks(window, &samples);
    let lines = marks
        .iter()
        .filter(|(at, _)| *at > 0.0)
        .map(|(at, _)| {
            let x = format!("{:.1}", at * WIDTH);
            view! { <line class="revision-line" x1=x.clone() x2=x y1="0" y2=HEIGHT.to_string() /> }
        })
        .collect::<Vec<_>>();
    let labels = marks
        .into_iter()
        .map(|(at, revision)| {
            // A label near the right edge is drawn leftwards, so it stays inside.
            let side = if at > 0.8 {
                ("right", format!("{:.1}%", (1.0 - at) * 100.0))
            } else {
                ("left", format!("{:.1}%", at * 100.0))
            };
            view! { <span class="revision-label" style=side>{format!("rev {revision}")}</span> }
        })
        .collect::<Vec<_>>();
    let summary = samples.last().map(summary).unwrap_or_default();
    view! {
        <figure class="rollout" data-testid="rollout-chart">
            <div class="chart-area">
                <span class="y-label y-max" aria-hidden="true">{format!("{top} nodes")}</span>
                <span class="y-label y-min" aria-hidden="true">"0"</span>
                <div class="plot">
                    <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=format!("Rollout over the last {shown_seconds} s. {summary}")>
                        {lines}
                        {series}
                    </svg>
                    <div class="revision-labels" aria-hidden="true" data-testid="revision-labels">{labels}</div>
                </div>
            </div>
            <div class="x-axis" aria-hidden="true">
                <span>{since}</span>
                <span>"now"</span>
            </div>
            <figcaption>
                <span class="key new">"new"</span>
                <span class="key old">"old"</span>
                <span class="key terminating">"terminating"</span>
                <span class="key unavailable">"unavailable"</span>
                <span class="key desired">"desired"</span>
                <span class="now" data-testid="rollout-summary">{summary.clone()}</span>
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
