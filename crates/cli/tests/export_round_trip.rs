//! `daemonlab export` judged by real kubectl: a session run in the simulator
//! is exported for KWOK, the export is replayed by real kubectl 1.36 against
//! an empty `daemonlab serve` (its fake nodes created, then `replay.sh` with
//! its `sim` lines sent to the server's clock), and the cluster it ends with
//! must read, command by command, as the original run's does.
//!
//! Needs real kubectl: `cargo xtask differential` runs it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use daemonlab_apiserver::{kubeconfig, listen, ApiServer, Clock};
use daemonlab_cli::bash::Bash;
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::script::run_script;
use daemonlab_kubectl::shell::Shell;
use daemonlab_kubectl::{Files, NoFiles};

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

struct Folder(PathBuf);

impl Files for Folder {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }
}

fn kubectl() -> PathBuf {
    match std::env::var_os("DAEMONLAB_KUBECTL") {
        Some(path) => PathBuf::from(path),
        None => {
            panic!("set DAEMONLAB_KUBECTL to real kubectl 1.36 (`cargo xtask kubectl` fetches it)")
        }
    }
}

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
    let server = Arc::new(ApiServer::new(Cluster::new(1), Clock::Manual));
    let address = listen(server, "127.0.0.1:0")
        .and_then(|l| l.spawn())
        .expect("a loopback port");
    let config = dir.join("kubeconfig");
    std::fs::write(&config, kubeconfig(&address)).expect("kubeconfig written");
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
