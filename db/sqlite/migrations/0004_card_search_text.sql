ALTER TABLE `cards` ADD `search_text` text;
--> statement-breakpoint
-- Cards made before: folded by kanban_fold, the app's own fold (db/sqlite/client.ts registers it before migrating).
UPDATE `cards` SET `search_text` = kanban_fold(`title`) || char(10) || kanban_fold(`description`);
