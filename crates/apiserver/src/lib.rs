//! `daemonlab serve`: the simulated cluster behind the Kubernetes HTTP API, so
//! that real kubectl, client-go and kube-rs programs talk to it as to a real
//! API server. Requests are plain data ([`Request`], [`Response`]) handled by
//! [`ApiServer::handle`]; [`listen`] serves them over HTTP/1.1.
//!
//! Controllers run as a real cluster's do, after the writes: when the next
//! command starts (kubectl marks each of its requests with the session of the
//! command), when a client that does not mark them sends its next request,
//! and, with a wall clock, as time passes.

mod discovery;
mod listen;
mod objects;
mod openapi;
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

    /// The body of a response that is not a watch.
    pub fn bytes(&self) -> &[u8] {
        match &self.body {
            Body::Bytes(bytes) => bytes,
            Body::Watch(_) => &[],
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
    clock: Clock,
}

pub(crate) struct State {
    pub cluster: Cluster,
    /// Written since the controllers last ran.
    pub dirty: bool,
    /// The kubectl command (`Kubectl-Session`) whose writes are not yet
    /// reconciled: its own later requests do not wait for the controllers.
    pub writer: Option<String>,
    /// When the wall clock last moved virtual time.
    pub ticked: Instant,
}

impl ApiServer {
    pub fn new(cluster: Cluster, clock: Clock) -> ApiServer {
        ApiServer {
            state: Mutex::new(State {
                cluster,
                dirty: false,
                writer: None,
                ticked: Instant::now(),
            }),
            changed: Condvar::new(),
            clock,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked left the cluster as it was between writes.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves virtual time with the wall clock; called as requests come and by
    /// the listener's ticker.
    pub fn tick(&self) {
        let Clock::Wall { speed } = self.clock else {
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

    /// Answers one request.
    pub fn handle(self: &Arc<Self>, request: &Request) -> Response {
        self.tick();
        let route = Route::of(request);
        if let Route::Resource(_) | Route::Sim = route {
            self.catch_up(request);
        }
        match route {
            Route::Version => discovery::version(),
            Route::Api => discovery::api(self, request),
            Route::Apis => discovery::apis(self, request),
            Route::GroupVersion { group, version } => {
                discovery::resource_list(self, &group, &version)
            }
            Route::OpenApiV3(rest) => openapi::v3(self, &rest),
            Route::Sim => self.sim(request),
            Route::Resource(target) => objects::handle(self, request, target),
            Route::NotFound => status::not_found_path(),
        }
    }

    /// Runs the controllers over the writes of an earlier command.
    fn catch_up(&self, request: &Request) {
        let mut state = self.lock();
        if !state.dirty {
            return;
        }
        let session = request.header("kubectl-session");
        if session.is_some() && session == state.writer.as_deref() {
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
        state.dirty = true;
        state.writer = request.header("kubectl-session").map(str::to_string);
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
