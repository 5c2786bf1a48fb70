//! The cluster: one card per node with its labels, taints and pods, and for each
//! DaemonSet that has no pod there, the reason. Node actions run the kubectl
//! (or `sim`) command a user would type, so the terminal shows it.

use daemonlab_core::view::{ClusterView, NodeCard, PodChip, ResourceBar};
use leptos::prelude::*;

use crate::details::Selected;
use crate::feedback::{run_into, Command, Feedback, FeedbackLine};

/// Cards shown at most at once: a large cluster is found through the filter.
const MAX_CARDS: usize = 12;

/// Whether `node` matches the filter: its name, a label, its status or
/// roles, or the workload of one of its pods contains every word typed.
fn matches_filter(node: &NodeCard, filter: &str) -> bool {
    let haystack = || {
        std::iter::once(node.name.as_str())
            .chain(std::iter::once(node.status.as_str()))
            .chain(node.roles.iter().map(String::as_str))
            .chain(node.labels.iter().map(String::as_str))
            .chain(node.taints.iter().map(String::as_str))
            .chain(node.pods.iter().filter_map(|p| p.owner.as_deref()))
            .map(str::to_lowercase)
    };
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| haystack().any(|text| text.contains(word)))
}

#[component]
pub fn ClusterPanel(
    view: RwSignal<ClusterView>,
    on_command: Command,
    /// Where a click on a pod or a node's name opens its details.
    selected: RwSignal<Option<Selected>>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    // On a large cluster: the situation (see `NodeCard::situation`) the cards
    // are narrowed to, if one was chosen.
    let situation = RwSignal::new(None::<String>);
    let groups = Memo::new(move |_| {
        let wanted = filter.get();
        view.with(|v| {
            if v.nodes.len() <= MAX_CARDS {
                return Vec::new();
            }
            group_by_situation(v.nodes.iter().filter(|n| matches_filter(n, &wanted)))
        })
    });
    let matching = Memo::new(move |_| {
        let wanted = filter.get();
        let chosen = situation.get();
        view.with(|v| {
            v.nodes
                .iter()
                .filter(|n| matches_filter(n, &wanted))
                .filter(|n| chosen.as_ref().is_none_or(|c| n.situation() == *c))
                .map(|n| n.name.clone())
                .collect::<Vec<_>>()
        })
    });
    let total = Memo::new(move |_| view.with(|v| v.nodes.len()));
    let names = Memo::new(move |_| {
        matching.with(|m| m.iter().take(MAX_CARDS).cloned().collect::<Vec<_>>())
    });
    let empty = move || {
        (total.get() == 0).then(|| {
            view! { <p class="empty">"No nodes yet: add one below, or a Node in the editor."</p> }
        })
    };
    // Counts by status, so a large cluster reads at a glance.
    let summary = move || {
        view.with(|v| {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for node in &v.nodes {
                match counts.iter_mut().find(|(s, _)| *s == node.status) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((node.status.clone(), 1)),
                }
            }
            let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
            (v.nodes.len() > 1).then(|| format!("{} nodes: {}", v.nodes.len(), parts.join(", ")))
        })
    };
    let more = move || {
        let (shown, found, all) = (names.with(Vec::len), matching.with(Vec::len), total.get());
        (found > shown).then(|| {
            view! {
                <p class="more-nodes" data-testid="more-nodes">
                    {format!("Showing {shown} of the {found} nodes that match (of {all}); narrow the filter to see others.")}
                </p>
            }
        })
    };
    // Pods no node has taken yet (a Deployment's, a bare pod's), each of
    // which opens the scheduler's decision.
    let waiting = move || {
        let pods = view.with(|v| v.waiting.clone());
        (!pods.is_empty()).then(|| {
            let count = pods.len();
            let shown: Vec<PodChip> = pods.into_iter().take(MAX_CARDS).collect();
            let heading = if count == 1 {
                "1 pod waiting for a node".to_string()
            } else {
                format!("{count} pods waiting for a node")
            };
            view! {
                <div class="waiting" data-testid="waiting-pods">
                    <h3>{heading}</h3>
                    <ul class="pods" aria-label="Pods waiting for a node">
                        {shown.into_iter().map(|pod| view! { <PodChipView pod=pod node=String::new() selected=selected /> }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    view! {
        <section class="cluster-panel" aria-label="Cluster">
            <div class="panel-head">
                <h2>"Nodes"</h2>
                <span class="node-summary" data-testid="node-summary">{summary}</span>
            </div>
            {move || (total.get() > MAX_CARDS / 2).then(|| view! {
                <input
                    class="node-filter"
                    type="search"
                    data-testid="node-filter"
                    aria-label="Filter nodes by name, label, status or DaemonSet"
                    placeholder="filter: worker-1 · disk=ssd · NotReady · node-agent"
                    prop:value=move || filter.get()
                    on:input:target=move |ev| filter.set(ev.target().value())
                />
            })}
            {move || (!groups.with(Vec::is_empty)).then(|| view! { <SituationList groups=groups situation=situation /> })}
            {empty}
            {waiting}
            // One card per node for as long as it exists: its open actions and
            // typed text survive the clock's ticks; only its contents follow the cluster.
            <div class="nodes">
                <For each=move || names.get() key=|name| name.clone() let:name>
                    <NodeCardView view=view name=name on_command=on_command selected=selected />
                </For>
            </div>
            {more}
            <AddNode on_command=on_command />
        </section>
    }
}

/// Nodes in the same situation, most common first: how many, and the words.
fn group_by_situation<'a>(nodes: impl Iterator<Item = &'a NodeCard>) -> Vec<(String, usize)> {
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for node in nodes {
        *counts.entry(node.situation()).or_default() += 1;
    }
    let mut groups: Vec<(String, usize)> = counts.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    groups
}

/// A large cluster's nodes grouped by situation: the few odd nodes stand out
/// from the many, and a press shows only that group's cards.
#[component]
fn SituationList(
    groups: Memo<Vec<(String, usize)>>,
    situation: RwSignal<Option<String>>,
) -> impl IntoView {
    let rows = move || {
        groups
            .get()
            .into_iter()
            .map(|(words, count)| {
                let pressed = situation.with(|s| s.as_deref() == Some(words.as_str()));
                let nodes = if count == 1 { "node" } else { "nodes" };
                let toggle = {
                    let words = words.clone();
                    move |_| situation.set((!pressed).then(|| words.clone()))
                };
                view! {
                    <li>
                        <button
                            class="situation"
                            data-testid="node-group"
                            aria-pressed=pressed.to_string()
                            on:click=toggle
                        >
                            <span class="situation-count">{format!("{count} {nodes}")}</span>
                            <span class="situation-words">{words}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // A chosen situation no node is in any more still narrows the cards to
    // none, and says so, until it is let go.
    let gone = move || {
        let chosen = situation.get()?;
        (!groups.with(|g| g.iter().any(|(w, _)| *w == chosen))).then(|| {
            view! {
                <li>
                    <button class="situation" aria-pressed="true" data-testid="node-group-gone" on:click=move |_| situation.set(None)>
                        <span class="situation-count">"0 nodes"</span>
                        <span class="situation-words">{chosen}</span>
                    </button>
                </li>
            }
        })
    };
    view! {
        <ul class="situations" aria-label="Nodes grouped by situation; press one to see only its nodes">
            {rows}
            {gone}
        </ul>
    }
}

/// A Node manifest for `kubectl apply -f - <<EOF`: `labels` as `k=v`,
/// `taints` as kubectl prints them (`k=v:Effect`, `k:Effect`).
fn node_manifest(name: &str, labels: &[&str], taints: &[String]) -> String {
    let mut text = format!("apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n");
    let pairs: Vec<(&str, &str)> = labels.iter().filter_map(|l| l.split_once('=')).collect();
    if !pairs.is_empty() {
        text.push_str("  labels:\n");
        for (k, v) in pairs {
            text.push_str(&format!("    {k}: \"{v}\"\n"));
        }
    }
    if !taints.is_empty() {
        text.push_str("spec:\n  taints:\n");
        for taint in taints {
            let (key_value, effect) = taint.rsplit_once(':').unwrap_or((taint, "NoSchedule"));
            let (key, value) = key_value.split_once('=').unwrap_or((key_value, ""));
            text.push_str(&format!("  - key: {key}\n    effect: {effect}\n"));
            if !value.is_empty() {
                text.push_str(&format!("    value: \"{value}\"\n"));
            }
        }
    }
    text
}

/// The first of `name-copy`, `name-copy-2`, … that no node has.
fn free_name(name: &str, taken: &[String]) -> String {
    let base = format!("{name}-copy");
    (1..)
        .map(|n| {
            if n == 1 {
                base.clone()
            } else {
                format!("{base}-{n}")
            }
        })
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base)
}

/// Requested vs allocatable, as a bar with its numbers.
fn resource_bar(bar: ResourceBar) -> impl IntoView {
    let width = format!("{}%", bar.percent.min(100));
    let class = if bar.percent > 100 {
        "bar-fill over"
    } else {
        "bar-fill"
    };
    let text = format!(
        "{} {} / {} ({}%)",
        bar.name, bar.requested, bar.allocatable, bar.percent
    );
    view! {
        <div class="resource" data-testid="resource" data-resource=bar.name title="Requested by this node's pods, of what it can allocate">
            <span class="resource-text">{text}</span>
            <span class="bar"><span class=class style:width=width></span></span>
        </div>
    }
}

#[component]
fn AddNode(on_command: Command) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let labels = RwSignal::new(String::new());
    let feedback = RwSignal::new(None::<Feedback>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let node = name.get_untracked().trim().to_string();
        if node.is_empty() {
            feedback.set(Some(Feedback::refused("Type the new node's name first.")));
            return;
        }
        let typed = labels.get_untracked();
        let pairs: Vec<&str> = typed.split([',', ' ']).filter(|l| !l.is_empty()).collect();
        let manifest = node_manifest(&node, &pairs, &[]);
        run_into(
            on_command,
            feedback,
            "kubectl apply -f - <<EOF".to_string(),
            manifest,
        );
        name.set(String::new());
    };
    view! {
        <form class="add-node" on:submit=add aria-label="Add a node">
            <input
                data-testid="new-node-name"
                aria-label="New node name"
                placeholder="new node name"
                prop:value=move || name.get()
                on:input:target=move |ev| name.set(ev.target().value())
            />
            <input
                data-testid="new-node-labels"
                aria-label="Its labels (key=value, comma-separated)"
                placeholder="disk=ssd,gpu=true"
                prop:value=move || labels.get()
                on:input:target=move |ev| labels.set(ev.target().value())
            />
            <button type="submit" data-testid="add-node">"Add node"</button>
            <FeedbackLine feedback=feedback />
        </form>
    }
}

#[component]
fn NodeCardView(
    view: RwSignal<ClusterView>,
    name: String,
    on_command: Command,
    selected: RwSignal<Option<Selected>>,
) -> impl IntoView {
    let card = {
        let name = name.clone();
        Memo::new(move |_| view.with(|v| v.nodes.iter().find(|n| n.name == name).cloned()))
    };
    let feedback = RwSignal::new(None::<Feedback>);
    let run = move |line: String| run_into(on_command, feedback, line, String::new());
    let contents = {
        let name = name.clone();
        move || {
            let Some(node) = card.get() else {
                return ().into_any();
            };
            node_contents(node, &name, selected).into_any()
        }
    };
    let buttons = {
        let name = name.clone();
        move || {
            let node = card.get()?;
            let button = |label: &'static str, testid: &'static str, line: String| {
                let named = format!("{label} {name}");
                view! {
                    <button
                        class="node-action"
                        data-testid=testid
                        aria-label=named
                        on:click=move |_| run(line.clone())
                    >
                        {label}
                    </button>
                }
            };
            let cordon = if node.cordoned {
                button("Uncordon", "uncordon", format!("kubectl uncordon {name}"))
            } else {
                button("Cordon", "cordon", format!("kubectl cordon {name}"))
            };
            let kubelet = if node.kubelet_down {
                button("Kubelet up", "kubelet-up", format!("sim node up {name}"))
            } else {
                button(
                    "Kubelet down",
                    "kubelet-down",
                    format!("sim node down {name}"),
                )
            };
            let duplicate = {
                let taken: Vec<String> =
                    view.with_untracked(|v| v.nodes.iter().map(|n| n.name.clone()).collect());
                let copy = free_name(&name, &taken);
                let labels: Vec<&str> = node.labels.iter().map(String::as_str).collect();
                let manifest = node_manifest(&copy, &labels, &node.taints);
                let named = format!("Duplicate {name}");
                view! {
                    <button
                        class="node-action"
                        data-testid="duplicate-node"
                        aria-label=named
                        on:click=move |_| run_into(
                            on_command,
                            feedback,
                            "kubectl apply -f - <<EOF".to_string(),
                            manifest.clone(),
                        )
                    >
                        "Duplicate"
                    </button>
                }
            };
            Some(view! {
                {cordon}
                {button("Drain", "drain", format!("kubectl drain {name} --ignore-daemonsets"))}
                {kubelet}
                {duplicate}
                {button("Delete", "delete-node", format!("kubectl delete node {name}"))}
            })
        }
    };
    let change = RwSignal::new(String::new());
    let label_or_taint = {
        let name = name.clone();
        move |taint: bool| {
            let text = change.get_untracked().trim().to_string();
            if text.is_empty() {
                let what = if taint {
                    "a taint (gpu=true:NoSchedule, or gpu:NoSchedule- to remove it)"
                } else {
                    "a label (disk=ssd, or disk- to remove it)"
                };
                feedback.set(Some(Feedback::refused(&format!("Type {what} first."))));
                return;
            }
            let line = if taint {
                format!("kubectl taint nodes {name} {text}")
            } else {
                format!("kubectl label node {name} {text}")
            };
            run(line);
            change.set(String::new());
        }
    };
    // An extended resource advertised in the node's capacity, as a device
    // plugin does: a patch of the node's status subresource.
    let advertise = {
        let name = name.clone();
        move || {
            let text = change.get_untracked().trim().to_string();
            match advertise_line(&name, &text) {
                Ok(line) => {
                    run(line);
                    change.set(String::new());
                }
                Err(why) => feedback.set(Some(Feedback::refused(&why))),
            }
        }
    };
    let label_action = label_or_taint.clone();
    // Enter applies what was typed: a taint when it names an effect, else a label.
    let enter_action = label_or_taint.clone();
    let on_enter = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            let taint = change.with_untracked(|c| c.contains(':'));
            enter_action(taint);
        }
    };
    let pods = move || card.with(|c| c.as_ref().map(|n| n.pods.clone()).unwrap_or_default());
    let pod_node = name.clone();
    view! {
        <article class="node" data-testid="node" data-node=name.clone()>
            {contents}
            // Keyed by what a chip shows: a new or changed pod is drawn anew (and
            // animates in); the others keep their elements.
            <ul class="pods" aria-label="Pods">
                <For each=pods key=|p| (p.name.clone(), p.status.clone(), p.ready, p.updated) let:pod>
                    <PodChipView pod=pod node=pod_node.clone() selected=selected />
                </For>
            </ul>
            {move || card.with(|c| c.as_ref().map(absences))}
            <details class="node-actions">
                <summary>"Actions"<span class="visually-hidden">{format!(" for {name}")}</span></summary>
                <div class="action-row">{buttons}</div>
                <div class="action-row">
                    <input
                        data-testid="node-change"
                        aria-label=format!("Label, taint or extended resource for {name}")
                        placeholder="disk=ssd · disk- · gpu=true:NoSchedule · example.com/dongle=4"
                        prop:value=move || change.get()
                        on:input:target=move |ev| change.set(ev.target().value())
                        on:keydown=on_enter
                    />
                    <button class="node-action" data-testid="label" aria-label=format!("Label {name}") on:click=move |_| label_action(false)>"Label"</button>
                    <button class="node-action" data-testid="taint" aria-label=format!("Taint {name}") on:click=move |_| label_or_taint(true)>"Taint"</button>
                    <button class="node-action" data-testid="advertise" aria-label=format!("Advertise an extended resource on {name}") on:click=move |_| advertise()>"Advertise"</button>
                </div>
            </details>
            <FeedbackLine feedback=feedback />
        </article>
    }
}

/// The command that advertises `text` (`example.com/dongle=4`) in `node`'s
/// capacity, or what to type instead.
fn advertise_line(node: &str, text: &str) -> Result<String, String> {
    let usage = "Type an extended resource and a count, e.g. example.com/dongle=4.";
    let (resource, count) = text.split_once('=').ok_or(usage)?;
    let named = |c: char| c.is_ascii_alphanumeric() || "./-_".contains(c);
    let (domain, _) = resource.split_once('/').ok_or(usage)?;
    if domain.is_empty() || !resource.chars().all(named) || resource.contains("kubernetes.io/") {
        return Err(format!(
            "{resource:?} is not an extended resource name: a domain, a slash and a name, outside kubernetes.io (example.com/dongle)."
        ));
    }
    if count.is_empty() || !count.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "{count:?} is not a count: extended resources are whole numbers."
        ));
    }
    let path = format!("/status/capacity/{}", resource.replace('/', "~1"));
    Ok(format!(
        "kubectl patch node {node} --subresource=status --type=json -p '[{{\"op\": \"add\", \"path\": \"{path}\", \"value\": \"{count}\"}}]'"
    ))
}

/// What a node card shows above its pods: name, status, roles, labels, taints.
fn node_contents(
    node: NodeCard,
    name: &str,
    selected: RwSignal<Option<Selected>>,
) -> impl IntoView {
    let roles = if node.roles.is_empty() {
        "<none>".to_string()
    } else {
        node.roles.join(",")
    };
    let status_class = if node.status.starts_with("Ready") {
        "status ready"
    } else {
        "status not-ready"
    };
    let labels = node
        .labels
        .into_iter()
        .map(|l| view! { <li class="label">{l}</li> })
        .collect_view();
    let taints = node
        .taints
        .into_iter()
        .map(|t| view! { <li class="taint">{t}</li> })
        .collect_view();
    view! {
        <header>
            <h3>
                <button
                    class="link node-open"
                    data-testid="open-node"
                    aria-label=format!("Details of node {name}")
                    on:click={
                        let name = name.to_string();
                        move |_| selected.set(Some(Selected { kind: "node", namespace: String::new(), name: name.clone() }))
                    }
                >
                    {name.to_string()}
                </button>
            </h3>
            <span class=status_class>{node.status}</span>
        </header>
        <p class="roles">"Roles: " {roles}</p>
        <div class="resources">{node.resources.into_iter().map(resource_bar).collect_view()}</div>
        <ul class="labels" aria-label="Labels">{labels}</ul>
        <ul class="taints" aria-label="Taints">{taints}</ul>
    }
}

/// For each DaemonSet without a running, ready pod here: starting (the pod is
/// on its way), or missing with why and what would change it.
fn absences(node: &NodeCard) -> impl IntoView {
    let absences = node
        .not_running
        .iter()
        .map(|a| {
            let (class, heading) = if a.starting {
                ("absence starting", format!("{} starting: ", a.daemonset))
            } else {
                ("absence", format!("No {} pod: ", a.daemonset))
            };
            let remedy = a.remedy.clone().map(|r| {
                view! { <span class="remedy" data-testid="remedy">{format!(" To change it: {r}.")}</span> }
            });
            view! {
                <li class=class data-testid="absence" data-daemonset=a.daemonset.clone() data-starting=a.starting.to_string()>
                    <strong>{heading}</strong>
                    {a.reason.clone()}
                    {remedy}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="absences">{absences}</ul> }
}

/// A hue for a DaemonSet's pods, the same on every node and every load.
fn hue(owner: &str) -> u32 {
    owner
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360
}

#[component]
fn PodChipView(pod: PodChip, node: String, selected: RwSignal<Option<Selected>>) -> impl IntoView {
    let mut class = String::from("pod");
    if pod.ready {
        class.push_str(" ready");
    }
    if pod.updated == Some(false) {
        class.push_str(" old-revision");
    }
    if matches!(
        pod.status.as_str(),
        "Terminating" | "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "Error"
    ) {
        class.push_str(" trouble");
    }
    let owner = pod.owner.unwrap_or_default();
    let pod_hue = hue(&owner).to_string();
    let revision = match pod.updated {
        Some(true) => "new revision",
        Some(false) => "old revision",
        None => "",
    };
    let (name, status) = (pod.name, pod.status);
    let (shown_name, shown_status) = (name.clone(), status.clone());
    let target = Selected {
        kind: "pod",
        namespace: pod.namespace.clone(),
        name: name.clone(),
    };
    let label = format!("Details of pod {name}");
    view! {
        <li
            class=class
            style=("--pod-hue", pod_hue)
            data-testid="pod"
            data-pod=name
            data-node=node
            data-phase=status
            data-owner=owner
            title=revision
        >
            <button
                class="link pod-name"
                data-testid="open-pod"
                aria-label=label
                on:click=move |_| selected.set(Some(target.clone()))
            >
                {shown_name}
            </button>
            <span class="pod-status">{shown_status}</span>
        </li>
    }
}
