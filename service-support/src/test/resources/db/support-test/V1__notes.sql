-- A table in the shapes the services use: unquoted names, text, time zones, a key that refuses duplicates.
CREATE TABLE notes (
    id          INTEGER      PRIMARY KEY,
    body        TEXT         NOT NULL,
    written_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
