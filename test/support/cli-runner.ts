import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';

const binary = path.resolve(import.meta.dirname, '../../bin/fleet-actions.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

// The real `fleet-actions` binary in a child process, as an operator runs it, against the API
// listening on a free loopback port; its token cache lives in a throw-away directory.
export async function listen(handler: Express): Promise<Server> {
  const listening = handler.listen(0, '127.0.0.1');
  await new Promise((resolve) => listening.once('listening', resolve));
  return listening;
}

export const urlOf = (listening: Server) => `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;

export async function closeServer(listening: Server | undefined): Promise<void> {
  listening?.closeAllConnections();
  await new Promise((resolve) => (listening ? listening.close(resolve) : resolve(undefined)));
}

export function runCli(args: string[], environment: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binary, ...args],
      { env: { ...process.env, ...environment }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
