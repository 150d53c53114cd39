import { defineProject } from 'vitest/config';

/** Only the report's unit test: the benchmark itself is `npm run bench`, never part of npm test. */
export default defineProject({
  test: {
    name: 'bench',
    include: ['report.spec.ts'],
  },
});
