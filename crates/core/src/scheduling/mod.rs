//! Predicates shared by the DaemonSet controller and the scheduler.

pub mod host_ports;
pub mod node_affinity;
pub mod taints;
