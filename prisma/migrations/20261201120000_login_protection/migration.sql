-- Login protection: failed sign-ins counted per username and per client address, and usernames
-- unique regardless of case.
CREATE TABLE "LoginThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "throttledAt" TIMESTAMP(3),
    CONSTRAINT "LoginThrottle_pkey" PRIMARY KEY ("key")
);
CREATE INDEX "LoginThrottle_lastAttemptAt_idx" ON "LoginThrottle"("lastAttemptAt");

-- Hand-written (Prisma cannot express an index on an expression). Users that differ from an
-- older one only in case would make the index fail and the engine not start, so they are
-- renamed first (the oldest keeps its name) and the renaming is audited.
WITH "ranked" AS (
    SELECT "id", "username",
           row_number() OVER (PARTITION BY lower("username") ORDER BY "createdAt", "id") AS "n"
    FROM "User"
), "renamed" AS (
    UPDATE "User" u
    SET "username" = u."username" || '-dup-' || left(u."id", 8)
    FROM "ranked" r
    WHERE r."id" = u."id" AND r."n" > 1
    RETURNING u."username" AS "renamedTo", r."username" AS "renamedFrom"
)
INSERT INTO "AuditLog" ("id", "actor", "action", "target", "details")
SELECT gen_random_uuid()::text, 'system', 'user.rename', 'user:' || "renamedTo",
       jsonb_build_object('from', "renamedFrom", 'reason', 'usernames are unique regardless of case')
FROM "renamed";

CREATE UNIQUE INDEX "User_username_lower_key" ON "User"(lower("username"));
