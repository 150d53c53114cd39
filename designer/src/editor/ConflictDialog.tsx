import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Radio,
  RadioGroup,
  Text,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { Side } from './merge.js';
import type { SaveConflict } from './useDraftSaver.js';

/**
 * A save that met someone else's save touching the same fields: each such field with both
 * values, to keep one or the other (then the merge is saved), or give up either side whole.
 * Who saved is named, and "you, in another tab" when it was this user.
 */
export function ConflictDialog({
  conflict,
  mine,
  onResolve,
  onReloadTheirs,
  onKeepMine,
}: {
  conflict: SaveConflict;
  /** The signed-in user's name. */
  mine: string | undefined;
  onResolve: (choices: Record<string, Side>) => void;
  onReloadTheirs: () => void;
  onKeepMine: () => void;
}) {
  const [choices, setChoices] = useState<Record<string, Side>>({});
  const self = Boolean(conflict.updatedBy && conflict.updatedBy === mine);
  const who = self ? 'You' : (conflict.updatedBy ?? 'Someone');
  const theirLabel = self ? 'Other tab' : conflict.updatedBy ? `${conflict.updatedBy}'s` : 'Theirs';
  const when = conflict.updatedAt ? ` at ${new Date(conflict.updatedAt).toLocaleString()}` : '';
  return (
    <Dialog open modalType="alert">
      <DialogSurface className="sb-conflict">
        <DialogBody>
          <DialogTitle>
            {self
              ? 'You changed this flow in another tab'
              : 'This flow was changed by someone else'}
          </DialogTitle>
          <DialogContent className="sb-conflict__content">
            <Text block>
              {self ? (
                <>
                  <strong>You</strong> saved this flow in another tab or window{when}
                </>
              ) : (
                <>
                  <strong>{who}</strong> saved this flow{when}
                </>
              )}{' '}
              while you were editing it.{' '}
              {conflict.conflicts.length > 0
                ? `Everything else was merged; ${conflict.conflicts.length === 1 ? 'this setting was' : 'these settings were'} changed on both sides — choose which to keep.`
                : 'Your latest changes were not saved.'}
            </Text>
            {conflict.conflicts.length > 0 && (
              <ul className="sb-conflict__list" aria-label="Conflicting changes">
                {conflict.conflicts.map((c) => (
                  <li key={c.key}>
                    <Text weight="semibold" block>
                      {c.where} · {c.field}
                    </Text>
                    <RadioGroup
                      aria-label={`${c.where} · ${c.field}`}
                      value={choices[c.key] ?? 'mine'}
                      onChange={(_, d) => setChoices((x) => ({ ...x, [c.key]: d.value as Side }))}
                    >
                      <Radio value="mine" label={`Yours: ${c.mine}`} />
                      <Radio value="theirs" label={`${theirLabel}: ${c.theirs}`} />
                    </RadioGroup>
                  </li>
                ))}
              </ul>
            )}
            <Text block size={200}>
              Or reload {self ? 'the other tab’s' : 'their'} version (your unsaved changes are
              discarded), or keep your version as a new copy of the flow.
            </Text>
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onReloadTheirs}>
              Reload theirs
            </Button>
            <Button appearance="secondary" onClick={onKeepMine}>
              Keep mine as a copy
            </Button>
            {conflict.conflicts.length > 0 && (
              <Button appearance="primary" onClick={() => onResolve(choices)}>
                Save the merge
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
