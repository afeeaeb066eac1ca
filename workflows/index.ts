// The worker bundles this file: every workflow type it runs is exported here.
export { bulkActionWorkflow } from './bulk-action.workflow';
export { deviceBatchWorkflow } from './device-batch.workflow';
export { webhookDeliveryWorkflow } from './webhook-delivery.workflow';
