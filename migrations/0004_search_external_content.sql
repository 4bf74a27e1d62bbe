-- The search index no longer keeps its own copy of the text: it reads headline,
-- standfirst and body text from articles (an external-content FTS5 table keyed
-- by articles.search_rowid, which is unique and indexed). That halves what a
-- write stores for search. The 2- and 3-character prefix indexes are gone too:
-- they served only 2- and 3-letter prefix queries ("tr*"), which FTS5 still
-- answers from the main index, and cost more than the rest of the index to write.
DROP TRIGGER `articles_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `articles_fts_delete`;
--> statement-breakpoint
DROP TRIGGER `articles_fts_update`;
--> statement-breakpoint
DROP TABLE `articles_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
	`headline`,
	`summary`,
	`body_text`,
	content = 'articles',
	content_rowid = 'search_rowid',
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
-- An external-content index must be told the old values to remove them, exactly as they were indexed.
CREATE TRIGGER `articles_fts_insert` AFTER INSERT ON `articles` BEGIN
	INSERT INTO `articles_fts` (`rowid`, `headline`, `summary`, `body_text`)
	VALUES (new.`search_rowid`, new.`headline`, new.`summary`, new.`body_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_delete` AFTER DELETE ON `articles` BEGIN
	INSERT INTO `articles_fts` (`articles_fts`, `rowid`, `headline`, `summary`, `body_text`)
	VALUES ('delete', old.`search_rowid`, old.`headline`, old.`summary`, old.`body_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_update` AFTER UPDATE OF `headline`, `summary`, `body_text`, `search_rowid` ON `articles` BEGIN
	INSERT INTO `articles_fts` (`articles_fts`, `rowid`, `headline`, `summary`, `body_text`)
	VALUES ('delete', old.`search_rowid`, old.`headline`, old.`summary`, old.`body_text`);
	INSERT INTO `articles_fts` (`rowid`, `headline`, `summary`, `body_text`)
	VALUES (new.`search_rowid`, new.`headline`, new.`summary`, new.`body_text`);
END;
--> statement-breakpoint
INSERT INTO `articles_fts` (`articles_fts`) VALUES ('rebuild');
