import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Textarea,
} from '@fluentui/react-components';
import { ArrowUpRegular, HistoryRegular } from '@fluentui/react-icons';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { isPhoneNumber } from '@switchboard/flow';
import { api, listAll } from '../api/client.js';
import { navigate, routePath } from '../app/router.js';
import { useShallow } from 'zustand/react/shallow';
import { NodeIcon, latestTypeVersion, newerNodeType, nodeType } from '../catalogue.js';
import { ConfigForm, type FlowsAccess, type FormEnvironment } from '../forms/ConfigForm.js';
import type { PhoneSuggestion } from '../forms/PhoneNumberInput.js';
import { useEditorStore } from './context.js';
import { describeUpgrade } from './nodeUpgrade.js';
import { secretVariables, templateVariables } from './variables.js';
import { useEnvironmentNames } from './environmentNames.js';
import type { DesignerNode, Issue } from './store.js';

const noIssues: Issue[] = [];

/** Issues of one node's config, keyed by the path below `config` ("choices.0.label"). */
function configIssues(issues: Issue[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const issue of issues) {
    const at = issue.path.indexOf('config');
    if (at < 0) continue;
    const key = issue.path.slice(at + 1).join('.');
    if (!map.has(key)) map.set(key, issue.message.replace(/^[^:]{1,60}: /, ''));
  }
  return map;
}

/** Published flows through the engine's API, for fields that call another flow. */
const publishedFlows: FlowsAccess = {
  list: async () => {
    const out: { id: string; name: string; latestVersion: number | null }[] = [];
    let cursor: string | undefined;
    // A few pages at most: a picker of hundreds of flows is already too long.
    for (let page = 0; page < 5; page++) {
      const r = await api.listFlows(cursor);
      for (const f of r.items) out.push({ id: f.id, name: f.name, latestVersion: f.latestVersion });
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    return out;
  },
  versions: async (flowId) => (await api.listVersions(flowId)).items.map((v) => v.version),
  document: async (flowId, version) => {
    const v = version ?? (await api.getFlow(flowId)).latestVersion;
    if (v === null || v === undefined) return undefined;
    return (await api.getVersion(flowId, v)).document;
  },
  open: (flowId) => navigate({ page: 'editor', flowId }),
};

let numbers: { at: number; list: Promise<PhoneSuggestion[]> } | undefined;
/**
 * The workspace's own numbers: those bound on the Entry points page (a bound number is one the
 * resource owns), with the flow each answers with. Read again after a minute.
 */
function ownNumbers(): Promise<PhoneSuggestion[]> {
  if (!numbers || Date.now() - numbers.at > 60_000) {
    const list = listAll((c) => api.listEntryPoints(c)).then((eps) =>
      eps
        .filter((ep) => isPhoneNumber(ep.address))
        .map((ep) => ({ value: ep.address, label: ep.flowName ?? 'bound' })),
    );
    numbers = { at: Date.now(), list };
    // A failed read is not kept: the next field asks again.
    list.catch(() => (numbers = undefined));
  }
  return numbers.list;
}

export function PropertyPanel({ flowId }: { flowId?: string }) {
  const store = useEditorStore();
  const selected = useStore(
    store,
    useShallow((s) => s.nodes.filter((n) => n.selected)),
  );
  const readOnly = useStore(store, (s) => s.readOnly);
  if (selected.length === 1) {
    return <NodeProperties node={selected[0]!} readOnly={readOnly} flowId={flowId} />;
  }
  return (
    <section className="sb-properties" aria-label="Properties">
      {selected.length > 1 ? (
        <Text>{selected.length} nodes selected. Drag to move them together, or press Delete.</Text>
      ) : (
        <FlowProperties readOnly={readOnly} />
      )}
    </section>
  );
}

function FlowProperties({ readOnly }: { readOnly: boolean }) {
  const store = useEditorStore();
  const meta = useStore(store, (s) => s.meta);
  return (
    <div className="sb-form">
      <Text as="h2" weight="semibold" size={400}>
        Flow
      </Text>
      <Field label="Flow name">
        <Input
          value={meta.name}
          readOnly={readOnly}
          onChange={(_, d) => store.getState().setName(d.value)}
        />
      </Field>
      <Field label="Description">
        <Textarea
          value={meta.description ?? ''}
          readOnly={readOnly}
          onChange={(_, d) => store.getState().setDescription(d.value)}
        />
      </Field>
      <Text size={200}>
        Select a node to edit its settings. Drag nodes from the palette, or focus one and press
        Enter.
      </Text>
    </div>
  );
}

function NodeProperties({
  node,
  readOnly,
  flowId,
}: {
  node: DesignerNode;
  readOnly: boolean;
  flowId: string | undefined;
}) {
  const store = useEditorStore();
  const description = nodeType(node.data.type, node.data.typeVersion);
  const issues = useStore(store, (s) => s.nodeIssues[node.id] ?? noIssues);
  const names = useEnvironmentNames();
  const variables = useStore(
    store,
    useShallow((s) => templateVariables(s.nodes, names)),
  );
  const nodes = useStore(
    store,
    useShallow((s) =>
      s.nodes.map(
        (n) =>
          `${n.id}\u0000${n.data.type}\u0000${n.data.label ?? nodeType(n.data.type)?.label ?? n.data.type}`,
      ),
    ),
  );
  const environment: FormEnvironment = useMemo(
    () => ({
      readOnly,
      variables,
      secrets: secretVariables(names),
      nodes: nodes.map((row) => {
        const [id, type, label] = row.split('\u0000') as [string, string, string];
        return { id, type, label };
      }),
      issues: configIssues(issues),
      flows: publishedFlows,
      ownNumbers,
    }),
    [readOnly, variables, names, nodes, issues],
  );
  const otherIssues = issues.filter((i) => !i.path.includes('config'));

  return (
    <section className="sb-properties" aria-label="Properties">
      <div className="sb-properties__header">
        <NodeIcon type={node.data.type} className="sb-properties__icon" />
        <div>
          <Text as="h2" weight="semibold" size={400} block>
            {description?.label ?? node.data.type}
          </Text>
          <Text size={200} block>
            {description?.description ??
              (latestTypeVersion(node.data.type)
                ? `Version ${node.data.typeVersion} of this node type is not in the catalogue.`
                : 'This node type is not in the catalogue.')}
          </Text>
        </div>
      </div>
      {description && <UpgradeNotice node={node} from={description} readOnly={readOnly} />}
      {otherIssues.length > 0 && (
        <ul className="sb-node-issues" aria-label="Problems with this node">
          {otherIssues.map((issue, i) => (
            <li key={i} className={`sb-issue sb-issue--${issue.severity}`}>
              {issue.message}
            </li>
          ))}
        </ul>
      )}
      <Field label="Label" hint="Name shown on the canvas; leave empty to use the node type">
        <Input
          value={node.data.label ?? ''}
          placeholder={description?.label}
          readOnly={readOnly}
          onChange={(_, d) => store.getState().updateLabel(node.id, d.value)}
        />
      </Field>
      {description && (
        <ConfigForm
          key={node.id}
          schema={description.configSchema}
          value={node.data.config}
          onChange={(config) => store.getState().updateConfig(node.id, config)}
          environment={environment}
        />
      )}
      {flowId && (
        <Link
          className="sb-node-calls"
          href={`#${routePath({ page: 'calls', filters: { flowId, nodeId: node.id, kind: 'all' } })}`}
        >
          <HistoryRegular /> Recent calls through this node
        </Link>
      )}
      <Text size={100} className="sb-node-id">
        Node id: {node.id}
      </Text>
    </section>
  );
}

/**
 * Offered when the catalogue has a newer version of the node's type: what would change, read
 * from the two versions' descriptions, and the upgrade itself (one undo step). The node keeps
 * its version until then: a published flow behaves as it was published.
 */
function UpgradeNotice({
  node,
  from,
  readOnly,
}: {
  node: DesignerNode;
  from: NonNullable<ReturnType<typeof nodeType>>;
  readOnly: boolean;
}) {
  const store = useEditorStore();
  const to = newerNodeType(node.data.type, node.data.typeVersion);
  const changes = useMemo(
    () => (to ? describeUpgrade(from, to, node.data.config) : []),
    [from, to, node.data.config],
  );
  if (!to) return null;
  return (
    <MessageBar intent="info" layout="multiline" className="sb-upgrade">
      <MessageBarBody>
        <MessageBarTitle>
          Upgrade this node to version {to.version} (it is version {from.version})
        </MessageBarTitle>
        <ul className="sb-upgrade__changes" aria-label="What changes">
          {changes.map((change) => (
            <li key={change}>{change}</li>
          ))}
        </ul>
      </MessageBarBody>
      {!readOnly && (
        <MessageBarActions>
          <Button
            size="small"
            icon={<ArrowUpRegular />}
            onClick={() => store.getState().upgradeNode(node.id)}
          >
            Upgrade
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
