import assert from 'node:assert/strict';
import request from 'supertest';
import { rollbackExamples } from '../../api/openapi/rollback-paths';
import type { DemoSession } from './demo-session';
import type { EngineStack } from './engine-stack';

const platform = '/api/v1/platform';

// What a rollback test asks of the API and the registry: POST a rollback (answered like retry),
// and the parent's or rollback's device rows.
export function rollbackClient(stack: EngineStack, demo: DemoSession) {
  const post = (path: string, body: Record<string, unknown> = {}, token = demo.tokens.operator) =>
    request(stack.app).post(`${platform}${path}`).set('Authorization', token).send(body);
  const rows = (id: string) =>
    stack.database.query<{ device_id: string; status: string; reason: string | null }>(
      'select device_id, status, reason from bulk_response_devices where bulk_response_id = $1 order by device_id',
      [id],
    );
  return {
    post,
    rows,
    rollBack: async (id: string, body: Record<string, unknown> = rollbackExamples.defaults.value) => {
      const response = await post(`/bulk_responses/${id}/rollback`, body).expect(202);
      const started = response.body as { bulk_response_id: string; parent_id: string; status: string };
      assert.deepEqual([started.parent_id, started.status], [id, 'pending']);
      return started.bulk_response_id;
    },
    // The devices a bulk response acted on: those a rollback reaches.
    actedOn: async (id: string) =>
      (await rows(id))
        .filter((row) => row.status === 'success' || row.status === 'unhealthy')
        .map((row) => row.device_id),
  };
}
