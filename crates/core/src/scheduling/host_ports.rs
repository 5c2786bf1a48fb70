//! The `NodePorts` filter's view of host ports (`HostPortInfo` in the
//! scheduler's framework): a port is taken per host IP, protocol and number;
//! an empty host IP means `0.0.0.0`, which takes the port on every IP of the
//! node, and an empty protocol means TCP.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, Pod};

/// `ErrReason`.
pub const REASON: &str = "node(s) didn't have free ports for the requested pod ports";

/// `0.0.0.0`: every address of the node.
const BIND_ALL: &str = "0.0.0.0";

/// One host port a pod takes on its node.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i32,
}

/// The host ports of a pod's containers and of its sidecars (restartable
/// init containers); other init containers have finished before it runs.
pub fn of_pod(pod: &Pod) -> BTreeSet<HostPort> {
    let Some(spec) = &pod.spec else {
        return BTreeSet::new();
    };
    let sidecars = spec
        .init_containers
        .iter()
        .flatten()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"));
    spec.containers
        .iter()
        .chain(sidecars)
        .flat_map(|c: &Container| c.ports.iter().flatten())
        .filter(|p| p.host_port.is_some_and(|port| port > 0))
        .map(|p| HostPort {
            ip: p
                .host_ip
                .clone()
                .filter(|ip| !ip.is_empty())
                .unwrap_or_else(|| BIND_ALL.to_string()),
            protocol: p
                .protocol
                .clone()
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| "TCP".to_string()),
            port: p.host_port.unwrap_or(0),
        })
        .collect()
}

/// `CheckConflict`: whether `want` is taken among `used`. `0.0.0.0` conflicts
/// with the same protocol and port on any IP; another IP with itself and
/// with `0.0.0.0`.
pub fn conflicts(used: &BTreeSet<HostPort>, want: &HostPort) -> bool {
    used.iter().any(|u| {
        u.protocol == want.protocol
            && u.port == want.port
            && (want.ip == BIND_ALL || u.ip == BIND_ALL || u.ip == want.ip)
    })
}

/// `fitsPorts`: whether none of `wanted` is taken among `used`.
pub fn fit(used: &BTreeSet<HostPort>, wanted: &BTreeSet<HostPort>) -> bool {
    !wanted.iter().any(|w| conflicts(used, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerPort, PodSpec};

    /// `newPod(host, "PROTOCOL/IP/PORT"...)` of node_ports_test.go.
    fn pod(ports: &[&str]) -> Pod {
        pod_with(ports, false)
    }

    fn pod_with(ports: &[&str], in_sidecar: bool) -> Pod {
        let ports: Vec<ContainerPort> = ports
            .iter()
            .map(|p| {
                let parts: Vec<&str> = p.split('/').collect();
                ContainerPort {
                    protocol: Some(parts[0].to_string()),
                    host_ip: Some(parts[1].to_string()).filter(|ip| !ip.is_empty()),
                    host_port: parts[2].parse().ok(),
                    container_port: parts[2].parse().unwrap_or(0),
                    ..Default::default()
                }
            })
            .collect();
        let container = Container {
            name: "c".into(),
            ports: Some(ports),
            restart_policy: in_sidecar.then(|| "Always".to_string()),
            ..Default::default()
        };
        let spec = if in_sidecar {
            PodSpec {
                init_containers: Some(vec![container]),
                ..Default::default()
            }
        } else {
            PodSpec {
                containers: vec![container],
                ..Default::default()
            }
        };
        Pod {
            spec: Some(spec),
            ..Default::default()
        }
    }

    fn fits(wanted: &Pod, on_node: &Pod) -> bool {
        fit(&of_pod(on_node), &of_pod(wanted))
    }

    // TestNodePorts, pkg/scheduler/framework/plugins/nodeports/node_ports_test.go.
    #[test]
    fn node_ports() {
        let cases: &[(&str, &[&str], &[&str], bool)] = &[
            (
                "other port",
                &["UDP/127.0.0.1/8080"],
                &["UDP/127.0.0.1/9090"],
                true,
            ),
            (
                "same udp port",
                &["UDP/127.0.0.1/8080"],
                &["UDP/127.0.0.1/8080"],
                false,
            ),
            (
                "same tcp port",
                &["TCP/127.0.0.1/8080"],
                &["TCP/127.0.0.1/8080"],
                false,
            ),
            (
                "different host ip",
                &["TCP/127.0.0.1/8080"],
                &["TCP/127.0.0.2/8080"],
                true,
            ),
            (
                "different protocol",
                &["UDP/127.0.0.1/8080"],
                &["TCP/127.0.0.1/8080"],
                true,
            ),
            (
                "second udp port conflict",
                &["UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"],
                &["UDP/127.0.0.1/8080"],
                false,
            ),
            (
                "first tcp port conflict",
                &["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"],
                &["TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"],
                false,
            ),
            (
                "first tcp port conflict due to 0.0.0.0 hostIP",
                &["TCP/0.0.0.0/8001"],
                &["TCP/127.0.0.1/8001"],
                false,
            ),
            (
                "TCP hostPort conflict due to 0.0.0.0 hostIP",
                &["TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"],
                &["TCP/127.0.0.1/8001"],
                false,
            ),
            (
                "second tcp port conflict to 0.0.0.0 hostIP",
                &["TCP/127.0.0.1/8001"],
                &["TCP/0.0.0.0/8001"],
                false,
            ),
            (
                "second different protocol",
                &["UDP/127.0.0.1/8001"],
                &["TCP/0.0.0.0/8001"],
                true,
            ),
            (
                "UDP hostPort conflict due to 0.0.0.0 hostIP",
                &["UDP/127.0.0.1/8001"],
                &["TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"],
                false,
            ),
        ];
        for (name, wanted, on_node, expected) in cases {
            assert_eq!(fits(&pod(wanted), &pod(on_node)), *expected, "{name}");
        }
        // "non-sidecar initContainer using hostPort": PreFilter skips it.
        let mut init_only = pod_with(&["TCP//8001"], true);
        if let Some(init) = init_only
            .spec
            .as_mut()
            .and_then(|s| s.init_containers.as_mut())
        {
            init[0].restart_policy = None;
        }
        assert!(of_pod(&init_only).is_empty());
        // "TCP hostPort conflict from sidecar initContainer".
        let sidecar = pod_with(&["TCP//8001"], true);
        assert!(!fits(&sidecar, &pod(&["TCP/0.0.0.0/8001"])));
    }

    // TestFits, the same file.
    #[test]
    fn fits_cases() {
        let cases: &[(&str, &[&str], &[&str], bool)] = &[
            (
                "non-conflicting ports",
                &["TCP/127.0.0.1/80"],
                &["TCP/127.0.0.1/9090"],
                true,
            ),
            (
                "multiple non-conflicting ports",
                &[
                    "TCP/127.0.0.1/80",
                    "TCP/127.0.1.1/80",
                    "TCP/127.0.1.1/90",
                    "TCP/127.0.1.1/100",
                ],
                &[
                    "TCP/127.0.0.1/9090",
                    "TCP/127.0.0.1/9191",
                    "TCP/127.0.1.1/8080",
                ],
                true,
            ),
            (
                "same ports on different protocols",
                &["TCP/127.0.0.1/80"],
                &["UDP/127.0.0.1/80"],
                true,
            ),
            (
                "conflicting ports",
                &["TCP/127.0.0.1/80"],
                &["TCP/127.0.0.1/80"],
                false,
            ),
            (
                "multiple ports, some conflicting",
                &[
                    "TCP/127.0.0.1/80",
                    "TCP/127.0.1.1/80",
                    "TCP/127.0.1.1/90",
                    "TCP/127.0.1.1/100",
                ],
                &[
                    "TCP/127.0.0.1/9090",
                    "TCP/127.0.1.1/90",
                    "TCP/127.0.1.1/8080",
                ],
                false,
            ),
        ];
        for (name, wanted, on_node, expected) in cases {
            assert_eq!(fits(&pod(wanted), &pod(on_node)), *expected, "{name}");
        }
    }
}
