// The worker bundles this file: every workflow type it runs is exported here.
export { rolloutWorkflow } from './rollout.workflow';
export { webhookDeliveryWorkflow } from './webhook-delivery.workflow';
