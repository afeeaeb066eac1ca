import type { CountsSnapshot, DeviceRef, LaunchOutcome } from '../../contracts/rollout-model';
import { emptyCounts, type DeviceStatus } from '../../contracts/statuses';

// A registry and a fleet in memory for the rollout model's tests: device rows written the way the
// activities and the answer recorder write them, counts kept from the rows the way the database
// triggers keep them, and devices that are online or not.

export interface WorldDevice extends DeviceRef {
  online: boolean;
  eligible: boolean;
  // When it came to match the fleet: a rollout walks the fleet as of its start (or a sweep's).
  joinedAt?: number;
}

interface Row {
  status: DeviceStatus;
  stage: number;
  deadlineAt: number;
  online: boolean;
}

export interface PendingLaunch {
  device: DeviceRef;
  stage: number;
  deadlineAt: number;
}

export class RolloutWorld {
  readonly rows = new Map<string, Row>();
  readonly launches: PendingLaunch[] = [];
  readonly launchLog: { deviceId: string; at: number }[] = [];
  private version = 0;
  private sentEntries = 0;
  private enqueuedEntries = 0;
  readonly snapshots: CountsSnapshot[] = [];

  constructor(
    readonly devices: WorldDevice[],
    private readonly graceMilliseconds: number,
  ) {}

  fleetPage(
    after: string | null,
    limit: number,
    asOf: number,
  ): { devices: DeviceRef[]; lastDeviceId: string | null; full: boolean } {
    const rest = this.devices
      .filter((device) => (device.joinedAt ?? 0) <= asOf && !this.rows.has(device.deviceId))
      .filter((device) => after === null || device.deviceId > after)
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
      .slice(0, limit);
    for (const device of rest.filter((candidate) => !candidate.eligible))
      this.write(device.deviceId, { status: 'skipped', stage: 99, deadlineAt: 0, online: false });
    return {
      devices: rest.filter((device) => device.eligible),
      lastDeviceId: rest.at(-1)?.deviceId ?? null,
      full: rest.length === limit,
    };
  }

  stagePage(limit: number, asOf: number): DeviceRef[] {
    return this.devices
      .filter(
        (device) =>
          (device.joinedAt ?? 0) <= asOf && device.eligible && device.online && !this.rows.has(device.deviceId),
      )
      .slice(0, limit);
  }

  launch(device: DeviceRef, stage: number, deadlineAt: number, now: number): void {
    this.launches.push({ device, stage, deadlineAt });
    this.launchLog.push({ deviceId: device.deviceId, at: now });
  }

  // A launch's row written: sent if online, enqueued if not, `gone` if a row was there already.
  completeLaunch(index: number): LaunchOutcome {
    const [launch] = this.launches.splice(index, 1);
    const { device, stage, deadlineAt } = launch!;
    if (this.rows.has(device.deviceId)) return 'gone';
    const online = this.devices.find((candidate) => candidate.deviceId === device.deviceId)!.online;
    this.write(device.deviceId, { status: online ? 'sent' : 'enqueued', stage, deadlineAt, online });
    return online ? 'sent' : 'enqueued';
  }

  answer(deviceId: string, status: 'success' | 'fail'): boolean {
    const row = this.rows.get(deviceId);
    if (row?.status !== 'sent' && row?.status !== 'in_progress') return false;
    this.write(deviceId, { ...row, status });
    return true;
  }

  connectWaiting(limit: number): number {
    let sent = 0;
    for (const [deviceId, row] of this.rows) {
      if (sent === limit) break;
      const device = this.devices.find((candidate) => candidate.deviceId === deviceId)!;
      if (row.status !== 'enqueued' || !device.online) continue;
      this.write(deviceId, { ...row, status: 'sent', online: true });
      sent += 1;
    }
    return sent;
  }

  expire(now: number): void {
    for (const [deviceId, row] of this.rows) {
      if (row.status === 'enqueued' && row.deadlineAt <= now) this.write(deviceId, { ...row, status: 'timed_out' });
      if (row.status === 'sent' && row.deadlineAt + this.graceMilliseconds <= now)
        this.write(deviceId, { ...row, status: 'timed_out' });
    }
  }

  // What settleUnreached does at a stop: offline waiting rows canceled, unreached devices of the
  // fleet as of the start get rows.
  settleUnreached(stage: number, asOf: number): void {
    for (const [deviceId, row] of this.rows)
      if (row.status === 'enqueued') this.write(deviceId, { ...row, status: 'canceled' });
    for (const device of this.devices) {
      if (this.rows.has(device.deviceId) || (device.joinedAt ?? 0) > asOf) continue;
      this.write(device.deviceId, {
        status: device.eligible ? 'canceled' : 'skipped',
        stage,
        deadlineAt: 0,
        online: false,
      });
    }
  }

  nextDueAt(): number | null {
    const times = [...this.rows.values()].flatMap((row) =>
      row.status === 'enqueued'
        ? [row.deadlineAt]
        : row.status === 'sent'
          ? [row.deadlineAt + this.graceMilliseconds]
          : [],
    );
    return times.length > 0 ? Math.min(...times) : null;
  }

  hasConnectedWaiting(): boolean {
    return [...this.rows].some(
      ([deviceId, row]) =>
        row.status === 'enqueued' && this.devices.find((device) => device.deviceId === deviceId)!.online,
    );
  }

  snapshot(): CountsSnapshot {
    const stages: CountsSnapshot['stages'] = {};
    for (const row of this.rows.values()) {
      stages[row.stage] ??= emptyCounts();
      stages[row.stage]![row.status] += 1;
    }
    return { version: this.version, stages, sentEntries: this.sentEntries, enqueuedEntries: this.enqueuedEntries };
  }

  waitingRows(): number {
    return [...this.rows.values()].filter((row) => ['sent', 'enqueued', 'in_progress'].includes(row.status)).length;
  }

  onlineWaiting(): number {
    return [...this.rows.values()].filter((row) => row.status === 'sent' || row.status === 'in_progress').length;
  }

  private write(deviceId: string, row: Row): void {
    const before = this.rows.get(deviceId)?.status;
    if (before && ['success', 'fail', 'timed_out', 'skipped', 'canceled', 'unhealthy'].includes(before))
      throw new Error(`row ${deviceId} was final (${before}) and was written again as ${row.status}`);
    if (row.status === 'sent' && before !== 'sent') this.sentEntries += 1;
    if (row.status === 'enqueued' && before !== 'enqueued') this.enqueuedEntries += 1;
    this.rows.set(deviceId, row);
    this.version += 1;
    this.snapshots.push(this.snapshot());
  }
}
