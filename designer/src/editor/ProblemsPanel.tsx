import { Button, Input, Text, ToggleButton } from '@fluentui/react-components';
import {
  ChevronDownRegular,
  ChevronUpRegular,
  ErrorCircleRegular,
  FilterRegular,
  WarningRegular,
} from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { nodeType } from '../catalogue.js';
import { useEditorStore } from './context.js';
import type { Issue } from './store.js';

/** Errors and warnings from the validator; clicking one selects its node and centres it. */
const PAGE = 100;

type Severity = Issue['severity'];

export function ProblemsPanel({ onReveal }: { onReveal: (issue: Issue) => void }) {
  const store = useEditorStore();
  // A large flow can have thousands of warnings; render them a page at a time.
  const [limit, setLimit] = useState(PAGE);
  const [open, setOpen] = useState(true);
  const [text, setText] = useState('');
  const [shown, setShown] = useState<Record<Severity, boolean>>({ error: true, warning: true });
  const issues = useStore(store, (s) => s.issues);
  const nodes = useStore(store, (s) => s.nodes);
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const node of nodes) {
      map.set(node.id, node.data.label || nodeType(node.data.type)?.label || node.data.type);
    }
    return map;
  }, [nodes]);
  const nodeName = (id: string | undefined) => (id ? (names.get(id) ?? id) : undefined);
  const filtered = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return issues.filter((issue) => {
      if (!shown[issue.severity]) return false;
      if (!needle) return true;
      const where = issue.nodeId ? (names.get(issue.nodeId) ?? '') : '';
      return `${where} ${issue.message}`.toLowerCase().includes(needle);
    });
  }, [issues, names, shown, text]);
  const filteredOut = issues.length - filtered.length;

  return (
    <section
      className={open ? 'sb-problems' : 'sb-problems sb-problems--collapsed'}
      aria-label="Problems"
    >
      <div className="sb-problems__bar">
        <Button
          size="small"
          appearance="subtle"
          icon={open ? <ChevronDownRegular /> : <ChevronUpRegular />}
          aria-expanded={open}
          aria-controls="sb-problems-list"
          aria-label={open ? 'Collapse problems' : 'Expand problems'}
          onClick={() => setOpen((o) => !o)}
        />
        <Text as="h2" weight="semibold" size={300} className="sb-problems__title">
          Problems · {errors} error{errors === 1 ? '' : 's'}, {warnings} warning
          {warnings === 1 ? '' : 's'}
        </Text>
        {open && issues.length > 0 && (
          <>
            <Input
              size="small"
              className="sb-problems__filter"
              contentBefore={<FilterRegular />}
              placeholder="Filter problems"
              aria-label="Filter problems"
              value={text}
              onChange={(_, d) => {
                setText(d.value);
                setLimit(PAGE);
              }}
            />
            <ToggleButton
              size="small"
              checked={shown.error}
              icon={<ErrorCircleRegular />}
              onClick={() => setShown((s) => ({ ...s, error: !s.error }))}
            >
              Errors
            </ToggleButton>
            <ToggleButton
              size="small"
              checked={shown.warning}
              icon={<WarningRegular />}
              onClick={() => setShown((s) => ({ ...s, warning: !s.warning }))}
            >
              Warnings
            </ToggleButton>
            {filteredOut > 0 && (
              <Text size={200} className="sb-problems__hidden">
                {filteredOut} hidden by the filter
              </Text>
            )}
          </>
        )}
      </div>
      {open && (
        <div id="sb-problems-list">
          {issues.length === 0 ? (
            <Text size={200}>No problems found.</Text>
          ) : filtered.length === 0 ? (
            <Text size={200}>No problems match the filter.</Text>
          ) : (
            <ul className="sb-problems__list">
              {filtered.slice(0, limit).map((issue, index) => {
                const where = nodeName(issue.nodeId);
                return (
                  <li key={index}>
                    {issue.nodeId || issue.edgeId ? (
                      <Button
                        appearance="subtle"
                        size="small"
                        className={`sb-issue sb-issue--${issue.severity}`}
                        icon={
                          issue.severity === 'error' ? <ErrorCircleRegular /> : <WarningRegular />
                        }
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
          {filtered.length > limit && (
            <Button
              size="small"
              appearance="transparent"
              onClick={() => setLimit((l) => l + PAGE * 5)}
            >
              Show more ({filtered.length - limit} not shown)
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
