const base = '/api/v1/platform/bulk_responses';

export function bulkResponseLinks(bulkResponseId: string) {
  return {
    self: `${base}/${bulkResponseId}`,
    responses: `${base}/${bulkResponseId}/responses`,
    cancel: `${base}/${bulkResponseId}/cancel`,
    pause: `${base}/${bulkResponseId}/pause`,
    resume: `${base}/${bulkResponseId}/resume`,
    retry: `${base}/${bulkResponseId}/retry`,
  };
}
