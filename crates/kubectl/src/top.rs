//! `kubectl top node` and `kubectl top pod`: the Metrics API's usage (see
//! `daemonlab_core::metrics`: simulated from the pods' requests, served once
//! metrics-server runs) printed as kubectl's `TopCmdPrinter` prints it.

use std::collections::BTreeMap;

use daemonlab_core::api::quantity::Quantity;
use daemonlab_core::api::{Kind, Served};
use daemonlab_core::metrics::{api_available, node_usages, pod_usage, Usage};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::core::v1::{Node, Pod};

use crate::args::Args;
use crate::get::labels_of;
use crate::selector::Selector;
use crate::sort_by::go_sort;
use crate::table::tabwriter;
use crate::Output;

pub const NODE_VALUE_FLAGS: &[&str] = &["-l", "--selector", "--sort-by"];
pub const NODE_BOOL_FLAGS: &[&str] = &[
    "--no-headers",
    "--show-capacity",
    "--show-swap",
    "--use-protocol-buffers",
];
pub const POD_VALUE_FLAGS: &[&str] = &["-n", "--namespace", "-l", "--selector", "--sort-by"];
pub const POD_BOOL_FLAGS: &[&str] = &[
    "-A",
    "--all-namespaces",
    "--containers",
    "--no-headers",
    "--sum",
    "--show-swap",
    "--use-protocol-buffers",
];

fn unavailable() -> Output {
    Output::error("error: Metrics API not available")
}

fn sort_by(args: &Args) -> Result<&str, Output> {
    match args.value(&["--sort-by"]).unwrap_or("") {
        by @ ("" | "cpu" | "memory") => Ok(by),
        _ => Err(Output::error("error: --sort-by accepts only cpu or memory")),
    }
}

/// The NAME asked for and the label selector; kubectl takes one or the
/// other (its message calls the selector `selector_word`).
fn name_and_selector<'a>(
    args: &'a Args,
    selector_word: &str,
) -> Result<(Option<&'a str>, Selector), Output> {
    let name = args.positional.first().map(String::as_str);
    let text = args.value(&["-l", "--selector"]).unwrap_or("");
    if name.is_some() && !text.is_empty() {
        return Err(Output::error(format!(
            "error: only one of NAME or {selector_word} can be provided"
        )));
    }
    let selector = Selector::parse(text).map_err(|e| Output::error(format!("error: {e}")))?;
    Ok((name, selector))
}

/// kubectl's `less` for `--sort-by cpu|memory`: the larger first.
fn larger(by: &str, a: &Usage, b: &Usage) -> Option<bool> {
    match by {
        "cpu" => Some(a.cpu_millis > b.cpu_millis),
        "memory" => Some(a.memory_bytes > b.memory_bytes),
        _ => None,
    }
}

/// What `--show-swap` adds to a row: the simulated kubelets report no swap,
/// so a node's is unknown and a pod's zero.
fn swap_cells(args: &Args, node: bool) -> &'static str {
    match (args.flag(&["--show-swap"]), node) {
        (false, _) => "",
        (true, true) => "<unknown>\t<unknown>\t",
        (true, false) => "0Mi\t",
    }
}

/// One usage cell and, where the node's capacity is known, its percentage.
fn usage_cells(usage: &Usage, available: Option<(i128, i128)>) -> String {
    let mut out = format!("{}m\t", usage.cpu_millis);
    let percent = |used: i128, of: i128| {
        let fraction = if of == 0 {
            0.0
        } else {
            used as f64 / of as f64 * 100.0
        };
        format!("{}%\t", fraction as i64)
    };
    if let Some((cpu, _)) = available {
        out.push_str(&percent(usage.cpu_millis, cpu));
    }
    out.push_str(&format!("{}Mi\t", usage.memory_bytes / (1024 * 1024)));
    if let Some((_, memory)) = available {
        // Go compares milli-values: bytes × 1000.
        out.push_str(&percent(usage.memory_bytes * 1000, memory));
    }
    out
}

/// Milli-values of a node's allocatable (or capacity) cpu and memory.
fn available(node: &Node, capacity: bool) -> (i128, i128) {
    let status = node.status.as_ref();
    let list = if capacity {
        status.and_then(|s| s.capacity.as_ref())
    } else {
        status.and_then(|s| s.allocatable.as_ref())
    };
    let milli = |name: &str| {
        list.and_then(|l| l.get(name))
            .and_then(|q| Quantity::parse(&q.0).ok())
            .map_or(0, |q| q.milli())
    };
    (milli("cpu"), milli("memory"))
}

/// `kubectl top node [NAME | -l label]`.
pub fn node(cluster: &Cluster, args: &Args) -> Output {
    let by = match sort_by(args) {
        Ok(by) => by,
        Err(error) => return error,
    };
    if args.positional.len() > 1 {
        return Output::error(
            "error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples",
        );
    }
    let (name, selector) = match name_and_selector(args, "--selector") {
        Ok(chosen) => chosen,
        Err(error) => return error,
    };
    let store = cluster.store();
    if !api_available(store) {
        return unavailable();
    }
    let nodes: Vec<&Node> = store
        .list(Kind::Node)
        .filter_map(Node::of)
        .filter(|n| match name {
            Some(name) => n.metadata.name.as_deref() == Some(name),
            None => selector.matches(&labels_of(&n.metadata)),
        })
        .collect();
    let usages = node_usages(store);
    let mut metrics: Vec<(String, Usage)> = nodes
        .iter()
        .filter_map(|n| {
            let name = n.metadata.name.clone()?;
            let usage = *usages.get(&name)?;
            Some((name, usage))
        })
        .collect();
    if let (Some(name), true) = (name, metrics.is_empty()) {
        return Output::error(format!(
            "Error from server (NotFound): nodemetrics.metrics.k8s.io \"{name}\" not found"
        ));
    }
    if metrics.is_empty() {
        return Output::error("error: metrics not available yet");
    }
    go_sort(&mut metrics, &mut |a, b| {
        larger(by, &a.1, &b.1).unwrap_or(a.0 < b.0)
    });
    let capacity = args.flag(&["--show-capacity"]);
    let mut available: BTreeMap<String, (i128, i128)> = nodes
        .iter()
        .filter_map(|n| Some((n.metadata.name.clone()?, self::available(n, capacity))))
        .collect();
    let mut text = String::new();
    if !args.flag(&["--no-headers"]) {
        text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t");
        if args.flag(&["--show-swap"]) {
            text.push_str("SWAP(bytes)\tSWAP(%)\t");
        }
        text.push('\n');
    }
    let swap = swap_cells(args, true);
    for (name, usage) in &metrics {
        let cells = usage_cells(usage, available.remove(name));
        text.push_str(&format!("{name}\t{cells}{swap}\n"));
    }
    // Nodes metrics-server could not scrape, in Go's map order (random):
    // kubectl prints them after the others.
    for name in available.keys() {
        text.push_str(&format!(
            "{name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t{swap}\n"
        ));
    }
    Output::ok(tabwriter(&text, 6, 3))
}

/// `kubectl top pod [NAME | -l label]`.
pub fn pod(cluster: &Cluster, args: &Args) -> Output {
    let by = match sort_by(args) {
        Ok(by) => by,
        Err(error) => return error,
    };
    let (name, selector) = match name_and_selector(args, "selector") {
        Ok(chosen) => chosen,
        Err(error) => return error,
    };
    let all = args.flag(&["-A", "--all-namespaces"]);
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let store = cluster.store();
    if !api_available(store) {
        return unavailable();
    }
    let in_scope = |p: &&Pod| {
        let ns = p.metadata.namespace.as_deref().unwrap_or_default();
        (all || ns == namespace)
            && match name {
                Some(name) => p.metadata.name.as_deref() == Some(name),
                None => selector.matches(&labels_of(&p.metadata)),
            }
    };
    let pods: Vec<&Pod> = store
        .list(Kind::Pod)
        .filter_map(Pod::of)
        .filter(in_scope)
        .collect();
    type PodRow = (String, String, Vec<(String, Usage)>, Usage);
    let mut metrics: Vec<PodRow> = pods
        .iter()
        .filter_map(|p| {
            let containers = pod_usage(store, p)?;
            let total = containers.iter().fold(Usage::default(), |t, (_, u)| Usage {
                cpu_millis: t.cpu_millis + u.cpu_millis,
                memory_bytes: t.memory_bytes + u.memory_bytes,
            });
            Some((
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
                containers,
                total,
            ))
        })
        .collect();
    if metrics.is_empty() {
        if let Some(name) = name {
            return Output::error(format!(
                "Error from server (NotFound): podmetrics.metrics.k8s.io \"{namespace}/{name}\" not found"
            ));
        }
        if !pods.is_empty() {
            return Output::error("error: metrics not available yet");
        }
        return Output {
            stderr: if all {
                "No resources found\n".to_string()
            } else {
                format!("No resources found in {namespace} namespace.\n")
            },
            ..Default::default()
        };
    }
    go_sort(&mut metrics, &mut |a, b| {
        larger(by, &a.3, &b.3).unwrap_or(if all && a.0 != b.0 {
            a.0 < b.0
        } else {
            a.1 < b.1
        })
    });
    let containers = args.flag(&["--containers"]);
    let headers = !args.flag(&["--no-headers"]);
    let mut text = String::new();
    // kubectl counts the columns for --sum's lines only as it prints headers.
    let mut width: usize = 3;
    if headers {
        if all {
            text.push_str("NAMESPACE\t");
            width += 1;
        }
        if containers {
            text.push_str("POD\t");
            width += 1;
        }
        text.push_str("NAME\tCPU(cores)\tMEMORY(bytes)\t");
        if args.flag(&["--show-swap"]) {
            text.push_str("SWAP(bytes)\t");
        }
        text.push('\n');
    }
    let swap = swap_cells(args, false);
    let mut total = Usage::default();
    for (namespace, pod, mut usages, sum) in metrics {
        total.cpu_millis += sum.cpu_millis;
        total.memory_bytes += sum.memory_bytes;
        let prefix = if all {
            format!("{namespace}\t")
        } else {
            String::new()
        };
        if containers {
            go_sort(&mut usages, &mut |a, b| {
                larger(by, &a.1, &b.1).unwrap_or(a.0 < b.0)
            });
            for (container, usage) in &usages {
                let cells = usage_cells(usage, None);
                text.push_str(&format!("{prefix}{pod}\t{container}\t{cells}{swap}\n"));
            }
        } else {
            text.push_str(&format!(
                "{prefix}{pod}\t{}{swap}\n",
                usage_cells(&sum, None)
            ));
        }
    }
    if args.flag(&["--sum"]) {
        let empty = |n: usize| "\t".repeat(n);
        text.push_str(&format!(
            "{}________\t________\t\n",
            empty(width.saturating_sub(2))
        ));
        text.push_str(&format!(
            "{}\t{}{swap}\n",
            empty(width.saturating_sub(3)),
            usage_cells(&total, None)
        ));
    }
    Output::ok(tabwriter(&text, 6, 3))
}
