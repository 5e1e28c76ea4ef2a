import SQLKit

/// One step of the schema. Each migration is a file and is never edited once released:
/// a change to the schema is a new migration.
public protocol Migration: Sendable {
    var version: Int { get }
    var name: String { get }
    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws
}

/// Brings a database up to the newest schema, recording each applied version.
public struct Migrator: Sendable {
    public let store: Store

    /// Every migration, in order.
    public static let all: [any Migration] = [
        M001ElementTables(),
        M002ImportRuns(),
        M003Problems(),
        M004ClosedLoop(),
        M005ProblemListIndexes(),
        M006UnqueriedIndexes(),
    ]

    public static var latestVersion: Int { all.last!.version }

    public func migrate() async throws {
        try await store.write { s in
            try await s.sql.raw("""
                CREATE TABLE IF NOT EXISTS anguan_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """).run()
            let done = Set(try await s.sql.raw("SELECT version FROM anguan_migrations").all()
                .map { try $0.decode(column: "version", as: Int.self) })
            for m in Self.all where !done.contains(m.version) {
                try await m.apply(s.sql, dialect: s.dialect)
                let now = Int64(clock_seconds())
                try await s.sql.raw("""
                    INSERT INTO anguan_migrations (version, name, applied_at) VALUES (\(bind: m.version), \(bind: m.name), \(bind: now))
                    """).run()
                store.logger.info("applied migration \(m.version) \(m.name)")
            }
        }
    }

    /// The schema version of the database.
    public static func currentVersion(_ db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("SELECT MAX(version) AS v FROM anguan_migrations").first()
        return try row?.decodeNil(column: "v") == false ? row!.decode(column: "v", as: Int.self) : 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock seconds since 1970.
public func clock_seconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return ts.tv_sec
}
