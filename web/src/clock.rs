//! Virtual time: the clock the cluster runs on, play / pause / step, and speed.

use leptos::prelude::*;

/// The speeds the playground runs at: virtual seconds per real second.
pub const SPEEDS: [u32; 4] = [1, 5, 20, 100];

#[component]
pub fn Clock(
    /// The virtual time, as shown (`00:01:23`).
    #[prop(into)]
    now: Signal<String>,
    playing: RwSignal<bool>,
    speed: RwSignal<u32>,
    /// Jumps to the next moment something is due.
    #[prop(into)]
    on_step: Callback<()>,
) -> impl IntoView {
    let speeds = SPEEDS
        .iter()
        .map(|&s| {
            let label = format!("{s}×");
            view! {
                <button
                    class="speed"
                    class:selected=move || speed.get() == s
                    aria-pressed=move || (speed.get() == s).to_string()
                    data-testid=format!("speed-{s}")
                    on:click=move |_| speed.set(s)
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="clock" role="group" aria-label="Virtual time">
            <span class="clock-time" data-testid="clock" aria-live="off" title="Virtual time of the simulated cluster">
                {move || now.get()}
            </span>
            <button
                data-testid="play"
                class="primary"
                disabled=move || playing.get()
                on:click=move |_| playing.set(true)
                aria-label="Play"
            >
                "▶ Play"
            </button>
            <button
                data-testid="pause"
                disabled=move || !playing.get()
                on:click=move |_| playing.set(false)
                aria-label="Pause"
            >
                "❚❚ Pause"
            </button>
            <button
                data-testid="step"
                on:click=move |_| on_step.run(())
                title="Jump to the next moment a controller, the scheduler or a kubelet has work"
            >
                "Step"
            </button>
            <span class="speeds" role="group" aria-label="Speed">{speeds}</span>
        </div>
    }
}
