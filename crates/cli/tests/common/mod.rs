//! What the tests judged by real kubectl share: the kubectl, and an empty
//! `daemonlab serve` to point it at.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use daemonlab_apiserver::{kubeconfig, listen, ApiServer, Clock};
use daemonlab_core::sim::Cluster;

/// Real kubectl 1.36, as `cargo xtask kubectl` fetches it.
pub fn kubectl() -> PathBuf {
    match std::env::var_os("DAEMONLAB_KUBECTL") {
        Some(path) => PathBuf::from(path),
        None => {
            panic!("set DAEMONLAB_KUBECTL to real kubectl 1.36 (`cargo xtask kubectl` fetches it)")
        }
    }
}

/// A fresh cluster served with a manual clock on a loopback port: its
/// address, and the kubeconfig for it written at `config`.
pub fn serve(config: &Path) -> std::net::SocketAddr {
    let server = Arc::new(ApiServer::new(Cluster::new(1), Clock::Manual));
    let address = listen(server, "127.0.0.1:0")
        .and_then(|l| l.spawn())
        .expect("a loopback port");
    std::fs::write(config, kubeconfig(&address)).expect("kubeconfig written");
    address
}
