namespace RemoteDx.Core.Store;

/// <summary>Versioned SQLite schema, applied in order at start-up. Append; never edit a released step. (PostgreSQL:
/// <see cref="PostgresMigrations"/>.)</summary>
internal static class Migrations
{
    public static readonly (int Version, string Sql)[] All =
    [
        (1, """
            CREATE TABLE studies (
                study_instance_uid TEXT PRIMARY KEY,
                patient_id TEXT, patient_name TEXT, study_date TEXT, study_description TEXT, institution_name TEXT,
                calling_ae TEXT NOT NULL, modality TEXT,
                first_received_at TEXT NOT NULL, last_received_at TEXT NOT NULL);
            CREATE TABLE series (
                series_instance_uid TEXT PRIMARY KEY,
                study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                modality TEXT, body_part_examined TEXT);
            CREATE TABLE instances (
                sop_instance_uid TEXT PRIMARY KEY,
                series_instance_uid TEXT NOT NULL REFERENCES series(series_instance_uid),
                study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                sop_class_uid TEXT NOT NULL, transfer_syntax_uid TEXT NOT NULL,
                path TEXT NOT NULL, size INTEGER NOT NULL, instance_number INTEGER,
                rows INTEGER, columns INTEGER, frames INTEGER, view_position TEXT,
                calling_ae TEXT NOT NULL, association_id TEXT, received_at TEXT NOT NULL, version INTEGER NOT NULL);
            CREATE INDEX instances_study ON instances(study_instance_uid);
            CREATE TABLE jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sop_instance_uid TEXT NOT NULL REFERENCES instances(sop_instance_uid),
                state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
                attempts INTEGER NOT NULL, last_error TEXT, not_before TEXT,
                created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE INDEX jobs_state ON jobs(state, id);
            CREATE TABLE associations (
                id TEXT PRIMARY KEY, calling_ae TEXT NOT NULL, called_ae TEXT NOT NULL, peer TEXT NOT NULL, tls INTEGER NOT NULL,
                instances INTEGER NOT NULL, bytes INTEGER NOT NULL, statuses TEXT NOT NULL, outcome TEXT NOT NULL,
                started_at TEXT NOT NULL, duration_ms INTEGER NOT NULL);
            CREATE TABLE audit_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
                actor TEXT, subject TEXT, detail TEXT);
            """),
        (2, """
            CREATE TABLE patients (
                id INTEGER PRIMARY KEY AUTOINCREMENT, issuer TEXT NOT NULL, patient_id TEXT NOT NULL,
                patient_name TEXT, patient_sex TEXT, patient_birth_date TEXT, updated_at TEXT NOT NULL,
                UNIQUE (issuer, patient_id));
            ALTER TABLE studies ADD COLUMN patient_key INTEGER REFERENCES patients(id);
            ALTER TABLE studies ADD COLUMN patient_sex TEXT;
            ALTER TABLE studies ADD COLUMN patient_age TEXT;
            ALTER TABLE studies ADD COLUMN patient_birth_date TEXT;
            ALTER TABLE studies ADD COLUMN accession_number TEXT;
            ALTER TABLE studies ADD COLUMN study_day TEXT;
            ALTER TABLE studies ADD COLUMN priority REAL NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN stat INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN status TEXT NOT NULL DEFAULT 'scoring';
            ALTER TABLE studies ADD COLUMN instance_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN scored_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN failed_count INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN reviewed_by TEXT;
            ALTER TABLE studies ADD COLUMN reviewed_at TEXT;
            ALTER TABLE studies ADD COLUMN stat_notified INTEGER NOT NULL DEFAULT 0;
            UPDATE studies SET study_day = COALESCE(study_date, substr(replace(first_received_at, '-', ''), 1, 8));
            CREATE INDEX studies_rank ON studies (stat DESC, priority DESC, first_received_at);
            CREATE INDEX studies_received ON studies (first_received_at);
            CREATE INDEX studies_last_received ON studies (last_received_at);
            ALTER TABLE series ADD COLUMN series_number INTEGER;
            ALTER TABLE series ADD COLUMN series_description TEXT;
            ALTER TABLE instances ADD COLUMN photometric TEXT;
            ALTER TABLE instances ADD COLUMN window_center REAL;
            ALTER TABLE instances ADD COLUMN window_width REAL;
            ALTER TABLE instances ADD COLUMN not_applicable INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE jobs ADD COLUMN study_instance_uid TEXT;
            ALTER TABLE jobs ADD COLUMN lease_until TEXT;
            ALTER TABLE jobs ADD COLUMN worker TEXT;
            UPDATE jobs SET study_instance_uid = (SELECT i.study_instance_uid FROM instances i WHERE i.sop_instance_uid = jobs.sop_instance_uid);
            CREATE INDEX jobs_study ON jobs (study_instance_uid, state);
            CREATE INDEX jobs_sop ON jobs (sop_instance_uid, id);
            CREATE TABLE findings (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                sop_instance_uid TEXT NOT NULL REFERENCES instances(sop_instance_uid),
                study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                model TEXT NOT NULL, model_version TEXT NOT NULL, model_sha256 TEXT NOT NULL, label TEXT NOT NULL,
                probability REAL NOT NULL, positive INTEGER NOT NULL, critical INTEGER NOT NULL, threshold REAL NOT NULL,
                urgency REAL NOT NULL, has_heatmap INTEGER NOT NULL, scored_at TEXT NOT NULL,
                UNIQUE (sop_instance_uid, model, label));
            CREATE INDEX findings_study ON findings (study_instance_uid);
            CREATE TABLE heatmaps (
                sop_instance_uid TEXT NOT NULL REFERENCES instances(sop_instance_uid), model TEXT NOT NULL, label TEXT NOT NULL,
                png BLOB NOT NULL, PRIMARY KEY (sop_instance_uid, model, label));
            CREATE TABLE reviews (
                id INTEGER PRIMARY KEY AUTOINCREMENT, finding_id INTEGER NOT NULL REFERENCES findings(id),
                study_instance_uid TEXT NOT NULL, decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
                reviewed_by TEXT NOT NULL, reviewed_at TEXT NOT NULL);
            CREATE INDEX reviews_finding ON reviews (finding_id, id);
            CREATE INDEX reviews_study ON reviews (study_instance_uid);
            CREATE TABLE comments (
                id INTEGER PRIMARY KEY AUTOINCREMENT, study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                author TEXT NOT NULL, at TEXT NOT NULL, text TEXT NOT NULL);
            CREATE INDEX comments_study ON comments (study_instance_uid);
            CREATE TABLE users (
                username TEXT PRIMARY KEY, password_hash TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'radiologist', 'clinic')), clinics TEXT NOT NULL,
                failed_logins INTEGER NOT NULL DEFAULT 0, locked_until TEXT, created_at TEXT NOT NULL);
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
            CREATE TABLE outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT, lease_until TEXT, worker TEXT, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE INDEX outbox_state ON outbox (state, id);
            CREATE TABLE worklist_version (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
            INSERT INTO worklist_version (id, value) VALUES (1, 1);
            CREATE INDEX audit_subject ON audit_events (subject, id);
            """),
        // Login attempts are counted per name, whether or not a user has it (an unknown name locks like a known one);
        // users.failed_logins and users.locked_until are no longer used.
        (3, """
            CREATE TABLE login_attempts (
                name TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until TEXT, updated_at TEXT NOT NULL);
            CREATE INDEX login_attempts_updated ON login_attempts (updated_at);
            INSERT INTO login_attempts (name, failures, locked_until, updated_at)
                SELECT username, failed_logins, locked_until, created_at FROM users WHERE failed_logins > 0 OR locked_until IS NOT NULL;
            """),
        // Each study belongs to the clinic that first stored it (DESIGN.md "Between clinics"); studies from before
        // belong to their first calling AE.
        (4, """
            CREATE TABLE study_owners (
                study_instance_uid TEXT PRIMARY KEY, clinic TEXT NOT NULL, calling_ae TEXT NOT NULL, claimed_at TEXT NOT NULL);
            INSERT INTO study_owners (study_instance_uid, clinic, calling_ae, claimed_at)
                SELECT study_instance_uid, calling_ae, calling_ae, first_received_at FROM studies;
            """),
        // Results RemoteDx writes (SR, heatmap SC) and their delivery outbox (DESIGN.md "Results and delivery"). A result is
        // no received instance: it has no job and no owner claim. scored_seq counts completed jobs, results_seq the
        // scored_seq the last AI report was written for; reviewed_seq counts reviews, verified_seq the last verified SR's.
        (5, """
            CREATE TABLE results (
                sop_instance_uid TEXT PRIMARY KEY, study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                series_instance_uid TEXT NOT NULL, sop_class_uid TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('sr', 'sr-verified', 'heatmap')), model TEXT NOT NULL, modality TEXT NOT NULL,
                series_number INTEGER, series_description TEXT, instance_number INTEGER, path TEXT NOT NULL, created_at TEXT NOT NULL);
            CREATE INDEX results_study ON results (study_instance_uid, created_at);
            CREATE TABLE result_deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT, sop_instance_uid TEXT NOT NULL REFERENCES results(sop_instance_uid),
                study_instance_uid TEXT NOT NULL, destination TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')), attempts INTEGER NOT NULL DEFAULT 0,
                not_before TEXT, lease_until TEXT, worker TEXT, last_error TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE INDEX result_deliveries_state ON result_deliveries (state, id);
            CREATE INDEX result_deliveries_study ON result_deliveries (study_instance_uid, id);
            ALTER TABLE studies ADD COLUMN scored_seq INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN results_seq INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN reviewed_seq INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE studies ADD COLUMN verified_seq INTEGER NOT NULL DEFAULT 0;
            """),
        // Worklist search (SearchKey): the normalised patient name (also the patient sort key) and one row per search term,
        // prefix-matched through the primary key; filled for existing studies by SqlTriageStore.BackfillSearchAsync.
        (6, """
            ALTER TABLE studies ADD COLUMN search_key TEXT;
            CREATE TABLE study_search_terms (
                term TEXT NOT NULL, study_instance_uid TEXT NOT NULL, PRIMARY KEY (term, study_instance_uid)) WITHOUT ROWID;
            CREATE INDEX study_search_terms_study ON study_search_terms (study_instance_uid);
            CREATE INDEX studies_search_key ON studies (search_key);
            """),
        // Clinical history and questions a clinic attaches to its studies, and per-clinic settings (whether its users see
        // model output before review).
        (7, """
            CREATE TABLE clinical_notes (
                id INTEGER PRIMARY KEY AUTOINCREMENT, study_instance_uid TEXT NOT NULL REFERENCES studies(study_instance_uid),
                author TEXT NOT NULL, at TEXT NOT NULL, history TEXT, question TEXT,
                CHECK (history IS NOT NULL OR question IS NOT NULL));
            CREATE INDEX clinical_notes_study ON clinical_notes (study_instance_uid, id);
            CREATE TABLE clinic_settings (
                clinic TEXT PRIMARY KEY, show_model_output INTEGER NOT NULL DEFAULT 0, updated_by TEXT, updated_at TEXT);
            """),
        // Admin screens (issue 18): an account can be disabled (it cannot sign in; its sessions end), and the audit trail
        // is filtered by kind and actor.
        (8, """
            ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX audit_kind ON audit_events (kind, id);
            CREATE INDEX audit_actor ON audit_events (actor, id);
            """),
    ];
}
