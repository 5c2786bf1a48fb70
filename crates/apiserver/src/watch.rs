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
    /// The uid and what the watcher was last sent of each object it sees.
    seen: HashMap<Key, (Option<String>, Value)>,
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
    let oldest = state
        .cluster
        .store()
        .events_since(0)
        .first()
        .map_or(current, |e| e.resource_version.saturating_sub(1));
    let mut stream = WatchStream {
        server: Arc::clone(server),
        request: request.clone(),
        target: scope.target.clone(),
        kind: scope.kind,
        api_version: scope.api_version.clone(),
        resource_version: from,
        seen: HashMap::new(),
        queue: VecDeque::new(),
        deadline: Instant::now() + timeout,
        bookmarks: request.param("allowWatchBookmarks") == Some("true"),
        last_bookmark: Instant::now(),
        columns_sent: false,
    };
    if from < oldest && !initial_events {
        stream.queue.push_back(json!({
            "type": "ERROR",
            "object": status::body(410, "Expired", &format!("too old resource version: {from} ({current})"), None),
        }));
        stream.deadline = Instant::now();
    } else {
        // The objects as they are at `from` are what the client already has
        // (from its list), or what it is sent first.
        for object in &objects {
            let value = stream.encode(object, &state.cluster);
            let uid = object.metadata().uid.clone();
            stream.seen.insert(key(object), (uid, value.clone()));
            if initial_events {
                stream
                    .queue
                    .push_back(json!({"type": "ADDED", "object": value}));
            }
        }
        stream.resource_version = if initial_events { current } else { from };
        if request.param("sendInitialEvents") == Some("true") {
            stream.queue.push_back(json!({
                "type": "BOOKMARK",
                "object": stream.bookmark(current, true),
            }));
        }
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

    /// Queues the events for the changes after `resource_version`.
    fn collect(&mut self, cluster: &daemonlab_core::sim::Cluster) {
        let store = cluster.store();
        let scope = Scope {
            kind: self.kind,
            target: &self.target,
            api_version: self.api_version.clone(),
        };
        let mut changes: Vec<Key> = Vec::new();
        for event in store.events_since(self.resource_version) {
            if event.kind == self.kind && !changes.contains(&event.key) {
                changes.push(event.key.clone());
            }
        }
        self.resource_version = store.resource_version();
        if changes.is_empty() {
            return;
        }
        let Ok(selected) = select(store, &self.request, &scope) else {
            return;
        };
        let selected: HashMap<Key, &Object> = selected.into_iter().map(|o| (key(o), o)).collect();
        for key in changes {
            let current = selected.get(&key);
            let uid = current.and_then(|o| o.metadata().uid.clone());
            if let Some((seen_uid, last)) = self.seen.get(&key) {
                // Gone, out of the selection, or replaced by a namesake.
                if current.is_none() || *seen_uid != uid {
                    let last = last.clone();
                    self.seen.remove(&key);
                    self.queue
                        .push_back(json!({"type": "DELETED", "object": last}));
                }
            }
            let Some(object) = current else {
                continue;
            };
            let value = self.encode(object, cluster);
            let type_ = match self.seen.get(&key) {
                Some((_, previous)) if *previous == value => continue,
                Some(_) => "MODIFIED",
                None => "ADDED",
            };
            self.seen.insert(key, (uid, value.clone()));
            self.queue
                .push_back(json!({"type": type_, "object": value}));
        }
    }
}
