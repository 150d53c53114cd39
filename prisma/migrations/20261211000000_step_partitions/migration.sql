-- Run retention (SWITCHBOARD_RUN_RETENTION_DAYS, engine/src/retention): the step records, most of
-- the database, are partitioned by day so that retention drops a whole day's partition instead of
-- deleting (and vacuuming) its rows one by one.
--
-- The partition key is the start time of the step's run, carried on every step ("runStartedAt"):
-- all steps of a run are in one partition, so a day can be dropped once none of its runs is
-- running, and every reader that knows the run (the hot path, the run's page, replay) names the
-- one partition to look in. Postgres wants the key in every unique index of a partitioned table,
-- so the event id is unique per run start time — still the dedupe: an event belongs to one call,
-- routed to its one run (by run id or call connection id), so a redelivered copy meets the same
-- key. The one event that starts a run — an IncomingCall, whose copy would start a second run at
-- another time — is kept once by the run's primary key instead: its run id is derived from the
-- Event Grid id (acs/webhooks.service.ts), and "Run" is not partitioned.
--
-- Partitions are named "RunStep_p<YYYYMMDD>" and cover one UTC day of run start times; the engine
-- creates the next days' at start and every round (retention.service.ts). "RunStep_default" takes
-- anything no partition covers (a clock far off, a day not created in time) and is pruned row by
-- row.

ALTER TABLE "RunStep" RENAME TO "RunStep_unpartitioned";
ALTER TABLE "RunStep_unpartitioned" RENAME CONSTRAINT "RunStep_pkey" TO "RunStep_unpartitioned_pkey";
ALTER INDEX "RunStep_eventId_key" RENAME TO "RunStep_unpartitioned_eventId_key";

CREATE TABLE "RunStep" (
    "runId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "event" JSONB,
    "nodeId" TEXT,
    "trace" JSONB NOT NULL,
    "actions" JSONB NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "committedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "vars" JSONB,
    "operationContext" TEXT,
    "runStartedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RunStep_pkey" PRIMARY KEY ("runId", "seq", "runStartedAt")
) PARTITION BY RANGE ("runStartedAt");

CREATE UNIQUE INDEX "RunStep_eventId_runStartedAt_key" ON "RunStep"("eventId", "runStartedAt");

CREATE TABLE "RunStep_default" PARTITION OF "RunStep" DEFAULT;

-- A partition for every day that has steps, and for today and the next seven days (the engine
-- keeps that many ahead), all before the copy so that nothing lands in the default partition.
DO $$
DECLARE
    d date;
BEGIN
    FOR d IN
        SELECT DISTINCT date_trunc('day', COALESCE(r."startedAt", s."receivedAt"))::date
        FROM "RunStep_unpartitioned" s LEFT JOIN "Run" r ON r."id" = s."runId"
        UNION
        SELECT generate_series((now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 7, interval '1 day')::date
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF "RunStep" FOR VALUES FROM (%L) TO (%L)',
            'RunStep_p' || to_char(d, 'YYYYMMDD'), d::timestamp, (d + 1)::timestamp);
    END LOOP;
END $$;

-- Steps whose run is gone (none should be: both are deleted together) keep their own time.
INSERT INTO "RunStep" ("runId", "seq", "eventId", "eventType", "event", "nodeId", "trace", "actions",
    "receivedAt", "committedAt", "vars", "operationContext", "runStartedAt")
SELECT s."runId", s."seq", s."eventId", s."eventType", s."event", s."nodeId", s."trace", s."actions",
    s."receivedAt", s."committedAt", s."vars", s."operationContext", COALESCE(r."startedAt", s."receivedAt")
FROM "RunStep_unpartitioned" s LEFT JOIN "Run" r ON r."id" = s."runId";

DROP TABLE "RunStep_unpartitioned";

-- Retention deletes ended runs by start time (Run_startedAt_id_idx) and test runs by end time
-- (Run_test_endedAt_idx); the path-analytics rollup by hour (its primary key starts with the flow).
CREATE INDEX "PathRollupHour_hour_idx" ON "PathRollupHour"("hour");
