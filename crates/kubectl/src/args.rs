//! kubectl's (pflag's) command-line grammar: `-n ns`, `-nns`, `--namespace=ns`,
//! `--namespace ns`, boolean flags with or without `=true|false`, and `--` ending flags.

/// Parsed arguments: positionals in order, flags by the name they were given as.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Args {
    pub positional: Vec<String>,
    /// How many positionals came before `--`, if it was given (cobra's
    /// `ArgsLenAtDash`): what follows is a command, not names.
    pub at_dash: Option<usize>,
    flags: Vec<(String, String)>,
}

impl Args {
    /// Parses `argv`; `value_flags` take a value, `bool_flags` may take `=value`.
    /// Both list every spelling (`-n`, `--namespace`).
    pub fn parse(
        argv: &[String],
        value_flags: &[&str],
        bool_flags: &[&str],
    ) -> Result<Args, String> {
        let mut args = Args::default();
        let mut iter = argv.iter();
        while let Some(arg) = iter.next() {
            if arg == "--" {
                args.at_dash = Some(args.positional.len());
                args.positional.extend(iter.by_ref().cloned());
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((name, value)) => (format!("--{name}"), Some(value.to_string())),
                    None => (format!("--{long}"), None),
                };
                if value_flags.contains(&name.as_str()) {
                    let value = match inline {
                        Some(value) => value,
                        None => iter
                            .next()
                            .cloned()
                            .ok_or_else(|| format!("error: flag needs an argument: {name}"))?,
                    };
                    args.flags.push((name, value));
                } else if bool_flags.contains(&name.as_str()) {
                    args.flags
                        .push((name, inline.unwrap_or_else(|| "true".to_string())));
                } else {
                    return Err(format!(
                        "error: unknown flag: {name}\nSee 'kubectl --help' for usage."
                    ));
                }
            } else if arg.len() > 1 && arg.starts_with('-') {
                let short = &arg[..2];
                let rest = &arg[2..];
                let rest = rest.strip_prefix('=').unwrap_or(rest);
                if value_flags.contains(&short) {
                    let value = if rest.is_empty() {
                        iter.next().cloned().ok_or_else(|| {
                            format!(
                                "error: flag needs an argument: '{}' in {short}",
                                &short[1..]
                            )
                        })?
                    } else {
                        rest.to_string()
                    };
                    args.flags.push((short.to_string(), value));
                } else if bool_flags.contains(&short) && rest.is_empty() {
                    args.flags.push((short.to_string(), "true".to_string()));
                } else {
                    return Err(format!(
                        "error: unknown shorthand flag: '{}' in {arg}\nSee 'kubectl --help' for usage.",
                        &short[1..]
                    ));
                }
            } else {
                args.positional.push(arg.clone());
            }
        }
        Ok(args)
    }

    /// The flags given, by the spelling used, in order.
    pub fn flag_names(&self) -> impl Iterator<Item = &str> {
        self.flags.iter().map(|(name, _)| name.as_str())
    }

    /// The last value given for any of `names`.
    pub fn value(&self, names: &[&str]) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
    }

    /// Every value given for any of `names`, in order.
    pub fn values(&self, names: &[&str]) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    /// Replaces the value `value` reads for `names`.
    pub fn set_value(&mut self, names: &[&str], value: String) {
        if let Some(flag) = self
            .flags
            .iter_mut()
            .rev()
            .find(|(name, _)| names.contains(&name.as_str()))
        {
            flag.1 = value;
        }
    }

    /// A boolean flag: given bare or `=true`.
    pub fn flag(&self, names: &[&str]) -> bool {
        self.value(names).is_some_and(|v| v == "true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, String> {
        let argv: Vec<String> = line.split_whitespace().map(String::from).collect();
        Args::parse(
            &argv,
            &["-n", "--namespace", "-o", "--output"],
            &["-A", "--all-namespaces", "--watch"],
        )
    }

    #[test]
    fn every_spelling_of_a_flag() {
        for line in [
            "pods -n kube-system",
            "pods -nkube-system",
            "pods --namespace=kube-system",
            "pods --namespace kube-system",
            "pods -n=kube-system",
        ] {
            let args = parse(line).expect(line);
            assert_eq!(args.positional, ["pods"], "{line}");
            assert_eq!(
                args.value(&["-n", "--namespace"]),
                Some("kube-system"),
                "{line}"
            );
        }
        let args = parse("ds -A --watch=false").expect("parses");
        assert!(args.flag(&["-A", "--all-namespaces"]));
        assert!(!args.flag(&["--watch"]));
    }

    #[test]
    fn unknown_flags_are_refused_like_kubectl() {
        assert_eq!(
            parse("pods --colour").unwrap_err(),
            "error: unknown flag: --colour\nSee 'kubectl --help' for usage."
        );
        assert_eq!(
            parse("pods -x").unwrap_err(),
            "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl --help' for usage."
        );
    }
}
