//! The text tools a kubectl page pipes into: `grep`, `wc`, `head`, `tail`,
//! `sort`, `cat` and `echo`, with GNU coreutils' output.

use super::pattern::{Pattern, Syntax};
use crate::{Files, Output};

/// The names `run` knows.
pub const TOOLS: &[&str] = &["cat", "echo", "grep", "head", "sed", "sort", "tail", "wc"];

/// Runs tool `name` on `input`; None when there is no such tool.
pub fn run(name: &str, args: &[String], input: &str, files: &dyn Files) -> Option<Output> {
    let result = match name {
        "cat" => cat(args, input, files),
        "echo" => Ok(echo(args)),
        "grep" => return Some(grep(args, input)),
        "head" => lines_option(name, args).map(|n| head(input, n)),
        "tail" => lines_option(name, args).map(|n| tail(input, n)),
        "sort" => sort(args, input),
        "wc" => wc(args, input),
        _ => return None,
    };
    Some(result.unwrap_or_else(|message| Output {
        stderr: format!("{name}: {message}\n"),
        exit_code: if name == "grep" { 2 } else { 1 },
        ..Default::default()
    }))
}

fn lines(input: &str) -> Vec<&str> {
    input.split_inclusive('\n').collect()
}

fn cat(args: &[String], input: &str, files: &dyn Files) -> Result<Output, String> {
    if args.is_empty() || args == ["-"] {
        return Ok(Output::ok(input.to_string()));
    }
    let mut text = String::new();
    for path in args {
        text.push_str(
            &files
                .read(path)
                .ok_or_else(|| format!("{path}: No such file or directory"))?,
        );
    }
    Ok(Output::ok(text))
}

fn echo(args: &[String]) -> Output {
    let (newline, words) = match args.first() {
        Some(flag) if flag == "-n" => (false, &args[1..]),
        _ => (true, args),
    };
    let mut text = words.join(" ");
    if newline {
        text.push('\n');
    }
    Output::ok(text)
}

/// `-n N`, `-nN`, `--lines=N`, `-N`; `+N` for tail means "from line N".
#[derive(Clone, Copy, Debug, PartialEq)]
enum Count {
    First(usize),
    AllBut(usize),
    From(usize),
    Bytes(usize),
}

fn lines_option(tool: &str, args: &[String]) -> Result<Count, String> {
    let mut count = Count::First(10);
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "-c" || arg.starts_with("--bytes=") || (arg.starts_with("-c") && arg.len() > 2) {
            let value = match arg
                .strip_prefix("--bytes=")
                .or_else(|| arg.strip_prefix("-c"))
            {
                Some(v) if !v.is_empty() => v.to_string(),
                _ => {
                    i += 1;
                    args.get(i)
                        .cloned()
                        .ok_or_else(|| "option requires an argument -- 'c'".to_string())?
                }
            };
            count = Count::Bytes(
                value
                    .parse()
                    .map_err(|_| format!("invalid number of bytes: '{value}'"))?,
            );
            i += 1;
            continue;
        }
        let value = if arg == "-n" || arg == "--lines" {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| "option requires an argument -- 'n'".to_string())?
        } else if let Some(v) = arg
            .strip_prefix("--lines=")
            .or_else(|| arg.strip_prefix("-n"))
        {
            v.to_string()
        } else if arg.len() > 1
            && arg[1..].chars().all(|c| c.is_ascii_digit())
            && arg.starts_with('-')
        {
            arg[1..].to_string()
        } else if arg.starts_with('-') && arg != "-" {
            return Err(format!(
                "invalid option -- '{}'\nTry '{tool} --help' for more information.",
                arg.trim_start_matches('-')
            ));
        } else {
            return Err(format!(
                "cannot open '{arg}' for reading: No such file or directory"
            ));
        };
        let invalid = || format!("invalid number of lines: '{value}'");
        count = if let Some(n) = value.strip_prefix('+').filter(|_| tool == "tail") {
            Count::From(n.parse().map_err(|_| invalid())?)
        } else if let Some(n) = value.strip_prefix('-').filter(|_| tool == "head") {
            Count::AllBut(n.parse().map_err(|_| invalid())?)
        } else {
            Count::First(
                value
                    .trim_start_matches('-')
                    .parse()
                    .map_err(|_| invalid())?,
            )
        };
        i += 1;
    }
    Ok(count)
}

fn head(input: &str, count: Count) -> Output {
    let all = lines(input);
    let kept = match count {
        Count::First(n) => &all[..n.min(all.len())],
        Count::AllBut(n) => &all[..all.len().saturating_sub(n)],
        Count::From(_) => &all[..],
        Count::Bytes(n) => {
            let end = (0..=n.min(input.len()))
                .rev()
                .find(|&i| input.is_char_boundary(i))
                .unwrap_or(0);
            return Output::ok(input[..end].to_string());
        }
    };
    Output::ok(kept.concat())
}

fn tail(input: &str, count: Count) -> Output {
    let all = lines(input);
    let kept = match count {
        Count::First(n) | Count::AllBut(n) => &all[all.len().saturating_sub(n)..],
        Count::From(n) => &all[n.saturating_sub(1).min(all.len())..],
        Count::Bytes(n) => {
            let start = (input.len().saturating_sub(n)..=input.len())
                .find(|&i| input.is_char_boundary(i))
                .unwrap_or(input.len());
            return Output::ok(input[start..].to_string());
        }
    };
    Output::ok(kept.concat())
}

fn wc(args: &[String], input: &str) -> Result<Output, String> {
    let (mut l, mut w, mut c) = (false, false, false);
    for arg in args {
        match arg.as_str() {
            "--lines" => l = true,
            "--words" => w = true,
            "--bytes" | "--chars" => c = true,
            flags if flags.starts_with('-') && flags.len() > 1 => {
                for flag in flags[1..].chars() {
                    match flag {
                        'l' => l = true,
                        'w' => w = true,
                        'c' | 'm' => c = true,
                        other => return Err(format!("invalid option -- '{other}'")),
                    }
                }
            }
            path => return Err(format!("{path}: No such file or directory")),
        }
    }
    if !(l || w || c) {
        (l, w, c) = (true, true, true);
    }
    let counts: Vec<usize> = [
        (l, input.matches('\n').count()),
        (w, input.split_whitespace().count()),
        (c, input.len()),
    ]
    .into_iter()
    .filter_map(|(wanted, n)| wanted.then_some(n))
    .collect();
    // GNU wc pads to 7 columns when it prints more than one count of standard input.
    let text = if counts.len() == 1 {
        counts[0].to_string()
    } else {
        counts
            .iter()
            .map(|n| format!("{n:>7}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    Ok(Output::ok(text + "\n"))
}

fn sort(args: &[String], input: &str) -> Result<Output, String> {
    let (mut reverse, mut numeric, mut unique) = (false, false, false);
    let mut key: Option<usize> = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "-k" || arg.starts_with("-k") {
            let value = if arg == "-k" {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or("option requires an argument -- 'k'")?
            } else {
                arg[2..].to_string()
            };
            let field = value.split([',', '.']).next().unwrap_or_default();
            key = Some(
                field
                    .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                    .parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| {
                        format!(
                            "invalid number at field start: invalid count at start of '{value}'"
                        )
                    })?,
            );
            numeric |= value.contains('n');
            reverse |= value.contains('r');
        } else if arg.starts_with('-') && arg.len() > 1 {
            for flag in arg[1..].chars() {
                match flag {
                    'r' => reverse = true,
                    'n' => numeric = true,
                    'u' => unique = true,
                    other => return Err(format!("invalid option -- '{other}'")),
                }
            }
        } else {
            return Err(format!("cannot read: {arg}: No such file or directory"));
        }
        i += 1;
    }
    let field_of = |line: &str| -> String {
        match key {
            Some(k) => line
                .split_whitespace()
                .skip(k - 1)
                .collect::<Vec<_>>()
                .join(" "),
            None => line.to_string(),
        }
    };
    let number = |text: &str| -> f64 {
        let digits: String = text
            .trim_start()
            .chars()
            .enumerate()
            .take_while(|&(i, c)| c.is_ascii_digit() || c == '.' || (i == 0 && c == '-'))
            .map(|(_, c)| c)
            .collect();
        digits.parse().unwrap_or(0.0)
    };
    let mut all: Vec<&str> = input.lines().collect();
    all.sort_by(|a, b| {
        let (ka, kb) = (field_of(a), field_of(b));
        let order = if numeric {
            number(&ka).total_cmp(&number(&kb))
        } else {
            ka.cmp(&kb)
        };
        order.then_with(|| a.cmp(b))
    });
    if reverse {
        all.reverse();
    }
    if unique {
        all.dedup_by(|a, b| field_of(a) == field_of(b));
    }
    Ok(Output::ok(all.iter().map(|l| format!("{l}\n")).collect()))
}

fn grep(args: &[String], input: &str) -> Output {
    match grep_lines(args, input) {
        Ok(output) => output,
        Err(message) => Output {
            stderr: format!("grep: {message}\n"),
            exit_code: 2,
            ..Default::default()
        },
    }
}

fn grep_lines(args: &[String], input: &str) -> Result<Output, String> {
    let (mut invert, mut ignore_case, mut count, mut numbers) = (false, false, false, false);
    let mut syntax = Syntax::Basic;
    let (mut after, mut before) = (0usize, 0usize);
    let mut pattern: Option<String> = None;
    let mut max: Option<usize> = None;
    let mut i = 0;
    let mut options_done = false;
    while let Some(arg) = args.get(i) {
        i += 1;
        if options_done || !arg.starts_with('-') || arg == "-" {
            if pattern.is_none() {
                pattern = Some(arg.clone());
                continue;
            }
            return Err(format!("{arg}: No such file or directory"));
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        match arg.as_str() {
            "--invert-match" => invert = true,
            "--ignore-case" => ignore_case = true,
            "--count" => count = true,
            "--line-number" => numbers = true,
            "--extended-regexp" => syntax = Syntax::Extended,
            "--fixed-strings" => syntax = Syntax::Fixed,
            long if long.starts_with("--") => {
                return Err(format!("unrecognized option '{long}'"));
            }
            short => {
                let flags: Vec<char> = short[1..].chars().collect();
                let mut j = 0;
                while j < flags.len() {
                    let flag = flags[j];
                    j += 1;
                    match flag {
                        'v' => invert = true,
                        'i' => ignore_case = true,
                        'c' => count = true,
                        'n' => numbers = true,
                        'E' => syntax = Syntax::Extended,
                        'F' => syntax = Syntax::Fixed,
                        'G' => syntax = Syntax::Basic,
                        'A' | 'B' | 'C' | 'e' | 'm' => {
                            let value = if j < flags.len() {
                                let v: String = flags[j..].iter().collect();
                                j = flags.len();
                                v
                            } else {
                                i += 1;
                                args.get(i - 1)
                                    .cloned()
                                    .ok_or_else(|| format!("option requires an argument -- '{flag}'"))?
                            };
                            if flag == 'e' {
                                pattern = Some(value);
                                continue;
                            }
                            let n: usize = value
                                .parse()
                                .map_err(|_| format!("{value}: invalid context length argument"))?;
                            match flag {
                                'A' => after = n,
                                'B' => before = n,
                                'C' => (after, before) = (n, n),
                                _ => max = Some(n),
                            }
                        }
                        other => {
                            return Err(format!(
                                "invalid option -- '{other}'\nUsage: grep [OPTION]... PATTERNS [FILE]..."
                            ))
                        }
                    }
                }
            }
        }
    }
    let pattern = pattern.ok_or("Usage: grep [OPTION]... PATTERNS [FILE]...")?;
    let matchers = pattern
        .split('\n')
        .map(|p| Pattern::new(p, syntax, ignore_case))
        .collect::<Result<Vec<_>, _>>()?;
    let all: Vec<&str> = input.lines().collect();
    let mut selected: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, line)| matchers.iter().any(|m| m.is_match(line)) != invert)
        .map(|(n, _)| n)
        .collect();
    if let Some(max) = max {
        selected.truncate(max);
    }
    let status = i32::from(selected.is_empty());
    if count {
        return Ok(Output {
            stdout: format!("{}\n", selected.len()),
            exit_code: status,
            ..Default::default()
        });
    }
    let mut out = String::new();
    let mut last_printed: Option<usize> = None;
    let context = after > 0 || before > 0;
    for (k, &n) in selected.iter().enumerate() {
        let from = n.saturating_sub(before);
        let until = (n + after).min(all.len() - 1);
        // Context after the last selected line stops at the next selected one.
        let until = selected
            .get(k + 1)
            .map_or(until, |&next| until.min(next - 1).max(n));
        let from = last_printed.map_or(from, |last| from.max(last + 1));
        if context && last_printed.is_some_and(|last| from > last + 1) {
            out.push_str("--\n");
        }
        for (line, text) in all.iter().enumerate().take(until + 1).skip(from) {
            if numbers {
                let separator = if line == n { ':' } else { '-' };
                out.push_str(&format!("{}{separator}", line + 1));
            }
            out.push_str(text);
            out.push('\n');
        }
        last_printed = Some(until);
    }
    Ok(Output {
        stdout: out,
        exit_code: status,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoFiles;

    fn tool(line: &str, input: &str) -> (String, i32) {
        let words: Vec<String> = line.split(' ').map(str::to_string).collect();
        let out = run(&words[0], &words[1..], input, &NoFiles).unwrap();
        (out.stdout + &out.stderr, out.exit_code)
    }

    const TEXT: &str = "a\nTaints: x\nb\nc\nd\nTaints: y\ne\n";

    #[test]
    fn grep_like_gnu() {
        assert_eq!(
            tool("grep Taints", TEXT),
            ("Taints: x\nTaints: y\n".into(), 0)
        );
        assert_eq!(
            tool("grep -A1 Taints", TEXT),
            ("Taints: x\nb\n--\nTaints: y\ne\n".into(), 0)
        );
        assert_eq!(
            tool("grep -A 3 Taints", TEXT),
            ("Taints: x\nb\nc\nd\nTaints: y\ne\n".into(), 0)
        );
        assert_eq!(
            tool("grep -B1 -n y", TEXT),
            ("5-d\n6:Taints: y\n".into(), 0)
        );
        assert_eq!(tool("grep -vc Taints", TEXT), ("5\n".into(), 0));
        assert_eq!(tool("grep -i taints: -c", TEXT), ("2\n".into(), 0));
        assert_eq!(tool("grep zzz", TEXT), ("".into(), 1));
        assert_eq!(tool("grep -Q x", TEXT).1, 2);
    }

    #[test]
    fn counting_and_slicing() {
        assert_eq!(tool("wc -l", TEXT), ("7\n".into(), 0));
        assert_eq!(
            tool("wc", "a b\nc\n"),
            ("      2       3       6\n".into(), 0)
        );
        assert_eq!(tool("head -n 2", TEXT).0, "a\nTaints: x\n");
        assert_eq!(tool("head -2", TEXT).0, "a\nTaints: x\n");
        assert_eq!(tool("tail -n 1", TEXT).0, "e\n");
        assert_eq!(tool("tail -n +7", TEXT).0, "e\n");
        assert_eq!(tool("head -c 3", TEXT).0, "a\nT");
        assert_eq!(tool("tail -c 2", TEXT).0, "e\n");
        assert_eq!(tool("sort -r", "b\na\nc\n").0, "c\nb\na\n");
        assert_eq!(tool("sort -n", "10\n9\n").0, "9\n10\n");
        assert_eq!(tool("sort -k2", "x b\ny a\n").0, "y a\nx b\n");
        assert_eq!(tool("sort -u", "a\na\n").0, "a\n");
        assert_eq!(tool("echo a b", ""), ("a b\n".into(), 0));
        assert_eq!(tool("cat", "x\n").0, "x\n");
    }
}
