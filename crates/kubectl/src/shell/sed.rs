//! `sed`, as far as pages and `KUBE_EDITOR` use it: `s/RE/REPLACEMENT/FLAGS`
//! (`g`, `p`, a count, `i`), `d`, `p` and `q`, each after an optional address
//! (`N`, `$`, `/RE/`, or a range of two) and `!`; scripts from `-e` or the
//! first word, commands split by `;` or new lines; `-n`, `-E`/`-r`, and `-i`
//! to rewrite the files in place (GNU sed's words for its errors).

use super::pattern::{Pattern, Syntax};
use crate::Files;

/// The first line of GNU sed's usage, which it prints when given no script.
pub const USAGE: &str = "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...";

/// What a run of sed wrote: its output, and the files it rewrote in place.
pub struct Sed {
    pub stdout: String,
    pub rewritten: Vec<(String, String)>,
}

#[derive(Clone)]
enum Address {
    Line(usize),
    Last,
    Match(Pattern),
}

enum Command {
    Substitute {
        pattern: Pattern,
        replacement: Vec<Replacement>,
        global: bool,
        occurrence: usize,
        print: bool,
    },
    Delete,
    Print,
    Quit,
}

enum Replacement {
    Text(String),
    Whole,
}

struct Step {
    from: Option<Address>,
    to: Option<Address>,
    negated: bool,
    command: Command,
}

/// Runs `sed ARGS` on `input` (or on the files it names).
pub fn run(args: &[String], input: &str, files: &dyn Files) -> Result<Sed, String> {
    let mut scripts = Vec::new();
    let mut operands = Vec::new();
    let (mut quiet, mut in_place, mut syntax) = (false, false, Syntax::Basic);
    let mut words = args.iter();
    let mut only_operands = false;
    while let Some(word) = words.next() {
        if only_operands || !word.starts_with('-') || word == "-" {
            operands.push(word.clone());
            continue;
        }
        match word.as_str() {
            "--" => only_operands = true,
            "-n" | "--quiet" | "--silent" => quiet = true,
            "-E" | "-r" | "--regexp-extended" => syntax = Syntax::Extended,
            "-e" | "--expression" => scripts.push(
                words
                    .next()
                    .ok_or("option requires an argument -- 'e'")?
                    .clone(),
            ),
            long if long.starts_with("--expression=") => {
                scripts.push(long["--expression=".len()..].to_string())
            }
            long if long == "--in-place" || long.starts_with("--in-place=") => in_place = true,
            short if short.starts_with("-i") => in_place = true,
            short if short.starts_with("-e") => scripts.push(short[2..].to_string()),
            other => return Err(format!("invalid option -- '{}'", &other[1..])),
        }
    }
    if scripts.is_empty() {
        if operands.is_empty() {
            return Err(USAGE.to_string());
        }
        scripts.push(operands.remove(0));
    }
    let steps = parse(&scripts.join("\n"), syntax)?;
    if in_place {
        if operands.is_empty() {
            return Err("no input files".to_string());
        }
        let mut rewritten = Vec::new();
        for path in operands {
            let text = files
                .read(&path)
                .ok_or_else(|| format!("can't read {path}: No such file or directory"))?;
            let (out, _) = execute(&steps, &text, quiet);
            rewritten.push((path, out));
        }
        return Ok(Sed {
            stdout: String::new(),
            rewritten,
        });
    }
    let text = if operands.is_empty() {
        input.to_string()
    } else {
        let mut text = String::new();
        for path in &operands {
            text.push_str(
                &files
                    .read(path)
                    .ok_or_else(|| format!("can't read {path}: No such file or directory"))?,
            );
        }
        text
    };
    Ok(Sed {
        stdout: execute(&steps, &text, quiet).0,
        rewritten: Vec::new(),
    })
}

fn parse(script: &str, syntax: Syntax) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = script.chars().collect();
    let mut at = 0;
    let mut steps = Vec::new();
    let column = |at: usize| format!("-e expression #1, char {}", at.max(1));
    loop {
        while at < chars.len() && (chars[at].is_whitespace() || chars[at] == ';') {
            at += 1;
        }
        if at >= chars.len() {
            return Ok(steps);
        }
        let from = address(&chars, &mut at, syntax)?;
        let to = if from.is_some() && chars.get(at) == Some(&',') {
            at += 1;
            Some(
                address(&chars, &mut at, syntax)?
                    .ok_or_else(|| format!("{}: unexpected `,'", column(at)))?,
            )
        } else {
            None
        };
        while chars.get(at).is_some_and(|c| c.is_whitespace()) {
            at += 1;
        }
        let negated = chars.get(at) == Some(&'!');
        if negated {
            at += 1;
        }
        let Some(&letter) = chars.get(at) else {
            return Err(format!("{}: missing command", column(at)));
        };
        at += 1;
        let command = match letter {
            'd' => Command::Delete,
            'p' => Command::Print,
            'q' => Command::Quit,
            's' => substitute(&chars, &mut at, syntax)?,
            other => return Err(format!("{}: unknown command: `{other}'", column(at))),
        };
        while chars.get(at).is_some_and(|c| *c == ' ' || *c == '\t') {
            at += 1;
        }
        if !matches!(chars.get(at), None | Some(';' | '\n' | '}')) {
            return Err(format!(
                "{}: extra characters after command",
                column(at + 1)
            ));
        }
        steps.push(Step {
            from,
            to,
            negated,
            command,
        });
    }
}

fn address(chars: &[char], at: &mut usize, syntax: Syntax) -> Result<Option<Address>, String> {
    match chars.get(*at) {
        Some('$') => {
            *at += 1;
            Ok(Some(Address::Last))
        }
        Some(c) if c.is_ascii_digit() => {
            let start = *at;
            while chars.get(*at).is_some_and(char::is_ascii_digit) {
                *at += 1;
            }
            let text: String = chars[start..*at].iter().collect();
            let line = text
                .parse()
                .map_err(|_| "invalid line number".to_string())?;
            Ok(Some(Address::Line(line)))
        }
        Some('/') => {
            *at += 1;
            let text = delimited(chars, at, '/')?;
            Ok(Some(Address::Match(regex(&text, syntax, false)?)))
        }
        _ => Ok(None),
    }
}

/// The text up to an unescaped `delimiter`, which is skipped; `\delimiter`
/// stands for the delimiter itself.
fn delimited(chars: &[char], at: &mut usize, delimiter: char) -> Result<String, String> {
    let mut text = String::new();
    while let Some(&c) = chars.get(*at) {
        *at += 1;
        if c == delimiter {
            return Ok(text);
        }
        if c == '\\' {
            match chars.get(*at) {
                Some(&next) if next == delimiter => {
                    text.push(next);
                    *at += 1;
                    continue;
                }
                Some('n') => {
                    text.push('\n');
                    *at += 1;
                    continue;
                }
                _ => {}
            }
        }
        text.push(c);
        if c == '\\' {
            if let Some(&next) = chars.get(*at) {
                text.push(next);
                *at += 1;
            }
        }
    }
    Err(format!(
        "-e expression #1, char {}: unterminated `s' command",
        chars.len()
    ))
}

fn regex(text: &str, syntax: Syntax, ignore_case: bool) -> Result<Pattern, String> {
    Pattern::new(text, syntax, ignore_case).map_err(|e| format!("-e expression #1: {e}"))
}

fn substitute(chars: &[char], at: &mut usize, syntax: Syntax) -> Result<Command, String> {
    let delimiter = *chars
        .get(*at)
        .ok_or("-e expression #1: unterminated `s' command")?;
    *at += 1;
    let pattern = delimited(chars, at, delimiter)?;
    let replacement = delimited(chars, at, delimiter)?;
    let (mut global, mut print, mut ignore_case, mut occurrence) = (false, false, false, 1);
    while let Some(&flag) = chars.get(*at) {
        match flag {
            'g' => global = true,
            'p' => print = true,
            'i' | 'I' => ignore_case = true,
            c if c.is_ascii_digit() => {
                occurrence = c.to_digit(10).map_or(1, |d| d as usize);
            }
            _ => break,
        }
        *at += 1;
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = replacement.chars();
    while let Some(c) = rest.next() {
        match c {
            '&' => {
                parts.push(Replacement::Text(std::mem::take(&mut text)));
                parts.push(Replacement::Whole);
            }
            '\\' => match rest.next() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some(d) if d.is_ascii_digit() && d != '0' => {
                    return Err(format!(
                        "-e expression #1: daemonlab's sed has no groups: \\{d} is not supported"
                    ))
                }
                Some(other) => text.push(other),
                None => text.push('\\'),
            },
            other => text.push(other),
        }
    }
    parts.push(Replacement::Text(text));
    Ok(Command::Substitute {
        pattern: regex(&pattern, syntax, ignore_case)?,
        replacement: parts,
        global,
        occurrence,
        print,
    })
}

/// Runs the script over `text`; also whether it quit early.
fn execute(steps: &[Step], text: &str, quiet: bool) -> (String, bool) {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let last = lines.len();
    let mut out = String::new();
    // For each range, whether it is open (it matched its start).
    let mut open = vec![false; steps.len()];
    for (index, raw) in lines.iter().enumerate() {
        let number = index + 1;
        let (body, newline) = match raw.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (*raw, ""),
        };
        let mut line = body.to_string();
        let mut deleted = false;
        let mut quit = false;
        for (i, step) in steps.iter().enumerate() {
            let hit = selected(step, &mut open[i], number, last, &line);
            if hit == step.negated {
                continue;
            }
            match &step.command {
                Command::Delete => {
                    deleted = true;
                    break;
                }
                Command::Print => {
                    out.push_str(&line);
                    out.push('\n');
                }
                Command::Quit => {
                    quit = true;
                    break;
                }
                Command::Substitute {
                    pattern,
                    replacement,
                    global,
                    occurrence,
                    print,
                } => {
                    if let Some(replaced) =
                        replace(&line, pattern, replacement, *global, *occurrence)
                    {
                        line = replaced;
                        if *print {
                            out.push_str(&line);
                            out.push('\n');
                        }
                    }
                }
            }
        }
        if !deleted && !quiet {
            out.push_str(&line);
            out.push_str(newline);
        }
        if quit {
            return (out, true);
        }
    }
    (out, false)
}

fn selected(step: &Step, open: &mut bool, number: usize, last: usize, line: &str) -> bool {
    let at = |address: &Address| match address {
        Address::Line(n) => *n == number,
        Address::Last => number == last,
        Address::Match(pattern) => pattern.is_match(line),
    };
    match (&step.from, &step.to) {
        (None, _) => true,
        (Some(from), None) => at(from),
        (Some(from), Some(to)) => {
            if *open {
                let closes = match to {
                    Address::Line(n) => number >= *n,
                    other => at(other),
                };
                *open = !closes;
                true
            } else if at(from) {
                // A range whose end is a line already passed covers one line.
                *open = !matches!(to, Address::Line(n) if *n <= number);
                true
            } else {
                false
            }
        }
    }
}

fn replace(
    line: &str,
    pattern: &Pattern,
    replacement: &[Replacement],
    global: bool,
    occurrence: usize,
) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    let mut copied = 0;
    let mut count = 0;
    let mut changed = false;
    while let Some((start, end)) = pattern.find(&chars, at) {
        count += 1;
        if count >= occurrence {
            out.extend(&chars[copied..start]);
            for part in replacement {
                match part {
                    Replacement::Text(text) => out.push_str(text),
                    Replacement::Whole => out.extend(&chars[start..end]),
                }
            }
            copied = end;
            changed = true;
            if !global {
                break;
            }
        }
        // An empty match moves on by one character.
        at = if end == start { end + 1 } else { end };
        if at > chars.len() {
            break;
        }
    }
    if !changed {
        return None;
    }
    out.extend(&chars[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoFiles;

    fn sed(args: &[&str], input: &str) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        match run(&args, input, &NoFiles) {
            Ok(sed) => sed.stdout,
            Err(e) => format!("sed: {e}"),
        }
    }

    // Expected outputs are GNU sed 4.9's for the same scripts.
    #[test]
    fn substitutes_deletes_and_prints() {
        let text = "image: nginx:1.25\nname: web\nimage: nginx:1.25\n";
        assert_eq!(
            sed(&["s/nginx:1.25/nginx:1.26/"], text),
            "image: nginx:1.26\nname: web\nimage: nginx:1.26\n"
        );
        assert_eq!(sed(&["2d"], text), "image: nginx:1.25\nimage: nginx:1.25\n");
        assert_eq!(sed(&["-n", "/name/p"], text), "name: web\n");
        assert_eq!(sed(&["s/n/N/g;2q"], text), "image: NgiNx:1.25\nName: web\n");
        assert_eq!(sed(&["s/n/N/2"], "nnn\n"), "nNn\n");
        assert_eq!(
            sed(&["-e", "s/web/[&]/", "-e", "$d"], text),
            "image: nginx:1.25\nname: [web]\n"
        );
        assert_eq!(sed(&["/^name/!d"], text), "name: web\n");
        assert_eq!(
            sed(&["1,2s/^/# /"], text),
            "# image: nginx:1.25\n# name: web\nimage: nginx:1.25\n"
        );
        assert_eq!(
            sed(&["-E", "s/(web|nginx)+/x/g"], text),
            "image: x:1.25\nname: x\nimage: x:1.25\n"
        );
        assert_eq!(sed(&["s|a|\\n|"], "a\n"), "\n\n");
        assert_eq!(sed(&["s/x*/-/g"], "abc\n"), "-a-b-c-\n");
    }

    #[test]
    fn errors_in_gnu_words() {
        assert_eq!(sed(&[], ""), format!("sed: {USAGE}"));
        assert_eq!(
            sed(&["s/a/b"], ""),
            "sed: -e expression #1, char 5: unterminated `s' command"
        );
        assert_eq!(
            sed(&["k"], ""),
            "sed: -e expression #1, char 1: unknown command: `k'"
        );
    }
}
