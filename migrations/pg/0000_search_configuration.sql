-- The text search configuration of articles.search (src/db/pg/schema.ts): words
-- as the 'simple' parser finds them, lower-cased, accents removed, no stemming
-- and no stop words, so that PostgreSQL matches what SQLite's FTS5 table
-- (unicode61 remove_diacritics 2) matches. unaccent is a trusted extension: the
-- database's owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION newsdesk (COPY = simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION newsdesk ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;
