import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { actionNames } from '../../contracts/action-catalogue';
import { sharedWorkflowBundle } from '../../harness/workflow-bundle';

const directory = path.join(import.meta.dirname, '..', 'histories');
const recordings = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .sort();

// Histories recorded from real runs of the engine (npm run record-histories, which needs nothing
// running) must replay on today's code: a change that breaks determinism for executions already
// in flight fails here. Recorded again whenever the workflow changes on purpose.
describe('replay of recorded histories', () => {
  it('when histories were recorded, then there is one per action of the catalogue', () => {
    for (const action of actionNames) assert.ok(recordings.includes(`${action}.json`), `missing history for ${action}`);
  });

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
