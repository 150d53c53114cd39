#!/usr/bin/env node
/**
 * The `switchboard-emulator` command. Committed as plain JavaScript so npm links it on a fresh
 * clone (npm skips a bin whose file does not exist yet): it runs the built CLI when that is at
 * least as new as the sources, and otherwise the TypeScript sources through tsx, so a clone
 * works without a build and an old build never hides newer code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);

function builtIsCurrent() {
  const builtPath = fileURLToPath(built);
  if (!existsSync(builtPath)) return false;
  const builtAt = statSync(builtPath).mtimeMs;
  const dir = fileURLToPath(sources);
  if (!existsSync(dir)) return true; // an installed package ships dist only
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .every((f) => statSync(`${dir}/${f}`).mtimeMs <= builtAt);
}

if (builtIsCurrent()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('cli.ts', sources).href);
}
