//! The kubelets: a Node object joins as a registered, Ready node; pods bound to
//! it pull their images, start, become Ready, crash or fail to pull, and stop
//! when deleted. The container runtime's state lives here, as it lives on a
//! node and not in the API.
//!
//! Images behave by tag, so a manifest alone decides: `:missing` never pulls
//! (ErrImagePull, then ImagePullBackOff), `:crash` exits a second after every
//! start (CrashLoopBackOff), anything else pulls in 2 s and runs. Before any
//! of that the pod's volumes must mount (`volumes`); init containers then run
//! one by one, each for a second, before the app containers start.

mod admission;
pub mod lease;
mod volumes;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Node, NodeAddress, NodeCondition, NodeStatus,
    NodeSystemInfo, Pod, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

use super::events::{record, reference, Reporter};
use super::{later, pod_node_name, Ctx, Cursor, Timers};
use crate::api::store::{key_of, Key, Store, WatchEventType};
use crate::api::Kind;
use crate::scheduling::node_resources::is_extended;
use lease::Leases;

pub const KUBELET_VERSION: &str = "v1.36.3";
const PULL_TIME: Duration = Duration::from_secs(2);
const CRASH_AFTER: Duration = Duration::from_secs(1);
/// How long an init container that succeeds runs.
const INIT_RUN: Duration = Duration::from_secs(1);
/// The volume manager's retry back-off: 0.5 s doubling to 2 min 2 s.
const MOUNT_BACKOFF_START: Duration = Duration::from_millis(500);
const MOUNT_BACKOFF_MAX: Duration = Duration::from_secs(122);
/// A container that handles SIGTERM stops this soon (never later than the grace period).
const STOP_TIME: Duration = Duration::from_secs(2);
const BACKOFF_START: Duration = Duration::from_secs(10);
const BACKOFF_MAX: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Waiting for the pod's volumes (ConfigMaps, Secrets) to exist.
    Mounting,
    Pulling,
    PullFailed,
    PullBackOff,
    Running,
    CrashBackOff,
    /// Exited with an error and `restartPolicy: Never`: the pod has failed.
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct PodRuntime {
    uid: String,
    stage: Stage,
    /// When the current stage began.
    since: Timestamp,
    /// Failed pulls or restarts so far, for the back-off.
    failures: u32,
    started_at: Option<Timestamp>,
    last_exit: Option<(Timestamp, Timestamp)>,
    /// The pod's IP, given when its sandbox is made.
    ip: Option<String>,
    /// Start and end of each init container that has completed, in order.
    init_done: Vec<(Timestamp, Timestamp)>,
    /// Failed mount attempts, and when the volume manager tries again.
    mount_failures: u32,
    next_mount: Option<Timestamp>,
}

impl PodRuntime {
    fn new(uid: String, now: Timestamp) -> Self {
        PodRuntime {
            uid,
            stage: Stage::Mounting,
            since: now,
            failures: 0,
            started_at: None,
            last_exit: None,
            ip: None,
            init_done: Vec::new(),
            mount_failures: 0,
            next_mount: None,
        }
    }
}

/// What runs on the nodes: which kubelets are down, their leases, and each
/// pod's containers.
#[derive(Clone, Debug)]
pub struct Kubelets {
    /// Nodes whose kubelet stopped reporting, and since when.
    down: BTreeMap<String, Timestamp>,
    pods: BTreeMap<Key, PodRuntime>,
    /// Node name → its number, for addresses and pod CIDRs.
    numbers: BTreeMap<String, u32>,
    /// Pods started so far per node, for pod IPs.
    started: BTreeMap<String, u32>,
    /// Nodes whose kubelet stopped or started since the controllers last ran.
    poked: BTreeSet<String>,
    cursor: Cursor,
    /// When each pod's containers next change by themselves.
    timers: Timers<Key>,
    leases: Leases,
}

impl Kubelets {
    pub fn new(seed: u64) -> Self {
        Kubelets {
            down: BTreeMap::new(),
            pods: BTreeMap::new(),
            numbers: BTreeMap::new(),
            started: BTreeMap::new(),
            poked: BTreeSet::new(),
            cursor: Cursor::default(),
            timers: Timers::default(),
            leases: Leases::new(seed),
        }
    }

    /// `sim node down`: the kubelet stops reporting.
    pub fn stop(&mut self, node: &str, now: Timestamp) {
        self.down.entry(node.to_string()).or_insert(now);
        self.poked.insert(node.to_string());
    }

    /// `sim node up`: the kubelet reports again.
    pub fn start(&mut self, node: &str) {
        self.down.remove(node);
        self.leases.restart(node);
        self.poked.insert(node.to_string());
    }

    /// The nodes whose kubelet stopped or started since the last call.
    pub fn take_poked(&mut self) -> BTreeSet<String> {
        std::mem::take(&mut self.poked)
    }

    /// The nodes whose kubelet is down.
    pub fn down_nodes(&self) -> impl Iterator<Item = &str> {
        self.down.keys().map(String::as_str)
    }

    /// How far the kubelets have read the watch log.
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    pub fn is_down(&self, node: &str) -> bool {
        self.down.contains_key(node)
    }

    /// When the kubelet of `node` last reported, if it has stopped.
    pub fn down_since(&self, node: &str) -> Option<Timestamp> {
        self.down.get(node).copied()
    }
}

/// The kubelet's back-off before retry number `failures + 1`: 10 s doubling to 5 min.
fn backoff(failures: u32) -> Duration {
    BACKOFF_START
        .saturating_mul(1 << failures.min(8))
        .min(BACKOFF_MAX)
}

/// A crashed container is restarted at once the first time, then after 10 s, 20 s…
fn restart_delay(restarts: u32) -> Duration {
    match restarts {
        0 | 1 => Duration::ZERO,
        n => backoff(n - 2),
    }
}

fn default_capacity() -> BTreeMap<String, Quantity> {
    [
        ("cpu", "4"),
        ("ephemeral-storage", "100Gi"),
        ("hugepages-1Gi", "0"),
        ("hugepages-2Mi", "0"),
        ("memory", "16Gi"),
        ("pods", "110"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
    .collect()
}

pub fn node_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &Time,
) -> NodeCondition {
    NodeCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message.to_string()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// The conditions a healthy kubelet reports, Ready last.
fn healthy_conditions(now: &Time) -> Vec<NodeCondition> {
    vec![
        node_condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            now,
        ),
        node_condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            now,
        ),
        node_condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            now,
        ),
        node_condition(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status",
            now,
        ),
    ]
}

/// What a kubelet writes when it registers its node: the well-known labels,
/// addresses, a pod CIDR, capacity (unless the manifest gave one) and Ready.
fn register(node: &Node, number: u32, now: &Time) -> Node {
    let mut node = node.clone();
    let name = node.metadata.name.clone().unwrap_or_default();
    let labels = node.metadata.labels.get_or_insert_with(Default::default);
    for (key, value) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", name.as_str()),
        ("kubernetes.io/os", "linux"),
    ] {
        labels
            .entry(key.to_string())
            .or_insert_with(|| value.to_string());
    }
    let spec = node.spec.get_or_insert_with(Default::default);
    spec.pod_cidr
        .get_or_insert_with(|| format!("10.244.{number}.0/24"));
    spec.pod_cidrs
        .get_or_insert_with(|| vec![format!("10.244.{number}.0/24")]);
    let status = node.status.get_or_insert_with(NodeStatus::default);
    let capacity = status.capacity.get_or_insert_with(default_capacity).clone();
    status.allocatable.get_or_insert(capacity);
    status.conditions = Some(healthy_conditions(now));
    status.addresses.get_or_insert_with(|| {
        vec![
            NodeAddress {
                type_: "InternalIP".to_string(),
                address: format!("172.18.0.{}", number + 2),
            },
            NodeAddress {
                type_: "Hostname".to_string(),
                address: name.clone(),
            },
        ]
    });
    status.node_info.get_or_insert_with(|| NodeSystemInfo {
        architecture: "amd64".to_string(),
        operating_system: "linux".to_string(),
        kubelet_version: KUBELET_VERSION.to_string(),
        os_image: "Ubuntu 24.04.3 LTS".to_string(),
        kernel_version: "6.8.0-88-generic".to_string(),
        container_runtime_version: "containerd://2.1.4".to_string(),
        ..Default::default()
    });
    node
}

/// The node with its allocatable extended resources following its capacity,
/// as the kubelet's next status update writes them (an extended resource a
/// device plugin or a `status` patch put in the capacity is allocatable in
/// full; one taken out of the capacity leaves allocatable too), if that
/// changes anything.
fn extended_allocatable(node: &Node) -> Option<Node> {
    let status = node.status.as_ref()?;
    let capacity = status.capacity.clone().unwrap_or_default();
    let mut allocatable = status.allocatable.clone().unwrap_or_default();
    allocatable.retain(|name, _| !is_extended(name) || capacity.contains_key(name));
    for (name, amount) in capacity.iter().filter(|(name, _)| is_extended(name)) {
        allocatable.insert(name.clone(), amount.clone());
    }
    if status.allocatable.as_ref() == Some(&allocatable) {
        return None;
    }
    let mut node = node.clone();
    node.status
        .get_or_insert_with(NodeStatus::default)
        .allocatable = Some(allocatable);
    Some(node)
}

fn image_tag(image: &str) -> &str {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':')
        .map_or("", |(_, tag)| tag.split('@').next().unwrap_or(""))
}

fn init_containers(pod: &Pod) -> &[Container] {
    pod.spec
        .as_ref()
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default()
}

/// Are init containers still to run?
fn initializing(pod: &Pod, runtime: &PodRuntime) -> bool {
    runtime.init_done.len() < init_containers(pod).len()
}

/// The container the runtime works on: the next init container, else the
/// first app container.
fn current<'a>(pod: &'a Pod, runtime: &PodRuntime) -> Option<&'a Container> {
    init_containers(pod)
        .get(runtime.init_done.len())
        .or_else(|| pod.spec.as_ref()?.containers.first())
}

/// Does the container being worked on behave as `tag` says? While
/// initializing that is the init container's image, then any app container's.
fn behaves(pod: &Pod, runtime: &PodRuntime, tag: &str) -> bool {
    if initializing(pod, runtime) {
        current(pod, runtime).is_some_and(|c| image_tag(c.image.as_deref().unwrap_or("")) == tag)
    } else {
        pod_has_image_tag(pod, tag)
    }
}

fn mount_backoff(failures: u32) -> Duration {
    MOUNT_BACKOFF_START
        .saturating_mul(1 << failures.min(10))
        .min(MOUNT_BACKOFF_MAX)
}

fn pod_has_image_tag(pod: &Pod, tag: &str) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .any(|c| image_tag(c.image.as_deref().unwrap_or("")) == tag)
}

fn readiness_delay(pod: &Pod) -> Duration {
    let seconds = pod
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| c.readiness_probe.as_ref())
        .map(|p| p.initial_delay_seconds.unwrap_or(0))
        .max()
        .unwrap_or(0);
    Duration::from_secs(seconds.max(0).unsigned_abs().into())
}

fn set_condition(
    conditions: &mut Vec<PodCondition>,
    type_: &str,
    ok: bool,
    now: &Time,
    reason: Option<String>,
    message: Option<String>,
) {
    let status = if ok { "True" } else { "False" };
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(existing) if existing.status == status => {
            existing.reason = reason;
            existing.message = message;
        }
        Some(existing) => {
            existing.status = status.to_string();
            existing.last_transition_time = Some(now.clone());
            existing.reason = reason;
            existing.message = message;
        }
        None => conditions.push(PodCondition {
            type_: type_.to_string(),
            status: status.to_string(),
            last_transition_time: Some(now.clone()),
            reason,
            message,
            ..Default::default()
        }),
    }
}

/// A container that has not started: `PodInitializing` in a pod with init
/// containers, `ContainerCreating` otherwise (`convertToAPIContainerStatuses`).
fn not_started(pod: &Pod) -> ContainerState {
    let reason = if init_containers(pod).is_empty() {
        "ContainerCreating"
    } else {
        "PodInitializing"
    };
    waiting(reason, None)
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.to_string()),
            message,
        }),
        ..Default::default()
    }
}

/// The state of the container the runtime is working on.
fn working_state(pod: &Pod, runtime: &PodRuntime, container: &Container) -> ContainerState {
    let image = container.image.clone().unwrap_or_default();
    match runtime.stage {
        Stage::Mounting => not_started(pod),
        Stage::Pulling if runtime.failures == 0 => not_started(pod),
        Stage::Pulling | Stage::PullBackOff => waiting(
            "ImagePullBackOff",
            Some(format!("Back-off pulling image \"{image}\"")),
        ),
        Stage::PullFailed => waiting(
            "ErrImagePull",
            Some(format!(
                "failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found"
            )),
        ),
        Stage::Running => ContainerState {
            running: Some(ContainerStateRunning {
                started_at: Some(Time(runtime.since)).filter(|_| initializing(pod, runtime))
                    .or(runtime.started_at.map(Time)),
            }),
            ..Default::default()
        },
        Stage::CrashBackOff => waiting(
            "CrashLoopBackOff",
            Some(format!(
                "back-off {}s restarting failed container={} pod={}_{}({})",
                restart_delay(runtime.failures).as_secs(),
                container.name,
                pod.metadata.name.as_deref().unwrap_or(""),
                pod.metadata.namespace.as_deref().unwrap_or(""),
                runtime.uid
            )),
        ),
        Stage::Failed => ContainerState {
            terminated: runtime.last_exit.map(exited_with_error),
            ..Default::default()
        },
    }
}

fn image_id(image: &str) -> String {
    format!("{image}@sha256:{:064x}", image.len())
}

/// The init containers' statuses: completed ones terminated with exit 0,
/// the one running (or failing) as its stage says, the rest not started.
fn init_statuses(pod: &Pod, runtime: &PodRuntime) -> Vec<ContainerStatus> {
    let done = runtime.init_done.len();
    init_containers(pod)
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let image = c.image.clone().unwrap_or_default();
            let (state, ready, started, restarts, last) = if i < done {
                let (started_at, finished_at) = runtime.init_done[i];
                let completed = ContainerState {
                    terminated: Some(ContainerStateTerminated {
                        exit_code: 0,
                        reason: Some("Completed".to_string()),
                        started_at: Some(Time(started_at)),
                        finished_at: Some(Time(finished_at)),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                (completed, true, false, 0, None)
            } else if i == done {
                let restarts = if behaves(pod, runtime, "crash") {
                    i32::try_from(runtime.failures).unwrap_or(i32::MAX)
                } else {
                    0
                };
                let last = runtime
                    .last_exit
                    .filter(|_| runtime.stage != Stage::Failed)
                    .map(|exit| ContainerState {
                        terminated: Some(exited_with_error(exit)),
                        ..Default::default()
                    });
                let started = runtime.stage == Stage::Running;
                (
                    working_state(pod, runtime, c),
                    false,
                    started,
                    restarts,
                    last,
                )
            } else {
                (not_started(pod), false, false, 0, None)
            };
            let ran = i < done
                || (i == done
                    && runtime.stage != Stage::Mounting
                    && !(runtime.stage == Stage::Pulling && runtime.failures == 0));
            ContainerStatus {
                name: c.name.clone(),
                image: image.clone(),
                image_id: if ran { image_id(&image) } else { String::new() },
                ready,
                started: Some(started),
                restart_count: restarts,
                state: Some(state),
                last_state: Some(last.unwrap_or_default()),
                ..Default::default()
            }
        })
        .collect()
}

/// The pod's status for its runtime stage.
fn status_for(
    pod: &Pod,
    runtime: &PodRuntime,
    ready: bool,
    ips: (&str, &str),
    now: &Time,
) -> PodStatus {
    let mut status = pod.status.clone().unwrap_or_default();
    let containers = pod
        .spec
        .as_ref()
        .map(|s| s.containers.clone())
        .unwrap_or_default();
    let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
    let init = initializing(pod, runtime);
    let running = runtime.stage == Stage::Running && !init;
    status.phase = Some(
        match runtime.stage {
            Stage::Failed => "Failed",
            _ if runtime.started_at.is_some() => "Running",
            _ => "Pending",
        }
        .to_string(),
    );
    status.host_ip = Some(ips.0.to_string());
    status.host_ips = Some(vec![k8s_openapi::api::core::v1::HostIP {
        ip: ips.0.to_string(),
    }]);
    if runtime.started_at.is_some() || runtime.stage == Stage::Running {
        status.pod_ip = Some(ips.1.to_string());
        status.pod_ips = Some(vec![PodIP {
            ip: ips.1.to_string(),
        }]);
    }
    status.start_time.get_or_insert_with(|| now.clone());
    if !init_containers(pod).is_empty() {
        status.init_container_statuses = Some(init_statuses(pod, runtime));
    }
    status.container_statuses = Some(
        containers
            .iter()
            .map(|c| {
                let image = c.image.clone().unwrap_or_default();
                let state = if init {
                    not_started(pod)
                } else {
                    working_state(pod, runtime, c)
                };
                let last_exit = runtime
                    .last_exit
                    .filter(|_| runtime.stage != Stage::Failed && !init);
                let last_state = last_exit.map(|exit| ContainerState {
                    terminated: Some(exited_with_error(exit)),
                    ..Default::default()
                });
                ContainerStatus {
                    name: c.name.clone(),
                    image: image.clone(),
                    image_id: if runtime.started_at.is_some() {
                        image_id(&image)
                    } else {
                        String::new()
                    },
                    ready: running && ready,
                    started: Some(running),
                    restart_count: if pod_has_image_tag(pod, "crash") && !init {
                        i32::try_from(runtime.failures).unwrap_or(i32::MAX)
                    } else {
                        0
                    },
                    state: Some(state),
                    last_state: Some(last_state.unwrap_or_default()),
                    container_id: runtime
                        .started_at
                        .map(|t| format!("containerd://{:064x}", t.as_nanosecond())),
                    ..Default::default()
                }
            })
            .collect(),
    );
    let ready_all = running && ready;
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let unready =
        (!ready_all).then(|| format!("containers with unready status: [{}]", names.join(" ")));
    let reason = (!ready_all).then(|| "ContainersNotReady".to_string());
    let incomplete: Vec<String> = init_containers(pod)
        .iter()
        .skip(runtime.init_done.len())
        .map(|c| c.name.clone())
        .collect();
    set_condition(
        conditions,
        "PodReadyToStartContainers",
        runtime.stage != Stage::Mounting,
        now,
        None,
        None,
    );
    set_condition(
        conditions,
        "Initialized",
        !init,
        now,
        init.then(|| "ContainersNotInitialized".to_string()),
        init.then(|| {
            format!(
                "containers with incomplete status: [{}]",
                incomplete.join(" ")
            )
        }),
    );
    set_condition(
        conditions,
        "Ready",
        ready_all,
        now,
        reason.clone(),
        unready.clone(),
    );
    set_condition(
        conditions,
        "ContainersReady",
        ready_all,
        now,
        reason,
        unready,
    );
    // The order kubectl describe shows.
    let order = [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
    ];
    conditions.sort_by_key(|c| {
        order
            .iter()
            .position(|o| *o == c.type_)
            .unwrap_or(order.len())
    });
    status
}

fn kubelet_event(store: &mut Store, ctx: &mut Ctx, pod: &Pod, node: &str, event: KubeletEvent) {
    let (type_, reason, message, path) = event;
    let mut involved = reference(Kind::Pod, &pod.metadata);
    involved.field_path = path;
    record(
        store,
        ctx,
        involved,
        type_,
        reason,
        message,
        Reporter {
            component: "kubelet",
            host: Some(node),
        },
    );
}

/// An event the kubelet records about a pod: type, reason, message, and the
/// container it is about (`spec.initContainers{init}`), if any.
type KubeletEvent = (&'static str, &'static str, String, Option<String>);

/// The field path of the container being worked on.
fn container_path(pod: &Pod, runtime: &PodRuntime) -> Option<String> {
    let name = &current(pod, runtime)?.name;
    Some(if initializing(pod, runtime) {
        format!("spec.initContainers{{{name}}}")
    } else {
        format!("spec.containers{{{name}}}")
    })
}

/// The kubelet's events for starting a container (again, when `cached`).
fn start_events(
    image: &str,
    container: &str,
    cached: bool,
    path: &Option<String>,
) -> Vec<KubeletEvent> {
    let pulled = if cached {
        format!("Container image \"{image}\" already present on machine")
    } else {
        format!("Successfully pulled image \"{image}\" in 2s (2s including waiting)")
    };
    vec![
        ("Normal", "Pulled", pulled, path.clone()),
        (
            "Normal",
            "Created",
            format!("Created container: {container}"),
            path.clone(),
        ),
        (
            "Normal",
            "Started",
            format!("Started container {container}"),
            path.clone(),
        ),
    ]
}

/// Moves one pod's runtime forward to `now`; returns its runtime and events to record.
fn step(pod: &Pod, runtime: &mut PodRuntime, now: Timestamp) -> Vec<KubeletEvent> {
    let mut events: Vec<KubeletEvent> = Vec::new();
    let never_restart =
        pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("Never");
    loop {
        let init = initializing(pod, runtime);
        let working_on = current(pod, runtime);
        let image = working_on.and_then(|c| c.image.clone()).unwrap_or_default();
        let container = working_on.map(|c| c.name.clone()).unwrap_or_default();
        let path = container_path(pod, runtime);
        let due = |d: Duration| later(runtime.since, d) <= now;
        let crashes = behaves(pod, runtime, "crash");
        match runtime.stage {
            Stage::Pulling if due(PULL_TIME) => {
                let at = later(runtime.since, PULL_TIME);
                if behaves(pod, runtime, "missing") {
                    events.push(("Warning", "Failed", format!("Failed to pull image \"{image}\": failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found"), path.clone()));
                    events.push((
                        "Warning",
                        "Failed",
                        "Error: ErrImagePull".to_string(),
                        path.clone(),
                    ));
                    runtime.stage = Stage::PullFailed;
                    runtime.since = at;
                    runtime.failures += 1;
                } else {
                    let cached = if init {
                        runtime.failures > 0
                    } else {
                        runtime.started_at.is_some()
                    };
                    events.extend(start_events(&image, &container, cached, &path));
                    runtime.stage = Stage::Running;
                    runtime.since = at;
                    if !init {
                        runtime.started_at = Some(at);
                    }
                }
            }
            Stage::PullFailed if due(Duration::from_secs(1)) => {
                events.push((
                    "Normal",
                    "BackOff",
                    format!("Back-off pulling image \"{image}\""),
                    path.clone(),
                ));
                events.push((
                    "Warning",
                    "Failed",
                    "Error: ImagePullBackOff".to_string(),
                    path.clone(),
                ));
                runtime.stage = Stage::PullBackOff;
                runtime.since = later(runtime.since, Duration::from_secs(1));
            }
            Stage::PullBackOff if due(backoff(runtime.failures - 1)) => {
                events.push((
                    "Normal",
                    "Pulling",
                    format!("Pulling image \"{image}\""),
                    path.clone(),
                ));
                runtime.stage = Stage::Pulling;
                runtime.since = later(runtime.since, backoff(runtime.failures - 1));
            }
            // An init container that succeeds exits after a second; the next
            // container's image is pulled.
            Stage::Running if init && !crashes && due(INIT_RUN) => {
                let at = later(runtime.since, INIT_RUN);
                runtime.init_done.push((runtime.since, at));
                runtime.stage = Stage::Pulling;
                runtime.since = at;
                runtime.failures = 0;
                runtime.last_exit = None;
                let next = current(pod, runtime)
                    .and_then(|c| c.image.clone())
                    .unwrap_or_default();
                events.push((
                    "Normal",
                    "Pulling",
                    format!("Pulling image \"{next}\""),
                    container_path(pod, runtime),
                ));
            }
            Stage::Running if crashes && due(CRASH_AFTER) && never_restart => {
                runtime.last_exit = Some((runtime.since, later(runtime.since, CRASH_AFTER)));
                runtime.since = later(runtime.since, CRASH_AFTER);
                runtime.stage = Stage::Failed;
            }
            Stage::Running if crashes && due(CRASH_AFTER) => {
                let at = later(runtime.since, CRASH_AFTER);
                runtime.last_exit = Some((runtime.since, at));
                runtime.stage = Stage::CrashBackOff;
                runtime.since = at;
                runtime.failures += 1;
                events.push((
                    "Warning",
                    "BackOff",
                    format!(
                        "Back-off restarting failed container {container} in pod {}_{}({})",
                        pod.metadata.name.as_deref().unwrap_or(""),
                        pod.metadata.namespace.as_deref().unwrap_or(""),
                        runtime.uid
                    ),
                    path.clone(),
                ));
            }
            Stage::CrashBackOff if due(restart_delay(runtime.failures)) => {
                let at = later(runtime.since, restart_delay(runtime.failures));
                events.extend(start_events(&image, &container, true, &path));
                runtime.stage = Stage::Running;
                runtime.since = at;
                if !init {
                    runtime.started_at = Some(at);
                }
            }
            _ => return events,
        }
    }
}

/// When this runtime next changes by itself.
fn next_change(pod: &Pod, runtime: &PodRuntime) -> Option<Timestamp> {
    let after = |d| Some(later(runtime.since, d));
    match runtime.stage {
        Stage::Mounting => runtime.next_mount,
        Stage::Pulling => after(PULL_TIME),
        Stage::PullFailed => after(Duration::from_secs(1)),
        Stage::PullBackOff => after(backoff(runtime.failures.saturating_sub(1))),
        Stage::CrashBackOff => after(restart_delay(runtime.failures)),
        Stage::Running if behaves(pod, runtime, "crash") => after(CRASH_AFTER),
        Stage::Running if initializing(pod, runtime) => after(INIT_RUN),
        Stage::Running | Stage::Failed => None,
    }
}

/// Every kubelet's pass: register new nodes, run the pods bound to live nodes.
/// Only pods that changed, pods on nodes that changed or whose kubelet stopped
/// or started (`poked`), and pods whose timer came are looked at.
pub fn sync(
    store: &mut Store,
    kubelets: &mut Kubelets,
    poked: &BTreeSet<String>,
    ctx: &mut Ctx,
) -> bool {
    let mut changed = false;
    let now = ctx.now.clone();
    let mut nodes: BTreeSet<String> = poked.clone();
    let mut visit: BTreeSet<Key> = kubelets.timers.due(ctx.now()).into_iter().collect();
    for event in kubelets.cursor.unread(store) {
        match (event.kind, event.type_) {
            (Kind::Node, WatchEventType::Added | WatchEventType::Modified) => {
                nodes.insert(event.key.1.clone());
            }
            (Kind::Pod, _) => {
                visit.insert(event.key.clone());
            }
            _ => {}
        }
    }
    for name in &nodes {
        let Some(node) = store.node(name) else {
            continue;
        };
        let unregistered = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_none();
        if unregistered {
            let next = u32::try_from(kubelets.numbers.len()).unwrap_or(0) + 1;
            let number = *kubelets.numbers.entry(name.clone()).or_insert(next);
            let registered = register(node, number, &now);
            store.put_node(registered);
            changed = true;
        } else if let Some(updated) = extended_allocatable(node) {
            store.put_node(updated);
            changed = true;
        }
        visit.extend(store.pods_on_node(name).map(|p| key_of(&p.metadata)));
    }
    let down = &kubelets.down;
    changed |= kubelets
        .leases
        .renew(store, |node| down.contains_key(node), ctx.now());
    // New pods are admitted in the order they were created (`HandlePodAdditions`).
    let mut visit: Vec<Key> = visit.into_iter().collect();
    visit.sort_by_key(|key| {
        store
            .pod(key)
            .and_then(|p| p.metadata.creation_timestamp.as_ref())
            .map(|t| t.0)
    });
    for key in visit {
        changed |= sync_pod(store, kubelets, &key, ctx);
    }
    kubelets.timers.report(ctx);
    // What this pass wrote needs no second look.
    kubelets.cursor.catch_up(store);
    changed
}

/// One pod on its kubelet: stop it if deleted, else move its containers on to
/// now and write the status that follows. Returns whether the store changed.
fn sync_pod(store: &mut Store, kubelets: &mut Kubelets, key: &Key, ctx: &mut Ctx) -> bool {
    kubelets.timers.clear(key);
    let Some(pod) = store.pod(key) else {
        kubelets.pods.remove(key);
        return false;
    };
    let Some(node) = pod_node_name(pod)
        .filter(|n| store.node(n).is_some() && !kubelets.is_down(n))
        .map(str::to_string)
    else {
        return false;
    };
    let pod = pod.clone();
    let now = ctx.now.clone();
    if let Some(deleted_at) = &pod.metadata.deletion_timestamp {
        let grace = Duration::from_secs(
            pod.metadata
                .deletion_grace_period_seconds
                .unwrap_or(0)
                .max(0)
                .unsigned_abs(),
        );
        let requested = deleted_at.0.checked_sub(grace).unwrap_or(deleted_at.0);
        let gone_at = later(requested, grace.min(STOP_TIME));
        if gone_at > ctx.now() {
            kubelets.timers.set(key, Some(gone_at), None);
            return false;
        }
        if pod
            .status
            .as_ref()
            .is_some_and(|s| s.phase.as_deref() == Some("Running"))
        {
            let name = pod
                .spec
                .as_ref()
                .and_then(|s| s.containers.first())
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let event = (
                "Normal",
                "Killing",
                format!("Stopping container {name}"),
                Some(format!("spec.containers{{{name}}}")),
            );
            kubelet_event(store, ctx, &pod, &node, event);
        }
        store.remove_pod(key);
        kubelets.pods.remove(key);
        return true;
    }
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let admitted = kubelets.pods.get(key).is_some_and(|r| r.uid == uid);
    if !admitted {
        return admit(store, kubelets, &pod, key, &node, ctx);
    }
    let Some(runtime) = kubelets.pods.get_mut(key) else {
        return false;
    };
    let mut events = Vec::new();
    if runtime.stage == Stage::Mounting {
        let problems = volumes::unmountable(store, &pod);
        if problems.is_empty() {
            runtime.stage = Stage::Pulling;
            runtime.since = ctx.now();
            let image = current(&pod, runtime)
                .and_then(|c| c.image.clone())
                .unwrap_or_default();
            events.push((
                "Normal",
                "Pulling",
                format!("Pulling image \"{image}\""),
                container_path(&pod, runtime),
            ));
        } else if runtime.next_mount.is_none_or(|at| at <= ctx.now()) {
            // A mount problem is about the pod, not one container.
            events.extend(
                problems
                    .into_iter()
                    .map(|p| ("Warning", "FailedMount", p, None)),
            );
            runtime.next_mount = Some(later(ctx.now(), mount_backoff(runtime.mount_failures)));
            runtime.mount_failures += 1;
        }
    }
    events.extend(step(&pod, runtime, ctx.now()));
    let number = kubelets.numbers.get(&node).copied().unwrap_or(0);
    let host_ip = format!("172.18.0.{}", number + 2);
    if runtime.ip.is_none() {
        let host_network = pod.spec.as_ref().and_then(|s| s.host_network) == Some(true);
        runtime.ip = Some(if host_network {
            host_ip.clone()
        } else {
            let n = kubelets.started.entry(node.clone()).or_insert(0);
            *n += 1;
            format!("10.244.{number}.{}", *n + 1)
        });
    }
    let runtime = runtime.clone();
    let (mut pending, mut retry) = (None, None);
    if let Some(at) = next_change(&pod, &runtime) {
        // Pulls and init containers finish by themselves; mounts and
        // back-offs may never succeed.
        let under_way = (runtime.stage == Stage::Pulling && runtime.failures == 0)
            || (runtime.stage == Stage::Running && initializing(&pod, &runtime));
        if under_way {
            pending = Some(at);
        } else {
            retry = Some(at);
        }
    }
    let ready_at = runtime.started_at.map(|s| later(s, readiness_delay(&pod)));
    let ready = ready_at.is_some_and(|at| at <= ctx.now());
    if let Some(at) = ready_at.filter(|at| *at > ctx.now()) {
        pending = Some(pending.map_or(at, |p: Timestamp| p.min(at)));
    }
    kubelets.timers.set(key, pending, retry);
    let pod_ip = runtime.ip.clone().unwrap_or_default();
    for (type_, reason, message, path) in events {
        kubelet_event(store, ctx, &pod, &node, (type_, reason, message, path));
    }
    let status = status_for(&pod, &runtime, ready, (&host_ip, &pod_ip), &now);
    if pod.status.as_ref() == Some(&status) {
        return false;
    }
    let mut updated = pod;
    updated.status = Some(status);
    store.put_pod(updated);
    true
}

/// A pod the kubelet has not taken on yet: admit it against the pods it runs
/// on the node already, or reject it (phase Failed, with the reason). Returns
/// whether the store changed.
fn admit(
    store: &mut Store,
    kubelets: &mut Kubelets,
    pod: &Pod,
    key: &Key,
    node: &str,
    ctx: &mut Ctx,
) -> bool {
    // A pod that finished (or that this kubelet rejected) is not run again.
    if matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Failed" | "Succeeded")
    ) {
        return false;
    }
    let verdict = store.node(node).map(|node_object| {
        let running = store.pods_on_node(node).filter(|p| {
            let other = key_of(&p.metadata);
            other != *key
                && kubelets.pods.contains_key(&other)
                && !matches!(
                    p.status.as_ref().and_then(|s| s.phase.as_deref()),
                    Some("Failed" | "Succeeded")
                )
        });
        admission::admit(pod, node_object, running)
    });
    match verdict {
        Some(Ok(())) => {
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            kubelets
                .pods
                .insert(key.clone(), PodRuntime::new(uid, ctx.now()));
            // Run it in this same pass.
            sync_pod(store, kubelets, key, ctx)
        }
        Some(Err(rejected)) => {
            let mut involved = reference(Kind::Pod, &pod.metadata);
            involved.field_path = None;
            let reporter = Reporter {
                component: "kubelet",
                host: Some(node),
            };
            let message = rejected.message.clone();
            record(
                store,
                ctx,
                involved,
                "Warning",
                &rejected.reason,
                message,
                reporter,
            );
            let mut failed = pod.clone();
            let status = failed.status.get_or_insert_with(Default::default);
            status.phase = Some("Failed".to_string());
            status.reason = Some(rejected.reason);
            status.message = Some(format!("Pod was rejected: {}", rejected.message));
            status.start_time.get_or_insert_with(|| ctx.now.clone());
            store.put_pod(failed);
            true
        }
        None => false,
    }
}

/// A crash-looping or `restartPolicy: Never` container's exit: code 1, "Error".
fn exited_with_error((started, finished): (Timestamp, Timestamp)) -> ContainerStateTerminated {
    ContainerStateTerminated {
        exit_code: 1,
        reason: Some("Error".to_string()),
        started_at: Some(Time(started)),
        finished_at: Some(Time(finished)),
        ..Default::default()
    }
}
