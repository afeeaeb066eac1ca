import type { Command } from 'commander';
import { bulkResponseEventNames } from '../../contracts/webhook-events';
import { authenticatedClient } from '../api-client';
import type { Webhook, WebhookCreated, WebhookDelivery } from '../api-types';
import { printJson, printLines, printTable, type GlobalOptions } from '../output';

interface CreateOptions {
  url: string;
  event: string[];
  secret?: string;
}

interface ListOptions {
  limit: string;
}

const eventPrefix = 'bulk_response.';

// `started` is short for `bulk_response.started`; a list may be split by commas or spaces. The
// server checks the names (its 400 lists what is wrong).
function eventNamesOf(values: string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter((name) => name.length > 0)
    .map((name) => (name.startsWith(eventPrefix) ? name : `${eventPrefix}${name}`));
}

const webhookRow = (webhook: Webhook) => [webhook._id, webhook.url, webhook.events.join(','), webhook.created_at];
const webhookHeader = ['ID', 'URL', 'EVENTS', 'CREATED'];

function printWebhooks(globals: GlobalOptions, webhooks: Webhook[]): void {
  if (globals.json) printJson(webhooks);
  else printTable(webhookHeader, webhooks.map(webhookRow));
}

function printCreated(globals: GlobalOptions, created: WebhookCreated): void {
  if (globals.json) return printJson(created);
  printTable([...webhookHeader, 'SECRET'], [[...webhookRow(created), created.secret]]);
  process.stderr.write('The secret is shown only now: keep it to verify X-Fleet-Signature.\n');
}

function printDeliveries(globals: GlobalOptions, deliveries: WebhookDelivery[]): void {
  if (globals.json) return printJson(deliveries);
  printTable(
    ['FINISHED', 'EVENT_ID', 'ATTEMPT', 'OUTCOME', 'HTTP', 'ERROR'],
    deliveries.map((delivery) => [
      delivery.finished_at,
      delivery.event_id,
      String(delivery.attempt),
      delivery.outcome,
      delivery.status_code === null ? '-' : String(delivery.status_code),
      delivery.error ?? '',
    ]),
  );
}

function registerCreate(webhooks: Command): void {
  webhooks
    .command('create')
    .description('Register a receiver of bulk-response events; prints its secret once')
    .requiredOption('--url <url>', 'http(s) URL the events are POSTed to')
    .requiredOption(
      '--event <name...>',
      `events to send: ${bulkResponseEventNames.map((name) => name.slice(eventPrefix.length)).join(', ')} (with or without "${eventPrefix}")`,
    )
    .option('--secret <secret>', 'signing secret, 8-256 characters (generated when absent)')
    .action(async (options: CreateOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const body = { url: options.url, events: eventNamesOf(options.event), secret: options.secret };
      printCreated(globals, await client.request<WebhookCreated>('POST', '/webhooks', { body }));
    });
}

function registerReads(webhooks: Command): void {
  webhooks
    .command('list')
    .description("The company's webhooks")
    .option('--limit <n>', 'how many', '100')
    .action(async (options: ListOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const query = new URLSearchParams({ per_page: options.limit });
      printWebhooks(globals, await client.request<Webhook[]>('GET', `/webhooks?${query.toString()}`));
    });
  webhooks
    .command('get')
    .description('One webhook (without its secret)')
    .argument('<id>', 'webhook id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      printWebhooks(globals, [await client.request<Webhook>('GET', `/webhooks/${id}`)]);
    });
  webhooks
    .command('deliveries')
    .description("A webhook's delivery attempts, newest first (outcome delivered, failed or refused)")
    .argument('<id>', 'webhook id')
    .option('--limit <n>', 'how many', '100')
    .action(async (id: string, options: ListOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const query = new URLSearchParams({ per_page: options.limit });
      const path = `/webhooks/${id}/deliveries?${query.toString()}`;
      printDeliveries(globals, await client.request<WebhookDelivery[]>('GET', path));
    });
}

// `fleet-actions webhooks ...` (admin): the /webhooks API (SPEC §8) from the command line.
export function registerWebhooksCommand(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('Receivers of bulk-response events (admin): list, create, get, delete, deliveries');
  registerReads(webhooks);
  registerCreate(webhooks);
  webhooks
    .command('delete')
    .description('Delete a webhook; its pending deliveries stop')
    .argument('<id>', 'webhook id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = await authenticatedClient(globals.api);
      const deleted = await client.request<{ _id: string; deleted: boolean }>('DELETE', `/webhooks/${id}`);
      if (globals.json) printJson(deleted);
      else printLines([`deleted ${deleted._id}`]);
    });
}
