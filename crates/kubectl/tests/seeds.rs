//! Every manifest in the pages daemonlab was specified from, applied as a reader
//! would paste it, gets the answer a real cluster gives.

use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::apply;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const NAMESPACES: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: logging\n";

/// `(stdout, stderr)` of `kubectl apply -f -` with `text`, on a cluster that
/// has the namespaces the pages create first.
fn apply_to_prepared(text: &str) -> (String, String) {
    let mut cluster = Cluster::new(1);
    let prepared = apply(&mut cluster, NAMESPACES, "namespaces.yaml");
    assert_eq!(prepared.stderr(), "");
    let report = apply(&mut cluster, text, "STDIN");
    (report.stdout(), report.stderr())
}

fn missing_kind(json: &str) -> String {
    format!("error: unable to decode \"STDIN\": Object 'Kind' is missing in '{json}'\n")
}

#[test]
fn full_daemonsets_apply_unmodified() {
    for (text, name) in [
        (
            include_str!("seeds/000-node-exporter.yaml"),
            "node-exporter",
        ),
        (include_str!("seeds/000-fluent-bit.yaml"), "fluent-bit"),
        (
            include_str!("seeds/002-node-exporter.yaml"),
            "node-exporter",
        ),
        (
            include_str!("seeds/002-nginx-ssd-storage.yaml"),
            "nginx-ssd-storage",
        ),
        (include_str!("seeds/004-node-agent.yaml"), "node-agent"),
        (include_str!("seeds/004-ssd-agent.yaml"), "ssd-agent"),
    ] {
        let (stdout, stderr) = apply_to_prepared(text);
        assert_eq!(stderr, "", "{name}");
        assert_eq!(stdout, format!("daemonset.apps/{name} created\n"));
    }
}

#[test]
fn a_daemonset_needs_its_namespace() {
    let mut cluster = Cluster::new(1);
    let report = apply(
        &mut cluster,
        include_str!("seeds/000-node-exporter.yaml"),
        "STDIN",
    );
    assert_eq!(report.stdout(), "");
    assert_eq!(
        report.stderr(),
        "Error from server (NotFound): error when creating \"STDIN\": namespaces \"monitoring\" not found\n"
    );
    assert_eq!(cluster.store().daemonsets().count(), 0);
}

#[test]
fn snippets_without_a_kind_are_refused_by_kubectl() {
    for (text, json) in [
        (
            include_str!("seeds/000-node-selector-snippet.yaml"),
            r#"{"spec":{"template":{"spec":{"nodeSelector":{"node-role.kubernetes.io/worker":""}}}}}"#,
        ),
        (
            include_str!("seeds/000-affinity-snippet.yaml"),
            r#"{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]},{"key":"node-role.kubernetes.io/control-plane","operator":"DoesNotExist"}]}]}}}}}}}"#,
        ),
        (
            include_str!("seeds/000-tolerate-all-snippet.yaml"),
            r#"{"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}"#,
        ),
        (
            include_str!("seeds/000-tolerations-snippet.yaml"),
            r#"{"spec":{"template":{"spec":{"tolerations":[{"effect":"NoSchedule","key":"node-role.kubernetes.io/control-plane","operator":"Exists"},{"effect":"NoExecute","key":"node.kubernetes.io/not-ready","operator":"Exists"},{"effect":"NoExecute","key":"node.kubernetes.io/unreachable","operator":"Exists"}]}}}}"#,
        ),
        (
            include_str!("seeds/000-rolling-update-snippet.yaml"),
            r#"{"spec":{"updateStrategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":1},"type":"RollingUpdate"}}}"#,
        ),
        (
            include_str!("seeds/000-on-delete-snippet.yaml"),
            r#"{"spec":{"updateStrategy":{"type":"OnDelete"}}}"#,
        ),
        (
            include_str!("seeds/000-resources-snippet.yaml"),
            r#"{"resources":{"limits":{"memory":"256Mi"},"requests":{"cpu":"50m","memory":"64Mi"}}}"#,
        ),
        (
            include_str!("seeds/001-rolling-update-flattened.yaml"),
            r#"{"maxUnavailable":1,"rollingUpdate":null,"spec":null,"type":"RollingUpdate","updateStrategy":null}"#,
        ),
        (
            include_str!("seeds/001-toleration-flattened.yaml"),
            r#"{"effect":"NoSchedule","tolerations":[{"key":"node-role.kubernetes.io/master"}]}"#,
        ),
    ] {
        let (stdout, stderr) = apply_to_prepared(text);
        assert_eq!(stdout, "");
        assert_eq!(stderr, missing_kind(json));
    }
}

#[test]
fn the_built_in_priority_class_is_patched_and_the_partial_daemonset_refused() {
    let (stdout, stderr) = apply_to_prepared(include_str!("seeds/000-priority-class.yaml"));
    assert_eq!(
        stdout,
        "priorityclass.scheduling.k8s.io/system-node-critical configured\n"
    );
    assert_eq!(
        stderr,
        "Warning: resource priorityclasses/system-node-critical is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n\
The DaemonSet \"fluent-bit\" is invalid: \n\
* spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`\n\
* spec.template.spec.containers: Required value\n"
    );
}

#[test]
fn a_reserved_priority_class_name_is_forbidden() {
    let (_, stderr) = apply_to_prepared(
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: system-agent-critical\nvalue: 1000\n",
    );
    assert_eq!(
        stderr,
        "The PriorityClass \"system-agent-critical\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-agent-critical is not a known system priority class\n"
    );
}

#[test]
fn the_daemonset_that_lost_its_indentation_has_no_name() {
    let (stdout, stderr) = apply_to_prepared(include_str!("seeds/001-fluentd-flattened.yaml"));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "error: error when retrieving current configuration of:\n\
Resource: \"apps/v1, Resource=daemonsets\", GroupVersionKind: \"apps/v1, Kind=DaemonSet\"\n\
Name: \"\", Namespace: \"default\"\n\
from server for: \"STDIN\": resource name may not be empty\n"
    );
}
