import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  Spinner,
  Tab,
  TabList,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { CheckmarkCircleFilled, DismissCircleFilled } from '@fluentui/react-icons';
import { validateFlow, type FlowDocument, type ValidationIssue } from '@switchboard/flow';
import { useEffect, useState } from 'react';
import { api, ApiError, listAll } from '../api/client.js';
import { diffFlows, type FlowDiff } from './diff.js';
import { FlowDiffView } from './FlowDiffView.js';
import { RecentCallsCheck } from './RecentCallsCheck.js';
import { checkScenarios, type ScenarioChecks } from './scenarioChecks.js';
import { BrowserSubflows } from './subflows.js';
import { createEditorStore, markDiff, type EditorStore } from './store.js';

interface Prepared {
  draft: FlowDocument;
  issues: ValidationIssue[];
  scenarios: ScenarioChecks;
  latest: number;
  /** Published version numbers, newest first. */
  versions: number[];
  diff: FlowDiff;
  diffStore: EditorStore;
}

/** A refusal of the engine's, with the scenarios it names as failing (scenariosMustPass). */
interface Refusal {
  message: string;
  failures: { name: string; failures: string[] }[];
}

function refusalOf(e: unknown): Refusal {
  if (!(e instanceof ApiError)) return { message: String(e), failures: [] };
  const listed = e.problem['failures'];
  const failures = Array.isArray(listed)
    ? listed.flatMap((f: unknown) => {
        if (!f || typeof f !== 'object') return [];
        const { name, failures: lines } = f as { name?: unknown; failures?: unknown };
        return typeof name === 'string'
          ? [{ name, failures: Array.isArray(lines) ? lines.map(String) : [] }]
          : [];
      })
    : [];
  return { message: e.describe(), failures };
}

/**
 * Publishing: the draft is saved, validated (errors block), its scenarios run (in the browser,
 * pure; a failure blocks when the flow says scenarios must pass — the engine refuses too),
 * compared with the latest published version on a canvas (added, removed and changed nodes and
 * edges coloured; changed settings listed), checked against recent calls (replayed by the engine
 * on the draft), and published with a required comment.
 */
export function PublishDialog({
  flowId,
  store,
  saveFirst,
  revision,
  onClose,
  onPublished,
}: {
  flowId: string;
  store: EditorStore;
  saveFirst: () => Promise<boolean>;
  /** The draft revision last saved, so publishing is refused if someone saved since. */
  revision: () => number | string;
  onClose: () => void;
  onPublished: (version: number) => void;
}) {
  const [prepared, setPrepared] = useState<Prepared>();
  const [failure, setFailure] = useState<string>();
  const [refusal, setRefusal] = useState<Refusal>();
  const [tab, setTab] = useState<'changes' | 'calls'>('changes');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [published, setPublished] = useState<number>();

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const saved = await saveFirst();
      const draft = store.getState().toDocument();
      const issues = validateFlow(draft);
      const subflows = new BrowserSubflows();
      await subflows.load(draft);
      const scenarios = checkScenarios(draft, { subflows: subflows.resolver });
      const versions = await listAll((cursor) => api.listVersions(flowId, cursor));
      const latest = versions.reduce((max, v) => Math.max(max, v.version), 0);
      const previous = latest ? (await api.getVersion(flowId, latest)).document : undefined;
      const diff = diffFlows(previous, draft);
      const diffStore = createEditorStore(diff.merged, { readOnly: true });
      markDiff(diffStore, diff.nodeStates, diff.edgeStates);
      if (cancelled) return;
      if (!saved && store.getState().version !== 0) {
        setFailure('The draft could not be saved first; publishing uses the last saved draft.');
      }
      setPrepared({
        draft,
        issues,
        scenarios,
        latest,
        versions: versions.map((v) => v.version).sort((a, b) => b - a),
        diff,
        diffStore,
      });
    })().catch((e: unknown) => {
      if (!cancelled) setFailure(e instanceof ApiError ? e.describe() : String(e));
    });
    return () => {
      cancelled = true;
    };
  }, [flowId, saveFirst, store]);

  const errors = prepared?.issues.filter((i) => i.severity === 'error') ?? [];
  const warnings = prepared?.issues.filter((i) => i.severity === 'warning') ?? [];
  const failing = prepared?.scenarios.failed ?? 0;
  const blockedByScenarios = Boolean(prepared?.draft.scenariosMustPass) && failing > 0;

  const publish = async () => {
    setBusy(true);
    setFailure(undefined);
    setRefusal(undefined);
    try {
      const result = await api.publish(flowId, comment.trim(), revision());
      setPublished(result.version);
      onPublished(result.version);
    } catch (e) {
      setRefusal(refusalOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface className="sb-publish">
        <DialogBody>
          <DialogTitle>Publish flow</DialogTitle>
          <DialogContent className="sb-publish__content">
            {!prepared && !failure && <Spinner label="Checking the draft…" />}
            {failure && (
              <MessageBar intent="error">
                <MessageBarBody>{failure}</MessageBarBody>
              </MessageBar>
            )}
            {published !== undefined && (
              <MessageBar intent="success">
                <MessageBarBody>Published as version {published}.</MessageBarBody>
              </MessageBar>
            )}
            {prepared && published === undefined && (
              <>
                <section aria-label="Validation">
                  <Text as="h3" weight="semibold" block>
                    Validation
                  </Text>
                  {errors.length === 0 ? (
                    <Text block>
                      No errors
                      {warnings.length
                        ? `; ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`
                        : ''}
                      .
                    </Text>
                  ) : (
                    <MessageBar intent="error">
                      <MessageBarBody>
                        {errors.length} error{errors.length === 1 ? '' : 's'} must be fixed before
                        publishing.
                      </MessageBarBody>
                    </MessageBar>
                  )}
                  {prepared.issues.length > 0 && (
                    <ul className="sb-publish__issues">
                      {prepared.issues.map((issue, i) => (
                        <li key={i} className={`sb-issue sb-issue--${issue.severity}`}>
                          {issue.severity === 'error' ? 'Error' : 'Warning'}: {issue.message}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
                <ScenarioResults checks={prepared.scenarios} />
                {blockedByScenarios && (
                  <MessageBar intent="error">
                    <MessageBarBody>
                      Publishing is blocked: {failing} scenario{failing === 1 ? '' : 's'}{' '}
                      {failing === 1 ? 'fails' : 'fail'}, and this flow blocks publishing while a
                      scenario fails (see the Scenarios panel).
                    </MessageBarBody>
                  </MessageBar>
                )}
                <TabList
                  selectedValue={tab}
                  onTabSelect={(_, d) => setTab(d.value as 'changes' | 'calls')}
                  size="small"
                >
                  <Tab value="changes">Changes</Tab>
                  <Tab value="calls">Check against recent calls</Tab>
                </TabList>
                {tab === 'calls' && (
                  <RecentCallsCheck
                    flowId={flowId}
                    versions={prepared.versions}
                    draft={prepared.draft}
                  />
                )}
                <section aria-label="Changes" hidden={tab !== 'changes'}>
                  <FlowDiffView
                    diff={prepared.diff}
                    store={prepared.diffStore}
                    heading={
                      prepared.latest
                        ? `Changes since version ${prepared.latest}`
                        : 'First version: everything is new'
                    }
                  />
                </section>
                <Field
                  label="Comment"
                  required
                  hint="What changed and why; shown in the version history"
                >
                  <Textarea value={comment} onChange={(_, d) => setComment(d.value)} />
                </Field>
              </>
            )}
            {refusal && (
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  <Text block weight="semibold">
                    The engine refused to publish:
                  </Text>
                  <Text block>{refusal.message}</Text>
                  {refusal.failures.length > 0 && (
                    <ul className="sb-publish__issues" aria-label="Failing scenarios">
                      {refusal.failures.map((f) => (
                        <li key={f.name}>
                          <strong>{f.name}</strong>
                          {f.failures.length > 0 && `: ${f.failures.join('; ')}`}
                        </li>
                      ))}
                    </ul>
                  )}
                </MessageBarBody>
              </MessageBar>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose}>{published !== undefined ? 'Close' : 'Cancel'}</Button>
            {published === undefined && (
              <Button
                appearance="primary"
                disabled={
                  !prepared ||
                  errors.length > 0 ||
                  blockedByScenarios ||
                  comment.trim() === '' ||
                  busy
                }
                onClick={() => void publish()}
              >
                {busy ? 'Publishing…' : 'Publish'}
              </Button>
            )}
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** The draft's scenarios as run just now: each one's pass or fail, with why it failed. */
function ScenarioResults({ checks }: { checks: ScenarioChecks }) {
  return (
    <section aria-label="Scenario results">
      <Text as="h3" weight="semibold" block>
        Scenarios
      </Text>
      {checks.results.length === 0 ? (
        <Text block size={200}>
          No scenarios. Save calls as tests, or generate scenarios in the Scenarios panel.
        </Text>
      ) : (
        <>
          <Text block>
            {checks.failed === 0
              ? `All ${checks.results.length} pass.`
              : `${checks.failed} of ${checks.results.length} fail.`}
          </Text>
          <ul className="sb-publish__scenarios">
            {/* Failing first: they are what the publisher has to read. */}
            {[...checks.results]
              .sort((a, b) => Number(a.passed) - Number(b.passed))
              .map((r, i) => (
                <li
                  key={`${i}\u0000${r.name}`}
                  className={`sb-scenario sb-scenario--${r.passed ? 'passed' : 'failed'}`}
                  data-scenario={r.name}
                >
                  {r.passed ? (
                    <CheckmarkCircleFilled className="sb-scenario__icon" aria-label="Passes" />
                  ) : (
                    <DismissCircleFilled className="sb-scenario__icon" aria-label="Fails" />
                  )}{' '}
                  {r.name}
                  {r.failures.length > 0 && (
                    <ul className="sb-scenario__failures">
                      {r.failures.map((line, j) => (
                        <li key={j}>{line}</li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
