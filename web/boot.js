// Starts the app without an inline script, so the page runs under a
// Content-Security-Policy without 'unsafe-inline': Trunk writes the hashed
// module names into <meta name="trunk-app"> (Trunk.toml, pattern_script).
const meta = document.querySelector('meta[name="trunk-app"]');
const resolve = (url) => new URL(url, document.baseURI).href;
const bindings = await import(resolve(meta.dataset.js));
const wasm = await bindings.default({ module_or_path: resolve(meta.dataset.wasm) });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
