import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../src/index.js';
import { BUSINESS_NUMBER } from './helpers.js';

/** The command exactly as npm links it (node_modules/.bin/switchboard-emulator points here). */
const bin = fileURLToPath(new URL('../bin/switchboard-emulator.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env }, timeout: 15_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('the switchboard-emulator command', () => {
  it('is linked by npm install: node_modules/.bin has it and npx finds it without the registry', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    // A bin whose target does not exist at install time is skipped by npm: this is the check
    // that a fresh clone's `npm ci` (which CI runs before these tests) linked it.
    expect(realpathSync(join(root, 'node_modules/.bin/switchboard-emulator'))).toBe(bin);
    const npx = await new Promise<{ code: number; stdout: string }>((resolve) => {
      // --no: never offer to install from the registry; a missing command is an error.
      execFile(
        'npx',
        ['--no', 'switchboard-emulator', 'hangup', '--help'],
        { cwd: root, timeout: 30_000, env: { ...process.env, npm_config_offline: 'true' } },
        (err, stdout) => resolve({ code: err ? 1 : 0, stdout }),
      );
    });
    expect(npx).toMatchObject({ code: 0 });
    expect(npx.stdout).toMatch(/^switchboard-emulator hangup <serverCallId>/);
  });

  it('prints help for itself and every command; a mistyped option is one line, the usage and exit 2', async () => {
    const [top, start, call, show, bogus, extra] = await Promise.all([
      run(['--help']),
      run(['start', '--help']),
      run(['call', '-h']),
      run(['show', '--help']),
      run(['start', '--bogus']),
      run(['hangup', 'a', 'b']),
    ]);
    expect(top).toMatchObject({ code: 0, stderr: '' });
    expect(top.stdout).toContain('switchboard-emulator start [options]');
    expect(top.stdout).toContain('switchboard-emulator <command> --help');
    expect(start).toMatchObject({ code: 0, stderr: '' });
    expect(start.stdout).toMatch(/^switchboard-emulator start \[options\]/);
    for (const flag of ['--callback-timeout-ms', '--callback-ordering', '--seed', '--help']) {
      expect(start.stdout).toContain(flag);
    }
    expect(call).toMatchObject({ code: 0, stderr: '' });
    expect(call.stdout).toMatch(/^switchboard-emulator call --from/);
    expect(show.stdout).toMatch(/^switchboard-emulator show <serverCallId>/);

    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toBe('');
    const [line, blank, usage] = bogus.stderr.split('\n');
    expect(line).toBe("switchboard-emulator start: unknown option '--bogus'");
    expect(blank).toBe('');
    expect(usage).toBe('switchboard-emulator start [options]');
    expect(extra.code).toBe(2);
    expect(extra.stderr.split('\n')[0]).toBe(
      "switchboard-emulator hangup: unexpected argument 'b'",
    );
  });

  it('starts on free ports, takes a call placed with the CLI, and stops on SIGTERM', async () => {
    const base = await mkdtemp(join(tmpdir(), 'switchboard-cli-'));
    dirs.push(base);
    // As `npm run start -w emulator` from `base`: npm runs the command elsewhere and says where
    // it was typed in INIT_CWD; the data goes there.
    const child = spawn(
      process.execPath,
      [bin, 'start', '--port', '0', '--https-port', '0', '--time-scale', '0.01', '--seed', '42'],
      { cwd: tmpdir(), env: { ...process.env, INIT_CWD: base }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no connection string in:\n${out}`)), 15_000);
      const check = () => {
        if (/connection string {3}endpoint=https:\/\/localhost:\d+\/;accesskey=/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      };
      child.stdout!.on('data', check);
      void exited.then(() => reject(new Error(`exited early:\n${out}`)));
    });
    const controlUrl = /control API {9}(http:\/\/127\.0\.0\.1:\d+)\/emulator/.exec(out)?.[1];
    expect(controlUrl).toBeDefined();
    expect(out).toContain('seed                42');
    const dataDir = join(base, '.data', 'emulator');
    expect(out).toContain(`data                ${dataDir}`);
    expect(existsSync(join(dataDir, 'access-key.txt'))).toBe(true);

    const placed = await run([
      'call',
      '--from',
      '+15550007777',
      '--to',
      BUSINESS_NUMBER,
      '--emulator',
      controlUrl!,
    ]);
    expect(placed).toMatchObject({ code: 0, stderr: '' });
    const { serverCallId } = JSON.parse(placed.stdout) as { serverCallId: string };
    const control = new ControlClient(controlUrl!);
    expect(await control.getCall(serverCallId)).toMatchObject({ from: '4:+15550007777' });
    expect(await control.info()).toMatchObject({ seed: 42 });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
