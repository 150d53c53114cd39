-- Path analytics (issue 15, GET /api/flows/{id}/analytics): each run keeps the nodes it entered
-- and the edges it took, each once, so the analytics group the runs of a time range instead of
-- reading every step's trace JSON. Every step write appends what its trace adds
-- (engine/src/runtime/run-path.ts). In no index: step updates stay HOT.
ALTER TABLE "Run" ADD COLUMN "nodesEntered" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Run" ADD COLUMN "edgesTaken" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];

-- Backfill: the runs recorded so far, from their steps' traces in order (seq, then position in
-- the trace). A node entered; an edge is an "outcome" entry followed by the next "enter", spelled
-- as the runtime spells it: the JSON text of [source, outcome, target] (edgeKey).
UPDATE "Run" r
SET "nodesEntered" = p.nodes, "edgesTaken" = p.edges
FROM (
  SELECT l."runId",
    COALESCE(array_agg(DISTINCT l.node) FILTER (WHERE l.kind = 'enter'), ARRAY[]::TEXT[]) AS nodes,
    COALESCE(array_agg(DISTINCT '[' || to_json(l.node)::text || ',' || to_json(l.outcome)::text
        || ',' || to_json(l.next_node)::text || ']')
      FILTER (WHERE l.kind = 'outcome' AND l.outcome IS NOT NULL AND l.next_kind = 'enter'), ARRAY[]::TEXT[]) AS edges
  FROM (
    SELECT s."runId", t.e->>'kind' AS kind, t.e->>'nodeId' AS node, t.e->>'outcome' AS outcome,
      lead(t.e->>'kind') OVER w AS next_kind, lead(t.e->>'nodeId') OVER w AS next_node
    FROM "RunStep" s CROSS JOIN LATERAL jsonb_array_elements(s.trace) WITH ORDINALITY AS t(e, i)
    WHERE jsonb_typeof(s.trace) = 'array' AND t.e->>'kind' IN ('enter', 'outcome')
      AND t.e->>'nodeId' IS NOT NULL
    WINDOW w AS (PARTITION BY s."runId" ORDER BY s.seq, t.i)
  ) l
  GROUP BY l."runId"
) p
WHERE r.id = p."runId";

-- The analytics' hourly rollup: the real runs of a flow started in one UTC hour, grouped by
-- path, ending and version, written once every run of that hour has ended (never changed
-- after). The analytics read it for such hours and the runs for the rest of a range.
CREATE TABLE "PathRollupHour" (
    "flowId" TEXT NOT NULL,
    "hour" TIMESTAMP(3) NOT NULL,
    "paths" JSONB NOT NULL,
    "rolledAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PathRollupHour_pkey" PRIMARY KEY ("flowId", "hour")
);
