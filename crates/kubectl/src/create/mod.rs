//! `kubectl create`'s generators, as kubectl builds their objects
//! (`pkg/cmd/create/create_*.go`): namespace, serviceaccount, configmap
//! (`--from-literal`, `--from-file` of a file the shell wrote), secret
//! generic / docker-registry / tls, deployment, clusterrole / role and their
//! bindings here; services, jobs and cronjobs, ingresses, and budgets,
//! quotas and priority classes in their own modules. `--dry-run=client -o
//! yaml|json|name` prints the object kubectl would send; otherwise it is
//! created and kubectl's line is printed.

mod batch;
mod ingress;
mod policy;
mod service;

use std::collections::BTreeMap;

use daemonlab_core::api::errors::ApiError;
use daemonlab_core::api::{Kind, Object};
use daemonlab_core::sim::Cluster;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerPort, Namespace, PodSpec, PodTemplateSpec, ResourceRequirements,
    Secret, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::ByteString;

use crate::args::Args;
use crate::resources::resolve;
use crate::written::DryRun;
use crate::{Files, Output};

pub const VALUE_FLAGS: &[&str] = &[
    "-f",
    "--filename",
    "-n",
    "--namespace",
    "-o",
    "--output",
    "--dry-run",
    "--from-literal",
    "--from-file",
    "--from-env-file",
    "--type",
    "--image",
    "--replicas",
    "--port",
    "--verb",
    "--resource",
    "--resource-name",
    "--clusterrole",
    "--role",
    "--user",
    "--group",
    "--serviceaccount",
    "--docker-server",
    "--docker-username",
    "--docker-password",
    "--docker-email",
    "--cert",
    "--key",
    "--tcp",
    "--clusterip",
    "--node-port",
    "--external-name",
    "--from",
    "--schedule",
    "--restart",
    "--selector",
    "--min-available",
    "--max-unavailable",
    "--hard",
    "--scopes",
    "--value",
    "--description",
    "--preemption-policy",
    "--rule",
    "--class",
    "--default-backend",
    "--annotation",
];
pub const BOOL_FLAGS: &[&str] = &["--global-default", "--save-config"];

/// Verbs a policy rule may name (`validResourceVerbs`).
const VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

pub(super) fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        ..Default::default()
    }
}

/// Every value of a repeated flag, comma-separated lists split.
pub(super) fn list(args: &Args, flag: &str) -> Vec<String> {
    args.values(&[flag])
        .iter()
        .flat_map(|v| v.split(','))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// What `--from-*` data goes into: its key rules and duplicate messages differ.
#[derive(Clone, Copy)]
enum DataFor<'a> {
    ConfigMap(&'a str),
    Secret,
}

/// `IsConfigMapKey` (Secrets' keys follow the same rules).
fn config_key_errors(key: &str) -> Vec<String> {
    let mut errors = Vec::new();
    if key.len() > 253 {
        errors.push("must be no more than 253 characters".to_string());
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if key.is_empty() || !key.chars().all(allowed) {
        errors.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string());
    }
    errors.extend(chdir_prefix_errors(key));
    errors
}

/// `hasChDirPrefix`.
fn chdir_prefix_errors(key: &str) -> Option<String> {
    match key {
        "." => Some("must not be '.'".to_string()),
        ".." => Some("must not be '..'".to_string()),
        k if k.starts_with("..") => Some("must not start with '..'".to_string()),
        _ => None,
    }
}

/// `IsEnvVarName`: the keys of an env file.
fn env_var_name_errors(key: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let first = |c: char| c.is_ascii_alphabetic() || matches!(c, '-' | '_' | '.');
    let rest = |c: char| first(c) || c.is_ascii_digit();
    let mut chars = key.chars();
    if !chars.next().is_some_and(first) || !chars.all(rest) {
        errors.push("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".to_string());
    }
    errors.extend(chdir_prefix_errors(key));
    errors
}

/// `validateNewConfigMap` / `validateNewSecret`, then the key is added.
fn add_key(
    data: &mut BTreeMap<String, String>,
    target: DataFor,
    key: &str,
    value: String,
) -> Result<(), String> {
    let errors = config_key_errors(key);
    if !errors.is_empty() {
        return Err(match target {
            DataFor::ConfigMap(_) => format!(
                "error: {key:?} is not a valid key name for a ConfigMap: {}",
                errors.join(",")
            ),
            DataFor::Secret => format!(
                "error: {key:?} is not valid key name for a Secret {}",
                errors.join(";")
            ),
        });
    }
    if data.contains_key(key) {
        return Err(match target {
            DataFor::ConfigMap(name) => format!(
                "error: cannot add key {key:?}, another key by that name already exists in Data for ConfigMap {name:?}"
            ),
            DataFor::Secret => {
                format!("error: cannot add key {key}, another key by that name already exists")
            }
        });
    }
    data.insert(key.to_string(), value);
    Ok(())
}

/// The data of `--from-file` (`[key=]path` of a file the shell wrote), then
/// `--from-literal` (`key=value`), or `--from-env-file`
/// (`KEY=value` lines; `#` comments; a bare `KEY` takes the empty value of an
/// unset variable), as kubectl reads them.
fn data(
    args: &Args,
    files: &dyn Files,
    target: DataFor,
) -> Result<BTreeMap<String, String>, String> {
    let mut data = BTreeMap::new();
    let sources = list(args, "--from-file");
    let literals = args.values(&["--from-literal"]);
    let env_files = list(args, "--from-env-file");
    if !env_files.is_empty() && (!sources.is_empty() || !literals.is_empty()) {
        return Err(
            "error: from-env-file cannot be combined with from-file or from-literal".into(),
        );
    }
    for source in &sources {
        let (key, path) = match source.split_once('=') {
            Some(("", path)) => {
                return Err(format!("error: key name for file path {path} missing"))
            }
            Some((key, "")) => return Err(format!("error: file path for key name {key} missing")),
            Some((key, path)) => (key.to_string(), path),
            None => (
                source.rsplit('/').next().unwrap_or(source).to_string(),
                source.as_str(),
            ),
        };
        let text = files
            .read(path)
            .ok_or_else(|| format!("error: error reading {path}: no such file or directory"))?;
        add_key(&mut data, target, &key, text)?;
    }
    for literal in literals {
        let (key, value) = match literal.split_once('=') {
            Some((key, value)) if !key.is_empty() => (key, value),
            _ => {
                return Err(format!(
                    "error: invalid literal source {literal}, expected key=value"
                ))
            }
        };
        add_key(&mut data, target, key, value.to_string())?;
    }
    for path in &env_files {
        let text = files
            .read(path)
            .ok_or_else(|| format!("error: error reading {path}: no such file or directory"))?;
        for (number, line) in text.lines().enumerate() {
            let line = if number == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(line)
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            let errors = env_var_name_errors(key);
            if !errors.is_empty() {
                return Err(format!(
                    "error: {key:?} is not a valid key name: {}",
                    errors.join(";")
                ));
            }
            add_key(&mut data, target, key, value.to_string())?;
        }
    }
    Ok(data)
}

/// The container name kubectl derives from an image: its last path part,
/// without tag or digest.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split(':').next().unwrap_or(last).to_string()
}

/// `--resource=pods`, `deployments.apps`, `pods/log`: the API group and
/// resource of a rule, found in what the cluster serves.
fn rule_resource(cluster: &Cluster, resource: &str) -> Result<(String, String), String> {
    let (name, sub) = match resource.split_once('/') {
        Some((name, sub)) => (name, Some(sub)),
        None => (resource, None),
    };
    let kind = resolve(cluster.store(), name)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{name}\""))?;
    let plural = match sub {
        Some(sub) => format!("{}/{sub}", kind.plural()),
        None => kind.plural().to_string(),
    };
    Ok((kind.group().to_string(), plural))
}

fn rules(cluster: &Cluster, args: &Args) -> Result<Vec<PolicyRule>, String> {
    let verbs = list(args, "--verb");
    if verbs.is_empty() {
        return Err("error: at least one verb must be specified".to_string());
    }
    if let Some(bad) = verbs.iter().find(|v| !VERBS.contains(&v.as_str())) {
        return Err(format!("error: invalid verb: '{bad}'"));
    }
    let resources = list(args, "--resource");
    if resources.is_empty() {
        return Err("error: at least one resource must be specified".to_string());
    }
    let names = list(args, "--resource-name");
    // One rule per API group, in the order the groups first appear.
    let mut rules: Vec<PolicyRule> = Vec::new();
    for resource in &resources {
        let (group, plural) = rule_resource(cluster, resource)?;
        match rules
            .iter_mut()
            .find(|r| r.api_groups.as_deref() == Some(std::slice::from_ref(&group)))
        {
            Some(rule) => rule.resources.get_or_insert_with(Vec::new).push(plural),
            None => rules.push(PolicyRule {
                api_groups: Some(vec![group]),
                resources: Some(vec![plural]),
                resource_names: (!names.is_empty()).then(|| names.clone()),
                verbs: verbs.clone(),
                ..Default::default()
            }),
        }
    }
    Ok(rules)
}

fn subjects(args: &Args) -> Result<Vec<Subject>, String> {
    let mut subjects = Vec::new();
    for user in args.values(&["--user"]) {
        subjects.push(Subject {
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            kind: "User".to_string(),
            name: user.to_string(),
            namespace: None,
        });
    }
    for group in args.values(&["--group"]) {
        subjects.push(Subject {
            api_group: Some("rbac.authorization.k8s.io".to_string()),
            kind: "Group".to_string(),
            name: group.to_string(),
            namespace: None,
        });
    }
    for account in args.values(&["--serviceaccount"]) {
        let Some((namespace, name)) = account.split_once(':') else {
            return Err("error: serviceaccount must be <namespace>:<name>".to_string());
        };
        subjects.push(Subject {
            api_group: None,
            kind: "ServiceAccount".to_string(),
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
        });
    }
    Ok(subjects)
}

fn role_ref(args: &Args, namespaced: bool) -> Result<RoleRef, String> {
    let cluster_role = args.value(&["--clusterrole"]);
    let role = args.value(&["--role"]).filter(|_| namespaced);
    let (kind, name) = match (cluster_role, role) {
        (Some(name), None) => ("ClusterRole", name),
        (None, Some(name)) => ("Role", name),
        (Some(_), Some(_)) => {
            return Err("error: exactly one of clusterrole or role must be specified".to_string())
        }
        (None, None) if namespaced => {
            return Err("error: exactly one of clusterrole or role must be specified".to_string())
        }
        (None, None) => return Err("error: clusterrole must be specified".to_string()),
    };
    Ok(RoleRef {
        api_group: Some("rbac.authorization.k8s.io".to_string()),
        kind: kind.to_string(),
        name: name.to_string(),
    })
}

/// A docker config JSON with one registry, as kubectl writes it.
fn docker_config(args: &Args) -> Result<String, String> {
    let server = args
        .value(&["--docker-server"])
        .unwrap_or("https://index.docker.io/v1/");
    let (Some(user), Some(password)) = (
        args.value(&["--docker-username"]),
        args.value(&["--docker-password"]),
    ) else {
        return Err(
            "error: username and password are required for docker-registry secrets".to_string(),
        );
    };
    let auth = base64(format!("{user}:{password}").as_bytes());
    // encoding/json writes the struct's fields in their declared order.
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let email = args
        .value(&["--docker-email"])
        .map(|e| format!(",\"email\":{}", quote(e)))
        .unwrap_or_default();
    Ok(format!(
        "{{\"auths\":{{{}:{{\"username\":{},\"password\":{}{email},\"auth\":{}}}}}}}",
        quote(server),
        quote(user),
        quote(password),
        quote(&auth)
    ))
}

pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| n << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The object a generator builds, kubectl's word for it in "failed to
/// create …" (or None where kubectl passes the server's error on as it is).
pub(super) struct Generated {
    object: Object,
    failure_word: Option<&'static str>,
}

fn generate(
    cluster: &Cluster,
    args: &Args,
    files: &dyn Files,
    namespace: &str,
) -> Result<Generated, String> {
    let words: Vec<&str> = args.positional.iter().map(String::as_str).collect();
    // Words before `--` are names; a command may follow it (`NameFromCommandArgs`).
    let names_in = |rest: &[&str]| {
        args.at_dash.map_or(rest.len(), |dash| {
            dash.saturating_sub(words.len() - rest.len())
        })
    };
    let name_of = |rest: &[&str], what: &str| -> Result<String, String> {
        match names_in(rest) {
            1 => Ok(rest[0].to_string()),
            0 if rest.is_empty() && args.at_dash.is_none() => Err(format!(
                "error: exactly one NAME is required, got 0\nSee 'kubectl create {what} -h' for help and examples"
            )),
            count => Err(format!(
                "error: exactly one NAME is required, got {count}\nSee 'kubectl create {what} -h' for help and examples"
            )),
        }
    };
    let command_of = |rest: &'_ [&'_ str]| -> Vec<String> {
        rest.iter().skip(1).map(|w| w.to_string()).collect()
    };
    let ns = Some(namespace);
    let generated = |object: Object, word| Generated {
        object,
        failure_word: word,
    };
    check_flags(&words, args)?;
    Ok(match words.as_slice() {
        ["namespace" | "ns", rest @ ..] => generated(
            Object::from(Namespace {
                metadata: meta(&name_of(rest, "namespace")?, None),
                ..Default::default()
            }),
            None,
        ),
        ["serviceaccount" | "sa", rest @ ..] => generated(
            Object::from(ServiceAccount {
                metadata: meta(&name_of(rest, "serviceaccount")?, ns),
                ..Default::default()
            }),
            Some("failed to create serviceaccount: "),
        ),
        ["configmap" | "cm", rest @ ..] => {
            let name = name_of(rest, "configmap")?;
            let data = data(args, files, DataFor::ConfigMap(&name))?;
            generated(
                Object::from(ConfigMap {
                    metadata: meta(&name, ns),
                    data: (!data.is_empty()).then_some(data),
                    ..Default::default()
                }),
                Some("failed to create configmap: "),
            )
        }
        ["secret", "generic", rest @ ..] => {
            let name = name_of(rest, "secret generic")?;
            let data: BTreeMap<String, ByteString> = data(args, files, DataFor::Secret)?
                .into_iter()
                .map(|(k, v)| (k, ByteString(v.into_bytes())))
                .collect();
            generated(
                Object::from(Secret {
                    metadata: meta(&name, ns),
                    data: (!data.is_empty()).then_some(data),
                    type_: args.value(&["--type"]).map(str::to_string),
                    ..Default::default()
                }),
                Some("failed to create secret "),
            )
        }
        ["secret", "docker-registry", rest @ ..] => {
            let name = name_of(rest, "secret docker-registry")?;
            let config = docker_config(args)?;
            generated(
                Object::from(Secret {
                    metadata: meta(&name, ns),
                    data: Some(BTreeMap::from([(
                        ".dockerconfigjson".to_string(),
                        ByteString(config.into_bytes()),
                    )])),
                    type_: Some("kubernetes.io/dockerconfigjson".to_string()),
                    ..Default::default()
                }),
                Some("failed to create secret "),
            )
        }
        ["secret", "tls", rest @ ..] => {
            let name = name_of(rest, "secret tls")?;
            let read = |flag: &str| -> Result<String, String> {
                let path = args
                    .value(&[flag])
                    .ok_or("error: key and cert must be specified")?;
                files
                    .read(path)
                    .ok_or_else(|| format!("error: open {path}: no such file or directory"))
            };
            let (cert, key) = (read("--cert")?, read("--key")?);
            generated(
                Object::from(Secret {
                    metadata: meta(&name, ns),
                    data: Some(BTreeMap::from([
                        ("tls.crt".to_string(), ByteString(cert.into_bytes())),
                        ("tls.key".to_string(), ByteString(key.into_bytes())),
                    ])),
                    type_: Some("kubernetes.io/tls".to_string()),
                    ..Default::default()
                }),
                Some("failed to create secret "),
            )
        }
        ["secret"] => {
            return Err(crate::help::text(&["create", "secret"])
                .unwrap_or_default()
                .to_string())
        }
        ["secret", rest @ ..] => {
            return Err(format!(
                "error: unknown command {:?}\nSee 'kubectl create secret -h' for help and examples",
                rest.join(" ")
            ))
        }
        ["deployment" | "deploy", rest @ ..] => {
            let name = name_of(rest, "deployment")?;
            let images = args.values(&["--image"]);
            if images.is_empty() {
                return Err("error: required flag(s) \"image\" not set".to_string());
            }
            let replicas = match args.value(&["--replicas"]) {
                Some(r) => r.parse::<i32>().map_err(|_| {
                    format!("error: invalid argument \"{r}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax")
                })?,
                None => 1,
            };
            let port = args
                .value(&["--port"])
                .map(|p| p.parse::<i32>().unwrap_or(-1));
            let labels = BTreeMap::from([("app".to_string(), name.clone())]);
            let containers = images
                .iter()
                .map(|image| Container {
                    name: container_name(image),
                    image: Some(image.to_string()),
                    ports: port.map(|p| {
                        vec![ContainerPort {
                            container_port: p,
                            ..Default::default()
                        }]
                    }),
                    resources: Some(ResourceRequirements::default()),
                    ..Default::default()
                })
                .collect();
            generated(
                Object::from(Deployment {
                    metadata: ObjectMeta {
                        labels: Some(labels.clone()),
                        ..meta(&name, ns)
                    },
                    spec: Some(DeploymentSpec {
                        replicas: Some(replicas),
                        selector: LabelSelector {
                            match_labels: Some(labels.clone()),
                            ..Default::default()
                        },
                        strategy: Some(DeploymentStrategy::default()),
                        template: PodTemplateSpec {
                            metadata: Some(ObjectMeta {
                                labels: Some(labels),
                                ..Default::default()
                            }),
                            spec: Some(PodSpec {
                                containers,
                                ..Default::default()
                            }),
                        },
                        ..Default::default()
                    }),
                    status: Some(Default::default()),
                }),
                Some("failed to create deployment: "),
            )
        }
        ["clusterrole", rest @ ..] => generated(
            Object::from(ClusterRole {
                metadata: meta(&name_of(rest, "clusterrole")?, None),
                rules: Some(rules(cluster, args)?),
                ..Default::default()
            }),
            None,
        ),
        ["role", rest @ ..] => generated(
            Object::from(Role {
                metadata: meta(&name_of(rest, "role")?, ns),
                rules: Some(rules(cluster, args)?),
            }),
            None,
        ),
        ["clusterrolebinding", rest @ ..] => {
            let subjects = subjects(args)?;
            generated(
                Object::from(ClusterRoleBinding {
                    metadata: meta(&name_of(rest, "clusterrolebinding")?, None),
                    role_ref: role_ref(args, false)?,
                    subjects: (!subjects.is_empty()).then_some(subjects),
                }),
                None,
            )
        }
        ["rolebinding", rest @ ..] => {
            let subjects = subjects(args)?;
            generated(
                Object::from(RoleBinding {
                    metadata: meta(&name_of(rest, "rolebinding")?, ns),
                    role_ref: role_ref(args, true)?,
                    subjects: (!subjects.is_empty()).then_some(subjects),
                }),
                None,
            )
        }
        // A group without its subcommand prints its help on stderr (`DefaultSubCommandRun`).
        ["service" | "svc"] => {
            return Err(crate::help::text(&["create", "service"])
                .unwrap_or_default()
                .to_string())
        }
        ["service" | "svc", kind, rest @ ..] if service::service_type(kind).is_some() => {
            service::service(kind, name_of(rest, &format!("service {kind}"))?, args, namespace)?
        }
        ["service" | "svc", rest @ ..] => {
            return Err(format!(
                "error: unknown command {:?}\nSee 'kubectl create service -h' for help and examples",
                rest.join(" ")
            ))
        }
        ["job", rest @ ..] => {
            let name = name_of(rest, "job")?;
            let command = command_of(rest);
            let command: Vec<&str> = command.iter().map(String::as_str).collect();
            batch::job(cluster, name, &command, args, namespace)?
        }
        ["cronjob" | "cj", rest @ ..] => {
            let name = name_of(rest, "cronjob")?;
            let command = command_of(rest);
            let command: Vec<&str> = command.iter().map(String::as_str).collect();
            batch::cronjob(name, &command, args, namespace)?
        }
        ["poddisruptionbudget" | "pdb", rest @ ..] => {
            policy::pdb(name_of(rest, "poddisruptionbudget")?, args, namespace)?
        }
        ["quota" | "resourcequota", rest @ ..] => {
            policy::quota(name_of(rest, "quota")?, args, namespace)?
        }
        ["priorityclass" | "pc", rest @ ..] => {
            policy::priority_class(name_of(rest, "priorityclass")?, args)?
        }
        ["ingress" | "ing", rest @ ..] => {
            ingress::ingress(name_of(rest, "ingress")?, args, namespace)?
        }
        [] => return Err("error: must specify one of -f and -k".to_string()),
        [other, ..] => {
            return Err(format!(
                "error: daemonlab does not simulate \"kubectl create {other}\"; it creates: clusterrole, clusterrolebinding, configmap, cronjob, deployment, ingress, job, namespace, poddisruptionbudget, priorityclass, quota, role, rolebinding, secret (generic, docker-registry, tls), service (clusterip, nodeport, loadbalancer, externalname), serviceaccount"
            ))
        }
    })
}

/// Flags every generator takes here.
const COMMON_FLAGS: &[&str] = &["-n", "--namespace", "-o", "--output", "--dry-run"];

/// The command path (`service nodeport`) and the flags of the generator
/// `words` name, as cobra registers them per subcommand.
fn generator_flags(words: &[&str]) -> Option<(String, &'static [&'static str])> {
    let (path, flags): (&[&str], &'static [&'static str]) = match words {
        ["namespace" | "ns", ..] => (&["namespace"], &[]),
        ["serviceaccount" | "sa", ..] => (&["serviceaccount"], &[]),
        ["configmap" | "cm", ..] => (
            &["configmap"],
            &["--from-literal", "--from-file", "--from-env-file"],
        ),
        ["secret", "generic", ..] => (
            &["secret", "generic"],
            &["--from-literal", "--from-file", "--from-env-file", "--type"],
        ),
        ["secret", "docker-registry", ..] => (
            &["secret", "docker-registry"],
            &[
                "--docker-server",
                "--docker-username",
                "--docker-password",
                "--docker-email",
                "--from-file",
            ],
        ),
        ["secret", "tls", ..] => (&["secret", "tls"], &["--cert", "--key"]),
        ["deployment" | "deploy", ..] => (&["deployment"], &["--image", "--replicas", "--port"]),
        ["clusterrole", ..] => (
            &["clusterrole"],
            &["--verb", "--resource", "--resource-name"],
        ),
        ["role", ..] => (&["role"], &["--verb", "--resource", "--resource-name"]),
        ["clusterrolebinding", ..] => (
            &["clusterrolebinding"],
            &["--clusterrole", "--user", "--group", "--serviceaccount"],
        ),
        ["rolebinding", ..] => (
            &["rolebinding"],
            &[
                "--clusterrole",
                "--role",
                "--user",
                "--group",
                "--serviceaccount",
            ],
        ),
        ["service" | "svc", "clusterip", ..] => {
            (&["service", "clusterip"], &["--tcp", "--clusterip"])
        }
        ["service" | "svc", "nodeport", ..] => {
            (&["service", "nodeport"], &["--tcp", "--node-port"])
        }
        ["service" | "svc", "loadbalancer", ..] => (&["service", "loadbalancer"], &["--tcp"]),
        ["service" | "svc", "externalname", ..] => {
            (&["service", "externalname"], &["--tcp", "--external-name"])
        }
        ["job", ..] => (&["job"], &["--image", "--from"]),
        ["cronjob" | "cj", ..] => (&["cronjob"], &["--image", "--schedule", "--restart"]),
        ["poddisruptionbudget" | "pdb", ..] => (
            &["poddisruptionbudget"],
            &["--selector", "--min-available", "--max-unavailable"],
        ),
        ["quota" | "resourcequota", ..] => (&["quota"], &["--hard", "--scopes"]),
        ["priorityclass" | "pc", ..] => (
            &["priorityclass"],
            &[
                "--value",
                "--global-default",
                "--description",
                "--preemption-policy",
            ],
        ),
        ["ingress" | "ing", ..] => (
            &["ingress"],
            &["--rule", "--class", "--default-backend", "--annotation"],
        ),
        _ => return None,
    };
    Some((path.join(" "), flags))
}

/// pflag refuses a flag the subcommand does not register.
fn check_flags(words: &[&str], args: &Args) -> Result<(), String> {
    let Some((path, own)) = generator_flags(words) else {
        return Ok(());
    };
    if let Some(flag) = args
        .flag_names()
        .find(|f| !COMMON_FLAGS.contains(f) && !own.contains(f))
    {
        return Err(format!(
            "error: unknown flag: {flag}\nSee 'kubectl create {path} --help' for usage."
        ));
    }
    // Flags the generator marks required (`MarkFlagRequired`): cobra checks
    // them before anything else, names in flag order.
    let required: &[&str] = match path.as_str() {
        "clusterrolebinding" => &["clusterrole"],
        "cronjob" => &["image", "schedule"],
        "deployment" => &["image"],
        "service externalname" => &["external-name"],
        _ => &[],
    };
    let missing: Vec<String> = required
        .iter()
        .filter(|flag| args.value(&[&format!("--{flag}")]).is_none())
        .map(|flag| format!("\"{flag}\""))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "error: required flag(s) {} not set",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// The object as kubectl prints it: `apiVersion` and `kind` first, the
/// namespace left out as kubectl's generators leave it.
fn printable(object: &Object) -> serde_json::Value {
    let mut json = object.to_json();
    if let Some(meta) = json.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        meta.remove("namespace");
    }
    json
}

/// What `-o` prints of the object `create` made (or would make).
fn print(object: &Object, output: &str) -> Result<String, String> {
    crate::written::print(&[(object.kind().resource(), printable(object))], output)
}

fn failure(error: &ApiError, word: Option<&str>) -> String {
    match word {
        Some(word) => format!("error: {word}{error}"),
        None => format!("Error from server ({}): {error}", error.reason),
    }
}

/// `kubectl create -f FILE` (`-` for standard input): each manifest created.
fn from_file(
    cluster: &mut Cluster,
    args: &Args,
    path: &str,
    dry_run: DryRun,
    stdin: &str,
    files: &dyn Files,
) -> Output {
    let (text, source) = match crate::read_filename(path, stdin, files) {
        Ok(read) => read,
        Err(error) => return error,
    };
    let verb = crate::written::Verb::Create {
        save_config: args.flag(&["--save-config"]),
    };
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    crate::written::write(cluster, &text, &source, verb, dry_run, output)
}

/// Runs `kubectl create TYPE NAME …` and `kubectl create -f FILE`.
pub fn run(cluster: &mut Cluster, args: &Args, stdin: &str, files: &dyn Files) -> Output {
    let namespace = args.value(&["-n", "--namespace"]).unwrap_or("default");
    let dry_run = match DryRun::parse(args.value(&["--dry-run"])) {
        Ok(dry_run) => dry_run,
        Err(error) => return Output::error(error),
    };
    if let Some(path) = args.value(&["-f", "--filename"]) {
        return from_file(cluster, args, path, dry_run, stdin, files);
    }
    let output = args.value(&["-o", "--output"]).unwrap_or("");
    let generated = match generate(cluster, args, files, namespace) {
        Ok(generated) => generated,
        Err(error) => return Output::error(error),
    };
    let Generated {
        mut object,
        failure_word,
    } = generated;
    if dry_run == DryRun::Client {
        return match output {
            "" => Output::ok(format!(
                "{}/{} created (dry run)\n",
                object.kind().resource(),
                object.name()
            )),
            output => print(&object, output).map_or_else(Output::error, Output::ok),
        };
    }
    if !object.kind().namespaced() {
        object.metadata_mut().namespace = None;
    }
    let (kind, name) = (object.kind(), object.name().to_string());
    if let Err(error) = cluster.create(object) {
        return Output::error(failure(&error, failure_word));
    }
    cluster.reconcile();
    let ns = if kind.namespaced() { namespace } else { "" };
    match output {
        "" => Output::ok(format!("{}/{name} created\n", kind.resource())),
        output => match cluster.store().get(kind, ns, &name) {
            Some(stored) => print(stored, output).map_or_else(Output::error, Output::ok),
            None => Output::error(format!("error: {} {name:?} not found", Kind::name(kind))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_from_a_file_refuses_what_exists_and_apply_then_warns() {
        let mut cluster = Cluster::new(1);
        let manifest = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: kube-system\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n";
        let run = |cluster: &mut Cluster, line: &str| {
            let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
            crate::run(cluster, &argv, manifest, &crate::NoFiles)
        };
        let created = run(&mut cluster, "create -f -");
        assert_eq!(created.stdout, "daemonset.apps/agent created\n");
        let again = run(&mut cluster, "create -f -");
        assert_eq!(
            (again.stderr.as_str(), again.exit_code),
            ("Error from server (AlreadyExists): error when creating \"STDIN\": daemonsets.apps \"agent\" already exists\n", 1)
        );
        let applied = run(&mut cluster, "apply -f -");
        assert_eq!(applied.notice, "Warning: resource daemonsets/agent is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n");
        assert_eq!(applied.stdout, "daemonset.apps/agent configured\n");
    }

    #[test]
    fn base64_as_go_encodes() {
        assert_eq!(base64(b"admin"), "YWRtaW4=");
        assert_eq!(base64(b"S!B\\*d$zDsb="), "UyFCXCpkJHpEc2I9");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn container_names_come_from_images() {
        assert_eq!(container_name("busybox"), "busybox");
        assert_eq!(container_name("nginx:1.25"), "nginx");
        assert_eq!(container_name("registry.k8s.io/pause:3.9"), "pause");
        assert_eq!(container_name("localhost:5000/agent@sha256:abc"), "agent");
    }
}
