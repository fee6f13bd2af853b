import Logging
import PostgresNIO
import SluiceCore

/// Applies Sluice's schema migrations, once, in order, safely from several nodes at once.
public struct Migrator: Sendable {
    /// A numbered schema change. Applied migrations are never edited; add a new one.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "runs, checkpoints and rejections", sql: """
            CREATE TABLE IF NOT EXISTS sluice.runs (
                id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                pipeline text NOT NULL,
                object_uri text NOT NULL,
                etag text NOT NULL,
                object_size bigint NOT NULL,
                target_table text NOT NULL,
                batch_rows integer NOT NULL,
                status text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'completed', 'failed')),
                rows_read bigint NOT NULL DEFAULT 0,
                rows_accepted bigint NOT NULL DEFAULT 0,
                rows_rejected bigint NOT NULL DEFAULT 0,
                bytes_read bigint NOT NULL DEFAULT 0,
                batches bigint NOT NULL DEFAULT 0,
                rejected_by_reason jsonb NOT NULL DEFAULT '{}',
                timings jsonb NOT NULL DEFAULT '{}',
                attempts integer NOT NULL DEFAULT 1,
                error text,
                node text,
                started_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            );
            -- At most one unfinished run per pipeline and object version: a second start resumes it.
            CREATE UNIQUE INDEX IF NOT EXISTS runs_one_open_per_object
                ON sluice.runs (pipeline, object_uri, etag) WHERE status <> 'completed';
            CREATE INDEX IF NOT EXISTS runs_by_object ON sluice.runs (pipeline, object_uri, etag, status);

            CREATE TABLE IF NOT EXISTS sluice.run_checkpoints (
                run_id uuid NOT NULL REFERENCES sluice.runs (id) ON DELETE CASCADE,
                batch_seq integer NOT NULL,
                start_offset bigint NOT NULL,
                next_offset bigint NOT NULL,
                next_line bigint NOT NULL,
                rows_read integer NOT NULL,
                rows_accepted integer NOT NULL,
                rows_rejected integer NOT NULL,
                committed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (run_id, batch_seq)
            );

            CREATE TABLE IF NOT EXISTS sluice.rejections (
                run_id uuid NOT NULL,
                batch_seq integer NOT NULL,
                object_uri text NOT NULL,
                line bigint NOT NULL,
                byte_offset bigint NOT NULL,
                code text NOT NULL,
                message text NOT NULL,
                column_name text,
                raw bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX IF NOT EXISTS rejections_by_run ON sluice.rejections (run_id, line);
            """),
        Migration(version: 2, name: "source layout, error budget, blacklist and billing attempts", sql: """
            ALTER TABLE sluice.runs DROP CONSTRAINT IF EXISTS runs_status_check;
            ALTER TABLE sluice.runs ADD CONSTRAINT runs_status_check
                CHECK (status IN ('running', 'completed', 'failed', 'failed_budget'));
            -- A run that broke its error budget is finished: the next start is a new run.
            DROP INDEX IF EXISTS sluice.runs_one_open_per_object;
            CREATE UNIQUE INDEX IF NOT EXISTS runs_one_open_per_object
                ON sluice.runs (pipeline, object_uri, etag) WHERE status IN ('running', 'failed');
            -- How to split a rejected row's raw record back into the file's columns, for reports.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS source_format text;
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS source_header text[];
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS source_delimiter text;
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS source_sheet text;
            -- Canonical column -> 0-based position in source_header, to find a rejection's cell.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS column_sources jsonb;

            -- One row per blacklisted value. `value_key` is what rows are matched on: the hex
            -- SHA-256 of the normalised IBAN (IBANs are never stored in clear), or the
            -- normalised name, e-mail, BIC or BIC prefix. `display` is safe to show.
            CREATE TABLE IF NOT EXISTS sluice.blacklist (
                id bigserial PRIMARY KEY,
                kind text NOT NULL CHECK (kind IN ('iban', 'name', 'email', 'bic', 'bic_prefix')),
                value_key text NOT NULL,
                display text NOT NULL,
                reason text NOT NULL DEFAULT '',
                source text NOT NULL DEFAULT 'manual',
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (kind, value_key)
            );

            -- Charges sent to the gateway. Screening reads it (cooldown, chargebacks), billing
            -- writes it.
            CREATE TABLE IF NOT EXISTS sluice.billing_attempts (
                id bigserial PRIMARY KEY,
                run_id uuid,
                iban_hash bytea NOT NULL,
                amount_minor bigint,
                currency text,
                status text NOT NULL DEFAULT 'pending',
                attempted_at timestamptz NOT NULL DEFAULT now(),
                chargeback_at timestamptz,
                chargeback_reason text
            );
            CREATE INDEX IF NOT EXISTS billing_attempts_by_iban ON sluice.billing_attempts (iban_hash, attempted_at);
            CREATE INDEX IF NOT EXISTS billing_attempts_chargebacks ON sluice.billing_attempts (iban_hash)
                WHERE chargeback_at IS NOT NULL;
            CREATE INDEX IF NOT EXISTS billing_attempts_recent ON sluice.billing_attempts (attempted_at);
            """),
        Migration(version: 3, name: "blank rows counted, content hash of local files", sql: """
            -- Blank lines (CSV) and blank rows (XLSX) are counted, so a run's rows add up:
            -- positions seen = accepted + rejected + skipped.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS rows_skipped bigint NOT NULL DEFAULT 0;
            ALTER TABLE sluice.run_checkpoints ADD COLUMN IF NOT EXISTS rows_skipped integer NOT NULL DEFAULT 0;
            -- SHA-256 of a local file's content: a file whose modification time moved but whose
            -- content did not is the same object.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS content_sha256 text;
            CREATE INDEX IF NOT EXISTS runs_by_content ON sluice.runs (pipeline, object_uri, content_sha256)
                WHERE content_sha256 IS NOT NULL;
            """),
        Migration(version: 4, name: "run leases, interrupted and cancelled runs", sql: """
            ALTER TABLE sluice.runs DROP CONSTRAINT IF EXISTS runs_status_check;
            ALTER TABLE sluice.runs ADD CONSTRAINT runs_status_check CHECK (status IN
                ('created', 'running', 'completed', 'failed', 'failed_budget', 'interrupted', 'cancelled'));
            DROP INDEX IF EXISTS sluice.runs_one_open_per_object;
            CREATE UNIQUE INDEX IF NOT EXISTS runs_one_open_per_object
                ON sluice.runs (pipeline, object_uri, etag) WHERE status IN ('created', 'running', 'failed', 'interrupted');
            -- Who works on a run: a lease with an owner, a token and an expiry, renewed while the
            -- owner lives. Every batch transaction checks the token (fencing), so a process that
            -- lost its lease cannot commit. No session state: it works behind PgBouncer in
            -- transaction pooling mode, where session advisory locks do not.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS lease_owner text;
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS lease_token uuid;
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS lease_expires_at timestamptz;
            -- An operator's cancel, seen by the lease holder when it renews.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS cancel_requested_at timestamptz;
            """),
        Migration(version: 5, name: "flagged rows", sql: """
            -- The third row outcome: accepted, with a review code. Flags live beside rejections.
            ALTER TABLE sluice.rejections ADD COLUMN IF NOT EXISTS outcome text NOT NULL DEFAULT 'rejected'
                CHECK (outcome IN ('rejected', 'flagged'));
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS rows_flagged bigint NOT NULL DEFAULT 0;
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS flagged_by_reason jsonb NOT NULL DEFAULT '{}';
            ALTER TABLE sluice.run_checkpoints ADD COLUMN IF NOT EXISTS rows_flagged integer NOT NULL DEFAULT 0;
            """),
        Migration(version: 6, name: "merge_counts", sql: """
            -- Adds two {code: count} objects key by key: a batch's counts into the run's.
            CREATE OR REPLACE FUNCTION sluice.merge_counts(total jsonb, more jsonb) RETURNS jsonb
                LANGUAGE sql IMMUTABLE AS
                'SELECT coalesce(jsonb_object_agg(code, n), ''{}''::jsonb) FROM (
                     SELECT code, sum(n)::bigint AS n FROM (
                         SELECT key AS code, value::bigint AS n FROM jsonb_each_text(coalesce(total, ''{}''::jsonb))
                         UNION ALL
                         SELECT key, value::bigint FROM jsonb_each_text(coalesce(more, ''{}''::jsonb))
                     ) AS both_sides GROUP BY code
                 ) AS merged'
            """),
        Migration(version: 7, name: "job queue", sql: """
            -- A durable job queue (SluiceJobs). A worker claims ready rows with FOR UPDATE SKIP LOCKED,
            -- marks them running under a lease (owner, token, expiry) and renews it while it works.
            -- Every write about a claimed job names the token (fencing), and a job whose lease expired
            -- is rescued by any node: back to retryable, or dead once max_attempts are used up.
            CREATE TABLE IF NOT EXISTS sluice.jobs (
                id bigserial PRIMARY KEY,
                kind text NOT NULL,
                payload jsonb NOT NULL DEFAULT '{}',
                state text NOT NULL DEFAULT 'available'
                    CHECK (state IN ('available', 'running', 'completed', 'retryable', 'dead', 'cancelled')),
                attempt integer NOT NULL DEFAULT 0,
                max_attempts integer NOT NULL DEFAULT 20 CHECK (max_attempts > 0),
                run_after timestamptz NOT NULL DEFAULT now(),
                lease_owner text,
                lease_token uuid,
                lease_expires_at timestamptz,
                last_error text,
                -- Enqueueing the same key twice gives one job (NULL: no deduplication).
                dedupe_key text UNIQUE,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz
            );
            -- What a claim reads: only waiting rows, oldest first.
            CREATE INDEX IF NOT EXISTS jobs_ready ON sluice.jobs (run_after, id)
                WHERE state IN ('available', 'retryable');
            -- What the rescuer reads: running rows by lease expiry.
            CREATE INDEX IF NOT EXISTS jobs_running ON sluice.jobs (lease_expires_at)
                WHERE state = 'running';
            -- Listings by state, paged by id.
            CREATE INDEX IF NOT EXISTS jobs_by_state ON sluice.jobs (state, id)
            """),
        Migration(version: 8, name: "object versions handed to pipelines", sql: """
            -- One row per object version (bucket, key, ETag) that an event, a polling scan or
            -- the API handed to a pipeline: the key decides which arrival starts the run.
            CREATE TABLE IF NOT EXISTS sluice.objects (
                bucket text NOT NULL,
                key text NOT NULL,
                etag text NOT NULL,
                size bigint NOT NULL,
                pipeline text NOT NULL,
                arrival text NOT NULL CHECK (arrival IN ('event', 'poll', 'api')),
                first_seen_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (bucket, key, etag)
            )
            """),
        Migration(version: 9, name: "api tokens and the audit log", sql: """
            -- Bearer tokens of `sluice serve`: only the SHA-256 of the secret is stored, with a short
            -- non-secret prefix to tell tokens apart in listings. A revoked token keeps its row.
            CREATE TABLE IF NOT EXISTS sluice.api_tokens (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
                token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
                prefix text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz,
                last_used_at timestamptz
            );
            -- A name names one live token, and a revoked name may be given out again.
            CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_live_name
                ON sluice.api_tokens (name) WHERE revoked_at IS NULL;

            -- Who started, cancelled, uploaded or changed the blacklist, and when. Append-only.
            CREATE TABLE IF NOT EXISTS sluice.audit (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                actor text NOT NULL,
                role text,
                action text NOT NULL,
                subject text NOT NULL DEFAULT '',
                detail jsonb NOT NULL DEFAULT '{}',
                request_id text,
                node text
            );
            CREATE INDEX IF NOT EXISTS audit_by_action ON sluice.audit (action, id)
            """),
        Migration(version: 10, name: "job queues", sql: """
            -- A job waits in a named queue, and a worker claims only from the queues it serves:
            -- a run job waits in `pipeline:<name>`, served by the nodes that have that pipeline.
            ALTER TABLE sluice.jobs ADD COLUMN IF NOT EXISTS queue text NOT NULL DEFAULT 'default';
            UPDATE sluice.jobs SET queue = 'pipeline:' || (payload->>'pipeline') WHERE kind = 'run' AND payload ? 'pipeline';
            DROP INDEX IF EXISTS sluice.jobs_ready;
            CREATE INDEX IF NOT EXISTS jobs_ready ON sluice.jobs (queue, run_after, id)
                WHERE state IN ('available', 'retryable')
            """),
        Migration(version: 11, name: "payee verification answers", sql: """
            -- Paid payee-verification answers, kept until they expire so the same question is
            -- not paid for twice: keyed by the SHA-256 of the normalised IBAN (never the IBAN),
            -- the normalised name and the provider. Written in the transaction of the batch
            -- that paid for them, and a live answer is never replaced.
            CREATE TABLE IF NOT EXISTS sluice.vop_results (
                iban_sha256 bytea NOT NULL CHECK (length(iban_sha256) = 32),
                normalized_name text NOT NULL,
                provider text NOT NULL,
                outcome text NOT NULL CHECK (outcome IN ('match', 'close_match', 'no_match', 'not_possible')),
                matched_name text,
                score double precision,
                answered_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL,
                run_id uuid,
                PRIMARY KEY (iban_sha256, normalized_name, provider)
            );
            CREATE INDEX IF NOT EXISTS vop_results_expiry ON sluice.vop_results (expires_at)
            """),
        Migration(version: 12, name: "payee verification checks and the daily call budget", sql: """
            -- One row per row the VOP stage looked at, written with the row's batch (a stage
            -- effect), so a run has exactly one check per verified row: the VOP report and the
            -- run's VOP figures are read from here. The IBAN is kept masked and as its SHA-256.
            CREATE TABLE IF NOT EXISTS sluice.vop_checks (
                run_id uuid NOT NULL,
                source_line bigint NOT NULL,
                iban_masked text NOT NULL,
                iban_sha256 bytea NOT NULL,
                name_sent text NOT NULL,
                normalized_name text NOT NULL,
                account_type text NOT NULL CHECK (account_type IN ('individual', 'company')),
                provider text NOT NULL,
                outcome text NOT NULL CHECK (outcome IN
                    ('match', 'close_match', 'no_match', 'not_possible', 'unavailable', 'not_sampled', 'over_budget')),
                matched_name text,
                score double precision,
                -- provider = this row's own paid call, shared = another row's call (the same
                -- payee in the batch or in flight), cache = sluice.vop_results, none = not verified.
                answered_by text NOT NULL CHECK (answered_by IN ('provider', 'shared', 'cache', 'none')),
                latency_ms double precision,
                decision text NOT NULL CHECK (decision IN ('accepted', 'rejected', 'flagged')),
                PRIMARY KEY (run_id, source_line)
            );
            -- Calls granted per UTC day and provider, across runs and nodes. A stage reserves
            -- calls before it makes them, so a crash can only over-count, never overspend.
            CREATE TABLE IF NOT EXISTS sluice.vop_budget (
                day date NOT NULL,
                provider text NOT NULL,
                calls bigint NOT NULL DEFAULT 0 CHECK (calls >= 0),
                -- What the latest reservation got, so one statement can reserve and answer.
                last_grant bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (day, provider)
            )
            """),
        Migration(version: 13, name: "billing: runs handed to billing, attempts, skips and debtor profiles", sql: """
            -- One row per run handed to billing, written in the transaction that completes the
            -- run (or by billing start). settings is the pipeline's billing section as it was
            -- then, so a changed pipeline file never changes a billing under way.
            CREATE TABLE IF NOT EXISTS sluice.billing_runs (
                run_id uuid PRIMARY KEY REFERENCES sluice.runs (id) ON DELETE CASCADE,
                pipeline text NOT NULL,
                target_table text NOT NULL,
                settings jsonb NOT NULL,
                state text NOT NULL DEFAULT 'planning' CHECK (state IN ('planning', 'charging', 'completed')),
                -- Rows up to this source line have their attempt or skip: planning resumes after it.
                planned_through_line bigint NOT NULL DEFAULT -1,
                paused_reason text,
                paused_until timestamptz,
                requested_by text NOT NULL DEFAULT 'run',
                created_at timestamptz NOT NULL DEFAULT now(),
                started_at timestamptz,
                finished_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now()
            );

            -- Attempts are the charges, planned or sent. transaction_id is the attempt's id at the
            -- gateway: deterministic, unique, the same on every retry of the attempt.
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS source_line bigint;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS transaction_id text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS terminal text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS model text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS iban_masked text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS unique_id text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS gateway_code integer;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS gateway_message text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS reason_code text;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS sale_requests integer NOT NULL DEFAULT 0;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS reconcile_tries integer NOT NULL DEFAULT 0;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS last_reconciled_at timestamptz;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS sent_at timestamptz;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS settled_at timestamptz;
            ALTER TABLE sluice.billing_attempts ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();
            CREATE UNIQUE INDEX IF NOT EXISTS billing_attempts_by_line ON sluice.billing_attempts (run_id, source_line)
                WHERE source_line IS NOT NULL;
            CREATE UNIQUE INDEX IF NOT EXISTS billing_attempts_by_transaction ON sluice.billing_attempts (transaction_id)
                WHERE transaction_id IS NOT NULL;
            -- What a billing job still has to send or settle.
            CREATE INDEX IF NOT EXISTS billing_attempts_open ON sluice.billing_attempts (run_id, id)
                WHERE status IN ('planned', 'sending');

            -- Rows handed to billing that were not charged, with the rule that held them back.
            CREATE TABLE IF NOT EXISTS sluice.billing_skips (
                run_id uuid NOT NULL,
                source_line bigint NOT NULL,
                iban_masked text,
                amount_minor bigint,
                model text,
                reason text NOT NULL,
                detail text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (run_id, source_line)
            );

            -- One profile per IBAN hash: its billing model, cycle lock, lifetime total and the
            -- attempt it waits on. charged_minor counts approved and open attempts, so two runs
            -- planning at once cannot pass the cap together.
            CREATE TABLE IF NOT EXISTS sluice.debtor_profiles (
                iban_hash bytea PRIMARY KEY,
                model text NOT NULL CHECK (model IN ('flywheel', 'recovery', 'legacy')),
                next_bill_at timestamptz,
                charged_minor bigint NOT NULL DEFAULT 0,
                open_transaction_id text,
                active boolean NOT NULL DEFAULT true,
                deactivated_reason text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """),
        Migration(version: 14, name: "gateway notifications, attempt history, chargebacks and reconciliation", sql: """
            -- Every notification the gateway posted, as it came, written before it is answered.
            -- A notification is the same one when unique_id, transaction_type, status and event
            -- are (a later status of one transaction is new information). Notifications whose
            -- signature failed are kept for audit, outside that key, and never processed.
            CREATE TABLE IF NOT EXISTS sluice.notifications (
                id bigserial PRIMARY KEY,
                terminal text NOT NULL,
                unique_id text NOT NULL,
                transaction_id text NOT NULL DEFAULT '',
                transaction_type text NOT NULL DEFAULT '',
                status text NOT NULL DEFAULT '',
                event text NOT NULL DEFAULT '',
                signature_ok boolean NOT NULL,
                body text NOT NULL,
                source_address text NOT NULL DEFAULT '',
                received_at timestamptz NOT NULL DEFAULT now(),
                duplicates integer NOT NULL DEFAULT 0,
                last_received_at timestamptz NOT NULL DEFAULT now(),
                processed_at timestamptz,
                outcome text,
                outcome_detail text NOT NULL DEFAULT '',
                attempt_id bigint,
                replays integer NOT NULL DEFAULT 0
            );
            CREATE UNIQUE INDEX IF NOT EXISTS notifications_once
                ON sluice.notifications (unique_id, transaction_type, status, event) WHERE signature_ok;
            CREATE INDEX IF NOT EXISTS notifications_unprocessed ON sluice.notifications (id)
                WHERE processed_at IS NULL AND signature_ok;
            CREATE INDEX IF NOT EXISTS notifications_by_outcome ON sluice.notifications (outcome, id);
            CREATE INDEX IF NOT EXISTS notifications_signature_failed ON sluice.notifications (id) WHERE NOT signature_ok;

            -- Every status the gateway told about an attempt, applied or not, and by which way:
            -- the sale's answer, a notification, a reconcile, a by-date refresh, a chargeback sync.
            CREATE TABLE IF NOT EXISTS sluice.attempt_events (
                id bigserial PRIMARY KEY,
                attempt_id bigint NOT NULL,
                from_status text NOT NULL,
                to_status text NOT NULL,
                applied boolean NOT NULL,
                source text NOT NULL,
                notification_id bigint,
                reason_code text,
                detail text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX IF NOT EXISTS attempt_events_by_attempt ON sluice.attempt_events (attempt_id, id);

            -- One row per charged-back transaction, whichever way the chargeback was learnt.
            CREATE TABLE IF NOT EXISTS sluice.chargebacks (
                id bigserial PRIMARY KEY,
                unique_id text NOT NULL UNIQUE,
                attempt_id bigint,
                reason_code text NOT NULL DEFAULT '',
                reason_description text NOT NULL DEFAULT '',
                amount_minor bigint,
                currency text,
                source text NOT NULL,
                blacklisted boolean NOT NULL DEFAULT false,
                reversed_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX IF NOT EXISTS chargebacks_by_code ON sluice.chargebacks (reason_code);

            -- Finding an attempt by the gateway's id, and the pending ones reconciliation polls.
            CREATE INDEX IF NOT EXISTS billing_attempts_by_unique_id ON sluice.billing_attempts (unique_id)
                WHERE unique_id IS NOT NULL;
            CREATE INDEX IF NOT EXISTS billing_attempts_pending ON sluice.billing_attempts (last_reconciled_at NULLS FIRST, sent_at, id)
                WHERE status = 'pending'
            """),
        Migration(version: 15, name: "dry runs and test runs, and the plan a resumed run keeps", sql: """
            -- A run's mode: a load, a dry run (nothing written to the target table, billing or the
            -- blacklist) or a pipeline test (`sluice test`, into a scratch schema). Only loads
            -- count for an object's identity: a dry run never blocks a real run of the object.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS mode text NOT NULL DEFAULT 'load';
            ALTER TABLE sluice.runs DROP CONSTRAINT IF EXISTS runs_mode_check;
            ALTER TABLE sluice.runs ADD CONSTRAINT runs_mode_check CHECK (mode IN ('load', 'dry_run', 'test'));
            DROP INDEX IF EXISTS sluice.runs_one_open_per_object;
            CREATE UNIQUE INDEX IF NOT EXISTS runs_one_open_per_object
                ON sluice.runs (pipeline, object_uri, etag) WHERE status IN ('created', 'running', 'failed', 'interrupted') AND mode = 'load';
            -- What the pipeline file said about cutting and mapping batches when the run began
            -- (columns, types, source dialect): a resume under a changed file is refused.
            ALTER TABLE sluice.runs ADD COLUMN IF NOT EXISTS plan jsonb
            """),
    ]

    public init() {}

    /// Creates the `sluice` schema and applies every migration not applied yet.
    public func migrate(on connection: PostgresConnection, logger: Logger) async throws {
        do {
            // A transaction-scoped advisory lock serialises nodes that start together.
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7352001)", logger: logger)
                try await connection.query("CREATE SCHEMA IF NOT EXISTS sluice", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS sluice.schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied = Set<Int>()
                for try await version in try await connection.query("SELECT version FROM sluice.schema_migrations", logger: logger).decode(Int.self) {
                    applied.insert(version)
                }
                for migration in Self.migrations where !applied.contains(migration.version) {
                    logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                    try await connection.runScript(migration.sql, logger: logger)
                    try await connection.query(
                        "INSERT INTO sluice.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger
                    )
                }
            }
        } catch {
            throw SluiceError(.database, "migration failed", stage: "migrate", underlying: error)
        }
    }

    /// Checks, without changing anything, that the schema is at this build's version: for
    /// commands that only read (`runs`, `report`, `blacklist list`), which must not alter a
    /// database as a side effect.
    public func requireCurrent(on connection: PostgresConnection, logger: Logger) async throws {
        let latest = Self.migrations.map(\.version).max() ?? 0
        var applied: Int?
        do {
            // Two statements: a query naming a table that does not exist fails when it is planned.
            var exists = false
            for try await found in try await connection.query(
                "SELECT to_regclass('sluice.schema_migrations') IS NOT NULL", logger: logger).decode(Bool.self) { exists = found }
            applied = -1
            if exists {
                for try await version in try await connection.query(
                    "SELECT coalesce(max(version), 0) FROM sluice.schema_migrations", logger: logger).decode(Int.self) { applied = version }
            }
        } catch {
            throw SluiceError(.database, "cannot read the schema version", stage: "migrate", underlying: error)
        }
        guard let applied, applied >= 0 else {
            throw SluiceError(.database, "this database has no Sluice schema yet; run `sluice migrate` (or any `sluice run`) first")
        }
        guard applied >= latest else {
            throw SluiceError(.database, "the database schema is at version \(applied), this sluice needs \(latest); run `sluice migrate`")
        }
    }

    /// Creates a pipeline's target table when it does not exist: one column per pipeline
    /// column, of its declared type's PostgreSQL type (`ColumnType.sqlType`), plus the lineage
    /// columns every target table has. `raw` is nullable so that pipelines with
    /// `keep_raw: false` can share a table. A column the pipeline gained is added with its type.
    ///
    /// - Throws: `SluiceError` (`invalid_pipeline`) when a column is already there with another
    ///   type than the pipeline declares, naming both and the `ALTER TABLE` that would change
    ///   it: before anything is read, rather than a COPY failing on the first batch.
    public func ensureTargetTable(_ table: TableName, columns: [ColumnSpec], on connection: PostgresConnection, logger: Logger) async throws {
        let columnList = columns.map { "\(TableName.quote($0.name)) \($0.type.sqlType)" }.joined(separator: ",\n    ")
        let sql = """
            CREATE SCHEMA IF NOT EXISTS \(TableName.quote(table.schema));
            CREATE TABLE IF NOT EXISTS \(table.quoted) (
                run_id uuid NOT NULL,
                source_line bigint NOT NULL,
                source_offset bigint NOT NULL,
                \(columnList),
                raw text
            )
            """
        do {
            // `IF NOT EXISTS` is not safe against a second process creating the same table or
            // schema at the same moment (a unique violation in the catalog): DDL here runs in a
            // transaction under one transaction-scoped advisory lock, which also holds behind
            // PgBouncer in transaction mode.
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7352003)", logger: logger)
                try await connection.runScript(sql, logger: logger)
                // A pipeline that gained columns adds them. Looking first keeps the ALTER (and its
                // exclusive lock, which would wait for other runs' batches) to the rare case.
                var existing: [String: String] = [:]
                let rows = try await connection.query("""
                    SELECT a.attname::text, format_type(a.atttypid, a.atttypmod)
                    FROM pg_attribute a
                    WHERE a.attrelid = to_regclass(\(table.quoted)) AND a.attnum > 0 AND NOT a.attisdropped
                    """, logger: logger)
                for try await (name, type) in rows.decode((String, String).self) { existing[name] = type }
                for column in columns {
                    if let current = existing[column.name] {
                        guard column.type.fits(currentType: current) else {
                            throw column.type.mismatch(table: table, column: column.name, currentType: current)
                        }
                        continue
                    }
                    logger.info("adding column to target table", metadata: ["table": "\(table)", "column": "\(column.name)"])
                    try await connection.runScript(
                        "ALTER TABLE \(table.quoted) ADD COLUMN IF NOT EXISTS \(TableName.quote(column.name)) \(column.type.sqlType)", logger: logger)
                }
            }
        } catch let error as PostgresTransactionError where error.closureError is SluiceError {
            throw error.closureError!
        } catch {
            throw SluiceError(.database, "cannot create target table \(table)", stage: "sink", underlying: error)
        }
    }

    /// `ensureTargetTable` for columns of type `text`.
    public func ensureTargetTable(_ table: TableName, columns: [String], on connection: PostgresConnection, logger: Logger) async throws {
        try await ensureTargetTable(table, columns: columns.map { ColumnSpec(name: $0) }, on: connection, logger: logger)
    }
}

extension PostgresConnection {
    /// Runs a script of several `;`-separated statements, one at a time, since the
    /// extended query protocol takes one statement per query. Scripts here hold no `;`
    /// inside literals.
    func runScript(_ sql: String, logger: Logger = Logger(label: "sluice.migrate")) async throws {
        for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
            try await query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
        }
    }
}
