-- A step record is the proof that its event was applied, so its event id, unique, is the
-- dedupe. The separate "RunEvent" table wrote a second row and two more index entries for
-- every callback and had to be pruned; event ids now live exactly as long as their steps.
CREATE UNIQUE INDEX "RunStep_eventId_key" ON "RunStep"("eventId");
DROP TABLE "RunEvent";

-- Steps are only written by the statement that moves their run on (or inserts it), so the
-- foreign key guarded nothing, and its check — a lookup and share-lock of the "Run" row the
-- same statement already holds, for every step — was a measurable share of Postgres's CPU per
-- callback. Like "Run".flowId and flowVersionId, "RunStep"."runId" is a plain reference.
ALTER TABLE "RunStep" DROP CONSTRAINT "RunStep_runId_fkey";
