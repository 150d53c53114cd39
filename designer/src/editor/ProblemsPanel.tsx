import { Button, Text } from '@fluentui/react-components';
import { ErrorCircleRegular, WarningRegular } from '@fluentui/react-icons';
import { useState } from 'react';
import { useStore } from 'zustand';
import { nodeType } from '../catalogue.js';
import { useEditorStore } from './context.js';
import type { Issue } from './store.js';

/** Errors and warnings from the validator; clicking one selects its node and centres it. */
const PAGE = 100;

export function ProblemsPanel({ onReveal }: { onReveal: (issue: Issue) => void }) {
  const store = useEditorStore();
  // A large flow can have thousands of warnings; render them a page at a time.
  const [limit, setLimit] = useState(PAGE);
  const issues = useStore(store, (s) => s.issues);
  const nodes = useStore(store, (s) => s.nodes);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const nodeName = (id: string | undefined) => {
    if (!id) return undefined;
    const node = nodes.find((n) => n.id === id);
    if (!node) return id;
    return node.data.label || nodeType(node.data.type)?.label || node.data.type;
  };
  return (
    <section className="sb-problems" aria-label="Problems">
      <Text as="h2" weight="semibold" size={300} className="sb-problems__title">
        Problems · {errors} error{errors === 1 ? '' : 's'}, {warnings} warning
        {warnings === 1 ? '' : 's'}
      </Text>
      {issues.length === 0 ? (
        <Text size={200}>No problems found.</Text>
      ) : (
        <ul className="sb-problems__list">
          {issues.slice(0, limit).map((issue, index) => {
            const where = nodeName(issue.nodeId);
            return (
              <li key={index}>
                {issue.nodeId || issue.edgeId ? (
                  <Button
                    appearance="subtle"
                    size="small"
                    className={`sb-issue sb-issue--${issue.severity}`}
                    icon={issue.severity === 'error' ? <ErrorCircleRegular /> : <WarningRegular />}
                    onClick={() => onReveal(issue)}
                  >
                    {where ? `${where}: ` : ''}
                    {issue.message}
                  </Button>
                ) : (
                  <span className={`sb-problems__text sb-issue sb-issue--${issue.severity}`}>
                    {issue.severity === 'error' ? <ErrorCircleRegular /> : <WarningRegular />}
                    {issue.message}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {issues.length > limit && (
        <Button size="small" appearance="transparent" onClick={() => setLimit((l) => l + PAGE * 5)}>
          Show more ({issues.length - limit} not shown)
        </Button>
      )}
    </section>
  );
}
