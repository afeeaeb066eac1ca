-- Rollback (issue 20 item 6): what each device's change replaced is kept with the change, and a
-- rollback is a bulk response of its own, linked to the one it undoes.

-- Written in the same statement as the device's row (a registry page's results, a device's
-- dispatch): what the action changed on that device, enough to put it back. add_tags {added},
-- remove_tags {removed}, add_metadata {metadata: {key: value before | null}}, update_heartbeat
-- {heartbeat_period?, heartbeat_values?} (the values before), send_configuration {setting_id,
-- previous_version, version}. Null when the action changed nothing on the device (and for
-- issue_command, which a rollback answers with its rollback_command).
alter table bulk_response_devices add column undo jsonb;

-- A rollback's record names the bulk response it undoes (the first rollback of a parent also has
-- it as parent_id and an id derived from it; a retry of a rollback has the rollback as parent_id).
alter table bulk_responses add column rollback_of text;
create index bulk_responses_rollback_of on bulk_responses (rollback_of) where rollback_of is not null;

-- The command a rollback of this bulk response sends, resolved when it started (issue_command:
-- its rollback_command; send_configuration: its own command, the version chosen per device).
alter table bulk_responses add column rollback_command jsonb;

-- Rollouts that ended aborted and asked to be rolled back then: the workers look for those whose
-- rollback has not started.
create index bulk_responses_awaiting_rollback on bulk_responses (completed_at)
  where status = 'aborted' and rollback_of is null and (request -> 'rollout' -> 'rollback' ->> 'on') = 'abort';
