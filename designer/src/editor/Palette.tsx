import { Button, SearchBox, Text, Tooltip } from '@fluentui/react-components';
import { memo, useMemo, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { NodeIcon, paletteGroups, type NodeTypeDescription } from '../catalogue.js';
import { PALETTE_MIME } from './FlowCanvas.js';

/**
 * The node palette, generated from the catalogue and grouped by category. Drag an item onto
 * the canvas, or focus it and press Enter to add it at the centre of the view. The items are one
 * tab stop (a roving tabindex): Tab enters the list at the last item used, the arrow keys, Home
 * and End move within it, and Tab leaves it.
 */
function PaletteInner({ onAdd, disabled }: { onAdd: (type: string) => void; disabled?: boolean }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => paletteGroups(), []);
  const q = query.trim().toLowerCase();
  const filtered = useMemo(
    () =>
      groups
        .map((g) => ({
          ...g,
          types: g.types.filter(
            (t) =>
              !q ||
              t.label.toLowerCase().includes(q) ||
              t.description.toLowerCase().includes(q) ||
              t.type.toLowerCase().includes(q) ||
              g.category.toLowerCase().includes(q),
          ),
        }))
        .filter((g) => g.types.length > 0),
    [groups, q],
  );
  const order = useMemo(() => filtered.flatMap((g) => g.types.map((t) => t.type)), [filtered]);
  const [active, setActive] = useState<string>();
  const current = active !== undefined && order.includes(active) ? active : order[0];
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (event: KeyboardEvent) => {
    const at = current === undefined ? -1 : order.indexOf(current);
    const next =
      event.key === 'ArrowDown' || event.key === 'ArrowRight'
        ? Math.min(order.length - 1, at + 1)
        : event.key === 'ArrowUp' || event.key === 'ArrowLeft'
          ? Math.max(0, at - 1)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? order.length - 1
              : undefined;
    if (next === undefined || next < 0) return;
    event.preventDefault();
    const type = order[next]!;
    setActive(type);
    list.current?.querySelector<HTMLElement>(`[data-node-type="${CSS.escape(type)}"]`)?.focus();
  };

  return (
    <nav className="sb-palette" aria-label="Node palette">
      <SearchBox
        placeholder="Search nodes"
        aria-label="Search nodes"
        value={query}
        onChange={(_, d) => setQuery(d.value)}
        size="small"
      />
      {filtered.length === 0 && <Text size={200}>No node matches “{query}”.</Text>}
      <div ref={list} className="sb-palette__items" onKeyDown={onKeyDown}>
        {filtered.map((group) => (
          <section key={group.category} className="sb-palette__group" aria-label={group.category}>
            <Text as="h3" weight="semibold" size={200} className="sb-palette__heading">
              {group.category}
            </Text>
            {group.types.map((t) => (
              <PaletteItem
                key={t.type}
                description={t}
                onAdd={onAdd}
                disabled={disabled}
                tabbable={t.type === current}
                onFocus={() => setActive(t.type)}
              />
            ))}
          </section>
        ))}
      </div>
    </nav>
  );
}

function PaletteItem({
  description,
  onAdd,
  disabled,
  tabbable,
  onFocus,
}: {
  description: NodeTypeDescription;
  onAdd: (type: string) => void;
  disabled?: boolean;
  tabbable: boolean;
  onFocus: () => void;
}) {
  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(PALETTE_MIME, description.type);
    event.dataTransfer.setData('text/plain', description.label);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <Tooltip content={description.description} relationship="description" positioning="after">
      <Button
        appearance="subtle"
        className="sb-palette__item"
        icon={<NodeIcon type={description.type} />}
        draggable={!disabled}
        disabled={disabled}
        onDragStart={onDragStart}
        onClick={() => onAdd(description.type)}
        tabIndex={tabbable ? 0 : -1}
        onFocus={onFocus}
        data-node-type={description.type}
      >
        {description.label}
      </Button>
    </Tooltip>
  );
}

export const Palette = memo(PaletteInner);
