//! `daemonlab`: runs the simulated cluster on the command line.

use std::io::Read;
use std::process::ExitCode;

use daemonlab_cli::Folder;
use daemonlab_core::sim::Cluster;
use daemonlab_core::view::{cluster_view, ClusterView};
use daemonlab_kubectl::apply::apply;
use daemonlab_kubectl::script::run_script;
use daemonlab_kubectl::Files;
use daemonlab_session::export::Target;

mod real_kubectl;
mod serve;

const USAGE: &str = "\
Usage:
  daemonlab run [--seed N] FILE    run a script of kubectl and sim commands
  daemonlab show [--seed N] FILE   apply manifests, settle, and show every node
  daemonlab check [--seed N] [--examples DIR] [--cluster FILE | --kubectl PATH]
                  PAGE             run a page's commands and compare their output,
                                   and the scenarios it embeds
  daemonlab serve [--seed N] [--port N] [--address IP] [--speed X | --manual]
                  [--kubeconfig PATH] [FILE...]
                                   serve the cluster over the Kubernetes API
  daemonlab export --to kind|kwok [--seed N] FILE DIR
                                   write what FILE does for a real cluster

run: each line of FILE ('-' reads standard input) that is not blank or a
'# comment' is a command: 'kubectl ...', 'sim advance DURATION', 'sim settle',
'sim node down NAME', 'sim node up NAME' or 'sim explain pod NAME' (the
scheduler's last decision, plugin by plugin). 'kubectl apply -f - <<EOF' reads
the lines up to EOF; '-f PATH' is read relative to FILE's folder. Each command
is printed after '$ ', then its output.

show: applies the manifests in FILE to an empty cluster, lets it settle, and
prints every node with its labels, taints and pods, and why each DaemonSet does
not run where it does not.

check: runs the ```console blocks of a Markdown page on a fresh cluster, as one
terminal session ('$ ' starts a command, the lines below are its output), and
prints a diff for every command whose output differs. In the page's output,
'[..]' matches any text within a line; pod-name suffixes, ages and column
widths may differ. A fenced block with 'file=NAME' in its info string is a file
'-f NAME' reads; other paths are read relative to the page's folder. Each
<daemonlab-playground> the page embeds (Markdown or HTML) runs on a cluster of
its own: every manifest it carries must apply, then each of its 'run'
commands must succeed. Exits 1 when anything differs.

Pages written as kubernetes.io writes them are read too: commands in
```shell blocks without a prompt; the block after \"The output is similar
to:\" (or \"This returns ...:\") is compared loosely (the columns it shows,
row by row; placeholders such as <name>, ..., x.x.x.x match anything), and a
command whose output the page does not show must succeed. --examples DIR is
the site's examples folder: '-f https://k8s.io/examples/PATH' reads DIR/PATH,
and each {{< codenew file=... >}} or {{% code_sample file=... %}} must exist
there and be accepted by the API server. --cluster FILE holds the manifests
(nodes, say) of the cluster the page assumes, applied and settled first (it
may be given more than once).
Commands that cannot be run here (kubectl edit, exec, a <placeholder>) are
listed as not checked, with the reason.
--kubectl PATH runs the commands in a bash whose kubectl is PATH, against the
cluster of the current kubeconfig context, instead of the simulator: the same
page verified against a real cluster. The files a command reads with -f are
written to a scratch folder it runs in. Between the steps of a kubernetes.io
page, a cluster served by 'daemonlab serve' is asked to settle; a real one
runs on by itself.

export: runs the script FILE as 'run' does and writes, in DIR, what takes it
to a real cluster: with --to kind, kind-cluster.yaml (a kind cluster whose nodes carry
the labels and taints each node had when it joined; kind names the nodes
itself, daemonlab-worker and so on, and the names in every file follow); with
--to kwok, kwok-nodes.yaml (the nodes as KWOK fake nodes, with their capacity, for
rehearsals at thousands of nodes on a real control plane). Both have
final-state.yaml (the objects the script made, as they are at its end, without
what the server sets, in the order they were made), replay.sh (every command,
in order, with the files they read; 'sim advance' sleeps, 'sim settle' waits
for the DaemonSets' rollouts, or with DAEMONLAB_SIM=http://ADDRESS both move
the clock of a 'daemonlab serve'), and in files/ the files the commands read.

serve: applies each FILE's manifests and lets the cluster settle, then serves
it over the Kubernetes HTTP API on http://127.0.0.1:PORT (--port, 8001 by
default; 0 picks a free port) and writes a kubeconfig for it (--kubeconfig,
./daemonlab.kubeconfig by default): 'export KUBECONFIG=daemonlab.kubeconfig',
then kubectl, k9s or any client-go or kube-rs program talks to it. Virtual
time follows the wall clock (--speed X: X virtual seconds per second, 1 by
default), or with --manual moves only when a client posts a sim command to
/daemonlab/sim (the body 'advance 30s', 'settle', 'node down NAME', ...).
There is no authentication and no TLS: anyone who can reach the port can change
the cluster, so it listens on loopback unless --address says otherwise.";

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

/// `--seed N` and the one FILE argument.
fn seed_and_file(args: &[String]) -> Result<(u64, String), String> {
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
    Ok((seed, file.ok_or_else(|| USAGE.to_string())?))
}

/// The seed, the file's name and text, and its folder (where `-f` paths start).
fn input_with_folder(args: &[String]) -> Result<(u64, String, String, Folder), String> {
    let (seed, file) = seed_and_file(args)?;
    let text = read_input(&file)?;
    let folder = std::path::Path::new(&file)
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    Ok((seed, file, text, Folder(folder)))
}

fn run(args: &[String]) -> Result<String, String> {
    let (seed, _, text, folder) = input_with_folder(args)?;
    let mut cluster = Cluster::new(seed);
    Ok(run_script(&mut cluster, &text, &folder))
}

/// `daemonlab check`: the report, and whether the page passed.
fn check(args: &[String]) -> Result<(String, bool), String> {
    // `--examples DIR` and `--cluster FILE` are check's own; the rest as for run.
    let mut rest = Vec::new();
    let (mut examples, mut cluster, mut kubectl) = (None, Vec::new(), None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--examples" => {
                examples = Some(
                    args.next()
                        .ok_or("error: --examples needs a folder")?
                        .clone(),
                )
            }
            "--cluster" => {
                cluster.push(args.next().ok_or("error: --cluster needs a file")?.clone())
            }
            "--kubectl" => {
                kubectl = Some(
                    args.next()
                        .ok_or("error: --kubectl needs the path of a kubectl")?
                        .clone(),
                )
            }
            _ => rest.push(arg.clone()),
        }
    }
    let (seed, file, text, folder) = input_with_folder(&rest)?;
    let examples = examples.map(|dir| Folder(dir.into()));
    let cluster = cluster
        .iter()
        .map(|path| read_input(path))
        .collect::<Result<Vec<_>, _>>()?
        .join("\n---\n");
    let options = daemonlab_kubectl::check::Options {
        seed,
        examples: examples.as_ref().map(|f| f as &dyn Files),
        cluster: (!cluster.is_empty()).then_some(cluster.as_str()),
    };
    let report = match kubectl {
        // A real cluster is prepared by its owner, not by --cluster.
        Some(_) if options.cluster.is_some() => {
            return Err("error: --cluster prepares the simulated cluster; with --kubectl, the page runs against the cluster of the current kubeconfig context as it is".to_string())
        }
        Some(path) => {
            let mut runner = real_kubectl::RealKubectl::start(std::path::Path::new(&path))?;
            daemonlab_kubectl::check::check_on(&text, &file, options, &folder, &mut runner)
        }
        None => daemonlab_kubectl::check::check_with(&text, &file, options, &folder),
    };
    Ok((report.render(&file), report.passed()))
}

fn show(args: &[String]) -> Result<String, String> {
    let (seed, file) = seed_and_file(args)?;
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

/// `daemonlab export --to kind|kwok [--seed N] FILE DIR`.
fn export(args: &[String]) -> Result<String, String> {
    let mut rest = Vec::new();
    let mut target = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--to" => {
                let value = args.next().ok_or("error: --to needs kind or kwok")?;
                target = Some(Target::parse(value)?);
            }
            other => match other.strip_prefix("--to=") {
                Some(value) => target = Some(Target::parse(value)?),
                None => rest.push(arg.clone()),
            },
        }
    }
    let target =
        target.ok_or_else(|| format!("error: export needs --to kind or --to kwok\n\n{USAGE}"))?;
    let dir = match rest.pop() {
        Some(dir) if !rest.is_empty() => dir,
        _ => return Err(format!("error: export needs a FILE and a DIR\n\n{USAGE}")),
    };
    let (seed, file, text, folder) = input_with_folder(&rest)?;
    let files = daemonlab_session::export::export(
        &daemonlab_session::export::actions_of_script(&text),
        seed,
        &folder,
        target,
    );
    let dir = std::path::Path::new(&dir);
    let failed =
        |path: &std::path::Path, e: std::io::Error| format!("error: {}: {e}", path.display());
    for out in &files {
        let path = dir.join(&out.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| failed(parent, e))?;
        }
        std::fs::write(&path, &out.text).map_err(|e| failed(&path, e))?;
        #[cfg(unix)]
        if out.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| failed(&path, e))?;
        }
    }
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    Ok(format!(
        "{file} exported to {}: {}\n",
        dir.display(),
        names.join(", ")
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `daemonlab serve --help` asks for help, as with kubectl.
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("check") {
        return match check(&args[1..]) {
            Ok((report, passed)) => {
                print!("{report}");
                if passed {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                }
            }
            Err(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
        };
    }
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("show") => show(&args[1..]),
        Some("serve") => serve::serve(&args[1..]).map(|()| String::new()),
        Some("export") => export(&args[1..]),
        Some("help") => Ok(format!("{USAGE}\n")),
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
