//! `kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]]`
//! (`pkg/cmd/create/create_ingress.go`).

use std::collections::BTreeMap;

use daemonlab_core::api::Object;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressStatus, IngressTLS, ServiceBackendPort,
};

use super::{meta, Generated};
use crate::args::Args;

/// Go's `\w`: ASCII letters, digits and `_`.
fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `rule` matches kubectl's rule pattern
/// `^[\w*\-.]*(/.*)=[\w\-]+:[\w\-]+` (unanchored at the end).
fn is_rule(rule: &str) -> bool {
    let host_end = rule
        .find(|c: char| !(word(c) || matches!(c, '*' | '-' | '.')))
        .unwrap_or(rule.len());
    let Some(after_host) = rule[host_end..].strip_prefix('/') else {
        return false;
    };
    let name_char = |c: char| word(c) || c == '-';
    after_host.char_indices().any(|(i, c)| {
        if c != '=' {
            return false;
        }
        let rest = &after_host[i + 1..];
        let name_len = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
        name_len > 0
            && rest[name_len..]
                .strip_prefix(':')
                .is_some_and(|port| port.starts_with(name_char))
    })
}

/// `svc:port`: the port a number or a name (`intstr.Parse`).
fn backend(service: &str) -> IngressBackend {
    let mut parts = service.split(':');
    let name = parts.next().unwrap_or("").to_string();
    let port = parts.next().unwrap_or("");
    let port = match port.parse::<i32>() {
        Ok(number) => ServiceBackendPort {
            number: Some(number),
            name: None,
        },
        Err(_) => ServiceBackendPort {
            number: None,
            name: Some(port.to_string()),
        },
    };
    IngressBackend {
        service: Some(IngressServiceBackend {
            name,
            port: Some(port),
        }),
        resource: None,
    }
}

/// `path=svc:port` after the host: a path ending in `*` is a Prefix.
fn http_path(path_and_service: &str) -> HTTPIngressPath {
    let mut parts = path_and_service.split('=');
    let mut path = format!("/{}", parts.next().unwrap_or(""));
    let service = parts.next().unwrap_or("");
    let mut path_type = "Exact";
    if let Some(prefix) = path.strip_suffix('*') {
        path = prefix.to_string();
        path_type = "Prefix";
    }
    HTTPIngressPath {
        path: Some(path),
        path_type: path_type.to_string(),
        backend: backend(service),
    }
}

/// `buildTLSRules`: one entry per secret, each host once.
fn tls_rules(rules: &[&str]) -> Vec<IngressTLS> {
    let mut seen_hosts: Vec<&str> = Vec::new();
    let mut tls: Vec<IngressTLS> = Vec::new();
    for rule in rules {
        let parts: Vec<&str> = rule.split(',').collect();
        if parts.len() != 2 {
            continue;
        }
        let host = rule.split('/').next().unwrap_or("");
        let secret = parts[1].split('=').nth(1).unwrap_or("");
        if seen_hosts.contains(&host) {
            continue;
        }
        seen_hosts.push(host);
        if let Some(existing) = tls
            .iter_mut()
            .find(|t| t.secret_name.as_deref().unwrap_or("") == secret)
        {
            existing
                .hosts
                .get_or_insert_with(Vec::new)
                .push(host.to_string());
            continue;
        }
        let entry = IngressTLS {
            hosts: (!host.is_empty()).then(|| vec![host.to_string()]),
            secret_name: (!secret.is_empty()).then(|| secret.to_string()),
        };
        if entry.hosts.is_some() || entry.secret_name.is_some() {
            tls.push(entry);
        }
    }
    tls
}

/// `buildIngressRules`: paths of the same host gather under one rule.
fn ingress_rules(rules: &[&str]) -> Vec<IngressRule> {
    let mut built: Vec<IngressRule> = Vec::new();
    for rule in rules {
        let without_tls = rule.split(',').next().unwrap_or("");
        let (host, rest) = without_tls.split_once('/').unwrap_or((without_tls, ""));
        let path = http_path(rest);
        let host = (!host.is_empty()).then(|| host.to_string());
        if let Some(existing) = built.iter_mut().find(|r| r.host == host) {
            if let Some(http) = existing.http.as_mut() {
                http.paths.push(path);
            }
            continue;
        }
        built.push(IngressRule {
            host,
            http: Some(HTTPIngressRuleValue { paths: vec![path] }),
        });
    }
    built
}

pub(super) fn ingress(name: String, args: &Args, namespace: &str) -> Result<Generated, String> {
    let rules: Vec<&str> = args.values(&["--rule"]);
    let default_backend = args.value(&["--default-backend"]).unwrap_or("");
    if default_backend.is_empty() && rules.is_empty() {
        return Err("error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)".to_string());
    }
    if let Some(rule) = rules.iter().find(|r| !is_rule(r)) {
        return Err(format!(
            "error: rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
        ));
    }
    let mut annotations = BTreeMap::new();
    for annotation in args.values(&["--annotation"]) {
        let Some((key, value)) = annotation.split_once('=') else {
            return Err(format!(
                "error: annotation {annotation} is invalid and should be in format key=[value]"
            ));
        };
        annotations.insert(key.to_string(), value.to_string());
    }
    if !default_backend.is_empty() && default_backend.split(':').count() != 2 {
        return Err("error: default-backend should be in format servicename:serviceport".into());
    }
    let class = args.value(&["--class"]).filter(|c| !c.is_empty());
    let tls = tls_rules(&rules);
    let built_rules = ingress_rules(&rules);
    let mut metadata = meta(&name, Some(namespace));
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    Ok(Generated {
        object: Object::from(Ingress {
            metadata,
            spec: Some(IngressSpec {
                ingress_class_name: class.map(str::to_string),
                default_backend: (!default_backend.is_empty()).then(|| backend(default_backend)),
                tls: (!tls.is_empty()).then_some(tls),
                rules: (!built_rules.is_empty()).then_some(built_rules),
            }),
            status: Some(IngressStatus {
                load_balancer: Some(Default::default()),
            }),
        }),
        failure_word: Some("failed to create ingress: "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_as_kubectl_validates_them() {
        for good in [
            "foo.com/bar=svc1:8080,tls=my-cert",
            "/path=svc:port",
            "foo.com/path*=svc:8080",
            "*.foo.com/=svc:https,tls",
        ] {
            assert!(is_rule(good), "{good}");
        }
        for bad in [
            "foo.com=svc:80",
            "foo.com/bar=svc",
            "foo com/=svc:80",
            "/a=:80",
        ] {
            assert!(!is_rule(bad), "{bad}");
        }
    }
}
