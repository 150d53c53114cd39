import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';

const OVERSCAN = 8;
/** Rows drawn before the list has a measured height (first frame, jsdom). */
const UNMEASURED_ROWS = 40;

/**
 * A scrolling list of fixed-height rows that mounts only the rows in view (a run can have a
 * thousand steps, an emulator timeline two thousand entries). With `follow`, it stays scrolled
 * to the end while new rows arrive, unless the reader has scrolled up.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  renderRow,
  label,
  className,
  selectedIndex,
  onSelect,
  follow = false,
}: {
  items: readonly T[];
  rowHeight: number;
  renderRow: (item: T, index: number) => ReactNode;
  label: string;
  className?: string;
  selectedIndex?: number;
  /** Makes rows selectable (click, arrow keys); the list is then a listbox. */
  onSelect?: (index: number) => void;
  follow?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);
  const atEnd = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setHeight(element.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    const element = ref.current;
    if (follow && element && atEnd.current) element.scrollTop = element.scrollHeight;
  }, [follow, items.length]);

  // Keep the selected row in view when it moves by keyboard or from outside.
  useEffect(() => {
    const element = ref.current;
    if (!element || selectedIndex === undefined || selectedIndex < 0) return;
    const top = selectedIndex * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = top + rowHeight - element.clientHeight;
    }
  }, [selectedIndex, rowHeight]);

  const onScroll = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    setScrollTop(element.scrollTop);
    atEnd.current = element.scrollTop + element.clientHeight >= element.scrollHeight - rowHeight;
  }, [rowHeight]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (!onSelect || items.length === 0) return;
    const current = selectedIndex ?? -1;
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = Math.min(items.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    onSelect(next);
  };

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const visible = height > 0 ? Math.ceil(height / rowHeight) + 2 * OVERSCAN : UNMEASURED_ROWS;
  const last = Math.min(items.length, first + visible);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const selected = i === selectedIndex;
    rows.push(
      <div
        key={i}
        className={`sb-vlist__row${selected ? ' sb-vlist__row--selected' : ''}`}
        style={{ top: i * rowHeight, height: rowHeight }}
        role={onSelect ? 'option' : 'listitem'}
        aria-selected={onSelect ? selected : undefined}
        aria-posinset={i + 1}
        aria-setsize={items.length}
        onClick={onSelect ? () => onSelect(i) : undefined}
      >
        {renderRow(items[i]!, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      className={`sb-vlist${className ? ` ${className}` : ''}`}
      role={onSelect ? 'listbox' : 'list'}
      aria-label={label}
      tabIndex={onSelect ? 0 : undefined}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
    >
      <div className="sb-vlist__spacer" style={{ height: items.length * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
