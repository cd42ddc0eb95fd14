-- What a partner's node answered about a message we sent it: `rejected_code` and
-- `rejected_reason` are set when it refused the message (it stays delivered, since sending it
-- again would be refused again); administrators see these next to the delivery state.
ALTER TABLE outbox ADD COLUMN rejected_code TEXT;
ALTER TABLE outbox ADD COLUMN rejected_reason TEXT;
CREATE INDEX outbox_rejected ON outbox (operator, id) WHERE rejected_code IS NOT NULL;
-- The partner's response on receipt (RESDES, as its envelope) of an outward dispatch: what
-- its inward office received and the discrepancies it found.
ALTER TABLE dispatches ADD COLUMN partner_response TEXT;
