-- Fair callback dispatch (issue 13): the claim walks the spaces that have pending deliveries and
-- takes each one's oldest due rows, and counts each space's attempts in flight (leased rows).
CREATE INDEX callback_deliveries_space_due
    ON callback_deliveries (space_id, next_attempt_at) WHERE state = 'pending';
CREATE INDEX callback_deliveries_leased
    ON callback_deliveries (space_id) WHERE lease_token IS NOT NULL;
