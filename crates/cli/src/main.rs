//! `daemonlab`: runs the simulated cluster on the command line.

use std::io::Read;
use std::process::ExitCode;

use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{cluster_view, ClusterView};
use daemonlab_kubectl::apply::apply;

const USAGE: &str = "\
Usage: daemonlab show [--seed N] FILE

Applies the manifests in FILE ('-' reads standard input) to an empty cluster,
lets it settle, and prints every node with its labels, taints and pods, and why
each DaemonSet does not run where it does not.";

fn read_input(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("error: reading standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("error: {path}: {e}"))
    }
}

fn render(view: &ClusterView) -> String {
    let mut out = String::new();
    for node in &view.nodes {
        let roles = if node.roles.is_empty() {
            "<none>".to_string()
        } else {
            node.roles.join(",")
        };
        out.push_str(&format!(
            "node/{} {} roles={}\n",
            node.name, node.status, roles
        ));
        if !node.labels.is_empty() {
            out.push_str(&format!("  labels: {}\n", node.labels.join(", ")));
        }
        if !node.taints.is_empty() {
            out.push_str(&format!("  taints: {}\n", node.taints.join(", ")));
        }
        for pod in &node.pods {
            out.push_str(&format!(
                "  pod/{} {} {}\n",
                pod.name,
                pod.status,
                if pod.ready { "ready" } else { "not ready" }
            ));
        }
        for absence in &node.not_running {
            out.push_str(&format!(
                "  no {} pod: {}\n",
                absence.daemonset, absence.reason
            ));
        }
    }
    out
}

fn show(args: &[String]) -> Result<String, String> {
    let mut seed = 1;
    let mut file = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                let value = args.next().ok_or("error: --seed needs a value")?;
                seed = value
                    .parse()
                    .map_err(|_| format!("error: --seed: {value:?} is not a number"))?;
            }
            _ if file.is_none() => file = Some(arg.clone()),
            _ => return Err(format!("error: unexpected argument {arg:?}\n\n{USAGE}")),
        }
    }
    let file = file.ok_or_else(|| USAGE.to_string())?;
    let text = read_input(&file)?;
    let mut cluster = Cluster::new(seed);
    let source = if file == "-" { "STDIN" } else { file.as_str() };
    let report = apply(&mut cluster, &text, source);
    cluster.settle();
    eprint!("{}", report.stderr());
    let mut out = report.stdout();
    out.push('\n');
    out.push_str(&render(&cluster_view(&cluster)));
    Ok(out)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("show") => show(&args[1..]),
        Some("-h" | "--help" | "help") => Ok(format!("{USAGE}\n")),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
