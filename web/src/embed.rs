//! Embed mode (`index.html?embed=1&…`): the compact playground a
//! documentation page shows in an iframe (made by `web/embed.js`), its
//! options, and the host-page API over `postMessage`
//! (`daemonlab_session::protocol`): the frame answers only its parent (and,
//! when the page names them with `origins=`, only those origins), reads every
//! request strictly, and tells the parent what happens.

use daemonlab_core::samples::{Scenario, GALLERY};
use daemonlab_session::protocol::{self, Request, SPEEDS};
use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Which panels an embed shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Panels {
    pub cluster: bool,
    pub editor: bool,
    pub terminal: bool,
    pub daemonsets: bool,
    pub events: bool,
}

impl Panels {
    /// The names of the panels shown, as `parse` reads them.
    pub fn names(self) -> Vec<String> {
        [
            ("cluster", self.cluster),
            ("editor", self.editor),
            ("terminal", self.terminal),
            ("daemonsets", self.daemonsets),
            ("events", self.events),
        ]
        .into_iter()
        .filter(|(_, shown)| *shown)
        .map(|(name, _)| name.to_string())
        .collect()
    }

    pub const ALL: Panels = Panels {
        cluster: true,
        editor: true,
        terminal: true,
        daemonsets: true,
        events: true,
    };

    /// `cluster,terminal`: the named ones; unknown names are skipped, and a
    /// list naming none of them shows the cluster and the terminal.
    pub fn parse(list: &str) -> Panels {
        let named = |name: &str| list.split(',').any(|p| p.trim() == name);
        let panels = Panels {
            cluster: named("cluster"),
            editor: named("editor"),
            terminal: named("terminal"),
            daemonsets: named("daemonsets"),
            events: named("events"),
        };
        if panels.names().is_empty() {
            Panels {
                cluster: true,
                terminal: true,
                ..panels
            }
        } else {
            panels
        }
    }
}

/// An embed's options, from the frame's address.
#[derive(Clone, Debug)]
pub struct Embed {
    pub panels: Panels,
    /// `light` or `dark`; none follows the reader's scheme.
    pub theme: Option<&'static str>,
    /// The editor cannot be changed (the cluster still can, from the terminal
    /// and the cards).
    pub readonly: bool,
    pub autoplay: bool,
    pub speed: u32,
    /// A gallery scenario to start from (else the parent sends the text).
    pub scenario: Option<&'static Scenario>,
    /// Origins whose messages are read; empty for the parent's, whatever it is.
    origins: Vec<String>,
}

/// The embed options in the page's address, if it is an embed.
pub fn from_address() -> Option<Embed> {
    let search = window().location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("embed")?;
    let flag = |name: &str| params.get(name).is_some_and(|v| v != "0" && v != "false");
    Some(Embed {
        panels: params.get("panels").map_or(
            Panels {
                editor: false,
                events: false,
                ..Panels::ALL
            },
            |list| Panels::parse(&list),
        ),
        theme: match params.get("theme").as_deref() {
            Some("light") => Some("light"),
            Some("dark") => Some("dark"),
            _ => None,
        },
        readonly: flag("readonly"),
        autoplay: flag("autoplay"),
        speed: params
            .get("speed")
            .and_then(|s| s.parse().ok())
            .filter(|s| SPEEDS.contains(s))
            .unwrap_or(1),
        scenario: params
            .get("scenario")
            .and_then(|id| GALLERY.iter().find(|s| s.id == id)),
        origins: params
            .get("origins")
            .map(|o| {
                o.split(',')
                    .map(|o| o.trim().to_string())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Marks the page as an embed (its CSS) and applies the theme it asks for.
pub fn mark_page(embed: &Embed) {
    let Some(root) = document().document_element() else {
        return;
    };
    let _ = root.class_list().add_1("embed");
    if let Some(theme) = embed.theme {
        let _ = root.set_attribute("data-theme", theme);
    }
}

/// The origins messages to the parent go to: the ones the page named, else
/// the embedding page's (from the referrer), else any (the parent is the only
/// window that receives them).
fn targets(embed: &Embed) -> Vec<String> {
    if !embed.origins.is_empty() {
        return embed.origins.clone();
    }
    let referrer = document().referrer();
    let origin = web_sys::Url::new(&referrer).ok().map(|u| u.origin());
    vec![origin
        .filter(|o| o != "null")
        .unwrap_or_else(|| "*".to_string())]
}

fn post(target: &str, message: &Value) {
    let Ok(parent) = window().parent() else {
        return;
    };
    let Some(parent) = parent else { return };
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    let Ok(value) = js_sys::JSON::parse(&text) else {
        return;
    };
    let _ = parent.post_message(&value, target);
}

/// Tells the parent page something happened (`ready`, `applied`, `output`,
/// `clock`, `resize`).
pub fn announce(embed: &Embed, kind: &str, fields: Value) {
    let message = protocol::message(kind, fields);
    for target in targets(embed) {
        post(&target, &message);
    }
}

/// Answers the parent's requests with `handle` (what it returns joins the
/// answer), from now on.
pub fn listen(embed: &Embed, handle: Callback<Request, Value>) {
    let allowed = embed.origins.clone();
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let from_parent = match (event.source(), window().parent()) {
                (Some(source), Ok(Some(parent))) => js_sys::Object::is(&source, &parent),
                _ => false,
            };
            let origin = event.origin();
            if !from_parent || (!allowed.is_empty() && !allowed.contains(&origin)) {
                return;
            }
            let Some(text) = js_sys::JSON::stringify(&event.data())
                .ok()
                .and_then(|t| t.as_string())
            else {
                return;
            };
            let Ok(data) = serde_json::from_str::<Value>(&text) else {
                return;
            };
            let answer = match protocol::read(&data) {
                None => return,
                Some(Err((id, error))) => json!({ "id": id, "ok": false, "error": error }),
                Some(Ok(envelope)) => {
                    let mut answer = json!({ "id": envelope.id, "ok": true });
                    if let (Some(out), Value::Object(fields)) =
                        (answer.as_object_mut(), handle.run(envelope.request))
                    {
                        out.extend(fields);
                    }
                    answer
                }
            };
            // An opaque origin ("null", a sandboxed parent) can only be answered with "*".
            let target = if origin == "null" {
                "*".to_string()
            } else {
                origin
            };
            post(&target, &protocol::message("result", answer));
        });
    let _ =
        window().add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    on_message.forget();
}

/// Tells the parent the page's height whenever it changes, so the iframe
/// can follow its content.
pub fn report_height(embed: &Embed) {
    let Some(body) = document().body() else {
        return;
    };
    let embed = embed.clone();
    let on_resize = Closure::<dyn Fn()>::new(move || {
        if let Some(body) = document().body() {
            let height = body.get_bounding_client_rect().height().ceil();
            announce(&embed, "resize", json!({ "height": height }));
        }
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    on_resize.forget();
}
