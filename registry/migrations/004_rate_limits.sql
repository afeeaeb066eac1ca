-- Login and refresh throttling counters, in the registry so every API process shares them and a
-- restart keeps them. One row per bucket (e.g. an address, an account at an address, a refresh
-- token's digest) counting hits in a fixed window that restarts on the first hit after it ends.

create table rate_limits (
  bucket text primary key,
  window_started_at timestamptz not null,
  hits integer not null
);
create index rate_limits_window on rate_limits (window_started_at);
