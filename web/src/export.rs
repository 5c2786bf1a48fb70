//! The Export menu: the session taken to a real cluster (kind, or KWOK's
//! fake nodes), downloaded as one tar archive of what `daemonlab export`
//! writes (see `daemonlab_session::export`).

use daemonlab_kubectl::NoFiles;
use daemonlab_session::export::{export, tar, Target};
use daemonlab_session::{Action, SEED};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

/// Offers `bytes` to the user as the file `name`.
fn save(name: &str, bytes: &[u8]) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/x-tar");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    web_sys::Url::revoke_object_url(&url)
}

#[component]
pub fn Export(
    /// The session's journal as it is now.
    journal: Callback<(), Vec<Action>>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let download = move |target: Target| {
        let top = match target {
            Target::Kind => "daemonlab-kind",
            Target::Kwok => "daemonlab-kwok",
        };
        let files = export(&journal.run(()), SEED, &NoFiles, target);
        match save(&format!("{top}.tar"), &tar(top, &files)) {
            Ok(()) => problem.set(None),
            Err(_) => problem.set(Some("The browser refused the download.".to_string())),
        }
    };
    let shown = move || {
        open.get().then(|| {
            view! {
                <div class="share-box export-box" role="dialog" aria-label="Export to a real cluster">
                    <p class="share-note">
                        "This session for a real cluster, as a tar archive: the nodes as they joined, the objects as they are now (final-state.yaml), and replay.sh with every command in order."
                    </p>
                    <button data-testid="export-kind" on:click=move |_| download(Target::Kind)
                        title="kind-cluster.yaml: kind create cluster --name daemonlab --config kind-cluster.yaml, then ./replay.sh">
                        "For kind"
                    </button>
                    <button data-testid="export-kwok" on:click=move |_| download(Target::Kwok)
                        title="kwok-nodes.yaml: fake nodes for kwokctl, for rehearsals at thousands of nodes">
                        "For KWOK"
                    </button>
                    <span class="share-note" role="status">{move || problem.get().unwrap_or_default()}</span>
                    <button class="link" aria-label="Close the export menu" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            }
        })
    };
    view! {
        <div class="share export">
            <button data-testid="export" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
                title="Take this session to kind or KWOK">
                "Export"
            </button>
            {shown}
        </div>
    }
}
