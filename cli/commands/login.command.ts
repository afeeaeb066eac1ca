import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { createApiClient } from '../api-client';
import { printJson, printLines, type GlobalOptions } from '../output';
import { apiKeyOf, forgetSession, saveSession } from '../token-store';

interface LoginOptions {
  email?: string;
  password?: string;
  tokenExpiry?: string;
}

interface AuthenticateAnswer {
  email: string;
  session_token: string;
  session_expires_at?: string;
}

// Asks on the terminal; the password is read without echo (the output stream swallows it).
async function ask(question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  try {
    const answer = reader.question(question);
    muted = hidden;
    return (await answer).trim();
  } finally {
    if (hidden) process.stderr.write('\n');
    reader.close();
  }
}

export function registerLoginCommand(program: Command): void {
  program
    .command('login')
    .description(
      'Log in to the --api server (EdgeIQ /user/authenticate) and keep its session token (file mode 600); sessions on other servers stay',
    )
    .option('--email <email>', 'user email (asked if missing)')
    .option('--password <password>', 'password (asked without echo if missing; FLEET_ACTIONS_PASSWORD also works)')
    .option('--token-expiry <seconds>', 'session lifetime, 60 s to 7 days (server default 4 h)')
    .action(async (options: LoginOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const email = options.email ?? (await ask('Email: ', false));
      const password = options.password ?? process.env.FLEET_ACTIONS_PASSWORD ?? (await ask('Password: ', true));
      const client = createApiClient(globals.api);
      const expiry = options.tokenExpiry === undefined ? {} : { token_expiry: Number(options.tokenExpiry) };
      const answer = await client.request<AuthenticateAnswer>('POST', '/user/authenticate', {
        body: { email, password, ...expiry },
      });
      const file = await saveSession({
        api: client.baseUrl,
        email: answer.email,
        session_token: answer.session_token,
        session_expires_at: answer.session_expires_at,
      });
      const result = { api: client.baseUrl, email: answer.email, expires_at: answer.session_expires_at, file };
      if (globals.json) printJson(result);
      else
        printLines([`Logged in to ${result.api} as ${result.email} (token in ${file}, expires ${result.expires_at})`]);
    });
}

export function registerLogoutCommand(program: Command): void {
  program
    .command('logout')
    .description(
      'Forget the session kept for the --api server (others stay); the token itself stays valid on the server until it expires',
    )
    .action(async (_options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const api = apiKeyOf(globals.api);
      const forgotten = await forgetSession(api);
      if (globals.json) printJson({ api, forgotten });
      else printLines([forgotten ? `Logged out of ${api}` : `No session kept for ${api}`]);
    });
}
