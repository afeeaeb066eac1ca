// The worker bundles this file: every workflow type it runs is exported here.
export { rolloutWorkflow } from './rollout.workflow';
export { rolloutBatchWorkflow } from './rollout-batch.workflow';
export { reconcileWorkflow } from './reconcile.workflow';
// The first generation, kept so executions started before the rollout workflow finish.
export { bulkActionWorkflow } from './v1/bulk-action.workflow';
export { deviceBatchWorkflow } from './v1/device-batch.workflow';
export { webhookDeliveryWorkflow } from './webhook-delivery.workflow';
