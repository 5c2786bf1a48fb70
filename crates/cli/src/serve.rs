//! `daemonlab serve`: the simulated cluster behind the Kubernetes API on a
//! loopback port, with a kubeconfig for kubectl, client-go programs and k9s.

use std::sync::Arc;

use daemonlab_apiserver::{kubeconfig, listen, ApiServer, Clock};
use daemonlab_core::sim::Cluster;
use daemonlab_kubectl::apply::apply;

use crate::read_input;

struct Options {
    seed: u64,
    address: String,
    port: u16,
    clock: Clock,
    kubeconfig: String,
    files: Vec<String>,
}

fn options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        seed: 1,
        address: "127.0.0.1".to_string(),
        port: 8001,
        clock: Clock::Wall { speed: 1.0 },
        kubeconfig: "daemonlab.kubeconfig".to_string(),
        files: Vec::new(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .ok_or_else(|| format!("error: {name} needs a value"))
        };
        match arg.as_str() {
            "--seed" => {
                let v = value("--seed")?;
                options.seed = v
                    .parse()
                    .map_err(|_| format!("error: --seed: {v:?} is not a number"))?;
            }
            "--port" => {
                let v = value("--port")?;
                options.port = v
                    .parse()
                    .map_err(|_| format!("error: --port: {v:?} is not a port number"))?;
            }
            "--address" => options.address = value("--address")?,
            "--kubeconfig" => options.kubeconfig = value("--kubeconfig")?,
            "--manual" => options.clock = Clock::Manual,
            "--speed" => {
                let v = value("--speed")?;
                let speed: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0 && *s <= 1000.0)
                    .ok_or_else(|| {
                        format!("error: --speed: {v:?} is not a number between 0 and 1000")
                    })?;
                options.clock = Clock::Wall { speed };
            }
            flag if flag.starts_with("--") => {
                return Err(format!("error: unknown flag {flag:?} for serve"))
            }
            file => options.files.push(file.to_string()),
        }
    }
    Ok(options)
}

/// Runs the server until the process is stopped.
pub fn serve(args: &[String]) -> Result<(), String> {
    let options = options(args)?;
    let mut cluster = Cluster::new(options.seed);
    for file in &options.files {
        let text = read_input(file)?;
        let report = apply(&mut cluster, &text, file);
        eprint!("{}{}", report.stdout(), report.stderr());
    }
    cluster.settle();
    let server = Arc::new(ApiServer::new(cluster, options.clock));
    let address = format!("{}:{}", options.address, options.port);
    let listener =
        listen(server, &address).map_err(|e| format!("error: listening on {address}: {e}"))?;
    let bound = listener
        .address()
        .map_err(|e| format!("error: listening on {address}: {e}"))?;
    std::fs::write(&options.kubeconfig, kubeconfig(&bound))
        .map_err(|e| format!("error: writing {}: {e}", options.kubeconfig))?;
    eprintln!(
        "Serving the simulated cluster at http://{bound}\nexport KUBECONFIG={}",
        options.kubeconfig
    );
    listener.run();
    Ok(())
}
