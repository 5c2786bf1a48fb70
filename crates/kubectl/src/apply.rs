//! `kubectl apply -f`: every manifest in the text, applied in order, and the
//! lines real kubectl prints, on stdout and stderr.

use daemonlab_core::api::decode::{
    kind_of, manifests, Location, Manifest, MappingError, Source, SyntaxError,
};
use daemonlab_core::api::errors::{ApiError, Reason};
use daemonlab_core::api::locate::{parse_path, Segment};
use daemonlab_core::api::server::{Applied, ApplyAction};
use daemonlab_core::api::Kind;
use daemonlab_core::sim::{stored_only, Cluster};

/// Why one manifest was not applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The manifest names no kind at all.
    MissingKind { json: String },
    /// kubectl could not map apiVersion/kind to a served resource.
    Mapping(MappingError),
    /// The manifest has no `metadata.name`: kubectl cannot even look it up.
    EmptyName { kind: Kind, namespace: String },
    /// The API server refused it.
    Api(ApiError),
}

/// One manifest's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentResult {
    pub source: Source,
    /// The kind the manifest mapped to, if it did.
    pub kind: Option<Kind>,
    pub name: String,
    pub namespace: String,
    pub outcome: Result<Applied, Failure>,
}

/// Everything one `kubectl apply -f` did and said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// What `-f` named: a path, or `STDIN` for `-`.
    pub source_name: String,
    pub documents: Vec<DocumentResult>,
    /// Where reading stopped, if the text stopped being YAML.
    pub syntax_error: Option<SyntaxError>,
}

/// One manifest's result as the editor lists it: what kubectl said, and where
/// in the text the problem is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub ok: bool,
    pub message: String,
    pub location: Option<Location>,
    /// For an applied object the simulation only stores, what it does not do.
    pub note: Option<&'static str>,
}

/// libyaml's parser (not scanner) errors: go-yaml reports their 0-based line.
const PARSER_PROBLEMS: [&str; 10] = [
    "did not find expected <document start>",
    "found duplicate %YAML directive",
    "found incompatible YAML document",
    "found duplicate %TAG directive",
    "found undefined tag handle",
    "did not find expected node content",
    "did not find expected '-' indicator",
    "did not find expected key",
    "did not find expected ',' or ']'",
    "did not find expected ',' or '}'",
];

/// go-yaml's words for a syntax error: `yaml: line 4: did not find expected key`.
pub(crate) fn go_yaml_message(error: &SyntaxError) -> String {
    let problem = error
        .message
        .split(", while ")
        .next()
        .unwrap_or(&error.message);
    let parser_error = PARSER_PROBLEMS.contains(&problem);
    let line = error.location.map_or(0, |l| {
        if parser_error {
            l.line.saturating_sub(1)
        } else {
            l.line
        }
    });
    if line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {line}: {problem}")
    }
}

/// Applies every manifest in `text` to `cluster`; controllers react at once, but
/// virtual time does not move. As with
/// kubectl, manifests before a syntax error are applied.
pub fn apply(cluster: &mut Cluster, text: &str, source_name: &str) -> Report {
    each_manifest(cluster, text, source_name, Verb::Apply)
}

/// `kubectl create -f`: each manifest created, refused where its object
/// exists; `save_config` (`--save-config`) keeps it for a later apply.
pub fn create(cluster: &mut Cluster, text: &str, source_name: &str, save_config: bool) -> Report {
    each_manifest(cluster, text, source_name, Verb::Create { save_config })
}

/// `kubectl apply --dry-run=client`: nothing is sent; each object is said to
/// be created or configured as the live objects stand.
pub fn apply_client_dry_run(cluster: &mut Cluster, text: &str, source_name: &str) -> Report {
    each_manifest(
        cluster,
        text,
        source_name,
        Verb::ClientDryRun { create: false },
    )
}

/// `kubectl create --dry-run=client`: nothing is sent; each object is said to
/// be created, whatever the cluster holds.
pub fn create_client_dry_run(cluster: &mut Cluster, text: &str, source_name: &str) -> Report {
    each_manifest(
        cluster,
        text,
        source_name,
        Verb::ClientDryRun { create: true },
    )
}

/// Reads `text` and does `verb` with each manifest, up to a syntax error.
fn each_manifest(cluster: &mut Cluster, text: &str, source_name: &str, verb: Verb) -> Report {
    let (found, syntax_error) = manifests(text);
    apply_manifests(cluster, found, syntax_error, source_name, verb)
}

/// What is done with each manifest.
#[derive(Clone, Copy)]
enum Verb {
    Apply,
    Create { save_config: bool },
    ClientDryRun { create: bool },
}

/// Applies `text` only if all of it is YAML: with a syntax error anywhere,
/// nothing is applied and the report holds only that error. This is what the
/// editor does, so a half-typed text never half-changes the cluster.
pub fn apply_all_or_nothing(cluster: &mut Cluster, text: &str, source_name: &str) -> Report {
    let (found, syntax_error) = manifests(text);
    let found = if syntax_error.is_some() {
        Vec::new()
    } else {
        found
    };
    apply_manifests(cluster, found, syntax_error, source_name, Verb::Apply)
}

fn apply_manifests(
    cluster: &mut Cluster,
    found: Vec<Manifest>,
    syntax_error: Option<SyntaxError>,
    source_name: &str,
    verb: Verb,
) -> Report {
    // kubectl maps every object to a resource before it sends any: a custom
    // resource whose CRD is in the same text is not known yet.
    let mapped: Vec<(Manifest, Result<Kind, Failure>)> = found
        .into_iter()
        .map(|manifest| {
            let kind = map_kind(cluster, &manifest);
            (manifest, kind)
        })
        .collect();
    let documents = mapped
        .into_iter()
        .map(|(manifest, kind)| apply_one(cluster, &manifest, kind, verb))
        .collect();
    cluster.reconcile();
    Report {
        source_name: source_name.to_string(),
        documents,
        syntax_error,
    }
}

/// The namespace of the playground's kubeconfig context.
const DEFAULT_NAMESPACE: &str = "default";

fn non_empty_or(value: &str, fallback: &str) -> String {
    if value.is_empty() { fallback } else { value }.to_string()
}

/// `info.String()`: how kubectl names an object in an error.
fn describe_info(kind: Kind, name: &str, namespace: &str) -> String {
    let (group, version) = match kind.api_version().split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", kind.api_version()),
    };
    format!(
        "Resource: \"{group}/{version}, Resource={}\", GroupVersionKind: \"{group}/{version}, Kind={}\"\nName: \"{name}\", Namespace: \"{namespace}\"",
        kind.plural(),
        kind.name()
    )
}

/// The resource a manifest maps to, from what the server serves now.
fn map_kind(cluster: &Cluster, manifest: &Manifest) -> Result<Kind, Failure> {
    if manifest.kind().is_empty() {
        return Err(Failure::MissingKind {
            json: manifest.json.to_string(),
        });
    }
    kind_of(manifest, cluster.store()).map_err(Failure::Mapping)
}

fn apply_one(
    cluster: &mut Cluster,
    manifest: &Manifest,
    kind: Result<Kind, Failure>,
    verb: Verb,
) -> DocumentResult {
    let kind_found = kind.as_ref().ok().copied();
    let outcome = {
        match kind {
            Err(failure) => Err(failure),
            Ok(kind) if manifest.name().is_empty() => Err(Failure::EmptyName {
                kind,
                namespace: if kind.namespaced() {
                    non_empty_or(manifest.namespace(), DEFAULT_NAMESPACE)
                } else {
                    String::new()
                },
            }),
            Ok(kind) => match verb {
                Verb::Apply => cluster.apply_manifest(kind, &manifest.json, DEFAULT_NAMESPACE),
                Verb::Create { save_config } => {
                    cluster.create_manifest(kind, &manifest.json, DEFAULT_NAMESPACE, save_config)
                }
                Verb::ClientDryRun { create } => {
                    let namespace = if kind.namespaced() {
                        non_empty_or(manifest.namespace(), DEFAULT_NAMESPACE)
                    } else {
                        String::new()
                    };
                    let live = cluster.store().get(kind, &namespace, manifest.name());
                    Ok(Applied {
                        resource: kind.resource(),
                        name: manifest.name().to_string(),
                        action: if live.is_some() && !create {
                            ApplyAction::Configured
                        } else {
                            ApplyAction::Created
                        },
                        warnings: Vec::new(),
                    })
                }
            }
            .map_err(Failure::Api),
        }
    };
    DocumentResult {
        source: manifest.source.clone(),
        kind: kind_found,
        name: manifest.name().to_string(),
        namespace: manifest.namespace().to_string(),
        outcome,
    }
}

impl Report {
    fn failures(&self) -> impl Iterator<Item = (&DocumentResult, &Failure)> {
        self.documents
            .iter()
            .filter_map(|d| d.outcome.as_ref().err().map(|f| (d, f)))
    }

    fn error_count(&self) -> usize {
        self.failures().count() + usize::from(self.syntax_error.is_some())
    }

    /// Did anything fail (kubectl's exit status 1)?
    pub fn failed(&self) -> bool {
        self.error_count() > 0
    }

    /// What kubectl prints for the whole run, and its exit status.
    pub fn output(&self) -> crate::Output {
        crate::Output {
            notice: self.warnings(),
            stdout: self.stdout(),
            stderr: self.errors(),
            exit_code: i32::from(self.failed()),
            ..Default::default()
        }
    }

    /// What kubectl prints on standard output: one line per applied object.
    pub fn stdout(&self) -> String {
        self.documents
            .iter()
            .filter_map(|d| d.outcome.as_ref().ok())
            .map(|applied| format!("{applied}\n"))
            .collect()
    }

    /// What kubectl prints on standard error: warnings as they come, then the
    /// errors (one alone prints differently from several).
    pub fn stderr(&self) -> String {
        self.warnings() + &self.errors()
    }

    /// The warnings the server sent, in order.
    pub fn warnings(&self) -> String {
        let mut out = String::new();
        for applied in self
            .documents
            .iter()
            .filter_map(|d| d.outcome.as_ref().ok())
        {
            for warning in &applied.warnings {
                out.push_str(warning);
                out.push('\n');
            }
        }
        out
    }

    /// The errors, once everything was tried (one alone prints differently from
    /// several).
    pub fn errors(&self) -> String {
        let mut out = String::new();
        let alone = self.error_count() == 1;
        // Reading errors come first, as kubectl gathers them before applying.
        if let Some(error) = &self.syntax_error {
            let message = self.syntax_message(error);
            out.push_str(&if alone {
                format!("error: {message}\n")
            } else {
                format!("{message}\n")
            });
        }
        let (reading, server): (Vec<_>, Vec<_>) = self
            .failures()
            .partition(|(_, f)| !matches!(f, Failure::Api(_)));
        for (document, failure) in reading.into_iter().chain(server) {
            out.push_str(&self.failure_message(document, failure, alone));
            out.push('\n');
        }
        out
    }

    fn syntax_message(&self, error: &SyntaxError) -> String {
        format!(
            "error parsing {}: error converting YAML to JSON: {}",
            self.source_name,
            go_yaml_message(error)
        )
    }

    fn failure_message(&self, document: &DocumentResult, failure: &Failure, alone: bool) -> String {
        let source = &self.source_name;
        let plain = |message: String| {
            if alone {
                format!("error: {message}")
            } else {
                message
            }
        };
        match failure {
            Failure::MissingKind { json } => plain(format!(
                "unable to decode \"{source}\": Object 'Kind' is missing in '{json}'"
            )),
            Failure::Mapping(mapping) => {
                let (api_version, kind) = match mapping {
                    MappingError::NotServed { api_version, kind } => {
                        (api_version.as_str(), kind.as_str())
                    }
                    MappingError::MissingTypeMeta { .. } => ("", ""),
                };
                plain(format!(
                    "resource mapping not found for name: \"{}\" namespace: \"{}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first",
                    document.name, document.namespace
                ))
            }
            Failure::EmptyName { kind, namespace } => plain(format!(
                "error when retrieving current configuration of:\n{}\nfrom server for: \"{source}\": resource name may not be empty",
                describe_info(*kind, "", namespace)
            )),
            Failure::Api(error) => api_message(error, source, alone),
        }
    }

    /// Each manifest's result in order, then the syntax error if reading
    /// stopped; problems carry their position in `text`.
    pub fn entries(&self, text: &str) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self
            .documents
            .iter()
            .map(|document| match &document.outcome {
                Ok(applied) => Entry {
                    ok: true,
                    message: applied.to_string(),
                    location: None,
                    note: document.kind.and_then(stored_only),
                },
                Err(failure) => {
                    let path = match failure {
                        Failure::Api(error) => error
                            .details
                            .fields
                            .first()
                            .map(|f| parse_path(&manifest_path(f)))
                            .unwrap_or_else(|| vec![Segment::Key("metadata".into())]),
                        Failure::Mapping(_) | Failure::MissingKind { .. } => {
                            vec![Segment::Key("kind".into())]
                        }
                        Failure::EmptyName { .. } => vec![Segment::Key("metadata".into())],
                    };
                    Entry {
                        ok: false,
                        message: self.failure_message(document, failure, true),
                        location: document.source.locate(text, &path),
                        note: None,
                    }
                }
            })
            .collect();
        if let Some(error) = &self.syntax_error {
            entries.push(Entry {
                ok: false,
                message: format!("error: {}", self.syntax_message(error)),
                location: error.location,
                note: None,
            });
        }
        entries
    }
}

/// Where a field the server names sits in the manifest: pod-template validation
/// says `spec.template.labels` for what the manifest has under `metadata`.
fn manifest_path(field: &str) -> String {
    for (server, manifest) in [
        ("spec.template.labels", "spec.template.metadata.labels"),
        (
            "spec.template.annotations",
            "spec.template.metadata.annotations",
        ),
    ] {
        if let Some(rest) = field.strip_prefix(server) {
            return format!("{manifest}{rest}");
        }
    }
    field.to_string()
}

/// How kubectl prints an API error from `apply`.
fn api_message(error: &ApiError, source: &str, alone: bool) -> String {
    if error.reason == Reason::Invalid && alone {
        let header = if error.details.kind.is_empty() {
            "The request is invalid".to_string()
        } else {
            format!(
                "The {} \"{}\" is invalid",
                error.details.kind, error.details.name
            )
        };
        let mut causes: Vec<String> = Vec::new();
        for cause in &error.details.causes {
            let line = cause.to_string();
            if !causes.contains(&line) {
                causes.push(line);
            }
        }
        return match causes.as_slice() {
            [one] => format!("{header}: {one}"),
            many => format!(
                "{header}: \n{}",
                many.iter()
                    .map(|c| format!("* {c}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        };
    }
    format!(
        "Error from server ({}): error when creating \"{source}\": {}",
        error.reason, error.message
    )
}
