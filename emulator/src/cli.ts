#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ControlClient } from './control-client.js';
import { type EventGridSubscriber, parseSubscriberSpec } from './event-grid-filters.js';
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
      --event-grid <spec>   Event Grid webhook subscriber, repeatable: a URL, optionally followed by
                            to=<number|raw id> (repeatable: only IncomingCall for those), type=<event type>,
                            schema=cloudevents — e.g. --event-grid "http://127.0.0.1:3001/events to=+18005550101"
                            (env SWITCHBOARD_EMULATOR_EVENT_GRID, comma-separated)
      --phone-number <e164> a number the resource owns, repeatable (default +18005550100…+18005550109;
                            env SWITCHBOARD_EMULATOR_PHONE_NUMBERS, comma-separated)
      --audience <aud>      callback JWT audience (default: the emulated resource id)
      --issuer <iss>        callback JWT issuer (default: the emulator's HTTP URL)
      --log-level <level>   debug | info | warn | error (default info)

  switchboard-emulator call --from <+1555…|8:acs:…> --to <number|id> [--name <display name>] [--script <json>]
  switchboard-emulator dtmf <serverCallId> <tones>        e.g. 12#
  switchboard-emulator say <serverCallId> <text>
  switchboard-emulator hangup <serverCallId>
  switchboard-emulator calls                              recent calls
  switchboard-emulator show <serverCallId>                a call's timeline
  switchboard-emulator numbers                            the numbers the resource owns
  switchboard-emulator add-number <e164>                  buy a number
  switchboard-emulator remove-number <e164>               release a number
      --emulator <url>      control API base URL (default http://127.0.0.1:4510; env SWITCHBOARD_EMULATOR_URL)
`;

const env = process.env;

const describeSubscriber = (s: EventGridSubscriber) =>
  [
    s.url,
    ...(s.filter?.to ?? []).map((t) => `to=${t}`),
    ...(s.filter?.includedEventTypes ?? []).map((t) => `type=${t}`),
    ...(s.schema === 'CloudEventSchemaV1_0' ? ['schema=cloudevents'] : []),
  ].join(' ');

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
      'phone-number': { type: 'string', multiple: true },
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
    ...(env.SWITCHBOARD_EMULATOR_EVENT_GRID ?? '').split(',').filter((v) => v.trim()),
  ].map(parseSubscriberSpec);
  const numbers = [
    ...(values['phone-number'] ?? []),
    ...(env.SWITCHBOARD_EMULATOR_PHONE_NUMBERS ?? '').split(',').filter((v) => v.trim()),
  ].map((n) => n.trim());
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
    ...(numbers.length ? { phoneNumbers: numbers } : {}),
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
    `  Event Grid          ${subscribers.length ? subscribers.map(describeSubscriber).join(', ') : 'no subscriber (POST /emulator/subscriptions)'}`,
    `  phone numbers       ${(await em.control.phoneNumbers()).join(', ')}`,
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
        ),
      );
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
    case 'numbers':
      print(await client.phoneNumbers());
      return;
    case 'add-number':
      print(await client.addPhoneNumber(need(0, 'phone number')));
      return;
    case 'remove-number':
      await client.removePhoneNumber(need(0, 'phone number'));
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
