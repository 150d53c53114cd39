-- The runtime's SQL no longer reads the flow package's JSON by path (a renamed state field would
-- silently read NULL): what it needs from a run, a step or an action is a column of its own,
-- written by the statement that writes the JSON.

-- The operation context a running run waits on (the reconciler's Timeout names it). Written by
-- every step; in no index, so step updates stay HOT.
ALTER TABLE "Run" ADD COLUMN "awaitingContext" TEXT;
UPDATE "Run" SET "awaitingContext" = state->'awaiting'->>'operationContext' WHERE status = 'running';

-- The applied event's operation context, and each unsent action's: the outbox dispatcher's
-- "has the run already seen this action answered?".
ALTER TABLE "RunStep" ADD COLUMN "operationContext" TEXT;
UPDATE "RunStep" SET "operationContext" = event->>'operationContext' WHERE event ? 'operationContext';
ALTER TABLE "OutboxAction" ADD COLUMN "operationContext" TEXT NOT NULL DEFAULT '';
UPDATE "OutboxAction" SET "operationContext" = COALESCE(action->>'operationContext', '');
ALTER TABLE "OutboxAction" ALTER COLUMN "operationContext" DROP DEFAULT;
