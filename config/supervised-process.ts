// A service process started by `npm start`'s supervisor (scripts/start-embedded.ts) has an IPC
// channel to it. Through it the process says when it serves, and it notices the supervisor going
// away, even by kill -9: it then runs its own shutdown as if sent SIGTERM, so no orphan keeps a
// port. Without a channel (docker-compose, `npm run start:api`) both are no-ops.

export function announceReady(details: Record<string, unknown> = {}): void {
  process.send?.({ ready: true, ...details });
}

export function stopWithSupervisor(): void {
  if (!process.send) return;
  // The channel must not keep a process alive whose work has ended.
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
