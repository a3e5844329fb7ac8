-- The first schema of the PostgreSQL store. Ids sort in code-point order ("C") so pages and chains read in a stable order.

CREATE TABLE definitions (
    key text COLLATE "C" PRIMARY KEY,
    workflow text NOT NULL,
    version text NOT NULL,
    doc jsonb NOT NULL
);

CREATE TABLE instances (
    id text COLLATE "C" PRIMARY KEY,
    workflow text NOT NULL,
    requester text NOT NULL,
    state text NOT NULL,
    waiting text[] NOT NULL DEFAULT '{}',
    revision integer NOT NULL,
    stuck boolean NOT NULL,
    unowned boolean NOT NULL,
    deadline timestamptz NULL,
    due timestamptz NULL,
    started timestamptz NOT NULL,
    activated timestamptz NULL,
    audited integer NOT NULL,
    chain text NOT NULL,
    doc jsonb NOT NULL
);
CREATE INDEX instances_state_workflow ON instances (state, workflow, id);
CREATE INDEX instances_workflow ON instances (workflow, id);
CREATE INDEX instances_requester ON instances (requester, started DESC);
CREATE INDEX instances_waiting ON instances USING gin (waiting);
CREATE INDEX instances_due ON instances (due) WHERE due IS NOT NULL;
CREATE INDEX instances_deadline ON instances (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX instances_admin ON instances (id) WHERE stuck OR unowned;

CREATE TABLE counters (
    workflow text PRIMARY KEY,
    n integer NOT NULL
);

CREATE TABLE set_aside (
    instance text COLLATE "C" PRIMARY KEY,
    step text NULL,
    what text NOT NULL,
    error text NOT NULL,
    since timestamptz NOT NULL,
    tried timestamptz NOT NULL
);

CREATE TABLE audit (
    instance text COLLATE "C" NOT NULL,
    seq integer NOT NULL,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    actor text NULL,
    step text NULL,
    text text NOT NULL,
    via text NULL,
    prev text NOT NULL,
    hash text NOT NULL,
    keyed boolean NOT NULL,
    PRIMARY KEY (instance, seq)
);

CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key text NOT NULL UNIQUE,
    kind text NOT NULL,
    instance text NULL,
    recipient text NULL,
    payload text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    tries integer NOT NULL DEFAULT 0,
    next timestamptz NOT NULL DEFAULT '-infinity',
    error text NULL,
    created timestamptz NOT NULL DEFAULT now(),
    delivered timestamptz NULL,
    lease_owner text NULL,
    lease_until timestamptz NULL,
    -- Messages of one instance go in the order they were written; a message of no instance is a group of its own.
    grp text GENERATED ALWAYS AS (COALESCE(instance, key)) STORED
);
CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'Pending';
CREATE INDEX outbox_pending_group ON outbox (grp, id) WHERE state = 'Pending';
CREATE INDEX outbox_instance ON outbox (instance, id);
CREATE INDEX outbox_delivered ON outbox (delivered) WHERE delivered IS NOT NULL;

CREATE TABLE inbox (
    key text PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL,
    body text NOT NULL,
    part text NULL,
    received timestamptz NOT NULL,
    done boolean NOT NULL DEFAULT false,
    lease_owner text NULL,
    lease_until timestamptz NULL,
    -- Requests of one partition (a person) one at a time; a request of none is a partition of its own.
    grp text GENERATED ALWAYS AS (COALESCE(part, key)) STORED
);
CREATE INDEX inbox_waiting ON inbox (received, seq) WHERE NOT done;
CREATE INDEX inbox_waiting_group ON inbox (grp) WHERE NOT done;
CREATE INDEX inbox_finished ON inbox (received) WHERE done;

CREATE TABLE identities (
    email text PRIMARY KEY,
    slack text NULL,
    tz text NULL,
    dm text NULL,
    home boolean NOT NULL DEFAULT false,
    seen timestamptz NULL
);
CREATE INDEX identities_slack ON identities (slack);

CREATE TABLE teams_members (
    user_id text PRIMARY KEY,
    aad text NULL,
    email text NULL,
    tenant text NULL,
    service_url text NOT NULL,
    personal text NULL
);
CREATE INDEX teams_members_email ON teams_members (email);
CREATE INDEX teams_members_aad ON teams_members (aad);

CREATE TABLE cards (
    instance text NOT NULL,
    assignment text NOT NULL,
    platform text NOT NULL,
    channel text NOT NULL,
    message text NOT NULL,
    PRIMARY KEY (instance, assignment)
);

CREATE TABLE last_spoke (
    email text PRIMARY KEY,
    platform text NOT NULL
);

-- One row per person: the local day of the last digest; a second one that day changes nothing.
CREATE TABLE digests (
    email text PRIMARY KEY,
    day date NOT NULL
);

CREATE TABLE api_keys (
    name text COLLATE "C" PRIMARY KEY,
    hash text NOT NULL UNIQUE,
    system text NULL,
    created timestamptz NOT NULL,
    last_used timestamptz NULL,
    revoked timestamptz NULL
);

CREATE TABLE delegations (
    delegator text PRIMARY KEY,
    delegate text NOT NULL,
    until date NULL,
    ends timestamptz NULL,
    since timestamptz NOT NULL,
    via text NULL
);

-- Slack's pace per channel, shared by every host.
CREATE TABLE channel_pace (
    channel text PRIMARY KEY,
    last timestamptz NOT NULL
);
