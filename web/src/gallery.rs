//! The scenario gallery: one click loads a ready-made lesson from the pages
//! daemonlab teaches from. The lesson of what is loaded (or of the chosen
//! scenario, before Load) is on screen from the start; Load and Reset ask
//! before they throw away edits in the editor.

use daemonlab_core::samples::{Scenario, GALLERY, STARTER_LESSON};
use leptos::prelude::*;

/// Asks the user before their edits are replaced; true to go on.
fn may_discard(dirty: bool, what: &str) -> bool {
    if !dirty {
        return true;
    }
    window()
        .confirm_with_message(&format!(
            "{what} replaces the text in the editor, which has changes that were not applied. Discard them?"
        ))
        .unwrap_or(false)
}

#[component]
pub fn Gallery(
    /// The scenario now loaded, if any (none: the starter).
    current: RwSignal<Option<&'static str>>,
    /// Whether the editor holds text that was never applied.
    #[prop(into)]
    dirty: Signal<bool>,
    #[prop(into)] on_load: Callback<&'static Scenario>,
    /// Back to the start of what is loaded (the scenario, or the starter).
    #[prop(into)]
    on_reset: Callback<()>,
) -> impl IntoView {
    let chosen = RwSignal::new(GALLERY[0].id);
    let options = GALLERY
        .iter()
        .map(|s| view! { <option value=s.id>{s.title}</option> })
        .collect_view();
    let lesson = move || {
        let loaded = current
            .get()
            .and_then(|id| GALLERY.iter().find(|s| s.id == id));
        let picked = GALLERY.iter().find(|s| s.id == chosen.get());
        let (title, text) = match loaded {
            Some(s) => (format!("{}: ", s.title), s.lesson),
            None => ("Starter cluster: ".to_string(), STARTER_LESSON),
        };
        let preview = picked
            .filter(|p| Some(p.id) != current.get())
            .filter(|_| current.get().is_some() || chosen.get() != GALLERY[0].id)
            .map(|p| {
                view! {
                    <p class="lesson preview" data-testid="lesson-preview">
                        <strong>{format!("Load \u{201c}{}\u{201d} to try: ", p.title)}</strong>
                        {p.lesson}
                    </p>
                }
            });
        let shown = loaded.map_or("starter", |s| s.id);
        view! {
            <p class="lesson" data-testid="lesson" data-scenario=shown>
                <strong>{title}</strong>
                {text}
            </p>
            {preview}
        }
    };
    let load = move |_| {
        let id = chosen.get_untracked();
        let Some(scenario) = GALLERY.iter().find(|s| s.id == id) else {
            return;
        };
        if may_discard(dirty.get_untracked(), "Loading a scenario") {
            on_load.run(scenario);
        }
    };
    let reset = move |_| {
        if may_discard(dirty.get_untracked(), "Reset") {
            on_reset.run(());
        }
    };
    view! {
        <section class="gallery" data-testid="gallery" aria-label="Scenarios">
            <div class="gallery-row">
                <label for="scenario">"Scenario"</label>
                <select
                    id="scenario"
                    data-testid="scenario-select"
                    on:change:target=move |ev| {
                        let value = ev.target().value();
                        if let Some(s) = GALLERY.iter().find(|s| s.id == value) {
                            chosen.set(s.id);
                        }
                    }
                >
                    {options}
                </select>
                <button data-testid="load-scenario" on:click=load>"Load scenario"</button>
                <button
                    class="secondary"
                    data-testid="reset"
                    title="Start again from the loaded scenario (or the starter cluster)"
                    on:click=reset
                >
                    "Reset"
                </button>
            </div>
            {lesson}
        </section>
    }
}
