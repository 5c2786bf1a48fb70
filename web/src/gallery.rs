//! The scenario gallery: one click loads a ready-made lesson from the pages
//! daemonlab teaches from, with a few sentences on what to try.

use daemonlab_core::samples::{Scenario, GALLERY};
use leptos::prelude::*;

#[component]
pub fn Gallery(
    /// The scenario now loaded, if any.
    current: RwSignal<Option<&'static str>>,
    #[prop(into)] on_load: Callback<&'static Scenario>,
) -> impl IntoView {
    let chosen = RwSignal::new(GALLERY[0].id);
    let options = GALLERY
        .iter()
        .map(|s| view! { <option value=s.id>{s.title}</option> })
        .collect_view();
    let lesson = move || {
        let id = current.get()?;
        let scenario = GALLERY.iter().find(|s| s.id == id)?;
        Some(view! {
            <p class="lesson" data-testid="lesson">
                <strong>{scenario.title}": "</strong>
                {scenario.lesson}
            </p>
        })
    };
    let load = move |_| {
        let id = chosen.get_untracked();
        if let Some(scenario) = GALLERY.iter().find(|s| s.id == id) {
            on_load.run(scenario);
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
                <button data-testid="load-scenario" on:click=load>"Load"</button>
            </div>
            {lesson}
        </section>
    }
}
