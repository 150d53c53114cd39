import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type DefaultEdgeOptions,
  type NodeTypes,
} from '@xyflow/react';
import { useCallback, useState, type DragEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { FlowNodeView } from './FlowNodeView.js';
import { useEditorStore } from './context.js';
import { NODE_KIND, type DesignerNode } from './store.js';

/** Stable across renders (React Flow re-mounts every node if this object changes). */
const nodeTypes: NodeTypes = { [NODE_KIND]: FlowNodeView };
const defaultEdgeOptions: DefaultEdgeOptions = { type: 'default' };
const defaultViewport = { x: 0, y: 0, zoom: 1 };
export const PALETTE_MIME = 'application/x-switchboard-node-type';

const minimapColor = (node: DesignerNode) => {
  switch (node.data.diff) {
    case 'added':
      return '#107c10';
    case 'removed':
      return '#c50f1f';
    case 'changed':
      return '#c19c00';
    default:
      return '#0f6cbd';
  }
};

export function FlowCanvas({
  fitViewOnInit = true,
  label = 'Flow canvas',
}: {
  fitViewOnInit?: boolean;
  label?: string;
}) {
  const store = useEditorStore();
  const { nodes, edges, readOnly } = useStore(
    store,
    useShallow((s) => ({ nodes: s.nodes, edges: s.edges, readOnly: s.readOnly })),
  );
  const actions = store.getState();
  // Fit a loaded flow into view once; an empty canvas starts at 100 % (fitting the first
  // dropped node would zoom right into it).
  const [fitOnce] = useState(() => fitViewOnInit && store.getState().nodes.length > 0);
  const { screenToFlowPosition } = useReactFlow();

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(PALETTE_MIME)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME);
      if (!type) return;
      event.preventDefault();
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      store.getState().addNode(type, { x: position.x - 110, y: position.y - 30 });
    },
    [screenToFlowPosition, store],
  );

  return (
    <div
      className="sb-canvas"
      role="region"
      aria-label={label}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <ReactFlow<DesignerNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={actions.onNodesChange}
        onEdgesChange={actions.onEdgesChange}
        onConnect={actions.connect}
        isValidConnection={actions.isValidConnection}
        deleteKeyCode={null}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        elementsSelectable
        fitView={fitOnce}
        defaultViewport={defaultViewport}
        minZoom={0.05}
        maxZoom={2}
        onlyRenderVisibleElements={nodes.length > 150}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
      >
        <Background gap={20} />
        <MiniMap<DesignerNode> pannable zoomable nodeColor={minimapColor} ariaLabel="Mini map" />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
