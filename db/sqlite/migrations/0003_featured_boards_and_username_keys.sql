DROP INDEX `accounts_username_nocase_idx`;--> statement-breakpoint
ALTER TABLE `accounts` ADD `username_key` text;--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_username_key_idx` ON `accounts` (`username_key`);--> statement-breakpoint
DROP INDEX `boards_visibility_updated_idx`;--> statement-breakpoint
ALTER TABLE `boards` ADD `featured` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `boards_featured_updated_idx` ON `boards` (`featured`,`visibility`,`updated_at`,`id`);--> statement-breakpoint
-- The demo boards (owned by nobody) stay listed to everyone; other public boards are now read by id or link only.
-- username_key stays NULL here: the app fills it at start (db/usernames.ts), the same way on both engines.
UPDATE `boards` SET `featured` = 1 WHERE `owner_sub` IS NULL;