import SQLKit

/// The record of every import: the folder, each file's SHA-256 and counts, and the outcome.
struct M002ImportRuns: Migration {
    let version = 2
    let name = "import runs"

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        try await db.raw("""
            CREATE TABLE import_runs (
                id BIGINT PRIMARY KEY,
                folder TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT,
                outcome TEXT NOT NULL,
                mode TEXT NOT NULL,
                inserted BIGINT NOT NULL DEFAULT 0,
                updated BIGINT NOT NULL DEFAULT 0,
                unchanged BIGINT NOT NULL DEFAULT 0,
                rejected BIGINT NOT NULL DEFAULT 0,
                message TEXT)
            """).run()
        try await db.raw("""
            CREATE TABLE import_files (
                run_id BIGINT NOT NULL REFERENCES import_runs (id),
                file TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                rows BIGINT NOT NULL,
                inserted BIGINT NOT NULL,
                updated BIGINT NOT NULL,
                unchanged BIGINT NOT NULL,
                rejected BIGINT NOT NULL,
                PRIMARY KEY (run_id, file))
            """).run()
    }
}
