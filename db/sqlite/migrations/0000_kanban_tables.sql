CREATE TABLE `boards` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_sub` text,
	`title` text NOT NULL,
	`visibility` text DEFAULT 'private' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	CONSTRAINT "boards_title_length" CHECK(length("boards"."title") BETWEEN 1 AND 200),
	CONSTRAINT "boards_visibility_known" CHECK("boards"."visibility" IN ('public', 'private'))
);
--> statement-breakpoint
CREATE INDEX `boards_visibility_updated_idx` ON `boards` (`visibility`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `boards_owner_updated_idx` ON `boards` (`owner_sub`,`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `cards` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`column_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`labels` text DEFAULT '[]' NOT NULL,
	`due_date` text,
	`position` integer NOT NULL,
	`created_by_sub` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`column_id`) REFERENCES `columns`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "cards_title_length" CHECK(length("cards"."title") BETWEEN 1 AND 200),
	CONSTRAINT "cards_description_length" CHECK(length("cards"."description") <= 10000)
);
--> statement-breakpoint
CREATE INDEX `cards_column_position_idx` ON `cards` (`column_id`,`position`);--> statement-breakpoint
CREATE INDEX `cards_board_idx` ON `cards` (`board_id`);--> statement-breakpoint
CREATE TABLE `columns` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`title` text NOT NULL,
	`position` integer NOT NULL,
	`wip_limit` integer,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "columns_title_length" CHECK(length("columns"."title") BETWEEN 1 AND 200),
	CONSTRAINT "columns_wip_limit_positive" CHECK("columns"."wip_limit" IS NULL OR "columns"."wip_limit" > 0)
);
--> statement-breakpoint
CREATE INDEX `columns_board_position_idx` ON `columns` (`board_id`,`position`);