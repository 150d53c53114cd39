import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlClient } from '@switchboard/emulator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BIN = join(root, 'emulator', 'bin', 'switchboard-emulator.mjs');

export interface EmulatorProcess {
  /** The control API's base URL (http://127.0.0.1:port). */
  url: string;
  control: ControlClient;
  proc: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/**
 * The emulator as a standalone process (`switchboard-emulator start`, loopback, HTTP only), so
 * engines can be killed without killing the calls. Resolves once its control API answers.
 */
export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const proc = spawn(
    process.execPath,
    [BIN, 'start', '--host', '127.0.0.1', '--port', '0', '--no-https', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  );
  const output: string[] = [];
  let text = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator not ready:\n${text}`)), 30_000);
    const collect = (c: Buffer) => {
      text += c.toString();
      output.push(c.toString());
      const m = /control API\s+(http:\/\/127\.0\.0\.1:\d+)\/emulator/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    void exited.then(() => reject(new Error(`emulator exited:\n${text}`)));
  });
  return {
    url,
    control: new ControlClient(url),
    proc,
    output,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
