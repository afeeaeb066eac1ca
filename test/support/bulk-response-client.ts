import type { Express } from 'express';
import request from 'supertest';
import type { BulkResponseView } from '../../api/services/bulk-response-view.service';
import type { BulkResponseRecord } from '../../registry/bulk-responses.repository';
import type { DeviceResultRecord } from '../../registry/device-results.repository';

const platform = '/api/v1/platform';

// The HTTP calls an API client makes to start and follow a fleet action.
export function bulkResponseClient(app: Express, token: string) {
  const get = async <T>(path: string): Promise<T> =>
    (await request(app).get(`${platform}${path}`).set('Authorization', token).expect(200)).body as T;
  return {
    start: async (fleetId: string, body: Record<string, unknown>): Promise<string> => {
      const response = await request(app)
        .post(`${platform}/fleets/${fleetId}/actions`)
        .set('Authorization', token)
        .send(body);
      if (response.status !== 202)
        throw new Error(`start answered ${response.status}: ${JSON.stringify(response.body)}`);
      return (response.body as { bulk_response_id: string }).bulk_response_id;
    },
    view: (id: string) => get<BulkResponseView>(`/bulk_responses/${id}`),
    responses: (id: string, status?: string) =>
      get<{ total: number; resources: DeviceResultRecord[] }>(
        `/bulk_responses/${id}/responses?per_page=1000${status ? `&status=${status}` : ''}`,
      ),
    // Every per-device entry, page by page, as a client reads a fleet of any size.
    allResponses: async (id: string, perPage = 500): Promise<DeviceResultRecord[]> => {
      const entries: DeviceResultRecord[] = [];
      for (let page = 1; ; page++) {
        const answer = await get<{ total: number; resources: DeviceResultRecord[] }>(
          `/bulk_responses/${id}/responses?per_page=${perPage}&page=${page}`,
        );
        entries.push(...answer.resources);
        if (answer.resources.length < perPage || entries.length >= answer.total) return entries;
      }
    },
    control: (id: string, verb: 'cancel' | 'pause' | 'resume' | 'retry') =>
      request(app).post(`${platform}/bulk_responses/${id}/${verb}`).set('Authorization', token),
    waitForEnd: async (id: string, timeoutMilliseconds = 90_000): Promise<BulkResponseRecord> => {
      const deadline = Date.now() + timeoutMilliseconds;
      while (Date.now() < deadline) {
        const view = await get<BulkResponseRecord>(`/bulk_responses/${id}`);
        if (view.completed_at) return view;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`bulk response ${id} did not end in time`);
    },
  };
}
