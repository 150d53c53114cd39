-- The engine process that committed an outbox row (its instance id, also its sessions'
-- application_name). Only that process resends it while it lives: it alone knows which of its
-- rows were sent and wait for their "sent" mark. NULL: committed before this column existed.
ALTER TABLE "OutboxAction" ADD COLUMN "owner" TEXT;
