CREATE TABLE `reader_follows` (
	`id` text PRIMARY KEY NOT NULL,
	`reader_id` text NOT NULL,
	`kind` text NOT NULL,
	`topic_id` text,
	`contributor_id` text,
	`section_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`reader_id`) REFERENCES `readers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contributor_id`) REFERENCES `contributors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reader_follows_topic` ON `reader_follows` (`reader_id`,`topic_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `reader_follows_contributor` ON `reader_follows` (`reader_id`,`contributor_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `reader_follows_section` ON `reader_follows` (`reader_id`,`section_id`);--> statement-breakpoint
CREATE INDEX `reader_follows_reader` ON `reader_follows` (`reader_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reader_follows_by_topic` ON `reader_follows` (`topic_id`);--> statement-breakpoint
CREATE INDEX `reader_follows_by_contributor` ON `reader_follows` (`contributor_id`);--> statement-breakpoint
CREATE INDEX `reader_follows_by_section` ON `reader_follows` (`section_id`);--> statement-breakpoint
CREATE TABLE `reader_mutes` (
	`id` text PRIMARY KEY NOT NULL,
	`reader_id` text NOT NULL,
	`kind` text NOT NULL,
	`topic_id` text,
	`contributor_id` text,
	`created_at` text NOT NULL,
	FOREIGN KEY (`reader_id`) REFERENCES `readers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contributor_id`) REFERENCES `contributors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reader_mutes_topic` ON `reader_mutes` (`reader_id`,`topic_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `reader_mutes_contributor` ON `reader_mutes` (`reader_id`,`contributor_id`);--> statement-breakpoint
CREATE INDEX `reader_mutes_reader` ON `reader_mutes` (`reader_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `reader_mutes_by_topic` ON `reader_mutes` (`topic_id`);--> statement-breakpoint
CREATE INDEX `reader_mutes_by_contributor` ON `reader_mutes` (`contributor_id`);--> statement-breakpoint
CREATE TABLE `reader_reads` (
	`reader_id` text NOT NULL,
	`article_id` text NOT NULL,
	`read_at` text NOT NULL,
	PRIMARY KEY(`reader_id`, `article_id`),
	FOREIGN KEY (`reader_id`) REFERENCES `readers`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `reader_reads_article` ON `reader_reads` (`article_id`);--> statement-breakpoint
CREATE TABLE `readers` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`feed_token_hash` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `readers_token_hash_unique` ON `readers` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `readers_feed_token_hash_unique` ON `readers` (`feed_token_hash`);--> statement-breakpoint
ALTER TABLE `article_credits` ADD `listed_at` text;--> statement-breakpoint
CREATE INDEX `article_credits_contributor_listed` ON `article_credits` (`contributor_id`,`listed_at`,`article_id`);