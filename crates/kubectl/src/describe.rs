//! The `Pod Template:` block of `kubectl describe` and `rollout history --revision`.
//! kubectl writes `label:\tvalue` lines through a tabwriter (padding 2): within a
//! run of lines that have a tab, every value starts in the same column.

use k8s_openapi::api::core::v1::{PodTemplateSpec, Toleration};

/// Aligns `label\tvalue` lines the way Go's tabwriter does with padding 2.
pub fn align(lines: &[String]) -> String {
    let mut out = String::new();
    let mut block: Vec<&String> = Vec::new();
    let flush = |block: &mut Vec<&String>, out: &mut String| {
        let width = block
            .iter()
            .filter_map(|l| l.split_once('\t'))
            .map(|(label, _)| label.chars().count())
            .max()
            .unwrap_or(0)
            + 2;
        for line in block.drain(..) {
            if let Some((label, value)) = line.split_once('\t') {
                out.push_str(&format!("{label:<width$}{value}\n"));
            }
        }
    };
    for line in lines {
        if line.contains('\t') {
            block.push(line);
        } else {
            flush(&mut block, &mut out);
            out.push_str(line);
            out.push('\n');
        }
    }
    flush(&mut block, &mut out);
    out
}

fn or_none(values: Vec<String>) -> Vec<String> {
    if values.is_empty() {
        vec!["<none>".to_string()]
    } else {
        values
    }
}

/// `key[=value][:effect][ op=Exists][ for Ns]`, as kubectl lists tolerations.
pub fn toleration(t: &Toleration) -> String {
    let key = t.key.clone().unwrap_or_default();
    let value = t.value.clone().unwrap_or_default();
    let effect = t.effect.clone().unwrap_or_default();
    let mut s = key.clone();
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        s.push_str(&format!(":{effect}"));
    }
    if t.operator.as_deref() == Some("Exists") && value.is_empty() {
        s.push_str(if key.is_empty() && effect.is_empty() {
            "op=Exists"
        } else {
            " op=Exists"
        });
    }
    if let Some(seconds) = t.toleration_seconds {
        s.push_str(&format!(" for {seconds}s"));
    }
    s
}

/// Adds `label:\tfirst` and, for more values, continuation lines aligned with it.
fn multi(lines: &mut Vec<String>, label: &str, values: Vec<String>) {
    for (i, value) in values.into_iter().enumerate() {
        if i == 0 {
            lines.push(format!("{label}\t{value}"));
        } else {
            lines.push(format!("\t{value}"));
        }
    }
}

/// `Pod Template:` and what follows, as kubectl describes a template.
pub fn pod_template(template: &PodTemplateSpec) -> String {
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    let mut lines = vec!["Pod Template:".to_string()];
    let labels = meta
        .labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    multi(&mut lines, "  Labels:", or_none(labels));
    if let Some(annotations) = meta.annotations.as_ref().filter(|a| !a.is_empty()) {
        multi(
            &mut lines,
            "  Annotations:",
            annotations
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect(),
        );
    }
    if let Some(account) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        lines.push(format!("  Service Account:\t{account}"));
    }
    lines.push("  Containers:".to_string());
    for c in &spec.containers {
        lines.push(format!("   {}:", c.name));
        lines.push(format!(
            "    Image:\t{}",
            c.image.clone().unwrap_or_default()
        ));
        let proto = |p: &k8s_openapi::api::core::v1::ContainerPort| {
            p.protocol.clone().unwrap_or_else(|| "TCP".into())
        };
        let ports = c.ports.clone().unwrap_or_default();
        lines.push(format!(
            "    Port:\t{}",
            or_none(
                ports
                    .iter()
                    .map(|p| format!("{}/{}", p.container_port, proto(p)))
                    .collect()
            )
            .join(", ")
        ));
        lines.push(format!(
            "    Host Port:\t{}",
            or_none(
                ports
                    .iter()
                    .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), proto(p)))
                    .collect()
            )
            .join(", ")
        ));
        for (title, list) in [
            (
                "Limits",
                c.resources.as_ref().and_then(|r| r.limits.clone()),
            ),
            (
                "Requests",
                c.resources.as_ref().and_then(|r| r.requests.clone()),
            ),
        ] {
            if let Some(list) = list.filter(|l| !l.is_empty()) {
                lines.push(format!("    {title}:"));
                for (k, v) in list {
                    lines.push(format!("      {k}:\t{}", v.0));
                }
            }
        }
        let env: Vec<String> = c
            .env
            .iter()
            .flatten()
            .map(|e| format!("{}:  {}", e.name, e.value.clone().unwrap_or_default()))
            .collect();
        multi(&mut lines, "    Environment:", or_none(env));
        let mounts: Vec<String> = c
            .volume_mounts
            .iter()
            .flatten()
            .map(|m| {
                let mode = if m.read_only == Some(true) {
                    "ro"
                } else {
                    "rw"
                };
                format!("{} from {} ({mode})", m.mount_path, m.name)
            })
            .collect();
        multi(&mut lines, "    Mounts:", or_none(mounts));
    }
    let volumes: Vec<String> = spec
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.clone())
        .collect();
    if volumes.is_empty() {
        lines.push("  Volumes:\t<none>".to_string());
    } else {
        lines.push("  Volumes:".to_string());
        for name in volumes {
            lines.push(format!("   {name}:"));
        }
    }
    if let Some(class) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        lines.push(format!("  Priority Class Name:\t{class}"));
    }
    let selectors: Vec<String> = spec
        .node_selector
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    lines.push(format!(
        "  Node-Selectors:\t{}",
        or_none(selectors).join(",")
    ));
    let mut tolerations = spec.tolerations.clone().unwrap_or_default();
    tolerations.sort_by(|a, b| a.key.cmp(&b.key));
    multi(
        &mut lines,
        "  Tolerations:",
        or_none(tolerations.iter().map(toleration).collect()),
    );
    align(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_line_up_within_a_block() {
        let lines = vec![
            "Pod Template:".to_string(),
            "    Image:\tbusybox".to_string(),
            "  Node-Selectors:\t<none>".to_string(),
        ];
        assert_eq!(
            align(&lines),
            "Pod Template:\n    Image:         busybox\n  Node-Selectors:  <none>\n"
        );
    }

    #[test]
    fn tolerations_print_like_kubectl() {
        let t = |key: &str, op: &str, effect: &str, seconds: Option<i64>| Toleration {
            key: (!key.is_empty()).then(|| key.to_string()),
            operator: Some(op.to_string()),
            effect: (!effect.is_empty()).then(|| effect.to_string()),
            toleration_seconds: seconds,
            value: None,
        };
        assert_eq!(toleration(&t("", "Exists", "", None)), "op=Exists");
        assert_eq!(
            toleration(&t(
                "node.kubernetes.io/not-ready",
                "Exists",
                "NoExecute",
                Some(300)
            )),
            "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s"
        );
    }
}
