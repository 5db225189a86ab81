// The "Paper: ..." commands. Searching and adding entries go through the server's commands
// (`paper-ls.search`, `paper-ls.insertBibtex`), so they use the same index and ranking as completion.
import { spawn } from 'child_process';
import * as path from 'path';
import * as vscode from 'vscode';
import { citationText, flavourOf, keyAt } from './citation';
import { serverSettings, Session } from './session';

/** A paper as the server's `paper-ls.search` lists it (the shape of `paper-ls search --json`). */
export interface Hit {
  key: string;
  title: string;
  authors: { family: string; given: string }[];
  year: number | null;
  venue: string;
}

interface Insertion {
  added: boolean;
  key?: string;
  file?: string;
  reason?: string;
}

const SEARCH_LIMIT = 30;

export function registerCommands(session: Session): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('paper-ls.searchAndCite', () => searchAndCite(session)),
    vscode.commands.registerCommand('paper-ls.addBibtexEntry', () => addBibtexEntry(session)),
    vscode.commands.registerCommand('paper-ls.addToIndex', () => addToIndex(session)),
    vscode.commands.registerCommand('paper-ls.restartServer', () => session.restart()),
  ];
}

function authorsShort(authors: Hit['authors']): string {
  const names = authors.map((a) => a.family);
  if (names.length > 2) {
    return `${names[0]} et al.`;
  }
  return names.join(' & ');
}

/** Ask for a query, offer the index's papers (title, authors, year), cite the chosen one at the cursor. */
async function searchAndCite(session: Session): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('paper-ls: open a document to cite in first.');
    return;
  }
  const selected = editor.document.getText(editor.selection).trim();
  const query = await vscode.window.showInputBox({
    title: 'Search the paper index',
    prompt: 'Key, author names, title words, year or abstract words',
    value: selected.includes('\n') ? '' : selected,
    placeHolder: 'attention vaswani 2017',
  });
  if (!query?.trim()) {
    return;
  }
  const hits = await session.execute<Hit[]>('paper-ls.search', [query, SEARCH_LIMIT]);
  if (!hits) {
    return;
  }
  if (hits.length === 0) {
    void vscode.window.showInformationMessage(`paper-ls: no papers match “${query}”.`);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    hits.map((hit) => ({
      label: hit.title || hit.key,
      description: [authorsShort(hit.authors), hit.year ?? ''].filter(Boolean).join(', '),
      detail: [hit.key, hit.venue].filter(Boolean).join(' · '),
      hit,
    })),
    { title: `Cite: ${hits.length} papers for “${query}”`, matchOnDescription: true, matchOnDetail: true },
  );
  if (!pick) {
    return;
  }
  await cite(editor, pick.hit.key, session);
}

/** Inserts the citation of `key` at the end of the selection, then its BibTeX entry into the bibliography. */
async function cite(editor: vscode.TextEditor, key: string, session: Session): Promise<void> {
  const document = editor.document;
  const at = editor.selection.end;
  const before = document.lineAt(at.line).text.slice(0, at.character);
  const flavour = flavourOf(document.languageId);
  const text = citationText(flavour, before, key);
  const inserted = await editor.edit((edit) => edit.insert(at, text));
  if (!inserted) {
    void vscode.window.showWarningMessage(`paper-ls: the editor refused to insert ${text}.`);
    return;
  }
  const end = document.positionAt(document.offsetAt(at) + text.length);
  editor.selection = new vscode.Selection(end, end);
  if (flavour !== 'other') {
    await insertBibtex(session, key, document.uri);
  }
}

async function insertBibtex(session: Session, key: string, uri: vscode.Uri): Promise<void> {
  const result = await session.execute<Insertion>('paper-ls.insertBibtex', [key, uri.toString()]);
  if (!result) {
    return;
  }
  const message = result.added
    ? `paper-ls: added ${result.key} to ${path.basename(result.file ?? '')}`
    : `paper-ls: ${result.reason ?? 'nothing added'}`;
  void vscode.window.showInformationMessage(message);
}

/** Adds the index's BibTeX entry for the citation key under the cursor to the document's bibliography. */
async function addBibtexEntry(session: Session): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('paper-ls: open a document with a citation first.');
    return;
  }
  const at = editor.selection.active;
  const key = keyAt(editor.document.lineAt(at.line).text, at.character);
  if (!key) {
    void vscode.window.showWarningMessage('paper-ls: no citation key under the cursor.');
    return;
  }
  await insertBibtex(session, key, editor.document.uri);
}

/** Picks bibliography files and runs `paper-ls add FILE...` on the index the settings name. */
async function addToIndex(session: Session): Promise<void> {
  const files = await vscode.window.showOpenDialog({
    canSelectMany: true,
    title: 'Add bibliography files to the paper index',
    openLabel: 'Add to the paper index',
    filters: { BibTeX: ['bib', 'bibtex'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  if (!files?.length) {
    return;
  }
  const found = session.locate();
  if (!found) {
    return;
  }
  const index = serverSettings().index as string;
  const args = ['add', ...files.map((f) => f.fsPath), ...(index ? ['--index', index] : [])];
  const output = session.output;
  output.show(true);
  output.appendLine(`$ ${[found.executable, ...args].join(' ')}`);
  const code = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Adding ${files.length} file(s) to the paper index…` },
    () => run(found.executable, args, output),
  );
  if (code === 0) {
    void vscode.window.showInformationMessage(`paper-ls: indexed ${files.map((f) => path.basename(f.fsPath)).join(', ')}.`);
  } else {
    void vscode.window.showErrorMessage(`paper-ls add failed (${code}); see the paper-ls output.`);
  }
}

/** Runs a command with its output in the channel; resolves to its exit code (or the spawn error). */
function run(executable: string, args: string[], output: vscode.OutputChannel): Promise<number | string> {
  return new Promise((resolve) => {
    const child = spawn(executable, args, { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
    child.stdout.on('data', (chunk: Buffer) => output.append(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.append(chunk.toString()));
    child.on('error', (error) => {
      output.appendLine(String(error));
      resolve(error.message);
    });
    child.on('close', (code) => resolve(code ?? 'killed'));
  });
}
