import type { DeviceCommandInput } from '../activities/device-command.activities';

// When each silent device of a batch is sent its command again. One timer per batch serves them
// all (it sleeps until the earliest due send), instead of one timer per device that is started
// and then canceled when the device answers in time: that was two of the five events a device
// cost its batch's history, and two commands per device for the server.
export interface ScheduledResend {
  command: DeviceCommandInput;
  // How long each send waits before the next (sendWindowsOf); the last waits for the deadline.
  windows: number[];
  sends: number;
  dueAt: number;
}

export class ResendSchedule {
  private readonly waiting = new Map<string, ScheduledResend>();

  // Whether any send is still to come (a device past its last send only waits for its deadline).
  get pending(): boolean {
    return this.earliest() !== undefined;
  }

  // A device with more than one send: its second send is due after the first window.
  add(deviceId: string, command: DeviceCommandInput, windows: number[], dispatchedAt: number): void {
    if (windows.length < 2) return;
    this.waiting.set(deviceId, { command, windows, sends: 1, dueAt: dispatchedAt + windows[0]! });
  }

  sendsOf(deviceId: string): number | undefined {
    return this.waiting.get(deviceId)?.sends;
  }

  remove(deviceId: string): void {
    this.waiting.delete(deviceId);
  }

  earliest(): number | undefined {
    let earliest: number | undefined;
    for (const entry of this.waiting.values()) {
      if (entry.dueAt === Infinity) continue;
      if (earliest === undefined || entry.dueAt < earliest) earliest = entry.dueAt;
    }
    return earliest;
  }

  // The sends due at `now`, counted; each device's next one is due a window later, none after
  // its last send.
  takeDue(now: number): (DeviceCommandInput & { attempt: number })[] {
    const due: (DeviceCommandInput & { attempt: number })[] = [];
    for (const entry of this.waiting.values()) {
      if (entry.dueAt > now) continue;
      entry.sends += 1;
      due.push({ ...entry.command, attempt: entry.sends });
      entry.dueAt = entry.sends < entry.windows.length ? entry.dueAt + entry.windows[entry.sends - 1]! : Infinity;
    }
    return due;
  }
}
