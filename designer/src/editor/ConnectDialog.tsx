import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Select,
  Text,
} from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { outcomesFor } from '../catalogue.js';
import { nodeName, nodeTitle } from './accessible-names.js';
import { canConnect } from './outcome-edges.js';
import { TARGET_HANDLE, type EditorStore } from './store.js';

/**
 * Connecting without a mouse: for the selected node, choose one of its outcomes, then the node it
 * goes to. The same rules as dragging an edge apply (canConnect), and an outcome already wired
 * moves to the new target.
 */
export function ConnectDialog({
  store,
  sourceId,
  onClose,
}: {
  store: EditorStore;
  sourceId: string;
  onClose: () => void;
}) {
  const { nodes, edges } = store.getState();
  const source = nodes.find((n) => n.id === sourceId);
  const outcomes = useMemo(
    () =>
      source ? outcomesFor(source.data.type, source.data.config, source.data.typeVersion) : [],
    [source],
  );
  const [outcome, setOutcome] = useState(
    () =>
      outcomes.find((o) => !edges.some((e) => e.source === sourceId && e.sourceHandle === o.id))
        ?.id ??
      outcomes[0]?.id ??
      '',
  );
  const targets = useMemo(
    () =>
      nodes
        .filter(
          (n) =>
            n.id !== sourceId &&
            canConnect(nodes, {
              source: sourceId,
              sourceHandle: outcome,
              target: n.id,
              targetHandle: TARGET_HANDLE,
            }),
        )
        .map((n) => ({ id: n.id, name: nodeName(n.data) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [nodes, outcome, sourceId],
  );
  const current = edges.find((e) => e.source === sourceId && e.sourceHandle === outcome);
  const [target, setTarget] = useState('');
  const chosen = targets.some((t) => t.id === target) ? target : '';
  const title = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    return n ? nodeTitle(n.data) : id;
  };

  const connect = () => {
    store.getState().connect({
      source: sourceId,
      sourceHandle: outcome,
      target: chosen,
      targetHandle: TARGET_HANDLE,
    });
    onClose();
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) connect();
          }}
        >
          <DialogBody>
            <DialogTitle>Connect {source ? nodeTitle(source.data) : ''}</DialogTitle>
            <DialogContent className="sb-connect">
              {outcomes.length === 0 ? (
                <Text block>This node has no outcomes: calls end here.</Text>
              ) : (
                <>
                  <Field label="Outcome">
                    <Select value={outcome} onChange={(_, d) => setOutcome(d.value)}>
                      {outcomes.map((o) => {
                        const wired = edges.find(
                          (e) => e.source === sourceId && e.sourceHandle === o.id,
                        );
                        return (
                          <option key={o.id} value={o.id}>
                            {o.label}
                            {wired ? ` (now → ${title(wired.target)})` : ' (not connected)'}
                          </option>
                        );
                      })}
                    </Select>
                  </Field>
                  <Field
                    label="Goes to"
                    hint={
                      current
                        ? `Connecting replaces the connection to ${title(current.target)}.`
                        : undefined
                    }
                  >
                    <Select value={chosen} onChange={(_, d) => setTarget(d.value)}>
                      <option value="">(choose a node)</option>
                      {targets.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name}
                        </option>
                      ))}
                    </Select>
                  </Field>
                </>
              )}
            </DialogContent>
            <DialogActions>
              <Button onClick={onClose}>Cancel</Button>
              <Button appearance="primary" type="submit" disabled={!chosen}>
                Connect
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
