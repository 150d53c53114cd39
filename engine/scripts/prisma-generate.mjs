#!/usr/bin/env node
// Runs `prisma generate` for the engine's Prisma client (engine/src/generated/prisma).
//
// The Prisma CLI downloads its native schema engine on start, even for `generate`, which never
// uses it. Where binaries.prisma.sh is unreachable that download fails, so unless the caller
// chose a schema engine we point PRISMA_SCHEMA_ENGINE_BINARY at a placeholder executable.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const placeholder = join(mkdtempSync(join(tmpdir(), 'prisma-placeholder-')), 'schema-engine');
  writeFileSync(
    placeholder,
    '#!/bin/sh\necho "placeholder: prisma generate does not run the schema engine" >&2\nexit 1\n',
  );
  chmodSync(placeholder, 0o755);
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}
const cli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
