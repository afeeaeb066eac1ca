import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

// One Temporal Core runtime per process, quiet, installed by whichever bench part needs it first.
export function installBenchRuntime(): void {
  if (installed) return;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  installed = true;
}
