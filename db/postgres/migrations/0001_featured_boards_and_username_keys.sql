DROP INDEX "accounts_username_nocase_idx";--> statement-breakpoint
DROP INDEX "boards_visibility_updated_idx";--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "username_key" text;--> statement-breakpoint
ALTER TABLE "boards" ADD COLUMN "featured" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "accounts_username_key_idx" ON "accounts" USING btree ("username_key");--> statement-breakpoint
CREATE INDEX "boards_featured_updated_idx" ON "boards" USING btree ("featured","visibility","updated_at","id");--> statement-breakpoint
-- The demo boards (owned by nobody) stay listed to everyone; other public boards are now read by id or link only.
-- username_key stays NULL here: the app fills it at start (db/usernames.ts), the same way on both engines.
UPDATE "boards" SET "featured" = true WHERE "owner_sub" IS NULL;