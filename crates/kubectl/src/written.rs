//! What `kubectl apply` and `kubectl create -f` print with `-o FORMAT` (the
//! objects as written: apply a `List` when there are several, create each on
//! its own) and with `--dry-run`: `client` sends
//! nothing and says what it would do; `server` has the API server do it all,
//! defaults and validation included, without keeping anything.

use daemonlab_core::api::decode::manifests;
use daemonlab_core::api::server::with_last_applied;
use daemonlab_core::sim::Cluster;
use serde_json::{json, Value};

use crate::apply::Report;
use crate::get::to_json;
use crate::gotemplate::GoTemplate;
use crate::jsonpath::Template;
use crate::yaml::to_yaml;
use crate::Output;

/// `--dry-run`'s three values.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    pub fn parse(value: Option<&str>) -> Result<DryRun, String> {
        match value.unwrap_or("none") {
            "none" => Ok(DryRun::None),
            "client" => Ok(DryRun::Client),
            "server" => Ok(DryRun::Server),
            other => Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            )),
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// Objects (their resource, as `name` prints it, and their JSON) in `output`'s format.
pub fn print(objects: &[(String, Value)], output: &str) -> Result<String, String> {
    Format::parse(output)?.print(objects)
}

/// An `-o` format of the commands that print what they wrote, its templates
/// parsed: kubectl builds its printer before it writes anything.
pub enum Format<'a> {
    Yaml,
    Kyaml,
    Json,
    Name,
    GoTemplate(GoTemplate, &'a str),
    JsonPath(Template, &'a str, bool),
}

impl<'a> Format<'a> {
    pub fn parse(output: &'a str) -> Result<Format<'a>, String> {
        if let Some(text) = output
            .strip_prefix("go-template=")
            .or_else(|| output.strip_prefix("template="))
        {
            let template = GoTemplate::parse(text)
                .map_err(|e| format!("error: error parsing template {text}, template: {e}"))?;
            return Ok(Format::GoTemplate(template, text));
        }
        let (jsonpath, as_json) = match output.strip_prefix("jsonpath-as-json=") {
            Some(text) => (Some(text), true),
            None => (output.strip_prefix("jsonpath="), false),
        };
        if let Some(text) = jsonpath {
            let template = Template::parse(text)
                .map_err(|e| format!("error: error parsing jsonpath {text}, {e}"))?;
            return Ok(Format::JsonPath(template, text, as_json));
        }
        match output {
            "yaml" => Ok(Format::Yaml),
            "kyaml" => Ok(Format::Kyaml),
            "json" => Ok(Format::Json),
            "name" => Ok(Format::Name),
            other => Err(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,yaml"
            )),
        }
    }

    /// The objects (their resource, as `name` prints it, and their JSON);
    /// several as one `List`.
    pub fn print(&self, objects: &[(String, Value)]) -> Result<String, String> {
        let value = match objects {
            [(_, one)] => one.clone(),
            many => json!({
                "apiVersion": "v1",
                "items": many.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                "kind": "List",
                "metadata": {"resourceVersion": ""}
            }),
        };
        let name = |v: &Value| {
            v.pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        match self {
            Format::GoTemplate(template, text) => template.render(&value).map_err(|e| {
                format!("error: error executing template {text:?}: template: output:1: {e}")
            }),
            Format::JsonPath(template, text, as_json) => template
                .render_as(&value, *as_json)
                .map_err(|e| format!("error: error executing jsonpath {text:?}: {e}")),
            Format::Yaml => Ok(to_yaml(&value)),
            Format::Kyaml => Ok(crate::kyaml::to_kyaml(&value)),
            Format::Json => Ok(to_json(&value)),
            Format::Name => Ok(objects
                .iter()
                .map(|(r, v)| format!("{r}/{}\n", name(v)))
                .collect()),
        }
    }
}

/// Which command writes: `apply`, or `create` (`--save-config` recording
/// what apply would).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Apply,
    Create { save_config: bool },
}

/// `kubectl apply -f` or `kubectl create -f` with `--dry-run` and `-o` as
/// given (`output` empty for none).
pub fn write(
    cluster: &mut Cluster,
    text: &str,
    source: &str,
    verb: Verb,
    dry_run: DryRun,
    output: &str,
) -> Output {
    let format = match output {
        "" => None,
        output => match Format::parse(output) {
            Ok(format) => Some(format),
            Err(error) => return Output::error(error),
        },
    };
    let mut scratch;
    let target = if dry_run == DryRun::Server {
        scratch = cluster.clone();
        &mut scratch
    } else {
        cluster
    };
    let report = match (verb, dry_run) {
        (Verb::Apply, DryRun::Client) => crate::apply::apply_client_dry_run(target, text, source),
        (Verb::Apply, _) => crate::apply::apply(target, text, source),
        (Verb::Create { .. }, DryRun::Client) => {
            crate::apply::create_client_dry_run(target, text, source)
        }
        (Verb::Create { save_config }, _) => {
            crate::apply::create(target, text, source, save_config)
        }
    };
    if report.documents.is_empty() && report.syntax_error.is_none() {
        let command = match verb {
            Verb::Apply => "apply",
            Verb::Create { .. } => "create",
        };
        return Output::error(format!("error: no objects passed to {command}"));
    }
    let mut out = report.output();
    let Some(format) = format else {
        out.stdout = out
            .stdout
            .lines()
            .map(|l| format!("{l}{}\n", dry_run.suffix()))
            .collect();
        return out;
    };
    let objects = match dry_run {
        // As it would be sent: the manifest as written, in its namespace
        // (and, for create --save-config, with what apply would record).
        DryRun::Client => {
            let (found, _) = manifests(text);
            report
                .documents
                .iter()
                .zip(found)
                .filter(|(d, _)| d.outcome.is_ok())
                .filter_map(|(d, m)| {
                    let kind = d.kind?;
                    let mut json = m.json;
                    if verb != Verb::Apply {
                        if let (true, Some(meta)) = (
                            kind.namespaced(),
                            json.get_mut("metadata").and_then(Value::as_object_mut),
                        ) {
                            meta.entry("namespace").or_insert_with(|| json!("default"));
                        }
                    }
                    if verb == (Verb::Create { save_config: true }) {
                        json = with_last_applied(&json).0;
                    }
                    Some((kind.resource(), json))
                })
                .collect()
        }
        _ => written(target, &report),
    };
    // apply prints what it wrote as one list; create prints each object as it goes.
    let printed = match verb {
        Verb::Apply => format.print(&objects),
        Verb::Create { .. } => objects
            .iter()
            .map(|object| format.print(std::slice::from_ref(object)))
            .collect::<Result<Vec<String>, String>>()
            .map(|each| each.join(if output == "yaml" { "---\n" } else { "" })),
    };
    match printed {
        Ok(text) => out.stdout = text,
        Err(error) => {
            out.stderr.push_str(&error);
            out.stderr.push('\n');
            out.exit_code = 1;
        }
    }
    out
}

/// The objects a report wrote, as the store now holds them.
fn written(cluster: &Cluster, report: &Report) -> Vec<(String, Value)> {
    report
        .documents
        .iter()
        .filter(|d| d.outcome.is_ok())
        .filter_map(|d| {
            let kind = d.kind?;
            let namespace = match (kind.namespaced(), d.namespace.as_str()) {
                (false, _) => "",
                (true, "") => "default",
                (true, namespace) => namespace,
            };
            let object = cluster.store().get(kind, namespace, &d.name)?;
            Some((kind.resource(), object.to_json()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::{run, NoFiles};
    use daemonlab_core::sim::Cluster;

    const AGENT: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n";

    fn kubectl(cluster: &mut Cluster, argv: &[&str]) -> crate::Output {
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        run(cluster, &argv, AGENT, &NoFiles)
    }

    #[test]
    fn dry_runs_keep_nothing_and_print_what_they_would_write() {
        let mut cluster = Cluster::new(1);
        let client = kubectl(&mut cluster, &["apply", "-f", "-", "--dry-run=client"]);
        assert_eq!(client.stdout, "daemonset.apps/agent created (dry run)\n");
        // The client sends nothing, so nothing is defaulted.
        let template = "{{.spec.updateStrategy.type}}{{\"\\n\"}}";
        let client = kubectl(
            &mut cluster,
            &[
                "apply",
                "-f",
                "-",
                "--dry-run=client",
                "-o",
                &format!("go-template={template}"),
            ],
        );
        assert_eq!(client.stdout, "<no value>\n");
        // The server defaults and validates, and keeps nothing.
        let server = kubectl(
            &mut cluster,
            &[
                "apply",
                "-f",
                "-",
                "--dry-run=server",
                "-o",
                &format!("go-template={template}"),
            ],
        );
        assert_eq!(server.stdout, "RollingUpdate\n");
        let server = kubectl(&mut cluster, &["apply", "-f", "-", "--dry-run=server"]);
        assert_eq!(
            server.stdout,
            "daemonset.apps/agent created (server dry run)\n"
        );
        assert_eq!(
            kubectl(&mut cluster, &["get", "ds"]).stderr,
            "No resources found in default namespace.\n"
        );
        let applied = kubectl(&mut cluster, &["apply", "-f", "-", "-o", "name"]);
        assert_eq!(applied.stdout, "daemonset.apps/agent\n");
        let client = kubectl(&mut cluster, &["apply", "-f", "-", "--dry-run=client"]);
        assert_eq!(client.stdout, "daemonset.apps/agent configured (dry run)\n");
        let got = kubectl(
            &mut cluster,
            &["get", "ds/agent", "-o", &format!("go-template={template}")],
        );
        assert_eq!(got.stdout, "RollingUpdate\n");
        let bad = kubectl(&mut cluster, &["apply", "-f", "-", "--dry-run=maybe"]);
        assert_eq!(
            bad.stderr,
            "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n"
        );
    }
}
