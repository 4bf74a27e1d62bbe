CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`scope` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`last_used_at` text,
	`revoked_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `article_changes` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` text NOT NULL,
	`kind` text NOT NULL,
	`public_kind` text,
	`version` integer NOT NULL,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `article_changes_public` ON `article_changes` (`public_kind`,`seq`);--> statement-breakpoint
CREATE INDEX `article_changes_article` ON `article_changes` (`article_id`);--> statement-breakpoint
CREATE TABLE `article_credits` (
	`article_id` text NOT NULL,
	`position` integer NOT NULL,
	`contributor_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`article_id`, `position`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contributor_id`) REFERENCES `contributors`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `article_credits_contributor` ON `article_credits` (`contributor_id`);--> statement-breakpoint
CREATE TABLE `article_media` (
	`article_id` text NOT NULL,
	`media_id` text NOT NULL,
	PRIMARY KEY(`article_id`, `media_id`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `article_media_media` ON `article_media` (`media_id`);--> statement-breakpoint
CREATE TABLE `article_revisions` (
	`article_id` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`actor_key_id` text,
	`message` text,
	`snapshot` text NOT NULL,
	PRIMARY KEY(`article_id`, `version`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `article_topics` (
	`article_id` text NOT NULL,
	`position` integer NOT NULL,
	`topic_id` text NOT NULL,
	`is_primary` integer NOT NULL,
	PRIMARY KEY(`article_id`, `position`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`topic_id`) REFERENCES `topics`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_topics_unique` ON `article_topics` (`article_id`,`topic_id`);--> statement-breakpoint
CREATE INDEX `article_topics_topic` ON `article_topics` (`topic_id`);--> statement-breakpoint
CREATE TABLE `articles` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`language` text NOT NULL,
	`section_id` text,
	`headline` text NOT NULL,
	`headlines` text NOT NULL,
	`summary` text,
	`lead_media` text,
	`body` text NOT NULL,
	`print_edition` text,
	`corrections` text NOT NULL,
	`canonical_url` text,
	`word_count` integer NOT NULL,
	`body_text` text NOT NULL,
	`search_rowid` integer NOT NULL,
	`public_visible` integer NOT NULL,
	`content_hash` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`first_published_at` text,
	`published_at` text,
	`scheduled_at` text,
	`embargo_until` text,
	`listed_at` text NOT NULL,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_unique` ON `articles` (`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `articles_search_rowid_unique` ON `articles` (`search_rowid`);--> statement-breakpoint
CREATE INDEX `articles_status_listed` ON `articles` (`status`,`listed_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_listed` ON `articles` (`listed_at`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `articles_content_hash` ON `articles` (`content_hash`);--> statement-breakpoint
CREATE INDEX `articles_section` ON `articles` (`section_id`);--> statement-breakpoint
CREATE INDEX `articles_scheduled` ON `articles` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `articles_embargo` ON `articles` (`public_visible`,`status`,`embargo_until`);--> statement-breakpoint
CREATE INDEX `articles_status_updated` ON `articles` (`status`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_status_published` ON `articles` (`status`,`published_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_updated` ON `articles` (`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `articles_search_cover` ON `articles` (`search_rowid`,`status`,`embargo_until`,`section_id`,`listed_at`,`updated_at`,`id`);--> statement-breakpoint
CREATE TABLE `contributors` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`bio` text,
	`avatar_url` text,
	`aliases` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contributors_slug_unique` ON `contributors` (`slug`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`api_key_id` text NOT NULL,
	`key` text NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`request_hash` text NOT NULL,
	`status_code` integer,
	`response_body` text,
	`response_headers` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`api_key_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_at` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `media` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`url` text,
	`mime_type` text,
	`width` integer,
	`height` integer,
	`duration_seconds` integer,
	`size_bytes` integer,
	`alt` text,
	`caption` text,
	`credit` text,
	`copyright` text,
	`renditions` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sections` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`parent_id` text,
	`path` text NOT NULL,
	`description` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`parent_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sections_path_unique` ON `sections` (`path`);--> statement-breakpoint
CREATE INDEX `sections_parent` ON `sections` (`parent_id`);--> statement-breakpoint
CREATE TABLE `topics` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text,
	`aliases` text NOT NULL,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `topics_slug_unique` ON `topics` (`slug`);