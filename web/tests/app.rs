//! Component tests in headless Chromium: the playground mounted into a page,
//! used through its DOM as a user would.
#![cfg(target_arch = "wasm32")]

use daemonlab_web::App;
use leptos::mount::mount_to;
use leptos::task::tick;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, HtmlElement, HtmlInputElement, HtmlTextAreaElement, KeyboardEvent,
    KeyboardEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a fresh playground (empty localStorage) into its own element.
fn mount() -> Element {
    let window = web_sys::window().expect("a window");
    window
        .local_storage()
        .expect("storage")
        .expect("storage")
        .clear()
        .expect("cleared");
    let document = window.document().expect("a document");
    let root = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&root)
        .expect("appended");
    mount_to(root.clone().unchecked_into(), App).forget();
    root
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("a selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

fn one(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("a selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn pods_on(root: &Element, node: &str) -> usize {
    all(
        root,
        &format!("[data-testid=node][data-node={node}] [data-testid=pod]"),
    )
    .len()
}

fn editor(root: &Element) -> HtmlTextAreaElement {
    one(root, "[data-testid=yaml-editor]").unchecked_into()
}

async fn type_and_apply(root: &Element, text: &str) {
    let area = editor(root);
    area.set_value(text);
    area.dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    tick().await;
    one(root, "[data-testid=apply-button]")
        .unchecked_into::<HtmlElement>()
        .click();
    tick().await;
}

/// Types `line` at the terminal prompt and presses `key` (Enter, Tab, ArrowUp).
async fn type_in_terminal(root: &Element, line: &str, key: &str) {
    let input: HtmlInputElement = one(root, "[data-testid=terminal-input]").unchecked_into();
    input.set_value(line);
    input
        .dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    tick().await;
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("a key");
    input.dispatch_event(&event).expect("dispatched");
    tick().await;
}

fn terminal_text(root: &Element) -> String {
    one(root, "[data-testid=terminal-output]")
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_terminal_runs_kubectl_with_pipes_variables_and_heredocs() {
    let root = mount();
    tick().await;
    type_in_terminal(&root, "kubectl get nodes --no-headers | wc -l", "Enter").await;
    assert!(
        terminal_text(&root).contains("$ kubectl get nodes --no-headers | wc -l3"),
        "{}",
        terminal_text(&root)
    );
    type_in_terminal(&root, "kubectl label node worker-2 disk=ssd", "Enter").await;
    assert!(terminal_text(&root).contains("node/worker-2 labeled"));
    type_in_terminal(
        &root,
        "kubectl taint nodes worker-2 dedicated=gpu:NoExecute",
        "Enter",
    )
    .await;
    let phase = one(&root, "[data-node=worker-2] [data-testid=pod]").get_attribute("data-phase");
    assert_eq!(
        phase.as_deref(),
        Some("Terminating"),
        "evicted, still stopping"
    );
    type_in_terminal(&root, "sim settle", "Enter").await;
    assert_eq!(
        pods_on(&root, "worker-2"),
        0,
        "the cluster view follows the terminal"
    );
    type_in_terminal(&root, "kubectl apply -f - <<EOF", "Enter").await;
    for line in [
        "apiVersion: v1",
        "kind: Namespace",
        "metadata:",
        "  name: logging",
        "EOF",
    ] {
        type_in_terminal(&root, line, "Enter").await;
    }
    assert!(terminal_text(&root).contains("namespace/logging created"));
    type_in_terminal(
        &root,
        "kubectl get ns logging -o jsonpath='{.status.phase}'",
        "Enter",
    )
    .await;
    assert!(terminal_text(&root).contains("Active"));
    type_in_terminal(&root, "kubectl gett pods", "Enter").await;
    let errors = all(&root, "[data-testid=terminal-output] .term-stderr");
    assert!(errors
        .last()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .starts_with("error: unknown command \"gett\" for \"kubectl\""));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_terminal_completes_and_recalls() {
    let root = mount();
    tick().await;
    type_in_terminal(&root, "kubectl desc", "Tab").await;
    let input: HtmlInputElement = one(&root, "[data-testid=terminal-input]").unchecked_into();
    assert_eq!(input.value(), "kubectl describe ");
    type_in_terminal(&root, "kubectl describe node w", "Tab").await;
    assert_eq!(input.value(), "kubectl describe node worker-");
    let hint = one(&root, "[data-testid=terminal-completions]").text_content();
    assert_eq!(hint.as_deref(), Some("worker-1  worker-2"));
    type_in_terminal(&root, "kubectl get ds", "Enter").await;
    type_in_terminal(&root, "", "ArrowUp").await;
    assert_eq!(input.value(), "kubectl get ds");
    root.remove();
}

#[wasm_bindgen_test]
async fn the_starter_cluster_shows_three_nodes_and_two_pods() {
    let root = mount();
    tick().await;
    assert_eq!(all(&root, "[data-testid=node]").len(), 3);
    assert_eq!(pods_on(&root, "control-plane"), 0);
    assert_eq!(pods_on(&root, "worker-1"), 1);
    assert_eq!(pods_on(&root, "worker-2"), 1);
    let taint = one(&root, "[data-node=control-plane] .taint").text_content();
    assert_eq!(
        taint.as_deref(),
        Some("node-role.kubernetes.io/control-plane:NoSchedule")
    );
    let pod = one(&root, "[data-node=worker-1] [data-testid=pod]");
    assert_eq!(pod.get_attribute("data-phase").as_deref(), Some("Running"));
    assert_eq!(pod.get_attribute("data-node").as_deref(), Some("worker-1"));
    root.remove();
}

#[wasm_bindgen_test]
async fn applying_a_toleration_adds_a_pod_to_the_control_plane() {
    let root = mount();
    tick().await;
    let text = editor(&root)
        .value()
        .replace("      # tolerations:", "      tolerations:")
        .replace("      # - key: node-role", "      - key: node-role")
        .replace("      #   operator: Exists", "        operator: Exists")
        .replace("      #   effect: NoSchedule", "        effect: NoSchedule");
    type_and_apply(&root, &text).await;
    assert_eq!(pods_on(&root, "control-plane"), 1);
    let results = one(&root, "[data-testid=apply-results]").text_content();
    assert!(results
        .unwrap_or_default()
        .contains("daemonset.apps/node-exporter configured"));
    root.remove();
}

#[wasm_bindgen_test]
async fn broken_yaml_shows_where_and_keeps_cluster_and_text() {
    let root = mount();
    tick().await;
    let broken = "apiVersion: v1\nkind: Node\nmetadata:\n  name: a\n labels: x\n";
    type_and_apply(&root, broken).await;
    let error = one(&root, "[data-testid=apply-results] .failed")
        .text_content()
        .unwrap_or_default();
    assert_eq!(
        error,
        "line 5, column 2: error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: did not find expected key"
    );
    assert!(root
        .query_selector("[data-testid=apply-error]")
        .ok()
        .flatten()
        .is_some());
    assert_eq!(
        all(&root, "[data-testid=node]").len(),
        3,
        "the cluster stays"
    );
    assert_eq!(editor(&root).value(), broken, "the text stays");
    let marked = one(&root, ".gutter .line.error").text_content();
    assert_eq!(marked.as_deref(), Some("5"));
    root.remove();
}

#[wasm_bindgen_test]
async fn user_text_in_messages_is_text_not_html() {
    let root = mount();
    tick().await;
    let text = "apiVersion: v1\nkind: <img src=x onerror=alert(1)>\nmetadata:\n  name: a\n";
    type_and_apply(&root, text).await;
    assert!(
        all(&root, "img").is_empty(),
        "no element was made from user text"
    );
    let error = one(&root, "[data-testid=apply-results] .failed")
        .text_content()
        .unwrap_or_default();
    assert!(
        error.contains("no matches for kind \"<img src=x onerror=alert(1)>\" in version \"v1\""),
        "{error}"
    );
    root.remove();
}

fn click(root: &Element, selector: &str) {
    one(root, selector).unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn pause_and_step_move_virtual_time_only_when_asked() {
    let root = mount();
    tick().await;
    click(&root, "[data-testid=pause]");
    tick().await;
    let before = one(&root, "[data-testid=clock]").text_content();
    click(&root, "[data-testid=step]");
    tick().await;
    let after = one(&root, "[data-testid=clock]").text_content();
    assert_ne!(before, after, "a step moves the clock");
    assert!(one(&root, "[data-testid=play]")
        .get_attribute("disabled")
        .is_none());
    root.remove();
}

#[wasm_bindgen_test]
async fn loading_a_scenario_replaces_cluster_editor_and_lesson() {
    let root = mount();
    tick().await;
    let select: web_sys::HtmlSelectElement =
        one(&root, "[data-testid=scenario-select]").unchecked_into();
    select.set_value("gpu-affinity");
    select
        .dispatch_event(&Event::new("change").expect("an event"))
        .expect("dispatched");
    tick().await;
    click(&root, "[data-testid=load-scenario]");
    tick().await;
    assert_eq!(pods_on(&root, "gpu-1"), 1);
    assert_eq!(pods_on(&root, "gpu-2"), 0);
    assert!(editor(&root).value().contains("gpu-exporter"));
    let lesson = one(&root, "[data-testid=lesson]")
        .text_content()
        .unwrap_or_default();
    assert!(
        lesson.starts_with("GPU-only nodes via node affinity"),
        "{lesson}"
    );
    let why = one(&root, "[data-node=gpu-2] [data-testid=absence]")
        .text_content()
        .unwrap_or_default();
    assert!(why.contains("gpu"), "{why}");
    root.remove();
}

#[wasm_bindgen_test]
async fn node_actions_and_rollout_controls_run_kubectl_in_the_terminal() {
    let root = mount();
    tick().await;
    click(&root, "[data-node=worker-2] [data-testid=cordon]");
    tick().await;
    let status = one(&root, "[data-node=worker-2] .status").text_content();
    assert_eq!(status.as_deref(), Some("Ready,SchedulingDisabled"));
    assert!(terminal_text(&root).contains("$ kubectl cordon worker-2node/worker-2 cordoned"));
    let image: HtmlInputElement = one(&root, "[data-testid=set-image-input]").unchecked_into();
    image.set_value("prom/node-exporter:v1.8.0");
    image
        .dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    tick().await;
    click(&root, "[data-testid=set-image]");
    tick().await;
    let text = terminal_text(&root);
    assert!(
        text.contains(
            "$ kubectl set image daemonset/node-exporter node-exporter=prom/node-exporter:v1.8.0 -n kube-system"
        ),
        "{text}"
    );
    let meta = all(&root, "[data-testid=daemonset] .ds-meta");
    assert!(meta
        .iter()
        .any(|m| m.text_content().unwrap_or_default().contains("revision 2")));
    root.remove();
}

#[wasm_bindgen_test]
async fn cards_show_requests_and_duplicate_a_node_with_its_labels_and_taints() {
    let root = mount();
    tick().await;
    let cpu = one(&root, "[data-node=worker-1] [data-resource=cpu]")
        .text_content()
        .unwrap_or_default();
    assert_eq!(cpu, "cpu 50m / 4 (1%)");
    click(
        &root,
        "[data-node=control-plane] [data-testid=duplicate-node]",
    );
    tick().await;
    let copy = one(&root, "[data-node=control-plane-copy]");
    let taint = one(&copy, ".taint").text_content();
    assert_eq!(
        taint.as_deref(),
        Some("node-role.kubernetes.io/control-plane:NoSchedule")
    );
    assert!(terminal_text(&root).contains("node/control-plane-copy created"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_event_log_filters_by_object() {
    let root = mount();
    tick().await;
    let filter: HtmlInputElement = one(&root, "[data-testid=event-filter]").unchecked_into();
    filter.set_value("daemonset/");
    filter
        .dispatch_event(&Event::new("input").expect("an event"))
        .expect("dispatched");
    tick().await;
    let objects: Vec<String> = all(&root, "[data-testid=event] .event-object")
        .iter()
        .filter_map(|e| e.text_content())
        .collect();
    assert!(!objects.is_empty());
    assert!(
        objects.iter().all(|o| o == "daemonset/node-exporter"),
        "{objects:?}"
    );
    root.remove();
}
