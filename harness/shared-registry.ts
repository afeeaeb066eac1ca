import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase } from '../registry/database';
import { migrate } from '../registry/migrate';

// One in-memory PGlite registry served over the PostgreSQL wire protocol on loopback, so the
// processes of a fault run (API, workers, the driver) share it through DATABASE_URL as they would
// share a PostgreSQL server. PGlite has a single backend session: a client holds it from the first
// message of a request to the end of its Sync or simple Query, and for as long as it keeps a
// transaction open, so two clients' extended-protocol messages never interleave.
// (@electric-sql/pglite-socket 0.2.17 queues single messages: a second client's Parse lands
// between a first client's Parse and Bind; see docs/decisions.md, "Faults".)

export interface SharedRegistry {
  url: string;
  close(): Promise<void>;
}

const sslRequestCode = 80877103;
const gssEncryptionRequestCode = 80877104;
const cancelRequestCode = 80877102;
// Messages after which the backend answers ReadyForQuery: the session may change hands there.
const requestEnds = new Set(['S', 'Q'].map((letter) => letter.charCodeAt(0)));
const flush = 'H'.charCodeAt(0);
const terminate = 'X'.charCodeAt(0);

// The backend session, handed from client to client in arrival order.
class SessionLock {
  private owner: number | undefined;
  private readonly waiting: { client: number; resume: () => void }[] = [];

  async acquire(client: number): Promise<void> {
    if (this.owner === client) return;
    if (this.owner === undefined) {
      this.owner = client;
      return;
    }
    await new Promise<void>((resume) => this.waiting.push({ client, resume }));
  }

  holds(client: number): boolean {
    return this.owner === client;
  }

  release(client: number): void {
    if (this.owner !== client) return;
    const next = this.waiting.shift();
    this.owner = next?.client;
    next?.resume();
  }
}

interface Framed {
  messages: Buffer[];
  rest: Buffer;
}

// Splits complete typed messages (type byte, then a length that counts itself) off the buffer.
function frameTyped(buffer: Buffer): Framed {
  const messages: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 5) {
    const length = 1 + buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

function serveClient(socket: Socket, database: PGlite, lock: SessionLock, client: number): void {
  let buffer = Buffer.alloc(0);
  let started = false;
  let request: Buffer[] = [];
  let work = Promise.resolve();
  const write = (data: Uint8Array) => {
    if (socket.writable) socket.write(Buffer.from(data));
  };
  const run = async (messages: Buffer[], mayHandOver: boolean) => {
    await lock.acquire(client);
    try {
      await database.runExclusive(async () => {
        for (const message of messages) await database.execProtocolRawStream(message, { onRawData: write });
      });
    } finally {
      if (mayHandOver && !database.isInTransaction()) lock.release(client);
    }
  };
  const submit = (messages: Buffer[], mayHandOver: boolean) => {
    work = work
      .then(() => run(messages, mayHandOver))
      .catch((error: unknown) => {
        socket.destroy(error as Error);
      });
  };
  // The first message has no type byte: SSL and GSS probes are declined, a cancel is dropped
  // (there is no other backend to signal), the startup packet opens the session.
  const readStartup = (): boolean => {
    if (buffer.length < 8 || buffer.length < buffer.readInt32BE(0)) return false;
    const length = buffer.readInt32BE(0);
    const code = buffer.readInt32BE(4);
    const packet = buffer.subarray(0, length);
    buffer = buffer.subarray(length);
    if (code === sslRequestCode || code === gssEncryptionRequestCode) socket.write('N');
    else if (code === cancelRequestCode) socket.destroy();
    else {
      started = true;
      submit([Buffer.from(packet)], true);
    }
    return true;
  };
  socket.setNoDelay(true);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (!started && !socket.destroyed && readStartup());
    if (!started) return;
    const { messages, rest } = frameTyped(buffer);
    buffer = Buffer.from(rest);
    for (const message of messages) {
      const type = message[0]!;
      if (type === terminate) {
        socket.end();
        return;
      }
      request.push(Buffer.from(message));
      if (requestEnds.has(type) || type === flush) {
        submit(request, requestEnds.has(type));
        request = [];
      }
    }
  });
  socket.on('error', () => socket.destroy());
  // A client that dies inside a transaction (kill -9) must not keep the session: roll back.
  socket.on('close', () => {
    work = work.then(async () => {
      if (!lock.holds(client)) return;
      if (database.isInTransaction()) await database.exec('rollback');
      lock.release(client);
    });
  });
}

export async function serveSharedRegistry(database: PGlite, port = 0): Promise<SharedRegistry> {
  const lock = new SessionLock();
  const sockets = new Set<Socket>();
  let nextClient = 1;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveClient(socket, database, lock, nextClient++);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${bound}/postgres`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A fresh in-memory registry, migrated, served on a free loopback port.
export async function startSharedRegistry(): Promise<SharedRegistry> {
  const database = await PGlite.create('memory://');
  const served = await serveSharedRegistry(database);
  const client = await openDatabase({ databaseUrl: served.url });
  await migrate(client);
  await client.close();
  return {
    url: served.url,
    close: async () => {
      await served.close();
      await database.close();
    },
  };
}
