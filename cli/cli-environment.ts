import { homedir } from 'node:os';
import path from 'node:path';

// The CLI is a client of the API: it reads only its own variables, never the server's config.

export function defaultApiUrl(environment: NodeJS.ProcessEnv = process.env): string {
  return environment.FLEET_ACTIONS_API ?? `http://127.0.0.1:${environment.PORT ?? '3000'}`;
}

// $FLEET_ACTIONS_CONFIG_DIR, else $XDG_CONFIG_HOME/fleet-actions, else ~/.config/fleet-actions.
export function configDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.FLEET_ACTIONS_CONFIG_DIR) return environment.FLEET_ACTIONS_CONFIG_DIR;
  const base = environment.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'fleet-actions');
}
