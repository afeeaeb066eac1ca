import type { CommandEnvelope } from '../contracts/device-protocol.schema';
import type { DeviceAddress } from '../contracts/device-topics';
import type { DeviceTransport, DeviceTransportStats, ReceivedAcknowledgement } from '../transport/device-transport';

// What a fake device does with one copy of a command: ignores it (`silent`), or answers, maybe
// after a while, maybe with the answer lost on the way back (`lost`: the service never hears it).
export type DeviceReply =
  'silent' | { status: 'success' | 'fail'; message?: string; afterMilliseconds?: number; lost?: boolean };

// Per test: how device `deviceId` replies to the `copy`-th copy of a command (1 = first send).
export type DeviceScript = (deviceId: string, copy: number) => DeviceReply;
// Per test: whether the broker refuses the `attempt`-th publish to `deviceId` (1 = first try).
export type PublishRefusal = (deviceId: string, attempt: number) => boolean;

export interface PublishedCommand {
  companyId: string;
  deviceId: string;
  envelope: CommandEnvelope;
  at: number;
  // How many copies of this execution the device had been sent, this one included.
  copy: number;
}

export const answerAtOnce: DeviceScript = () => ({ status: 'success' });

// An in-memory DeviceTransport for workflow tests: what the rollout publishes reaches fake devices
// that answer as the test scripts them, through the same acknowledgement callback the MQTT
// transport feeds (the real answer recorder). A device offline in the fake gets its copies when it
// connects, as a broker's persistent session would hold them. It observes what the engine did:
// every publish, every refused one, and the most devices holding a command not answered yet.
export class FakeDeviceTransport implements DeviceTransport {
  readonly published: PublishedCommand[] = [];
  readonly refused: { deviceId: string; at: number }[] = [];
  readonly answered = new Set<string>();
  mostOutstanding = 0;
  script: DeviceScript = answerAtOnce;
  refusal: PublishRefusal = () => false;
  onAcknowledgement: (received: ReceivedAcknowledgement) => void = () => undefined;
  private readonly offline = new Set<string>();
  private readonly held = new Map<string, PublishedCommand[]>();
  private readonly attempts = new Map<string, number>();
  private readonly outstanding = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  setOnline(deviceIds: readonly string[], online: boolean): void {
    for (const deviceId of deviceIds) {
      if (!online) {
        this.offline.add(deviceId);
        continue;
      }
      this.offline.delete(deviceId);
      for (const copy of this.held.get(deviceId) ?? []) this.receive(copy);
      this.held.delete(deviceId);
    }
  }

  publishCommand(target: DeviceAddress, envelope: CommandEnvelope): Promise<void> {
    const attempt = (this.attempts.get(target.deviceId) ?? 0) + 1;
    this.attempts.set(target.deviceId, attempt);
    if (this.refusal(target.deviceId, attempt)) {
      this.refused.push({ deviceId: target.deviceId, at: Date.now() });
      return Promise.reject(new Error('the broker is unavailable'));
    }
    const copy = this.published.filter((command) => command.envelope.execution_id === envelope.execution_id).length;
    const command = {
      companyId: target.companyId,
      deviceId: target.deviceId,
      envelope,
      at: Date.now(),
      copy: copy + 1,
    };
    this.published.push(command);
    if (!this.answered.has(envelope.execution_id)) this.outstanding.add(envelope.execution_id);
    this.mostOutstanding = Math.max(this.mostOutstanding, this.outstanding.size);
    if (this.offline.has(target.deviceId))
      this.held.set(target.deviceId, [...(this.held.get(target.deviceId) ?? []), command]);
    else this.receive(command);
    return Promise.resolve();
  }

  publishDeviceConfiguration(): Promise<void> {
    return Promise.resolve();
  }

  // Copies of commands each device received (first sends and re-sends alike).
  copiesTo(deviceId: string): PublishedCommand[] {
    return this.published.filter((command) => command.deviceId === deviceId);
  }

  publishedDevices(): Set<string> {
    return new Set(this.published.map((command) => command.deviceId));
  }

  stats(): DeviceTransportStats {
    throw new Error('the fake transport keeps no broker statistics');
  }

  close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    return Promise.resolve();
  }

  private receive(command: PublishedCommand): void {
    const reply = this.script(command.deviceId, command.copy);
    if (reply === 'silent') return;
    const answer = () => {
      if (this.closed || reply.lost) return;
      this.answered.add(command.envelope.execution_id);
      this.outstanding.delete(command.envelope.execution_id);
      this.onAcknowledgement({
        companyId: command.companyId,
        deviceId: command.deviceId,
        acknowledgement: {
          execution_id: command.envelope.execution_id,
          status: reply.status,
          ...(reply.message ? { message: reply.message } : {}),
        },
        receivedAt: new Date(),
      });
    };
    if (!reply.afterMilliseconds) return answer();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      answer();
    }, reply.afterMilliseconds);
    this.timers.add(timer);
  }
}
