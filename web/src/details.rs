//! Details of a pod or a node, in place: what `kubectl describe` prints for
//! it, kept current as the cluster changes, until closed (its button, or
//! Escape anywhere on the page).

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
                    <p class="details-command">{command}</p>
                    <pre class="details-text" tabindex="0" data-testid="details-text">{move || described.get()}</pre>
                </aside>
            }
        })
    }
}
