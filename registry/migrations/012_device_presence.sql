-- What a device said about its connection (presence messages and its MQTT will,
-- docs/device-protocol.md): connected is null until it first says anything, true once it said
-- online or heartbeated, false once it said offline or its will fired. presence_changed_at is the
-- receipt time of the event that last set it (every presence message; a heartbeat only when it
-- turned the device connected), never moved backwards: an older event arriving late is ignored.
alter table devices add column connected boolean;
alter table devices add column presence_changed_at timestamptz;
