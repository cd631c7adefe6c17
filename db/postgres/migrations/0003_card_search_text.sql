ALTER TABLE "cards" ADD COLUMN "search_text" text;--> statement-breakpoint
-- Cards made before: folded by PostgreSQL as the app folds (NFKC, lower case, NFKC; lower() follows LC_CTYPE).
UPDATE "cards" SET "search_text" = normalize(lower(normalize("title", NFKC)), NFKC) || chr(10) || normalize(lower(normalize("description", NFKC)), NFKC);
