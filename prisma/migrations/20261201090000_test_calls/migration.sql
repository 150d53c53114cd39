-- Test calls (issue 10): runs of a draft or a version placed in a private ACS emulator, kept
-- apart from real calls.

-- "test" and "clockOffsetMs" are written once, with the run; "testCall" once more, when a test
-- run ends. No index holds a column a step changes, so step updates stay HOT.
ALTER TABLE "Run" ADD COLUMN "test" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Run" ADD COLUMN "clockOffsetMs" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "Run" ADD COLUMN "testCall" JSONB;

-- The runs list: real runs (or test runs) newest first, the first page read off the index.
CREATE INDEX "Run_test_startedAt_id_idx" ON "Run"("test", "startedAt" DESC, "id" DESC);
-- Retention of test runs: ended test runs by end time.
CREATE INDEX "Run_test_endedAt_idx" ON "Run"("endedAt") WHERE "test";

-- The run's variables after a step, only on steps that changed them (null: unchanged).
ALTER TABLE "RunStep" ADD COLUMN "vars" JSONB;

-- The draft as a test run ran it: a run's flowVersionId names a FlowVersion or one of these.
CREATE TABLE "DraftSnapshot" (
    "id" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "draftRevision" INTEGER NOT NULL,
    "document" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT NOT NULL,
    CONSTRAINT "DraftSnapshot_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "DraftSnapshot_flowId_draftRevision_key" ON "DraftSnapshot"("flowId", "draftRevision");
