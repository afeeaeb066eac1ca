import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { commandLineOf, stopStaleProcess } from './stale-process';

// data/run/<name>.pid for the supervisor and each process it starts. The supervisor's own file
// keeps a second `npm start` off a data directory in use; the others let the next start stop
// what a supervisor killed with -9 left running (the Temporal dev server has no way to notice),
// each recognised by its command line before it is signalled.

export interface RunFiles {
  record(name: string, pid: number): void;
  forget(name: string): void;
}

export interface OwnedProcess {
  name: string;
  // A piece of the command line that only this process of this data directory has.
  marks: string[];
}

const supervisorName = 'supervisor';

function pidIn(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

export async function claimRunDirectory(dataDir: string, owned: OwnedProcess[]): Promise<RunFiles> {
  const directory = path.join(dataDir, 'run');
  mkdirSync(directory, { recursive: true });
  const file = (name: string) => path.join(directory, `${name}.pid`);
  if (existsSync(file(supervisorName))) {
    const pid = pidIn(file(supervisorName));
    if (commandLineOf(pid)?.includes('start-embedded')) {
      throw new Error(
        `npm start is already running on ${dataDir} (pid ${pid}); stop it first (Ctrl-C in its terminal).`,
      );
    }
  }
  writeFileSync(file(supervisorName), `${process.pid}\n`);
  for (const { name, marks } of owned) {
    if (!existsSync(file(name))) continue;
    await stopStaleProcess(pidIn(file(name)), (command) => marks.every((mark) => command.includes(mark)));
    rmSync(file(name), { force: true });
  }
  return {
    record: (name, pid) => writeFileSync(file(name), `${pid}\n`),
    forget: (name) => rmSync(file(name), { force: true }),
  };
}
