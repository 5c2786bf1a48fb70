//! Share links in the address: the session put into the URL fragment
//! (`#s=…`, see `daemonlab_session::link`), and read back when a page opens.

use daemonlab_session::link::{self, LinkError, Shared};
use daemonlab_session::Action;
use leptos::prelude::*;

/// What comes before the encoded state in the fragment.
const PREFIX: &str = "#s=";

/// The share link in the page's address, if there is one, read.
pub fn link_in_address() -> Option<Result<Shared, LinkError>> {
    let hash = window().location().hash().ok()?;
    let encoded = hash.strip_prefix(PREFIX)?;
    Some(link::decode(encoded))
}

/// Takes the share link out of the address once it was opened, so a reload
/// shows what was done since instead of the link's state again.
pub fn forget_link_in_address() {
    let location = window().location();
    if !location.hash().is_ok_and(|h| h.starts_with(PREFIX)) {
        return;
    }
    let rest = location.pathname().unwrap_or_default() + &location.search().unwrap_or_default();
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&rest));
    }
}

/// The address of this page with `shared` in its fragment.
fn address_of(shared: &Shared) -> String {
    let location = window().location();
    let here = location.href().unwrap_or_default();
    let base = here.split('#').next().unwrap_or_default();
    format!("{base}{PREFIX}{}", link::encode(shared))
}

/// The full playground (this page without its embed options) opening `shared`.
pub fn full_page_address(shared: &Shared) -> String {
    let location = window().location();
    let page = location.origin().unwrap_or_default() + &location.pathname().unwrap_or_default();
    format!("{page}{PREFIX}{}", link::encode(shared))
}

/// The Share button: a link to this very state, shown to copy.
#[component]
pub fn Share(
    text: RwSignal<String>,
    /// The session's journal as it is now.
    journal: Callback<(), Vec<Action>>,
) -> impl IntoView {
    let address = RwSignal::new(None::<String>);
    let copied = RwSignal::new(None::<&'static str>);
    let share = move |_| {
        let shared = Shared {
            editor: text.get_untracked(),
            actions: journal.run(()),
            panels: Vec::new(),
        };
        let url = address_of(&shared);
        copied.set(None);
        // The clipboard needs a secure page and permission; the link stays
        // on screen to copy by hand either way.
        let clipboard = window().navigator().clipboard();
        let promise = clipboard.write_text(&url);
        address.set(Some(url));
        leptos::task::spawn_local(async move {
            let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            copied.set(Some(if done {
                "Copied to the clipboard."
            } else {
                "Copy it from the box."
            }));
        });
    };
    let shown = move || {
        address.get().map(|url| {
            let length = format!("{} characters", url.chars().count());
            view! {
                <div class="share-box" role="status">
                    <input
                        readonly
                        data-testid="share-link"
                        aria-label="Link to this playground's state"
                        prop:value=url
                        on:focus=|ev| {
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            input.select();
                        }
                    />
                    <span class="share-note">{move || copied.get().unwrap_or("")}" "{length}</span>
                    <button class="link" aria-label="Close the share link" on:click=move |_| address.set(None)>"Close"</button>
                </div>
            }
        })
    };
    view! {
        <div class="share">
            <button data-testid="share" on:click=share title="A link that opens this cluster, editor, terminal and clock as they are now">"Share"</button>
            {shown}
        </div>
    }
}
