// Resolves on the first SIGINT, SIGTERM or SIGHUP and keeps listening afterwards, so the later
// copies of the signal are ignored: Ctrl-C reaches the whole process group (npm, tsx's parent
// and this process), npm and tsx's parent forward it once more, and tsx exits a process whose
// own listeners are gone, which used to kill the simulator before it wrote its summary.

export const shutdownSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ShutdownSignal = (typeof shutdownSignals)[number];

export function firstShutdownSignal(target: NodeJS.Process = process): Promise<ShutdownSignal> {
  return new Promise((resolve) => {
    for (const signal of shutdownSignals) target.on(signal, () => resolve(signal));
  });
}
