-- Sorting by session name orders by the folded displayed name, so that
-- "apple" and "Zebra" sort as readers expect. One index on the folded name
-- and the tie-breaker now serves that sort and the counting of name
-- matches, replacing the two indexes of migration 0002.

DROP INDEX sessions_display_name;
DROP INDEX sessions_name_fold;
CREATE INDEX sessions_name_fold ON sessions (name_fold, session_id);
