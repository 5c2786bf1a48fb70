// The playground as a user meets it: the release build served on 127.0.0.1,
// opened in Debian's Chromium, read and edited through the page itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const dist = process.env.DAEMONLAB_DIST ?? path.resolve(here, '../../dist');
const shots = path.resolve(here, '../../target/e2e');
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

let server;
let base;
let browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no release build in ${dist}`);
  fs.mkdirSync(shots, { recursive: true });
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const file = path.join(dist, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** A fresh page (empty localStorage) that records every console error. */
async function open() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(base);
  await page.waitForSelector('[data-testid="node"]');
  return { page, errors, close: () => context.close() };
}

/** How many daemon pods the page shows on each node. */
async function podsPerNode(page) {
  return page.$$eval('[data-testid="node"]', (nodes) =>
    Object.fromEntries(
      nodes.map((n) => [n.dataset.node, n.querySelectorAll('[data-testid="pod"]').length]),
    ),
  );
}

function uncommentToleration(text) {
  return text
    .replace('      # tolerations:', '      tolerations:')
    .replace('      # - key: node-role', '      - key: node-role')
    .replace('      #   operator: Exists', '        operator: Exists')
    .replace('      #   effect: NoSchedule', '        effect: NoSchedule');
}

test('daemon pods run on the two workers, and on the control plane once it is tolerated', async () => {
  const { page, errors, close } = await open();
  assert.deepEqual(await podsPerNode(page), { 'control-plane': 0, 'worker-1': 1, 'worker-2': 1 });
  const taints = await page.locator('[data-node="control-plane"] .taint').allTextContents();
  assert.deepEqual(taints, ['node-role.kubernetes.io/control-plane:NoSchedule']);
  const why = await page.locator('[data-node="control-plane"] [data-testid="absence"]').textContent();
  assert.match(why, /No node-exporter pod: node has taint node-role\.kubernetes\.io\/control-plane:NoSchedule that the pod does not tolerate/);
  const phases = await page.$$eval('[data-testid="pod"]', (pods) => pods.map((p) => p.dataset.phase));
  assert.deepEqual(phases, ['Running', 'Running']);
  await page.screenshot({ path: path.join(shots, 'starter.png'), fullPage: true });

  const editor = page.getByTestId('yaml-editor');
  await editor.fill(uncommentToleration(await editor.inputValue()));
  await page.getByTestId('apply-button').click();
  await page.waitForSelector('[data-node="control-plane"] [data-testid="pod"]');
  assert.deepEqual(await podsPerNode(page), { 'control-plane': 1, 'worker-1': 1, 'worker-2': 1 });
  const results = await page.getByTestId('apply-results').textContent();
  assert.match(results, /node\/control-plane unchanged/);
  assert.match(results, /daemonset\.apps\/node-exporter configured/);
  await page.screenshot({ path: path.join(shots, 'tolerated.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await close();
});

test('broken YAML shows the parser message with its line and column and keeps the last good cluster', async () => {
  const { page, errors, close } = await open();
  const before = await podsPerNode(page);
  const editor = page.getByTestId('yaml-editor');
  const good = await editor.inputValue();
  const broken = good.replace('  name: worker-1\n', '  name: worker-1\n bad: indent\n');
  const line = broken.split('\n').indexOf(' bad: indent') + 1;
  await editor.fill(broken);
  await editor.press('Control+Enter');
  await page.getByTestId('apply-error').waitFor();
  const error = await page.locator('[data-testid="apply-results"] .failed').textContent();
  assert.match(
    error,
    new RegExp(`^line ${line}, column \\d+: error: error parsing STDIN: error converting YAML to JSON: yaml: line ${line - 1}: did not find expected key$`),
  );
  assert.deepEqual(await podsPerNode(page), before);
  assert.equal(await editor.inputValue(), broken, 'the editor keeps the text');
  await page.screenshot({ path: path.join(shots, 'broken-yaml.png'), fullPage: true });

  await page.reload();
  await page.waitForSelector('[data-testid="node"]');
  assert.equal(await page.getByTestId('yaml-editor').inputValue(), broken, 'the text survives a reload');
  assert.deepEqual(errors, []);
  await close();
});
