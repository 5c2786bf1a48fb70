//! The scenarios a documentation page embeds with `<daemonlab-playground>`
//! (see the README's "Embed it in your docs"), read from the page's HTML as
//! the loader reads them: the YAML from a `<pre>`, `<script type="text/yaml">`
//! or `<template>` child (or a `src` file, or a gallery `scenario`), and the
//! `run` commands.

/// One `<daemonlab-playground>` of a page.
#[derive(Clone, Debug, PartialEq)]
pub struct Embedded {
    /// The page's line the element starts on.
    pub line: usize,
    /// Its `title`, or the place it was found.
    pub title: String,
    pub source: Source,
    /// The `run` attribute's commands, one per line.
    pub run: Vec<String>,
}

/// Where an embed's manifests come from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Inline(String),
    /// `src="…"`, relative to the page.
    File(String),
    /// `scenario="…"`, a gallery name.
    Gallery(String),
    None,
}

const TAG: &str = "<daemonlab-playground";
const END: &str = "</daemonlab-playground>";

/// Every `<daemonlab-playground>` element of `page`.
pub fn find(page: &str) -> Vec<Embedded> {
    let mut found = Vec::new();
    let mut rest = page;
    let mut offset = 0;
    while let Some(at) = rest.find(TAG) {
        let start = offset + at;
        let after = &page[start + TAG.len()..];
        // The tag name must end here (not `<daemonlab-playground-x`).
        if !after.starts_with(|c: char| c == '>' || c.is_whitespace()) {
            offset = start + TAG.len();
            rest = &page[offset..];
            continue;
        }
        let Some(close) = tag_end(after) else { break };
        let attributes = attributes(&after[..close]);
        let body_start = start + TAG.len() + close + 1;
        let body_end = page[body_start..]
            .find(END)
            .map_or(page.len(), |e| body_start + e);
        let body = &page[body_start..body_end];
        let attribute = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let line = page[..start].matches('\n').count() + 1;
        let source = match (inline_yaml(body), attribute("src"), attribute("scenario")) {
            (Some(yaml), _, _) => Source::Inline(yaml),
            (None, Some(src), _) => Source::File(src),
            (None, None, Some(id)) => Source::Gallery(id),
            (None, None, None) => Source::None,
        };
        found.push(Embedded {
            line,
            title: attribute("title").unwrap_or_else(|| format!("embed at line {line}")),
            source,
            run: attribute("run")
                .unwrap_or_default()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        });
        offset = body_end;
        rest = &page[offset..];
    }
    found
}

/// Where the start tag's `>` is, outside quoted attribute values.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// `name="value" name='value' name=value name` as (name, decoded value).
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.trim_end_matches('/').chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value = std::iter::from_fn(|| chars.next_if(|c| *c != q)).collect(),
                None => {
                    value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect()
                }
            }
            chars.next();
        }
        out.push((name.to_ascii_lowercase(), decode_entities(&value)));
    }
    out
}

/// The YAML of a `<pre>`, `<script type="text/yaml">` or `<template>` child,
/// without the indentation the page's source gave it.
fn inline_yaml(body: &str) -> Option<String> {
    let children = [
        ("<pre", "</pre>", true),
        ("<template", "</template>", true),
        ("<script type=\"text/yaml\"", "</script>", false),
        ("<script type='text/yaml'", "</script>", false),
    ];
    let (at, open, close, html) = children
        .iter()
        .filter_map(|(open, close, html)| body.find(open).map(|at| (at, *open, *close, *html)))
        .min_by_key(|(at, ..)| *at)?;
    let inside = &body[at + open.len()..];
    let start = tag_end(inside)? + 1;
    let end = inside[start..]
        .find(close)
        .map_or(inside.len(), |e| start + e);
    let text = &inside[start..end];
    // A <pre>'s text is HTML (entities, perhaps a <code>); a script's is raw.
    let text = if html {
        decode_entities(&strip_tags(text))
    } else {
        text.to_string()
    };
    Some(dedent(&text))
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn decode_entities(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn dedent(text: &str) -> String {
    let text = text.trim_start_matches(['\n', '\r']).trim_end();
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out: String = text
        .lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_are_read_as_the_loader_reads_them() {
        let page = "# Page\n\n<daemonlab-playground title=\"A &amp; B\" run=\"kubectl get ds\nkubectl get pods\">\n<pre><code>apiVersion: v1\nkind: Node\nmetadata:\n  name: a &lt;1&gt;\n</code></pre>\n</daemonlab-playground>\n\n<daemonlab-playground panels='cluster' src=\"x.yaml\"></daemonlab-playground>\n<daemonlab-playground scenario=disk-ssd>\n  <script type=\"text/yaml\">\n    kind: Node\n    metadata:\n      name: b\n  </script>\n</daemonlab-playground>\n<daemonlab-playground-other></daemonlab-playground-other>\n";
        let found = find(page);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].line, 3);
        assert_eq!(found[0].title, "A & B");
        assert_eq!(found[0].run, ["kubectl get ds", "kubectl get pods"]);
        assert_eq!(
            found[0].source,
            Source::Inline("apiVersion: v1\nkind: Node\nmetadata:\n  name: a <1>\n".into())
        );
        assert_eq!(found[1].source, Source::File("x.yaml".into()));
        assert_eq!(found[1].title, "embed at line 12");
        assert_eq!(
            found[2].source,
            Source::Inline("kind: Node\nmetadata:\n  name: b\n".into())
        );
    }
}
