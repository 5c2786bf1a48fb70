//! The host-page API of an embedded playground: what the page around the
//! frame may ask over `postMessage`, and what the frame tells it. Messages are
//! JSON objects tagged `"daemonlab": VERSION`; anything else is not for us and
//! is ignored. A request of the right version is read strictly (known types,
//! known fields, bounded sizes) and is never evaluated: it can only do what a
//! user of the page could.

use serde::Deserialize;
use serde_json::{json, Value};

/// The protocol version this frame speaks.
pub const VERSION: u64 = 1;
/// The longest text a request may carry (a manifest, a heredoc).
pub const MAX_TEXT: usize = 4 << 20;
/// The longest command line.
pub const MAX_LINE: usize = 64 << 10;
/// The speeds the clock offers.
pub const SPEEDS: [u32; 4] = [1, 5, 20, 100];

/// What the host page asks.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Request {
    /// A new cluster from this text, as Load does with a scenario.
    Load {
        yaml: String,
    },
    /// A terminal line, with the text a heredoc on it carries.
    Run {
        line: String,
        #[serde(default)]
        stdin: String,
    },
    // Braces: serde refuses unknown fields only in struct variants.
    Play {},
    Pause {},
    /// The clock's Step: to the next moment something is due, at most 10 s.
    Step {},
    Speed {
        value: u32,
    },
    /// Back to the scenario's start.
    Reset {},
}

/// A request and the id its answer carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    pub id: Value,
    pub request: Request,
}

/// Reads one message. `None`: not a daemonlab message (ignored). `Some(Err)`:
/// ours but refused, with the id to answer and why.
pub fn read(message: &Value) -> Option<Result<Envelope, (Value, String)>> {
    let object = message.as_object()?;
    let version = object.get("daemonlab")?;
    let id = object
        .get("id")
        .filter(|id| match id {
            Value::String(s) => s.len() <= 64,
            Value::Number(_) => true,
            _ => false,
        })
        .cloned()
        .unwrap_or(Value::Null);
    if version.as_u64() != Some(VERSION) {
        return Some(Err((
            id,
            format!("this frame speaks version {VERSION} of the daemonlab protocol, not {version}"),
        )));
    }
    let mut rest = object.clone();
    rest.remove("daemonlab");
    rest.remove("id");
    let request: Request = match serde_json::from_value(Value::Object(rest)) {
        Ok(request) => request,
        Err(e) => return Some(Err((id, e.to_string()))),
    };
    let too_long = match &request {
        Request::Load { yaml } => (yaml.len() > MAX_TEXT).then_some("yaml"),
        Request::Run { line, stdin } => (line.len() > MAX_LINE)
            .then_some("line")
            .or((stdin.len() > MAX_TEXT).then_some("stdin")),
        _ => None,
    };
    if let Some(field) = too_long {
        return Some(Err((id, format!("{field} is too long"))));
    }
    if let Request::Speed { value } = request {
        if !SPEEDS.contains(&value) {
            return Some(Err((
                id,
                format!("speed must be one of 1, 5, 20, 100, not {value}"),
            )));
        }
    }
    Some(Ok(Envelope { id, request }))
}

/// A message for the host page.
pub fn message(kind: &str, fields: Value) -> Value {
    let mut message = json!({ "daemonlab": VERSION, "type": kind });
    if let (Some(out), Value::Object(fields)) = (message.as_object_mut(), fields) {
        out.extend(fields);
    }
    message
}
