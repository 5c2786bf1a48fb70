//! kubectl over daemonlab's simulated cluster: the verbs, their flags, and output
//! exactly as real kubectl prints it. Shared by the CLI and the browser.

pub mod apply;
pub mod args;
pub mod check;
pub mod complete;
pub mod create;
pub mod delete;
pub mod describe;
pub mod docs_site;
pub mod drain;
pub mod edit;
pub mod embedded;
pub mod events;
pub mod explain;
pub mod export;
pub mod get;
pub mod gotemplate;
pub mod help;
pub mod info;
pub mod jsonpath;
pub mod kyaml;
pub mod logs;
pub mod nodes;
pub mod output_file;
pub mod patch;
pub mod printers;
pub mod resources;
pub mod rollout;
pub mod scheduling_report;
pub mod script;
pub mod selector;
pub mod shell;
pub mod sort_by;
pub mod table;
pub mod top;
pub mod wait;
pub mod written;
pub mod yaml;

use daemonlab_core::sim::Cluster;

use self::args::Args;

/// What one kubectl command printed, and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Warnings kubectl prints on stderr before its other output.
    pub notice: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// `kubectl edit` waiting for an editor: the shell runs `KUBE_EDITOR`
    /// on it, the page opens it in its own editor.
    pub editing: Option<Box<edit::Editing>>,
}

impl Output {
    pub fn ok(stdout: String) -> Self {
        Output {
            stdout,
            ..Default::default()
        }
    }

    /// A failure: kubectl prints `message` on stderr and exits 1.
    pub fn error(message: impl Into<String>) -> Self {
        let mut stderr = message.into();
        if !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        Output {
            stderr,
            exit_code: 1,
            ..Default::default()
        }
    }
}

/// Where `-f PATH` reads from: the script's folder, the editor, a test's files.
pub trait Files {
    fn read(&self, path: &str) -> Option<String>;
}

/// The files a command line reads with `-f`/`--filename` that a folder can
/// hold: relative paths inside it (not `-`, URLs, absolute or `..` paths).
pub fn relative_files_read(line: &str) -> Vec<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .iter()
        .enumerate()
        .filter_map(|(i, word)| match *word {
            "-f" | "--filename" => words.get(i + 1).copied(),
            other => other
                .strip_prefix("--filename=")
                .or_else(|| other.strip_prefix("-f=")),
        })
        .map(|path| path.trim_matches(|c| c == '\'' || c == '"'))
        .filter(|path| {
            !path.starts_with('/')
                && !path.contains("://")
                && *path != "-"
                && !path.split('/').any(|part| part == "..")
        })
        .map(str::to_string)
        .collect()
}

/// No files at all: only `-f -` works.
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, _: &str) -> Option<String> {
        None
    }
}

/// Runs `kubectl ARGS...` (without the word `kubectl`) against `cluster`.
/// `stdin` is what `-f -` reads.
pub fn run(cluster: &mut Cluster, argv: &[String], stdin: &str, files: &dyn Files) -> Output {
    if let Some(text) = help::requested(argv) {
        return Output::ok(text);
    }
    let Some((verb, rest)) = argv.split_first() else {
        return Output::default();
    };
    let parse = |value_flags: &[&str], bool_flags: &[&str]| {
        let mut args = Args::parse(rest, value_flags, bool_flags)?;
        // The verbs that print what they wrote (`get` reads template files
        // itself: it reports a bad one only once it has objects to print).
        if matches!(verb.as_str(), "create" | "patch" | "events") {
            output_file::inline(&mut args, files)?;
        }
        Ok(args)
    };
    let namespace: &[&str] = &["-n", "--namespace"];
    let result = match verb.as_str() {
        "apply" => return apply_command(cluster, rest, stdin, files),
        "get" => {
            parse(get::VALUE_FLAGS, get::BOOL_FLAGS).map(|args| get::run(cluster, &args, files))
        }
        "describe" => parse(describe::VALUE_FLAGS, describe::BOOL_FLAGS)
            .map(|args| describe::run(cluster, &args)),
        "delete" => parse(delete::VALUE_FLAGS, delete::BOOL_FLAGS)
            .map(|args| delete::run(cluster, &args, stdin, files)),
        "edit" => parse(edit::VALUE_FLAGS, edit::BOOL_FLAGS).map(|args| {
            edit::open(cluster, &args).map_or_else(Output::error, |editing| Output {
                editing: Some(Box::new(editing)),
                ..Default::default()
            })
        }),
        "logs" => parse(logs::VALUE_FLAGS, logs::BOOL_FLAGS).map(|args| logs::run(cluster, &args)),
        "wait" => parse(wait::VALUE_FLAGS, wait::BOOL_FLAGS).map(|args| wait::run(cluster, &args)),
        "events" => {
            parse(events::VALUE_FLAGS, events::BOOL_FLAGS).map(|args| events::run(cluster, &args))
        }
        "create" => parse(create::VALUE_FLAGS, create::BOOL_FLAGS)
            .map(|args| create::run(cluster, &args, stdin, files)),
        "label" => {
            parse(namespace, &["--overwrite"]).map(|args| nodes::label(cluster, &args, false))
        }
        "annotate" => {
            parse(namespace, &["--overwrite"]).map(|args| nodes::label(cluster, &args, true))
        }
        "taint" => parse(&[], &["--overwrite"]).map(|args| nodes::taint(cluster, &args)),
        "patch" => parse(patch::VALUE_FLAGS, patch::BOOL_FLAGS)
            .map(|args| patch::run(cluster, &args, files)),
        "cordon" => parse(&[], &[]).map(|args| nodes::cordon(cluster, &args, true)),
        "rollout" => Ok(rollout::rollout(cluster, rest)),
        "scale" => parse(&["-n", "--namespace", "--replicas"], &[])
            .map(|args| rollout::scale(cluster, &args)),
        "set" => match rest.split_first() {
            Some((what, args)) if what == "image" => {
                Args::parse(args, namespace, &[]).map(|args| rollout::set_image(cluster, &args))
            }
            _ => Err("error: unknown command for \"kubectl set\"".to_string()),
        },
        "top" => match rest.split_first() {
            Some((what, args)) if matches!(what.as_str(), "node" | "nodes" | "no") => {
                Args::parse(args, top::NODE_VALUE_FLAGS, top::NODE_BOOL_FLAGS)
                    .map(|args| top::node(cluster, &args))
            }
            Some((what, args)) if matches!(what.as_str(), "pod" | "pods" | "po") => {
                Args::parse(args, top::POD_VALUE_FLAGS, top::POD_BOOL_FLAGS)
                    .map(|args| top::pod(cluster, &args))
            }
            None => Ok(Output::ok(include_str!("help/top.txt").to_string())),
            Some((what, _)) => Err(format!(
                "error: unknown command \"{what}\"\nSee 'kubectl top -h' for help and examples"
            )),
        },
        "drain" => {
            parse(drain::VALUE_FLAGS, drain::BOOL_FLAGS).map(|args| drain::run(cluster, &args))
        }
        "explain" => parse(explain::VALUE_FLAGS, explain::BOOL_FLAGS)
            .map(|args| explain::run(cluster, &args)),
        "version" => parse(&["-o", "--output"], &["--client"]).map(|args| info::version(&args)),
        "api-resources" => parse(
            &["-o", "--output", "--api-group", "--namespaced", "--sort-by"],
            &["--no-headers"],
        )
        .map(|args| info::api_resources(cluster.store(), &args)),
        "uncordon" => parse(&[], &[]).map(|args| nodes::cordon(cluster, &args, false)),
        other if KUBECTL_COMMANDS.contains(&other) => {
            return Output::error(format!(
                "error: daemonlab does not simulate \"kubectl {other}\"; it runs: {}",
                complete::VERBS.join(", ")
            ))
        }
        other => return Output::error(unknown_command(other)),
    };
    // Flag errors name the command they belong to.
    let command = match (verb.as_str(), rest.first()) {
        ("set" | "create", Some(sub)) if !sub.starts_with('-') => format!("{verb} {sub}"),
        _ => verb.clone(),
    };
    let output = result.unwrap_or_else(|message| {
        Output::error(message.replace("'kubectl --help'", &format!("'kubectl {command} --help'")))
    });
    // Controllers react at once to what the command changed.
    cluster.reconcile();
    output
}

/// Every command of real kubectl, to tell a typo from a command the playground
/// does not simulate.
const KUBECTL_COMMANDS: &[&str] = &[
    // In the order kubectl registers them (`NewKubectlCommand`'s groups,
    // then the rest), which is the order cobra suggests them in.
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "alpha",
    "config",
    "plugin",
    "version",
    "api-versions",
    "api-resources",
    "options",
    "kuberc",
];

/// cobra's `unknown command` error, with its suggestions: commands within two
/// edits of what was typed, or starting with it.
fn unknown_command(typed: &str) -> String {
    let suggestions: Vec<&str> = KUBECTL_COMMANDS
        .iter()
        .copied()
        .filter(|c| levenshtein(typed, c) <= 2 || c.starts_with(&typed.to_lowercase()))
        .collect();
    let mut message = format!("error: unknown command \"{typed}\" for \"kubectl\"");
    if !suggestions.is_empty() {
        message.push_str("\n\nDid you mean this?\n");
        for s in suggestions {
            message.push_str(&format!("\t{s}\n"));
        }
    }
    message
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(previous + usize::from(ca != *cb));
            previous = current;
        }
    }
    row[b.len()]
}

/// What `-f PATH` names (`-` for standard input), and its name in messages.
pub(crate) fn read_filename(
    path: &str,
    stdin: &str,
    files: &dyn Files,
) -> Result<(String, String), Output> {
    if path == "-" {
        return Ok((stdin.to_string(), "STDIN".to_string()));
    }
    files
        .read(path)
        .map(|text| (text, path.to_string()))
        .ok_or_else(|| Output::error(format!("error: the path \"{path}\" does not exist")))
}

fn apply_command(cluster: &mut Cluster, rest: &[String], stdin: &str, files: &dyn Files) -> Output {
    let value_flags = &[
        "-f",
        "--filename",
        "-n",
        "--namespace",
        "--dry-run",
        "-o",
        "--output",
    ];
    let mut args = match Args::parse(rest, value_flags, &[]) {
        Ok(args) => args,
        Err(error) => return Output::error(error),
    };
    if let Err(error) = output_file::inline(&mut args, files) {
        return Output::error(error);
    }
    let dry_run = match written::DryRun::parse(args.value(&["--dry-run"])) {
        Ok(dry_run) => dry_run,
        Err(error) => return Output::error(error),
    };
    let Some(path) = args.value(&["-f", "--filename"]) else {
        return Output::error("error: must specify one of -f and -k");
    };
    let (text, source) = match read_filename(path, stdin, files) {
        Ok(read) => read,
        Err(error) => return error,
    };
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    written::write(
        cluster,
        &text,
        &source,
        written::Verb::Apply,
        dry_run,
        output,
    )
}
