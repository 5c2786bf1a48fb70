//! Column layout and durations as kubectl prints them: Go's tabwriter with
//! minwidth 6, padding 3, and `duration.HumanDuration` for AGE.

use std::time::Duration;

/// Lays out rows the way kubectl's table printer does (tabwriter minwidth 6,
/// padding 3): every cell but the last is padded to its column's widest cell.
pub fn layout(rows: &[Vec<String>]) -> String {
    layout_padded(rows, 3, 6)
}

/// Go's tabwriter with `padding` and `min_width`, for printers that use others.
pub fn layout_padded(rows: &[Vec<String>], padding: usize, min_width: usize) -> String {
    let text: String = rows.iter().map(|row| row.join("\t") + "\n").collect();
    tabwriter(&text, min_width, padding)
}

/// Go's `text/tabwriter` (padding with spaces, no flags) over `text`: a cell
/// ends at a tab; a column's width is set by a block of consecutive lines that
/// have a cell in that column, as Go computes it.
pub fn tabwriter(text: &str, min_width: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text
        .strip_suffix('\n')
        .unwrap_or(text)
        .split('\n')
        .map(|line| line.split('\t').collect())
        .collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format_block(
        &lines,
        0,
        lines.len(),
        &mut widths,
        min_width,
        padding,
        &mut out,
    );
    if !text.ends_with('\n') {
        out.pop();
    }
    out
}

fn format_block(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    min_width: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut width = min_width;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format_block(lines, line0, this, widths, min_width, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                if let Some(width) = widths.get(j) {
                    out.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
                }
            }
        }
        out.push('\n');
    }
}

/// `duration.HumanDuration`: `45s`, `5m30s`, `95m`, `3h5m`, `3d4h`, `30d`, `2y`.
pub fn human_duration(elapsed: Option<Duration>, negative: bool) -> String {
    let Some(d) = elapsed else {
        return "<unknown>".to_string();
    };
    if negative {
        return if d > Duration::from_secs(1) {
            "<invalid>".to_string()
        } else {
            "0s".to_string()
        };
    }
    let seconds = d.as_secs();
    let minutes = seconds / 60;
    let hours = seconds / 3600;
    let days = hours / 24;
    let years = days / 365;
    if seconds < 120 {
        format!("{seconds}s")
    } else if minutes < 10 {
        match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        }
    } else if minutes < 3 * 60 {
        format!("{minutes}m")
    } else if hours < 8 {
        match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        match hours % 24 {
            0 => format!("{days}d"),
            h => format!("{days}d{h}h"),
        }
    } else if hours < 24 * 365 * 2 {
        format!("{days}d")
    } else if hours < 24 * 365 * 8 {
        match days % 365 {
            0 => format!("{years}y"),
            d => format!("{years}y{d}d"),
        }
    } else {
        format!("{years}y")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        let age = |s: u64| human_duration(Some(Duration::from_secs(s)), false);
        assert_eq!(age(45), "45s");
        assert_eq!(age(119), "119s");
        assert_eq!(age(120), "2m");
        assert_eq!(age(330), "5m30s");
        assert_eq!(age(95 * 60), "95m");
        assert_eq!(age(3 * 3600 + 300), "3h5m");
        assert_eq!(age(20 * 3600), "20h");
        assert_eq!(age(3 * 86400 + 4 * 3600), "3d4h");
        assert_eq!(age(30 * 86400), "30d");
        assert_eq!(human_duration(None, false), "<unknown>");
    }

    #[test]
    fn columns_align_like_tabwriter() {
        let rows = vec![
            vec![
                "NAME".into(),
                "STATUS".into(),
                "ROLES".into(),
                "AGE".into(),
                "VERSION".into(),
            ],
            vec![
                "worker-0".into(),
                "Ready".into(),
                "<none>".into(),
                "113m".into(),
                "v1.36.1".into(),
            ],
        ];
        assert_eq!(
            layout(&rows),
            "NAME       STATUS   ROLES    AGE    VERSION\nworker-0   Ready    <none>   113m   v1.36.1\n"
        );
    }
}
