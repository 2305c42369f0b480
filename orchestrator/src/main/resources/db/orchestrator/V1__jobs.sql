-- One row per search job. The search state is core SearchState's JSON after the last accepted result, units the
-- outstanding work units (unit id -> attempt), so a restarted orchestrator resumes where it stopped.
CREATE TABLE jobs (
    id           VARCHAR(64)  PRIMARY KEY,
    spec         TEXT         NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    num_layers   INTEGER      NOT NULL,
    search_state TEXT,
    units        TEXT,
    summary      TEXT,
    error        TEXT,
    created_at   TIMESTAMP    NOT NULL,
    updated_at   TIMESTAMP    NOT NULL
);

CREATE INDEX jobs_state ON jobs (state);
