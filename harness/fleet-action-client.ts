// The two calls a fault run makes over real HTTP: start a fleet action (optionally with an
// Idempotency-Key) and read a bulk response.

const platform = '/api/v1/platform';

export interface StartAnswer {
  status: number;
  bulkResponseId: string | undefined;
}

export async function postFleetAction(
  apiUrl: string,
  authorization: string,
  fleetId: string,
  body: Record<string, unknown>,
  idempotencyKey?: string,
): Promise<StartAnswer> {
  const response = await fetch(`${apiUrl}${platform}/fleets/${fleetId}/actions`, {
    method: 'POST',
    headers: {
      Authorization: authorization,
      'Content-Type': 'application/json',
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json().catch(() => ({}))) as { bulk_response_id?: string };
  return { status: response.status, bulkResponseId: answer.bulk_response_id };
}

export async function startFleetAction(
  apiUrl: string,
  authorization: string,
  fleetId: string,
  body: Record<string, unknown>,
): Promise<string> {
  const answer = await postFleetAction(apiUrl, authorization, fleetId, body);
  if (answer.status !== 202 || !answer.bulkResponseId) throw new Error(`start answered ${answer.status}`);
  return answer.bulkResponseId;
}
