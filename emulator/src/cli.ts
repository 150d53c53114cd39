#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { callbackOrderings, type CallbackDeliveryOptions } from './callbacks.js';
import { ControlClient } from './control-client.js';
import { parseSeed } from './faults.js';
import { INJECTABLE_OPERATIONS, type InjectableOperation } from './injections.js';
import { type EventGridSubscriber, parseSubscriberSpec } from './event-grid-filters.js';
import { createJsonLogger, type LogLevel } from './logger.js';
import { startEmulator } from './server.js';

const env = process.env;
const bin = 'switchboard-emulator';
const emulatorOption = `      --emulator <url>      control API base URL (default http://127.0.0.1:4510; env SWITCHBOARD_EMULATOR_URL)`;

type Values = ReturnType<typeof parseArgs>['values'];

interface Command {
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: number;
  run(values: Values, positionals: string[]): Promise<void>;
}

/** A mistake in how the command was typed: one line, the command's usage, exit status 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

const startUsage = `${bin} start [options]
      --port <n>                  HTTP port; 0 picks a free one (default 4510, env SWITCHBOARD_EMULATOR_PORT)
      --https-port <n>            HTTPS port; 0 picks a free one (default 4511; env SWITCHBOARD_EMULATOR_HTTPS_PORT)
      --no-https                  serve HTTP only
      --host <addr>               interface to bind (default 127.0.0.1)
      --access-key <b64>          access key (default: kept in the data folder; env SWITCHBOARD_EMULATOR_ACCESS_KEY)
      --time-scale <x>            emulated → real time factor, e.g. 0.01 (default 1)
      --data-dir <path>           certificate, keys (default .data/emulator where npm or the command was run;
                                  env SWITCHBOARD_EMULATOR_DATA_DIR)
      --event-grid <spec>         Event Grid webhook subscriber, repeatable: a URL, optionally followed by
                                  to=<number|raw id> (repeatable: only IncomingCall for those), type=<event type>,
                                  schema=cloudevents — e.g. --event-grid "http://127.0.0.1:3001/events to=+18005550101"
                                  (env SWITCHBOARD_EMULATOR_EVENT_GRID, comma-separated)
      --phone-number <e164>       a number the resource owns, repeatable (default +18005550100…+18005550109;
                                  env SWITCHBOARD_EMULATOR_PHONE_NUMBERS, comma-separated)
      --audience <aud>            callback JWT audience (default: the emulated resource id)
      --issuer <iss>              callback JWT issuer (default: the emulator's HTTP URL)
      --callback-timeout-ms <n>   real ms to wait for the app's answer to a callback
                                  (default 5 s emulated, scaled by the time scale)
      --callback-retry-delays-ms <list>
                                  emulated back-off before each retry, comma-separated (default 1000,2000,4000,8000,16000,32000)
      --callback-ordering <mode>  perConnection (default): a connection's next event waits for the previous
                                  one's first attempt to be answered or time out; none: send at once
      --event-grid-timeout-ms <n> real ms to wait for an Event Grid subscriber (default 30 s emulated, scaled)
      --seed <n>                  seed of the fault RNG (default: random, printed; env SWITCHBOARD_EMULATOR_SEED)
      --log-level <level>         debug | info | warn | error (default info)
  -h, --help                      this help
`;

const commandUsage = (line: string) =>
  `${bin} ${line}\n${emulatorOption}\n  -h, --help            this help\n`;

const usage = `${bin} — local Azure Communication Services Call Automation + Event Grid

  ${startUsage.replace(/\n(?=.)/g, '\n  ')}
  ${bin} call --from <+1555…|8:acs:…> --to <number|id> [--name <display name>] [--script <json>]
  ${bin} dtmf <serverCallId> <tones> [--participant <id>]   e.g. 12#
  ${bin} say <serverCallId> <text> [--participant <id>] [--confidence <0..1>]
  ${bin} hangup <serverCallId> [--participant <id>]
  ${bin} fail [<serverCallId>] <operation> <code>/<subCode> [--message <m>] [--times <n>]
                                     the next <operation> (on that call, or on any call) ends
                                     with its failure event, e.g. fail <id> play 400/8536
  ${bin} failures                           failures queued and not used up
  ${bin} calls                              recent calls
  ${bin} show <serverCallId>                a call's timeline
  ${bin} numbers                            the numbers the resource owns
  ${bin} add-number <e164>                  buy a number
  ${bin} remove-number <e164>               release a number
${emulatorOption}

  ${bin} <command> --help                   one command's options
`;

/** Relative paths mean relative to where the user typed the command, also through `npm run -w`. */
const invokedFrom = () => env.INIT_CWD ?? process.cwd();

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

function numberOption(
  name: string,
  raw: string | undefined,
  check: (n: number) => boolean,
  expected: string,
  usageText = startUsage,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !check(n)) {
    throw new UsageError(`--${name} must be ${expected}, got '${raw}'`, usageText);
  }
  return n;
}

const isPort = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65535;

const start: Command = {
  usage: startUsage,
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
    'callback-timeout-ms': { type: 'string' },
    'callback-retry-delays-ms': { type: 'string' },
    'callback-ordering': { type: 'string' },
    'event-grid-timeout-ms': { type: 'string' },
    seed: { type: 'string' },
    'log-level': { type: 'string' },
  },
  async run(v) {
    const str = (k: string) => v[k] as string | undefined;
    const dataDir = resolve(
      invokedFrom(),
      str('data-dir') ?? env.SWITCHBOARD_EMULATOR_DATA_DIR ?? '.data/emulator',
    );
    let subscribers: EventGridSubscriber[];
    try {
      subscribers = [
        ...((v['event-grid'] as string[] | undefined) ?? []),
        ...(env.SWITCHBOARD_EMULATOR_EVENT_GRID ?? '').split(',').filter((e) => e.trim()),
      ].map(parseSubscriberSpec);
    } catch (e) {
      throw new UsageError(`--event-grid: ${(e as Error).message}`, startUsage);
    }
    const numbers = [
      ...((v['phone-number'] as string[] | undefined) ?? []),
      ...(env.SWITCHBOARD_EMULATOR_PHONE_NUMBERS ?? '').split(',').filter((n) => n.trim()),
    ].map((n) => n.trim());
    const positive = (n: number) => Number.isFinite(n) && n > 0;
    const port = numberOption(
      'port',
      str('port') ?? env.SWITCHBOARD_EMULATOR_PORT ?? '4510',
      isPort,
      'a port number',
    );
    const httpsPort = v['no-https']
      ? undefined
      : numberOption(
          'https-port',
          str('https-port') ?? env.SWITCHBOARD_EMULATOR_HTTPS_PORT ?? '4511',
          isPort,
          'a port number',
        );
    const timeScale = numberOption(
      'time-scale',
      str('time-scale') ?? env.SWITCHBOARD_EMULATOR_TIME_SCALE ?? '1',
      positive,
      'a positive number',
    );
    const callbackDelivery: Partial<CallbackDeliveryOptions> = {};
    const timeoutMs = numberOption(
      'callback-timeout-ms',
      str('callback-timeout-ms'),
      positive,
      'a positive number of ms',
    );
    if (timeoutMs !== undefined) callbackDelivery.timeoutMs = timeoutMs;
    const delays = str('callback-retry-delays-ms');
    if (delays !== undefined) {
      const list = delays === '' ? [] : delays.split(',').map(Number);
      if (!list.every((n) => Number.isFinite(n) && n >= 0)) {
        throw new UsageError(
          `--callback-retry-delays-ms must be comma-separated ms, got '${delays}'`,
          startUsage,
        );
      }
      callbackDelivery.retryDelaysMs = list;
    }
    const ordering = str('callback-ordering');
    if (ordering !== undefined) {
      if (!(callbackOrderings as readonly string[]).includes(ordering)) {
        throw new UsageError(
          `--callback-ordering must be ${callbackOrderings.join(' or ')}, got '${ordering}'`,
          startUsage,
        );
      }
      callbackDelivery.ordering = ordering as CallbackDeliveryOptions['ordering'];
    }
    const rawSeed = str('seed') ?? env.SWITCHBOARD_EMULATOR_SEED;
    let seed: number | undefined;
    if (rawSeed !== undefined) {
      try {
        seed = parseSeed(rawSeed);
      } catch (e) {
        throw new UsageError(`--${(e as Error).message}`, startUsage);
      }
    }
    const logLevel = str('log-level') ?? 'info';
    if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
      throw new UsageError(
        `--log-level must be debug, info, warn or error, got '${logLevel}'`,
        startUsage,
      );
    }

    const em = await startEmulator({
      port,
      httpsPort,
      host: str('host') ?? env.SWITCHBOARD_EMULATOR_HOST,
      accessKey: await accessKeyFor(
        dataDir,
        str('access-key') ?? env.SWITCHBOARD_EMULATOR_ACCESS_KEY,
      ),
      timeScale,
      dataDir,
      eventGridSubscribers: subscribers,
      ...(numbers.length ? { phoneNumbers: numbers } : {}),
      audience: str('audience'),
      issuer: str('issuer'),
      callbackDelivery,
      eventGridTimeoutMs: numberOption(
        'event-grid-timeout-ms',
        str('event-grid-timeout-ms'),
        positive,
        'a positive number of ms',
      ),
      seed,
      logger: createJsonLogger(logLevel as LogLevel),
    });
    const d = em.callbackDelivery;
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
      `  callbacks           timeout ${d.timeoutMs} ms (real), retries after ${d.retryDelaysMs.join(', ') || 'none'} ms (emulated), ordering ${d.ordering}`,
      `  time scale          ${em.timeScale}`,
      `  seed                ${em.seed}  (--seed ${em.seed} repeats this run's injected faults)`,
      `  data                ${dataDir}`,
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const stop = () => {
      void em.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
};

const controlOptions = {
  emulator: { type: 'string' },
  participant: { type: 'string' },
} as const;

function client(values: Record<string, unknown>): ControlClient {
  const base = (values.emulator as string | undefined) ?? env.SWITCHBOARD_EMULATOR_URL;
  return new ControlClient((base ?? 'http://127.0.0.1:4510').replace(/\/$/, ''));
}

const print = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

function need(positionals: string[], i: number, what: string, usageText: string): string {
  const v = positionals[i];
  if (!v) throw new UsageError(`missing ${what}`, usageText);
  return v;
}

const callUsage = commandUsage(
  'call --from <+1555…|8:acs:…> --to <number|id> [--name <display name>] [--script <json>]',
);
const dtmfUsage = commandUsage('dtmf <serverCallId> <tones> [--participant <id>]   e.g. 12#');
const sayUsage = commandUsage(
  'say <serverCallId> <text> [--participant <id>] [--confidence <0..1>]',
);
const failUsage = commandUsage(
  `fail [<serverCallId>] <operation> <code>/<subCode> [--message <m>] [--times <n>]
      the next <operation> (on that call, or on whichever call does it next) ends with its
      failure event carrying that result, e.g. fail <serverCallId> play 400/8536
      operations: ${INJECTABLE_OPERATIONS.join(', ')}`,
);
const failuresUsage = commandUsage(
  'failures                           failures queued and not used up',
);
const hangupUsage = commandUsage('hangup <serverCallId> [--participant <id>]');
const callsUsage = commandUsage('calls                              recent calls');
const showUsage = commandUsage("show <serverCallId>                a call's timeline");
const numbersUsage = commandUsage(
  'numbers                            the numbers the resource owns',
);
const addNumberUsage = commandUsage('add-number <e164>                  buy a number');
const removeNumberUsage = commandUsage('remove-number <e164>               release a number');

const commands: Record<string, Command> = {
  start,
  call: {
    usage: callUsage,
    options: {
      emulator: controlOptions.emulator,
      from: { type: 'string' },
      to: { type: 'string' },
      name: { type: 'string' },
      script: { type: 'string' },
    },
    positionals: 0,
    async run(v) {
      if (!v.from || !v.to) throw new UsageError('call needs --from and --to', callUsage);
      let script: unknown;
      if (v.script !== undefined) {
        try {
          script = JSON.parse(v.script as string);
        } catch {
          throw new UsageError('--script must be JSON', callUsage);
        }
      }
      print(
        await client(v).placeCall({
          from: v.from as string,
          to: v.to as string,
          callerDisplayName: v.name as string | undefined,
          script: script as never,
        }),
      );
    },
  },
  dtmf: {
    usage: dtmfUsage,
    options: controlOptions,
    positionals: 2,
    async run(v, p) {
      const id = need(p, 0, 'serverCallId', dtmfUsage);
      print(await client(v).dtmf(id, need(p, 1, 'tones', dtmfUsage), v.participant as string));
    },
  },
  say: {
    usage: sayUsage,
    options: { ...controlOptions, confidence: { type: 'string' } },
    positionals: Infinity,
    async run(v, p) {
      const id = need(p, 0, 'serverCallId', sayUsage);
      need(p, 1, 'text', sayUsage);
      const confidence =
        v.confidence === undefined
          ? undefined
          : numberOption(
              'confidence',
              v.confidence as string,
              (n) => n >= 0 && n <= 1,
              'between 0 and 1',
              sayUsage,
            );
      print(await client(v).say(id, p.slice(1).join(' '), v.participant as string, confidence));
    },
  },
  fail: {
    usage: failUsage,
    options: {
      emulator: controlOptions.emulator,
      message: { type: 'string' },
      times: { type: 'string' },
    },
    positionals: 3,
    async run(v, p) {
      // With a call id first it is that call's; without, the next call that does it.
      const [serverCallId, operation, codes] = p.length >= 3 ? p : [undefined, ...p];
      const m = /^(\d+)\/(\d+)$/.exec(codes ?? '');
      if (!operation || !m)
        throw new UsageError('fail needs <operation> <code>/<subCode>', failUsage);
      if (!(INJECTABLE_OPERATIONS as string[]).includes(operation)) {
        throw new UsageError(
          `unknown operation '${operation}' (one of ${INJECTABLE_OPERATIONS.join(', ')})`,
          failUsage,
        );
      }
      const times =
        v.times === undefined
          ? undefined
          : numberOption(
              'times',
              v.times as string,
              (n) => Number.isInteger(n) && n > 0,
              'a positive whole number',
              failUsage,
            );
      print(
        await client(v).injectResult(
          {
            operation: operation as InjectableOperation,
            code: Number(m[1]),
            subCode: Number(m[2]),
            message: v.message as string | undefined,
            times,
          },
          serverCallId,
        ),
      );
    },
  },
  failures: {
    usage: failuresUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 0,
    async run(v) {
      print(await client(v).injectedResults());
    },
  },
  hangup: {
    usage: hangupUsage,
    options: controlOptions,
    positionals: 1,
    async run(v, p) {
      print(
        await client(v).hangup(need(p, 0, 'serverCallId', hangupUsage), v.participant as string),
      );
    },
  },
  calls: {
    usage: callsUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 0,
    async run(v) {
      print(await client(v).listCalls());
    },
  },
  show: {
    usage: showUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 1,
    async run(v, p) {
      print(await client(v).getCall(need(p, 0, 'serverCallId', showUsage)));
    },
  },
  numbers: {
    usage: numbersUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 0,
    async run(v) {
      print(await client(v).phoneNumbers());
    },
  },
  'add-number': {
    usage: addNumberUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 1,
    async run(v, p) {
      print(await client(v).addPhoneNumber(need(p, 0, 'phone number', addNumberUsage)));
    },
  },
  'remove-number': {
    usage: removeNumberUsage,
    options: { emulator: controlOptions.emulator },
    positionals: 1,
    async run(v, p) {
      await client(v).removePhoneNumber(need(p, 0, 'phone number', removeNumberUsage));
    },
  },
};

/** parseArgs' messages run to several sentences; one line says what was wrong. */
function oneLine(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(err.message ?? '')?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? err.message}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? err.message}'`;
    default:
      return (err.message ?? String(e)).split('\n')[0]!;
  }
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command '${name}'`, usage);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: (command.positionals ?? 0) > 0,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError(oneLine(e), command.usage);
  }
  if (parsed.values.help) {
    process.stdout.write(command.usage);
    return;
  }
  if (parsed.positionals.length > (command.positionals ?? 0)) {
    throw new UsageError(
      `unexpected argument '${parsed.positionals[command.positionals ?? 0]}'`,
      command.usage,
    );
  }
  await command.run(parsed.values, parsed.positionals);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof UsageError) {
    process.stderr.write(`${bin} ${process.argv[2] ?? ''}: ${e.message}\n\n${e.usage}`);
    process.exit(2);
  }
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
