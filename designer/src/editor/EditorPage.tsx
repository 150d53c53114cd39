import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Spinner,
  Text,
  Toolbar,
  ToolbarButton,
  ToolbarDivider,
  Tooltip,
} from '@fluentui/react-components';
import {
  ArrowRedoRegular,
  ArrowUndoRegular,
  CopyRegular,
  DeleteRegular,
  HistoryRegular,
  OrganizationHorizontalRegular,
  ClipboardPasteRegular,
  RocketRegular,
  SaveRegular,
  ZoomFitRegular,
  ArrowLeftRegular,
  BeakerRegular,
  CallRegular,
  DataBarVerticalRegular,
  PlugConnectedRegular,
  SearchRegular,
} from '@fluentui/react-icons';
import { validateFlow, type FlowDocument } from '@switchboard/flow';
import { useEnvironmentNames } from './environmentNames.js';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { api, ApiError, hasRole, type FlowDetail } from '../api/client.js';
import { navigate } from '../app/router.js';
import { useSession } from '../app/session.js';
import { createPathOverlayStore, PathOverlayProvider } from '../calls/pathOverlay.js';
import { readClipboard, writeClipboard } from './clipboard.js';
import { ConnectDialog } from './ConnectDialog.js';
import { EditorStoreProvider } from './context.js';
import { FindBar } from './FindBar.js';
import { FlowCanvas, READABLE_ZOOM } from './FlowCanvas.js';
import { autoLayout, type LayoutStage } from './layout.js';
import { Palette } from './Palette.js';
import { ProblemsPanel } from './ProblemsPanel.js';
import { PropertyPanel } from './PropertyPanel.js';
import { PublishDialog } from './PublishDialog.js';
import { ScenariosPanel } from './ScenariosPanel.js';
import { createEditorStore, type EditorStore, type Issue } from './store.js';
import { TestPanel } from './TestPanel.js';
import { TrafficBar } from './TrafficBar.js';
import { ConflictDialog } from './ConflictDialog.js';
import { useDraftSaver, type SaveStatus } from './useDraftSaver.js';
import { presenceText, usePresence } from './usePresence.js';
import { VersionsPanel } from './VersionsPanel.js';

const VALIDATE_MS = 250;

/** The editor for a flow's draft (or, with `version`, a read-only published version). */
export function EditorPage({ flowId, version }: { flowId: string; version?: number }) {
  const [loaded, setLoaded] = useState<
    { flow: FlowDetail; document: FlowDocument; store: EditorStore } | { error: string }
  >();
  const role = useSession((s) => s.me?.role);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const flow = await api.getFlow(flowId);
      const document =
        version === undefined ? flow.draft : (await api.getVersion(flowId, version)).document;
      if (cancelled) return;
      const readOnly = version !== undefined || !hasRole(role, 'editor');
      setLoaded({ flow, document, store: createEditorStore(document, { readOnly }) });
    })().catch((e: unknown) => {
      if (!cancelled) setLoaded({ error: e instanceof ApiError ? e.describe() : String(e) });
    });
    return () => {
      cancelled = true;
    };
  }, [flowId, version, role]);

  if (!loaded) return <Spinner label="Opening the flow…" className="sb-page-spinner" />;
  if ('error' in loaded) {
    return (
      <MessageBar intent="error">
        <MessageBarBody>Could not open the flow: {loaded.error}</MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <EditorStoreProvider store={loaded.store}>
      <ReactFlowProvider>
        <Editor
          key={`${flowId}@${version ?? 'draft'}`}
          flow={loaded.flow}
          store={loaded.store}
          version={version}
        />
      </ReactFlowProvider>
    </EditorStoreProvider>
  );
}

function statusText(status: SaveStatus): string {
  switch (status) {
    case 'saved':
      return 'All changes saved';
    case 'dirty':
      return 'Unsaved changes';
    case 'saving':
      return 'Saving…';
    case 'error':
      return 'Not saved';
    case 'conflict':
      return 'Not saved: changed elsewhere';
  }
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target.tagName === 'INPUT' ||
    target.tagName === 'TEXTAREA' ||
    target.tagName === 'SELECT' ||
    Boolean(target.closest('[role="dialog"], [role="menu"]'))
  );
}

export function Editor({
  flow,
  store,
  version,
}: {
  flow: FlowDetail;
  store: EditorStore;
  version: number | undefined;
}) {
  const me = useSession((s) => s.me);
  const canEdit = version === undefined && hasRole(me?.role, 'editor');
  const canPublish = version === undefined && hasRole(me?.role, 'publisher');
  const reactFlow = useReactFlow();
  const [notice, setNotice] = useState<string>();
  const [saved] = useState(() => ({ revision: flow.revision, document: flow.draft }));
  const { status, error, conflict, save, sync, reset, resolve, dirty, currentRevision } =
    useDraftSaver(
      store,
      flow.id,
      saved,
      canEdit,
      (added) =>
        setNotice(
          `Added to the draft from ${added.length === 1 ? 'a call' : 'calls'}: ${added
            .map((s) => `“${s.name}”`)
            .join(', ')}. Your changes are kept.`,
        ),
      (by) =>
        setNotice(
          `${by && by === me?.name ? 'You saved this flow in another tab' : `${by ?? 'Someone'} saved this flow`} meanwhile; their changes and yours did not overlap and were merged.`,
        ),
    );
  // Someone may have saved a call as a test meanwhile (another tab, the Calls page): take it in
  // when the editor comes back into view, before a save would be refused.
  useEffect(() => {
    const onFocus = () => void sync();
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [sync]);
  const saveForPublish = useCallback(async () => {
    await sync();
    return save();
  }, [save, sync]);
  const editing = presenceText(usePresence(flow.id, canEdit));
  const canUndo = useStore(store, (s) => s.past.length > 0);
  const canRedo = useStore(store, (s) => s.future.length > 0);
  const name = useStore(store, (s) => s.meta.name);
  const readOnly = useStore(store, (s) => s.readOnly);
  // The one selected node, which "Connect…" wires from (keyboard connecting).
  const selectedNode = useStore(store, (s) => {
    let id: string | undefined;
    for (const n of s.nodes) {
      if (!n.selected) continue;
      if (id !== undefined) return undefined;
      id = n.id;
    }
    return id;
  });
  const [connecting, setConnecting] = useState<string>();
  const hasSelection = useStore(
    store,
    (s) => s.nodes.some((n) => n.selected) || s.edges.some((e) => e.selected),
  );
  const [publishOpen, setPublishOpen] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(version !== undefined);
  const [versionsKey, setVersionsKey] = useState(0);
  const [scenariosOpen, setScenariosOpen] = useState(false);
  const [trafficOpen, setTrafficOpen] = useState(false);
  const canTest = hasRole(me?.role, 'editor');
  const [testOpen, setTestOpen] = useState(false);
  const [findOpen, setFindOpen] = useState(false);
  const [layoutRun, setLayoutRun] = useState<{ stage: LayoutStage; nodes: number }>();
  // A test call's path over the canvas: beside the editor store, never in the document.
  const [overlay] = useState(createPathOverlayStore);

  // Live validation, debounced, with the flow package's validator (and this engine's names).
  const environment = useEnvironmentNames();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () =>
      store
        .getState()
        .setIssues(
          validateFlow(store.getState().toDocument(), environment ? { environment } : undefined),
        );
    run();
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.version === previous.version) return;
      clearTimeout(timer);
      timer = setTimeout(run, VALIDATE_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [store, environment]);

  // Warn before leaving the page with unsaved changes.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (dirty()) {
        event.preventDefault();
        event.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  const addAtCentre = useCallback(
    (type: string) => {
      const pane = document.querySelector('.sb-canvas')?.getBoundingClientRect();
      const centre = pane
        ? reactFlow.screenToFlowPosition({
            x: pane.x + pane.width / 2,
            y: pane.y + pane.height / 2,
          })
        : { x: 0, y: 0 };
      // Step aside, on a grid around the centre, from nodes already there.
      const nodes = store.getState().nodes;
      const overlaps = (x: number, y: number) =>
        nodes.some(
          (n) =>
            Math.abs(n.position.x - x) < (n.measured?.width ?? 220) &&
            Math.abs(n.position.y - y) < (n.measured?.height ?? 140),
        );
      let spot = { x: centre.x - 110, y: centre.y - 60 };
      for (let ring = 0; ring < 6 && overlaps(spot.x, spot.y); ring++) {
        const candidates = [
          [1, 0],
          [0, 1],
          [1, 1],
          [-1, 0],
          [0, -1],
          [-1, 1],
          [1, -1],
          [-1, -1],
        ].map(([dx, dy]) => ({
          x: centre.x - 110 + dx! * 260 * (ring + 1),
          y: centre.y - 60 + dy! * 180 * (ring + 1),
        }));
        spot = candidates.find((c) => !overlaps(c.x, c.y)) ?? candidates[0]!;
        if (!overlaps(spot.x, spot.y)) break;
      }
      store.getState().addNode(type, spot);
    },
    [reactFlow, store],
  );

  const copy = useCallback(() => {
    const payload = store.getState().copySelection();
    if (payload) writeClipboard(payload);
    return payload;
  }, [store]);
  const paste = useCallback(() => {
    const payload = readClipboard();
    if (payload) store.getState().paste(payload);
  }, [store]);

  const layout = useCallback(async () => {
    const { nodes, edges } = store.getState();
    try {
      const positions = await autoLayout(nodes, edges, (stage) =>
        setLayoutRun({ stage, nodes: nodes.length }),
      );
      store.getState().setPositions(positions);
      requestAnimationFrame(() => void reactFlow.fitView({ duration: 200, maxZoom: 1 }));
    } catch (e) {
      setNotice(`Auto layout did not finish: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setLayoutRun(undefined);
    }
  }, [reactFlow, store]);

  /** Centres a node, zooming in to `minZoom` if further out. */
  const centreNode = useCallback(
    (nodeId: string, minZoom: number, duration: number) => {
      const node = reactFlow.getInternalNode(nodeId);
      if (!node) return;
      void reactFlow.setCenter(
        node.internals.positionAbsolute.x + (node.measured.width ?? 220) / 2,
        node.internals.positionAbsolute.y + (node.measured.height ?? 100) / 2,
        { zoom: Math.max(reactFlow.getZoom(), minZoom), duration },
      );
    },
    [reactFlow],
  );

  const reveal = useCallback(
    (issue: Issue) => {
      const state = store.getState();
      const nodeId =
        issue.nodeId ?? state.edges.find((e) => e.id === issue.edgeId)?.source ?? undefined;
      if (issue.nodeId) state.selectNode(issue.nodeId);
      else if (issue.edgeId) state.selectEdge(issue.edgeId);
      if (nodeId) centreNode(nodeId, 1, 300);
    },
    [centreNode, store],
  );

  const revealFound = useCallback(
    (nodeId: string) => {
      store.getState().selectNode(nodeId);
      centreNode(nodeId, READABLE_ZOOM, 200);
    },
    [centreNode, store],
  );

  // Keyboard: undo/redo, copy/paste, delete, select all, save.
  const keyState = useRef({ save, copy, paste, canEdit, selectedNode });
  useEffect(() => {
    keyState.current = { save, copy, paste, canEdit, selectedNode };
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      const {
        save: saveNow,
        copy: copyNow,
        paste: pasteNow,
        canEdit: editable,
        selectedNode: from,
      } = keyState.current;
      if (mod && key === 's') {
        event.preventDefault();
        void saveNow();
        return;
      }
      if (mod && key === 'f' && !event.shiftKey && !event.altKey) {
        // The browser's own find cannot see nodes out of view (or drawn far out): ours can.
        event.preventDefault();
        setFindOpen(true);
        // Already open: take the focus back to its box.
        document.querySelector<HTMLInputElement>('.sb-find__input input')?.select();
        return;
      }
      if (isTyping(event.target)) return;
      const state = store.getState();
      if (mod && key === 'z') {
        event.preventDefault();
        if (event.shiftKey) state.redo();
        else state.undo();
      } else if (mod && key === 'y') {
        event.preventDefault();
        state.redo();
      } else if (mod && key === 'c') {
        copyNow();
      } else if (mod && key === 'x' && editable) {
        if (copyNow()) state.deleteSelection();
      } else if (mod && key === 'v' && editable) {
        event.preventDefault();
        pasteNow();
      } else if (mod && key === 'a') {
        event.preventDefault();
        state.selectAll();
      } else if (!mod && !event.altKey && key === 'c' && editable && from) {
        event.preventDefault();
        setConnecting(from);
      } else if ((event.key === 'Delete' || event.key === 'Backspace') && editable) {
        event.preventDefault();
        state.deleteSelection();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);

  const reloadTheirs = async () => {
    const fresh = await api.getFlow(flow.id);
    store.getState().load(fresh.draft, { readOnly: !canEdit });
    reset(fresh.revision);
    setNotice('Loaded the latest saved draft.');
  };

  const keepMineAsCopy = async () => {
    const mine = store.getState().toDocument();
    const copyFlow = await api.importFlow({ ...mine, name: `${mine.name} (my copy)` });
    reset(conflict?.revision ?? flow.revision); // leaves this flow alone; the copy holds my version
    navigate({ page: 'editor', flowId: copyFlow.id });
  };

  // The latest version number, kept current by publish and rollback (the button shows it).
  const [published, setLatest] = useState(() =>
    flow.versions.reduce((max, v) => Math.max(max, v.version), 0),
  );
  const versionNumbers = useMemo(
    () => flow.versions.map((v) => v.version).sort((a, b) => b - a),
    [flow.versions],
  );
  // The draft as it is now: on screen, or (viewing a version) as loaded.
  const toDraft = useCallback(
    () => (version === undefined ? store.getState().toDocument() : flow.draft),
    [store, version, flow.draft],
  );

  return (
    <div className="sb-editor">
      <div className="sb-editor__bar">
        <Button
          appearance="subtle"
          icon={<ArrowLeftRegular />}
          onClick={() => navigate({ page: 'flows' })}
          aria-label="Back to flows"
        />
        <Text
          as="h1"
          weight="semibold"
          size={500}
          className="sb-editor__name"
          truncate
          wrap={false}
        >
          {name}
        </Text>
        {version !== undefined ? (
          <Badge appearance="tint" color="informative">
            Version {version} · read-only
          </Badge>
        ) : readOnly ? (
          <Badge appearance="tint" color="informative">
            Read-only
          </Badge>
        ) : (
          <Text
            size={200}
            className={`sb-save-status sb-save-status--${status}`}
            role="status"
            aria-live="polite"
            title={error}
          >
            {statusText(status)}
          </Text>
        )}
        {editing.length > 0 && (
          <span className="sb-presence" role="status" aria-label="Who else is editing">
            {editing.map((line) => (
              <Badge key={line} appearance="tint" color="warning">
                {line}
              </Badge>
            ))}
          </span>
        )}
        <Toolbar aria-label="Editor tools" className="sb-editor__tools" size="small">
          {!readOnly && (
            <>
              <Tooltip content="Undo (Ctrl+Z)" relationship="label">
                <ToolbarButton
                  icon={<ArrowUndoRegular />}
                  disabled={!canUndo}
                  onClick={() => store.getState().undo()}
                />
              </Tooltip>
              <Tooltip content="Redo (Shift+Ctrl+Z)" relationship="label">
                <ToolbarButton
                  icon={<ArrowRedoRegular />}
                  disabled={!canRedo}
                  onClick={() => store.getState().redo()}
                />
              </Tooltip>
              <ToolbarDivider />
              <Tooltip content="Copy (Ctrl+C)" relationship="label">
                <ToolbarButton
                  icon={<CopyRegular />}
                  disabled={!hasSelection}
                  onClick={() => copy()}
                />
              </Tooltip>
              <Tooltip content="Paste (Ctrl+V)" relationship="label">
                <ToolbarButton icon={<ClipboardPasteRegular />} onClick={paste} />
              </Tooltip>
              <Tooltip content="Delete (Del)" relationship="label">
                <ToolbarButton
                  icon={<DeleteRegular />}
                  disabled={!hasSelection}
                  onClick={() => store.getState().deleteSelection()}
                />
              </Tooltip>
              <Tooltip
                content="Connect an outcome of the selected node to another node (C)"
                relationship="description"
              >
                <ToolbarButton
                  icon={<PlugConnectedRegular />}
                  disabled={!selectedNode}
                  onClick={() => setConnecting(selectedNode)}
                >
                  Connect…
                </ToolbarButton>
              </Tooltip>
              <ToolbarDivider />
              <ToolbarButton
                icon={<OrganizationHorizontalRegular />}
                disabled={layoutRun !== undefined}
                onClick={() => void layout()}
              >
                Auto layout
              </ToolbarButton>
            </>
          )}
          <Tooltip content="Find (Ctrl+F)" relationship="label">
            <ToolbarButton
              icon={<SearchRegular />}
              aria-pressed={findOpen}
              onClick={() => setFindOpen((o) => !o)}
            />
          </Tooltip>
          <Tooltip content="Zoom to fit" relationship="label">
            <ToolbarButton
              icon={<ZoomFitRegular />}
              onClick={() => void reactFlow.fitView({ duration: 200, maxZoom: 1 })}
            />
          </Tooltip>
          <ToolbarButton
            icon={<HistoryRegular />}
            onClick={() => setVersionsOpen((o) => !o)}
            aria-pressed={versionsOpen}
          >
            Versions{published ? ` (${published})` : ''}
          </ToolbarButton>
          <ToolbarButton
            icon={<BeakerRegular />}
            onClick={() => setScenariosOpen((o) => !o)}
            aria-pressed={scenariosOpen}
          >
            Scenarios
          </ToolbarButton>
          <ToolbarButton
            icon={<DataBarVerticalRegular />}
            onClick={() => setTrafficOpen((o) => !o)}
            aria-pressed={trafficOpen}
          >
            Traffic
          </ToolbarButton>
          {canTest && (
            <ToolbarButton
              icon={<CallRegular />}
              onClick={() => {
                setTestOpen((o) => !o);
                // The canvas changed size: show the whole flow again once it has.
                requestAnimationFrame(() => void reactFlow.fitView({ duration: 200, maxZoom: 1 }));
              }}
              aria-pressed={testOpen}
            >
              Test
            </ToolbarButton>
          )}
          {canEdit && (
            <ToolbarButton icon={<SaveRegular />} onClick={() => void save()}>
              Save
            </ToolbarButton>
          )}
          {canPublish && (
            <Button
              appearance="primary"
              icon={<RocketRegular />}
              onClick={() => setPublishOpen(true)}
            >
              Publish
            </Button>
          )}
        </Toolbar>
      </div>
      {status === 'error' && error && (
        <MessageBar intent="error">
          <MessageBarBody>The draft could not be saved: {error}</MessageBarBody>
        </MessageBar>
      )}
      {notice && (
        <MessageBar intent="info" onClick={() => setNotice(undefined)}>
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      <PathOverlayProvider value={overlay}>
        <div className="sb-editor__body">
          {/* While testing, the test panel stands in for the palette and the side panels: the
              path needs the canvas's room. */}
          {!readOnly && !testOpen && <Palette onAdd={addAtCentre} />}
          <div className="sb-editor__main">
            {trafficOpen && (
              <TrafficBar
                flowId={flow.id}
                versions={versionNumbers}
                store={store}
                overlay={overlay}
                onClose={() => setTrafficOpen(false)}
              />
            )}
            {layoutRun && (
              <div className="sb-layout-progress" role="status" aria-label="Auto layout progress">
                <Text size={200}>
                  {layoutRun.stage === 'preparing'
                    ? `Auto layout: preparing ${layoutRun.nodes} nodes…`
                    : layoutRun.stage === 'arranging'
                      ? `Auto layout: arranging ${layoutRun.nodes} nodes… you can keep working meanwhile`
                      : 'Auto layout: placing the nodes…'}
                </Text>
                <ProgressBar
                  value={
                    layoutRun.stage === 'preparing'
                      ? 0.1
                      : layoutRun.stage === 'placing'
                        ? 0.9
                        : undefined
                  }
                  aria-label="Auto layout"
                />
              </div>
            )}
            {findOpen && <FindBar onReveal={revealFound} onClose={() => setFindOpen(false)} />}
            <FlowCanvas />
            <ProblemsPanel onReveal={reveal} />
          </div>
          {testOpen && (
            <aside className="sb-editor__test">
              <TestPanel
                flow={flow}
                store={store}
                overlay={overlay}
                version={version}
                saveFirst={save}
                onClose={() => {
                  setTestOpen(false);
                  requestAnimationFrame(
                    () => void reactFlow.fitView({ duration: 200, maxZoom: 1 }),
                  );
                }}
              />
            </aside>
          )}
          <aside className="sb-editor__side" hidden={testOpen}>
            {scenariosOpen && (
              <ScenariosPanel
                store={store}
                overlay={overlay}
                onClose={() => setScenariosOpen(false)}
              />
            )}
            {versionsOpen && (
              <VersionsPanel
                key={versionsKey}
                flowId={flow.id}
                current={version}
                canRollback={hasRole(me?.role, 'publisher')}
                draftRevision={currentRevision}
                draft={toDraft}
                onRolledBack={(r) => {
                  if (version !== undefined) {
                    // Viewing a version: the draft (now the rolled-back content) opens.
                    navigate({ page: 'editor', flowId: flow.id });
                    return;
                  }
                  store.getState().load(r.document, { readOnly: !canEdit });
                  reset(r.draftRevision);
                  setLatest(r.version);
                  setVersionsKey((k) => k + 1);
                  setNotice(
                    `Rolled back: published as version ${r.version}; the draft now holds it.`,
                  );
                }}
              />
            )}
            <PropertyPanel flowId={flow.id} />
          </aside>
        </div>
      </PathOverlayProvider>
      {connecting !== undefined && (
        <ConnectDialog
          store={store}
          sourceId={connecting}
          onClose={() => setConnecting(undefined)}
        />
      )}
      {publishOpen && (
        <PublishDialog
          flowId={flow.id}
          store={store}
          saveFirst={saveForPublish}
          revision={currentRevision}
          onClose={() => setPublishOpen(false)}
          onPublished={(v) => {
            setLatest(v);
            setVersionsKey((k) => k + 1);
            setNotice(`Published version ${v}.`);
          }}
        />
      )}
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          mine={me?.name}
          onResolve={(choices) => void resolve(choices)}
          onReloadTheirs={() => void reloadTheirs()}
          onKeepMine={() => void keepMineAsCopy()}
        />
      )}
    </div>
  );
}
