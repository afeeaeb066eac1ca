// Request bodies that succeed as they are against the demo data (`npm run seed:demo`, also run
// by `npm start`); only ids the demo generates are placeholders, and their summaries say where
// to find them. Swagger UI offers the first one in "Try it out".
import type { z } from 'zod';
import type { ActionName } from '../../contracts/action-catalogue';
import type { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';

type RequestBody = z.input<typeof fleetActionRequestSchema>;
type RequestBodyOf<Name extends ActionName> = Extract<RequestBody, { action: Name }>;

interface Example<Body extends RequestBody = RequestBody> {
  summary: string;
  description?: string;
  value: Body;
}

// Valid object ids (so the document validates) that no registry holds: replace them before sending.
export const placeholderIds = {
  command: 'ffffffffffffffffffffff01',
  configuration: 'ffffffffffffffffffffff02',
  setting: 'ffffffffffffffffffffff03',
  actionTemplate: 'ffffffffffffffffffffff04',
} as const;

const reboot: RequestBodyOf<'issue_command'> = { action: 'issue_command', gateway_command: 'reboot' };
const placeholderNote =
  'The ids ffff...01 (command), ffff...02 (configuration) and ffff...03 (setting) are placeholders: replace them with ids from GET /commands, /configurations and /settings (as sent, they answer 404).';
const sendLatestSetting: RequestBodyOf<'send_configuration'> = {
  action: 'send_configuration',
  configuration_id: placeholderIds.configuration,
  setting_id: placeholderIds.setting,
  command_id: placeholderIds.command,
  setting_version: 0,
};

// Keyed by the catalogue's actions, so a new action does not compile until it has an example;
// example names start with their action and are unique across the document.
export const actionExamples: { [Name in ActionName]: Record<string, Example<RequestBodyOf<Name>>> } = {
  issue_command: {
    issue_gateway_command: { summary: 'issue_command: reboot every device that supports it', value: reboot },
    issue_gateway_command_with_params: {
      summary: 'issue_command: a gateway command with parameters (log_level)',
      value: { action: 'issue_command', gateway_command: 'log_level', gateway_command_params: { level: 'debug' } },
    },
    issue_user_command: {
      summary: 'issue_command: a user-defined command (placeholder id)',
      description: `${placeholderNote} The demo has "Restart application" and "Identify (blink LED)".`,
      value: { action: 'issue_command', command_id: placeholderIds.command },
    },
  },
  add_tags: {
    add_tags: { summary: 'add_tags: tag every active device', value: { action: 'add_tags', tags: ['spring-2027'] } },
  },
  remove_tags: {
    remove_tags: {
      summary: 'remove_tags: take a tag off every active device (a device without it is left as it is)',
      value: { action: 'remove_tags', tags: ['spring-2027'] },
    },
  },
  add_metadata: {
    add_metadata: {
      summary: 'add_metadata: merge keys into every active device',
      value: { action: 'add_metadata', metadata: { owner: 'ops', maintenance: '2027-03' } },
    },
  },
  update_heartbeat: {
    update_heartbeat: {
      summary: 'update_heartbeat: new period and values, pushed to each device',
      value: { action: 'update_heartbeat', heartbeat_period: 120, heartbeat_values: ['cpu_usage', 'ram_usage'] },
    },
  },
  send_configuration: {
    send_configuration: {
      summary: 'send_configuration: the latest version of a setting (placeholder ids)',
      description: `${placeholderNote} In the demo: configuration "Gateway defaults", setting "Network", command "Apply configuration"; use the "Gateways" fleet.`,
      value: sendLatestSetting,
    },
  },
};

const withRollout = (rollout: RequestBodyOf<'issue_command'>['rollout']) => ({ ...reboot, rollout });

export const rolloutExamples: Record<string, Example> = {
  rollout_max_in_flight: {
    summary: 'rollout.max_in_flight: at most 50 devices awaiting an answer',
    value: withRollout({ max_in_flight: 50 }),
  },
  rollout_rate_per_minute: {
    summary: 'rollout.rate_per_minute: 120 new commands a minute',
    value: withRollout({ rate_per_minute: 120 }),
  },
  rollout_device_timeout: {
    summary: 'rollout.device_timeout_seconds: give each device 2 minutes',
    value: withRollout({ device_timeout_seconds: 120 }),
  },
  rollout_retry: {
    summary: 'rollout.retry: 5 sends, 5 s apart then doubling, within the deadline',
    value: withRollout({
      device_timeout_seconds: 300,
      retry: { max_attempts: 5, initial_interval_seconds: 5, backoff_coefficient: 2, max_interval_seconds: 60 },
    }),
  },
  rollout_canary: {
    summary: 'rollout.canary: 5 % first, continue if 90 % of them succeed',
    description:
      'skip_offline keeps devices that are not online out of the canary: an offline device cannot answer and would count against it.',
    value: withRollout({ canary: { percent: 5, min_success_rate: 0.9 }, skip_offline: true }),
  },
  rollout_canary_pause: {
    summary: 'rollout.canary then: pause: 10 devices first, then wait for POST .../resume',
    value: withRollout({ canary: { count: 10, min_success_rate: 1, then: 'pause' }, skip_offline: true }),
  },
  rollout_abort: {
    summary: 'rollout.abort: stop once 20 % of 20 finished devices failed or timed out',
    value: withRollout({ abort: { failure_rate: 0.2, min_finished: 20 } }),
  },
  rollout_abort_criteria: {
    summary: 'rollout.abort as criteria per failure type: the first one met stops the rollout and is named',
    value: withRollout({
      abort: [
        { on: 'timed_out', rate: 0.2, min_finished: 20 },
        { on: 'fail', count: 10 },
      ],
    }),
  },
  rollout_stages: {
    summary: 'rollout.stages: 1 %, then 10 % after 60 s of bake and an approval, then the rest',
    description:
      'Each stage draws devices online at dispatch; its gate judges its own answered devices after its bake. then: approve waits for POST .../approve by an operator or admin other than the one who started it.',
    value: withRollout({
      stages: [
        { percent: 1, min_success_rate: 1 },
        { percent: 10, min_success_rate: 0.95, bake_seconds: 60, then: 'approve' },
      ],
    }),
  },
  rollout_ramp: {
    summary: 'rollout.ramp: 60 a minute, doubled every 50 devices that succeeded, at most 600 a minute',
    value: withRollout({ ramp: { start_per_minute: 60, factor: 2, every_succeeded: 50, max_per_minute: 600 } }),
  },
  rollout_confirm_health: {
    summary: 'rollout.confirm_health: success only once the device is heard alive again within 2 minutes',
    description:
      'A device that answers success but is not seen again (a heartbeat or a reconnect after its answer) within the time ends unhealthy; gates and abort criteria count unhealthy as failed. max_device_seconds caps how far a device may push its deadline by reporting progress.',
    value: withRollout({ confirm_health: { within_seconds: 120 }, max_device_seconds: 3600 }),
  },
  rollout_approval: {
    summary: 'rollout.approval: nothing is sent until someone other than the creator approves',
    value: withRollout({ approval: { required: true } }),
  },
  rollout_end_at: {
    summary: 'rollout.end_at: nothing new is sent after the time; on_end cancel also cancels devices still waiting',
    value: withRollout({ rate_per_minute: 60, end_at: '2099-01-01T18:00:00Z', on_end: 'stop' }),
  },
  priority: {
    summary: "priority 1: ahead of the company's other rollouts on the task queue",
    value: { ...reboot, priority: 1 },
  },
  rollout_skip_offline: {
    summary: 'rollout.skip_offline: only devices online now',
    value: withRollout({ skip_offline: true }),
  },
  rollout_force: {
    summary: 'rollout.force: re-send a setting devices already apply (placeholder ids)',
    description: placeholderNote,
    value: { ...sendLatestSetting, rollout: { force: true } },
  },
  rollout_start_at: {
    summary: 'rollout.start_at: stays pending until the given time (cancel it with POST .../cancel)',
    value: withRollout({ start_at: '2030-01-01T08:00:00Z' }),
  },
  rollout_windows: {
    summary: 'rollout.windows: reboot only 02:00-04:00 on weekdays and 01:00-06:00 at weekends, Berlin time',
    description:
      'Devices are dispatched only inside a window, in its time zone; outside one the rollout waits and `waiting_for` says until when. A device\'s deadline is cut at its window\'s end, so one that has not answered by then ends timed_out (retry with statuses ["timed_out"] in a later window).',
    value: withRollout({
      device_timeout_seconds: 300,
      windows: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '02:00', end: '04:00', timezone: 'Europe/Berlin' },
        { days: ['sat', 'sun'], start: '01:00', end: '06:00', timezone: 'Europe/Berlin' },
      ],
    }),
  },
  rollout_continuous: {
    summary: 'rollout.continuous: add_tags now, and to every device that comes to match the fleet until `until`',
    description:
      'The bulk response stays processing until `until` (cancel it with POST .../cancel): every check_interval_seconds the fleet is checked, and devices created, re-tagged, re-typed or reactivated into it get the action once each.',
    value: {
      action: 'add_tags',
      tags: ['spring-2027'],
      rollout: { continuous: { until: '2030-01-31T00:00:00Z', check_interval_seconds: 60 } },
    },
  },
};

const templateNote =
  'The id ffff...04 is a placeholder: replace it with an id from GET /action_templates (the demo has "Reboot with a 1 % canary"); as sent, it answers 404.';

export const templateExamples: Record<string, { summary: string; description: string; value: object }> = {
  template: {
    summary: 'template_id: start an action template as saved (placeholder id)',
    description: templateNote,
    value: { template_id: placeholderIds.actionTemplate },
  },
  template_with_overrides: {
    summary: "template_id with overrides: a shorter deadline, the template's canary kept (placeholder id)",
    description: `${templateNote} Top-level fields replace the template's, rollout is merged one level deep, null removes a field.`,
    value: { template_id: placeholderIds.actionTemplate, rollout: { device_timeout_seconds: 60, skip_offline: true } },
  },
};

// The document's examples: every action's, the rollout controls', then the templates' (the first is the one
// Swagger UI offers in "Try it out").
export const fleetActionExamples: Record<string, Example> = Object.fromEntries([
  ...Object.values<Record<string, Example>>(actionExamples).flatMap((examples) => Object.entries(examples)),
  ...Object.entries(rolloutExamples),
  ...Object.entries(templateExamples),
]) as Record<string, Example>;

export const previewAnswerExample = {
  total: 1000,
  eligible: 855,
  online: 800,
  offline: 55,
  skipped: { inactive: 50, gateway_command_not_supported: 95 },
};
