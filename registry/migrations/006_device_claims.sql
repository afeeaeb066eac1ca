-- The batch that took a device: written when the batch loads its page, before anything is sent,
-- so no other batch (a continuous rollout's later sweep) can take the same device, and a page
-- loaded again after a crash finds its own devices.
alter table bulk_response_devices add column claimed_by text;
