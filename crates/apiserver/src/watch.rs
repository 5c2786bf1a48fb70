//! Watches: the changes to a kind's objects after a resourceVersion, as
//! `ADDED`, `MODIFIED` and `DELETED` events (objects leaving a selector are
//! deleted from the watcher's view), bookmarks when asked for, the initial
//! events of a `sendInitialEvents` watch, and Tables for `kubectl get -w`.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use daemonlab_core::api::store::Key;
use daemonlab_core::api::{Kind, Object};
use serde_json::{json, Value};

use crate::objects::{select, Scope};
use crate::route::Target;
use crate::{status, tables, ApiServer, Body, Request, Response};

/// How long a watch lasts without `timeoutSeconds`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How often a watch that asked for them gets a bookmark.
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);

/// A watch's events, one JSON document per line, as they happen.
pub struct WatchStream {
    server: Arc<ApiServer>,
    request: Request,
    target: Target,
    kind: Kind,
    api_version: String,
    /// The store's resourceVersion up to which changes have been sent.
    resource_version: u64,
    /// What the watcher was last sent of each object it sees.
    seen: HashMap<Key, Seen>,
    queue: VecDeque<Value>,
    deadline: Instant,
    bookmarks: bool,
    last_bookmark: Instant,
    /// Tables carry their column definitions in the first event only.
    columns_sent: bool,
}

pub fn start(server: &Arc<ApiServer>, request: &Request, scope: &Scope) -> Response {
    let timeout = request
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let state = server.lock();
    let objects = match select(state.cluster.store(), request, scope) {
        Ok(objects) => objects,
        Err(response) => return response,
    };
    let current = state.cluster.store().resource_version();
    let requested = request
        .param("resourceVersion")
        .filter(|rv| !rv.is_empty() && *rv != "0")
        .map(|rv| rv.parse::<u64>());
    let initial_events = request.param("sendInitialEvents") == Some("true") || requested.is_none();
    let from = match requested {
        Some(Ok(rv)) if rv > current => current,
        Some(Ok(rv)) => rv,
        Some(Err(_)) => return status::bad_request("invalid resource version"),
        None => current,
    };
    let mut stream = WatchStream {
        server: Arc::clone(server),
        request: request.clone(),
        target: scope.target.clone(),
        kind: scope.kind,
        api_version: scope.api_version.clone(),
        // Forces a first look: what changed after `from` is sent at once.
        resource_version: 0,
        seen: HashMap::new(),
        queue: VecDeque::new(),
        deadline: Instant::now() + timeout,
        bookmarks: request.param("allowWatchBookmarks") == Some("true"),
        last_bookmark: Instant::now(),
        columns_sent: false,
    };
    // What the client has: every object (sent now) without a resourceVersion
    // to start from, else the objects as they were at `from` (its list).
    for object in &objects {
        if !initial_events && version_of(object) > from {
            continue;
        }
        let value = stream.encode(object, &state.cluster);
        let seen = Seen {
            uid: object.metadata().uid.clone(),
            version: version_of(object),
            value: value.clone(),
        };
        stream.seen.insert(key(object), seen);
        if initial_events {
            stream
                .queue
                .push_back(json!({"type": "ADDED", "object": value}));
        }
    }
    if request.param("sendInitialEvents") == Some("true") {
        stream.queue.push_back(json!({
            "type": "BOOKMARK",
            "object": stream.bookmark(current, true),
        }));
    }
    drop(state);
    let content_type = if tables::wanted(request) {
        tables::TABLE.to_string()
    } else {
        "application/json".to_string()
    };
    Response {
        code: 200,
        content_type,
        body: Body::Watch(Box::new(stream)),
        headers: Vec::new(),
    }
}

fn key(object: &Object) -> Key {
    (object.namespace().to_string(), object.name().to_string())
}

impl WatchStream {
    /// The next event line, waiting for one; `None` when the watch is over
    /// or its client has `hung_up`.
    pub fn next_line(&mut self, hung_up: &dyn Fn() -> bool) -> Option<Vec<u8>> {
        loop {
            if let Some(mut event) = self.queue.pop_front() {
                self.strip_repeated_columns(&mut event);
                let mut line = serde_json::to_vec(&event).unwrap_or_default();
                line.push(b'\n');
                return Some(line);
            }
            let now = Instant::now();
            if now >= self.deadline || hung_up() {
                return None;
            }
            self.server.tick();
            let server = Arc::clone(&self.server);
            let mut state = server.lock();
            self.collect(&state.cluster);
            if !self.queue.is_empty() {
                continue;
            }
            if self.bookmarks && self.last_bookmark.elapsed() >= BOOKMARK_EVERY {
                self.last_bookmark = Instant::now();
                let rv = state.cluster.store().resource_version();
                let bookmark = self.bookmark(rv, false);
                self.queue
                    .push_back(json!({"type": "BOOKMARK", "object": bookmark}));
                continue;
            }
            let wait = (self.deadline - now).min(Duration::from_millis(250));
            state = server.wait_for_change(state, wait);
            drop(state);
        }
    }

    fn strip_repeated_columns(&mut self, event: &mut Value) {
        if event["object"]["kind"] != "Table" {
            return;
        }
        if self.columns_sent {
            if let Some(table) = event["object"].as_object_mut() {
                table.insert("columnDefinitions".into(), json!([]));
            }
        }
        self.columns_sent = true;
    }

    /// The object as this watch sends it: itself, or a one-row Table.
    fn encode(&self, object: &Object, cluster: &daemonlab_core::sim::Cluster) -> Value {
        if tables::wanted(&self.request) {
            let metadata = json!({"resourceVersion": object.metadata().resource_version});
            return tables::of(
                &self.request,
                self.kind,
                &[object],
                cluster.store(),
                cluster.now(),
                metadata,
            );
        }
        daemonlab_core::api::registry::at_version(self.kind, object.to_json(), &self.api_version)
    }

    fn bookmark(&self, rv: u64, initial_events_end: bool) -> Value {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        json!({"kind": self.kind.name(), "apiVersion": self.api_version, "metadata": metadata})
    }

    /// Queues the events for what changed since the last look: the store's
    /// log is trimmed as controllers read it, so the watch compares the
    /// objects it selects now with what it has sent, in resourceVersion order
    /// (objects gone or out of the selection last).
    fn collect(&mut self, cluster: &daemonlab_core::sim::Cluster) {
        let store = cluster.store();
        if store.resource_version() == self.resource_version {
            return;
        }
        self.resource_version = store.resource_version();
        let scope = Scope {
            kind: self.kind,
            target: &self.target,
            api_version: self.api_version.clone(),
        };
        let Ok(selected) = select(store, &self.request, &scope) else {
            return;
        };
        let mut changed: Vec<(u64, &Object)> = selected
            .iter()
            .filter(|o| {
                self.seen.get(&key(o)).is_none_or(|seen| {
                    seen.uid != o.metadata().uid || seen.version != version_of(o)
                })
            })
            .map(|o| (version_of(o), *o))
            .collect();
        changed.sort_by_key(|(version, _)| *version);
        let present: HashMap<Key, Option<String>> = selected
            .iter()
            .map(|o| (key(o), o.metadata().uid.clone()))
            .collect();
        let mut gone: Vec<Key> = self
            .seen
            .iter()
            .filter(|(k, seen)| present.get(*k).is_none_or(|uid| *uid != seen.uid))
            .map(|(k, _)| k.clone())
            .collect();
        gone.sort();
        for k in gone {
            if let Some(seen) = self.seen.remove(&k) {
                self.queue
                    .push_back(json!({"type": "DELETED", "object": seen.value}));
            }
        }
        for (version, object) in changed {
            let value = self.encode(object, cluster);
            let type_ = if self.seen.contains_key(&key(object)) {
                "MODIFIED"
            } else {
                "ADDED"
            };
            self.seen.insert(
                key(object),
                Seen {
                    uid: object.metadata().uid.clone(),
                    version,
                    value: value.clone(),
                },
            );
            self.queue
                .push_back(json!({"type": type_, "object": value}));
        }
    }
}

/// An object's resourceVersion as a number (0 if it has none).
fn version_of(object: &Object) -> u64 {
    object
        .metadata()
        .resource_version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// What a watcher was last sent of an object.
struct Seen {
    uid: Option<String>,
    version: u64,
    value: Value,
}
