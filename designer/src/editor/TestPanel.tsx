import {
  Badge,
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Select,
  Text,
} from '@fluentui/react-components';
import {
  AddRegular,
  CallEndRegular,
  CallRegular,
  DeleteRegular,
  DismissRegular,
} from '@fluentui/react-icons';
import type { FlowDocument } from '@switchboard/flow';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import {
  api,
  ApiError,
  type CalleeBehaviour,
  type FlowDetail,
  type RunDetail,
  type TestCallRequest,
} from '../api/client.js';
import { routePath } from '../app/router.js';
import type { PathOverlayStore } from '../calls/pathOverlay.js';
import { computePath, type PathEdgeRef } from '../calls/runPath.js';
import { endReasonText } from '../calls/runFormat.js';
import { nodeName } from '../calls/StepTimeline.js';
import { CallerHeard, Participants } from '../calls/TestCallParts.js';
import { useLiveRun } from '../calls/useLiveRun.js';
import { timeZones, wallTimeAt, wallTimeToIso, weekdayOf } from '../calls/zonedTime.js';
import { analystCountry, PhoneNumberInput } from '../forms/PhoneNumberInput.js';
import { readTarget, storedValue } from '../forms/phoneNumbers.js';
import { toDocumentEdge, type EditorStore } from './store.js';
import { describeTestCallProblem, type TestCallProblem } from './testCallProblems.js';
import { DEFAULT_CALLER, defaultTimeZone, suggestTargets } from './testCallSetup.js';

const BEHAVIOURS: { value: CalleeBehaviour; label: string }[] = [
  { value: 'accept', label: 'Answers' },
  { value: 'decline', label: 'Declines' },
  { value: 'noAnswer', label: 'Does not answer' },
  { value: 'busy', label: 'Is busy' },
];
const DIAL_PAD = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

interface Row {
  key: string;
  value: string;
}
interface CalleeRow {
  target: string;
  behaviour: CalleeBehaviour;
}

/**
 * Test calls from the editor: the draft (or a published version) called through the emulator at
 * a simulated date and time, with variables and how the people it rings answer. While the call
 * runs: what the caller hears, a dial pad, speech, hang up, the participants; the canvas shows
 * the path live through the overlay store (never through the flow document).
 */
export function TestPanel({
  flow,
  store,
  overlay,
  version,
  saveFirst,
  onClose,
}: {
  flow: FlowDetail;
  store: EditorStore;
  overlay: PathOverlayStore;
  /** The published version open in the editor, if any (the default to test then). */
  version: number | undefined;
  saveFirst: () => Promise<boolean>;
  onClose: () => void;
}) {
  const [flowDocument] = useState(() => store.getState().toDocument());
  const [subject, setSubject] = useState(version === undefined ? 'draft' : String(version));
  const [from, setFrom] = useState(DEFAULT_CALLER);
  const [to, setTo] = useState('');
  const [zone, setZone] = useState(() => defaultTimeZone(flowDocument));
  const [date, setDate] = useState(() => wallTimeAt(zone).date);
  const [time, setTime] = useState(() => wallTimeAt(zone).time);
  const [variables, setVariables] = useState<Row[]>([]);
  const [callees, setCallees] = useState<CalleeRow[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<TestCallProblem>();
  const [started, setStarted] = useState<RunDetail>();
  const [showSetup, setShowSetup] = useState(true);
  const suggestions = useMemo(() => suggestTargets(flowDocument), [flowDocument]);
  const zones = useMemo(() => {
    const all = timeZones();
    return all.includes(zone) ? all : [zone, ...all];
  }, [zone]);

  const clock = useMemo(() => {
    if (!date || !time) return undefined;
    try {
      return wallTimeToIso(date, time, zone);
    } catch {
      return undefined;
    }
  }, [date, time, zone]);

  const live = useLiveRun(started?.id, { initial: started });
  const run = live.run;

  // The path is drawn over the document the run used (the saved draft or the version).
  const [runDocument, setRunDocument] = useState<FlowDocument>();
  useEffect(() => {
    if (!started) return;
    let cancelled = false;
    api
      .getRunDocument(started.id)
      .then((d) => !cancelled && setRunDocument(d))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [started]);
  const canvasEdges = useStore(store, (s) => s.edges);
  const edges: PathEdgeRef[] = useMemo(
    () => runDocument?.edges ?? canvasEdges.map(toDocumentEdge),
    [runDocument, canvasEdges],
  );
  const status = run?.status;
  const currentNodeId = run?.currentNodeId;
  const endReason = run?.endReason;
  const path = useMemo(
    () => (status ? computePath(live.steps, edges, { status, currentNodeId, endReason }) : null),
    [live.steps, edges, status, currentNodeId, endReason],
  );
  useEffect(() => {
    if (path) overlay.getState().setPath(path);
  }, [overlay, path]);
  useEffect(() => () => overlay.getState().setPath(null), [overlay]);

  const names = useCallback(
    (id: string) => {
      const nodes = (runDocument ?? flowDocument).nodes;
      return nodeName(
        nodes.find((n) => n.id === id),
        id,
      );
    },
    [runDocument, flowDocument],
  );

  const call = async (event?: FormEvent) => {
    event?.preventDefault();
    // Numbers are read here (national ones too) and problems said in plain words, rather than
    // sent for the engine to refuse.
    const country = analystCountry();
    const unreadable: string[] = [];
    const address = (what: string, text: string): string => {
      const reading = readTarget(text, country);
      if (reading.kind === 'problem') unreadable.push(`${what}: ${reading.message}`);
      return storedValue(reading, text);
    };
    const caller = address('Caller number', from);
    const dialled = address('Dialled number', to);
    const rings = callees
      .filter((c) => c.target.trim())
      .map((c, i) => [address(`Callee ${i + 1}`, c.target), c.behaviour] as const);
    if (unreadable.length > 0) {
      setProblem({ title: 'Check these numbers first:', lines: unreadable });
      return;
    }
    setBusy(true);
    setProblem(undefined);
    const testVersion = subject === 'draft' ? undefined : Number(subject);
    try {
      if (testVersion === undefined) await saveFirst();
      const body: TestCallRequest =
        testVersion === undefined ? { draft: true } : { version: testVersion };
      if (caller) body.from = caller;
      if (dialled) body.to = dialled;
      if (clock) body.clock = clock;
      const vars = variables.filter((v) => v.key.trim());
      if (vars.length)
        body.variables = Object.fromEntries(vars.map((v) => [v.key.trim(), v.value]));
      if (rings.length) body.targets = Object.fromEntries(rings);
      overlay.getState().setPath(null);
      setRunDocument(undefined);
      const detail = await api.startTestCall(flow.id, body);
      setStarted(detail);
      setShowSetup(false);
    } catch (e) {
      setProblem(
        describeTestCallProblem(e, {
          document: store.getState().toDocument(),
          version: testVersion,
        }),
      );
    } finally {
      setBusy(false);
    }
  };

  const [inputProblem, setInputProblem] = useState<string>();
  const send = async (input: { dtmf?: string; say?: string; hangUp?: true }) => {
    if (!started) return;
    setInputProblem(undefined);
    try {
      await api.sendTestInput(started.id, input);
      live.refresh();
    } catch (e) {
      setInputProblem(
        e instanceof ApiError && e.status === 409
          ? 'The test call is not running any more.'
          : e instanceof ApiError
            ? e.describe()
            : String(e),
      );
    }
  };
  const [say, setSay] = useState('');

  const running = run?.status === 'running';
  const versions = [...flow.versions].sort((a, b) => b.version - a.version);

  return (
    <section className="sb-test" aria-label="Test call">
      <div className="sb-test__header">
        <Text as="h2" weight="semibold" size={400}>
          Test call
        </Text>
        <Button
          appearance="subtle"
          icon={<DismissRegular />}
          aria-label="Close the test panel"
          onClick={onClose}
        />
      </div>

      {showSetup ? (
        <form className="sb-test__form" onSubmit={(e) => void call(e)}>
          <Field label="Flow to call">
            <Select value={subject} onChange={(_, d) => setSubject(d.value)}>
              <option value="draft">The draft (saved first)</option>
              {versions.map((v) => (
                <option key={v.version} value={String(v.version)}>
                  Version {v.version}
                </option>
              ))}
            </Select>
          </Field>
          <PhoneNumberInput
            accepts="target"
            label="Caller number"
            value={from}
            onChange={setFrom}
          />
          <PhoneNumberInput
            accepts="target"
            label="Dialled number"
            description="Empty: the engine's default"
            value={to}
            onChange={setTo}
          />
          <fieldset className="sb-test__clock">
            <legend>Simulated date and time</legend>
            <div className="sb-test__row">
              <Field label="Date">
                <Input type="date" value={date} onChange={(_, d) => setDate(d.value)} />
              </Field>
              <Field label="Time">
                <Input type="time" value={time} onChange={(_, d) => setTime(d.value)} />
              </Field>
            </div>
            <Field label="Time zone">
              <Select value={zone} onChange={(_, d) => setZone(d.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </Select>
            </Field>
            <Text size={200} className="sb-test__clock-preview" aria-live="polite">
              {clock
                ? `${weekdayOf(date)} ${time} in ${zone} (${clock})`
                : 'Leave the date or time empty to use the real time.'}
            </Text>
          </fieldset>

          <fieldset className="sb-test__rows">
            <legend>Variables</legend>
            {variables.map((row, i) => (
              <div key={i} className="sb-test__row">
                <Input
                  aria-label={`Variable ${i + 1} name`}
                  placeholder="name"
                  value={row.key}
                  onChange={(_, d) =>
                    setVariables((rows) =>
                      rows.map((r, j) => (j === i ? { ...r, key: d.value } : r)),
                    )
                  }
                />
                <Input
                  aria-label={`Variable ${i + 1} value`}
                  placeholder="value"
                  value={row.value}
                  onChange={(_, d) =>
                    setVariables((rows) =>
                      rows.map((r, j) => (j === i ? { ...r, value: d.value } : r)),
                    )
                  }
                />
                <Button
                  appearance="subtle"
                  icon={<DeleteRegular />}
                  aria-label={`Remove variable ${i + 1}`}
                  onClick={() => setVariables((rows) => rows.filter((_, j) => j !== i))}
                />
              </div>
            ))}
            <Button
              size="small"
              icon={<AddRegular />}
              onClick={() => setVariables((rows) => [...rows, { key: '', value: '' }])}
            >
              Add variable
            </Button>
          </fieldset>

          <fieldset className="sb-test__rows">
            <legend>How the people it calls answer</legend>
            {callees.map((row, i) => (
              <div key={i} className="sb-test__row">
                <Input
                  aria-label={`Callee ${i + 1}`}
                  placeholder="A phone number or a user id"
                  value={row.target}
                  onChange={(_, d) =>
                    setCallees((rows) =>
                      rows.map((r, j) => (j === i ? { ...r, target: d.value } : r)),
                    )
                  }
                />
                <Select
                  aria-label={`How callee ${i + 1} answers`}
                  value={row.behaviour}
                  onChange={(_, d) =>
                    setCallees((rows) =>
                      rows.map((r, j) =>
                        j === i ? { ...r, behaviour: d.value as CalleeBehaviour } : r,
                      ),
                    )
                  }
                >
                  {BEHAVIOURS.map((b) => (
                    <option key={b.value} value={b.value}>
                      {b.label}
                    </option>
                  ))}
                </Select>
                <Button
                  appearance="subtle"
                  icon={<DeleteRegular />}
                  aria-label={`Remove callee ${i + 1}`}
                  onClick={() => setCallees((rows) => rows.filter((_, j) => j !== i))}
                />
              </div>
            ))}
            <div className="sb-test__suggestions">
              {suggestions
                .filter((s) => !callees.some((c) => c.target.trim() === s.target))
                .map((s) => (
                  <Button
                    key={s.target}
                    size="small"
                    appearance="outline"
                    icon={<AddRegular />}
                    title={s.target}
                    onClick={() =>
                      setCallees((rows) => [...rows, { target: s.target, behaviour: 'accept' }])
                    }
                  >
                    {s.label}
                  </Button>
                ))}
              <Button
                size="small"
                icon={<AddRegular />}
                onClick={() => setCallees((rows) => [...rows, { target: '', behaviour: 'accept' }])}
              >
                Add callee
              </Button>
            </div>
            <Text size={200}>Anyone not listed answers.</Text>
          </fieldset>

          {problem && <ProblemBar problem={problem} />}
          <div className="sb-test__actions">
            <Button appearance="primary" type="submit" icon={<CallRegular />} disabled={busy}>
              {busy ? 'Calling…' : 'Call'}
            </Button>
            {started && (
              <Button onClick={() => setShowSetup(false)} disabled={busy}>
                Back to the last call
              </Button>
            )}
          </div>
        </form>
      ) : (
        <div className="sb-test__call">
          <div className="sb-test__status">
            <Badge appearance="filled" color={running ? 'success' : 'subtle'}>
              {running ? 'In call' : run ? 'Call ended' : 'Starting'}
            </Badge>
            <Text size={200} role="status" aria-live="polite">
              {running && run?.currentNodeId
                ? `At ${names(run.currentNodeId)}`
                : run?.status === 'ended'
                  ? endReasonText(run.endReason)
                  : ''}
            </Text>
          </div>
          <CallerHeard heard={run?.testCall?.heard ?? []} nodeName={names} />
          <div className="sb-dialpad" role="group" aria-label="Dial pad">
            {DIAL_PAD.map((key) => (
              <Button
                key={key}
                className="sb-dialpad__key"
                disabled={!running}
                onClick={() => void send({ dtmf: key })}
              >
                {key}
              </Button>
            ))}
          </div>
          <form
            className="sb-test__row"
            onSubmit={(e) => {
              e.preventDefault();
              if (!say.trim()) return;
              void send({ say: say.trim() });
              setSay('');
            }}
          >
            <Input
              aria-label="Say"
              placeholder="Say something…"
              value={say}
              disabled={!running}
              onChange={(_, d) => setSay(d.value)}
            />
            <Button type="submit" disabled={!running || !say.trim()}>
              Say
            </Button>
          </form>
          <Button
            icon={<CallEndRegular />}
            className="sb-test__hangup"
            disabled={!running}
            onClick={() => void send({ hangUp: true })}
          >
            Hang up
          </Button>
          {inputProblem && (
            <MessageBar intent="warning">
              <MessageBarBody>{inputProblem}</MessageBarBody>
            </MessageBar>
          )}
          {live.error && (
            <MessageBar intent="warning">
              <MessageBarBody>Live updates interrupted: {live.error}</MessageBarBody>
            </MessageBar>
          )}
          <Participants participants={run?.testCall?.participants ?? []} />
          <div className="sb-test__actions">
            {started && (
              <Link href={`#${routePath({ page: 'run', runId: started.id })}`}>
                Open this call on the Calls page
              </Link>
            )}
            <Button onClick={() => setShowSetup(true)}>New test call</Button>
          </div>
        </div>
      )}
    </section>
  );
}

function ProblemBar({ problem }: { problem: TestCallProblem }) {
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <Text block weight="semibold">
          {problem.title}
        </Text>
        {problem.lines.length > 0 && (
          <ul className="sb-test__problems">
            {problem.lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        )}
      </MessageBarBody>
    </MessageBar>
  );
}
