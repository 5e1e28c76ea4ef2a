import AnguanCore
import NIOPosix
import SQLiteNIO
import VaporCSQLite

/// Writes records into SQLite through one prepared statement, bound and stepped once per row and
/// reused for the whole file — the way `sqlite3 .import` writes.
///
/// SQLiteNIO prepares every query anew, so a batch written through it is one long multi-row
/// `INSERT` that SQLite must parse and compile each time, and under a statement journal. This type
/// reaches the connection's `sqlite3` handle instead: SQLiteNIO opens it in serialized mode
/// (`SQLITE_OPEN_FULLMUTEX`), so using it from another thread is safe, and the import owns the
/// connection for its whole transaction. When the handle cannot be found (a future SQLiteNIO may
/// store it differently), `make` returns nil and the writer keeps to the portable multi-row path.
final class SQLitePreparedInsert: @unchecked Sendable {
    private let db: OpaquePointer
    private var statement: OpaquePointer?

    /// The connection's `sqlite3` handle, read through reflection; nil when it is not where
    /// SQLiteNIO 1.x keeps it.
    static func handle(of connection: SQLiteConnection) -> OpaquePointer? {
        guard let box = Mirror(reflecting: connection).children.first(where: { $0.label == "handle" })?.value,
              let raw = Mirror(reflecting: box).children.first(where: { $0.label == "raw" })?.value as? OpaquePointer?
        else { return nil }
        return raw
    }

    static func make(connection: SQLiteConnection, sql: String) throws -> SQLitePreparedInsert? {
        guard let db = handle(of: connection) else { return nil }
        var stmt: OpaquePointer?
        let rc = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw SQLiteWriteError(message: Self.message(db, rc))
        }
        return SQLitePreparedInsert(db: db, statement: stmt)
    }

    private init(db: OpaquePointer, statement: OpaquePointer) {
        self.db = db
        self.statement = statement
    }

    deinit { close() }

    /// Finalizes the statement; the writer is unusable afterwards.
    func close() {
        if let s = statement { sqlite_nio_sqlite3_finalize(s) }
        statement = nil
    }

    /// Inserts the records (values in schema order, then the content hash and the run twice) on a
    /// thread of the blocking-I/O pool.
    func insert(_ records: [CanonicalRecord], runId: Int64) async throws {
        try await NIOThreadPool.singleton.runIfActive { try self.insertNow(records, runId: runId) }
    }

    private func insertNow(_ records: [CanonicalRecord], runId: Int64) throws {
        guard let stmt = statement else { throw SQLiteWriteError(message: "the insert statement is closed") }
        for rec in records {
            var i: Int32 = 1
            for v in rec.values {
                let rc: Int32
                switch v {
                case nil: rc = sqlite_nio_sqlite3_bind_null(stmt, i)
                case .text(var s) where !s.isEmpty:
                    rc = s.withUTF8 { u in
                        u.withMemoryRebound(to: CChar.self) { c in
                            sqlite_nio_sqlite3_bind_text(stmt, i, c.baseAddress, Int32(c.count), SQLITE_TRANSIENT)
                        }
                    }
                case .text: rc = sqlite_nio_sqlite3_bind_text(stmt, i, "", 0, SQLITE_TRANSIENT)
                case .int(let n): rc = sqlite_nio_sqlite3_bind_int64(stmt, i, n)
                case .real(let d): rc = sqlite_nio_sqlite3_bind_double(stmt, i, d)
                }
                if rc != SQLITE_OK { throw SQLiteWriteError(message: Self.message(db, rc)) }
                i += 1
            }
            sqlite_nio_sqlite3_bind_int64(stmt, i, rec.hash)
            sqlite_nio_sqlite3_bind_int64(stmt, i + 1, runId)
            sqlite_nio_sqlite3_bind_int64(stmt, i + 2, runId)
            let rc = sqlite_nio_sqlite3_step(stmt)
            sqlite_nio_sqlite3_reset(stmt)
            if rc != SQLITE_DONE {
                throw SQLiteWriteError(message: "line \(rec.line) (\(rec.id)): \(Self.message(db, rc))")
            }
        }
    }

    private static func message(_ db: OpaquePointer, _ rc: Int32) -> String {
        let text = sqlite_nio_sqlite3_errmsg(db).map { String(cString: $0) } ?? "error"
        return "\(text) (SQLite code \(rc))"
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies a bound value before the bind call returns.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A write refused by SQLite itself (the import validated the row, so this is a store problem).
struct SQLiteWriteError: Error, CustomStringConvertible {
    let message: String
    var description: String { "SQLite refused a write: \(message)" }
}
