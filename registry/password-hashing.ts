import { hash, verify } from '@node-rs/argon2';

// Argon2id at OWASP's minimum (19 MiB, 2 passes): slow enough to make stolen hashes costly to
// crack, fast enough (tens of milliseconds) that logins and tests stay quick.
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

// Verifying against a throw-away hash when the account does not exist keeps the answer time the
// same, so login timing does not reveal which emails are registered.
let decoyHash: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoyHash ??= hash('decoy-password-never-valid', argon2Options);
  await verify(await decoyHash, password).catch(() => false);
  return false;
}
