// Drives a real VS Code (code-server) in headless Chromium the way a writer uses it, and reports what
// the screen showed as JSON. It judges nothing: tests/editors/test_vscode.py asserts on the report.
//
// Usage: node driver.js CONFIG.json   (CONFIG as written by the test; see `config` below)
// Needs install.sh's tools (code-server, playwright-core, /usr/bin/chromium); never downloads a browser.
//
// A completion scenario: open the file (Ctrl+P), go to the position (Ctrl+G), type the query, open the
// suggestions (Ctrl+Space), read the rows in the order shown, screenshot the widget, accept the first
// (Enter), read the line, ask for the hover on the key (Ctrl+K Ctrl+I) and read it. A command
// scenario: run a "Paper: ..." command from the palette (F1), answer its inputs, read and take the
// first item it offers, read the line and the notifications. At the end "File: Save All", as a person
// would, so the test can read the files on disk.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { createRequire } = require('module');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
// config = { tools, vsix, project, workdir, output, settings: {...}, result,
//            scenarios: [{ name, file, line, column, type, autoTrigger? }], watch: [file names] }
const { chromium } = createRequire(path.join(config.tools, 'package.json'))('playwright-core');
const codeServer = path.join(config.tools, 'node_modules', '.bin', 'code-server');
const STEP_MS = 20000;

const report = { error: null, installed: null, scenarios: {}, seconds: {} };
const started = Date.now();
const mark = (what) => { report.seconds[what] = (Date.now() - started) / 1000; };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function responds(url) {
  return new Promise((resolve) => {
    http.get(url, (res) => { res.resume(); resolve(res.statusCode < 500); }).on('error', () => resolve(false));
  });
}

/** A fresh extensions dir with only the packaged .vsix, and a user settings file. */
function prepare() {
  const extensions = path.join(config.workdir, 'extensions');
  const userData = path.join(config.workdir, 'user-data');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify(config.settings, null, 2));
  const out = execFileSync(codeServer, ['--extensions-dir', extensions, '--user-data-dir', userData,
    '--install-extension', config.vsix], { encoding: 'utf8', timeout: 60000 });
  report.installed = fs.readdirSync(extensions).filter((name) => !name.endsWith('.json'));
  report.installLog = out.trim().split('\n').pop();
  return { extensions, userData };
}

async function startCodeServer(dirs, port) {
  const log = fs.openSync(path.join(config.output, 'code-server.log'), 'w');
  const child = spawn(codeServer, ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, config.project],
  { detached: true, stdio: ['ignore', log, log] });
  const deadline = Date.now() + 60000;
  while (!(await responds(`http://127.0.0.1:${port}/healthz`))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(`code-server did not come up (exit ${child.exitCode}); see code-server.log`);
    }
    await sleep(200);
  }
  return child;
}

/** The rows of the visible suggestion widget, top to bottom: what a person sees. */
async function suggestionRows(page) {
  return page.$$eval('.suggest-widget.visible .monaco-list-row', (rows) => rows
    .map((row) => ({
      index: Number(row.getAttribute('data-index')),
      label: row.querySelector('.label-name')?.textContent ?? '',
      description: row.querySelector('.label-description')?.textContent ?? '',
      detail: row.querySelector('.details-label')?.textContent ?? '',
      focused: row.classList.contains('focused'),
      icon: [...(row.querySelector('.suggest-icon')?.classList ?? [])].find((c) => c.startsWith('codicon-symbol-')) ?? '',
    }))
    .sort((a, b) => a.index - b.index));
}

/** The focused editor's visible lines, top to bottom. */
async function editorLines(page) {
  return page.$$eval('.editor-group-container.active .monaco-editor .view-lines .view-line', (lines) => lines
    .map((line) => ({ top: parseFloat(line.style.top), text: line.textContent.replace(/\u00a0/g, ' ') }))
    .sort((a, b) => a.top - b.top)
    .map((line) => line.text));
}

async function waitFor(what, check, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(200);
  }
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: STEP_MS });
  await page.keyboard.type(name);
  await waitFor(`${name} in quick open`, async () =>
    (await page.$$eval('.quick-input-list .monaco-list-row', (rows) => rows.map((r) => r.textContent)))
      .some((text) => text.includes(name)));
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tab.active[data-resource-name="${name}"]`, { timeout: STEP_MS });
  await page.waitForSelector('.editor-group-container.active .monaco-editor.focused', { timeout: STEP_MS });
}

async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: STEP_MS });
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press('Enter');
  await sleep(300);
}

/**
 * Opens suggestions until a language server's items are there: while the server starts, VS Code offers
 * only words of the document (the `symbol-text` icon), and a person would wait and ask again.
 */
async function openSuggestions(page) {
  const deadline = Date.now() + 30000;
  let rows = [];
  for (;;) {
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.suggest-widget.visible .monaco-list-row', { timeout: 5000 }).catch(() => {});
    await sleep(800); // the list is incomplete: let the answer to the last keystroke settle
    rows = await suggestionRows(page);
    if (rows.some((row) => row.icon !== 'codicon-symbol-text')) {
      return rows;
    }
    if (Date.now() > deadline) {
      throw new Error(`only these suggestions appeared in 30 s: ${JSON.stringify(rows)}`);
    }
    await page.keyboard.press('Escape');
    await sleep(1000);
  }
}

async function hoverAt(page, line, column) {
  await goTo(page, line, column);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  return waitFor('the hover', async () => {
    const texts = await page.$$eval('.monaco-hover:not(.hidden) .hover-contents', (nodes) =>
      nodes.map((n) => n.innerText));
    const text = texts.join('\n').trim();
    return text && !/^Loading/.test(text) ? text : null;
  });
}

async function runScenario(page, scenario) {
  const seen = {};
  report.scenarios[scenario.name] = seen;
  await openFile(page, scenario.file);
  await goTo(page, scenario.line, scenario.column);
  if (scenario.autoTrigger) {
    // What the widget shows by itself: opened by the trigger character (`{`, `@`), as a
    // person pauses after it, then followed while the query is typed.
    const cut = Math.max(scenario.type.lastIndexOf('{'), scenario.type.lastIndexOf('@')) + 1;
    await page.keyboard.type(scenario.type.slice(0, cut), { delay: 60 });
    await waitFor('suggestions opening by themselves', async () =>
      (await suggestionRows(page)).some((row) => row.icon !== 'codicon-symbol-text'), 20000).catch(() => null);
    await page.keyboard.type(scenario.type.slice(cut), { delay: 60 });
    await sleep(800); // the answer to the last keystroke
    seen.autoRows = await suggestionRows(page);
  } else {
    await page.keyboard.type(scenario.type, { delay: 60 });
  }
  seen.rows = await openSuggestions(page);
  const widget = await page.$('.suggest-widget.visible');
  await widget.screenshot({ path: path.join(config.output, `completion-${scenario.name}.png`) });
  await page.screenshot({ path: path.join(config.output, `window-${scenario.name}.png`) });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.suggest-widget.visible', { state: 'detached', timeout: 3000 }).catch(() => {});
  await sleep(1500); // the accepted item's command adds the BibTeX entry through the server
  seen.lines = await editorLines(page);
  const line = seen.lines[scenario.line - 1] ?? '';
  seen.line = line;
  const key = seen.rows[0]?.label;
  const at = key ? line.indexOf(key) : -1;
  if (at >= 0) {
    seen.hover = await hoverAt(page, scenario.line, at + 3);
    await page.keyboard.press('Escape');
  }
  seen.notifications = await toasts(page);
}

/** Runs a command from the command palette (F1), as a person picks it by its title. */
async function palette(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: STEP_MS });
  await page.keyboard.type(title);
  await waitFor(`${title} in the command palette`, async () =>
    (await page.$$eval('.quick-input-list .monaco-list-row', (rows) => rows.map((r) => r.textContent)))
      .some((text) => text.includes(title)));
  await page.keyboard.press('Enter');
}

async function quickInputTitle(page) {
  return page.$eval('.quick-input-widget:not([style*="display: none"]) .quick-input-title', (n) => n.textContent)
    .catch(() => '');
}

const toasts = (page) => page.$$eval('.notification-list-item-message', (nodes) => nodes.map((n) => n.textContent));

/**
 * A "Paper: ..." command run from the palette: answers its input boxes, picks the first item of its
 * quick pick (reading what it offered), then reads the line and the notifications.
 * scenario = { name, kind: 'command', command, file?, line?, column?, inputs?: [{ title, text, replace }],
 *              pick?: title, quiet?: true }
 */
async function runCommand(page, scenario) {
  const seen = {};
  report.scenarios[scenario.name] = seen;
  if (scenario.file) {
    await openFile(page, scenario.file);
    await goTo(page, scenario.line, scenario.column);
  }
  const before = new Set(await toasts(page)); // toasts of earlier steps may still show
  await palette(page, scenario.command);
  for (const input of scenario.inputs ?? []) {
    await waitFor(`the input "${input.title}"`, async () => (await quickInputTitle(page)).includes(input.title));
    if (input.replace) {
      await page.keyboard.press('Control+A');
    }
    await page.keyboard.type(input.text);
    // Enter until the input goes: VS Code's file dialog may still be listing the folder just
    // typed and take the first Enter for that, as a person would see and press Enter again.
    for (let tries = 0; tries < 4 && (await quickInputTitle(page)).includes(input.title); tries++) {
      await sleep(700);
      await page.keyboard.press('Enter');
      await sleep(800);
    }
  }
  if (scenario.pick) {
    await waitFor(`the quick pick "${scenario.pick}"`, async () => (await quickInputTitle(page)).includes(scenario.pick));
    await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: STEP_MS });
    seen.title = await quickInputTitle(page);
    seen.picks = await page.$$eval('.quick-input-list .monaco-list-row', (rows) => rows
      .sort((a, b) => Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index')))
      .map((row) => ({
        label: row.querySelector('.label-name')?.textContent ?? '',
        description: row.querySelector('.label-description')?.textContent ?? '',
        detail: row.querySelector('.quick-input-list-label-meta')?.textContent ?? '',
      })));
    await page.screenshot({ path: path.join(config.output, `pick-${scenario.name}.png`) });
    await page.keyboard.press('Enter');
  }
  if (scenario.quiet) { // a command that tells nothing when it works
    await sleep(2000);
    return;
  }
  seen.notifications = await waitFor('a paper-ls notification', async () => {
    const now = (await toasts(page)).filter((text) => !before.has(text));
    return now.some((text) => text.startsWith('paper-ls')) ? now : null;
  }).catch(() => []);
  if (scenario.file) {
    seen.lines = await editorLines(page);
    seen.line = seen.lines[scenario.line - 1] ?? '';
  }
}

/** What the extension wrote to its output channel (VS Code keeps it in a log file). */
function outputChannel(userData) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (/-paper-ls\.log$/.test(entry.name)) {
        found.push(fs.readFileSync(full, 'utf8'));
      }
    }
  };
  walk(path.join(userData, 'logs'));
  return found.join('\n');
}

async function main() {
  fs.mkdirSync(config.output, { recursive: true });
  const dirs = prepare();
  mark('installed');
  const port = await freePort();
  const server = await startCodeServer(dirs, port);
  mark('code-server up');
  let browser;
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'] });
    const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(config.project)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await sleep(2000);
    mark('workbench');
    for (const scenario of config.scenarios) {
      try {
        await (scenario.kind === 'command' ? runCommand(page, scenario) : runScenario(page, scenario));
      } finally {
        await page.screenshot({ path: path.join(config.output, `after-${scenario.name}.png`) });
      }
      mark(scenario.name);
    }
    // Whether the server's edits reached the disk by themselves, before a person saves.
    report.beforeSave = Object.fromEntries((config.watch ?? []).map((name) =>
      [name, fs.readFileSync(path.join(config.project, name), 'utf8')]));
    await palette(page, 'File: Save All');
    await sleep(1500);
    mark('saved');
  } finally {
    report.output = outputChannel(dirs.userData);
    if (browser) {
      await browser.close();
    }
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
}

main()
  .catch((error) => { report.error = String(error && error.stack || error); })
  .finally(() => {
    fs.writeFileSync(config.result, JSON.stringify(report, null, 2));
    process.exit(0);
  });
