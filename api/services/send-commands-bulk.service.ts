import { setTimeout as delay } from 'node:timers/promises';
import {
  commandsOf,
  type SendCommandsBulkItem,
  type SendCommandsBulkRequest,
} from '../../contracts/send-commands-bulk.schema';
import type { DeviceStatus } from '../../contracts/statuses';
import { listDeviceStates } from '../../registry/device-results.repository';
import { findDevicesBySerials, type SerialDevice } from '../../registry/device-serials.repository';
import type { Caller } from '../caller';
import type { ApiDependencies } from '../dependencies';
import { resolveDeviceCommands } from './resolve-action-target.service';
import { namedDevicesSummary } from '../../contracts/rollout-summary';
import { startBulkAction } from './start-bulk-action.service';

// How long the request waits for its commands to be published. Offline devices do not delay it
// (their command is queued for them at once, status `enqueued`); past this bound a device not
// yet reached answers "Command queued" and the bulk response carries on.
export const dispatchWaitMilliseconds = 10_000;
const pollIntervalMilliseconds = { first: 50, maximum: 250 };
// The widest window a rollout allows: a full request (1,000 devices) is then one batch, so a few
// offline devices cannot hold back the others' dispatch behind them.
const dispatchWindow = 500;

type Body = SendCommandsBulkItem['original'];
type DeviceState = { status: DeviceStatus; reason: string | null };

export interface SendCommandsBulkResult {
  items: SendCommandsBulkItem[];
  bulkResponseId: string | null;
}

const item = (original: Body): SendCommandsBulkItem => ({ headers: {}, original, exception: null });

// Why a device cannot take the request, in IRIS360 words; undefined when it can.
function refusalOf(device: SerialDevice | undefined, serial: string, names: string[]): Body | undefined {
  if (!device) return { errors: `Device not found: ${serial}` };
  if (!device.active) return { errors: `Device is inactive: ${serial}` };
  const unavailable = names.filter((name) => device.actions[name] !== true);
  if (unavailable.length > 0) return { errors: `You cannot send any of: ${unavailable.join(', ')}` };
  return undefined;
}

// Answers each serial in request order; the devices that can take every command form one bulk
// response, and the answer waits (bounded) until their commands are published.
export async function sendCommandsBulk(
  dependencies: ApiDependencies,
  caller: Caller,
  body: SendCommandsBulkRequest,
  dispatchWait = dispatchWaitMilliseconds,
): Promise<SendCommandsBulkResult> {
  const commands = commandsOf(body);
  const names = Object.keys(commands);
  const serials = body.device_serials;
  const devices = await findDevicesBySerials(dependencies.database, caller.companyId, [...new Set(serials)]);
  const bySerial = new Map(devices.map((device) => [device.unique_id, device]));
  const dispatchable = devices.filter((device) => !refusalOf(device, device.unique_id, names));
  if (dispatchable.length === 0) {
    return {
      items: serials.map((serial) => item(refusalOf(bySerial.get(serial), serial, names)!)),
      bulkResponseId: null,
    };
  }
  const command = resolveDeviceCommands(commands);
  const started = await startBulkAction(dependencies, {
    caller,
    fleetId: null,
    request: { action: 'issue_command', commands, rollout: { max_in_flight: dispatchWindow } },
    source: { kind: 'devices', deviceIds: dispatchable.map((device) => device.id).sort() },
    command,
    summary: namedDevicesSummary('issue_command', command, dispatchable.length),
  });
  const states = await waitForDispatch(dependencies, started.bulkResponseId, dispatchable.length, dispatchWait);
  const items = serials.map((serial) => {
    const device = bySerial.get(serial);
    return item(refusalOf(device, serial, names) ?? dispatchAnswer(states.get(device!.id), serial, names));
  });
  return { items, bulkResponseId: started.bulkResponseId };
}

// Every dispatchable device gets a row once its command is published (or it is settled without
// it); polls those rows until all are there or the bound passes.
async function waitForDispatch(
  dependencies: ApiDependencies,
  bulkResponseId: string,
  deviceCount: number,
  dispatchWait: number,
): Promise<Map<string, DeviceState>> {
  const deadline = Date.now() + dispatchWait;
  let interval = pollIntervalMilliseconds.first;
  for (;;) {
    const rows = await listDeviceStates(dependencies.database, bulkResponseId);
    const states = new Map(rows.map((row) => [row.device_id, { status: row.status, reason: row.reason }]));
    // A `pending` row is a device its batch has taken but not yet sent to: not reached yet.
    const reached = rows.filter((row) => row.status !== 'pending').length;
    const remaining = deadline - Date.now();
    if (reached >= deviceCount || remaining <= 0) return states;
    await delay(Math.min(interval, remaining));
    interval = Math.min(interval * 2, pollIntervalMilliseconds.maximum);
  }
}

// A device skipped or canceled between this check and its turn (deactivated, type changed, bulk
// response canceled) is told so; every other recorded state means the command was published.
function dispatchAnswer(state: DeviceState | undefined, serial: string, names: string[]): Body {
  if (!state || state.status === 'pending') return { data: 'Command queued' };
  if (state.status === 'skipped') {
    return state.reason === 'inactive'
      ? { errors: `Device is inactive: ${serial}` }
      : { errors: `You cannot send any of: ${names.join(', ')}` };
  }
  if (state.status === 'canceled') return { errors: `Command canceled: ${serial}` };
  return { data: 'Command sent!!' };
}
