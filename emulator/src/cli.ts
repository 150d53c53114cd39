#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlClient } from './control-client.js';
import { INJECTABLE_OPERATIONS, type InjectableOperation } from './injections.js';
import { createJsonLogger, type LogLevel } from './logger.js';
import { startEmulator } from './server.js';

const usage = `switchboard-emulator — local Azure Communication Services Call Automation + Event Grid

  switchboard-emulator start [options]
      --port <n>            HTTP port (default 4510, env SWITCHBOARD_EMULATOR_PORT)
      --https-port <n>      HTTPS port (default 4511; env SWITCHBOARD_EMULATOR_HTTPS_PORT)
      --no-https            serve HTTP only
      --host <addr>         interface to bind (default 127.0.0.1)
      --access-key <b64>    access key (default: kept in the data folder; env SWITCHBOARD_EMULATOR_ACCESS_KEY)
      --time-scale <x>      emulated → real time factor, e.g. 0.01 (default 1)
      --data-dir <path>     certificate, keys (default .data/emulator; env SWITCHBOARD_EMULATOR_DATA_DIR)
      --event-grid <url>    Event Grid webhook subscriber, repeatable
                            (env SWITCHBOARD_EMULATOR_EVENT_GRID, comma-separated)
      --audience <aud>      callback JWT audience (default: the emulated resource id)
      --issuer <iss>        callback JWT issuer (default: the emulator's HTTP URL)
      --log-level <level>   debug | info | warn | error (default info)

  switchboard-emulator call --from <+1555…|8:acs:…> --to <number|id> [--name <display name>] [--script <json>]
  switchboard-emulator dtmf <serverCallId> <tones>        e.g. 12#
  switchboard-emulator say <serverCallId> <text> [--confidence <0..1>]
  switchboard-emulator hangup <serverCallId>
  switchboard-emulator fail [<serverCallId>] <operation> <code>/<subCode> [--message <m>] [--times <n>]
                                                          the next <operation> (on that call, or on
                                                          any call) ends with its failure event,
                                                          e.g. fail <id> play 400/8536
      operations: ${INJECTABLE_OPERATIONS.join(', ')}
  switchboard-emulator failures                           failures queued and not used up
  switchboard-emulator calls                              recent calls
  switchboard-emulator show <serverCallId>                a call's timeline
      --emulator <url>      control API base URL (default http://127.0.0.1:4510; env SWITCHBOARD_EMULATOR_URL)
`;

const env = process.env;

async function accessKeyFor(dataDir: string, given?: string): Promise<string> {
  if (given) return given;
  const file = join(dataDir, 'access-key.txt');
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key) return key;
  } catch {
    // first start
  }
  const key = randomBytes(32).toString('base64');
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, key + '\n', { mode: 0o600 });
  return key;
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'https-port': { type: 'string' },
      'no-https': { type: 'boolean' },
      host: { type: 'string' },
      'access-key': { type: 'string' },
      'time-scale': { type: 'string' },
      'data-dir': { type: 'string' },
      'event-grid': { type: 'string', multiple: true },
      audience: { type: 'string' },
      issuer: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  const dataDir = resolve(
    values['data-dir'] ?? env.SWITCHBOARD_EMULATOR_DATA_DIR ?? '.data/emulator',
  );
  const subscribers = [
    ...(values['event-grid'] ?? []),
    ...(env.SWITCHBOARD_EMULATOR_EVENT_GRID ?? '').split(',').filter(Boolean),
  ];
  const noHttps = values['no-https'] === true;
  const em = await startEmulator({
    port: Number(values.port ?? env.SWITCHBOARD_EMULATOR_PORT ?? 4510),
    httpsPort: noHttps
      ? undefined
      : Number(values['https-port'] ?? env.SWITCHBOARD_EMULATOR_HTTPS_PORT ?? 4511),
    host: values.host ?? env.SWITCHBOARD_EMULATOR_HOST,
    accessKey: await accessKeyFor(
      dataDir,
      values['access-key'] ?? env.SWITCHBOARD_EMULATOR_ACCESS_KEY,
    ),
    timeScale: Number(values['time-scale'] ?? env.SWITCHBOARD_EMULATOR_TIME_SCALE ?? 1),
    dataDir,
    eventGridSubscribers: subscribers,
    audience: values.audience,
    issuer: values.issuer,
    logger: createJsonLogger((values['log-level'] ?? 'info') as LogLevel),
  });
  const lines = [
    '',
    'Switchboard ACS emulator is running',
    `  connection string   ${em.connectionString}`,
    ...(em.httpsUrl ? [`  (plain HTTP)        ${em.httpConnectionString}`] : []),
    ...(em.caCertPath ? [`  NODE_EXTRA_CA_CERTS=${em.caCertPath}`] : []),
    `  callback JWT        issuer ${em.issuer}  audience ${em.audience}`,
    `  JWKS                ${em.jwksUrl}`,
    `  OpenID config       ${em.openIdConfigUrl}`,
    `  control API         ${em.url}/emulator  (live feed: ${em.url}/emulator/stream)`,
    `  Event Grid          ${subscribers.length ? subscribers.join(', ') : 'no subscriber (POST /emulator/subscriptions)'}`,
    `  time scale          ${em.timeScale}`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  const stop = () => {
    void em.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function control(command: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      emulator: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      name: { type: 'string' },
      script: { type: 'string' },
      participant: { type: 'string' },
      confidence: { type: 'string' },
      message: { type: 'string' },
      times: { type: 'string' },
    },
  });
  const client = new ControlClient(
    (values.emulator ?? env.SWITCHBOARD_EMULATOR_URL ?? 'http://127.0.0.1:4510').replace(/\/$/, ''),
  );
  const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');
  const need = (i: number, what: string) => {
    const v = positionals[i];
    if (!v) throw new Error(`missing ${what}\n\n${usage}`);
    return v;
  };
  switch (command) {
    case 'call':
      if (!values.from || !values.to) throw new Error(`call needs --from and --to\n\n${usage}`);
      print(
        await client.placeCall({
          from: values.from,
          to: values.to,
          callerDisplayName: values.name,
          script: values.script ? JSON.parse(values.script) : undefined,
        }),
      );
      return;
    case 'dtmf':
      print(await client.dtmf(need(0, 'serverCallId'), need(1, 'tones'), values.participant));
      return;
    case 'say':
      print(
        await client.say(
          need(0, 'serverCallId'),
          positionals.slice(1).join(' '),
          values.participant,
          values.confidence === undefined ? undefined : Number(values.confidence),
        ),
      );
      return;
    case 'fail': {
      // With a call id first it is that call's; without, the next call that does it.
      const [serverCallId, operation, codes] =
        positionals.length >= 3 ? positionals : [undefined, ...positionals];
      const m = /^(\d+)\/(\d+)$/.exec(codes ?? '');
      if (!operation || !m) throw new Error(`fail needs <operation> <code>/<subCode>\n\n${usage}`);
      print(
        await client.injectResult(
          {
            operation: operation as InjectableOperation,
            code: Number(m[1]),
            subCode: Number(m[2]),
            message: values.message,
            times: values.times === undefined ? undefined : Number(values.times),
          },
          serverCallId,
        ),
      );
      return;
    }
    case 'failures':
      print(await client.injectedResults());
      return;
    case 'hangup':
      print(await client.hangup(need(0, 'serverCallId'), values.participant));
      return;
    case 'calls':
      print(await client.listCalls());
      return;
    case 'show':
      print(await client.getCall(need(0, 'serverCallId')));
      return;
  }
  throw new Error(`unknown command '${command}'\n\n${usage}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage);
    return;
  }
  if (command === 'start') return start(rest);
  return control(command, rest);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
