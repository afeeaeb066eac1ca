import type { Acknowledgement, CommandEnvelope } from '../contracts/device-protocol.schema';

// A device that bricks (chosen by --brick-share): it acts on a restarting command, answers success,
// and never comes back — no heartbeat, no reconnect. What confirm_health exists to catch: the
// answer alone says success, only the silence afterwards says otherwise.

// Commands after which a real device restarts: the ones a bricking device does not survive.
export const restartingCommands: ReadonlySet<string> = new Set([
  'reboot',
  'factory_reset',
  'software_update',
  'restore_backup',
]);

export function isRestartingCommand(envelope: Pick<CommandEnvelope, 'kind' | 'name'>): boolean {
  return envelope.kind === 'command' && restartingCommands.has(envelope.name);
}

export interface BrickWatch {
  // The device acted on this command.
  acted(envelope: CommandEnvelope): void;
  // The device is about to send this answer: true when it is the last thing it ever says.
  bricksAfter(acknowledgement: Acknowledgement): boolean;
}

export function createBrickWatch(bricks: boolean): BrickWatch {
  // Execution ids of restarting commands acted on and not answered yet.
  const restarting = new Set<string>();
  return {
    acted: (envelope) => {
      if (bricks && isRestartingCommand(envelope)) restarting.add(envelope.execution_id);
    },
    bricksAfter: (acknowledgement) => {
      if (acknowledgement.status === 'in_progress' || !restarting.delete(acknowledgement.execution_id)) return false;
      return acknowledgement.status === 'success';
    },
  };
}
