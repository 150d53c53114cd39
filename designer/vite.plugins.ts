import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const VIRTUAL_ID = 'virtual:node-icons';
const RESOLVED_ID = '\0' + VIRTUAL_ID;
const flowSrc = fileURLToPath(new URL('../flow/src', import.meta.url));

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
  }
  return files;
}

/**
 * The catalogue names each node type's icon by its Fluent name ('CallInbound', 'Dialpad', ...).
 * Importing every Fluent icon to look names up at run time would put thousands of icons in the
 * bundle, so this plugin reads the icon names the catalogue uses and generates a module that
 * imports exactly those (`virtual:node-icons`). Nothing about a node type is written here: the
 * names come from the catalogue's source.
 */
export function nodeIcons(): Plugin {
  const require = createRequire(import.meta.url);
  let available: Set<string> | undefined;
  return {
    name: 'switchboard-node-icons',
    resolveId(id) {
      return id === VIRTUAL_ID ? RESOLVED_ID : undefined;
    },
    async load(id) {
      if (id !== RESOLVED_ID) return undefined;
      available ??= new Set(Object.keys(require('@fluentui/react-icons') as object));
      const names = new Set<string>();
      for (const file of await sourceFiles(flowSrc)) {
        this.addWatchFile(file);
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(/\bicon\s*:\s*['"]([A-Za-z0-9]+)['"]/g)) {
          names.add(match[1]!);
        }
      }
      const known = [...names].filter((name) => available!.has(`${name}Regular`)).sort();
      const lines = [
        `import { ${['CircleRegular', ...known.map((n) => `${n}Regular`)].join(', ')} } from '@fluentui/react-icons';`,
        `export const fallbackIcon = CircleRegular;`,
        `export const nodeIcons = { ${known.map((n) => `${n}: ${n}Regular`).join(', ')} };`,
      ];
      return lines.join('\n');
    },
  };
}
