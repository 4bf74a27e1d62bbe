CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scope" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_at" text NOT NULL,
	"last_used_at" text,
	"revoked_at" text,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "article_changes" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"article_id" text NOT NULL,
	"kind" text NOT NULL,
	"public_kind" text,
	"version" integer NOT NULL,
	"at" text NOT NULL,
	"txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "article_credits" (
	"article_id" text NOT NULL,
	"position" integer NOT NULL,
	"contributor_id" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "article_credits_article_id_position_pk" PRIMARY KEY("article_id","position")
);
--> statement-breakpoint
CREATE TABLE "article_media" (
	"article_id" text NOT NULL,
	"media_id" text NOT NULL,
	CONSTRAINT "article_media_article_id_media_id_pk" PRIMARY KEY("article_id","media_id")
);
--> statement-breakpoint
CREATE TABLE "article_renderings" (
	"article_id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"status" text NOT NULL,
	"embargo_until" text,
	"type" text NOT NULL,
	"language" text NOT NULL,
	"section_id" text,
	"listed_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"published_at" text,
	"version" integer NOT NULL,
	"etag" text NOT NULL,
	"surrogate_keys" text NOT NULL,
	"related_ids" text,
	"json" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "article_revisions" (
	"article_id" text NOT NULL,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"actor_key_id" text,
	"message" text,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "article_revisions_article_id_version_pk" PRIMARY KEY("article_id","version")
);
--> statement-breakpoint
CREATE TABLE "article_topics" (
	"article_id" text NOT NULL,
	"position" integer NOT NULL,
	"topic_id" text NOT NULL,
	"is_primary" boolean NOT NULL,
	"listed_at" text,
	CONSTRAINT "article_topics_article_id_position_pk" PRIMARY KEY("article_id","position")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"language" text NOT NULL,
	"section_id" text,
	"headline" text NOT NULL,
	"headlines" jsonb NOT NULL,
	"summary" text,
	"lead_media" jsonb,
	"body" jsonb NOT NULL,
	"print_edition" jsonb,
	"corrections" jsonb NOT NULL,
	"canonical_url" text,
	"word_count" integer NOT NULL,
	"body_text" text NOT NULL,
	"search_rowid" integer NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector('newsdesk', coalesce(headline, '')), 'A') || setweight(to_tsvector('newsdesk', coalesce(summary, '')), 'B') || setweight(to_tsvector('newsdesk', coalesce(body_text, '')), 'C')) STORED NOT NULL,
	"public_visible" boolean NOT NULL,
	"content_hash" text,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"first_published_at" text,
	"published_at" text,
	"scheduled_at" text,
	"embargo_until" text,
	"listed_at" text NOT NULL,
	CONSTRAINT "articles_slug_unique" UNIQUE("slug"),
	CONSTRAINT "articles_search_rowid_unique" UNIQUE("search_rowid")
);
--> statement-breakpoint
CREATE TABLE "contributors" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"bio" text,
	"avatar_url" text,
	"aliases" jsonb NOT NULL,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "contributors_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" text NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response_body" text,
	"response_headers" jsonb,
	"created_at" text NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "media" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"url" text,
	"mime_type" text,
	"width" integer,
	"height" integer,
	"duration_seconds" integer,
	"size_bytes" integer,
	"alt" text,
	"caption" text,
	"credit" text,
	"copyright" text,
	"renditions" jsonb NOT NULL,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sections" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"parent_id" text,
	"path" text NOT NULL,
	"description" text,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "sections_path_unique" UNIQUE("path")
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"description" text,
	"aliases" jsonb NOT NULL,
	"version" integer NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "topics_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "article_credits" ADD CONSTRAINT "article_credits_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_credits" ADD CONSTRAINT "article_credits_contributor_id_contributors_id_fk" FOREIGN KEY ("contributor_id") REFERENCES "public"."contributors"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_media" ADD CONSTRAINT "article_media_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_renderings" ADD CONSTRAINT "article_renderings_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_revisions" ADD CONSTRAINT "article_revisions_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "articles" ADD CONSTRAINT "articles_section_id_sections_id_fk" FOREIGN KEY ("section_id") REFERENCES "public"."sections"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sections" ADD CONSTRAINT "sections_parent_id_sections_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."sections"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "article_changes_public" ON "article_changes" USING btree ("public_kind","seq");--> statement-breakpoint
CREATE INDEX "article_changes_article" ON "article_changes" USING btree ("article_id");--> statement-breakpoint
CREATE INDEX "article_credits_contributor" ON "article_credits" USING btree ("contributor_id");--> statement-breakpoint
CREATE INDEX "article_media_media" ON "article_media" USING btree ("media_id");--> statement-breakpoint
CREATE INDEX "article_renderings_slug" ON "article_renderings" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "article_renderings_status_listed" ON "article_renderings" USING btree ("status","listed_at","article_id");--> statement-breakpoint
CREATE INDEX "article_renderings_listed" ON "article_renderings" USING btree ("listed_at","article_id");--> statement-breakpoint
CREATE INDEX "article_renderings_status_updated" ON "article_renderings" USING btree ("status","updated_at","article_id");--> statement-breakpoint
CREATE INDEX "article_renderings_updated" ON "article_renderings" USING btree ("updated_at","article_id");--> statement-breakpoint
CREATE INDEX "article_renderings_section_listed" ON "article_renderings" USING btree ("section_id","listed_at","article_id");--> statement-breakpoint
CREATE UNIQUE INDEX "article_topics_unique" ON "article_topics" USING btree ("article_id","topic_id");--> statement-breakpoint
CREATE INDEX "article_topics_topic" ON "article_topics" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "article_topics_topic_listed" ON "article_topics" USING btree ("topic_id","listed_at","article_id");--> statement-breakpoint
CREATE INDEX "articles_status_listed" ON "articles" USING btree ("status","listed_at","id");--> statement-breakpoint
CREATE INDEX "articles_listed" ON "articles" USING btree ("listed_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "articles_content_hash" ON "articles" USING btree ("content_hash");--> statement-breakpoint
CREATE INDEX "articles_section" ON "articles" USING btree ("section_id");--> statement-breakpoint
CREATE INDEX "articles_scheduled" ON "articles" USING btree ("status","scheduled_at");--> statement-breakpoint
CREATE INDEX "articles_embargo" ON "articles" USING btree ("public_visible","status","embargo_until");--> statement-breakpoint
CREATE INDEX "articles_status_updated" ON "articles" USING btree ("status","updated_at","id");--> statement-breakpoint
CREATE INDEX "articles_status_published" ON "articles" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "articles_updated" ON "articles" USING btree ("updated_at","id");--> statement-breakpoint
CREATE INDEX "articles_search" ON "articles" USING gin ("search");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "sections_parent" ON "sections" USING btree ("parent_id");