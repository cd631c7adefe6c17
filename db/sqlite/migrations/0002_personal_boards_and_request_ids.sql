CREATE TABLE `tool_requests` (
	`subject` text NOT NULL,
	`request_id` text NOT NULL,
	`tool` text NOT NULL,
	`result` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`subject`, `request_id`)
);
--> statement-breakpoint
CREATE INDEX `tool_requests_created_idx` ON `tool_requests` (`created_at`);--> statement-breakpoint
ALTER TABLE `boards` ADD `personal` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `boards_one_personal_per_owner_idx` ON `boards` (`owner_sub`) WHERE "boards"."personal" = 1;