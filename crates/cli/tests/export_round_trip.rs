//! `daemonlab export` judged by real kubectl: a session run in the simulator
//! is exported for KWOK, the export is replayed by real kubectl 1.36 against
//! an empty `daemonlab serve` (its fake nodes created, then `replay.sh` with
//! its `sim` lines sent to the server's clock), and the cluster it ends with
//! must read, command by command, as the original run's does.
//!
//! Needs real kubectl: `cargo xtask differential` runs it.

use std::path::Path;
use std::time::Duration;

use daemonlab_cli::bash::Bash;
use daemonlab_cli::Folder;
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::script::run_script;
use daemonlab_kubectl::shell::Shell;
use daemonlab_kubectl::NoFiles;

mod common;
use common::{kubectl, serve};

/// What the end state is read by: names, placement, images, labels, taints,
/// revisions; nothing a replay on another clock or with other generated
/// names would change.
const STATE: &[&str] = &[
    "kubectl get nodes -o custom-columns=NAME:.metadata.name,LABELS:.metadata.labels,TAINTS:.spec.taints,UNSCHEDULABLE:.spec.unschedulable",
    "kubectl get ns -o name",
    "kubectl get ds -A -o custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,DESIRED:.status.desiredNumberScheduled,READY:.status.numberReady,UPDATED:.status.updatedNumberScheduled,IMAGES:.spec.template.spec.containers[*].image,REASON:.metadata.annotations.example\\.com/reason",
    "kubectl get pods -A --no-headers -o custom-columns=NAMESPACE:.metadata.namespace,OWNER:.metadata.ownerReferences[0].name,NODE:.spec.nodeName,IMAGES:.spec.containers[*].image,PHASE:.status.phase | sort",
    "kubectl rollout history ds/node-agent -n monitoring",
];

#[test]
#[ignore = "needs real kubectl: run by `cargo xtask differential`"]
fn a_kwok_export_replayed_by_real_kubectl_ends_where_the_session_did() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/export");
    let script = folder.join("rehearsal.txt");

    // The session, in the simulator.
    let mut original = Cluster::new(1);
    run_script(
        &mut original,
        &std::fs::read_to_string(&script).expect("the rehearsal"),
        &Folder(folder.clone()),
    );
    let mut shell = Shell::new();
    let expected: Vec<String> = STATE
        .iter()
        .map(|command| {
            let out = shell.run(&mut original, command, "", &NoFiles);
            format!("{}{}", out.stdout, out.stderr)
        })
        .collect();

    // Its export, replayed by real kubectl on an empty served cluster.
    let dir = std::env::temp_dir().join(format!("daemonlab-export-{}", std::process::id()));
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_daemonlab"))
        .args(["export", "--to", "kwok"])
        .arg(&script)
        .arg(&dir)
        .output()
        .expect("daemonlab runs");
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let config = dir.join("kubeconfig");
    let address = serve(&config);
    let sim = format!("export DAEMONLAB_SIM=http://{address}");
    let mut bash = Bash::start(
        &dir,
        &kubectl(),
        &[("KUBECONFIG", &config), ("HOME", &dir)],
        &sim,
    )
    .expect("bash runs");
    let limit = Duration::from_secs(300);
    let replayed = bash
        .run("kubectl create -f kwok-nodes.yaml && ./replay.sh", limit)
        .expect("the replay finishes");
    assert_eq!(replayed.exit_code, 0, "{}", replayed.output);
    let actual: Vec<String> = STATE
        .iter()
        .map(|command| bash.run(command, limit).expect("kubectl answers").output)
        .collect();
    for ((command, expected), actual) in STATE.iter().zip(&expected).zip(&actual) {
        assert_eq!(
            actual, expected,
            "$ {command}\n(replay printed:\n{})",
            replayed.output
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
