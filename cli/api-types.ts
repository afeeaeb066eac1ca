import type { z } from 'zod';
import type { actionTemplateSchema } from '../contracts/action-template.schema';
import type { bulkResponseLinksSchema, bulkResponseSchema } from '../contracts/bulk-response.schema';
import type { webhookCreatedSchema, webhookDeliverySchema, webhookSchema } from '../contracts/webhook.schema';

// What the API answers, typed from the same zod schemas the server documents itself with.
export type BulkResponse = z.infer<typeof bulkResponseSchema> & { links?: z.infer<typeof bulkResponseLinksSchema> };
export type { FleetActionPreview } from '../contracts/fleet-action-preview.schema';
export type Webhook = z.infer<typeof webhookSchema>;
export type ActionTemplate = z.infer<typeof actionTemplateSchema>;
export type { AuditEntry } from '../contracts/audit.schema';
export type { ComplianceDevice, SettingCompliance } from '../contracts/compliance.schema';
export type WebhookCreated = z.infer<typeof webhookCreatedSchema>;
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export interface StartedBulkResponse {
  bulk_response_id: string;
  status: string;
  links: z.infer<typeof bulkResponseLinksSchema>;
}

export interface Fleet {
  _id: string;
  name: string;
}
