//! Virtual time: the clock the cluster runs on, play / pause / step, and speed.

use leptos::prelude::*;

/// The speeds the playground runs at: virtual seconds per real second.
pub const SPEEDS: [u32; 4] = [1, 5, 20, 100];
/// How far Step moves the clock at most: to the next moment something is
/// due, or this far when nothing is due sooner.
pub const STEP_LIMIT_SECONDS: u64 = 10;

#[component]
pub fn Clock(
    /// The virtual time, as shown (`00:01:23`).
    #[prop(into)]
    now: Signal<String>,
    playing: RwSignal<bool>,
    speed: RwSignal<u32>,
    /// Why the clock stopped by itself, if it did.
    paused_because: RwSignal<Option<String>>,
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
                class:selected=move || playing.get()
                aria-pressed=move || playing.get().to_string()
                on:click=move |_| {
                    paused_because.set(None);
                    playing.set(true);
                }
            >
                {move || if playing.get() { "▶ Playing" } else { "▶ Play" }}
            </button>
            <button
                data-testid="pause"
                class:selected=move || !playing.get()
                aria-pressed=move || (!playing.get()).to_string()
                on:click=move |_| playing.set(false)
            >
                {move || if playing.get() { "❚❚ Pause" } else { "❚❚ Paused" }}
            </button>
            <button
                data-testid="step"
                data-step-seconds=STEP_LIMIT_SECONDS
                on:click=move |_| on_step.run(())
                title=format!("Move the clock to the next moment a controller, the scheduler or a kubelet has work, at most {STEP_LIMIT_SECONDS} s ahead")
            >
                {format!("Step ≤{STEP_LIMIT_SECONDS}s")}
            </button>
            <span class="speeds" role="group" aria-label="Speed">{speeds}</span>
            {move || paused_because.get().map(|why| view! {
                <span class="clock-note" role="status" data-testid="clock-note">{why}</span>
            })}
        </div>
    }
}
