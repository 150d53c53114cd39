-- Inbound events that failed for good (not because the database was away): parked with their
-- raw body and answered so that ACS / Event Grid stop retrying them.
CREATE TABLE "DeadLetter" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "eventId" TEXT,
    "raw" JSONB NOT NULL,
    "error" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeadLetter_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DeadLetter_receivedAt_id_idx" ON "DeadLetter"("receivedAt", "id");
