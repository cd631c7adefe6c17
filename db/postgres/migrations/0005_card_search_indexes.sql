-- The trigram index, with pg_trgm's operator class found wherever the extension lives (a managed
-- service may keep extensions in a schema of their own, off the search_path); none when pg_trgm is
-- not there (migration 0004). Built in this transaction: on a large cards table, writes wait for it.
DO $$
DECLARE
  operators text;
BEGIN
  SELECT format('%I.%I', n.nspname, c.opcname) INTO operators
  FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod
  WHERE c.opcname = 'gin_trgm_ops' AND a.amname = 'gin'
  LIMIT 1;
  IF operators IS NULL THEN
    RAISE WARNING 'pg_trgm is not installed: search_cards will read every card';
  ELSE
    EXECUTE format('CREATE INDEX "cards_search_text_trigram_idx" ON "cards" USING gin ("search_text" %s)', operators);
  END IF;
END
$$;--> statement-breakpoint
CREATE INDEX "cards_unfolded_idx" ON "cards" USING btree ("id") WHERE "cards"."search_text" IS NULL;
