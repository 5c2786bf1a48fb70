//! Taking a session to a real cluster: `daemonlab export --to kind|kwok` and
//! the page's download. A session is replayed on a fresh cluster, watching
//! what each step made, and written out as:
//!
//! - the nodes, as they were when they joined: a kind cluster configuration
//!   (`kind-cluster.yaml`: labels and taints on each node) or KWOK fake nodes
//!   (`kwok-nodes.yaml`, with their capacity) for rehearsals at thousands of
//!   nodes;
//! - `final-state.yaml`: the objects the user made, as they are at the end,
//!   cleaned of what the server sets, in the order they were made;
//! - `replay.sh`: every command and applied text, in order, with the files
//!   the commands read (in `files/`); `sim` lines sleep or wait on a real
//!   cluster, or move the clock of `daemonlab serve` when `DAEMONLAB_SIM`
//!   names it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::export::clean;
use daemonlab_kubectl::shell::{heredoc_delimiter, Shell};
use daemonlab_kubectl::yaml::to_yaml;
use daemonlab_kubectl::Files;
use serde_json::{json, Map, Value};

use crate::{apply_text, Action};

/// Where the session goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Kind,
    Kwok,
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        match text {
            "kind" => Ok(Target::Kind),
            "kwok" => Ok(Target::Kwok),
            other => Err(format!(
                "error: --to {other:?}: daemonlab exports to kind or kwok"
            )),
        }
    }
}

/// One file of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub name: String,
    pub text: String,
    pub executable: bool,
}

/// The name kind gives a cluster's nodes, and so the prefix of every node.
const KIND_CLUSTER: &str = "daemonlab";

/// A node as it was when it joined.
struct Joined {
    name: String,
    labels: BTreeMap<String, String>,
    taints: Vec<Value>,
    unschedulable: bool,
    status: Value,
}

/// What replaying the session saw.
struct Replayed {
    cluster: Cluster,
    nodes: Vec<Joined>,
    /// The objects the user made, by uid, in the order they appeared.
    made: Vec<String>,
}

/// Objects no user writes: the controllers', the kubelets', the server's.
fn made_by_the_system(object: &Object) -> bool {
    let meta = object.metadata();
    let owned = meta
        .owner_references
        .as_ref()
        .is_some_and(|owners| !owners.is_empty());
    let automanaged = meta
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key("kube-aggregator.kubernetes.io/automanaged"));
    owned
        || automanaged
        || matches!(
            object.kind(),
            Kind::Node
                | Kind::Event
                | Kind::Lease
                | Kind::Endpoints
                | Kind::EndpointSlice
                | Kind::ControllerRevision
        )
        || (object.kind() == Kind::ServiceAccount && object.name() == "default")
        || (object.kind() == Kind::ConfigMap && object.name() == "kube-root-ca.crt")
}

fn uid(object: &Object) -> String {
    object.metadata().uid.clone().unwrap_or_default()
}

/// Replays `actions` on a fresh cluster, noting each node as it joins and
/// each object the user made.
fn replay(actions: &[Action], seed: u64, files: &dyn Files) -> Replayed {
    let mut cluster = Cluster::new(seed);
    let mut shell = Shell::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut nodes = Vec::new();
    let mut made = Vec::new();
    let mut note = |cluster: &Cluster, nodes: &mut Vec<Joined>, made: &mut Vec<String>| {
        let store = cluster.store();
        for kind in store.kinds().collect::<Vec<_>>() {
            for object in store.list(kind) {
                if !seen.insert(uid(object)) {
                    continue;
                }
                if kind == Kind::Node {
                    nodes.push(joined(object));
                } else if !made_by_the_system(object) {
                    made.push(uid(object));
                }
            }
        }
    };
    // What a fresh cluster holds is nobody's doing.
    note(&cluster, &mut Vec::new(), &mut Vec::new());
    for action in actions {
        match action {
            Action::Apply(text) => {
                apply_text(&mut cluster, text);
            }
            Action::Run { line, heredoc } => {
                shell.run(&mut cluster, line, heredoc, files);
            }
            Action::Advance(ms) => {
                cluster.advance(Duration::from_millis(*ms));
            }
            Action::Settle => {
                cluster.settle();
            }
        }
        note(&cluster, &mut nodes, &mut made);
    }
    Replayed {
        cluster,
        nodes,
        made,
    }
}

fn joined(node: &Object) -> Joined {
    let json = node.to_json();
    let labels = json
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|l| {
            l.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    Joined {
        name: node.name().to_string(),
        labels,
        taints: json
            .pointer("/spec/taints")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        unschedulable: json
            .pointer("/spec/unschedulable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        status: json.get("status").cloned().unwrap_or(Value::Null),
    }
}

/// Labels the kubelet sets itself, and so never writes from a configuration.
fn set_by_the_kubelet(key: &str) -> bool {
    matches!(
        key,
        "kubernetes.io/hostname"
            | "kubernetes.io/os"
            | "kubernetes.io/arch"
            | "beta.kubernetes.io/os"
            | "beta.kubernetes.io/arch"
    )
}

/// Whether the kubelet may give its node the label `key` (`--node-labels`,
/// which kind's `labels` become): the Kubernetes namespaces only for the
/// labels the NodeRestriction admission plugin allows.
fn kubelet_may_set(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once('/') else {
        return true;
    };
    let kubernetes = ["kubernetes.io", "k8s.io"]
        .iter()
        .any(|domain| prefix == *domain || prefix.ends_with(&format!(".{domain}")));
    if !kubernetes {
        return true;
    }
    let allowed_prefix = ["kubelet.kubernetes.io", "node.kubernetes.io"]
        .iter()
        .any(|domain| prefix == *domain || prefix.ends_with(&format!(".{domain}")));
    allowed_prefix
        || matches!(
            key,
            "kubernetes.io/instance-type"
                | "beta.kubernetes.io/instance-type"
                | "failure-domain.beta.kubernetes.io/zone"
                | "failure-domain.beta.kubernetes.io/region"
                | "topology.kubernetes.io/zone"
                | "topology.kubernetes.io/region"
        )
}

fn is_control_plane(node: &Joined) -> bool {
    node.labels
        .contains_key("node-role.kubernetes.io/control-plane")
}

/// Which kind node stands for each node of the session: control planes
/// first, as kind names them (`daemonlab-control-plane`,
/// `daemonlab-control-plane2`, …, then `daemonlab-worker`, …). kind needs a
/// control plane: when the session has none, one is added.
fn kind_names(nodes: &[Joined]) -> (Vec<(String, bool)>, BTreeMap<String, String>) {
    let mut roles: Vec<(String, bool)> = Vec::new();
    let mut names = BTreeMap::new();
    let (planes, workers): (Vec<&Joined>, Vec<&Joined>) =
        nodes.iter().partition(|n| is_control_plane(n));
    let numbered = |role: &str, i: usize| {
        if i == 0 {
            format!("{KIND_CLUSTER}-{role}")
        } else {
            format!("{KIND_CLUSTER}-{role}{}", i + 1)
        }
    };
    if planes.is_empty() {
        roles.push((numbered("control-plane", 0), true));
    }
    for (i, node) in planes.iter().enumerate() {
        names.insert(node.name.clone(), numbered("control-plane", i));
        roles.push((node.name.clone(), true));
    }
    for (i, node) in workers.iter().enumerate() {
        names.insert(node.name.clone(), numbered("worker", i));
        roles.push((node.name.clone(), false));
    }
    (roles, names)
}

/// `text` with every node name of `names` replaced where it stands as a
/// whole name (not inside a longer one).
fn renamed(text: &str, names: &BTreeMap<String, String>) -> String {
    if names.is_empty() {
        return text.to_string();
    }
    let part_of_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'scan: while !rest.is_empty() {
        let before = out.chars().last();
        if before.is_none_or(|c| !part_of_name(c)) {
            // Longest names first, so `worker-10` is not read as `worker-1`.
            for (from, to) in names.iter().rev() {
                if let Some(after) = rest.strip_prefix(from.as_str()) {
                    if after.chars().next().is_none_or(|c| !part_of_name(c)) {
                        out.push_str(to);
                        rest = after;
                        continue 'scan;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or_default();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A heredoc delimiter that no line of `text` is.
fn delimiter_for(text: &str) -> String {
    let mut delimiter = "EOF".to_string();
    let mut n = 1;
    while text.lines().any(|l| l.trim() == delimiter) {
        n += 1;
        delimiter = format!("EOF{n}");
    }
    delimiter
}

/// A stretch of virtual time as `sim advance` takes it.
fn duration(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

const REPLAY_HEAD: &str = r#"#!/usr/bin/env bash
# The session, command by command, for a real cluster. Each command runs as it
# ran in daemonlab; one that failed there fails here too, and the replay goes
# on, as the session did.
#
# `sim` lines moved daemonlab's virtual clock. On a real cluster time runs by
# itself: `sim advance` sleeps as long, `sim settle` waits for every
# DaemonSet's rollout, and what only the simulator does (a node going down) is
# skipped with a note. Against `daemonlab serve`, set DAEMONLAB_SIM to its
# address (http://127.0.0.1:8001) and they move its clock instead.
cd "$(dirname "$0")"
# The files the commands read are in files/, under the names they used.
if [ -d files ]; then cd files; fi
sim() {
  if [ -n "${DAEMONLAB_SIM:-}" ]; then
    curl -sS --data-binary "$*" "$DAEMONLAB_SIM/daemonlab/sim"
    return
  fi
  case "$1 ${2:-}" in
    "advance "*ms) sleep "$(printf '%d.%03d' $((${2%ms} / 1000)) $((${2%ms} % 1000)))" ;;
    "advance "*s) sleep "${2%s}" ;;
    "settle "*)
      kubectl get ds -A -o jsonpath='{range .items[*]}{.metadata.namespace} {.metadata.name}{"\n"}{end}' |
        while read -r namespace name; do
          kubectl rollout status -n "$namespace" "ds/$name" --timeout=10m >/dev/null
        done ;;
    *) echo "sim $*: only the simulator does this; skipped" >&2 ;;
  esac
}
"#;

/// The replay script, and the files its commands read.
fn replay_script(
    actions: &[Action],
    files: &dyn Files,
    names: &BTreeMap<String, String>,
    setup: &str,
) -> (String, Vec<File>) {
    let mut script = format!("{REPLAY_HEAD}{setup}");
    let mut read: BTreeMap<String, String> = BTreeMap::new();
    for action in actions {
        script.push('\n');
        match action {
            Action::Apply(text) => {
                let text = renamed(text, names);
                let delimiter = delimiter_for(&text);
                script.push_str(&format!("kubectl apply -f - <<'{delimiter}'\n{text}"));
                if !text.ends_with('\n') {
                    script.push('\n');
                }
                script.push_str(&format!("{delimiter}\n"));
            }
            Action::Run { line, heredoc } => {
                for path in daemonlab_kubectl::relative_files_read(line) {
                    if let Some(text) = files.read(&path) {
                        read.insert(path, renamed(&text, names));
                    }
                }
                // `sim advance 1m30s` as the seconds the function sleeps.
                let line = match line.split_whitespace().collect::<Vec<_>>()[..] {
                    ["sim", "advance", d] => match daemonlab_kubectl::shell::parse_duration(d) {
                        Ok(d) => format!("sim advance {}", duration(d.as_millis() as u64)),
                        Err(_) => line.clone(),
                    },
                    _ => renamed(line, names),
                };
                script.push_str(&line);
                script.push('\n');
                if let Some(delimiter) = heredoc_delimiter(&line) {
                    let heredoc = renamed(heredoc, names);
                    script.push_str(&heredoc);
                    if !heredoc.is_empty() && !heredoc.ends_with('\n') {
                        script.push('\n');
                    }
                    script.push_str(&format!("{delimiter}\n"));
                }
            }
            Action::Advance(ms) => script.push_str(&format!("sim advance {}\n", duration(*ms))),
            Action::Settle => script.push_str("sim settle\n"),
        }
    }
    let read = read
        .into_iter()
        .map(|(name, text)| File {
            name: format!("files/{name}"),
            text,
            executable: false,
        })
        .collect();
    (script, read)
}

/// The objects the user made, as they are now, cleaned, in order.
fn manifests(replayed: &Replayed, names: &BTreeMap<String, String>) -> String {
    let store = replayed.cluster.store();
    let mut by_uid: BTreeMap<String, &Object> = BTreeMap::new();
    for kind in store.kinds() {
        for object in store.list(kind) {
            by_uid.insert(uid(object), object);
        }
    }
    let documents: Vec<String> = replayed
        .made
        .iter()
        .filter_map(|uid| by_uid.get(uid))
        .map(|object| renamed(&to_yaml(&clean(object.to_json())), names))
        .collect();
    let mut text = String::from(
        "# The objects made in the session, as they were at its end, without\n# what the API server sets. Apply with: kubectl apply -f final-state.yaml\n",
    );
    text.push_str(&documents.join("---\n"));
    text
}

fn kind_config(nodes: &[Joined]) -> String {
    let (roles, names) = kind_names(nodes);
    let by_name: BTreeMap<&str, &Joined> = nodes.iter().map(|n| (n.name.as_str(), n)).collect();
    let mut yaml = format!(
        "# kind create cluster --name {KIND_CLUSTER} --config kind-cluster.yaml\n# One kind node for each node of the session, in this order:\n"
    );
    for (name, _) in &roles {
        if let Some(kind_name) = names.get(name) {
            yaml.push_str(&format!("#   {kind_name} is {name}\n"));
        } else {
            yaml.push_str(&format!(
                "#   {name}: kind needs a control plane; the session had none\n"
            ));
        }
    }
    yaml.push_str(
        "# kind sets each node's capacity from the machine; labels that only an\n# administrator may set (node-role.kubernetes.io/…) are set by replay.sh.\n",
    );
    let mut list = Vec::new();
    for (name, control_plane) in &roles {
        let mut entry = Map::new();
        let role = if *control_plane {
            "control-plane"
        } else {
            "worker"
        };
        entry.insert("role".to_string(), json!(role));
        if let Some(node) = by_name.get(name.as_str()) {
            let labels: Map<String, Value> = node
                .labels
                .iter()
                .filter(|(k, _)| !set_by_the_kubelet(k) && kubelet_may_set(k))
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            if !labels.is_empty() {
                entry.insert("labels".to_string(), Value::Object(labels));
            }
            // kubeadm's taints replace its defaults: the session's, exactly.
            let configuration = if *control_plane {
                "InitConfiguration"
            } else {
                "JoinConfiguration"
            };
            let taints = if node.taints.is_empty() {
                " []\n".to_string()
            } else {
                let list = to_yaml(&Value::Array(node.taints.clone()));
                format!(
                    "\n{}",
                    list.lines().map(|l| format!("  {l}\n")).collect::<String>()
                )
            };
            entry.insert(
                "kubeadmConfigPatches".to_string(),
                json!([format!(
                    "kind: {configuration}\nnodeRegistration:\n  taints:{taints}"
                )]),
            );
        }
        list.push(Value::Object(entry));
    }
    let config = json!({
        "kind": "Cluster",
        "apiVersion": "kind.x-k8s.io/v1alpha4",
        "nodes": list,
    });
    yaml.push_str(&to_yaml(&config));
    yaml
}

/// What kind cannot put in its configuration, done once the cluster is up:
/// labels the kubelet may not set, cordons.
fn kind_setup(nodes: &[Joined], names: &BTreeMap<String, String>) -> String {
    let mut setup = String::new();
    for node in nodes {
        let Some(kind_name) = names.get(&node.name) else {
            continue;
        };
        let labels: Vec<String> = node
            .labels
            .iter()
            .filter(|(k, _)| !set_by_the_kubelet(k) && !kubelet_may_set(k))
            .filter(|(k, _)| {
                !(is_control_plane(node) && *k == "node-role.kubernetes.io/control-plane")
            })
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !labels.is_empty() {
            setup.push_str(&format!(
                "kubectl label node {kind_name} --overwrite {} >/dev/null\n",
                labels.join(" ")
            ));
        }
        if node.unschedulable {
            setup.push_str(&format!("kubectl cordon {kind_name} >/dev/null\n"));
        }
    }
    if setup.is_empty() {
        setup
    } else {
        format!("\n# What kind's configuration cannot say about the nodes.\n{setup}")
    }
}

fn kwok_nodes(nodes: &[Joined]) -> String {
    let documents: Vec<String> = nodes
        .iter()
        .map(|node| {
            let mut spec = Map::new();
            if !node.taints.is_empty() {
                spec.insert("taints".to_string(), Value::Array(node.taints.clone()));
            }
            if node.unschedulable {
                spec.insert("unschedulable".to_string(), json!(true));
            }
            let mut status = Map::new();
            for field in ["capacity", "allocatable", "nodeInfo"] {
                if let Some(value) = node.status.get(field) {
                    status.insert(field.to_string(), value.clone());
                }
            }
            let mut manifest = json!({
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": node.name,
                    "labels": node.labels,
                    "annotations": {"kwok.x-k8s.io/node": "fake"},
                },
                "status": status,
            });
            if !spec.is_empty() {
                manifest["spec"] = Value::Object(spec);
            }
            to_yaml(&manifest)
        })
        .collect();
    format!(
        "# The session's nodes as KWOK fake nodes, as they were when they joined:\n#   kwokctl create cluster && kubectl create -f kwok-nodes.yaml && ./replay.sh\n# (create, not apply: the session's own node manifests, applied later, then\n# leave alone the labels a kubelet gave its node). They carry the session's\n# taints only, not kwok.x-k8s.io/node, so pods land as they did in daemonlab.\n{}",
        documents.join("---\n")
    )
}

/// The files of an export of the session made of `actions` (replayed with
/// `seed`; `-f` paths read from `files`).
pub fn export(actions: &[Action], seed: u64, files: &dyn Files, target: Target) -> Vec<File> {
    let replayed = replay(actions, seed, files);
    let names = match target {
        Target::Kind => kind_names(&replayed.nodes).1,
        Target::Kwok => BTreeMap::new(),
    };
    let setup = match target {
        Target::Kind => kind_setup(&replayed.nodes, &names),
        Target::Kwok => String::new(),
    };
    let (script, read) = replay_script(actions, files, &names, &setup);
    let mut out = Vec::new();
    match target {
        Target::Kind => out.push(File {
            name: "kind-cluster.yaml".to_string(),
            text: kind_config(&replayed.nodes),
            executable: false,
        }),
        Target::Kwok => out.push(File {
            name: "kwok-nodes.yaml".to_string(),
            text: kwok_nodes(&replayed.nodes),
            executable: false,
        }),
    }
    out.push(File {
        name: "final-state.yaml".to_string(),
        text: manifests(&replayed, &names),
        executable: false,
    });
    out.push(File {
        name: "replay.sh".to_string(),
        text: script,
        executable: true,
    });
    out.extend(read);
    out
}

/// The files as one tar archive (POSIX ustar) under the folder `top`, as the
/// page downloads an export.
pub fn tar(top: &str, files: &[File]) -> Vec<u8> {
    let mut out = Vec::new();
    for file in files {
        let name = format!("{top}/{}", file.name);
        let mut header = [0u8; 512];
        let put = |header: &mut [u8; 512], at: usize, width: usize, bytes: &[u8]| {
            let n = bytes.len().min(width);
            header[at..at + n].copy_from_slice(&bytes[..n]);
        };
        // Names past 100 bytes go in the prefix field, split at a slash.
        let (prefix, rest) = match name.len() {
            0..=100 => ("", name.as_str()),
            _ => name
                .char_indices()
                .filter(|&(i, c)| c == '/' && i <= 155 && name.len() - i - 1 <= 100)
                .map(|(i, _)| (&name[..i], &name[i + 1..]))
                .next()
                .unwrap_or(("", name.as_str())),
        };
        let mode = if file.executable { 0o755 } else { 0o644 };
        put(&mut header, 0, 100, rest.as_bytes());
        put(&mut header, 100, 8, format!("{mode:07o}\0").as_bytes());
        put(&mut header, 108, 8, b"0000000\0");
        put(&mut header, 116, 8, b"0000000\0");
        put(
            &mut header,
            124,
            12,
            format!("{:011o}\0", file.text.len()).as_bytes(),
        );
        put(&mut header, 136, 12, b"00000000000\0");
        put(&mut header, 156, 1, b"0");
        put(&mut header, 257, 8, b"ustar\x0000");
        put(&mut header, 345, 155, prefix.as_bytes());
        // The checksum is taken with its own field as spaces.
        put(&mut header, 148, 8, b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        put(&mut header, 148, 8, format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(file.text.as_bytes());
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// A script as `daemonlab run` reads it (commands, heredocs, `#` comments)
/// as the actions of a session.
pub fn actions_of_script(text: &str) -> Vec<Action> {
    let mut actions = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut heredoc = String::new();
        if let Some(delimiter) = heredoc_delimiter(line) {
            for body in lines.by_ref() {
                if body.trim() == delimiter {
                    break;
                }
                heredoc.push_str(body);
                heredoc.push('\n');
            }
        }
        actions.push(Action::Run {
            line: line.to_string(),
            heredoc,
        });
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use daemonlab_kubectl::NoFiles;

    /// GNU tar (every machine that downloads a tar has one) lists and
    /// extracts the archive the page downloads.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn tar_reads_the_archive() {
        let files = vec![
            File {
                name: "replay.sh".to_string(),
                text: "#!/bin/sh\necho hi\n".to_string(),
                executable: true,
            },
            File {
                name: format!("files/{}/deploy.yaml", "deep".repeat(30)),
                text: "x".repeat(700),
                executable: false,
            },
        ];
        let dir = std::env::temp_dir().join(format!("daemonlab-tar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("export.tar"), tar("daemonlab-kind", &files)).unwrap();
        let listed = std::process::Command::new("tar")
            .args(["-xvf", "export.tar"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            listed.status.success(),
            "{}",
            String::from_utf8_lossy(&listed.stderr)
        );
        for file in &files {
            let path = dir.join("daemonlab-kind").join(&file.name);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), file.text);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("daemonlab-kind/replay.sh"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn node_names_are_replaced_only_where_they_stand_whole() {
        let names: BTreeMap<String, String> = [
            ("worker-1".to_string(), "daemonlab-worker".to_string()),
            ("worker-10".to_string(), "daemonlab-worker2".to_string()),
        ]
        .into();
        assert_eq!(
            renamed(
                "kubectl cordon worker-1 worker-10 worker-100 my-worker-1 worker-1.example",
                &names
            ),
            "kubectl cordon daemonlab-worker daemonlab-worker2 worker-100 my-worker-1 worker-1.example"
        );
    }

    #[test]
    fn a_kind_export_names_the_nodes_as_kind_does_everywhere() {
        let script = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Node\nmetadata:\n  name: edge-1\n  labels:\n    node-role.kubernetes.io/edge: \"\"\n    site: lyon\nspec:\n  taints:\n  - key: site\n    value: lyon\n    effect: NoSchedule\nEOF\nkubectl cordon edge-1\n";
        let files = export(&actions_of_script(script), 1, &NoFiles, Target::Kind);
        let text = |name: &str| {
            files
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.text.clone())
                .unwrap_or_default()
        };
        let config = text("kind-cluster.yaml");
        // kind needs a control plane; the session's one node is its worker.
        assert!(
            config.contains("#   daemonlab-worker is edge-1\n"),
            "{config}"
        );
        assert!(config.contains("- role: control-plane\n"), "{config}");
        assert!(
            config.contains("  labels:\n    site: lyon\n  role: worker\n"),
            "{config}"
        );
        assert!(
            config.contains("      taints:\n      - effect: NoSchedule\n        key: site\n        value: lyon\n"),
            "{config}"
        );
        let replay = text("replay.sh");
        assert!(!replay.contains("edge-1"), "{replay}");
        assert!(
            replay.contains("\nkubectl cordon daemonlab-worker\n"),
            "{replay}"
        );
        // The kubelet may not label its node with a role: replay.sh does.
        assert!(
            replay.contains(
                "kubectl label node daemonlab-worker --overwrite node-role.kubernetes.io/edge="
            ),
            "{replay}"
        );
    }
}
