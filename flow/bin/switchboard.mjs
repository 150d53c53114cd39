#!/usr/bin/env node
/**
 * The `switchboard` command (`npx switchboard test flow.json`). Committed as plain JavaScript
 * so npm links it on a fresh clone (npm skips a bin whose file does not exist yet): it runs the
 * built CLI when that is at least as new as every source file, otherwise the TypeScript
 * sources through tsx, so a clone works without a build and an old build never hides newer code.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/cli/switchboard.js', import.meta.url);
const sources = new URL('../src/', import.meta.url);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function builtIsCurrent() {
  const builtPath = fileURLToPath(built);
  if (!existsSync(builtPath)) return false;
  const dir = fileURLToPath(sources);
  if (!existsSync(dir)) return true; // an installed package ships dist only
  return newestSource(dir) <= statSync(builtPath).mtimeMs;
}

if (builtIsCurrent()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('cli/switchboard.ts', sources).href);
}
