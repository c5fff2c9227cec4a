namespace RemoteDx.Core.Store;

/// <summary>Versioned schema, applied in order at start-up. Append; never edit a released step.</summary>
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
    ];
}
