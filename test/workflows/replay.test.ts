import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { sharedWorkflowBundle } from '../support/workflow-bundle';

const directory = path.join(import.meta.dirname, '..', 'histories');
const recordings = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .sort();

// Histories recorded from real runs (npm run record-histories) must replay on today's code:
// a change that breaks determinism for executions already in flight fails here.
describe('replay of recorded histories', () => {
  it('when histories were recorded, then there is at least one per fleet action', () => {
    for (const action of ['add_tags', 'add_metadata', 'update_heartbeat', 'issue_command', 'send_configuration']) {
      assert.ok(recordings.includes(`${action}.json`), `missing recorded history for ${action}`);
    }
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
