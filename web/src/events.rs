//! The event log, like `kubectl get events -w`: the newest events, filterable
//! by the object they are about.

use daemonlab_core::view::EventRow;
use daemonlab_kubectl::printers::age;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;
use leptos::prelude::*;

#[component]
pub fn EventLog(
    #[prop(into)] events: Signal<Vec<EventRow>>,
    #[prop(into)] now: Signal<Timestamp>,
) -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let rows = move || {
        let wanted = filter.get().to_lowercase();
        let now = now.get();
        events
            .get()
            .into_iter()
            .rev()
            .filter(|e| {
                wanted.is_empty()
                    || e.object.to_lowercase().contains(&wanted)
                    || e.reason.to_lowercase().contains(&wanted)
            })
            .map(|e| {
                let seen = age(e.last_seen.map(Time).as_ref(), now);
                let class = if e.type_ == "Warning" {
                    "event warning"
                } else {
                    "event"
                };
                let count = (e.count > 1).then(|| format!(" (x{})", e.count));
                view! {
                    <tr class=class data-testid="event">
                        <td>{seen}</td>
                        <td>{e.type_}</td>
                        <td>{e.reason}</td>
                        <td class="event-object">{e.object}</td>
                        <td>{e.message}{count}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="events-panel" aria-label="Events">
            <div class="panel-head">
                <h2>"Events"</h2>
                <input
                    class="event-filter"
                    data-testid="event-filter"
                    type="search"
                    placeholder="Filter by object or reason"
                    aria-label="Filter events by object or reason"
                    prop:value=move || filter.get()
                    on:input:target=move |ev| filter.set(ev.target().value())
                />
            </div>
            <div class="events-scroll">
                <table class="events">
                    <thead>
                        <tr>
                            <th>"LAST SEEN"</th>
                            <th>"TYPE"</th>
                            <th>"REASON"</th>
                            <th>"OBJECT"</th>
                            <th>"MESSAGE"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
