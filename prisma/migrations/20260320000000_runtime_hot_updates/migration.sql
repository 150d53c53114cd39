-- Call runtime hot path: every callback updates its "Run" row and marks its outbox row sent.
-- Both were non-HOT updates, so each one added an entry to every index of the table (five on
-- "Run") and left the row's old version behind. Hand-written (partial indexes, storage options).

-- "deadline" changes on every step, so an index containing it made every "Run" update non-HOT.
-- The reconciler reads running runs through this partial index (columns that never change;
-- "status" changes once, when the run ends) and sorts the overdue ones by deadline itself.
DROP INDEX "Run_status_deadline_idx";
CREATE INDEX "Run_running_startedAt_id_idx" ON "Run"("startedAt", "id") WHERE "status" = 'running';

-- Room on each page for the next versions of its rows, so updates can stay on the page (HOT).
ALTER TABLE "Run" SET (fillfactor = 70);

-- Nothing reads the outbox by run id (the dispatcher uses the partial unsent index), yet every
-- insert and every "sent" update of an outbox row paid for this index.
DROP INDEX "OutboxAction_runId_idx";
