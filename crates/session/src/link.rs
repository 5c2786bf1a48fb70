//! Share links: the editor's text, the journal and the chosen panels in a URL
//! fragment, as `1.` (the format's version) and the JSON, raw-deflated and
//! base64url-encoded. A link is read with bounds (its length, the inflated
//! size, the number of actions, the virtual time they ask for), so a crafted
//! one cannot exhaust memory or time; anything wrong with it is an error that
//! says what, never a panic.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Action, Done, Session};

/// The format this build writes; it reads this one and every earlier one.
pub const VERSION: u32 = 1;
/// The longest fragment read (browsers keep URLs up to about 2 MB).
pub const MAX_LINK_CHARS: usize = 1 << 20;
/// The most the JSON may inflate to.
pub const MAX_STATE_BYTES: usize = 8 << 20;
/// The most actions a link may replay.
pub const MAX_ACTIONS: usize = 10_000;
/// The most virtual time a link may ask to run: 30 days.
pub const MAX_VIRTUAL_MS: u64 = 30 * 24 * 3600 * 1000;

/// What a link carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Shared {
    /// The editor's text (it may hold edits nobody applied).
    pub editor: String,
    pub actions: Vec<Action>,
    /// The panels shown, by name; empty for all.
    pub panels: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    editor: String,
    actions: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    panels: Vec<String>,
}

/// Why a link cannot be opened.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkError {
    /// No `VERSION.` prefix: not a daemonlab link, or cut before it.
    NoVersion,
    /// Made by a later daemonlab.
    UnknownVersion(String),
    TooLong(usize),
    /// A character outside base64url: changed or cut by hand, or by a mail program.
    NotBase64,
    /// The compressed data is damaged or cut short.
    Damaged,
    /// It would inflate past [`MAX_STATE_BYTES`].
    TooLarge,
    /// It inflates, but not to what a daemonlab link holds.
    BadContent(String),
    TooManyActions(usize),
    TooMuchTime,
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::NoVersion => write!(f, "it does not start with a format version (it is not a daemonlab link, or it was cut short)"),
            LinkError::UnknownVersion(v) => write!(f, "it was made by a newer daemonlab (format {v}; this one reads format {VERSION} and earlier)"),
            LinkError::TooLong(n) => write!(f, "it is {n} characters long, more than the {MAX_LINK_CHARS} a link may have"),
            LinkError::NotBase64 => write!(f, "it holds characters a share link never has (it was changed or cut)"),
            LinkError::Damaged => write!(f, "its data is damaged or cut short"),
            LinkError::TooLarge => write!(f, "it unpacks to more than {} MiB", MAX_STATE_BYTES >> 20),
            LinkError::BadContent(why) => write!(f, "its content is not a playground's state ({why})"),
            LinkError::TooManyActions(n) => write!(f, "it replays {n} actions, more than the {MAX_ACTIONS} allowed"),
            LinkError::TooMuchTime => write!(f, "it runs the clock for more than 30 days"),
        }
    }
}

/// The fragment (without `#`) that carries `shared`.
pub fn encode(shared: &Shared) -> String {
    let wire = Wire {
        editor: shared.editor.clone(),
        actions: shared.actions.iter().map(Action::to_json).collect(),
        panels: shared.panels.clone(),
    };
    let json = serde_json::to_vec(&wire).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a fragment [`encode`] wrote (with or without its `#`).
pub fn decode(fragment: &str) -> Result<Shared, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong(fragment.len()));
    }
    let (version, data) = fragment.split_once('.').ok_or(LinkError::NoVersion)?;
    if version != VERSION.to_string() {
        let numeric =
            (1..=20).contains(&version.len()) && version.bytes().all(|b| b.is_ascii_digit());
        return Err(if numeric {
            LinkError::UnknownVersion(version.to_string())
        } else {
            LinkError::NoVersion
        });
    }
    let packed = URL_SAFE_NO_PAD
        .decode(data.trim_end_matches('='))
        .map_err(|_| LinkError::NotBase64)?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_STATE_BYTES)
        .map_err(|e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
            _ => LinkError::Damaged,
        })?;
    let wire: Wire =
        serde_json::from_slice(&json).map_err(|e| LinkError::BadContent(e.to_string()))?;
    if wire.actions.len() > MAX_ACTIONS {
        return Err(LinkError::TooManyActions(wire.actions.len()));
    }
    let actions = wire
        .actions
        .iter()
        .enumerate()
        .map(|(i, value)| {
            Action::from_json(value)
                .filter(|_| !value.is_string())
                .ok_or_else(|| {
                    LinkError::BadContent(format!(
                        "action {} is not one the playground records",
                        i + 1
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let waited = actions.iter().try_fold(0u64, |sum, a| match a {
        Action::Advance(ms) => sum.checked_add(*ms),
        _ => Some(sum),
    });
    if waited.is_none_or(|ms| ms > MAX_VIRTUAL_MS) {
        return Err(LinkError::TooMuchTime);
    }
    Ok(Shared {
        editor: wire.editor,
        actions,
        panels: wire.panels,
    })
}

/// Replays what a link carries on a fresh cluster, and what each action did.
/// Commands move the clock too (`sim advance`, `kubectl drain` waiting on a
/// budget), so the bound on virtual time is kept while replaying.
pub fn open(actions: Vec<Action>) -> Result<(Session, Vec<Done>), LinkError> {
    let mut session = Session::default();
    let start = session.cluster.now();
    let mut done = Vec::with_capacity(actions.len());
    for action in actions {
        done.push(session.act(action));
        let ran = session.cluster.now().duration_since(start).as_millis();
        if u64::try_from(ran).map_or(true, |ms| ms > MAX_VIRTUAL_MS) {
            return Err(LinkError::TooMuchTime);
        }
    }
    Ok((session, done))
}
