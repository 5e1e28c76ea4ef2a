import SQLKit

/// Indexes for the problem list's usual orders: by state and newest first, so a page of 50 reads 50 rows.
struct M005ProblemListIndexes: Migration {
    let version = 5
    let name = "problem list indexes"

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        try await db.raw("CREATE INDEX ix_problems_state_seen ON problems (state, first_seen_at, id)").run()
        try await db.raw("CREATE INDEX ix_problems_seen ON problems (first_seen_at, id)").run()
    }
}
