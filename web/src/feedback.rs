//! The outcome of a panel's own button, shown in that panel: the command it
//! ran and what kubectl answered, so the user need not look for the terminal.

use daemonlab_kubectl::Output;
use leptos::prelude::*;

/// A command a panel ran and its answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub line: String,
    pub ok: bool,
    pub text: String,
    /// The terminal entry that shows the same command, if it ran.
    pub entry: Option<u64>,
}

impl Feedback {
    pub fn of(line: &str, output: &Output, entry: Option<u64>) -> Feedback {
        let text = [&output.notice, &output.stdout, &output.stderr]
            .into_iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.trim_end())
            .collect::<Vec<_>>()
            .join("\n");
        Feedback {
            line: line.to_string(),
            ok: output.exit_code == 0,
            text,
            entry,
        }
    }

    /// A refusal before any command ran (an empty field).
    pub fn refused(why: &str) -> Feedback {
        Feedback {
            line: String::new(),
            ok: false,
            text: why.to_string(),
            entry: None,
        }
    }
}

/// A command line and its output, as panels and forms run them, with the
/// terminal entry it was written to.
pub type Command = Callback<(String, String), (Output, Option<u64>)>;

/// Runs `line` (with `heredoc`) through `command` and keeps its outcome in `feedback`.
pub fn run_into(
    command: Command,
    feedback: RwSignal<Option<Feedback>>,
    line: String,
    heredoc: String,
) {
    let (output, entry) = command.run((line.clone(), heredoc));
    feedback.set(Some(Feedback::of(&line, &output, entry)));
}

/// The last outcome, under the controls that produced it.
#[component]
pub fn FeedbackLine(feedback: RwSignal<Option<Feedback>>) -> impl IntoView {
    move || {
        feedback.get().map(|f| {
            let class = if f.ok {
                "feedback ok"
            } else {
                "feedback failed"
            };
            let command = (!f.line.is_empty()).then(|| {
                let shown = f.line.lines().next().unwrap_or("").to_string();
                view! { <code class="feedback-command">"$ "{shown}</code> }
            });
            let label = format!("{} in the terminal", f.line.lines().next().unwrap_or(""));
            let link = f.entry.map(|id| {
                view! {
                    <a class="feedback-link" data-testid="feedback-link" aria-label=label href=format!("#term-entry-{id}")>
                        "In the terminal"
                    </a>
                }
            });
            view! {
                <div class=class role="status" data-testid="feedback">
                    {command}
                    <pre class="feedback-text">{f.text}</pre>
                    {link}
                </div>
            }
        })
    }
}
