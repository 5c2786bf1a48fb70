//! The cluster: one card per node with its labels, taints and pods, and for each
//! DaemonSet that has no pod there, the reason.

use daemonlab_core::view::{ClusterView, NodeCard, PodChip};
use leptos::prelude::*;

#[component]
pub fn ClusterPanel(view: RwSignal<ClusterView>) -> impl IntoView {
    let nodes = move || {
        let nodes = view.get().nodes;
        if nodes.is_empty() {
            view! { <p class="empty">"No nodes yet: add a Node in the editor and Apply."</p> }
                .into_any()
        } else {
            nodes
                .into_iter()
                .map(|node| view! { <NodeCardView node=node /> })
                .collect_view()
                .into_any()
        }
    };
    view! {
        <section class="cluster-panel" aria-label="Cluster">
            <h2>"Nodes"</h2>
            <div class="nodes">{nodes}</div>
        </section>
    }
}

#[component]
fn NodeCardView(node: NodeCard) -> impl IntoView {
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
    let name = node.name;
    let pods = node
        .pods
        .into_iter()
        .map(|pod| view! { <PodChipView pod=pod node=name.clone() /> })
        .collect_view();
    let absences = node
        .not_running
        .into_iter()
        .map(|a| {
            view! {
                <li class="absence" data-testid="absence" data-daemonset=a.daemonset.clone()>
                    <strong>{format!("No {} pod: ", a.daemonset)}</strong>
                    {a.reason}
                </li>
            }
        })
        .collect_view();
    view! {
        <article class="node" data-testid="node" data-node=name.clone()>
            <header>
                <h3>{name.clone()}</h3>
                <span class=status_class>{node.status}</span>
            </header>
            <p class="roles">"Roles: " {roles}</p>
            <ul class="labels" aria-label="Labels">{labels}</ul>
            <ul class="taints" aria-label="Taints">{taints}</ul>
            <ul class="pods" aria-label="Pods">{pods}</ul>
            <ul class="absences">{absences}</ul>
        </article>
    }
}

#[component]
fn PodChipView(pod: PodChip, node: String) -> impl IntoView {
    let class = if pod.ready { "pod ready" } else { "pod" };
    let owner = pod.owner.unwrap_or_default();
    let (name, status) = (pod.name, pod.status);
    view! {
        <li
            class=class
            data-testid="pod"
            data-pod=name
            data-node=node
            data-phase=status
            data-owner=owner
        >
            <span class="pod-name">{name.clone()}</span>
            <span class="pod-status">{status.clone()}</span>
        </li>
    }
}
