-- The advance data (ITMATT entries) of a closed receptacle's items, encoded when it closed,
-- so that the dispatch closing splices it instead of reading every item again. Good only
-- while the receptacle is at `advance_version`; reopening clears it.
ALTER TABLE receptacles ADD COLUMN advance_data TEXT;
ALTER TABLE receptacles ADD COLUMN advance_version BIGINT;
