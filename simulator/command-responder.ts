import {
  commandEnvelopeSchema,
  maximumMessageBytes,
  type Acknowledgement,
  type CommandEnvelope,
} from '../contracts/device-protocol.schema';
import { sampleLatencyMs, type DeviceBehaviour } from './device-behaviour';
import type { CommandLog } from './command-log';
import { workWithProgress } from './progress-work';
import type { RandomSource } from './seeded-random';
import type { SimulatorStats } from './simulator-stats';

// One device's command handling: acts once per execution id and answers a duplicate with the
// first answer (delivery is at-least-once) even after its expires_at, never acts on nor answers a
// command it first sees after expires_at, and drops what it cannot read. The late duplicate is
// how the service recovers an answer lost on the way: it sends one last copy of an unanswered
// command at its deadline. Answers are remembered for the most recent executions only, to bound
// memory. A device that reports progress works longer on commands (kind `command`) and says how
// far it got before its final answer (progress-work.ts).

const rememberedExecutions = 1000;

export interface CommandResponderOptions {
  behaviour: DeviceBehaviour;
  // Separate streams: answer latencies must not shift which commands fail for a given seed.
  latencyRandom: RandomSource;
  failureRandom: RandomSource;
  stats: SimulatorStats;
  // Receipts and acts per execution id, when the caller wants them.
  log?: CommandLog | undefined;
  // This device reports progress (chosen by --progress-share): its commands take
  // behaviour.progressWorkMs and send `in_progress` reports meanwhile.
  reportsProgress?: boolean;
  execute: (envelope: CommandEnvelope) => void;
  // Final answers and progress reports alike.
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

// Executes after the sampled latency and resolves with the answer the device will repeat; a
// device that reports progress resolves once its work is done.
function actAfterLatency(
  envelope: CommandEnvelope,
  options: CommandResponderOptions,
  timers: Set<NodeJS.Timeout>,
  report: (acknowledgement: Acknowledgement) => void,
): Promise<Acknowledgement> {
  const { behaviour, stats } = options;
  return new Promise((resolve) => {
    const finish = () => {
      const failed = options.failureRandom() < behaviour.failureRate;
      if (failed) stats.failures += 1;
      resolve({
        execution_id: envelope.execution_id,
        status: failed ? 'fail' : 'success',
        message: failed ? 'simulated failure' : `${envelope.name} done`,
        acknowledged_at: new Date().toISOString(),
      });
    };
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        stats.commandsActed += 1;
        options.log?.acted(envelope.execution_id, Date.now());
        options.execute(envelope);
        if (options.reportsProgress && envelope.kind === 'command')
          workWithProgress(envelope, { workMs: behaviour.progressWorkMs, report, finish, timers });
        else finish();
      },
      sampleLatencyMs(behaviour, options.latencyRandom),
    );
    timers.add(timer);
  });
}

export function createCommandResponder(options: CommandResponderOptions): CommandResponder {
  const { stats } = options;
  const answers = new Map<string, Promise<Acknowledgement>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const answer = (acknowledgement: Acknowledgement) => {
    if (!stopped) options.acknowledge(acknowledgement);
  };
  const remember = (executionId: string, pending: Promise<Acknowledgement>) => {
    answers.set(executionId, pending);
    if (answers.size > rememberedExecutions) answers.delete(answers.keys().next().value as string);
  };
  return {
    receive: (payload) => {
      stats.commandsReceived += 1;
      const envelope = readEnvelope(payload);
      if (!envelope) {
        stats.malformed += 1;
        return;
      }
      options.log?.received(envelope.execution_id, Date.now());
      // Known first: a duplicate is answered whatever its expiry; only a new command can expire.
      const known = answers.get(envelope.execution_id);
      if (known) stats.duplicates += 1;
      else if (Date.parse(envelope.expires_at) <= Date.now()) stats.expired += 1;
      else remember(envelope.execution_id, actAfterLatency(envelope, options, timers, answer));
      void answers.get(envelope.execution_id)?.then(answer);
    },
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
