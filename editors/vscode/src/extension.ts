// paper-ls for VS Code: starts `paper-ls serve` for LaTeX, BibTeX and Markdown-family documents, passes the
// `paper-ls.*` settings, and adds four commands (see commands.ts). The server does the work.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Session } from './session';

let session: Session | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('paper-ls');
  session = new Session(output);
  context.subscriptions.push(
    output,
    ...registerCommands(session),
    vscode.workspace.onDidChangeConfiguration((event) => session?.configurationChanged(event)),
  );
  await session.ready();
}

export async function deactivate(): Promise<void> {
  await session?.stop();
}
