//! The scheduler's default profile, plugin by plugin, and the predicates the
//! DaemonSet controller shares with it.

pub mod framework;
pub mod host_ports;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_resources;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taints;

/// `framework.MaxNodeScore`: what a score plugin's normalised score is out of.
pub const MAX_NODE_SCORE: i64 = 100;
