import { Button, SearchBox, Text, Tooltip } from '@fluentui/react-components';
import { ChevronDownRegular, ChevronUpRegular, DismissRegular } from '@fluentui/react-icons';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useEditorStore } from './context.js';
import { findNodes } from './find.js';

/**
 * Ctrl/Cmd+F over the canvas: type to find nodes (see find.ts); Enter and Shift+Enter step to
 * the next and previous match, which is selected and centred; Escape closes.
 */
export function FindBar({
  onReveal,
  onClose,
}: {
  onReveal: (nodeId: string) => void;
  onClose: () => void;
}) {
  const store = useEditorStore();
  const nodes = useStore(store, (s) => s.nodes);
  const [query, setQuery] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // Positions and labels change the matches; selection (which stepping itself changes) does not.
  const matches = useMemo(() => findNodes(nodes, query), [nodes, query]);
  const current = matches.length ? Math.min(index, matches.length - 1) : -1;

  useEffect(() => input.current?.focus(), []);

  const go = (to: number) => {
    if (!matches.length) return;
    const next = (to + matches.length) % matches.length;
    setIndex(next);
    onReveal(matches[next]!);
  };

  return (
    <div className="sb-find" role="search" aria-label="Find in flow">
      <SearchBox
        ref={input}
        size="small"
        className="sb-find__input"
        placeholder="Find a node: label, type, prompt, number…"
        aria-label="Find in flow"
        value={query}
        onChange={(_, d) => {
          setQuery(d.value);
          setIndex(0);
          const first = findNodes(nodes, d.value)[0];
          if (first) onReveal(first);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            go(event.shiftKey ? current - 1 : current + 1);
          } else if (event.key === 'Escape') {
            event.preventDefault();
            onClose();
          }
        }}
      />
      <Text size={200} className="sb-find__count" role="status" aria-live="polite">
        {query.trim()
          ? matches.length
            ? `${current + 1} of ${matches.length}`
            : 'No matches'
          : ''}
      </Text>
      <Tooltip content="Previous match (Shift+Enter)" relationship="label">
        <Button
          size="small"
          appearance="subtle"
          icon={<ChevronUpRegular />}
          disabled={!matches.length}
          onClick={() => go(current - 1)}
        />
      </Tooltip>
      <Tooltip content="Next match (Enter)" relationship="label">
        <Button
          size="small"
          appearance="subtle"
          icon={<ChevronDownRegular />}
          disabled={!matches.length}
          onClick={() => go(current + 1)}
        />
      </Tooltip>
      <Tooltip content="Close (Escape)" relationship="label">
        <Button size="small" appearance="subtle" icon={<DismissRegular />} onClick={onClose} />
      </Tooltip>
    </div>
  );
}
