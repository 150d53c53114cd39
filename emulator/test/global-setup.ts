import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateTlsFiles } from '../src/certificate.js';

/**
 * One self-signed certificate for every test emulator, trusted through NODE_EXTRA_CA_CERTS the
 * way an unmodified app trusts it. Node reads that variable only at start-up, so it is set here,
 * before vitest forks the workers that inherit it; `httpsHarness()` serves the same certificate.
 */
export default async function setup(): Promise<void> {
  const dir = join(tmpdir(), `switchboard-emulator-test-tls-${process.getuid?.() ?? 0}`);
  const tls = await loadOrCreateTlsFiles(dir, ['localhost', '127.0.0.1', '::1']);
  process.env.NODE_EXTRA_CA_CERTS = tls.certPath;
  process.env.SWITCHBOARD_EMULATOR_TEST_TLS_DIR = dir;
}
