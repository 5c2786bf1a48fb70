//! The terminal: a `$` prompt that runs kubectl (and `sim`) through the same
//! shell as `daemonlab run`, with history (Up/Down), Tab completion, heredocs
//! typed line by line, and the output of every command.

use daemonlab_kubectl::Output;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;

/// How many output lines the terminal keeps; older commands scroll away.
const KEPT_LINES: usize = 5000;

/// One command and what it printed.
#[derive(Clone, Debug, PartialEq)]
pub struct TermEntry {
    pub id: u64,
    pub command: String,
    pub output: Output,
}

impl TermEntry {
    /// The entry for `line` (and the heredoc it carried) and what it printed.
    pub fn new(id: u64, line: &str, heredoc: &str, output: Output) -> Self {
        let command = if heredoc.is_empty() {
            line.to_string()
        } else {
            format!(
                "{line}\n{heredoc}{}",
                daemonlab_kubectl::shell::heredoc_delimiter(line).unwrap_or_default()
            )
        };
        TermEntry {
            id,
            command,
            output,
        }
    }
}

/// What the playground adds below a command's output, never part of it:
/// that `kubectl top`'s figures are simulated, and what it needs first.
fn aside(command: &str, output: &Output) -> Option<&'static str> {
    let words: Vec<&str> = command.split_whitespace().take(2).collect();
    if words != ["kubectl", "top"] {
        return None;
    }
    Some(if output.stderr.contains("Metrics API not available") {
        "daemonlab: as on a real cluster, kubectl top needs metrics-server running (its Deployment, Service and APIService v1beta1.metrics.k8s.io); its figures here are then simulated."
    } else {
        "daemonlab: simulated usage: each running container uses what it requests."
    })
}

fn line_count(entry: &TermEntry) -> usize {
    1 + entry.command.lines().count()
        + entry.output.notice.lines().count()
        + entry.output.stdout.lines().count()
        + entry.output.stderr.lines().count()
}

/// Appends `entry`, dropping the oldest entries beyond `KEPT_LINES` lines.
pub fn push_entry(entries: &mut Vec<TermEntry>, entry: TermEntry) {
    entries.push(entry);
    let mut total: usize = entries.iter().map(line_count).sum();
    while total > KEPT_LINES && entries.len() > 1 {
        total -= line_count(&entries.remove(0));
    }
}

/// A heredoc being typed: the command, its delimiter, the lines so far.
#[derive(Clone, Debug, Default, PartialEq)]
struct Pending {
    command: String,
    delimiter: String,
    body: String,
}

#[component]
pub fn Terminal(
    entries: RwSignal<Vec<TermEntry>>,
    /// Runs a command line with its heredoc text.
    #[prop(into)]
    on_run: Callback<(String, String)>,
    /// Where the word being completed starts, and its candidates.
    #[prop(into)]
    on_complete: Callback<String, (usize, Vec<String>)>,
) -> impl IntoView {
    let input = RwSignal::new(String::new());
    let history = StoredValue::new(Vec::<String>::new());
    let position = StoredValue::new(None::<usize>);
    let pending = RwSignal::new(None::<Pending>);
    let hint = RwSignal::new(String::new());
    // Escape hands Tab back to the page: the next Tab leaves the terminal.
    let escaped = StoredValue::new(false);
    let output_ref = NodeRef::<leptos::html::Div>::new();

    // Keep the newest output in view.
    Effect::new(move |_| {
        entries.track();
        if let Some(pane) = output_ref.get() {
            pane.set_scroll_top(pane.scroll_height());
        }
    });

    let submit = move || {
        let line = input.get_untracked();
        input.set(String::new());
        hint.set(String::new());
        position.set_value(None);
        if let Some(mut heredoc) = pending.get_untracked() {
            if line.trim() == heredoc.delimiter {
                pending.set(None);
                on_run.run((heredoc.command, heredoc.body));
            } else {
                heredoc.body.push_str(&line);
                heredoc.body.push('\n');
                pending.set(Some(heredoc));
            }
            return;
        }
        if line.trim().is_empty() {
            return;
        }
        history.update_value(|h| {
            if h.last() != Some(&line) {
                h.push(line.clone());
            }
        });
        match daemonlab_kubectl::shell::heredoc_delimiter(&line) {
            Some(delimiter) => pending.set(Some(Pending {
                command: line,
                delimiter,
                body: String::new(),
            })),
            None => on_run.run((line, String::new())),
        }
    };

    let recall = move |older: bool| {
        let count = history.with_value(Vec::len);
        if count == 0 {
            return;
        }
        let next = match (position.get_value(), older) {
            (None, true) => Some(count - 1),
            (None, false) => None,
            (Some(0), true) => Some(0),
            (Some(i), true) => Some(i - 1),
            (Some(i), false) if i + 1 < count => Some(i + 1),
            (Some(_), false) => None,
        };
        position.set_value(next);
        let text = next
            .and_then(|i| history.with_value(|h| h.get(i).cloned()))
            .unwrap_or_default();
        input.set(text);
    };

    let tab = move || {
        let line = input.get_untracked();
        let (start, candidates) = on_complete.run(line.clone());
        match candidates.as_slice() {
            [] => hint.set(String::new()),
            [only] => {
                input.set(format!("{}{only} ", &line[..start]));
                hint.set(String::new());
            }
            several => {
                let prefix = daemonlab_kubectl::complete::common_prefix(several);
                if prefix.len() > line.len() - start {
                    input.set(format!("{}{prefix}", &line[..start]));
                }
                hint.set(several.join("  "));
            }
        }
    };

    let on_keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        let was_escaped = escaped.get_value();
        escaped.set_value(key == "Escape");
        match key.as_str() {
            "Escape" => hint.set("Tab now leaves the terminal.".to_string()),
            "Tab" if was_escaped => hint.set(String::new()),
            "Enter" => {
                ev.prevent_default();
                submit();
            }
            "ArrowUp" => {
                ev.prevent_default();
                recall(true);
            }
            "ArrowDown" => {
                ev.prevent_default();
                recall(false);
            }
            "Tab" if !ev.shift_key() && pending.get_untracked().is_none() => {
                ev.prevent_default();
                tab();
            }
            "c" if ev.ctrl_key() => {
                ev.prevent_default();
                pending.set(None);
                input.set(String::new());
            }
            _ => {}
        }
    };

    let lines = move || {
        entries
            .get()
            .into_iter()
            .map(|entry| {
                let TermEntry {
                    id,
                    command,
                    output,
                } = entry;
                let printed = |text: String, class: &'static str| {
                    (!text.is_empty()).then(|| view! { <pre class=class>{text}</pre> })
                };
                let aside = aside(&command, &output).map(
                    |text| view! { <p class="term-aside" data-testid="terminal-aside">{text}</p> },
                );
                view! {
                    <div class="term-entry" data-entry=id id=format!("term-entry-{id}")>
                        <pre class="term-command">"$ "{command}</pre>
                        {printed(output.notice, "term-notice")}
                        {printed(output.stdout, "term-stdout")}
                        {printed(output.stderr, "term-stderr")}
                        {aside}
                    </div>
                }
            })
            .collect_view()
    };
    let typing_heredoc = move || {
        pending.with(|p| {
            p.as_ref().map(|p| {
                let shown = format!("$ {}\n{}", p.command, p.body);
                view! { <pre class="term-command">{shown}</pre> }
            })
        })
    };
    let prompt = move || if pending.read().is_some() { "> " } else { "$ " };

    view! {
        <section class="terminal-panel" aria-label="Terminal">
            <h2>"Terminal"</h2>
            <div class="terminal" node_ref=output_ref data-testid="terminal-output" aria-live="polite">
                <p class="term-welcome">
                    "Type kubectl commands as you would against a real cluster (Tab completes, Up/Down recalls, Esc then Tab leaves the terminal). "
                    "sim advance 30s, sim settle and sim node down NAME move time and break nodes."
                </p>
                {lines}
                {typing_heredoc}
            </div>
            <div class="term-prompt">
                <span class="term-sign" aria-hidden="true">{prompt}</span>
                <input
                    data-testid="terminal-input"
                    aria-label="Command"
                    aria-describedby="terminal-keys"
                    type="text"
                    spellcheck="false"
                    autocomplete="off"
                    autocapitalize="off"
                    prop:value=move || input.get()
                    on:input:target=move |ev| input.set(ev.target().value())
                    on:keydown=on_keydown
                />
            </div>
            <p class="term-hint" data-testid="terminal-completions" aria-live="polite">{move || hint.get()}</p>
            <p id="terminal-keys" class="visually-hidden">
                "Enter runs the command. Tab completes it; press Escape, then Tab, to leave the terminal."
            </p>
        </section>
    }
}
