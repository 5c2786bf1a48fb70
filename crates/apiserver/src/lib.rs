//! `daemonlab serve`: the simulated cluster behind the Kubernetes HTTP API, so
//! that real kubectl, client-go and kube-rs programs talk to it as to a real
//! API server. Requests are plain data ([`Request`], [`Response`]) handled by
//! [`ApiServer::handle`]; [`listen`] serves them over HTTP/1.1.
//!
//! Controllers run after the writes, as a real cluster's do: as soon as a
//! request comes from another connection than the writer's (the next kubectl
//! command), when the writer's connection closes, and, with a wall clock, as
//! time passes. With a manual clock, a client that waits (a watch with
//! nothing to send, a poll for a pod that is going away) while something is
//! under way sees time move to the next change, as `kubectl rollout status`
//! or `drain` would on a real cluster.

mod discovery;
mod listen;
mod metrics;
mod objects;
mod openapi;
mod protobuf;
mod route;
mod status;
mod tables;
mod watch;

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use daemonlab_core::sim::Cluster;

pub use self::listen::{listen, Listener};
use self::route::Route;
pub use self::watch::WatchStream;

/// One HTTP request, as read off the socket.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query's parameters, decoded, in their order.
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The connection it came on (0: none, a request made in the process).
    pub connection: u64,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `GET /api/v1/pods?watch=1` with the query written as a client would.
    pub fn get(target: &str) -> Request {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        Request {
            method: "GET".to_string(),
            path: path.to_string(),
            query: listen::parse_query(query),
            ..Request::default()
        }
    }
}

/// What the server answers.
pub struct Response {
    pub code: u16,
    pub content_type: String,
    pub body: Body,
    /// Extra headers (`Warning`, say).
    pub headers: Vec<(String, String)>,
}

pub enum Body {
    Bytes(Vec<u8>),
    /// A watch: events as they happen, until the client goes or time is up.
    Watch(Box<WatchStream>),
}

impl Response {
    pub fn json(code: u16, value: &serde_json::Value) -> Response {
        Response::typed(code, "application/json", value)
    }

    pub fn typed(code: u16, content_type: &str, value: &serde_json::Value) -> Response {
        Response {
            code,
            content_type: content_type.to_string(),
            body: Body::Bytes(serde_json::to_vec(value).unwrap_or_default()),
            headers: Vec::new(),
        }
    }

    pub fn text(code: u16, text: impl Into<String>) -> Response {
        Response {
            code,
            content_type: "text/plain; charset=utf-8".to_string(),
            body: Body::Bytes(text.into().into_bytes()),
            headers: Vec::new(),
        }
    }
}

/// How virtual time moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clock {
    /// With the wall clock, `speed` virtual seconds per second.
    Wall { speed: f64 },
    /// Only when a client asks (`POST /daemonlab/sim` with `advance 30s` or
    /// `settle`): for tests that must not depend on timing.
    Manual,
}

/// The simulated cluster behind the API.
pub struct ApiServer {
    state: Mutex<State>,
    /// Woken whenever the store changes, for watches.
    changed: Condvar,
    pub(crate) clock: Clock,
}

pub(crate) struct State {
    pub cluster: Cluster,
    /// Written since the controllers last ran.
    pub dirty: bool,
    /// The connection whose writes are not yet reconciled: its own later
    /// requests (the rest of one kubectl command) do not wait for the controllers.
    pub writer: Option<u64>,
    /// When the wall clock last moved virtual time.
    pub ticked: Instant,
    /// Requests being answered, watches streaming.
    pub busy: usize,
    pub watching: usize,
    /// When the last answer or watch event went out.
    pub quiet_since: Instant,
    /// The terminating pod a connection asked for last: asked again, it is
    /// being polled.
    pub polled: Option<(u64, String, String)>,
}

/// How long a watch must have waited since its last event for a manual clock
/// to move: time for its client to act on that event, or hang up.
const WATCH_QUIET: Duration = Duration::from_millis(100);

impl ApiServer {
    pub fn new(cluster: Cluster, clock: Clock) -> ApiServer {
        ApiServer {
            state: Mutex::new(State {
                cluster,
                dirty: false,
                writer: None,
                ticked: Instant::now(),
                busy: 0,
                watching: 0,
                quiet_since: Instant::now(),
                polled: None,
            }),
            changed: Condvar::new(),
            clock,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked must not take every later request with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves virtual time with the wall clock, or for a client that waits;
    /// called as requests come and by the listener's ticker.
    pub fn tick(&self) {
        let Clock::Wall { speed } = self.clock else {
            self.step_for_waiting_client();
            return;
        };
        let mut state = self.lock();
        let elapsed = state.ticked.elapsed();
        let virtual_time = elapsed.mul_f64(speed.max(0.0));
        // Whole milliseconds: the cluster's clock has no finer grain worth a pass.
        if virtual_time < Duration::from_millis(1) {
            return;
        }
        state.ticked = Instant::now();
        state.cluster.advance(virtual_time);
        state.dirty = false;
        state.writer = None;
        drop(state);
        self.changed.notify_all();
    }

    /// A manual clock moves to the next change while something is under way
    /// and a watch has waited a while with nothing to send: someone waits.
    fn step_for_waiting_client(&self) {
        let state = self.lock();
        if state.watching == 0 || state.busy > 0 || state.quiet_since.elapsed() < WATCH_QUIET {
            return;
        }
        self.step(state);
    }

    /// Moves a manual clock to the next change, if something is under way.
    fn step(&self, mut state: MutexGuard<'_, State>) {
        if !state.cluster.wait_for_change() {
            return;
        }
        state.dirty = false;
        state.writer = None;
        state.quiet_since = Instant::now();
        drop(state);
        self.changed.notify_all();
    }

    /// The connection is gone: its command is over, the controllers run.
    pub(crate) fn closed(&self, connection: u64) {
        let mut state = self.lock();
        if state.dirty && state.writer == Some(connection) {
            state.cluster.reconcile();
            state.dirty = false;
            state.writer = None;
            drop(state);
            self.changed.notify_all();
        }
    }

    /// A watch starts or stops streaming, or sends an event.
    pub(crate) fn watch_started(&self, started: bool) {
        let mut state = self.lock();
        if started {
            state.watching += 1;
        } else {
            state.watching = state.watching.saturating_sub(1);
        }
        state.quiet_since = Instant::now();
    }

    pub(crate) fn watch_sent(&self) {
        self.lock().quiet_since = Instant::now();
    }

    /// Answers one request.
    pub fn handle(self: &Arc<Self>, request: &Request) -> Response {
        self.tick();
        self.lock().busy += 1;
        let response = self.answer(request);
        let mut state = self.lock();
        state.busy -= 1;
        state.quiet_since = Instant::now();
        response
    }

    fn answer(self: &Arc<Self>, request: &Request) -> Response {
        let route = Route::of(request);
        if let Route::Resource(_) | Route::Sim = route {
            self.catch_up(request);
            self.step_for_polling_client(request);
        }
        match route {
            Route::Version => discovery::version(),
            Route::Api => discovery::api(self, request),
            Route::Apis => discovery::apis(self, request),
            Route::GroupVersion { group, version } => {
                discovery::resource_list(self, &group, &version)
            }
            Route::Resource(target) if target.group == metrics::GROUP => {
                metrics::handle(self, request, &target)
            }
            Route::OpenApiV3(rest) => openapi::v3(self, &rest),
            Route::OpenApiV2 => openapi::v2(),
            Route::Sim => self.sim(request),
            Route::Resource(target) => objects::handle(self, request, target),
            Route::NotFound => status::not_found_path(),
        }
    }

    /// A client asking again, on the same connection and with nothing written
    /// in between, for a pod that is going away polls for it to go (as
    /// `kubectl drain` does every second): a manual clock moves on for it.
    fn step_for_polling_client(&self, request: &Request) {
        if self.clock != Clock::Manual || request.method != "GET" || request.connection == 0 {
            return;
        }
        let Route::Resource(target) = Route::of(request) else {
            return;
        };
        let (Some(namespace), Some(name), None) =
            (&target.namespace, &target.name, &target.subresource)
        else {
            return;
        };
        if target.resource != "pods" || !target.group.is_empty() {
            return;
        }
        let mut state = self.lock();
        let key = (request.connection, namespace.clone(), name.clone());
        let asked_before = state.polled.as_ref() == Some(&key);
        let terminating = state
            .cluster
            .store()
            .pod(&(namespace.clone(), name.clone()))
            .is_some_and(|p| p.metadata.deletion_timestamp.is_some());
        state.polled = Some(key).filter(|_| terminating);
        if asked_before && terminating {
            self.step(state);
        }
    }

    /// Runs the controllers over the writes of an earlier command.
    fn catch_up(&self, request: &Request) {
        let mut state = self.lock();
        if !state.dirty {
            return;
        }
        if request.connection != 0 && Some(request.connection) == state.writer {
            return;
        }
        state.cluster.reconcile();
        state.dirty = false;
        state.writer = None;
        drop(state);
        self.changed.notify_all();
    }

    /// After a write: the controllers run when the writer's command is over.
    pub(crate) fn wrote(&self, state: &mut State, request: &Request) {
        state.polled = None;
        state.dirty = true;
        state.writer = Some(request.connection).filter(|c| *c != 0);
        self.changed.notify_all();
    }

    /// `POST /daemonlab/sim`: a `sim` command (`advance 30s`, `settle`,
    /// `node down NAME`, `explain pod NAME`), answered with what it prints.
    fn sim(&self, request: &Request) -> Response {
        if request.method != "POST" {
            return status::method_not_allowed();
        }
        let line = String::from_utf8_lossy(&request.body);
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let mut state = self.lock();
        let output = daemonlab_kubectl::shell::sim(&mut state.cluster, &words);
        drop(state);
        self.changed.notify_all();
        let code = if output.exit_code == 0 { 200 } else { 400 };
        Response::text(code, output.stdout + &output.stderr)
    }

    /// Waits until the store may have changed, or `timeout` has passed.
    pub(crate) fn wait_for_change<'a>(
        &'a self,
        state: MutexGuard<'a, State>,
        timeout: Duration,
    ) -> MutexGuard<'a, State> {
        match self.changed.wait_timeout(state, timeout) {
            Ok((state, _)) => state,
            Err(e) => e.into_inner().0,
        }
    }
}

/// A kubeconfig for a server at `address`, its context named `daemonlab`.
pub fn kubeconfig(address: &std::net::SocketAddr) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: daemonlab
  cluster:
    server: http://{address}
contexts:
- name: daemonlab
  context:
    cluster: daemonlab
    user: daemonlab
    namespace: default
current-context: daemonlab
users:
- name: daemonlab
  user: {{}}
preferences: {{}}
"
    )
}
