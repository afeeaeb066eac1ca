-- A device's answer can come in steps: `in_progress` reports (with progress and more time), then a
-- final answer. With confirm_health, a device that answered success must be seen alive again by
-- `health_confirm_by` (from `answered_at`, when the service received its answer), else unhealthy.
alter table bulk_response_devices add column answered_at timestamptz;
alter table bulk_response_devices add column health_confirm_by timestamptz;
create index bulk_response_devices_health on bulk_response_devices (device_id)
  where status = 'in_progress' and health_confirm_by is not null;
