-- Custom migration (drizzle-kit generate --custom): copy each article's list order key to its topic rows,
-- which were written before article_topics had one. From here on every write keeps it (src/db/repositories/renderings.ts).
UPDATE `article_topics` SET `listed_at` = (SELECT `listed_at` FROM `articles` WHERE `articles`.`id` = `article_topics`.`article_id`);
