// The playground as a user meets it: the release build served on 127.0.0.1,
// opened in Debian's Chromium, read and edited through the page itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const dist = process.env.DAEMONLAB_DIST ?? path.resolve(here, '../../dist');
const shots = path.resolve(here, '../../target/e2e');
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
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
    // The policy the README documents: the playground needs nothing looser.
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
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

/** A fresh page (empty localStorage) at `url` that records every console error. */
async function open({ width = 1280, height = 800, colorScheme = 'light', url = base } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
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
  assert.match(why, /To change it: add a toleration to the pod template \(key: node-role\.kubernetes\.io\/control-plane, operator: Exists, effect: NoSchedule\)/);
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
  // The line it is about is marked in the gutter, its message on hover.
  const mark = page.locator('.gutter .line.error');
  assert.equal(await mark.textContent(), String(line));
  assert.match(await mark.getAttribute('title'), /did not find expected key$/);
  await editor.evaluate((area) => {
    area.scrollTop = 0;
    area.dispatchEvent(new Event('scroll'));
  });
  await page.screenshot({ path: path.join(shots, 'broken-yaml.png'), fullPage: true });

  await page.reload();
  await page.waitForSelector('[data-testid="node"]');
  assert.equal(await page.getByTestId('yaml-editor').inputValue(), broken, 'the text survives a reload');
  assert.deepEqual(errors, []);
  await close();
});

/** The commands of a transcript in tests/scenarios, each with its heredoc lines. */
function transcriptCommands(name) {
  const lines = fs.readFileSync(path.resolve(here, '../scenarios', name), 'utf8').split('\n');
  const commands = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('$ ')) continue;
    const command = [lines[i].slice(2)];
    const heredoc = /<<\s*'?(\w+)'?/.exec(lines[i]);
    if (heredoc) {
      while (++i < lines.length) {
        command.push(lines[i]);
        if (lines[i].trim() === heredoc[1]) break;
      }
    }
    commands.push(command);
  }
  return commands;
}

/** Types one command (and its heredoc lines) at the prompt; returns what it printed. */
async function typeCommand(page, lines) {
  const before = await page.locator('.term-entry').count();
  const input = page.getByTestId('terminal-input');
  for (const line of lines) {
    await input.fill(line);
    await input.press('Enter');
  }
  await page.waitForFunction((n) => document.querySelectorAll('.term-entry').length > n, before);
  return page.locator('.term-entry').last().textContent();
}

const REFUSED = /unknown command|unknown flag|unknown shorthand flag|command not found|is not supported|does not simulate/;

test('every kubectl command of the seed pages runs in the browser terminal', async () => {
  const seen = [];
  // Each page is a session of its own, on a fresh playground.
  for (const name of ['seed-000-daemonsets-guide.txt', 'seed-002-node-exporter.txt', '004-daemonset-article.txt']) {
    const { page, errors, close } = await open();
    if (name.startsWith('seed-002')) {
      // The page's terminal has no folder: the file the page applies is written first.
      const file = fs.readFileSync(path.resolve(here, '../scenarios/node-exporter-ds.yaml'), 'utf8').trimEnd().split('\n');
      await typeCommand(page, ['cat > node-exporter-ds.yaml <<EOF', ...file, 'EOF']);
    }
    for (const command of transcriptCommands(name)) {
      const printed = await typeCommand(page, command);
      assert.doesNotMatch(printed, REFUSED, `${command[0]}\n${printed}`);
      seen.push([command[0], printed]);
    }
    await page.screenshot({ path: path.join(shots, `terminal-${name.replace('.txt', '')}.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await close();
  }
  const output = (cmd) => seen.find(([c]) => c === cmd)?.[1] ?? '';
  assert.match(output('kubectl get nodes --no-headers | wc -l'), /wc -l\d+\n$/);
  assert.match(output('kubectl describe node worker-3 | grep -A5 Taints'), /grep -A5 TaintsTaints: +dedicated=gpu:NoSchedule\nUnschedulable: +false\n/);
  assert.match(output('kubectl describe daemonset fluent-bit -n logging'), /Pods Status: +\d+ Running \/ \d+ Waiting \/ 0 Succeeded \/ 0 Failed/);
  assert.match(
    output(`kubectl get pod $POD -o jsonpath='{range .spec.tolerations[*]}{.key} {.operator} {.effect}{"\\n"}{end}'`),
    /node\.kubernetes\.io\/not-ready Exists NoExecute\nnode\.kubernetes\.io\/unreachable Exists NoExecute\n/,
  );
  assert.match(output('kubectl apply -f node-exporter-ds.yaml'), /daemonset\.apps\/node-exporter created/);
  assert.match(output('kubectl label nodes [node] [label_key]=[label_value]'), /error: invalid label value: "\[label_key\]=\[label_value\]"/);
});

/** Loads a gallery scenario as a user would: pick it, press Load. */
async function loadScenario(page, id) {
  await page.getByTestId('scenario-select').selectOption(id);
  await page.getByTestId('load-scenario').click();
  await page.locator(`[data-testid="lesson"][data-scenario="${id}"]`).waitFor();
}

/** Opens a node's actions, types a label or taint, presses the button. */
async function nodeAction(page, node, button, text) {
  const card = page.locator(`[data-testid="node"][data-node="${node}"]`);
  await card.locator('summary').click();
  if (text !== undefined) await card.getByTestId('node-change').fill(text);
  await card.getByTestId(button).click();
}

test('the main screen, light and dark, on a laptop and on a phone', async () => {
  for (const [width, height] of [[1280, 800], [390, 844]]) {
    for (const colorScheme of ['light', 'dark']) {
      const { page, errors, close } = await open({ width, height, colorScheme });
      await page.getByTestId('pause').click();
      // Let the pods' entry animation finish.
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(shots, `main-${colorScheme}-${width}.png`) });
      assert.deepEqual(errors, []);
      await close();
    }
  }
});

test('a 47-document install manifest applies in one press; its DaemonSet and Deployment pods show on the cards', async () => {
  const { page, errors, close } = await open();
  const editor = page.getByTestId('yaml-editor');
  const starter = await editor.inputValue();
  // Antrea's release manifest, as its repository publishes it (tests/manifests/SOURCES).
  const antrea = fs.readFileSync(path.resolve(here, '../manifests/antrea.yml'), 'utf8');
  // Pasted: one input event with the whole text (Playwright's fill types a
  // text this long far more slowly than a paste arrives).
  await editor.evaluate((area, text) => {
    area.value = text;
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, `${starter}\n---\n${antrea}`);
  await editor.press('Control+Enter');
  await page.getByTestId('apply-summary').waitFor();
  const summary = await page.getByTestId('apply-summary').locator('summary').textContent();
  const applied = Number(/^(\d+) applied, 0 failed · \d+ only stored, not simulated$/.exec(summary)?.[1]);
  assert.ok(applied >= 47, `summary: ${summary}`);
  assert.equal(await page.locator('[data-testid="apply-results"] .failed').count(), 0);
  // What the simulation only stores says so beside its line.
  const webhook = page.locator('[data-testid="apply-results"] li.ok', { hasText: 'mutatingwebhookconfiguration' });
  assert.match(await webhook.textContent(), /\(stored only: the simulated API server calls no admission webhooks\)$/);
  await typeCommand(page, ['sim settle']);
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="pod"][data-owner="antrea-agent"][data-phase="Running"]').length === 3,
  );
  const controller = page.locator('[data-testid="pod"][data-owner="antrea-controller"]');
  assert.equal(await controller.count(), 1);
  assert.equal(await controller.getAttribute('data-phase'), 'Running');
  const all = await typeCommand(page, ['kubectl get all -n kube-system']);
  assert.match(all, /daemonset\.apps\/antrea-agent\s+3\s+3\s+3/);
  assert.match(all, /deployment\.apps\/antrea-controller\s+1\/1/);
  assert.match(all, /service\/antrea\s+ClusterIP\s+10\.\d+\.\d+\.\d+/);
  const crds = await typeCommand(page, ['kubectl get crd --no-headers | wc -l']);
  assert.equal(Number(/(\d+)\s*$/.exec(crds)?.[1]), 20, crds);
  await page.screenshot({ path: path.join(shots, 'install-manifest.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await close();
});

test('gallery: why has worker-2 no ssd-agent, and what labelling it does', async () => {
  const { page, errors, close } = await open();
  await loadScenario(page, 'disk-ssd');
  assert.deepEqual(await podsPerNode(page), { 'worker-1': 1, 'worker-2': 0, 'worker-3': 0 });
  const why = await page.locator('[data-node="worker-2"] [data-testid="absence"]').textContent();
  assert.match(why, /No ssd-agent pod: .*disk/);
  await nodeAction(page, 'worker-2', 'label', 'disk=ssd');
  await page.waitForSelector('[data-node="worker-2"] [data-testid="pod"][data-phase="Running"]');
  const terminal = await page.getByTestId('terminal-output').textContent();
  assert.match(terminal, /\$ kubectl label node worker-2 disk=ssd\s*node\/worker-2 labeled/);
  assert.deepEqual(errors, []);
  await close();
});

test('gallery: a rolling update never has more than maxUnavailable nodes down', async () => {
  const { page, errors, close } = await open();
  await loadScenario(page, 'rolling-update');
  await page.getByTestId('speed-5').click();
  const ds = page.locator('[data-testid="daemonset"][data-daemonset="fluent-bit"]');
  await ds.getByTestId('set-image-input').fill('fluent/fluent-bit:3.0');
  await ds.getByTestId('set-image').click();
  let sawRollout = false;
  let sawTerminating = false;
  for (let i = 0; i < 200; i++) {
    const [desired, current, ready, updated, available] = (await ds.getByTestId('ds-numbers').locator('td').allTextContents()).map(Number);
    assert.ok(desired - available <= 2, `at most 2 unavailable, saw ${desired - available}`);
    // The chart's caption sorts the desired nodes; its counts add up to DESIRED.
    const summary = await ds.getByTestId('rollout-summary').textContent();
    const counts = /(\d+) desired: (\d+) new, (\d+) old, (\d+) terminating(?:, (\d+) without a pod)?/.exec(summary);
    assert.ok(counts, summary);
    const [want, ...parts] = counts.slice(1).map((n) => Number(n ?? 0));
    assert.equal(parts.reduce((a, b) => a + b, 0), want, summary);
    if (parts[2] > 0) sawTerminating = true;
    if (updated > 0 && updated < desired && !sawRollout) {
      sawRollout = true;
      await page.screenshot({ path: path.join(shots, 'rollout.png'), fullPage: true });
    }
    if (updated === 6 && available === 6) break;
    await page.waitForTimeout(50);
  }
  assert.ok(sawRollout, 'the rollout was seen under way');
  assert.ok(sawTerminating, 'the chart counted nodes whose old pod was terminating');
  assert.deepEqual((await ds.getByTestId('ds-numbers').locator('td').allTextContents()).map(Number), [6, 6, 6, 6, 6]);
  // The chart names both revisions where each starts.
  assert.deepEqual(await ds.getByTestId('revision-labels').locator('span').allTextContents(), ['rev 1', 'rev 2']);
  assert.match(await ds.getByTestId('rollout-summary').textContent(), /^Revision 2 · 6 desired: 6 new, 0 old, 0 terminating · 0 unavailable$/);
  await ds.getByTestId('rollout-chart').screenshot({ path: path.join(shots, 'rollout-chart.png') });
  const images = await page.$$eval('[data-testid="pod"]', (pods) => pods.length);
  assert.equal(images, 6);
  assert.deepEqual(errors, []);
  await close();
});

test('gallery: a node goes down, the web pod is evicted and the daemon pod stays', async () => {
  const { page, errors, close } = await open();
  await loadScenario(page, 'node-down');
  await page.getByTestId('speed-100').click();
  await nodeAction(page, 'worker-2', 'kubelet-down');
  await page.waitForSelector('[data-node="worker-2"] .status.not-ready');
  // Marked for deletion after its 300 s toleration; only a kubelet can finish it.
  await page.waitForSelector('[data-node="worker-2"] [data-pod="web"][data-phase="Terminating"]', { timeout: 20000 });
  await page.locator('[data-testid="node"][data-node="worker-2"]').getByTestId('kubelet-up').click();
  await page.waitForFunction(() => !document.querySelector('[data-node="worker-2"] [data-pod="web"]'), null, { timeout: 20000 });
  const left = await page.$$eval('[data-node="worker-2"] [data-testid="pod"]', (pods) => pods.map((p) => p.dataset.owner));
  assert.deepEqual(left, ['log-agent']);
  await page.getByTestId('event-filter').fill('pod/web');
  const reasons = await page.$$eval('[data-testid="event"] td:nth-child(3)', (cells) => cells.map((c) => c.textContent));
  assert.ok(reasons.includes('TaintManagerEviction'), reasons.join(', '));
  assert.deepEqual(errors, []);
  await close();
});

test('fifty nodes: a status summary, a filter, and cards as wide as on a small cluster', async () => {
  const { page, errors, close } = await open();
  const nodes = Array.from({ length: 50 }, (_, i) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: node-${String(i + 1).padStart(2, '0')}\n`);
  const ds = 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n      - name: agent\n        image: busybox:1.36\n';
  await page.getByTestId('yaml-editor').fill([...nodes, ds].join('---\n'));
  await page.getByTestId('apply-button').click();
  await page.waitForFunction(() => /^53 nodes: 53 Ready$/.test(document.querySelector('[data-testid="node-summary"]')?.textContent ?? ''));
  await page.getByTestId('speed-20').click();
  const agent = page.locator('[data-testid="daemonset"][data-daemonset="agent"]');
  await page.waitForFunction(
    () => document.querySelector('[data-daemonset="agent"] [data-testid="ds-numbers"] td:nth-child(3)')?.textContent === '52',
    null,
    { timeout: 20000 },
  );
  assert.equal(await page.locator('[data-testid="node"]').count(), 12, 'at most 12 cards at once');
  assert.match(await page.getByTestId('more-nodes').textContent(), /Showing 12 of the 53 nodes/);
  await page.getByTestId('node-filter').fill('node-4');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 10);
  await page.getByTestId('node-filter').fill('agent node-07');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 1);
  assert.equal(await page.locator('[data-testid="node"][data-node="node-07"] [data-owner="agent"]').count(), 1);
  await page.getByTestId('node-filter').fill('');
  const widths = await page.$$eval('[data-testid="node"]', (cards) => cards.map((c) => c.getBoundingClientRect().width));
  assert.ok(Math.min(...widths) >= 200, `narrowest card ${Math.min(...widths)}px`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(overflow, 0, 'no horizontal scrolling');
  assert.ok(await agent.isVisible());
  await page.getByTestId('pause').click();
  await page.screenshot({ path: path.join(shots, 'fifty-nodes.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('a thousand nodes apply in one press, summed up, and the page stays a few screens tall', async (t) => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const nodes = Array.from({ length: 1000 }, (_, i) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: n-${String(i).padStart(4, '0')}\n  labels: {zone: z${i % 4}}\n`);
  // Pasted in one go (Playwright's fill types into a large textarea slowly).
  const took = await page.getByTestId('yaml-editor').evaluate((area, text) => {
    const start = performance.now();
    area.value = text;
    area.dispatchEvent(new Event('input', { bubbles: true }));
    return performance.now() - start;
  }, nodes.join('---\n'));
  assert.ok(took < 200, `a 6,000-line paste took ${took} ms to take in`);
  await page.getByTestId('apply-button').click();
  await page.waitForFunction(() => /^1003 nodes/.test(document.querySelector('[data-testid="node-summary"]')?.textContent ?? ''), null, { timeout: 60000 });
  assert.match(await page.getByTestId('apply-summary').textContent(), /^1000 applied, 0 failed/);
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height < 800 * 4, `page ${height}px tall`);
  // What a keystroke in the middle of the 6,000-line text costs, up to the
  // page laid out again (reported, not judged: speed belongs to benchmarks).
  const keystroke = await page.getByTestId('yaml-editor').evaluate(async (area) => {
    const times = [];
    for (let i = 0; i < 21; i++) {
      const at = Math.floor(area.value.length / 2);
      const start = performance.now();
      area.setRangeText('x', at, at, 'end');
      area.dispatchEvent(new InputEvent('input', { bubbles: true, data: 'x', inputType: 'insertText' }));
      await new Promise((resolve) => setTimeout(resolve, 0));
      void document.body.offsetHeight;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[10];
  });
  t.diagnostic(`a keystroke in the 6,000-line editor: ${keystroke.toFixed(1)} ms (median of 21)`);
  // Grouped by situation, the one node without the daemon pod stands out from the thousand.
  const groups = await page.getByTestId('node-group').allTextContents();
  assert.ok(groups.length >= 2 && groups.length <= 4, groups.join('\n'));
  const odd = groups.filter((g) => /no node-exporter pod/.test(g));
  assert.equal(odd.length, 1, groups.join('\n'));
  assert.match(odd[0], /^1 node.*has taint node-role\.kubernetes\.io\/control-plane/);
  await page.getByTestId('node-group').filter({ hasText: 'no node-exporter pod' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 1);
  assert.equal(await page.locator('[data-testid="node"]').getAttribute('data-node'), 'control-plane');
  await page.screenshot({ path: path.join(shots, 'thousand-nodes-grouped.png') });
  await page.getByTestId('node-group').filter({ hasText: 'no node-exporter pod' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 12);
  await page.getByTestId('node-filter').fill('n-0999');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="node"]').length === 1);
  await page.getByTestId('node-filter').fill('zone=z3');
  await page.waitForFunction(() => /Showing 12 of the 250 nodes/.test(document.querySelector('[data-testid="more-nodes"]')?.textContent ?? ''));
  await page.getByTestId('node-filter').fill('');
  await page.screenshot({ path: path.join(shots, 'thousand-nodes.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('after an Apply with several errors, clicking visible text puts the caret on that line', async () => {
  const { page, errors, close } = await open();
  const editor = page.getByTestId('yaml-editor');
  const text = [
    'apiVersion: v1', 'kind: Node', 'metadata:', '  name: a', '  colour: red',
    '---', 'apiVersion: v1', 'kind: Node', 'metadata:', '  name: b', 'spec:', '  podCIDRx: 10.0.0.0/24',
    '---', 'apiVersion: v1', 'kind: Node', 'metadata:', '  name: c', 'status:', '  capacityy: {cpu: "1"}',
    '---', 'apiVersion: v1', 'kind: Node', 'metadata:', '  name: target-line',
  ].join('\n');
  await editor.fill(text);
  await page.getByTestId('apply-button').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="apply-results"] .failed').length >= 3);
  // Both layers hold exactly the text's lines: nothing is drawn between them.
  const highlighted = await page.locator('.highlight').evaluate((pre) => pre.textContent.replace(/\n$/, ''));
  assert.deepEqual(highlighted.split('\n').map((l) => l.trimEnd()), text.split('\n').map((l) => l.trimEnd()));
  assert.ok((await page.locator('.gutter .line.error').count()) >= 3, 'problems marked in the gutter');
  // Click the visible words "target-line" and type there.
  const target = text.split('\n').indexOf('  name: target-line');
  const box = await editor.boundingBox();
  const style = await editor.evaluate((area) => {
    const s = getComputedStyle(area);
    return { line: parseFloat(s.lineHeight), top: parseFloat(s.paddingTop), left: parseFloat(s.paddingLeft) };
  });
  await editor.evaluate((area) => { area.scrollTop = 0; area.dispatchEvent(new Event('scroll')); });
  await page.mouse.click(box.x + style.left + 200, box.y + style.top + style.line * (target + 0.5));
  await page.keyboard.type('X');
  assert.equal((await editor.inputValue()).split('\n')[target], '  name: target-lineX');
  // A problem in the list is a link to its place.
  await page.getByTestId('go-to-problem').first().click();
  await page.keyboard.type('Y');
  assert.match((await editor.inputValue()).split('\n')[4], /Y/);
  await page.screenshot({ path: path.join(shots, 'editor-problems.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('the keyboard: Esc then Tab leaves the terminal, and every control is reached and uniquely named', async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const input = page.getByTestId('terminal-input');
  await input.focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'terminal-input', 'Tab completes');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.dataset.testid), 'terminal-input', 'Esc then Tab leaves');
  // Walk the whole page with Tab from its first control, as a keyboard user does.
  await page.getByTestId('play').focus();
  await page.evaluate(() => { document.activeElement.dataset.tabbed = 'yes'; });
  const reached = new Set();
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      el.dataset.tabbed = 'yes';
      return el.outerHTML.slice(0, 80);
    });
    if (id === null) break;
    if (await page.evaluate(() => document.activeElement?.dataset.testid === 'terminal-input')) {
      await page.keyboard.press('Escape');
    }
    reached.add(id);
  }
  const report = await page.evaluate(() => {
    const focusable = [...document.querySelectorAll('button, input, select, textarea, summary, a[href]')]
      .filter((el) => !el.disabled && el.checkVisibility());
    const name = (el) => {
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
      const by = el.getAttribute('aria-labelledby');
      if (by) return document.getElementById(by)?.textContent.trim();
      if (el.id) {
        const label = document.querySelector(`label[for="${el.id}"]`);
        if (label) return label.textContent.trim();
      }
      const wrapping = el.closest('label');
      if (wrapping) return wrapping.textContent.trim();
      return el.textContent.trim() || el.title || el.placeholder;
    };
    const names = focusable.map(name);
    return {
      missed: focusable.filter((el) => el.dataset.tabbed !== 'yes').map((el) => el.outerHTML.slice(0, 80)),
      unnamed: focusable.filter((el, i) => !names[i]).map((el) => el.outerHTML.slice(0, 80)),
      duplicates: names.filter((n, i) => n && names.indexOf(n) !== i),
    };
  });
  assert.deepEqual(report.missed, [], 'every control reached by Tab');
  assert.deepEqual(report.unnamed, [], 'every control named');
  assert.deepEqual(report.duplicates, [], 'no two controls share a name');
  assert.deepEqual(errors, []);
  await close();
});

test('feedback where the user acts, a clock in reach, a bounded Step, and a terminal as wide as kubectl', async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const ds = page.locator('[data-testid="daemonset"]').first();
  await ds.getByTestId('rollout-undo').click();
  const feedback = ds.getByTestId('feedback');
  assert.match(await feedback.textContent(), /rollout undo.*error: no last revision to roll back to/s);
  await ds.getByTestId('set-image-input').fill('');
  await ds.getByTestId('set-image-input').press('Enter');
  assert.match(await feedback.textContent(), /Type an image first/);
  const card = page.locator('[data-testid="node"][data-node="worker-2"]');
  await card.locator('summary').click();
  await card.getByTestId('node-change').fill('disk=ssd');
  await card.getByTestId('node-change').press('Enter');
  assert.match(await card.getByTestId('feedback').textContent(), /kubectl label node worker-2 disk=ssd\s*node\/worker-2 labeled/);
  // The result links to the same command in the terminal.
  const href = await card.getByTestId('feedback-link').getAttribute('href');
  assert.match(await page.locator(href).textContent(), /^\$ kubectl label node worker-2 disk=ssd/);
  // The clock stays in view at the bottom of the page.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const clock = await page.getByTestId('step').boundingBox();
  assert.ok(clock && clock.y >= 0 && clock.y + clock.height <= 800, 'clock controls in view');
  // Step with nothing due moves the clock by the amount it states.
  const seconds = Number(await page.getByTestId('step').getAttribute('data-step-seconds'));
  const toSeconds = (t) => t.split(':').reduce((a, b) => a * 60 + Number(b), 0);
  const before = toSeconds(await page.getByTestId('clock').textContent());
  await page.getByTestId('step').click();
  const after = toSeconds(await page.getByTestId('clock').textContent());
  assert.equal(after - before, seconds);
  // kubectl's widest table fits the terminal at laptop width.
  await typeCommand(page, ['kubectl get pods -A -o wide']);
  const fits = await page.locator('.term-entry').last().locator('.term-stdout').evaluate((pre) => {
    const pane = pre.closest('.terminal');
    return pre.scrollWidth <= pane.clientWidth;
  });
  assert.ok(fits, 'get pods -A -o wide needs no horizontal scrolling');
  await page.screenshot({ path: path.join(shots, 'feedback-and-terminal.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('Load and Reset ask before they throw away edits', async () => {
  const { page, errors, close } = await open();
  const editor = page.getByTestId('yaml-editor');
  assert.match(await page.getByTestId('lesson').textContent(), /Starter cluster: .*toleration/);
  const edited = (await editor.inputValue()) + '\n# my edit\n';
  await editor.fill(edited);
  let asked = '';
  page.once('dialog', (dialog) => { asked = dialog.message(); dialog.dismiss(); });
  await page.getByTestId('load-scenario').click();
  assert.match(asked, /Discard them\?/);
  assert.equal(await editor.inputValue(), edited, 'dismissed: the edits stay');
  page.once('dialog', (dialog) => dialog.accept());
  await page.getByTestId('reset').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid="yaml-editor"]').value !== t, edited);
  assert.doesNotMatch(await editor.inputValue(), /# my edit/);
  assert.deepEqual(errors, []);
  await close();
});

test('pausing at each rollout step stops the clock when a node gets its new pod', async () => {
  const { page, errors, close } = await open();
  await loadScenario(page, 'rolling-update');
  await page.getByTestId('pause-each-step').check();
  await page.getByTestId('speed-5').click();
  const ds = page.locator('[data-testid="daemonset"][data-daemonset="fluent-bit"]');
  await ds.getByTestId('set-image-input').fill('fluent/fluent-bit:3.0');
  await ds.getByTestId('set-image').click();
  await page.waitForSelector('[data-testid="play"][aria-pressed="false"]', { timeout: 20000 });
  // The clock says why it stopped.
  assert.match(await page.getByTestId('clock-note').textContent(), /pause at each rollout step/);
  const numbers = (await ds.getByTestId('ds-numbers').locator('td').allTextContents()).map(Number);
  assert.ok(numbers[3] > 0 && numbers[3] < 6, `paused mid-rollout with ${numbers[3]} up to date`);
  const clock = await page.getByTestId('clock').textContent();
  await page.waitForTimeout(300);
  assert.equal(await page.getByTestId('clock').textContent(), clock, 'time stays paused');
  assert.deepEqual(errors, []);
  await close();
});

test('a rollout stuck on a missing image is called stalled, with the way out, and Undo ends it', async () => {
  const { page, errors, close } = await open();
  await loadScenario(page, 'stuck-rollout');
  const ds = page.locator('[data-testid="daemonset"][data-daemonset="node-agent"]');
  await ds.getByTestId('set-image-input').fill('busybox:missing');
  await ds.getByTestId('set-image-input').press('Enter');
  await page.getByTestId('speed-20').click();
  const banner = ds.getByTestId('rollout-stalled');
  await banner.waitFor({ timeout: 20000 });
  assert.match(await banner.textContent(), /^Rollout stalled: node-agent-\w+ on worker-\d is waiting: (ImagePullBackOff|ErrImagePull)\. Fix the template \(Set image\) or roll back \(Undo\)\.$/);
  const stuck = page.locator('[data-testid="absence"][data-daemonset="node-agent"]', { hasText: /ImagePullBackOff|ErrImagePull/ });
  assert.match(await stuck.textContent(), /To change it: fix the image \(Set image\) or roll back \(Undo\)/);
  await page.getByTestId('pause').click();
  await page.screenshot({ path: path.join(shots, 'stalled-rollout.png') });
  await ds.getByTestId('rollout-undo').click();
  assert.match(await ds.getByTestId('feedback').textContent(), /daemonset\.apps\/node-agent rolled back/);
  await page.getByTestId('play').click();
  await banner.waitFor({ state: 'detached', timeout: 20000 });
  assert.deepEqual(errors, []);
  await close();
});

test("clicking a pod or a node opens what kubectl describe says of it, in place", async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const pod = page.locator('[data-node="worker-1"] [data-testid="open-pod"]').first();
  const name = (await pod.textContent()).trim();
  await pod.click();
  const text = page.getByTestId('details-text');
  await text.waitFor();
  assert.match(await text.textContent(), new RegExp(`^Name:\\s+${name}\\n[\\s\\S]*Node:\\s+worker-1/`));
  assert.match(await page.getByTestId('details').getAttribute('aria-label'), new RegExp(`Details of pod/${name}`));
  await page.screenshot({ path: path.join(shots, 'pod-details.png') });
  await page.getByTestId('close-details').click();
  await page.getByTestId('details').waitFor({ state: 'detached' });
  await page.locator('[data-testid="open-node"]', { hasText: 'control-plane' }).click();
  assert.match(await text.textContent(), /^Name:\s+control-plane\n[\s\S]*Taints:\s+node-role\.kubernetes\.io\/control-plane:NoSchedule/);
  await page.keyboard.press('Escape');
  await page.getByTestId('details').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await close();
});

test("a Pending pod's details show the scheduler's decision: each node's filters, the one that rejected it, and the scores", async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const editor = page.getByTestId('yaml-editor');
  await editor.evaluate((area, text) => {
    area.value = text;
    area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, [
    'apiVersion: v1', 'kind: Node', 'metadata: {name: small}', 'status:', '  capacity: {cpu: "1", memory: 2Gi, pods: "110"}', '---',
    'apiVersion: v1', 'kind: Node', 'metadata: {name: big}', 'status:', '  capacity: {cpu: "4", memory: 8Gi, pods: "110"}', '---',
    'apiVersion: apps/v1', 'kind: DaemonSet', 'metadata: {name: hungry}', 'spec:', '  selector: {matchLabels: {app: hungry}}', '  template:',
    '    metadata: {labels: {app: hungry}}', '    spec:', '      containers:', '      - name: agent', '        image: busybox:1.36',
    '        resources: {requests: {cpu: "2"}}', '---',
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: dongle-user}', 'spec:', '  selector: {matchLabels: {app: dongle-user}}', '  template:',
    '    metadata: {labels: {app: dongle-user}}', '    spec:', '      containers:', '      - name: user', '        image: busybox:1.36',
    '        resources: {limits: {example.com/dongle: 1}}',
  ].join('\n'));
  await editor.press('Control+Enter');
  await typeCommand(page, ['sim settle']);
  // The daemon pod for the small node waits there; the Deployment's pod waits for any node.
  const daemon = page.locator('[data-node="small"] [data-owner="hungry"] [data-testid="open-pod"]');
  await daemon.waitFor();
  await daemon.click();
  const filters = page.getByTestId('decision-filters');
  await filters.waitFor();
  const rejected = filters.locator('tr[data-node="small"] td.rejected');
  assert.equal(await rejected.getAttribute('data-plugin'), 'NodeResourcesFit');
  assert.match(await filters.locator('tr[data-node="small"] td.reason').textContent(), /^Insufficient cpu$/);
  // Every filter before the rejecting one passed; those after it did not run.
  assert.equal(await filters.locator('tr[data-node="small"] td.passed').count(), 5);
  assert.equal(await filters.locator('tr[data-node="small"] td.not-run').count(), 2);
  assert.match(await page.getByTestId('decision-summary').textContent(), /No node fits\. 0\/5 nodes are available: 1 Insufficient cpu, 4 node\(s\) didn't satisfy plugin\(s\) \[NodeAffinity\]\./);
  assert.match(await page.getByTestId('decision-daemonset').textContent(), /DaemonSet hungry, for node small: .* is Pending: the scheduler's NodeResourcesFit filter rejects this node: Insufficient cpu/);
  // The node card names the plugin too.
  assert.match(await page.locator('[data-testid="node"][data-node="small"]').textContent(), /NodeResourcesFit/);
  await page.screenshot({ path: path.join(shots, 'decision-pending.png') });
  await page.keyboard.press('Escape');
  const waiting = page.getByTestId('waiting-pods');
  assert.match(await waiting.locator('h3').textContent(), /^1 pod waiting for a node$/);
  await waiting.getByTestId('open-pod').click();
  await filters.waitFor();
  for (const node of ['small', 'big']) {
    assert.equal(await filters.locator(`tr[data-node="${node}"] td.rejected`).getAttribute('data-plugin'), 'NodeResourcesFit');
    assert.match(await filters.locator(`tr[data-node="${node}"] td.reason`).textContent(), /^Insufficient example\.com\/dongle$/);
  }
  await page.keyboard.press('Escape');
  // Advertise a dongle on each node from its card, as a device plugin would,
  // with the Deployment scaled to none (else the first node advertised takes
  // the pod at once); then one pod has a choice of two nodes.
  await typeCommand(page, ['kubectl scale deployment dongle-user --replicas=0']);
  for (const node of ['big', 'small']) {
    const card = page.locator(`[data-testid="node"][data-node="${node}"]`);
    await card.locator('summary').click();
    await card.getByTestId('node-change').fill('example.com/dongle=2');
    await card.getByTestId('advertise').click();
    await card.locator('.feedback', { hasText: 'patched' }).waitFor();
  }
  await typeCommand(page, ['kubectl scale deployment dongle-user --replicas=1', 'sim settle']);
  await waiting.waitFor({ state: 'detached' });
  const placed = page.locator('[data-testid="pod"][data-owner="dongle-user"] [data-testid="open-pod"]');
  await placed.click();
  const scores = page.getByTestId('decision-scores');
  await scores.waitFor();
  assert.equal(await scores.locator('tbody tr').count(), 2);
  const chosen = await scores.locator('tr.chosen').getAttribute('data-node');
  assert.equal(await page.locator('[data-testid="pod"][data-owner="dongle-user"]').getAttribute('data-node'), chosen);
  assert.match(await page.getByTestId('decision-summary').textContent(), new RegExp(`Bound to ${chosen}, the highest total of 2 feasible nodes`));
  await page.screenshot({ path: path.join(shots, 'decision-scores.png') });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(shots, 'decision-scores-phone.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('after a change from a card, the editor says the cluster moved and can take the live objects', async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  const editor = page.getByTestId('yaml-editor');
  assert.equal(await page.getByTestId('cluster-moved').count(), 0);
  await typeCommand(page, ['kubectl get ds -A']);
  assert.equal(await page.getByTestId('cluster-moved').count(), 0, 'a read changes nothing');
  const ds = page.locator('[data-testid="daemonset"]').first();
  await ds.getByTestId('set-image-input').fill('prom/node-exporter:v1.8.0');
  await ds.getByTestId('set-image').click();
  assert.match(await page.getByTestId('cluster-moved').textContent(), /kubectl set image daemonset\/node-exporter node-exporter=prom\/node-exporter:v1\.8\.0/);
  await page.getByTestId('load-live').click();
  const live = await editor.inputValue();
  assert.match(live, /image: prom\/node-exporter:v1\.8\.0/);
  assert.doesNotMatch(live, /resourceVersion|uid:|creationTimestamp|last-applied|status:/);
  assert.match(live, /kind: Node\n[\s\S]*name: control-plane/);
  assert.equal(await page.getByTestId('cluster-moved').count(), 0);
  // Applying it now changes nothing that was set.
  await page.getByTestId('apply-button').click();
  assert.match(await page.getByTestId('apply-results').textContent(), /daemonset\.apps\/node-exporter (unchanged|configured)/);
  assert.deepEqual(errors, []);
  await close();
});

/** What a page shows of its state: pods per node, the terminal, the clock, the editor. */
async function state(page) {
  return {
    pods: await page.$$eval('[data-testid="pod"]', (pods) => pods.map((p) => `${p.dataset.node}/${p.dataset.pod}/${p.dataset.phase}`).sort()),
    terminal: await page.getByTestId('terminal-output').textContent(),
    clock: await page.getByTestId('clock').textContent(),
    editor: await page.getByTestId('yaml-editor').inputValue(),
  };
}

test('a share link opens the same cluster, terminal, clock and editor in a fresh page', async () => {
  const first = await open();
  await first.page.getByTestId('pause').click();
  await typeCommand(first.page, ['kubectl label node worker-2 disk=ssd']);
  await nodeAction(first.page, 'worker-1', 'cordon');
  await typeCommand(first.page, ['kubectl set image ds/node-exporter -n kube-system node-exporter=prom/node-exporter:v1.9.0']);
  for (let i = 0; i < 3; i++) await first.page.getByTestId('step').click();
  await first.page.getByTestId('yaml-editor').evaluate((area) => {
    area.value += '\n# a note nobody applied\n';
    area.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await first.page.getByTestId('share').click();
  const link = await first.page.getByTestId('share-link').inputValue();
  assert.match(link, /#s=1\.[A-Za-z0-9_-]+$/);
  await first.page.screenshot({ path: path.join(shots, 'share.png') });
  const before = await state(first.page);
  assert.match(before.terminal, /node\/worker-2 labeled[\s\S]*image updated/);
  assert.deepEqual(first.errors, []);
  await first.close();

  const { page, errors, close } = await open({ url: link });
  assert.deepEqual(await state(page), before);
  // Opened paused, and the link is no longer in the address: a reload keeps what follows.
  assert.equal(await page.getByTestId('pause').getAttribute('aria-pressed'), 'true');
  assert.equal(new URL(page.url()).hash, '');
  await typeCommand(page, ['kubectl uncordon worker-1']);
  await page.reload();
  await page.waitForSelector('[data-testid="node"]');
  assert.match(await page.getByTestId('terminal-output').textContent(), /node\/worker-1 uncordoned/);
  assert.deepEqual(errors, []);
  await close();
});

test('kubectl top says what it needs, and that its figures are simulated, below what kubectl prints', async () => {
  const { page, errors, close } = await open();
  await typeCommand(page, ['kubectl top node']);
  const entry = page.locator('.term-entry').last();
  assert.equal(await entry.locator('.term-stderr').textContent(), 'error: Metrics API not available\n');
  assert.match(await entry.getByTestId('terminal-aside').textContent(), /needs metrics-server running/);
  await page.screenshot({ path: path.join(shots, 'top-unavailable.png') });

  // metrics-server, pasted into the terminal: a Service, its Deployment, the APIService.
  await typeCommand(page, [
    'kubectl apply -f - <<EOF',
    'apiVersion: v1', 'kind: Service', 'metadata:', '  name: metrics-server', '  namespace: kube-system', 'spec:',
    '  ports:', '  - name: https', '    port: 443', '    targetPort: https', '  selector:', '    k8s-app: metrics-server',
    '---',
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: metrics-server', '  namespace: kube-system', 'spec:',
    '  selector:', '    matchLabels:', '      k8s-app: metrics-server', '  template:', '    metadata:', '      labels:',
    '        k8s-app: metrics-server', '    spec:', '      containers:', '      - name: metrics-server',
    '        image: registry.k8s.io/metrics-server/metrics-server:v0.8.0', '        ports:', '        - name: https',
    '          containerPort: 10250',
    '---',
    'apiVersion: apiregistration.k8s.io/v1', 'kind: APIService', 'metadata:', '  name: v1beta1.metrics.k8s.io', 'spec:',
    '  service:', '    name: metrics-server', '    namespace: kube-system', '  group: metrics.k8s.io', '  version: v1beta1',
    '  insecureSkipTLSVerify: true', '  groupPriorityMinimum: 100', '  versionPriority: 100',
    'EOF',
  ]);
  await typeCommand(page, ['sim settle']);
  await typeCommand(page, ['kubectl top node']);
  const top = page.locator('.term-entry').last();
  assert.match(await top.locator('.term-stdout').textContent(), /^NAME +CPU\(cores\) +CPU\(%\) +MEMORY\(bytes\) +MEMORY\(%\) *\ncontrol-plane +0m +0% +0Mi +0% *\nworker-1 /);
  assert.match(await top.getByTestId('terminal-aside').textContent(), /simulated usage: each running container uses what it requests/);
  await page.screenshot({ path: path.join(shots, 'top.png') });
  assert.deepEqual(errors, []);
  await close();
});

test('Export downloads the session for kind and for KWOK, as tar archives a real cluster replays', async () => {
  const { page, errors, close } = await open();
  await page.getByTestId('pause').click();
  await typeCommand(page, ['kubectl label node worker-2 disk=ssd']);
  await page.getByTestId('export').click();
  await page.screenshot({ path: path.join(shots, 'export.png') });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'daemonlab-export-'));
  const unpacked = {};
  for (const target of ['kind', 'kwok']) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`export-${target}`).click(),
    ]);
    assert.equal(download.suggestedFilename(), `daemonlab-${target}.tar`);
    const archive = path.join(tmp, download.suggestedFilename());
    await download.saveAs(archive);
    execFileSync('tar', ['-xf', archive, '-C', tmp]);
    unpacked[target] = path.join(tmp, `daemonlab-${target}`);
  }
  const read = (target, name) => fs.readFileSync(path.join(unpacked[target], name), 'utf8');
  // kind names the nodes; the configuration says which is which, and the replay uses kind's names.
  assert.match(read('kind', 'kind-cluster.yaml'), /#   daemonlab-worker2 is worker-2\n/);
  assert.match(read('kind', 'replay.sh'), /\nkubectl label node daemonlab-worker2 disk=ssd\n/);
  assert.equal(fs.statSync(path.join(unpacked.kind, 'replay.sh')).mode & 0o777, 0o755);
  // KWOK keeps the session's names, and the nodes as they joined (before the label).
  const nodes = read('kwok', 'kwok-nodes.yaml');
  const worker2 = nodes.split('---\n').find((doc) => doc.includes('name: worker-2\n'));
  assert.ok(worker2, nodes);
  assert.doesNotMatch(worker2, /disk: ssd/);
  assert.match(read('kwok', 'final-state.yaml'), /kind: DaemonSet\nmetadata:\n  name: node-exporter\n/);
  fs.rmSync(tmp, { recursive: true });
  assert.deepEqual(errors, []);
  await close();

  const phone = await open({ width: 390, height: 844 });
  await phone.page.getByTestId('export').click();
  await phone.page.screenshot({ path: path.join(shots, 'export-phone.png') });
  assert.deepEqual(phone.errors, []);
  await phone.close();
});

test('damaged, hostile and future share links say why and open the playground as usual', async () => {
  const { page, errors, close } = await open();
  const good = await (async () => {
    await page.getByTestId('share').click();
    return (await page.getByTestId('share-link').inputValue()).split('#s=')[1];
  })();
  const forge = (json) => `1.${zlib.deflateRawSync(Buffer.from(json)).toString('base64url')}`;
  const flipped = good.slice(0, 40) + (good[40] === 'A' ? 'B' : 'A') + good.slice(41);
  const links = [
    '', '1', '1.', 'x', 'v1.' + good.slice(2), '2.' + good.slice(2), '0.' + good.slice(2),
    '99999999999999999999.' + good.slice(2), good.slice(0, good.length / 2), good.slice(0, -3), flipped,
    good.slice(0, 30) + '%20' + good.slice(30), good + '+/', '1.<img src=x onerror=alert(1)>',
    '1.' + 'A'.repeat(1_100_000),
    `1.${zlib.deflateRawSync(Buffer.alloc(16 << 20, 32)).toString('base64url')}`,
    '1.aGVsbG8gd29ybGQ', forge('{"yaml":"x"}'), forge('{"editor":"","actions":[],"eval":"alert(1)"}'),
    forge('apiVersion: v1'), forge('{"editor":"","actions":[{"delete":"everything"}]}'),
    forge('{"editor":"","actions":[{"advance":31536000000}]}'),
    forge(`{"editor":"","actions":[${Array(40).fill('{"run":"sim advance 24h","heredoc":""}').join(',')}]}`),
    forge(`{"editor":"<script>alert(1)</script>","actions":[{"advance":-1}]}`),
  ];
  assert.ok(links.length >= 20);
  for (const [i, link] of links.entries()) {
    await page.goto(`${base}?case=${i}#s=${link}`);
    const problem = page.getByTestId('link-problem');
    await problem.waitFor({ timeout: 20000 });
    assert.match(await problem.textContent(), /^This share link cannot be opened: .+\. The playground opened as it would without it\./, `case ${i}`);
    await page.waitForSelector('[data-testid="node"]');
    assert.equal(new URL(page.url()).hash, '', `case ${i} left the link in the address`);
    if (i === 13) await page.screenshot({ path: path.join(shots, 'share-link-refused.png') });
  }
  assert.equal(await page.locator('img').count(), 0, 'no markup from a link reached the page');
  assert.deepEqual(errors, []);
  await close();
});
