-- search_cards finds the cards holding a word of 3 characters or more through this full-text
-- table (FTS5's trigram tokenizer: any substring, as the search has always matched), not by
-- reading every card. It indexes cards.search_text (already folded, so case-sensitive here) and
-- stores none of it (external content), kept in step by the triggers below. It maps cards by
-- rowid, which a VACUUM may renumber: every match is checked against the card's own search_text,
-- so a stale entry can hide a card but never show a wrong one (`INSERT INTO cards_search(cards_search)
-- VALUES ('rebuild')` rebuilds it).
CREATE VIRTUAL TABLE `cards_search` USING fts5(`search_text`, content='cards', content_rowid='rowid', tokenize='trigram case_sensitive 1');
--> statement-breakpoint
CREATE TRIGGER `cards_search_insert` AFTER INSERT ON `cards` BEGIN
  INSERT INTO `cards_search`(rowid, `search_text`) VALUES (new.rowid, new.`search_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `cards_search_delete` AFTER DELETE ON `cards` BEGIN
  INSERT INTO `cards_search`(`cards_search`, rowid, `search_text`) VALUES ('delete', old.rowid, old.`search_text`);
END;
--> statement-breakpoint
CREATE TRIGGER `cards_search_update` AFTER UPDATE OF `search_text` ON `cards` BEGIN
  INSERT INTO `cards_search`(`cards_search`, rowid, `search_text`) VALUES ('delete', old.rowid, old.`search_text`);
  INSERT INTO `cards_search`(rowid, `search_text`) VALUES (new.rowid, new.`search_text`);
END;
--> statement-breakpoint
INSERT INTO `cards_search`(`cards_search`) VALUES ('rebuild');
