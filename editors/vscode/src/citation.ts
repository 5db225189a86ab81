// How a chosen key is cited at the cursor, per document language. Free of `vscode` so plain Node tests it.

export type Flavour = 'latex' | 'markdown' | 'other';

const LATEX = new Set(['latex', 'tex', 'plaintex']);
const MARKDOWN = new Set(['markdown', 'quarto', 'rmd', 'rmarkdown', 'pandoc']);

export function flavourOf(languageId: string): Flavour {
  const id = languageId.toLowerCase();
  return LATEX.has(id) ? 'latex' : MARKDOWN.has(id) ? 'markdown' : 'other';
}

/**
 * The text to insert for `key` after `before` (the line up to the cursor): inside an open citation just
 * the key (with a separator when needed), elsewhere a whole citation: `\cite{key}` or `[@key]`.
 */
export function citationText(flavour: Flavour, before: string, key: string): string {
  if (flavour === 'markdown') {
    if (before.endsWith('@')) {
      return key;
    }
    if (/\[[^\]]*@[^\]]*$/.test(before)) {
      return (/[;[]\s*$/.test(before) ? '@' : '; @') + key;
    }
    return `[@${key}]`;
  }
  if (flavour === 'latex') {
    const open = /\\([A-Za-z]+)\*?[^\\{}]*\{[^{}]*$/.exec(before);
    if (open && open[1].toLowerCase().includes('cite')) {
      return (/[{,]\s*$/.test(before) ? '' : ', ') + key;
    }
    return `\\cite{${key}}`;
  }
  return key;
}

/** Characters a citation key is made of, as the server reads them (`is_key_char`). */
const KEY_CHAR = /[\p{L}\p{N}\p{Mn}:/.\-_+]/u;

/** The key around `column` of `line` (a trailing `.` or `:` is punctuation), or '' if none. */
export function keyAt(line: string, column: number): string {
  let start = column;
  let end = column;
  while (start > 0 && KEY_CHAR.test(line[start - 1])) {
    start--;
  }
  while (end < line.length && KEY_CHAR.test(line[end])) {
    end++;
  }
  return line.slice(start, end).replace(/[.:]+$/, '');
}
