-- Custom SQL migration file, put your code below! --
-- Credits written before article_credits.listed_at existed take their article's list order key (renderings keep it current from now on).
UPDATE article_credits SET listed_at = (SELECT articles.listed_at FROM articles WHERE articles.id = article_credits.article_id) WHERE listed_at IS NULL;
