// How a picked key is cited at the cursor: `npm test` runs these with Node's own test runner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { citationText, flavourOf, keyAt } from '../citation';

test('LaTeX outside a citation gets a whole \\cite', () => {
  assert.equal(citationText('latex', 'Recurrent nets~', 'hochreiter1997long'), '\\cite{hochreiter1997long}');
});

test('LaTeX inside an open citation gets the key, comma-separated', () => {
  assert.equal(citationText('latex', 'See \\citep[p.~3]{', 'k'), 'k');
  assert.equal(citationText('latex', 'See \\citep[p.~3]{a', 'k'), ', k');
  assert.equal(citationText('latex', 'See \\autocite{a, ', 'k'), 'k');
  assert.equal(citationText('latex', 'See \\textbf{bold ', 'k'), '\\cite{k}');
});

test('Markdown gets Pandoc citations', () => {
  assert.equal(citationText('markdown', 'As shown ', 'k'), '[@k]');
  assert.equal(citationText('markdown', 'As shown @', 'k'), 'k');
  assert.equal(citationText('markdown', 'As [@a', 'k'), '; @k');
  assert.equal(citationText('markdown', 'As [@a; ', 'k'), '@k');
});

test('languages map to their citation syntax', () => {
  assert.equal(flavourOf('latex'), 'latex');
  assert.equal(flavourOf('tex'), 'latex');
  assert.equal(flavourOf('quarto'), 'markdown');
  assert.equal(flavourOf('rmd'), 'markdown');
  assert.equal(flavourOf('bibtex'), 'other');
});

test('the key under the cursor stops at citation punctuation', () => {
  const line = 'Also \\cite{lecun1998gradient, he:2016-deep}.';
  assert.equal(keyAt(line, 14), 'lecun1998gradient');
  assert.equal(keyAt(line, line.indexOf('he:') + 2), 'he:2016-deep');
  assert.equal(keyAt('See [@smith2020].', 10), 'smith2020');
  assert.equal(keyAt('  ', 1), '');
});
