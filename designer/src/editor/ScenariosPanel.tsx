import {
  Badge,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Switch,
  Text,
  Tooltip,
} from '@fluentui/react-components';
import {
  CheckmarkCircleFilled,
  CheckmarkRegular,
  DeleteRegular,
  DismissCircleFilled,
  DismissRegular,
  EditRegular,
  SparkleRegular,
} from '@fluentui/react-icons';
import { generateScenarios, type ScenarioResult } from '@switchboard/flow';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { PathOverlayStore } from '../calls/pathOverlay.js';
import { coverageLayer, coverageText, useScenarioChecks } from './scenarioChecks.js';
import { MAX_SCENARIOS, renameProblem } from './scenarioEdits.js';
import type { EditorStore } from './store.js';

/**
 * The draft's scenarios (tests of the flow carried in its document): each one's result, live as
 * the flow changes (simulated in the browser), rename and delete, the per-flow setting that
 * blocks publishing while one fails, and coverage — the connections no scenario takes, drawn on
 * the canvas, with scenarios generated to take them. Every change goes through a store action,
 * so it is saved with the draft and undone like any other edit.
 */
export function ScenariosPanel({
  store,
  overlay,
  onClose,
}: {
  store: EditorStore;
  overlay: PathOverlayStore;
  onClose: () => void;
}) {
  const readOnly = useStore(store, (s) => s.readOnly);
  const mustPass = useStore(store, (s) => s.meta.scenariosMustPass ?? false);
  const count = useStore(store, (s) => s.meta.scenarios?.length ?? 0);
  const [showCoverage, setShowCoverage] = useState(false);
  const checks = useScenarioChecks(store, { coverage: showCoverage });
  const [generating, setGenerating] = useState(false);
  const [generated, setGenerated] = useState<string>();

  // The uncovered connections are a layer over the canvas while the switch is on.
  const coverage = checks?.coverage;
  useEffect(() => {
    overlay
      .getState()
      .setLayer('coverage', showCoverage && coverage ? coverageLayer(coverage) : null);
  }, [overlay, showCoverage, coverage]);
  useEffect(() => () => overlay.getState().setLayer('coverage', null), [overlay]);

  const generate = () => {
    setGenerating(true);
    setGenerated(undefined);
    // Exploring the flow's paths takes a moment on a large flow: let the spinner paint first.
    setTimeout(() => {
      try {
        const added = generateScenarios(store.getState().toDocument());
        const room = MAX_SCENARIOS - (store.getState().meta.scenarios?.length ?? 0);
        store.getState().addScenarios(added.slice(0, Math.max(0, room)));
        setGenerated(
          added.length === 0
            ? 'No new scenario found: the connections left are ones no simulated call reaches.'
            : `Added ${added.length} scenario${added.length === 1 ? '' : 's'}.${
                added.length > room ? ` Only ${room} fitted (at most ${MAX_SCENARIOS}).` : ''
              }`,
        );
      } catch (e) {
        setGenerated(`Could not generate scenarios: ${String(e)}`);
      } finally {
        setGenerating(false);
      }
    }, 0);
  };

  return (
    <section className="sb-scenarios" aria-label="Scenarios">
      <div className="sb-scenarios__header">
        <Text as="h2" weight="semibold" size={400}>
          Scenarios
        </Text>
        <Button
          appearance="subtle"
          icon={<DismissRegular />}
          aria-label="Close the scenarios panel"
          onClick={onClose}
        />
      </div>
      <Text size={200} role="status" aria-live="polite">
        {count === 0
          ? 'No scenarios yet. Save a call as a test from the Calls page, or generate them below.'
          : checks
            ? `${checks.passed} of ${checks.results.length} pass`
            : 'Running…'}
      </Text>
      {!readOnly && (
        <Switch
          label="Block publishing while a scenario fails"
          checked={mustPass}
          onChange={(_, d) => store.getState().setScenariosMustPass(d.checked)}
        />
      )}
      {readOnly && mustPass && (
        <Text size={200}>Publishing is blocked while a scenario fails.</Text>
      )}
      <Switch
        label="Show connections no scenario takes"
        checked={showCoverage}
        onChange={(_, d) => setShowCoverage(d.checked)}
      />
      {showCoverage && coverage && (
        <Text size={200} className="sb-scenarios__coverage" role="status">
          {coverageText(coverage)}
          {coverage.uncovered.length > 0 && (
            <>
              {' '}
              · <span className="sb-scenarios__uncovered-key" aria-hidden /> not covered
            </>
          )}
        </Text>
      )}
      {!readOnly && (
        <Button
          icon={generating ? <Spinner size="tiny" /> : <SparkleRegular />}
          disabled={generating || count >= MAX_SCENARIOS}
          onClick={generate}
        >
          Generate scenarios for uncovered edges
        </Button>
      )}
      {generated && (
        <MessageBar intent="info">
          <MessageBarBody>{generated}</MessageBarBody>
        </MessageBar>
      )}
      {checks && checks.results.length > 0 && (
        <ul className="sb-scenarios__list" aria-label="Scenario results">
          {checks.results.map((result, i) => (
            <ScenarioRow
              key={`${i}\u0000${result.name}`}
              result={result}
              store={store}
              readOnly={readOnly}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function ScenarioRow({
  result,
  store,
  readOnly,
}: {
  result: ScenarioResult;
  store: EditorStore;
  readOnly: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(result.name);
  const meta = useStore(store, (s) => s.meta);
  const problem = editing ? renameProblem(meta, result.name, name) : undefined;

  const commit = () => {
    if (problem) return;
    if (name.trim() !== result.name) store.getState().renameScenario(result.name, name);
    setEditing(false);
  };

  return (
    <li
      className={`sb-scenario sb-scenario--${result.passed ? 'passed' : 'failed'}`}
      data-scenario={result.name}
    >
      <div className="sb-scenario__row">
        {result.passed ? (
          <CheckmarkCircleFilled className="sb-scenario__icon" aria-label="Passes" />
        ) : (
          <DismissCircleFilled className="sb-scenario__icon" aria-label="Fails" />
        )}
        {editing ? (
          <Field
            className="sb-scenario__name"
            validationState={problem ? 'error' : 'none'}
            validationMessage={problem}
          >
            <Input
              aria-label={`New name for ${result.name}`}
              value={name}
              autoFocus
              size="small"
              onChange={(_, d) => setName(d.value)}
              onBlur={commit}
              onKeyDown={(e) => {
                if (e.key === 'Enter') commit();
                if (e.key === 'Escape') {
                  setName(result.name);
                  setEditing(false);
                }
              }}
            />
          </Field>
        ) : (
          <Text className="sb-scenario__name" weight="semibold" size={200}>
            {result.name}
          </Text>
        )}
        <Badge
          appearance="tint"
          size="small"
          color={result.passed ? 'success' : 'danger'}
          className="sb-scenario__badge"
        >
          {result.passed ? 'Pass' : 'Fail'}
        </Badge>
        {!readOnly && !editing && (
          <>
            <Button
              appearance="subtle"
              size="small"
              icon={<EditRegular />}
              aria-label={`Rename ${result.name}`}
              onClick={() => {
                setName(result.name);
                setEditing(true);
              }}
            />
            <Button
              appearance="subtle"
              size="small"
              icon={<DeleteRegular />}
              aria-label={`Delete ${result.name}`}
              onClick={() => store.getState().deleteScenario(result.name)}
            />
          </>
        )}
      </div>
      {result.failures.length > 0 && (
        <ul className="sb-scenario__failures">
          {result.failures.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      )}
      {/* After a change made on purpose: the call ran to an end, so what it does now can become
          what the scenario expects. A call stopped at an unanswered prompt has no result. */}
      {!readOnly && !result.passed && result.end && !result.unanswered && (
        <Tooltip
          content="The flow changed on purpose: expect where the call ends now (and its path), and drop inputs it no longer asks for"
          relationship="description"
        >
          <Button
            appearance="secondary"
            size="small"
            icon={<CheckmarkRegular />}
            className="sb-scenario__accept"
            onClick={() => store.getState().acceptScenarioResult(result.name, result)}
          >
            Accept this result
          </Button>
        </Tooltip>
      )}
    </li>
  );
}
