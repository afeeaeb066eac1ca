-- What a running bulk response waits for, saved with its counts, so a read that cannot ask the
-- execution (an API process that just started, the list) still says it. Null once it ends.
alter table bulk_responses add column waiting_for text;
