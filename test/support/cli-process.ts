import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';

const binary = path.resolve(import.meta.dirname, '../../bin/fleet-actions.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliSession {
  run(...args: string[]): Promise<CliRun>;
  close(): Promise<void>;
}

// The real `fleet-actions` binary in a child process, as an operator runs it, against the app
// listening on a free loopback port; its token cache lives in a throw-away directory.
export async function openCliSession(app: Express): Promise<CliSession> {
  const listening: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listening.once('listening', resolve));
  const configDir = mkdtempSync(path.join(tmpdir(), 'fleet-actions-cli-'));
  const environment = {
    ...process.env,
    FLEET_ACTIONS_API: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`,
    FLEET_ACTIONS_CONFIG_DIR: configDir,
  };
  return {
    run: (...args) =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [binary, ...args],
          { env: environment, timeout: 120_000 },
          (error, stdout, stderr) => {
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
          },
        );
      }),
    close: async () => {
      listening.closeAllConnections();
      await new Promise((resolve) => listening.close(resolve));
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}
