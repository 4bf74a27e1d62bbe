CREATE TABLE `article_renderings` (
	`article_id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`status` text NOT NULL,
	`embargo_until` text,
	`type` text NOT NULL,
	`language` text NOT NULL,
	`section_id` text,
	`listed_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`published_at` text,
	`version` integer NOT NULL,
	`etag` text NOT NULL,
	`surrogate_keys` text NOT NULL,
	`related_ids` text,
	`json` blob NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `article_renderings_slug` ON `article_renderings` (`slug`);--> statement-breakpoint
CREATE INDEX `article_renderings_status_listed` ON `article_renderings` (`status`,`listed_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_renderings_listed` ON `article_renderings` (`listed_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_renderings_status_updated` ON `article_renderings` (`status`,`updated_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_renderings_updated` ON `article_renderings` (`updated_at`,`article_id`);--> statement-breakpoint
CREATE INDEX `article_renderings_section_listed` ON `article_renderings` (`section_id`,`listed_at`,`article_id`);--> statement-breakpoint
ALTER TABLE `article_topics` ADD `listed_at` text;--> statement-breakpoint
CREATE INDEX `article_topics_topic_listed` ON `article_topics` (`topic_id`,`listed_at`,`article_id`);