//! `daemonlab check` on the documentation pages in `tests/docs/`: every page
//! there passes, and each page in `tests/docs/wrong/` fails with the diff a
//! documentation author would read.

use std::path::{Path, PathBuf};
use std::process::Command;

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/docs")
}

fn check(page: &Path) -> (String, Option<i32>) {
    check_in(&docs(), &[&page.to_string_lossy()])
}

fn pages(folder: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("a docs folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    pages
}

#[test]
fn the_documentation_pages_pass() {
    let pages = pages(&docs());
    assert!(pages.len() >= 2);
    for page in pages {
        let (out, code) = check(&page);
        assert_eq!(code, Some(0), "{}:\n{out}", page.display());
        assert!(out.ends_with(" 0 differences\n"), "{out}");
    }
}

#[test]
fn a_stale_transcript_fails_with_a_readable_diff() {
    let (out, code) = check(Path::new("wrong/stale-transcript.md"));
    assert_eq!(code, Some(1));
    assert_eq!(
        out,
        "\
wrong/stale-transcript.md:62: $ kubectl get ds -n logging
--- page
+++ daemonlab
 NAME         DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE
-fluent-bit   3         3         3       3            3           <none>          2s
+fluent-bit   2         2         2       2            2           <none>          2s

wrong/stale-transcript.md:65: $ kubectl get pods -n logging --no-headers | wc -l
--- page
+++ daemonlab
-3
+2

wrong/stale-transcript.md: 4 commands, 2 differences
"
    );
}

/// `daemonlab check ARGS…` run from `folder`.
fn check_in(folder: &Path, args: &[&str]) -> (String, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_daemonlab"))
        .arg("check")
        .args(args)
        .current_dir(folder)
        .output()
        .expect("daemonlab runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        out.status.code(),
    )
}

#[test]
fn the_example_pages_that_embed_scenarios_pass() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let (out, code) = check_in(&examples, &["embed.html"]);
    assert_eq!(
        (out.as_str(), code),
        (
            "embed.html: 0 commands, 3 embedded scenarios, 0 differences\n",
            Some(0)
        )
    );
    let (out, code) = check_in(&examples.join("mdbook/src"), &["why-not-on-that-node.md"]);
    assert_eq!(
        (out.as_str(), code),
        (
            "why-not-on-that-node.md: 6 commands, 1 embedded scenario, 0 differences\n",
            Some(0)
        )
    );
}

/// `daemonlab check --examples examples ARGS…`, run from `tests/docs/kubernetes.io`.
fn check_site(args: &[&str]) -> (String, Option<i32>) {
    let mut all = vec!["--examples", "examples"];
    all.extend(args);
    check_in(&docs().join("kubernetes.io"), &all)
}

#[test]
fn kubernetes_io_task_pages_pass_with_what_they_cannot_check_listed() {
    let (out, code) = check_site(&[
        "--cluster",
        "clusters/two-nodes.yaml",
        "pages/create-daemon-set.md",
    ]);
    assert_eq!(
        (out.as_str(), code),
        (
            "pages/create-daemon-set.md:49: not checked: $ kubectl exec <pod-name> -- cat /var/log/machine-id.log (it has a placeholder for the reader to fill in)\npages/create-daemon-set.md: 4 commands, 1 not checked, 0 differences\n",
            Some(0)
        )
    );
    let (out, code) = check_site(&[
        "--cluster",
        "clusters/example-nodes.yaml",
        "--cluster",
        "examples/controllers/daemonset-label-selector.yaml",
        "pages/pods-some-nodes.md",
    ]);
    assert_eq!(
        (out.as_str(), code),
        (
            "pages/pods-some-nodes.md: 3 commands, 0 differences\n",
            Some(0)
        )
    );
    let (out, code) = check_site(&[
        "--cluster",
        "clusters/two-nodes.yaml",
        "pages/update-daemon-set.md",
    ]);
    assert_eq!(
        (out.as_str(), code),
        (
            "pages/update-daemon-set.md:114: not checked: $ kubectl edit ds/fluentd-elasticsearch -n kube-system (interactive: it opens an editor)\npages/update-daemon-set.md: 10 commands, 1 not checked, 0 differences\n",
            Some(0)
        )
    );
    let (out, code) = check_site(&["pages/rollback-daemon-set.md"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.ends_with("pages/rollback-daemon-set.md: 5 commands, 5 not checked, 0 differences\n"),
        "{out}"
    );
    assert!(out.contains(":75: not checked: $ kubectl rollout undo daemonset <daemonset-name> --to-revision=<revision> (it has a placeholder for the reader to fill in)\n"), "{out}");
}

#[test]
fn a_kubernetes_io_page_whose_output_changed_fails_with_a_readable_diff() {
    let (out, code) = check_site(&[
        "--cluster",
        "clusters/two-nodes.yaml",
        "wrong/create-daemon-set.md",
    ]);
    assert_eq!(code, Some(1));
    // Only the row that differs is marked; the others are context.
    assert!(
        out.starts_with(
            "\
wrong/create-daemon-set.md:35: $ kubectl get pods -o wide
--- page
+++ daemonlab
 NAME                      READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES
 example-daemonset-7wgs5   1/1     Running   0          5s    10.244.1.2   node-1   <none>           <none>
-example-daemonset-yyyyy             1/1     Running   0          5m     x.x.x.x  node-3
+example-daemonset-nqtpx   1/1     Running   0          5s    10.244.2.2   node-2   <none>           <none>
"
        ),
        "{out}"
    );
    assert!(
        out.ends_with("wrong/create-daemon-set.md: 4 commands, 1 not checked, 1 difference\n"),
        "{out}"
    );
}
