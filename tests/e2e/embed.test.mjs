// The playground embedded in a documentation page (examples/embed.html), as a
// docs site would serve it: the page under /docs/, the release build under
// /docs/playground/, every response with the Content-Security-Policy the
// README documents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const dist = process.env.DAEMONLAB_DIST ?? path.resolve(here, '../../dist');
const examples = path.resolve(here, '../../examples');
const shots = path.resolve(here, '../../target/e2e');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

let server;
let base;
let browser;
/** How often the server was asked for each path. */
const served = new Map();

/** The file a path names: /docs/playground/… from the build, /docs/… from the examples. */
function fileFor(pathname) {
  const [root, rest] = pathname.startsWith('/docs/playground/')
    ? [dist, pathname.slice('/docs/playground/'.length)]
    : pathname.startsWith('/docs/') ? [examples, pathname.slice('/docs/'.length)] : [null, null];
  if (!root) return null;
  const file = path.join(root, path.normalize(rest || 'index.html'));
  return file.startsWith(root) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : null;
}

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  server = http.createServer((req, res) => {
    const pathname = new URL(req.url, 'http://127.0.0.1').pathname;
    served.set(pathname, (served.get(pathname) ?? 0) + 1);
    const file = fileFor(pathname);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    // As a static host serves a build whose file names carry their hash.
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'cache-control': 'public, max-age=3600',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/docs/`;
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

const gzipped = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;

test('embeds: previews without wasm, one loaded on click, one when scrolled into view, driven by the page, one download, under a strict CSP', async (t) => {
  // A profile on disk, as a reader's browser has: its HTTP cache keeps the
  // 8 MB module (an incognito context's memory cache does not).
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'daemonlab-embed-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('console', (msg) => ['error', 'warning'].includes(msg.type()) && !/integrity.*preload|preload.*integrity/i.test(msg.text()) && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  const fetched = [];
  page.on('requestfinished', (request) => {
    const file = fileFor(new URL(request.url()).pathname);
    if (file) fetched.push({ url: request.url(), bytes: fs.statSync(file).size, gzip: gzipped(file) });
  });
  await page.goto(`${base}embed.html`);
  for (const id of ['first', 'second']) {
    await page.locator(`#${id}`).getByRole('button', { name: 'Run this scenario' }).waitFor();
  }
  assert.deepEqual(await page.locator('#first .node').allTextContents(), ['worker-1', 'worker-2']);
  assert.deepEqual(await page.locator('#second .node').allTextContents(), ['control-plane', 'worker-1']);
  assert.equal(fetched.filter((f) => /\.wasm$/.test(f.url)).length, 0, 'no wasm before a click');
  const before = fetched.reduce((sum, f) => sum + f.bytes, 0);
  const beforeGzip = fetched.reduce((sum, f) => sum + f.gzip, 0);
  const loader = fetched.find((f) => f.url.endsWith('/embed.js'));
  t.diagnostic(`loader ${loader.bytes} bytes (${loader.gzip} gzip); the page before a click: ${fetched.length} files, ${before} bytes (${beforeGzip} gzip)`);
  await page.screenshot({ path: path.join(shots, 'embed-previews.png') });

  const started = Date.now();
  await page.locator('#first').getByRole('button', { name: 'Run this scenario' }).click();
  const frame = page.frameLocator('#first iframe');
  await frame.locator('[data-testid="node"][data-node="worker-2"] [data-testid="pod"]').first().waitFor({ timeout: 30000 });
  // Its start command ran.
  await frame.locator('.term-entry', { hasText: 'kubectl get ds -A' }).waitFor();
  const interactive = Date.now() - started;
  const after = fetched.reduce((sum, f) => sum + f.bytes, 0);
  const afterGzip = fetched.reduce((sum, f) => sum + f.gzip, 0);
  t.diagnostic(`interactive ${interactive} ms after the click; ${after - before} bytes more (${afterGzip - beforeGzip} gzip)`);
  assert.equal(await page.locator('#second iframe').count(), 0, 'the other embed stays a preview');
  assert.equal(fetched.filter((f) => /\.wasm$/.test(f.url)).length, 1);

  // The page drives the frame through the element's API.
  const initialHeight = await page.locator('#first iframe').evaluate((f) => f.getBoundingClientRect().height);
  const nodes = Array.from({ length: 8 }, (_, i) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: n-${i}\n`).join('---\n');
  const ds = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n';
  const driven = await page.evaluate(async (yaml) => {
    const element = document.getElementById('first');
    const outputs = [];
    element.on('output', (message) => outputs.push(message));
    const loaded = await element.load(yaml);
    await element.step();
    const answer = await element.run('kubectl get ds');
    const refused = await element.speed(3).then(() => 'accepted', (e) => e.message);
    return { loaded: loaded.applied, answer, outputs, refused };
  }, `${nodes}---\n${ds}`);
  assert.equal(driven.loaded, true);
  assert.match(driven.answer.stdout, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+8\s+8\s/);
  assert.equal(driven.outputs.at(-1).stdout, driven.answer.stdout, 'the output event carries what the command printed');
  assert.match(driven.refused, /speed must be one of 1, 5, 20, 100, not 3/);
  await page.waitForFunction((h) => document.querySelector('#first').shadowRoot.querySelector('iframe').getBoundingClientRect().height > h + 50, initialHeight);
  await page.screenshot({ path: path.join(shots, 'embed-loaded.png'), fullPage: true });

  // The second embed shares the first one's download.
  await page.locator('#second').getByRole('button', { name: 'Run this scenario' }).click();
  await page.frameLocator('#second iframe').locator('[data-testid="node"][data-node="control-plane"]').waitFor({ timeout: 30000 });
  const wasmRequests = [...served].filter(([p]) => p.endsWith('.wasm')).map(([, n]) => n);
  assert.deepEqual(wasmRequests, [1], 'one download of the module for both embeds');

  // The third starts by itself once scrolled into view, from its gallery name.
  assert.equal(await page.locator('#third iframe').count(), 0, 'not before it is in view');
  await page.locator('#third').scrollIntoViewIfNeeded();
  await page.frameLocator('#third iframe').locator('[data-testid="node"][data-node="worker-2"]').waitFor({ timeout: 30000 });

  // "Open in the full playground" carries the state.
  const [full] = await Promise.all([context.waitForEvent('page'), frame.getByTestId('open-full').click()]);
  await full.waitForSelector('[data-testid="node"][data-node="n-7"]');
  assert.equal(await full.locator('[data-testid="node"]').count(), 8);
  await full.close();

  assert.deepEqual(errors, []);
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
});

test('an embed at 600×400 and on a phone fits, and without JavaScript shows its YAML', async () => {
  for (const [width, height] of [[600, 400], [390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${base}embed.html`);
    await page.locator('#first').getByRole('button', { name: 'Run this scenario' }).click();
    const frame = page.frameLocator('#first iframe');
    await frame.locator('[data-testid="node"]').first().waitFor({ timeout: 30000 });
    const overflow = await frame.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
    assert.equal(overflow, 0, `no sideways scrolling inside the embed at ${width}px`);
    await page.screenshot({ path: path.join(shots, `embed-${width}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  }
  // A share link made in an embed keeps its panels when an embed opens it.
  const shared = { editor: '', actions: [{ apply: 'apiVersion: v1\nkind: Node\nmetadata:\n  name: only-node\n' }, { settle: true }], panels: ['terminal', 'cluster'] };
  const link = `1.${zlib.deflateRawSync(Buffer.from(JSON.stringify(shared))).toString('base64url')}`;
  {
    const context = await browser.newContext({ viewport: { width: 600, height: 400 } });
    const page = await context.newPage();
    await page.goto(`${base}playground/index.html?embed=1&panels=editor#s=${link}`);
    await page.waitForSelector('[data-testid="node"][data-node="only-node"]');
    assert.equal(await page.locator('.terminal-panel').count(), 1);
    assert.equal(await page.locator('.editor-panel').count(), 0, 'the link\'s panels, not the address\'s');
    await context.close();
  }
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}embed.html`);
  assert.match(await page.locator('#first pre').textContent(), /kind: DaemonSet/);
  assert.ok(await page.locator('#first pre').isVisible());
  await context.close();
});
