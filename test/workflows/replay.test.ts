import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { actionNames } from '../../contracts/action-catalogue';
import { sharedWorkflowBundle } from '../support/workflow-bundle';

const directory = path.join(import.meta.dirname, '..', 'histories');
// v1: the first workflow generation (bulkActionWorkflow), still registered so its executions
// finish; v2: the rollout workflow. Both must replay on today's code.
const generations = ['v1', 'v2'] as const;
// v1 ran the actions the catalogue had when it was frozen; actions added since (remove_tags) only
// ever start on v2, so only v2 must have a history of every action.
const actionsRunBy = {
  v1: ['issue_command', 'send_configuration', 'add_tags', 'add_metadata', 'update_heartbeat'],
  v2: actionNames,
};
const recordings = generations.flatMap((generation) =>
  readdirSync(path.join(directory, generation))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => path.join(generation, file)),
);

// Histories recorded from real runs (npm run record-histories) must replay on today's code:
// a change that breaks determinism for executions already in flight fails here.
describe('replay of recorded histories', () => {
  for (const generation of generations) {
    it(`when ${generation} histories were recorded, then there is one per action it runs`, () => {
      for (const action of actionsRunBy[generation]) {
        assert.ok(
          recordings.includes(path.join(generation, `${action}.json`)),
          `missing ${generation} history for ${action}`,
        );
      }
    });
  }

  for (const file of recordings) {
    it(`when ${file} is replayed, then the current workflow code produces the same commands`, async () => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as {
        workflowId: string;
        history: Record<string, unknown>;
      };
      const replayable = proto.temporal.api.history.v1.History.fromObject(history);
      await Worker.runReplayHistory({ workflowBundle: await sharedWorkflowBundle() }, replayable, workflowId);
    });
  }
});
