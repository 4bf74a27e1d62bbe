CREATE TABLE "reader_follows" (
	"id" text PRIMARY KEY NOT NULL,
	"reader_id" text NOT NULL,
	"kind" text NOT NULL,
	"topic_id" text,
	"contributor_id" text,
	"section_id" text,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reader_mutes" (
	"id" text PRIMARY KEY NOT NULL,
	"reader_id" text NOT NULL,
	"kind" text NOT NULL,
	"topic_id" text,
	"contributor_id" text,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reader_reads" (
	"reader_id" text NOT NULL,
	"article_id" text NOT NULL,
	"read_at" text NOT NULL,
	CONSTRAINT "reader_reads_reader_id_article_id_pk" PRIMARY KEY("reader_id","article_id")
);
--> statement-breakpoint
CREATE TABLE "readers" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"feed_token_hash" text,
	"created_at" text NOT NULL,
	CONSTRAINT "readers_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "readers_feed_token_hash_unique" UNIQUE("feed_token_hash")
);
--> statement-breakpoint
ALTER TABLE "article_credits" ADD COLUMN "listed_at" text;--> statement-breakpoint
ALTER TABLE "reader_follows" ADD CONSTRAINT "reader_follows_reader_id_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."readers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_follows" ADD CONSTRAINT "reader_follows_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_follows" ADD CONSTRAINT "reader_follows_contributor_id_contributors_id_fk" FOREIGN KEY ("contributor_id") REFERENCES "public"."contributors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_follows" ADD CONSTRAINT "reader_follows_section_id_sections_id_fk" FOREIGN KEY ("section_id") REFERENCES "public"."sections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_mutes" ADD CONSTRAINT "reader_mutes_reader_id_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."readers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_mutes" ADD CONSTRAINT "reader_mutes_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_mutes" ADD CONSTRAINT "reader_mutes_contributor_id_contributors_id_fk" FOREIGN KEY ("contributor_id") REFERENCES "public"."contributors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_reads" ADD CONSTRAINT "reader_reads_reader_id_readers_id_fk" FOREIGN KEY ("reader_id") REFERENCES "public"."readers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reader_reads" ADD CONSTRAINT "reader_reads_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reader_follows_topic" ON "reader_follows" USING btree ("reader_id","topic_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reader_follows_contributor" ON "reader_follows" USING btree ("reader_id","contributor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reader_follows_section" ON "reader_follows" USING btree ("reader_id","section_id");--> statement-breakpoint
CREATE INDEX "reader_follows_reader" ON "reader_follows" USING btree ("reader_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reader_follows_by_topic" ON "reader_follows" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "reader_follows_by_contributor" ON "reader_follows" USING btree ("contributor_id");--> statement-breakpoint
CREATE INDEX "reader_follows_by_section" ON "reader_follows" USING btree ("section_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reader_mutes_topic" ON "reader_mutes" USING btree ("reader_id","topic_id");--> statement-breakpoint
CREATE UNIQUE INDEX "reader_mutes_contributor" ON "reader_mutes" USING btree ("reader_id","contributor_id");--> statement-breakpoint
CREATE INDEX "reader_mutes_reader" ON "reader_mutes" USING btree ("reader_id","created_at","id");--> statement-breakpoint
CREATE INDEX "reader_mutes_by_topic" ON "reader_mutes" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "reader_mutes_by_contributor" ON "reader_mutes" USING btree ("contributor_id");--> statement-breakpoint
CREATE INDEX "reader_reads_article" ON "reader_reads" USING btree ("article_id");--> statement-breakpoint
CREATE INDEX "article_credits_contributor_listed" ON "article_credits" USING btree ("contributor_id","listed_at","article_id");