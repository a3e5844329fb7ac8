-- The chat platform an effect goes to, decided when the effect is committed (null: none could reach the person then,
-- or a message that is not a chat effect); delivery, on whichever host, follows it instead of deciding again.
ALTER TABLE outbox ADD COLUMN platform text NULL;
