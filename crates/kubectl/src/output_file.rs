//! `-o jsonpath-file=PATH`, `-o go-template-file=PATH` (`templatefile`) and
//! `-o custom-columns-file=PATH`: formats whose template is read from a file.
//! kubectl reads the file and then prints as with the same template given
//! inline (its errors quote the file's text), so a template file becomes the
//! inline format here, before any command looks at `-o`.

use crate::args::Args;
use crate::Files;

const OUTPUT: &[&str] = &["-o", "--output"];

/// Go's error for a file that cannot be opened.
fn read(files: &dyn Files, path: &str, what: &str) -> Result<String, String> {
    files.read(path).ok_or_else(|| {
        format!("error: error reading {what} {path}, open {path}: no such file or directory")
    })
}

/// Rewrites a template file format of `-o` to the inline one, or gives
/// kubectl's error for a template format without its template.
pub fn inline(args: &mut Args, files: &dyn Files) -> Result<(), String> {
    let Some(output) = args.value(OUTPUT) else {
        return Ok(());
    };
    let (format, template) = output.split_once('=').unwrap_or((output, ""));
    let inline = match format {
        "jsonpath" | "jsonpath-file" | "jsonpath-as-json" | "go-template" | "go-template-file"
        | "template" | "templatefile"
            if template.is_empty() =>
        {
            return Err("error: template format specified but no template given".to_string())
        }
        "custom-columns" | "custom-columns-file" if template.is_empty() => {
            return Err(
                "error: custom-columns format specified but no custom columns given".to_string(),
            )
        }
        "jsonpath-file" => format!("jsonpath={}", read(files, template, "--template")?),
        "go-template-file" | "templatefile" => {
            format!("go-template={}", read(files, template, "--template")?)
        }
        _ => return Ok(()),
    };
    args.set_value(OUTPUT, inline);
    Ok(())
}

/// The header and column-spec lines of a `-o custom-columns-file`.
pub fn custom_columns(files: &dyn Files, path: &str) -> Result<Vec<(String, String)>, String> {
    let text = read(files, path, "template")?;
    let mut lines = text.lines();
    let usage = "Expected format is one line of space separated headers, one line of space separated column specs.";
    let headers: Vec<&str> = lines
        .next()
        .ok_or_else(|| format!("error: invalid template, missing header line. {usage}"))?
        .split_whitespace()
        .collect();
    let specs: Vec<&str> = lines
        .next()
        .ok_or_else(|| format!("error: invalid template, missing spec line. {usage}"))?
        .split_whitespace()
        .collect();
    if headers.len() != specs.len() {
        return Err(format!(
            "error: number of headers ({}) and field specifications ({}) don't match",
            headers.len(),
            specs.len()
        ));
    }
    Ok(headers
        .into_iter()
        .zip(specs)
        .map(|(h, s)| (h.to_string(), s.to_string()))
        .collect())
}
