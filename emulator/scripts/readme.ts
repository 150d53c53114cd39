/**
 * `npm run docs -w emulator`: re-renders the generated sections of emulator/README.md (result
 * codes, coverage of the spec) and formats the file the way `prettier --check` expects, so the
 * README test and the lint agree on one text.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { updateReadme } from '../src/readme-tables.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** What README.md should contain, given what it contains now. */
export async function renderReadme(current: string): Promise<string> {
  const options = (await prettier.resolveConfig(README)) ?? {};
  return prettier.format(updateReadme(current), { ...options, filepath: README });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = await readFile(README, 'utf8');
  const next = await renderReadme(current);
  if (next !== current) await writeFile(README, next);
  process.stdout.write(next === current ? 'README.md is current\n' : 'README.md updated\n');
}
