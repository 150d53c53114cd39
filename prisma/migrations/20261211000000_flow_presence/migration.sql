-- CreateTable
CREATE TABLE "FlowPresence" (
    "flowId" TEXT NOT NULL,
    "tabId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FlowPresence_pkey" PRIMARY KEY ("flowId","tabId")
);

-- CreateIndex
CREATE INDEX "FlowPresence_flowId_seenAt_idx" ON "FlowPresence"("flowId", "seenAt");
