//! What the `daemonlab` command shares with its tests.

pub mod bash;

use daemonlab_kubectl::Files;

/// Files named by `-f`, read relative to a script's (or page's) folder.
pub struct Folder(pub std::path::PathBuf);

impl Files for Folder {
    fn read(&self, path: &str) -> Option<String> {
        std::fs::read_to_string(self.0.join(path)).ok()
    }
}
