import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export function eventTime(event: HistoryEvent): number {
  return Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
}

// When each device was sent to, in workflow time: a device's dispatch is a local activity, whose
// marker the history keeps at the time of the workflow task that ran it.
export function localActivityTimes(events: readonly HistoryEvent[]): number[] {
  return events
    .filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_local_activity')
    .map(eventTime);
}
