import { timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client, type ConnectPacket } from 'aedes';
import { maximumMessageBytes } from '../contracts/device-protocol.schema';
import type { Logger } from 'pino';
import type { Queryable } from '../registry/database';
import { findDeviceCredential, verifyDeviceSecret } from '../registry/device-credentials.repository';
import { mayPublish, maySubscribe, type BrokerIdentity } from './broker-access';

// The embedded default broker: aedes in this process, authenticating devices against the
// registry's credential hashes and confining each device to its own topics. aedes speaks MQTT
// 3.1.1 and has no shared subscriptions; see docs/device-protocol.md for how acks still reach
// exactly the waiting activity with several service instances.

export interface EmbeddedBrokerOptions {
  port: number;
  host?: string;
  database: Queryable;
  serviceUsername: string;
  servicePassword: string;
  logger: Logger;
}

export interface EmbeddedBrokerStats {
  connectedClients: number;
  refusedConnections: number;
  deniedPublishes: number;
  deniedSubscriptions: number;
  /** Device publishes over `maximumMessageBytes`, refused (the device is disconnected). */
  oversizedPublishes: number;
}

export interface EmbeddedBroker {
  readonly port: number;
  readonly url: string;
  stats(): EmbeddedBrokerStats;
  close(): Promise<void>;
}

type Counters = Omit<EmbeddedBrokerStats, 'connectedClients'>;

/**
 * No MQTT packet may be larger than this, whoever sends it: a device's payload is refused above
 * `maximumMessageBytes`, and a packet far beyond that is cut off while its length is read, so the
 * broker never buffers it (a 100 MB publish costs nothing).
 */
export const maximumPacketBytes = 1024 * 1024;

const badCredentials = 4;
const serverUnavailable = 3;
const notAuthorized = 5;

type Will = NonNullable<ConnectPacket['will']>;

// A will is a publish made later on the client's behalf, so it obeys the publish rules, checked
// at CONNECT as Mosquitto does: a device may leave its will on its own presence topic, never on
// another device's. aedes checks authorizePublish again when the will fires.
function willAllowed(identity: BrokerIdentity, will: Will | undefined): boolean {
  if (!will) return true;
  if (identity.kind === 'device' && will.payload.length > maximumMessageBytes) return false;
  return mayPublish(identity, will.topic, will.retain === true);
}

function authenticationError(returnCode: number, message: string): AuthenticateError {
  const error: AuthenticateError = Object.assign(new Error(message), { returnCode });
  return error;
}

function samePassword(given: Buffer, expected: string): boolean {
  const expectedBytes = Buffer.from(expected);
  return given.length === expectedBytes.length && timingSafeEqual(given, expectedBytes);
}

async function identify(
  options: EmbeddedBrokerOptions,
  client: Client,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<BrokerIdentity | undefined> {
  if (username === undefined || password === undefined) return undefined;
  if (username === options.serviceUsername) {
    return samePassword(password, options.servicePassword) ? { kind: 'service' } : undefined;
  }
  // The client id must be the username: a device that could pick another's client id would
  // take over that device's persistent session and receive its queued commands.
  if (client.id !== username) return undefined;
  const record = await findDeviceCredential(options.database, username);
  if (!record || !verifyDeviceSecret(password.toString(), record.credentialHash)) return undefined;
  return { kind: 'device', companyId: record.companyId, deviceId: record.deviceId };
}

function createAccessControlledBroker(options: EmbeddedBrokerOptions, counters: Counters): Aedes {
  const identities = new WeakMap<Client, BrokerIdentity>();
  const wills = new WeakMap<Client, Will>();
  return new Aedes({
    // Messages above this many in delivery wait in mqemitter's queue, which it drains recursively
    // when deliveries complete at once: a queue of thousands (7,500 devices answering at 6,000 a
    // minute beside their presence and heartbeats) overflowed the stack. Sockets buffer their own
    // writes, so a high limit costs memory only under a flood.
    concurrency: 50_000,
    preConnect: (client, packet, done) => {
      if (packet.will) wills.set(client, packet.will);
      done(null, true);
    },
    authenticate: (client, username, password, done) => {
      identify(options, client, username, password).then(
        (identity) => {
          if (!identity) {
            counters.refusedConnections += 1;
            done(authenticationError(badCredentials, 'bad username or password'), false);
            return;
          }
          if (!willAllowed(identity, wills.get(client))) {
            counters.refusedConnections += 1;
            done(authenticationError(notAuthorized, 'will not allowed'), false);
            return;
          }
          identities.set(client, identity);
          done(null, true);
        },
        (error: unknown) => {
          options.logger.error({ err: error }, 'broker authentication failed');
          done(authenticationError(serverUnavailable, 'authentication unavailable'), false);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      const identity = client ? identities.get(client) : { kind: 'service' as const };
      if (identity?.kind === 'device' && packet.payload.length > maximumMessageBytes) {
        counters.oversizedPublishes += 1;
        return done(new Error('message too large'));
      }
      if (identity && mayPublish(identity, packet.topic, packet.retain)) return done(null);
      counters.deniedPublishes += 1;
      done(new Error('publish not allowed'));
    },
    authorizeSubscribe: (client, subscription, done) => {
      const identity = identities.get(client);
      if (identity && maySubscribe(identity, subscription.topic)) return done(null, subscription);
      counters.deniedSubscriptions += 1;
      done(null, null);
    },
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
  emit(event: 'error', error: Error): boolean;
}

// aedes offers no packet size limit; its MQTT parser (mqtt-packet, pinned with aedes) reads each
// packet's declared length before buffering the body, so the check hooks in right there. A parser
// error makes aedes drop the connection, as Mosquitto's max_packet_size does.
function limitPacketSize(client: Client, maximumBytes: number): void {
  const parser = (client as unknown as { _parser: PacketParser })._parser;
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const complete = parseLength();
    if (complete && parser.packet.length > maximumBytes) {
      parser.emit('error', new Error(`packet of ${parser.packet.length} bytes exceeds ${maximumBytes}`));
      return false;
    }
    return complete;
  };
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const counters: Counters = {
    refusedConnections: 0,
    deniedPublishes: 0,
    deniedSubscriptions: 0,
    oversizedPublishes: 0,
  };
  const broker = createAccessControlledBroker(options, counters);
  await broker.listen();
  const server = createServer((socket) => limitPacketSize(broker.handle(socket), maximumPacketBytes));
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port, host);
  options.logger.info({ port, host }, 'embedded MQTT broker listening');
  return {
    port,
    url: `mqtt://${host}:${port}`,
    stats: () => ({ connectedClients: broker.connectedClients, ...counters }),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
