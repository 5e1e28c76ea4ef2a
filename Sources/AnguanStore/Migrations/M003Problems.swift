import SQLKit

/// Problems (one per finding identity, never deleted), their event history, and patrol runs.
struct M003Problems: Migration {
    let version = 3
    let name = "problems and patrol runs"

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        try await db.raw("""
            CREATE TABLE problems (
                id BIGINT PRIMARY KEY,
                identity TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                rule_name TEXT NOT NULL,
                subject_kind TEXT NOT NULL,
                subject_ids TEXT NOT NULL,
                case_id TEXT,
                unit_id TEXT,
                officer_id TEXT,
                severity TEXT NOT NULL,
                finding TEXT NOT NULL,
                due_at BIGINT,
                facts TEXT NOT NULL,
                explanation TEXT NOT NULL,
                basis TEXT NOT NULL,
                state TEXT NOT NULL,
                first_seen_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                last_patrol_id BIGINT,
                updated_at BIGINT NOT NULL)
            """).run()
        try await db.raw("CREATE INDEX ix_problems_state ON problems (state)").run()
        try await db.raw("CREATE INDEX ix_problems_unit ON problems (unit_id, state)").run()
        try await db.raw("CREATE INDEX ix_problems_rule ON problems (rule_id)").run()
        try await db.raw("""
            CREATE TABLE problem_events (
                problem_id BIGINT NOT NULL REFERENCES problems (id),
                seq BIGINT NOT NULL,
                at BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                comment TEXT,
                PRIMARY KEY (problem_id, seq))
            """).run()
        try await db.raw("""
            CREATE TABLE patrol_runs (
                id BIGINT PRIMARY KEY,
                started_at BIGINT NOT NULL,
                finished_at BIGINT,
                now_at BIGINT NOT NULL,
                catalog_version TEXT NOT NULL,
                rules TEXT NOT NULL,
                findings BIGINT NOT NULL DEFAULT 0,
                opened BIGINT NOT NULL DEFAULT 0,
                persisting BIGINT NOT NULL DEFAULT 0,
                gone BIGINT NOT NULL DEFAULT 0,
                outcome TEXT NOT NULL)
            """).run()
    }
}
