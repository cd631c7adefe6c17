-- Trigram indexes for search_cards (the next migration makes one). pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension: the database's owner may create it, no superuser needed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
