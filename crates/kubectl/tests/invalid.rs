//! Manifests users get wrong, each with the exact words a real cluster answers
//! `kubectl apply -f -` with, the line:column the editor marks, and proof that
//! nothing in the cluster changed.

use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::apply;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
      - name: agent
        image: busybox:1.36
";

const NODE: &str = "apiVersion: v1
kind: Node
metadata:
  name: worker-1
spec:
  taints:
  - key: gpu
    value: \"true\"
    effect: NoSchedule
";

/// BASE with one piece of text replaced.
fn ds(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} is not in the base manifest");
    BASE.replacen(from, to, 1)
}

/// BASE with `extra` added to the pod spec (indented to sit under `spec:`).
fn pod_spec(extra: &str) -> String {
    ds(
        "    spec:\n      containers:",
        &format!("    spec:\n{extra}      containers:"),
    )
}

/// BASE with `extra` added to the DaemonSet spec.
fn ds_spec(extra: &str) -> String {
    ds("spec:\n  selector:", &format!("spec:\n{extra}  selector:"))
}

struct Case {
    name: &'static str,
    text: String,
    stderr: String,
    at: (usize, usize),
}

fn case(name: &'static str, text: String, stderr: &str, at: (usize, usize)) -> Case {
    Case {
        name,
        text,
        stderr: format!("{stderr}\n"),
        at,
    }
}

const PERCENT: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";
const DNS_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

fn cases() -> Vec<Case> {
    let invalid = |rest: &str| format!("The DaemonSet \"agent\" is invalid: {rest}");
    vec![
        case(
            "selector does not match the template labels",
            ds("    matchLabels:\n      app: agent", "    matchLabels:\n      app: other"),
            &invalid("spec.template.metadata.labels: Invalid value: {\"app\":\"agent\"}: `selector` does not match template `labels`"),
            (11, 7),
        ),
        case(
            "selector missing",
            ds("  selector:\n    matchLabels:\n      app: agent\n", ""),
            &invalid("spec.template.metadata.labels: Invalid value: {\"app\":\"agent\"}: `selector` does not match template `labels`"),
            (8, 7),
        ),
        case(
            "empty selector",
            ds("  selector:\n    matchLabels:\n      app: agent\n", "  selector: {}\n"),
            &invalid("spec.selector: Invalid value: {}: empty selector is invalid for daemonset"),
            (6, 3),
        ),
        case(
            "selector expression with an unknown operator",
            ds("    matchLabels:\n      app: agent", "    matchExpressions:\n    - key: app\n      operator: Is\n      values: [agent]"),
            &invalid("spec.selector.matchExpressions[0].operator: Invalid value: \"Is\": not a valid selector operator"),
            (9, 7),
        ),
        case(
            "selector expression In without values",
            ds("    matchLabels:\n      app: agent", "    matchLabels:\n      app: agent\n    matchExpressions:\n    - key: tier\n      operator: In"),
            &invalid("spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
            (10, 7),
        ),
        case(
            "maxUnavailable and maxSurge both 0",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 0\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
            (8, 7),
        ),
        case(
            "maxSurge alone (maxUnavailable defaults to 1)",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"),
            (8, 7),
        ),
        case(
            "maxSurge as a percentage beside maxUnavailable",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 1\n      maxSurge: 50%\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: \"50%\": may not be set when maxUnavailable is non-zero"),
            (9, 7),
        ),
        case(
            "both 0 as percentages",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 0%\n      maxSurge: 0%\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
            (8, 7),
        ),
        case(
            "maxUnavailable that is not a percentage",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: abc\n"),
            &format!(
                "The DaemonSet \"agent\" is invalid: \n* spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"abc\": {PERCENT}\n* spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"
            ),
            (8, 7),
        ),
        case(
            "maxUnavailable as a quoted number",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: \"5\"\n"),
            &invalid(&format!("spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"5\": {PERCENT}")),
            (8, 7),
        ),
        case(
            "maxUnavailable over 100%",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: 101%\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: \"101%\": must not be greater than 100%"),
            (8, 7),
        ),
        case(
            "negative maxUnavailable",
            ds_spec("  updateStrategy:\n    rollingUpdate:\n      maxUnavailable: -1\n"),
            &invalid("spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"),
            (8, 7),
        ),
        case(
            "unknown update strategy",
            ds_spec("  updateStrategy:\n    type: Rolling\n"),
            &invalid("spec.updateStrategy: Unsupported value: {\"Type\":\"Rolling\",\"RollingUpdate\":null}: supported values: \"RollingUpdate\", \"OnDelete\""),
            (6, 3),
        ),
        case(
            "negative minReadySeconds",
            ds_spec("  minReadySeconds: -1\n"),
            &invalid("spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"),
            (6, 3),
        ),
        case(
            "negative revisionHistoryLimit",
            ds_spec("  revisionHistoryLimit: -1\n"),
            &invalid("spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"),
            (6, 3),
        ),
        case(
            "restartPolicy OnFailure",
            pod_spec("      restartPolicy: OnFailure\n"),
            &invalid("spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\""),
            (14, 7),
        ),
        case(
            "restartPolicy that no pod has",
            pod_spec("      restartPolicy: Sometimes\n"),
            "The DaemonSet \"agent\" is invalid: \n* spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"\n* spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\"",
            (14, 7),
        ),
        case(
            "activeDeadlineSeconds",
            pod_spec("      activeDeadlineSeconds: 60\n"),
            &invalid("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"),
            (14, 7),
        ),
        case(
            "dnsPolicy that does not exist",
            pod_spec("      dnsPolicy: Cluster\n"),
            &invalid("spec.template.spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: \"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""),
            (14, 7),
        ),
        case(
            "container without a name",
            ds("      - name: agent\n        image: busybox:1.36", "      - image: busybox:1.36"),
            &invalid("spec.template.spec.containers[0].name: Required value"),
            (15, 9),
        ),
        case(
            "container without an image",
            ds("      - name: agent\n        image: busybox:1.36", "      - name: agent"),
            &invalid("spec.template.spec.containers[0].image: Required value"),
            (15, 9),
        ),
        case(
            "container without name or image",
            ds("      - name: agent\n        image: busybox:1.36", "      - imagePullPolicy: Always"),
            "The DaemonSet \"agent\" is invalid: \n* spec.template.spec.containers[0].name: Required value\n* spec.template.spec.containers[0].image: Required value",
            (15, 9),
        ),
        case(
            "no containers",
            ds("      containers:\n      - name: agent\n        image: busybox:1.36", "      containers: []"),
            &invalid("spec.template.spec.containers: Required value"),
            (14, 7),
        ),
        case(
            "two containers with one name",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n      - name: agent\n        image: busybox:1.37\n"),
            &invalid("spec.template.spec.containers[1].name: Duplicate value: \"agent\""),
            (17, 9),
        ),
        case(
            "container name that is not a DNS label",
            ds("      - name: agent", "      - name: Agent_1"),
            &invalid(&format!("spec.template.spec.containers[0].name: Invalid value: \"Agent_1\": {DNS_LABEL}")),
            (15, 9),
        ),
        case(
            "container port 0",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        ports:\n        - containerPort: 0\n"),
            &invalid("spec.template.spec.containers[0].ports[0].containerPort: Required value"),
            (18, 11),
        ),
        case(
            "container port out of range",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        ports:\n        - containerPort: 70000\n"),
            &invalid("spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
            (18, 11),
        ),
        case(
            "host port out of range",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        ports:\n        - containerPort: 9100\n          hostPort: 99999\n"),
            &invalid("spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 99999: must be between 1 and 65535, inclusive"),
            (19, 11),
        ),
        case(
            "port protocol HTTP",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        ports:\n        - containerPort: 80\n          protocol: HTTP\n"),
            &invalid("spec.template.spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
            (19, 11),
        ),
        case(
            "mount of a volume that is not declared",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        volumeMounts:\n        - name: config\n          mountPath: /etc/agent\n"),
            &invalid("spec.template.spec.containers[0].volumeMounts[0].name: Not found: \"config\""),
            (18, 11),
        ),
        case(
            "imagePullPolicy that does not exist",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        imagePullPolicy: Sometimes\n"),
            &invalid("spec.template.spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\""),
            (17, 9),
        ),
        case(
            "requests above limits",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        resources:\n          requests:\n            memory: 256Mi\n          limits:\n            memory: 128Mi\n"),
            &invalid("spec.template.spec.containers[0].resources.requests: Invalid value: \"256Mi\": must be less than or equal to memory limit of 128Mi"),
            (18, 11),
        ),
        case(
            "an extended resource requested without a limit",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        resources:\n          requests:\n            example.com/dongle: 1\n"),
            &invalid("spec.template.spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources"),
            (17, 9),
        ),
        case(
            "an extended resource requested unlike its limit",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        resources:\n          requests:\n            example.com/dongle: 1\n          limits:\n            example.com/dongle: 2\n"),
            &invalid("spec.template.spec.containers[0].resources.requests: Invalid value: \"1\": must be equal to example.com/dongle limit of 2"),
            (18, 11),
        ),
        case(
            "half an extended resource",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        resources:\n          limits:\n            example.com/dongle: 500m\n"),
            &invalid("spec.template.spec.containers[0].resources.limits[example.com/dongle]: Invalid value: \"500m\": must be an integer"),
            (19, 13),
        ),
        case(
            "toleration operator that does not exist",
            pod_spec("      tolerations:\n      - key: gpu\n        operator: Is\n"),
            &invalid("spec.template.spec.tolerations[0].operator: Unsupported value: \"Is\": supported values: \"Equal\", \"Exists\""),
            (16, 9),
        ),
        case(
            "toleration effect that does not exist",
            pod_spec("      tolerations:\n      - key: gpu\n        operator: Exists\n        effect: NoRun\n"),
            &invalid("spec.template.spec.tolerations[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\""),
            (17, 9),
        ),
        case(
            "toleration without a key that is not Exists",
            pod_spec("      tolerations:\n      - operator: Equal\n        value: \"true\"\n"),
            &invalid("spec.template.spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is empty, which means \"match all values and all keys\""),
            (15, 9),
        ),
        case(
            "tolerationSeconds on a NoSchedule toleration",
            pod_spec("      tolerations:\n      - key: gpu\n        operator: Exists\n        effect: NoSchedule\n        tolerationSeconds: 60\n"),
            &invalid("spec.template.spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
            (17, 9),
        ),
        case(
            "Exists with a value",
            pod_spec("      tolerations:\n      - key: gpu\n        operator: Exists\n        value: \"true\"\n"),
            &invalid("spec.template.spec.tolerations[0].operator: Invalid value: {\"Key\":\"gpu\",\"Operator\":\"Exists\",\"Value\":\"true\",\"Effect\":\"\",\"TolerationSeconds\":null}: value must be empty when `operator` is 'Exists'"),
            (16, 9),
        ),
        case(
            "template label key with a space",
            ds("      labels:\n        app: agent", "      labels:\n        app: agent\n        bad key: x"),
            &invalid(&format!("spec.template.labels: Invalid value: \"bad key\": {NAME_PART}")),
            (11, 7),
        ),
        case(
            "template label value that starts with a dash",
            ds("      labels:\n        app: agent", "      labels:\n        app: agent\n        tier: -web"),
            &invalid(&format!("spec.template.labels: Invalid value: \"-web\": {LABEL_VALUE}")),
            (11, 7),
        ),
        case(
            "nodeSelector value that is not a label value",
            pod_spec("      nodeSelector:\n        disk: solid state\n"),
            &invalid(&format!("spec.template.spec.nodeSelector: Invalid value: \"solid state\": {LABEL_VALUE}")),
            (14, 7),
        ),
        case(
            "node affinity operator that does not exist",
            pod_spec("      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - key: disk\n                operator: Equals\n                values: [ssd]\n"),
            &invalid("spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid value: \"Equals\": not a valid selector operator"),
            (20, 17),
        ),
        case(
            "DaemonSet name that is not DNS-1123",
            ds("  name: agent", "  name: My_Agent"),
            &format!("The DaemonSet \"My_Agent\" is invalid: metadata.name: Invalid value: \"My_Agent\": {DNS_SUBDOMAIN}"),
            (4, 3),
        ),
        case(
            "metadata label value that is too long",
            ds("  name: agent\n", &format!("  name: agent\n  labels:\n    version: {}\n", "v".repeat(64))),
            &invalid(&format!("metadata.labels: Invalid value: \"{}\": must be no more than 63 characters", "v".repeat(64))),
            (5, 3),
        ),
        case(
            "misspelt field",
            pod_spec("      toleration:\n      - operator: Exists\n"),
            "Error from server (BadRequest): error when creating \"STDIN\": DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: unknown field \"spec.template.spec.toleration\"",
            (14, 7),
        ),
        case(
            "two unknown fields",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        imagePullPolicyy: Always\n      hostNetwrk: true\n"),
            "Error from server (BadRequest): error when creating \"STDIN\": DaemonSet in version \"v1\" cannot be handled as a DaemonSet: strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\", unknown field \"spec.template.spec.hostNetwrk\"",
            (17, 9),
        ),
        case(
            "port given as a word",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        ports:\n        - containerPort: http\n"),
            "Error from server (BadRequest): error when creating \"STDIN\": DaemonSet in version \"v1\" cannot be handled as a DaemonSet: json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32",
            (18, 11),
        ),
        case(
            "quantity that is not a quantity",
            ds("        image: busybox:1.36\n", "        image: busybox:1.36\n        resources:\n          requests:\n            cpu: 2 cores\n"),
            "Error from server (BadRequest): error when creating \"STDIN\": DaemonSet in version \"v1\" cannot be handled as a DaemonSet: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            (18, 11),
        ),
        case(
            "namespace that does not exist",
            ds("  name: agent\n", "  name: agent\n  namespace: monitoring\n"),
            "Error from server (NotFound): error when creating \"STDIN\": namespaces \"monitoring\" not found",
            (3, 1),
        ),
        case(
            "a kind misspelt",
            ds("kind: DaemonSet", "kind: DeamonSet"),
            "error: resource mapping not found for name: \"agent\" namespace: \"\" from \"STDIN\": no matches for kind \"DeamonSet\" in version \"apps/v1\"\nensure CRDs are installed first",
            (2, 1),
        ),
        case(
            "an API version that no longer exists",
            ds("apiVersion: apps/v1", "apiVersion: extensions/v1beta1"),
            "error: resource mapping not found for name: \"agent\" namespace: \"\" from \"STDIN\": no matches for kind \"DaemonSet\" in version \"extensions/v1beta1\"\nensure CRDs are installed first",
            (2, 1),
        ),
        case(
            "node taint with an effect that does not exist",
            NODE.replace("effect: NoSchedule", "effect: NoRun"),
            "The Node \"worker-1\" is invalid: spec.taints[0].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
            (9, 5),
        ),
        case(
            "node taint without an effect",
            NODE.replace("    effect: NoSchedule\n", ""),
            "The Node \"worker-1\" is invalid: spec.taints[0].effect: Required value",
            (7, 5),
        ),
        case(
            "node name with capitals",
            NODE.replace("name: worker-1", "name: Worker-1"),
            &format!("The Node \"Worker-1\" is invalid: metadata.name: Invalid value: \"Worker-1\": {DNS_SUBDOMAIN}"),
            (4, 3),
        ),
        case(
            "YAML indented with a tab",
            ds("  name: agent", "\tname: agent"),
            "error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: found character that cannot start any token",
            (4, 1),
        ),
        case(
            "a value where a mapping was expected",
            ds("  name: agent", "  name: agent: x"),
            "error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: mapping values are not allowed in this context",
            (4, 14),
        ),
    ]
}

#[test]
fn each_invalid_manifest_gets_the_servers_words_and_its_position() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let mut cluster = Cluster::new(1);
        let before = cluster.store().resource_version();
        let report = apply(&mut cluster, &case.text, "STDIN");
        let at = report
            .entries(&case.text)
            .into_iter()
            .find(|e| !e.ok)
            .and_then(|e| e.location)
            .map(|l| (l.line, l.column));
        if report.stderr() != case.stderr || at != Some(case.at) || !report.stdout().is_empty() {
            failures.push(format!(
                "{}:\n  stderr   {:?}\n  expected {:?}\n  at {:?}, expected {:?}\n  stdout {:?}",
                case.name,
                report.stderr(),
                case.stderr,
                at,
                case.at,
                report.stdout()
            ));
        }
        assert_eq!(
            cluster.store().resource_version(),
            before,
            "{}: the store changed",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
