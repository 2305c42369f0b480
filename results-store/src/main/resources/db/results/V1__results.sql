-- The results store's tables (schema tale_results). Every event kind has a natural key, so a redelivered event
-- finds its row already there: rounds, candidate scores, unit results and selections are written once, and a
-- job row only moves forward in event time.

CREATE TABLE jobs (
    job_id        VARCHAR(200) PRIMARY KEY,
    model         VARCHAR(500),
    task          VARCHAR(200),
    spec          TEXT,
    state         VARCHAR(20)  NOT NULL,
    round         INTEGER      NOT NULL,
    step          VARCHAR(20),
    done          BIGINT       NOT NULL,
    total         BIGINT       NOT NULL,
    num_layers    INTEGER,
    floor         DOUBLE PRECISION,
    summary       TEXT,
    error         TEXT,
    submitted_at  TIMESTAMP WITH TIME ZONE,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX jobs_model_task ON jobs (model, task);

CREATE TABLE rounds (
    job_id          VARCHAR(200) NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    round           INTEGER      NOT NULL,
    removed_before  VARCHAR(2000) NOT NULL,
    winner          INTEGER      NOT NULL,
    accepted        BOOLEAN      NOT NULL,
    PRIMARY KEY (job_id, round)
);

CREATE TABLE candidate_scores (
    job_id       VARCHAR(200) NOT NULL,
    round        INTEGER      NOT NULL,
    layer        INTEGER      NOT NULL,
    accuracy     DOUBLE PRECISION NOT NULL,
    mean_margin  DOUBLE PRECISION,
    examples     INTEGER      NOT NULL,
    dropped      BOOLEAN      NOT NULL,
    PRIMARY KEY (job_id, round, layer),
    FOREIGN KEY (job_id, round) REFERENCES rounds (job_id, round) ON DELETE CASCADE
);

-- One row per answer of a worker to a work unit; a re-issued unit (late scores) has a new attempt number.
CREATE TABLE unit_results (
    job_id       VARCHAR(200) NOT NULL,
    unit_id      VARCHAR(200) NOT NULL,
    attempt      INTEGER      NOT NULL,
    worker_id    VARCHAR(200) NOT NULL,
    elapsed_ms   BIGINT       NOT NULL,
    candidates   INTEGER      NOT NULL,
    examples     INTEGER      NOT NULL,
    correct      INTEGER      NOT NULL,
    error        TEXT,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (job_id, unit_id, attempt, worker_id)
);

CREATE TABLE selections (
    job_id          VARCHAR(200) NOT NULL,
    deployed        VARCHAR(10)  NOT NULL,
    model           VARCHAR(500) NOT NULL,
    task            VARCHAR(200) NOT NULL,
    num_layers      INTEGER      NOT NULL,
    removed_layers  VARCHAR(2000) NOT NULL,
    accuracy        DOUBLE PRECISION NOT NULL,
    selected_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (job_id, deployed)
);
