//! Scenario transcripts in `tests/scenarios/`: each reads like a kubectl session
//! (`$ command`, then its output). The commands are run on a fresh cluster and
//! the whole output must equal the transcript. `BLESS=1` rewrites transcripts
//! from what the simulator prints (read the diff before committing it).

use std::path::{Path, PathBuf};

use daemonlab_cli::Folder;
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::script::{run_script, script_of};

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// The first lines where `expected` and `actual` part ways, for a readable failure.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let context = |lines: &[&str]| {
        lines
            .iter()
            .skip(at.saturating_sub(2))
            .take(6)
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "first difference at line {}:\n  expected:\n{}\n  actual:\n{}",
        at + 1,
        context(&e),
        context(&a)
    )
}

#[test]
fn every_transcript_replays_exactly() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(scenarios())
        .expect("tests/scenarios")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no transcripts found");
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for path in entries {
        let transcript = std::fs::read_to_string(&path).expect("readable transcript");
        let mut cluster = Cluster::new(1);
        let actual = run_script(&mut cluster, &script_of(&transcript), &Folder(scenarios()));
        if actual != transcript {
            if bless {
                std::fs::write(&path, &actual).expect("writable transcript");
            } else {
                failures.push(format!(
                    "{}: {}",
                    path.file_name().unwrap_or_default().to_string_lossy(),
                    first_difference(&transcript, &actual)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}
