// Where `paper-ls` is found: `npm test` runs these with Node's own test runner on real temporary files.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { expandPath, findServer, Lookup } from '../executable';

function script(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o755 });
  return file;
}

function tree(): { root: string; lookup: Lookup } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'paper-ls-find-'));
  const folder = path.join(root, 'project');
  fs.mkdirSync(folder);
  return { root, lookup: { serverPath: '', interpreterPath: '', folders: [folder], envPath: '', platform: 'linux' } };
}

test('the setting wins, relative to the workspace folder', () => {
  const { lookup } = tree();
  const found = findServer({ ...lookup, serverPath: 'tools/paper-ls' });
  assert.deepEqual(found, { executable: path.join(lookup.folders[0], 'tools/paper-ls'), how: 'setting paper-ls.serverPath' });
});

test("the workspace's .venv comes before PATH", () => {
  const { root, lookup } = tree();
  const venv = script(path.join(lookup.folders[0], '.venv', 'bin', 'paper-ls'));
  const onPath = script(path.join(root, 'bin', 'paper-ls'));
  assert.equal(findServer({ ...lookup, envPath: path.dirname(onPath) })?.executable, venv);
});

test("python.defaultInterpreterPath's folder, then PATH", () => {
  const { root, lookup } = tree();
  const beside = script(path.join(root, 'env', 'bin', 'paper-ls'));
  const onPath = script(path.join(root, 'bin', 'paper-ls'));
  const interpreterPath = path.join(root, 'env', 'bin', 'python');
  assert.equal(findServer({ ...lookup, interpreterPath, envPath: path.dirname(onPath) })?.executable, beside);
  assert.deepEqual(findServer({ ...lookup, interpreterPath: 'python', envPath: path.dirname(onPath) }),
    { executable: onPath, how: 'PATH' });
});

test('a file that is not executable is passed over; nothing found is undefined', () => {
  const { root, lookup } = tree();
  const plain = path.join(root, 'bin', 'paper-ls');
  fs.mkdirSync(path.dirname(plain), { recursive: true });
  fs.writeFileSync(plain, 'not a program', { mode: 0o644 });
  assert.equal(findServer({ ...lookup, envPath: path.dirname(plain) }), undefined);
});

test('~ and ${workspaceFolder} are expanded', () => {
  assert.equal(expandPath('~/papers/index.sqlite3', []), path.join(os.homedir(), 'papers/index.sqlite3'));
  assert.equal(expandPath('${workspaceFolder}/i.sqlite3', ['/w']), path.join('/w', 'i.sqlite3'));
  assert.equal(expandPath('i.sqlite3', ['/w']), path.join('/w', 'i.sqlite3'));
});
