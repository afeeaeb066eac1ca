import type { Command } from 'commander';
import { authenticatedClient } from '../api-client';
import type { AuditEntry } from '../api-types';
import { printJson, printTable, type GlobalOptions } from '../output';

interface AuditOptions {
  actor?: string;
  action?: string;
  object?: string;
  since?: string;
  until?: string;
  limit: string;
  page: string;
}

const durationUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// "24h" (or 30m, 7d, ...) means that long ago; anything else goes to the server as it is (an ISO
// time), and the server's 400 names it if it is neither.
export function instantOf(value: string, now = Date.now()): string {
  const duration = /^(\d+)([smhd])$/.exec(value.trim());
  if (!duration) return value;
  return new Date(now - Number(duration[1]) * durationUnits[duration[2]!]!).toISOString();
}

function objectOf(entry: AuditEntry): string {
  const created = entry.result.bulk_response_id;
  const object = `${entry.object.type} ${entry.object.id ?? '-'}`;
  return created && created !== entry.object.id ? `${object} -> ${created}` : object;
}

// `fleet-actions audit` (admin): the company's audit trail, newest first.
export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('The audit trail (admin): who started, steered or changed what, newest first')
    .option('--actor <email|id>', 'only this user')
    .option('--action <name>', 'only this action, e.g. bulk_response.start, token.login, user.update')
    .option('--object <id>', 'only entries about this object (or the bulk response it created)')
    .option('--since <time>', 'from this ISO time, or this long ago: 30m, 24h, 7d')
    .option('--until <time>', 'before this ISO time, or this long ago')
    .option('--limit <n>', 'entries per page', '50')
    .option('--page <n>', 'page number', '1')
    .action(async (options: AuditOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const query = new URLSearchParams({ per_page: options.limit, page: options.page });
      if (options.actor) query.set('actor', options.actor);
      if (options.action) query.set('action', options.action);
      if (options.object) query.set('object_id', options.object);
      if (options.since) query.set('since', instantOf(options.since));
      if (options.until) query.set('until', instantOf(options.until));
      const entries = await client.request<AuditEntry[]>('GET', `/audit?${query.toString()}`);
      if (globals.json) return printJson(entries);
      printTable(
        ['AT', 'ACTOR', 'ROLE', 'ADDRESS', 'ACTION', 'OBJECT', 'STATUS'],
        entries.map((entry) => [
          entry.at,
          entry.actor.email,
          entry.actor.role,
          entry.address,
          entry.action,
          objectOf(entry),
          String(entry.result.status_code),
        ]),
      );
    });
}
