// Where the `paper-ls` executable is: the setting, else the workspace's Python environment, else PATH.
// Kept free of the `vscode` module so it can be tested with plain Node.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface Found {
  executable: string;
  /** How it was found, for the output channel: "setting", "workspace .venv", "PATH", ... */
  how: string;
}

export interface Lookup {
  /** `paper-ls.serverPath`, possibly empty. */
  serverPath: string;
  /** `python.defaultInterpreterPath`, possibly empty or just `python`. */
  interpreterPath: string;
  /** The workspace folders' paths, first one first. */
  folders: string[];
  /** The PATH to search last. */
  envPath: string;
  platform: NodeJS.Platform;
}

const isWindows = (platform: NodeJS.Platform): boolean => platform === 'win32';

/** `~` and `${workspaceFolder}` expanded; a relative path taken from the first folder. */
export function expandPath(value: string, folders: string[]): string {
  let expanded = value.trim().replace(/\$\{workspaceFolder\}/g, folders[0] ?? '');
  if (expanded === '~' || expanded.startsWith('~/') || expanded.startsWith('~\\')) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  if (!path.isAbsolute(expanded) && folders.length > 0) {
    expanded = path.join(folders[0], expanded);
  }
  return expanded;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function scriptNames(platform: NodeJS.Platform): string[] {
  return isWindows(platform) ? ['paper-ls.exe', 'paper-ls.cmd', 'paper-ls'] : ['paper-ls'];
}

/** The `paper-ls` script in a virtual environment's folder, if there is one. */
function inEnvironment(env: string, platform: NodeJS.Platform): string | undefined {
  const bin = path.join(env, isWindows(platform) ? 'Scripts' : 'bin');
  return scriptNames(platform)
    .map((name) => path.join(bin, name))
    .find(isExecutable);
}

/**
 * The executable to start, or undefined with nothing found. A serverPath that does not exist is
 * returned as is: starting it fails with a message naming it, rather than silently using another.
 */
export function findServer(lookup: Lookup): Found | undefined {
  if (lookup.serverPath.trim()) {
    return { executable: expandPath(lookup.serverPath, lookup.folders), how: 'setting paper-ls.serverPath' };
  }
  for (const folder of lookup.folders) {
    for (const env of ['.venv', 'venv', '.env', 'env']) {
      const found = inEnvironment(path.join(folder, env), lookup.platform);
      if (found) {
        return { executable: found, how: `workspace environment ${env}` };
      }
    }
  }
  const interpreter = lookup.interpreterPath.trim();
  if (interpreter && (path.isAbsolute(interpreter) || /[\\/]/.test(interpreter) || interpreter.includes('${'))) {
    const dir = path.dirname(expandPath(interpreter, lookup.folders));
    const found = scriptNames(lookup.platform)
      .map((name) => path.join(dir, name))
      .find(isExecutable);
    if (found) {
      return { executable: found, how: 'beside python.defaultInterpreterPath' };
    }
  }
  for (const dir of lookup.envPath.split(path.delimiter).filter(Boolean)) {
    const found = scriptNames(lookup.platform)
      .map((name) => path.join(dir, name))
      .find(isExecutable);
    if (found) {
      return { executable: found, how: 'PATH' };
    }
  }
  return undefined;
}
