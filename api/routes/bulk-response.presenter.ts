import type { Config } from '../../config/config';

const base = '/api/v1/platform/bulk_responses';

export type TemporalUiSettings = Pick<Config['temporal'], 'uiUrl' | 'namespace'>;

// The workflow id is the bulk response id, so the Temporal UI link needs no lookup.
export function bulkResponseLinks(temporal: TemporalUiSettings, bulkResponseId: string) {
  const namespace = encodeURIComponent(temporal.namespace);
  return {
    self: `${base}/${bulkResponseId}`,
    responses: `${base}/${bulkResponseId}/responses`,
    events: `${base}/${bulkResponseId}/events`,
    cancel: `${base}/${bulkResponseId}/cancel`,
    pause: `${base}/${bulkResponseId}/pause`,
    resume: `${base}/${bulkResponseId}/resume`,
    retry: `${base}/${bulkResponseId}/retry`,
    rollback: `${base}/${bulkResponseId}/rollback`,
    temporal_ui: `${temporal.uiUrl.replace(/\/+$/, '')}/namespaces/${namespace}/workflows/${bulkResponseId}`,
  };
}

// A bulk response as every route answers it: the record (or live view) with its links.
export function withBulkResponseLinks<Item extends { _id: string }>(temporal: TemporalUiSettings, record: Item) {
  return { ...record, links: bulkResponseLinks(temporal, record._id) };
}
