import assert from 'node:assert/strict';
import { test } from 'node:test';
import { skipReasonOf } from '../../registry/device-eligibility';
import { resolveDeviceCommands } from '../../api/services/resolve-action-target.service';
import {
  bulkActionRequestSchema,
  commandsOf,
  isDeviceCommandsRequest,
  sendCommandsBulkRequestSchema,
} from '../../contracts/send-commands-bulk.schema';
import type { BatchDeviceRow } from '../../registry/device-batch.repository';

const now = new Date('2026-01-01T12:00:00Z');
const device = (actions: Record<string, boolean>, active = true): BatchDeviceRow => ({
  id: 'a'.repeat(24),
  unique_id: 'GW-1',
  active,
  device_type_id: 'b'.repeat(24),
  device_type: 'gateway',
  actions,
  last_seen_at: now,
  heartbeat_period: 60,
  connected: null,
  presence_changed_at: null,
  applied_settings: {},
});

test('when a body names serials and commands, then every key but device_serials is a command, in order', () => {
  const body = sendCommandsBulkRequestSchema.parse({
    w_ota: true,
    device_serials: ['ONE001'],
    log_level: { level: 'debug' },
  });
  assert.deepEqual(commandsOf(body), { w_ota: true, log_level: { level: 'debug' } });
});

test('when command names together exceed what a device message may name, then the body is refused', () => {
  const commands = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`command_number_${index}`, true]));
  const parsed = sendCommandsBulkRequestSchema.safeParse({ device_serials: ['A'], ...commands });
  assert.equal(parsed.success, false);
  assert.deepEqual(
    parsed.error?.issues.map((issue) => issue.path.join('.')),
    ['command'],
  );
});

test('when IRIS commands are resolved, then one command carries them all and requires each capability', () => {
  assert.deepEqual(resolveDeviceCommands({ reboot: true, log_level: { level: 'debug' } }), {
    kind: 'command',
    name: 'reboot+log_level',
    payload: { reboot: true, log_level: { level: 'debug' } },
    requiredActions: ['reboot', 'log_level'],
  });
});

test('when a device lacks one required capability or is inactive, then it is skipped; with all of them it is eligible', () => {
  const command = resolveDeviceCommands({ reboot: true, status: {} });
  assert.equal(skipReasonOf(device({ reboot: true, status: true }), command, undefined, now), undefined);
  assert.equal(skipReasonOf(device({ reboot: true }), command, undefined, now), 'gateway_command_not_supported');
  assert.equal(
    skipReasonOf(device({ reboot: true, status: false }), command, undefined, now),
    'gateway_command_not_supported',
  );
  assert.equal(skipReasonOf(device({ reboot: true, status: true }, false), command, undefined, now), 'inactive');
});

test('when a stored bulk response request is re-read, then IRIS and EdgeIQ requests both parse and are told apart', () => {
  const iris = bulkActionRequestSchema.parse({
    action: 'issue_command',
    commands: { reboot: true },
    rollout: { max_in_flight: 500 },
  });
  const edgeIq = bulkActionRequestSchema.parse({ action: 'issue_command', gateway_command: 'reboot' });
  assert.equal(isDeviceCommandsRequest(iris), true);
  assert.equal(isDeviceCommandsRequest(edgeIq), false);
});
