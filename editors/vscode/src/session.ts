// The language client: finds and starts `paper-ls serve`, passes it the `paper-ls.*` settings, restarts it.
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';
import { expandPath, findServer, Found } from './executable';

/** The document languages the server serves: VS Code's and LaTeX Workshop's, Quarto's, R Markdown's. */
export const LANGUAGES = ['latex', 'tex', 'bibtex', 'markdown', 'quarto', 'rmd', 'rmarkdown'];
const SECTION = 'paper-ls';

function folders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** The server's settings as it reads them, with `index` made absolute the way the user meant it. */
export function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const index = config.get<string>('index', '');
  return {
    index: index.trim() ? expandPath(index, folders()) : '',
    bibliography: config.get<string[]>('bibliography', []), // the server takes these from the workspace root
    citationCommands: config.get<string[]>('citationCommands', []),
    maxItems: config.get<number>('maxItems', 50),
    searchAbstracts: config.get<boolean>('searchAbstracts', true),
    readOutsideWorkspace: config.get<boolean>('readOutsideWorkspace', false),
  };
}

/** The running client and what it needs to start again: one per window. */
export class Session {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;

  constructor(readonly output: vscode.OutputChannel) {}

  /** The `paper-ls` executable as the settings and workspace say now, with a message if none. */
  locate(): Found | undefined {
    const found = findServer({
      serverPath: vscode.workspace.getConfiguration(SECTION).get<string>('serverPath', ''),
      interpreterPath: vscode.workspace.getConfiguration('python').get<string>('defaultInterpreterPath', ''),
      folders: folders(),
      envPath: process.env.PATH ?? '',
      platform: process.platform,
    });
    if (!found) {
      const message =
        'paper-ls: no paper-ls executable found: not at paper-ls.serverPath, in the workspace\'s .venv, ' +
        'beside python.defaultInterpreterPath, nor on PATH. Install paper-ls or set paper-ls.serverPath.';
      this.output.appendLine(message);
      void vscode.window.showErrorMessage(message, 'Open Settings').then((choice) => {
        if (choice) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'paper-ls.serverPath');
        }
      });
    }
    return found;
  }

  /** The running client, started first if need be; undefined (after telling the user) if it cannot run. */
  async ready(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) {
      return this.client;
    }
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<LanguageClient | undefined> {
    const found = this.locate();
    if (!found) {
      return undefined;
    }
    this.output.appendLine(`paper-ls: starting ${found.executable} serve (found via ${found.how})`);
    const serverOptions: ServerOptions = {
      command: found.executable,
      args: ['serve'], // stdio; not TransportKind.stdio, which would append --stdio
      options: { cwd: folders()[0] },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
      outputChannel: this.output,
      initializationOptions: { [SECTION]: serverSettings() },
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.bib') },
      middleware: {
        workspace: {
          // The server pulls its section; answer with the same absolute paths as at start.
          configuration: async (params, token, next) => {
            const answers = await next(params, token);
            if (!Array.isArray(answers)) {
              return answers;
            }
            return params.items.map((item, i) => (item.section === SECTION ? serverSettings() : answers[i] as unknown));
          },
        },
      },
    };
    const client = new LanguageClient('paper-ls', 'paper-ls', serverOptions, clientOptions);
    try {
      await client.start();
    } catch (error) {
      const message = `paper-ls: could not start ${found.executable} serve: ${String(error)}`;
      this.output.appendLine(message);
      void vscode.window.showErrorMessage(message, 'Show Output').then((choice) => choice && this.output.show());
      await client.dispose().catch(() => undefined); // no more restarts of a server that cannot start
      return undefined;
    }
    this.client = client;
    return client;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) {
      await client.stop();
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.ready();
  }

  /** Runs a server command (`workspace/executeCommand`) and returns its result. */
  async execute<T>(command: string, args: unknown[]): Promise<T | undefined> {
    const client = await this.ready();
    if (!client) {
      return undefined;
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  /** Settings changed: the server gets them at once; a new serverPath means a new server. */
  async configurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
    if (event.affectsConfiguration(`${SECTION}.serverPath`) || event.affectsConfiguration('python.defaultInterpreterPath')) {
      await this.restart();
    } else if (event.affectsConfiguration(SECTION) && this.client?.isRunning()) {
      await this.client.sendNotification('workspace/didChangeConfiguration', { settings: { [SECTION]: serverSettings() } });
    }
  }
}
