-- Trigram indexes for search_cards (the next migration makes one). pg_trgm ships with PostgreSQL
-- (contrib), and from PostgreSQL 13 it is a trusted extension: a role with CREATE on the database
-- may add it. Where it cannot be added (no contrib, an older server, a managed service that has not
-- allowed it), the app still runs: search_cards then reads every card, as it did before.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm could not be added (%): search_cards will read every card', SQLERRM;
END
$$;
