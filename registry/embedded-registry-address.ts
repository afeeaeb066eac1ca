import { existsSync, readFileSync } from 'node:fs';

// Where `npm start`'s embedded PostgreSQL listens and how to log in: its password is generated on
// first start and kept in a file under DATA_DIR (mode 600), so a tool run beside the stack
// (seed:demo, create-admin, the simulator's registry mode) reaches it with no configuration.
export interface EmbeddedRegistryAddress {
  host: string;
  port: number;
  user: string;
  database: string;
  passwordFile: string;
}

export function embeddedRegistryUrlWith(address: Omit<EmbeddedRegistryAddress, 'passwordFile'>, password: string) {
  const user = encodeURIComponent(address.user);
  return `postgres://${user}:${encodeURIComponent(password)}@${address.host}:${address.port}/${address.database}`;
}

export function embeddedRegistryUrl(address: EmbeddedRegistryAddress): string {
  if (!existsSync(address.passwordFile)) {
    throw new Error(
      `No registry: DATABASE_URL is unset and the embedded registry has never started here (${address.passwordFile} ` +
        'is missing). Run `npm start` first, or point DATABASE_URL at a PostgreSQL server.',
    );
  }
  return embeddedRegistryUrlWith(address, readFileSync(address.passwordFile, 'utf8').trim());
}
