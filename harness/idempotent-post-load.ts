import { randomUUID } from 'node:crypto';
import { postFleetAction } from './fleet-action-client';

// Concurrent clients starting fleet actions, each request with its own Idempotency-Key, while
// the API may die under them. A request that got no answer (connection refused or reset, 5xx)
// is retried later with the same key and body, as a client should: each must end with a 202.

export interface PostLoadOptions {
  apiUrl: string;
  authorization: string;
  fleetId: string;
  body: Record<string, unknown>;
  clients: number;
  pauseMilliseconds: number;
}

export interface PostLoadResult {
  requests: number;
  accepted: number;
  // 429 answers (admission): answered, nothing started.
  refused: number;
  unanswered: number;
  // Unanswered keys that answered 202 when retried.
  recovered: number;
  // Unanswered keys that never answered 202, even retried.
  stillUnanswered: number;
  // Every bulk response id answered 202, first time or on retry.
  bulkResponseIds: string[];
}

export interface PostLoad {
  // Stops the clients, retries every unanswered key, and reports.
  finish(retryTimeoutMilliseconds: number): Promise<PostLoadResult>;
}

export function startPostLoad(options: PostLoadOptions): PostLoad {
  const ids = new Set<string>();
  const unanswered: string[] = [];
  let requests = 0;
  let refused = 0;
  let running = true;
  const post = (key: string) =>
    postFleetAction(options.apiUrl, options.authorization, options.fleetId, options.body, key).catch(() => ({
      status: 0,
      bulkResponseId: undefined,
    }));
  const client = async () => {
    while (running) {
      const key = randomUUID();
      requests += 1;
      const answer = await post(key);
      if (answer.status === 202 && answer.bulkResponseId) ids.add(answer.bulkResponseId);
      else if (answer.status === 429) refused += 1;
      else unanswered.push(key);
      // A client whose server is gone waits a moment, rather than piling up refused requests.
      const answered = answer.status === 202 || answer.status === 429;
      await new Promise((resolve) => setTimeout(resolve, answered ? options.pauseMilliseconds : 1000));
    }
  };
  const clients = Array.from({ length: options.clients }, client);
  return {
    finish: async (retryTimeoutMilliseconds) => {
      running = false;
      await Promise.all(clients);
      const deadline = Date.now() + retryTimeoutMilliseconds;
      const retry = async (key: string): Promise<boolean> => {
        for (;;) {
          const answer = await post(key);
          if (answer.status === 202 && answer.bulkResponseId) {
            ids.add(answer.bulkResponseId);
            return true;
          }
          if (Date.now() > deadline) return false;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      };
      const queue = [...unanswered];
      let recovered = 0;
      const retrier = async () => {
        for (let key = queue.shift(); key !== undefined; key = queue.shift()) if (await retry(key)) recovered += 1;
      };
      await Promise.all(Array.from({ length: options.clients }, retrier));
      return {
        requests,
        accepted: requests - refused - unanswered.length,
        refused,
        unanswered: unanswered.length,
        recovered,
        stillUnanswered: unanswered.length - recovered,
        bulkResponseIds: [...ids],
      };
    },
  };
}
