//! Install manifests of widely used DaemonSet projects, exactly as their
//! repositories publish them (`tests/manifests/`, sources in `SOURCES`), applied
//! as each project's instructions say to a fresh three-node cluster: every
//! document is accepted, and once the cluster settles every DaemonSet and
//! Deployment shows what a real 1.36 cluster shows (`tests/manifests/CASES`).
//! The files are read from disk, so this runs natively only.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::path::PathBuf;

use daemonlab_core::api::{Kind, Served};
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::apply;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment};

/// A control plane with its NoSchedule taint and two workers.
const NODES: &str = "\
apiVersion: v1
kind: Node
metadata:
  name: control-plane
  labels:
    node-role.kubernetes.io/control-plane: \"\"
spec:
  taints:
  - key: node-role.kubernetes.io/control-plane
    effect: NoSchedule
---
apiVersion: v1
kind: Node
metadata:
  name: worker-1
---
apiVersion: v1
kind: Node
metadata:
  name: worker-2
";

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/manifests")
}

/// One case of `CASES`: the files applied in order, the namespaces created
/// first, and the workloads expected once settled.
#[derive(Default)]
struct Case {
    name: String,
    namespaces: Vec<String>,
    files: Vec<String>,
    /// `daemonset ns/name` or `deployment ns/name` → what `get` shows.
    expected: BTreeMap<String, String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(corpus().join("CASES")).expect("tests/manifests/CASES");
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        if word == "case" {
            cases.push(Case {
                name: rest.to_string(),
                ..Default::default()
            });
            continue;
        }
        let case = cases.last_mut().expect("a `case` line first");
        match word {
            "namespace" => case.namespaces.push(rest.to_string()),
            "apply" => case.files.extend(rest.split_whitespace().map(String::from)),
            "daemonset" | "deployment" => {
                let (object, shown) = rest.split_once(' ').unwrap_or((rest, ""));
                case.expected
                    .insert(format!("{word} {object}"), shown.trim().to_string());
            }
            other => panic!("CASES: unknown line `{other}`"),
        }
    }
    cases
}

/// What the cluster shows for each workload: `DESIRED CURRENT READY` for a
/// DaemonSet, `READY` (ready/replicas) for a Deployment.
fn workloads(cluster: &Cluster) -> BTreeMap<String, String> {
    let store = cluster.store();
    let mut shown = BTreeMap::new();
    for ds in store.list(Kind::DaemonSet).filter_map(DaemonSet::of) {
        let status = ds.status.clone().unwrap_or_default();
        shown.insert(
            format!(
                "daemonset {}/{}",
                ds.metadata.namespace.as_deref().unwrap_or(""),
                ds.metadata.name.as_deref().unwrap_or("")
            ),
            format!(
                "{} {} {}",
                status.desired_number_scheduled,
                status.current_number_scheduled,
                status.number_ready
            ),
        );
    }
    for deploy in store.list(Kind::Deployment).filter_map(Deployment::of) {
        let status = deploy.status.clone().unwrap_or_default();
        let replicas = deploy.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        shown.insert(
            format!(
                "deployment {}/{}",
                deploy.metadata.namespace.as_deref().unwrap_or(""),
                deploy.metadata.name.as_deref().unwrap_or("")
            ),
            format!("{}/{replicas}", status.ready_replicas.unwrap_or(0)),
        );
    }
    shown
}

#[test]
fn every_install_manifest_applies_unmodified_and_settles_as_a_real_cluster_does() {
    let cases = cases();
    assert!(cases.len() >= 20, "a corpus of at least 20 projects");
    let mut documents = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let mut cluster = Cluster::new(7);
        let report = apply(&mut cluster, NODES, "nodes.yaml");
        assert!(!report.failed(), "{}", report.stderr());
        for namespace in &case.namespaces {
            let text = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n");
            assert!(!apply(&mut cluster, &text, "namespace.yaml").failed());
        }
        for file in &case.files {
            let text = std::fs::read_to_string(corpus().join(file)).expect("a corpus file");
            let report = apply(&mut cluster, &text, file);
            documents += report.documents.len();
            if report.failed() {
                failures.push(format!("{}: {file}:\n{}", case.name, report.stderr()));
            }
        }
        cluster.settle();
        let shown = workloads(&cluster);
        if shown != case.expected {
            failures.push(format!(
                "{}: expected\n{:#?}\nshown\n{:#?}",
                case.name, case.expected, shown
            ));
        }
    }
    assert!(documents >= 300, "{documents} documents");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
