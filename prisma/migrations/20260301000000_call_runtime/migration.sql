-- Call runtime: runs, their steps, applied event ids and the action outbox.

-- CreateTable
CREATE TABLE "Run" (
    "id" TEXT NOT NULL,
    "flowId" TEXT NOT NULL,
    "flowVersionId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "direction" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "endReason" TEXT,
    "currentNodeId" TEXT,
    "state" JSONB NOT NULL,
    "callConnectionId" TEXT,
    "correlationId" TEXT,
    "fromAddress" TEXT NOT NULL DEFAULT '',
    "toAddress" TEXT NOT NULL DEFAULT '',
    "deadline" TIMESTAMP(3),
    "stepCount" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),
    "startedBy" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "RunStep_pkey" PRIMARY KEY ("runId","seq")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "eventId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("eventId")
);

-- CreateTable
CREATE TABLE "OutboxAction" (
    "id" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "stepSeq" INTEGER NOT NULL,
    "ord" INTEGER NOT NULL,
    "action" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,

    CONSTRAINT "OutboxAction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Run_callConnectionId_key" ON "Run"("callConnectionId");

-- CreateIndex
CREATE INDEX "Run_status_deadline_idx" ON "Run"("status", "deadline");

-- CreateIndex
CREATE INDEX "Run_startedAt_id_idx" ON "Run"("startedAt", "id");

-- CreateIndex
CREATE INDEX "Run_flowId_startedAt_idx" ON "Run"("flowId", "startedAt");

-- CreateIndex
CREATE INDEX "RunEvent_createdAt_idx" ON "RunEvent"("createdAt");

-- CreateIndex
CREATE INDEX "OutboxAction_runId_idx" ON "OutboxAction"("runId");

-- AddForeignKey
ALTER TABLE "RunStep" ADD CONSTRAINT "RunStep_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the dispatcher only ever looks at unsent actions.
CREATE INDEX "OutboxAction_unsent_idx" ON "OutboxAction"("createdAt") WHERE "sentAt" IS NULL;
