-- The highest settled sequence number per sender (`inbox_settled_through`, asked on every
-- batch a partner posts) from an index instead of a scan of every message ever received.
CREATE INDEX inbox_settled ON inbox (operator, sender, sequence) WHERE state <> 'pending';
