//! The scale scenario (`benches/scenario`) in Chromium, as the playground runs
//! it: `cargo xtask bench` runs it on the release build. Memory is the wasm
//! module's linear memory, which only grows: what the tab holds.
#![cfg(all(target_arch = "wasm32", feature = "scale-bench"))]

#[path = "../benches/scenario/mod.rs"]
mod scenario;

use scenario::Probe;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn linear_memory() -> usize {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as usize
}

#[wasm_bindgen_test]
fn scale_in_chromium() {
    let performance = web_sys::window().and_then(|w| w.performance());
    let now_ms = || performance.as_ref().map_or(0.0, |p| p.now());
    for nodes in [500, 5000] {
        let report = scenario::run(
            nodes,
            &Probe {
                now_ms: &now_ms,
                memory: &linear_memory,
            },
        );
        console_log!("{report}");
        console_log!(
            "  wasm linear memory after this run: {:.0} MiB",
            linear_memory() as f64 / (1024.0 * 1024.0)
        );
    }
}
