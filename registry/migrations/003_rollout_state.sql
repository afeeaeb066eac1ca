-- Why a bulk response ended aborted or failed ({code, message}), stored with its final summary;
-- and an index for the reconciler and admission control, which look at bulk responses not ended.

alter table bulk_responses add column status_reason jsonb;
create index bulk_responses_active on bulk_responses (company_id) where completed_at is null;
