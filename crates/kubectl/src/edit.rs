//! `kubectl edit`: the objects printed into a file for an editor, under
//! kubectl's header comment; when the editor is done, what changed is sent as
//! a patch (a two-way strategic merge patch, a merge patch for custom
//! resources) and the object reported `edited`; a file the server refuses is
//! opened again with the reasons at its top, as kubectl's edit loop does
//! (`editoptions.go`). The editor is the shell's `KUBE_EDITOR` (or `EDITOR`)
//! in a script, the page's editor in the browser.

use daemonlab_core::api::decode::{kind_of, manifests, MappingError, SyntaxError};
use daemonlab_core::api::errors::{ApiError, Reason};
use daemonlab_core::api::patch::PatchType;
use daemonlab_core::api::patch_diff::{two_way_merge, two_way_strategic};
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::apply::go_yaml_message;
use crate::args::Args;
use crate::get::{not_found, to_json};
use crate::jsonpath::{go_json, go_syntax};
use crate::resources::{resolve, type_and_names};
use crate::written::print;
use crate::yaml::to_yaml;
use crate::Output;

pub const VALUE_FLAGS: &[&str] = &["-n", "--namespace", "-o", "--output"];
pub const BOOL_FLAGS: &[&str] = &["--output-patch"];

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// An edit under way: what the editor shows, and what kubectl remembers to
/// compare the saved file with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Editing {
    /// The file the editor opens.
    pub text: String,
    /// The objects as they were read, by their uids.
    originals: Vec<Original>,
    /// The file as first written: saving it unchanged cancels the edit.
    first_text: String,
    /// The last saved file, when the editor was opened again for its errors.
    refused: Option<String>,
    json: bool,
    output: Option<String>,
    output_patch: bool,
    namespace: String,
    /// How many times the editor was opened, for the temporary files' names.
    pub(crate) launches: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Original {
    kind: Kind,
    json: Value,
}

impl Original {
    fn field(&self, pointer: &str) -> &str {
        self.json
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `daemonsets.apps`, as the edit loop names a resource in its errors.
    fn resource(&self) -> String {
        match self.kind.group() {
            "" => self.kind.plural().to_string(),
            group => format!("{}.{group}", self.kind.plural()),
        }
    }
}

/// What saving the file led to.
#[derive(Debug)]
pub enum Saved {
    /// kubectl is done: what it printed.
    Done(Output),
    /// The editor opens again with the reasons at the top; what kubectl
    /// printed meanwhile.
    Again(Box<Editing>, Output),
}

/// `kubectl edit ARGS`: reads the objects and writes the file for the editor.
pub fn open(cluster: &Cluster, args: &Args) -> Result<Editing, String> {
    let output = args.value(&["-o", "--output"]).map(str::to_string);
    let json = match output.as_deref() {
        None | Some("yaml" | "kyaml") => false,
        Some("json") => true,
        Some(other) => return Err(format!(
            "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,kyaml,yaml"
        )),
    };
    let Some(first) = args.positional.first() else {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".to_string());
    };
    let (type_arg, names) = type_and_names(first, &args.positional[1..]);
    let kind = resolve(cluster.store(), type_arg)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{type_arg}\""))?;
    let namespace = args
        .value(&["-n", "--namespace"])
        .unwrap_or("default")
        .to_string();
    let ns = if kind.namespaced() {
        namespace.as_str()
    } else {
        ""
    };
    let store = cluster.store();
    let objects: Vec<&Object> = if names.is_empty() {
        store
            .list(kind)
            .filter(|o| !kind.namespaced() || o.namespace() == ns)
            .collect()
    } else {
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for name in &names {
            match store.get(kind, ns, name) {
                Some(object) => found.push(object),
                None => missing.push(not_found(kind, name)),
            }
        }
        if !missing.is_empty() {
            return Err(missing.join("\n"));
        }
        found
    };
    if objects.is_empty() {
        return Err("error: edit cancelled, no objects found".to_string());
    }
    let originals: Vec<Original> = objects
        .iter()
        .map(|o| Original {
            kind,
            json: o.to_json(),
        })
        .collect();
    let shown = match originals.as_slice() {
        [one] => one.json.clone(),
        many => json!({
            "apiVersion": "v1",
            "items": many.iter().map(|o| o.json.clone()).collect::<Vec<_>>(),
            "kind": "List",
            "metadata": {},
        }),
    };
    let text = match output.as_deref() {
        Some("json") => to_json(&shown),
        Some("kyaml") => format!("{HEADER}{}", crate::kyaml::to_kyaml(&shown)),
        _ => format!("{HEADER}{}", to_yaml(&shown)),
    };
    Ok(Editing {
        first_text: text.clone(),
        text,
        originals,
        refused: None,
        json,
        output,
        output_patch: args.flag(&["--output-patch"]),
        namespace,
        launches: 0,
    })
}

impl Editing {
    /// The temporary file kubectl writes for this opening of the editor
    /// (`os.CreateTemp`'s random digits, here drawn from the objects).
    pub fn file(&self) -> String {
        let seed = self
            .originals
            .iter()
            .flat_map(|o| o.field("/metadata/uid").bytes())
            .fold(u64::from(self.launches) + 1, |h, b| {
                h.wrapping_mul(1_099_511_628_211) ^ u64::from(b)
            });
        let ext = if self.json { "json" } else { "yaml" };
        format!("/tmp/kubectl-edit-{}.{ext}", seed % 4_294_967_296)
    }

    /// What is being edited, as kubectl names it: `daemonset.apps/agent`, or
    /// how many objects.
    pub fn title(&self) -> String {
        match self.originals.as_slice() {
            [one] => format!("{}/{}", one.kind.resource(), one.field("/metadata/name")),
            many => format!("{} objects", many.len()),
        }
    }

    /// What kubectl says when `editor` fails (`Editor.Launch`): the editor as
    /// it ran it, by itself or through the shell, and where an earlier
    /// refused file was kept.
    pub fn editor_failed(&self, editor: &str) -> String {
        let args: Vec<String> = if !editor.contains(' ') {
            vec![editor.to_string()]
        } else if !editor.contains(['"', '\'', '\\']) {
            editor.split(' ').map(str::to_string).collect()
        } else {
            vec!["/bin/bash".into(), "-c".into(), editor.to_string()]
        };
        let quoted: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
        let kept = match self.refused {
            Some(_) => format!(
                "A copy of your changes has been stored to \"{}\"\n",
                self.previous_file()
            ),
            None => String::new(),
        };
        format!(
            "{kept}error: there was a problem with the editor [{}]\n",
            quoted.join(" ")
        )
    }

    /// The file of the editor's previous opening.
    fn previous_file(&self) -> String {
        let mut before = self.clone();
        before.launches = before.launches.saturating_sub(1);
        before.file()
    }

    /// The editor closed with `edited` in the file.
    pub fn save(self, cluster: &mut Cluster, edited: &str) -> Saved {
        let saved = self.write(cluster, edited);
        // Controllers react at once to what the edit changed, as after any
        // other command.
        cluster.reconcile();
        saved
    }

    fn write(mut self, cluster: &mut Cluster, edited: &str) -> Saved {
        let file = self.file();
        self.launches += 1;
        let mut out = Output::default();
        let preserved = |out: &mut Output, message: &str| {
            out.stderr.push_str(&format!(
                "A copy of your changes has been stored to \"{file}\"\n{message}\n"
            ));
            out.exit_code = 1;
        };
        if let Some(refused) = &self.refused {
            if strip_comments(refused) == strip_comments(edited) {
                preserved(
                    &mut out,
                    "error: Edit cancelled, no valid changes were saved.",
                );
                return Saved::Done(out);
            }
        }
        if let Err(problem) = validate(&manual_strip(edited)) {
            let first = &self.originals[0];
            out.stderr.push_str(&format!(
                "error: {} \"{}\" is invalid\n",
                first.resource(),
                first.field("/metadata/name")
            ));
            let reasons = vec![(
                format!(
                    "{} \"{}\" was not valid",
                    first.resource(),
                    first.field("/metadata/name")
                ),
                vec![format!(
                    "<nil>: Invalid value: \"The edited file failed validation\": {problem}"
                )],
            )];
            return self.again(edited, &reasons, out);
        }
        if strip_comments(&self.first_text) == strip_comments(edited) {
            out.stderr.push_str("Edit cancelled, no changes made.\n");
            return Saved::Done(out);
        }
        let updated = match self.read(cluster, edited) {
            Ok(updated) => updated,
            Err(error) => {
                let reasons = vec![(
                    format!("The edited file had a syntax error: {error}"),
                    Vec::new(),
                )];
                return self.again(edited, &reasons, out);
            }
        };
        for object in &updated {
            let ns = object
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !ns.is_empty() && ns != self.namespace {
                preserved(&mut out, &format!(
                    "error: the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.",
                    self.namespace
                ));
                return Saved::Done(out);
            }
        }
        let mut reasons = Vec::new();
        let (mut retryable, mut notfound) = (0, 0);
        for object in &updated {
            let uid = object.pointer("/metadata/uid").and_then(Value::as_str);
            let Some(original) = self
                .originals
                .iter()
                .find(|o| uid == Some(o.field("/metadata/uid")))
            else {
                preserved(
                    &mut out,
                    &format!(
                        "error: no original object found for &unstructured.Unstructured{{Object:{}}}",
                        go_syntax(object)
                    ),
                );
                return Saved::Done(out);
            };
            let name = original.field("/metadata/name").to_string();
            if *object == original.json {
                if let Err(e) = self.print(&mut out, original, object.clone(), "skipped") {
                    out.stderr.push_str(&format!("{e}\n"));
                    out.exit_code = 1;
                    return Saved::Done(out);
                }
                continue;
            }
            let custom = original.kind.custom().is_some();
            let (patch, patch_type) = if custom {
                (two_way_merge(&original.json, object), PatchType::Merge)
            } else {
                (
                    two_way_strategic(&original.json, object),
                    PatchType::Strategic,
                )
            };
            // `mergepatch.RequireKeyUnchanged` and `RequireMetadataKeyUnchanged`.
            let changed_identity = ["apiVersion", "kind", "managedFields"]
                .iter()
                .any(|k| patch.get(k).is_some())
                || patch.pointer("/metadata/name").is_some();
            if changed_identity {
                preserved(
                    &mut out,
                    "error: At least one of apiVersion, kind and name was changed",
                );
                return Saved::Done(out);
            }
            if self.output_patch {
                out.stdout
                    .push_str(&format!("Patch: {}\n", go_json(&patch)));
            }
            let target = (
                original.kind,
                original.field("/metadata/namespace"),
                name.as_str(),
            );
            let api_version = original.field("/apiVersion").to_string();
            match cluster.patch(target, &api_version, patch_type, &patch, false) {
                Ok((_, after)) => {
                    if let Err(e) = self.print(&mut out, original, after.to_json(), "edited") {
                        out.stderr.push_str(&format!("{e}\n"));
                        out.exit_code = 1;
                        return Saved::Done(out);
                    }
                }
                Err(error) => {
                    let resource = original.resource();
                    out.stderr.push_str(&match error.reason {
                        Reason::Invalid => {
                            reasons.push((
                                format!("{resource} \"{name}\" was not valid"),
                                causes(&error),
                            ));
                            format!("error: {resource} \"{name}\" is invalid\n")
                        }
                        Reason::NotFound => {
                            notfound += 1;
                            format!(
                                "error: {resource} \"{name}\" could not be found on the server\n"
                            )
                        }
                        _ => {
                            retryable += 1;
                            format!("error: {resource} \"{name}\" could not be patched: {error}\n")
                        }
                    });
                }
            }
        }
        if retryable > 0 {
            out.stderr.push_str(&format!(
                "You can run `kubectl replace -f {file}` to try this update again.\n"
            ));
            out.exit_code = 1;
            return Saved::Done(out);
        }
        if notfound > 0 {
            out.stderr.push_str(&format!(
                "The edits you made on deleted resources have been saved to \"{file}\"\n"
            ));
            out.exit_code = 1;
            return Saved::Done(out);
        }
        if reasons.is_empty() {
            return Saved::Done(out);
        }
        self.again(edited, &reasons, out)
    }

    /// The file again, with `reasons` (a head and its items) under the header
    /// and the user's text without its comments below.
    fn again(mut self, edited: &str, reasons: &[(String, Vec<String>)], out: Output) -> Saved {
        let mut text = String::from(HEADER);
        for (head, items) in reasons {
            let colon = if items.is_empty() { "" } else { ":" };
            text.push_str(&format!("# {}{colon}\n", hash_on_line_break(head)));
            for item in items {
                text.push_str(&format!("# * {}\n", hash_on_line_break(item)));
            }
            text.push_str("#\n");
        }
        text.push_str(&manual_strip(edited));
        self.text = text;
        self.refused = Some(edited.to_string());
        Saved::Again(Box::new(self), out)
    }

    /// The saved file's objects, as the resource builder reads a stream.
    fn read(&self, cluster: &Cluster, edited: &str) -> Result<Vec<Value>, String> {
        let (found, error) = manifests(edited);
        if let Some(error) = error {
            return Err(format!(
                "error parsing edited-file: error converting YAML to JSON: {}",
                go_yaml_message(&error)
            ));
        }
        let mut objects = Vec::new();
        for manifest in found {
            if let Err(error) = kind_of(&manifest, cluster.store()) {
                return Err(match error {
                    MappingError::NotServed { api_version, kind } => format!(
                        "unable to recognize \"edited-file\": no matches for kind \"{kind}\" in version \"{api_version}\""
                    ),
                    MappingError::MissingTypeMeta { .. } => format!(
                        "Object 'Kind' is missing in '{}'",
                        go_json(&manifest.json)
                    ),
                });
            }
            objects.push(manifest.json);
        }
        Ok(objects)
    }

    /// `daemonset.apps/agent edited`, or the object in `-o`'s format.
    fn print(
        &self,
        out: &mut Output,
        original: &Original,
        object: Value,
        operation: &str,
    ) -> Result<(), String> {
        let text = match &self.output {
            Some(format) => print(&[(original.kind.resource(), object)], format)?,
            None => format!(
                "{}/{} {operation}\n",
                original.kind.resource(),
                original.field("/metadata/name")
            ),
        };
        out.stdout.push_str(&text);
        Ok(())
    }
}

/// The causes of an Invalid answer as the edit loop lists them.
fn causes(error: &ApiError) -> Vec<String> {
    error
        .details
        .causes
        .iter()
        .map(|c| format!("{}: {}", c.field, c.body()))
        .collect()
}

/// The client-side check of the saved file (`paramVerifyingSchema`): its
/// first document must be YAML, an object, with `apiVersion` and `kind`;
/// the server checks the rest.
fn validate(text: &str) -> Result<(), String> {
    let first = serde_yaml::Deserializer::from_str(text)
        .next()
        .map(Value::deserialize)
        .transpose()
        .map_err(|e| go_yaml_message(&SyntaxError::from(e)))?
        .unwrap_or(Value::Null);
    let Value::Object(fields) = first else {
        return Err("invalid object to validate".to_string());
    };
    let mut problems = Vec::new();
    for (key, what) in [("apiVersion", "apiVersion"), ("kind", "kind")] {
        match fields.get(key) {
            None | Some(Value::Null) => problems.push(format!("{what} not set")),
            Some(Value::String(_)) => {}
            Some(_) => problems.push(format!("{what} isn't string type")),
        }
    }
    match problems.as_slice() {
        [] => Ok(()),
        [one] => Err(one.clone()),
        many => Err(format!("[{}]", many.join(", "))),
    }
}

/// `cmdutil.StripComments`: the file as JSON when it is YAML (so only what it
/// says counts, not how it is written), else without its comment lines.
fn strip_comments(text: &str) -> Result<Value, String> {
    serde_yaml::Deserializer::from_str(text)
        .next()
        .map(Value::deserialize)
        .transpose()
        .ok()
        .map(Option::unwrap_or_default)
        .ok_or_else(|| manual_strip(text))
}

/// `cmdutil.ManualStrip`: without the lines that start with `#` (but not `#!`).
fn manual_strip(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len());
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && !trimmed.starts_with("#!") {
            continue;
        }
        out.push_str(line);
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

/// `hashOnLineBreak`: a message of several lines kept inside the comment.
fn hash_on_line_break(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' && chars.peek().is_some_and(|next| *next != '#') {
            out.push_str("\n# ");
        } else {
            out.push(c);
        }
    }
    out
}
