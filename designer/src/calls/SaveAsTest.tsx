import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Text,
} from '@fluentui/react-components';
import { BeakerAddRegular } from '@fluentui/react-icons';
import { useState, type FormEvent } from 'react';
import { api, ApiError, type RunDetail, type SavedScenario } from '../api/client.js';
import { routePath } from '../app/router.js';

/**
 * Save as test: a scenario made by the engine from this call's recorded inputs and path (the
 * caller's keys and speech at each prompt, how each callee answered, where it ended), appended
 * to the flow's draft on the server. An editor open on that draft takes it in rather than
 * overwriting it (useDraftSaver's merge of scenarios added on the server).
 */
export function SaveAsTest({ run, flowName }: { run: RunDetail; flowName: string | undefined }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState<SavedScenario>();
  const [problem, setProblem] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      setSaved(await api.saveRunAsScenario(run.flowId, run.id, name.trim() || undefined));
      setOpen(false);
    } catch (e) {
      setProblem(e instanceof ApiError ? e.describe() : String(e));
    } finally {
      setBusy(false);
    }
  };

  const ended = run.status === 'ended';
  return (
    <div className="sb-save-test">
      {!open && (
        <Button
          icon={<BeakerAddRegular />}
          disabled={!ended}
          title={ended ? undefined : 'A call can be saved as a test once it has ended'}
          onClick={() => {
            setOpen(true);
            setSaved(undefined);
          }}
        >
          Save as test
        </Button>
      )}
      {open && (
        <form
          className="sb-save-test__form"
          aria-label="Save as test"
          onSubmit={(e) => void submit(e)}
        >
          <Field
            label="Scenario name"
            hint="Empty: a name made from the call"
            size="small"
            orientation="horizontal"
          >
            <Input
              size="small"
              value={name}
              maxLength={120}
              autoFocus
              onChange={(_, d) => setName(d.value)}
            />
          </Field>
          <Button size="small" appearance="primary" type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
          <Button size="small" onClick={() => setOpen(false)} disabled={busy}>
            Cancel
          </Button>
        </form>
      )}
      {problem && (
        <MessageBar intent="error">
          <MessageBarBody>Could not save the call as a test: {problem}</MessageBarBody>
        </MessageBar>
      )}
      {saved && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <Text block>
              Added the scenario “{saved.scenario.name}” to the draft of {flowName ?? 'the flow'}.
              It runs with the draft’s scenarios and in the publish check.{' '}
              <Link href={`#${routePath({ page: 'editor', flowId: run.flowId })}`}>
                Open the draft
              </Link>
            </Text>
            {saved.notes.length > 0 && (
              <ul className="sb-save-test__notes" aria-label="Notes on the scenario">
                {saved.notes.map((note, i) => (
                  <li key={i}>{note}</li>
                ))}
              </ul>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
