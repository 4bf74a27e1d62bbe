-- Full-text search over articles (SQLite FTS5). Headline, standfirst and body
-- text; case and diacritics folded. Kept in sync with articles by triggers;
-- the FTS row id is articles.search_rowid, so lookups never scan.
CREATE VIRTUAL TABLE `articles_fts` USING fts5(
	`headline`,
	`summary`,
	`body`,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3'
);
--> statement-breakpoint
CREATE TRIGGER `articles_fts_insert` AFTER INSERT ON `articles` BEGIN
	INSERT INTO `articles_fts` (`rowid`, `headline`, `summary`, `body`)
	VALUES (new.`search_rowid`, new.`headline`, coalesce(new.`summary`, ''), new.`body_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_delete` AFTER DELETE ON `articles` BEGIN
	DELETE FROM `articles_fts` WHERE `rowid` = old.`search_rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `articles_fts_update` AFTER UPDATE OF `headline`, `summary`, `body_text` ON `articles` BEGIN
	DELETE FROM `articles_fts` WHERE `rowid` = old.`search_rowid`;
	INSERT INTO `articles_fts` (`rowid`, `headline`, `summary`, `body`)
	VALUES (new.`search_rowid`, new.`headline`, coalesce(new.`summary`, ''), new.`body_text`);
END;
