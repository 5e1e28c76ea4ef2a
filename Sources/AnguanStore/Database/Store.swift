import AnguanCore
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization

/// The platform's storage: one query layer (SQLKit) over SQLite or PostgreSQL.
///
/// Reads run on any connection; writes run in a transaction on one session. On SQLite there is
/// one writer connection (serialised by a mutex) and a few reader connections (WAL lets them read
/// while a write is under way); on PostgreSQL both come from PostgresNIO's pool.
public final class Store: Sendable {
    public let url: DatabaseURL
    public let dialect: Dialect
    public let logger: Logger
    private let backend: Backend

    private enum Backend: Sendable {
        case sqlite(writer: SQLiteConnection, readers: [SQLiteConnection], mutex: AsyncMutex, next: ReaderCursor)
        case postgres(client: PostgresClient, runner: Task<Void, Never>)
    }

    private init(url: DatabaseURL, dialect: Dialect, logger: Logger, backend: Backend) {
        self.url = url
        self.dialect = dialect
        self.logger = logger
        self.backend = backend
    }

    /// Opens the database and brings its schema up to date (migrations run before anything else).
    public static func open(_ url: DatabaseURL, logger: Logger = Logger(label: "anguan.store"), migrate: Bool = true)
        async throws -> Store
    {
        let store: Store
        switch url {
        case .sqlite(let path):
            let writer = try await openSQLite(path: path, logger: logger, cacheKiB: 32_768)
            var readers: [SQLiteConnection] = []
            for _ in 0..<3 { readers.append(try await openSQLite(path: path, logger: logger, cacheKiB: 8_192)) }
            store = Store(url: url, dialect: .sqlite, logger: logger,
                          backend: .sqlite(writer: writer, readers: readers, mutex: AsyncMutex(), next: ReaderCursor()))
        case .postgres(let s):
            guard let sqlConfig = try? SQLPostgresConfiguration(url: s) else {
                throw StoreError.configuration("cannot read PostgreSQL URL \(url)")
            }
            let core = sqlConfig.coreConfiguration
            guard let host = core.host, let port = core.port else {
                throw StoreError.configuration("PostgreSQL URL \(url) needs a host and port")
            }
            var config = PostgresClient.Configuration(
                host: host, port: port, username: core.username, password: core.password,
                database: core.database, tls: .disable)
            config.options.maximumConnections = 8
            let client = PostgresClient(configuration: config, backgroundLogger: logger)
            let runner = Task { await client.run() }
            // Let the client's run loop start before the first lease (otherwise PostgresNIO warns that
            // run() has not been called yet; the lease would wait for it anyway).
            for _ in 0..<20 {
                await Task.yield()
            }
            try? await Task.sleep(for: .milliseconds(10))
            store = Store(url: url, dialect: .postgres, logger: logger, backend: .postgres(client: client, runner: runner))
            do {
                _ = try await store.read { db in try await db.raw("SELECT 1").all() }
            } catch {
                await store.close()
                throw StoreError.configuration("cannot reach PostgreSQL at \(url): \(String(reflecting: error))")
            }
        }
        if migrate {
            do {
                try await Migrator(store: store).migrate()
            } catch {
                await store.close()
                throw error
            }
        }
        return store
    }

    private static func openSQLite(path: String, logger: Logger, cacheKiB: Int) async throws -> SQLiteConnection {
        let conn = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        let db = conn.sql()
        // A new database gets 16 KB pages (an existing one keeps its size): a quarter of the pages,
        // B-tree splits and WAL frames of 4 KB ones for the same records.
        try await db.raw("PRAGMA page_size=16384").run()
        // WAL lets readers go on while an import writes; foreign keys guard the internal tables.
        _ = try await db.raw("PRAGMA journal_mode=WAL").all()
        try await db.raw("PRAGMA foreign_keys=ON").run()
        try await db.raw("PRAGMA synchronous=NORMAL").run()
        try await db.raw("PRAGMA busy_timeout=10000").run()
        try await db.raw("PRAGMA cache_size=\(unsafeRaw: String(-cacheKiB))").run()
        return conn
    }

    /// Runs read-only work on some connection.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(_, let readers, _, let next):
            return try await body(readers[next.advance(readers.count)].sql())
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await body(conn.sql()) }
        }
    }

    /// Runs a read on an SQLite reader connection through the driver directly (rows as arrays of
    /// values in column order, no per-field decoding machinery); nil on PostgreSQL.
    func readSQLite(_ sql: String, _ binds: [SQLiteData]) async throws -> [[SQLiteData]]? {
        guard case .sqlite(_, let readers, _, let next) = backend else { return nil }
        let rows = try await readers[next.advance(readers.count)].query(sql, binds)
        return rows.map { $0.columns.map(\.data) }
    }

    /// Reads records of an element on PostgreSQL through PostgresNIO's rows directly (cells by
    /// position, decoded by the field's type); nil on SQLite. `sql` selects the element's columns
    /// in schema order, with `$1…` for `binds`.
    func readPostgresRecords(_ sql: String, _ binds: [String], kind: ElementKind) async throws -> [Record]? {
        guard case .postgres(let client, _) = backend else { return nil }
        var bindings = PostgresBindings(capacity: binds.count)
        for b in binds { bindings.append(b) }
        let query = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let fields = kind.schema.fields
        return try await client.withConnection { conn in
            var out: [Record] = []
            for try await row in try await conn.query(query, logger: self.logger) {
                let cells = row.makeRandomAccess()
                var values: [StoredValue?] = []
                values.reserveCapacity(fields.count)
                for (i, f) in fields.enumerated() {
                    let cell = cells[i]
                    if cell.bytes == nil {
                        values.append(nil)
                        continue
                    }
                    switch f.type {
                    case .time, .bool: values.append(.int(try cell.decode(Int64.self)))
                    case .number: values.append(.real(try cell.decode(Double.self)))
                    default: values.append(.text(try cell.decode(String.self)))
                    }
                }
                out.append(Record(kind: kind, values: values))
            }
            return out
        }
    }

    /// Rows of a read on PostgreSQL, cells by position: integers as `.int`, floating point and numeric as
    /// `.real`, everything else as text.
    func readPostgresRows(_ q: SQLText) async throws -> [[StoredValue?]] {
        guard case .postgres(let client, _) = backend else { return [] }
        var bindings = PostgresBindings(capacity: q.binds.count)
        for b in q.binds {
            switch b {
            case .text(let s)?: bindings.append(s)
            case .int(let i)?: bindings.append(i)
            case .real(let d)?: bindings.append(d)
            case nil: bindings.appendNull()
            }
        }
        let query = PostgresQuery(unsafeSQL: q.dollarSQL, binds: bindings)
        return try await client.withConnection { conn in
            var out: [[StoredValue?]] = []
            for try await row in try await conn.query(query, logger: self.logger) {
                var values: [StoredValue?] = []
                for cell in row {
                    if cell.bytes == nil {
                        values.append(nil)
                        continue
                    }
                    switch cell.dataType {
                    case .int2, .int4, .int8: values.append(.int(try cell.decode(Int64.self)))
                    case .float4, .float8, .numeric: values.append(.real(try cell.decode(Double.self)))
                    default: values.append(.text(try cell.decode(String.self)))
                    }
                }
                out.append(values)
            }
            return out
        }
    }

    /// Runs work in one transaction: all of it is committed, or (on a thrown error) none of it.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Session) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let writer, _, let mutex, _):
            await mutex.lock()
            do {
                let db = writer.sql()
                try await db.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(Session(sql: db, connection: .sqlite(writer)))
                    try await db.raw("COMMIT").run()
                    await mutex.unlock()
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            } catch {
                await mutex.unlock()
                throw error
            }
        case .postgres(let client, _):
            return try await client.withConnection { conn in
                let db = conn.sql()
                try await db.raw("BEGIN").run()
                do {
                    let result = try await body(Session(sql: db, connection: .postgres(conn)))
                    try await db.raw("COMMIT").run()
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Closes every connection.
    public func close() async {
        switch backend {
        case .sqlite(let writer, let readers, _, _):
            for r in readers { try? await r.close() }
            try? await writer.close()
        case .postgres(_, let runner):
            runner.cancel()
            _ = await runner.value
        }
    }
}

/// Round-robin over the SQLite reader connections.
final class ReaderCursor: Sendable {
    private let value = Mutex(0)
    func advance(_ count: Int) -> Int {
        value.withLock { v in
            v = (v + 1) % count
            return v
        }
    }
}

/// One transaction's connection: SQLKit for the portable queries, and the driver's own
/// connection for the bulk paths where each database has a faster native way.
public struct Session: Sendable {
    public let sql: any SQLDatabase
    let connection: Connection
    var logger: Logger { Logger(label: "anguan.store") }

    /// The driver's own connection behind `sql`.
    enum Connection: Sendable {
        case sqlite(SQLiteConnection)
        case postgres(PostgresConnection)
    }

    public var dialect: Dialect {
        switch connection {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }

    /// Serialises the transactions that write problems and their events (the patrol's sync, a transition,
    /// a registration, a comment, escalation), so none overwrites another's state or takes its numbers.
    /// SQLite has one writer already; on PostgreSQL a transaction-scoped advisory lock does it.
    public func serializeProblemWrites() async throws {
        if case .postgres = connection {
            _ = try await sql.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: "7304190"))").all()
        }
    }

    /// The next id of a run or account table (its largest id + 1). On PostgreSQL two transactions
    /// could read the same largest id, so a transaction-scoped advisory lock on the table's name
    /// makes them take turns; SQLite has one writer at a time.
    public func nextId(of table: String) async throws -> Int64 {
        if case .postgres = connection {
            _ = try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: table)))").all()
        }
        return try await sql.raw("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM \(unsafeRaw: table)").first()!
            .decode(column: "n", as: Int64.self)
    }
}
