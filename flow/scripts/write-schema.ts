/**
 * Writes flow.schema.json: the flow document as JSON Schema (draft 2020-12), with each node
 * type's config schema under $defs so tools can check configs as well as the document: the
 * latest version's as `config:<type>`, an older version's as `config:<type>@<version>` when
 * its settings differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import {
  FlowDocumentSchema,
  listNodeTypes,
  nodeTypeVersions,
  type NodeTypeDescription,
} from '../src/index.js';

const out = fileURLToPath(new URL('../flow.schema.json', import.meta.url));

// Documents are inputs: fields with defaults may be left out.
const schema = z.toJSONSchema(FlowDocumentSchema, { io: 'input', unrepresentable: 'any' });
const defs: Record<string, unknown> = {};
const configSchema = (d: NodeTypeDescription) => ({
  ...z.toJSONSchema(d.configSchema, { io: 'input', unrepresentable: 'any' }),
  $schema: undefined,
  title: `${d.label} settings`,
  description: d.description,
});
for (const d of listNodeTypes()) {
  defs[`config:${d.type}`] = configSchema(d);
  for (const older of nodeTypeVersions(d.type)) {
    if (older !== d && older.configSchema !== d.configSchema) {
      defs[`config:${d.type}@${older.version}`] = configSchema(older);
    }
  }
}
const document = {
  $schema: schema.$schema,
  $id: 'https://switchboard.local/schemas/flow.schema.json',
  ...schema,
  $defs: { ...(schema.$defs ?? {}), ...defs },
};
const text = `${JSON.stringify(document, null, 2)}\n`;
// `--stdout`: print it instead (the staleness test compares it with the committed file).
if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out} (${Object.keys(defs).length} node config schemas)`);
}
