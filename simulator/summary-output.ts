import { writeFileSync, writeSync } from 'node:fs';
import type { SimulatorStats } from './simulator-stats';

// Written synchronously, before connections are closed: whatever happens to the process after
// a signal (a forced kill by a parent, a hung socket), the summary is already out.
export function writeSummary(summary: SimulatorStats, summaryFile: string | undefined): void {
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  if (summaryFile) writeFileSync(summaryFile, text);
  try {
    writeSync(process.stdout.fd, text);
  } catch {
    // A full non-blocking pipe answers EAGAIN: hand the text to the stream instead.
    process.stdout.write(text);
  }
}
