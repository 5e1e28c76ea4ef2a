import SQLKit

/// The closed loop: users, sessions and API tokens; the hash-chained audit log (append-only, guarded by
/// triggers); rectification and escalation on problems; comments, first views, daily worklist marks and
/// rule settings changed from the web.
struct M004ClosedLoop: Migration {
    let version = 4
    let name = "closed loop, users and audit"

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        try await db.raw("""
            CREATE TABLE users (
                id BIGINT PRIMARY KEY,
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                unit_id TEXT,
                officer_id TEXT,
                password_hash TEXT NOT NULL,
                disabled BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL)
            """).run()
        try await db.raw("""
            CREATE TABLE sessions (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                csrf TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL)
            """).run()
        try await db.raw("""
            CREATE TABLE api_tokens (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id),
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked BIGINT NOT NULL DEFAULT 0)
            """).run()
        try await db.raw("""
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                object TEXT NOT NULL,
                detail TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL)
            """).run()
        // The head of the chain: appending locks this row, so entries are numbered without gaps.
        try await db.raw("CREATE TABLE audit_head (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)").run()
        try await db.raw("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, \(bind: String(repeating: "0", count: 64)))").run()
        switch dialect {
        case .sqlite:
            for op in ["UPDATE", "DELETE"] {
                try await db.raw("""
                    CREATE TRIGGER audit_log_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """).run()
            }
        case .postgres:
            try await db.raw("""
                CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                """).run()
            try await db.raw("""
                CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
                """).run()
        }
        for column in ["category TEXT", "description TEXT", "created_by TEXT", "rectify_due_at BIGINT",
                       "escalation BIGINT NOT NULL DEFAULT 0", "gone_by_patrol BIGINT NOT NULL DEFAULT 0"] {
            try await db.raw("ALTER TABLE problems ADD COLUMN \(unsafeRaw: column)").run()
        }
        try await db.raw("ALTER TABLE problem_events ADD COLUMN data TEXT").run()
        try await db.raw("CREATE INDEX ix_problems_case ON problems (case_id)").run()
        try await db.raw("CREATE INDEX ix_problems_officer ON problems (officer_id)").run()
        try await db.raw("""
            CREATE TABLE problem_comments (
                problem_id BIGINT NOT NULL REFERENCES problems (id),
                seq BIGINT NOT NULL,
                at BIGINT NOT NULL,
                user_id BIGINT NOT NULL REFERENCES users (id),
                body TEXT NOT NULL,
                PRIMARY KEY (problem_id, seq))
            """).run()
        try await db.raw("""
            CREATE TABLE problem_reads (
                problem_id BIGINT NOT NULL REFERENCES problems (id),
                user_id BIGINT NOT NULL REFERENCES users (id),
                first_at BIGINT NOT NULL,
                PRIMARY KEY (problem_id, user_id))
            """).run()
        try await db.raw("""
            CREATE TABLE worklist_marks (
                kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                user_id BIGINT NOT NULL REFERENCES users (id),
                at BIGINT NOT NULL,
                problem_id BIGINT REFERENCES problems (id),
                PRIMARY KEY (kind, record_id))
            """).run()
        try await db.raw("""
            CREATE TABLE rule_settings (
                rule_id TEXT PRIMARY KEY,
                entry TEXT NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at BIGINT NOT NULL)
            """).run()
    }
}
