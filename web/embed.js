// daemonlab embed loader: <daemonlab-playground> turns into the playground in
// an iframe, with a light preview until the reader asks for it. No framework,
// nothing inline: it runs under a strict Content-Security-Policy. The API it
// speaks to the frame is version 1 of daemonlab's postMessage protocol.
(() => {
  'use strict';
  if (customElements.get('daemonlab-playground')) return;

  const PROTOCOL = 1;
  // Where this script was loaded from is where the playground is, unless an
  // element names another place with playground="…".
  const here = document.currentScript ? new URL('.', document.currentScript.src).href : new URL('.', location.href).href;

  const CSS = `
    :host { display: block; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .preview { border: 1px solid color-mix(in srgb, currentColor 25%, transparent); border-radius: 8px; padding: 0.9rem 1rem; }
    .title { font-weight: 600; margin: 0 0 0.4rem; }
    .nodes { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.5rem 0; padding: 0; list-style: none; }
    .node { border: 1px solid color-mix(in srgb, currentColor 30%, transparent); border-radius: 6px; padding: 0.3rem 0.5rem; font: 12px ui-monospace, monospace; }
    .more, .what { font-size: 0.85rem; opacity: 0.8; margin: 0.3rem 0; }
    button { font: inherit; padding: 0.45rem 0.9rem; border-radius: 6px; border: 1px solid #2f6fdf; background: #2f6fdf; color: #fff; cursor: pointer; min-height: 44px; }
    button:focus-visible { outline: 3px solid #8fb5ff; outline-offset: 2px; }
    iframe { display: block; width: 100%; border: 0; border-radius: 8px; }
    .error { color: #c62828; }
  `;
  let sheet = null;
  const styles = () => {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    return [sheet];
  };

  /** The YAML an element carries: a <script type="text/yaml">, a <template> or a <pre> child. */
  function inlineYaml(element) {
    const child = element.querySelector(':scope > script[type="text/yaml"], :scope > template, :scope > pre');
    if (!child) return null;
    const text = child.tagName === 'TEMPLATE' ? child.content.textContent : child.textContent;
    // Drop the indentation the page's source gave the block.
    const lines = text.replace(/^\s*\n/, '').replace(/\s+$/, '').split('\n');
    const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)[0].length));
    return lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n') + '\n';
  }

  /** Node and DaemonSet names, read roughly from the YAML for the preview. */
  function sketch(yaml) {
    const nodes = [];
    const daemonsets = [];
    for (const doc of yaml.split(/^---.*$/m)) {
      const kind = doc.match(/^kind:\s*(\S+)/m)?.[1];
      const name = doc.match(/^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*["']?([^"'\s#]+)/m)?.[1];
      if (kind === 'Node' && name) nodes.push(name);
      if (kind === 'DaemonSet' && name) daemonsets.push(name);
    }
    return { nodes, daemonsets };
  }

  class DaemonlabPlayground extends HTMLElement {
    #root;
    #frame = null;
    #target = '*';
    #pending = new Map();
    #nextId = 1;
    #handlers = new Map();
    #ready = null;
    #resolveReady = null;
    #yaml = null;
    #observer = null;

    constructor() {
      super();
      this.#root = this.attachShadow({ mode: 'open' });
      this.#root.adoptedStyleSheets = styles();
      this.#ready = new Promise((resolve) => { this.#resolveReady = resolve; });
    }

    /** Resolves once the frame has loaded, applied its scenario and run its start commands. */
    get ready() { return this.#ready; }

    async connectedCallback() {
      if (this.#frame) return;
      this.#yaml = inlineYaml(this);
      const src = this.getAttribute('src');
      if (this.#yaml === null && src) {
        try {
          const url = new URL(src, location.href);
          if (url.origin !== location.origin) throw new Error('src must be on this site');
          const response = await fetch(url);
          if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
          this.#yaml = await response.text();
        } catch (error) {
          this.#preview(`Could not read ${src}: ${error.message}`);
          return;
        }
      }
      this.#preview();
      const when = this.getAttribute('load') ?? 'click';
      if (when === 'eager') this.start();
      if (when === 'visible') {
        this.#observer = new IntersectionObserver((entries) => {
          if (entries.some((e) => e.isIntersecting)) this.start();
        });
        this.#observer.observe(this);
      }
    }

    disconnectedCallback() { this.#observer?.disconnect(); }

    #preview(problem) {
      const card = document.createElement('div');
      card.className = 'preview';
      card.setAttribute('part', 'preview');
      const title = document.createElement('p');
      title.className = 'title';
      title.textContent = this.getAttribute('title') ?? 'DaemonSet playground';
      card.append(title);
      if (problem) {
        const error = document.createElement('p');
        error.className = 'error';
        error.textContent = problem;
        card.append(error);
        this.#root.replaceChildren(card);
        return;
      }
      if (this.#yaml) {
        const { nodes, daemonsets } = sketch(this.#yaml);
        const list = document.createElement('ul');
        list.className = 'nodes';
        list.setAttribute('aria-label', 'Nodes');
        for (const name of nodes.slice(0, 12)) {
          const item = document.createElement('li');
          item.className = 'node';
          item.textContent = name;
          list.append(item);
        }
        card.append(list);
        if (nodes.length > 12) {
          const more = document.createElement('p');
          more.className = 'more';
          more.textContent = `and ${nodes.length - 12} more nodes`;
          card.append(more);
        }
        if (daemonsets.length) {
          const what = document.createElement('p');
          what.className = 'what';
          what.textContent = `DaemonSets: ${daemonsets.join(', ')}`;
          card.append(what);
        }
      } else if (this.getAttribute('scenario')) {
        const what = document.createElement('p');
        what.className = 'what';
        what.textContent = `Scenario: ${this.getAttribute('scenario')}`;
        card.append(what);
      }
      const run = document.createElement('button');
      run.type = 'button';
      run.textContent = '▶ Run this scenario';
      run.addEventListener('click', () => this.start());
      card.append(run);
      this.#root.replaceChildren(card);
    }

    /** Loads the playground in place of the preview (once). */
    start() {
      if (this.#frame) return this.#ready;
      this.#observer?.disconnect();
      const base = new URL(this.getAttribute('playground') ?? here, location.href);
      const url = new URL('index.html', base);
      url.searchParams.set('embed', '1');
      for (const name of ['panels', 'speed', 'scenario', 'origins']) {
        const value = this.getAttribute(name);
        if (value !== null) url.searchParams.set(name, value);
      }
      for (const name of ['readonly', 'autoplay']) {
        if (this.hasAttribute(name)) url.searchParams.set(name, '1');
      }
      // Follow the host's scheme unless the author chose one: an iframe whose
      // color-scheme differs from its host's paints an opaque background.
      const theme = this.getAttribute('theme') ?? 'auto';
      const scheme = theme === 'light' || theme === 'dark' ? theme : hostScheme();
      url.searchParams.set('theme', scheme);
      this.#target = base.origin;
      const frame = document.createElement('iframe');
      frame.title = this.getAttribute('title') ?? 'DaemonSet playground';
      frame.src = url.href;
      frame.allow = 'clipboard-write';
      frame.style.colorScheme = scheme;
      frame.style.height = `${Number(this.getAttribute('height')) || 420}px`;
      this.#frame = frame;
      window.addEventListener('message', (event) => this.#receive(event));
      this.#root.replaceChildren(frame);
      return this.#ready;
    }

    #receive(event) {
      if (!this.#frame || event.source !== this.#frame.contentWindow) return;
      const data = event.data;
      if (!data || typeof data !== 'object' || data.daemonlab !== PROTOCOL || typeof data.type !== 'string') return;
      switch (data.type) {
        case 'ready':
          this.#begin();
          break;
        case 'result': {
          const waiting = this.#pending.get(data.id);
          if (!waiting) break;
          this.#pending.delete(data.id);
          if (data.ok) waiting.resolve(data);
          else waiting.reject(new Error(data.error));
          break;
        }
        case 'resize': {
          const max = Number(this.getAttribute('max-height')) || Infinity;
          const height = Math.min(Math.max(Number(data.height) || 0, 120), max);
          this.#frame.style.height = `${Math.ceil(height)}px`;
          break;
        }
        default:
          break;
      }
      for (const handler of this.#handlers.get(data.type) ?? []) handler(data);
      this.dispatchEvent(new CustomEvent(`daemonlab-${data.type}`, { detail: data }));
    }

    async #begin() {
      try {
        if (this.#yaml) await this.#post('load', { yaml: this.#yaml });
        for (const line of (this.getAttribute('run') ?? '').split('\n').map((l) => l.trim()).filter(Boolean)) {
          await this.#post('run', { line, stdin: '' });
        }
      } finally {
        this.#resolveReady(this);
      }
    }

    /** Posts a request to the frame now; resolves with its answer. */
    #post(type, fields = {}) {
      const id = this.#nextId++;
      return new Promise((resolve, reject) => {
        this.#pending.set(id, { resolve, reject });
        this.#frame.contentWindow.postMessage({ daemonlab: PROTOCOL, id, type, ...fields }, this.#target);
      });
    }

    /** A request from the page: after the frame is ready and its start commands ran. */
    #send(type, fields = {}) {
      this.start();
      return this.#ready.then(() => this.#post(type, fields));
    }

    /** A new cluster from this YAML. */
    load(yaml) { return this.#send('load', { yaml: String(yaml) }); }
    /** A terminal line; resolves with { stdout, stderr, exit }. */
    run(line, stdin = '') { return this.#send('run', { line: String(line), stdin: String(stdin) }); }
    play() { return this.#send('play'); }
    pause() { return this.#send('pause'); }
    step() { return this.#send('step'); }
    speed(value) { return this.#send('speed', { value: Number(value) }); }
    reset() { return this.#send('reset'); }
    /** Calls `handler` with each `applied`, `output`, `clock` or `resize` message; returns a function that stops it. */
    on(type, handler) {
      const list = this.#handlers.get(type) ?? new Set();
      list.add(handler);
      this.#handlers.set(type, list);
      return () => list.delete(handler);
    }
  }

  /** The host page's scheme: what its root declares, else its background's lightness. */
  function hostScheme() {
    const declared = getComputedStyle(document.documentElement).colorScheme;
    if (/^(light|dark)$/.test(declared)) return declared;
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    if (declared.includes('dark') && declared.includes('light')) return dark ? 'dark' : 'light';
    const background = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g)?.map(Number);
    if (background && (background[3] ?? 1) > 0) {
      const [r, g, b] = background;
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128 ? 'dark' : 'light';
    }
    return 'light';
  }

  customElements.define('daemonlab-playground', DaemonlabPlayground);
})();
