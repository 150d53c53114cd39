import { fileURLToPath } from 'node:url';

/** Tests and the designer's dev server read the flow package from source, so no build is needed first. */
export const flowSourceAlias = {
  '@switchboard/flow': fileURLToPath(new URL('./flow/src/index.ts', import.meta.url)),
};
