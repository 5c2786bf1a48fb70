//! daemonlab's core: a deterministic simulation of the Kubernetes API server, the
//! DaemonSet controller, the scheduler and the kubelets. No browser dependency;
//! the CLI and the web front end both drive it. See ARCHITECTURE.md for a map.

pub mod api;
pub mod controllers;
pub mod explain;
pub mod scheduling;
pub mod sim;
pub mod view;

/// Manifests the playground opens with.
pub mod samples {
    /// Three nodes (one a tainted control plane) and a DaemonSet.
    pub const STARTER: &str = include_str!("../samples/starter.yaml");
}
