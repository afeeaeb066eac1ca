import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { actionBodyOf, addActionOptions, type ActionOptions } from '../../cli/action-body';
import { CliError } from '../../cli/cli-error';
import { actionNames } from '../../contracts/action-catalogue';
import { fleetActionRequestSchema } from '../../contracts/fleet-action.schema';

// The flags of `preview` and `start` parsed by commander as the binary parses them, then turned
// into the body the CLI would send (nothing is sent here).
function bodyOf(...args: string[]) {
  const command = addActionOptions(new Command('start').exitOverride()).argument('<fleet>');
  command.parse(['fleet-x', ...args], { from: 'user' });
  return actionBodyOf(command.opts<ActionOptions>());
}

const usageError = (pattern: RegExp) => (error: unknown) => error instanceof CliError && pattern.test(error.message);

describe('fleet-action bodies from CLI flags (no server)', () => {
  it('when an action is given with its flags, then the body holds exactly its fields, parsed', async () => {
    assert.deepEqual(await bodyOf('--action', 'add_tags', '--tags', 'a, b'), { action: 'add_tags', tags: ['a', 'b'] });
    assert.deepEqual(await bodyOf('--action', 'remove_tags', '--tags', 'a,b'), {
      action: 'remove_tags',
      tags: ['a', 'b'],
    });
    assert.deepEqual(await bodyOf('--action', 'add_metadata', '--metadata', 'owner=ops,site=b'), {
      action: 'add_metadata',
      metadata: { owner: 'ops', site: 'b' },
    });
    assert.deepEqual(
      await bodyOf(
        '--action',
        'update_heartbeat',
        '--heartbeat-period',
        '60',
        '--heartbeat-values',
        'cpu_usage,ram_usage',
      ),
      { action: 'update_heartbeat', heartbeat_period: 60, heartbeat_values: ['cpu_usage', 'ram_usage'] },
    );
  });

  it('when a flag belongs to another action, then it is a usage error naming the flag and what the action takes', async () => {
    await assert.rejects(
      bodyOf('--action', 'issue_command', '--gateway-command', 'reboot', '--tags', 'x'),
      usageError(/^--tags: not for issue_command, which takes .*--gateway-command/),
    );
    await assert.rejects(
      bodyOf('--action', 'add_tags', '--setting-id', 'x'),
      usageError(/^--setting-id: not for add_tags/),
    );
  });

  it('when the action is unknown or missing, then it is a usage error listing the actions', async () => {
    await assert.rejects(bodyOf('--action', 'frob'), usageError(/--action must be one of issue_command, /));
    await assert.rejects(bodyOf('--tags', 'x'), usageError(/--action .* is required/));
  });

  it('when --body names the action, then the flags complete and override it', async () => {
    const body = await bodyOf(
      '--body',
      '{"action": "add_tags", "tags": ["old"], "rollout": {"max_in_flight": 5}}',
      '--tags',
      'new',
    );
    assert.deepEqual(body, { action: 'add_tags', tags: ['new'], rollout: { max_in_flight: 5 } });
  });

  it('when the help is built, then --action lists every action of the catalogue and each field flag names its actions', () => {
    const command = addActionOptions(new Command('start'));
    const help = command.helpInformation().replace(/\s+/g, ' ');
    assert.ok(help.includes(`--action <name> ${actionNames.join(' | ')}`), help);
    for (const schema of fleetActionRequestSchema.options) {
      const action = schema.shape.action.value;
      for (const field of Object.keys(schema.shape).filter((key) => key !== 'action' && key !== 'rollout')) {
        const flag = `--${field.replaceAll('_', '-')}`;
        const line = help.slice(help.indexOf(flag));
        assert.match(line, new RegExp(`^${flag} <[^>]+> [a-z_, ]*\\b${action}\\b`), `${flag} is offered for ${action}`);
      }
    }
  });
});
