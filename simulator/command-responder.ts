import {
  commandEnvelopeSchema,
  maximumMessageBytes,
  type Acknowledgement,
  type CommandEnvelope,
} from '../contracts/device-protocol.schema';
import { sampleLatencyMs, type DeviceBehaviour } from './device-behaviour';
import type { SimulatorStats } from './simulator-stats';

// One device's command handling: acts once per execution id and answers a duplicate with the
// first answer (delivery is at-least-once), never acts on an expired command, and drops what it
// cannot read. Answers are remembered for the most recent executions only, to bound memory.

const rememberedExecutions = 1000;

export interface CommandResponderOptions {
  behaviour: DeviceBehaviour;
  stats: SimulatorStats;
  execute: (envelope: CommandEnvelope) => void;
  acknowledge: (acknowledgement: Acknowledgement) => void;
}

export interface CommandResponder {
  receive(payload: Buffer): void;
  stop(): void;
}

function readEnvelope(payload: Buffer): CommandEnvelope | undefined {
  if (payload.length > maximumMessageBytes) return undefined;
  try {
    const parsed = commandEnvelopeSchema.safeParse(JSON.parse(payload.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function createCommandResponder(options: CommandResponderOptions): CommandResponder {
  const { behaviour, stats } = options;
  const answers = new Map<string, Promise<Acknowledgement>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const act = (envelope: CommandEnvelope): Promise<Acknowledgement> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        stats.commandsActed += 1;
        options.execute(envelope);
        const failed = behaviour.random() < behaviour.failureRate;
        if (failed) stats.failures += 1;
        resolve({
          execution_id: envelope.execution_id,
          status: failed ? 'fail' : 'success',
          message: failed ? 'simulated failure' : `${envelope.name} done`,
          acknowledged_at: new Date().toISOString(),
        });
      }, sampleLatencyMs(behaviour));
      timers.add(timer);
    });

  const answer = (acknowledgement: Acknowledgement) => {
    if (stopped) return;
    options.acknowledge(acknowledgement);
  };

  return {
    receive: (payload) => {
      stats.commandsReceived += 1;
      const envelope = readEnvelope(payload);
      if (!envelope) {
        stats.malformed += 1;
        return;
      }
      const known = answers.get(envelope.execution_id);
      if (known) {
        stats.duplicates += 1;
        void known.then(answer);
        return;
      }
      if (Date.parse(envelope.expires_at) <= Date.now()) {
        stats.expired += 1;
        return;
      }
      const pending = act(envelope);
      answers.set(envelope.execution_id, pending);
      if (answers.size > rememberedExecutions) answers.delete(answers.keys().next().value as string);
      void pending.then(answer);
    },
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
