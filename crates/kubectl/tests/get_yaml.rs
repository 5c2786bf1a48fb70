//! `kubectl get -o yaml` of an applied DaemonSet shows what a real API server
//! stores: the manifest plus every defaulted field, in go-yaml's layout.

use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::{run, NoFiles};

fn kubectl(cluster: &mut Cluster, line: &str, stdin: &str) -> daemonlab_kubectl::Output {
    let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
    run(cluster, &argv, stdin, &NoFiles)
}

#[test]
fn an_applied_daemonset_shows_the_servers_defaults() {
    let mut cluster = Cluster::new(1);
    let applied = kubectl(
        &mut cluster,
        "apply -f -",
        include_str!("seeds/004-node-agent.yaml"),
    );
    assert_eq!(applied.stdout, "daemonset.apps/node-agent created\n");
    let out = kubectl(&mut cluster, "get ds node-agent -o yaml", "");
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, EXPECTED);
}

const EXPECTED: &str = r#"apiVersion: apps/v1
kind: DaemonSet
metadata:
  annotations:
    deprecated.daemonset.template.generation: "1"
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"annotations":{},"name":"node-agent","namespace":"default"},"spec":{"selector":{"matchLabels":{"app":"node-agent"}},"template":{"metadata":{"labels":{"app":"node-agent"}},"spec":{"containers":[{"command":["sleep","3600"],"image":"busybox:1.36","name":"agent"}]}}}}
  creationTimestamp: "2026-01-01T00:00:00Z"
  generation: 1
  name: node-agent
  namespace: default
  resourceVersion: "48"
  uid: 86c5d1b0-5ce2-4e14-9180-b23a1075b77f
spec:
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: node-agent
  template:
    metadata:
      labels:
        app: node-agent
    spec:
      containers:
      - command:
        - sleep
        - "3600"
        image: busybox:1.36
        imagePullPolicy: IfNotPresent
        name: agent
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
  updateStrategy:
    rollingUpdate:
      maxSurge: 0
      maxUnavailable: 1
    type: RollingUpdate
status:
  currentNumberScheduled: 0
  desiredNumberScheduled: 0
  numberMisscheduled: 0
  numberReady: 0
  observedGeneration: 1
"#;

#[test]
fn quantities_ports_pull_policies_and_volumes_are_defaulted() {
    let mut cluster = Cluster::new(1);
    kubectl(
        &mut cluster,
        "apply -f -",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n",
    );
    let applied = kubectl(
        &mut cluster,
        "apply -f -",
        include_str!("seeds/002-node-exporter.yaml"),
    );
    assert_eq!(applied.stdout, "daemonset.apps/node-exporter created\n");
    let yaml = kubectl(
        &mut cluster,
        "get daemonset node-exporter -n monitoring -o yaml",
        "",
    )
    .stdout;
    for expected in [
        "            cpu: 150m\n",
        "          protocol: TCP\n",
        "        imagePullPolicy: Always\n",
        "          path: /proc\n          type: \"\"\n",
        "        prometheus.io/port: \"9100\"\n",
        "        - '\"^/(sys|proc|dev|host|etc)($|/)\"'\n",
        "        securityContext:\n          privileged: true\n",
    ] {
        assert!(yaml.contains(expected), "{expected:?} missing from\n{yaml}");
    }
    assert!(
        !yaml.contains("hostPort"),
        "templates do not get hostPort defaulted"
    );
}
