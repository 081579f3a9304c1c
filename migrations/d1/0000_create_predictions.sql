CREATE TABLE `predictions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`created_at` text NOT NULL,
	`model_name` text NOT NULL,
	`model_version` text NOT NULL,
	`origin` text NOT NULL,
	`destination` text NOT NULL,
	`departure` text NOT NULL,
	`distance_miles` integer NOT NULL,
	`reference` text,
	`probability` real NOT NULL,
	`is_delayed` integer NOT NULL,
	`served_by` text NOT NULL,
	`cache_hit` integer NOT NULL,
	`latency_ms` real NOT NULL,
	`colo` text,
	`country` text
);
--> statement-breakpoint
CREATE INDEX `predictions_created_at` ON `predictions` (`created_at`);--> statement-breakpoint
CREATE INDEX `predictions_request_id` ON `predictions` (`request_id`);