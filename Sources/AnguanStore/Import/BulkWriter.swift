import AnguanCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import SQLiteNIO
import Synchronization

/// A batch of records on its way to the database, handed from the parsing thread to one write task
/// and back: the task prepares and stores it, then the parsing thread empties it. Memory is thus
/// freed by the thread that allocated it (freed by another thread, it made both contend for
/// malloc's arena lock), and the two never touch the batch at the same time.
final class WriteBatch: @unchecked Sendable {
    var records: [CanonicalRecord]
    var copyData: ByteBuffer?
    /// The bytes of text its records were read from.
    let bytes: Int

    init(_ records: [CanonicalRecord], bytes: Int = 0, buffer: ByteBuffer? = nil) {
        self.records = records
        self.bytes = bytes
        self.copyData = buffer
    }

    /// Drops the records; returns the COPY data's buffer, for a later batch to reuse (its pages are
    /// mapped already).
    func empty() -> ByteBuffer? {
        records = []
        defer { copyData = nil }
        return copyData
    }
}

/// A record ready to store: canonical values in schema order, and their content hash once the
/// writer has computed it (on its own thread, off the thread that parses the file).
struct CanonicalRecord: Sendable {
    var id: String
    var values: [StoredValue?]
    var line: Int
    var hash: Int64 = 0

    init(id: String, values: [StoredValue?], line: Int) {
        self.id = id
        self.values = values
        self.line = line
    }
}

/// Writes batches of records with upsert semantics and counts what changed.
///
/// The records of a batch are first compared with what is stored (by id and content hash), and only
/// new or changed records are written. SQLite gets one prepared `INSERT … ON CONFLICT DO UPDATE`
/// reused for every row (or, failing that, multi-row statements through its driver); PostgreSQL gets
/// one binary `COPY` straight into a table that was empty, open across the file's batches (ended
/// only when the connection is needed for a lookup, and at the end of the file), otherwise a `COPY`
/// into a temporary table and one `INSERT … SELECT … ON CONFLICT` per batch.
struct BulkWriter {
    let session: Session
    let schema: ElementSchema
    let runId: Int64
    /// The table held no record when this file began: every record is new, no lookup needed
    /// (duplicates within the file are refused before they get here).
    let tableWasEmpty: Bool
    private let prepared: SQLitePreparedInsert?
    /// PostgreSQL: the statements that rebuild the indexes dropped while the file loads.
    private let rebuild: [String]
    /// PostgreSQL, a table that was empty: the COPY the batches are streamed into, open from the first
    /// batch until the file ends or the connection is needed for something else.
    private let copy = OpenCopy()

    init(session: Session, schema: ElementSchema, runId: Int64, plan: TablePlan, reuseStatement: Bool = true) throws {
        self.session = session
        self.schema = schema
        self.runId = runId
        self.tableWasEmpty = plan.wasEmpty
        self.rebuild = plan.rebuild
        if case .sqlite(let conn) = session.connection, reuseStatement {
            let cols = Self.columns(schema)
            let marks = Array(repeating: "?", count: cols.count).joined(separator: ",")
            let update = Self.conflictUpdate(schema)
            prepared = try SQLitePreparedInsert.make(connection: conn, sql: """
                INSERT INTO \(schema.kind.table) (\(cols.joined(separator: ", "))) VALUES (\(marks))
                ON CONFLICT (\(schema.idField)) DO UPDATE SET \(update)
                """)
        } else {
            prepared = nil
        }
    }

    /// COPY goes straight into the table: every record of a batch is inserted, so its counts are
    /// known before it is stored.
    var copiesDirectly: Bool { tableWasEmpty && session.dialect == .postgres }

    /// How a file's table is written, decided before the first file is read: whether it was empty, and
    /// (PostgreSQL) the indexes dropped until the file is loaded.
    struct TablePlan: Sendable {
        var wasEmpty: Bool
        var rebuild: [String] = []
    }

    static func plan(_ session: Session, _ schema: ElementSchema) async throws -> TablePlan {
        let empty = try await session.sql.raw("SELECT 1 AS x FROM \(unsafeRaw: schema.kind.table) LIMIT 1").first() == nil
        guard empty, session.dialect == .postgres else { return TablePlan(wasEmpty: empty) }
        return TablePlan(wasEmpty: true, rebuild: try await dropIndexes(session, schema))
    }

    /// Into a table that was empty, PostgreSQL loads faster without its indexes, built once at the end
    /// of its file from sorted data instead of row by row (while the next file is parsed). The drop is
    /// part of the import's transaction: a rollback restores them, and readers of the table wait for
    /// the commit (the table was empty anyway).
    private static func dropIndexes(_ session: Session, _ schema: ElementSchema) async throws -> [String] {
        let table = schema.kind.table
        let pk = try await session.sql.raw("""
            SELECT conname FROM pg_constraint WHERE conrelid = \(bind: table)::regclass AND contype = 'p'
            """).first()?.decode(column: "conname", as: String.self)
        let indexes = try await session.sql.raw("""
            SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = \(bind: table)
            """).all().map { (try $0.decode(column: "indexname", as: String.self), try $0.decode(column: "indexdef", as: String.self)) }
        var rebuild: [String] = []
        if let pk {
            try await session.sql.raw("ALTER TABLE \(unsafeRaw: table) DROP CONSTRAINT \(unsafeRaw: pk)").run()
            rebuild.append("ALTER TABLE \(table) ADD CONSTRAINT \(pk) PRIMARY KEY (\(schema.idField))")
        }
        for (name, def) in indexes where name != pk {
            try await session.sql.raw("DROP INDEX \(unsafeRaw: name)").run()
            rebuild.append(def)
        }
        return rebuild
    }

    /// Ends the file: ends its COPY, rebuilds what was dropped, releases the prepared statement.
    func complete() async throws {
        prepared?.close()
        try await endCopy()
        try await Self.rebuild(session, rebuild)
    }

    /// Ends the open COPY, if any, so that the connection can take other statements. The batches
    /// stored so far must all have been handed to it.
    func endCopy() async throws {
        try await copy.close()
    }

    /// Abandons the open COPY, if any (the import failed; its transaction is rolled back next).
    func abandonCopy() async {
        await copy.abandon()
    }

    /// Builds the indexes a plan dropped (also for a file given up at its header, which never got a writer).
    static func rebuild(_ session: Session, _ statements: [String]) async throws {
        for statement in statements { try await session.sql.raw("\(unsafeRaw: statement)").run() }
    }

    /// Releases the prepared statement (before the transaction ends, whatever happened).
    func finish() { prepared?.close() }

    struct Counts {
        var inserted = 0, updated = 0, unchanged = 0
    }

    /// The stored columns: the fields in schema order, then the content hash and the runs.
    static func columns(_ schema: ElementSchema) -> [String] {
        schema.fields.map(\.name) + ["_hash", "_run_created", "_run_updated"]
    }

    var columns: [String] { Self.columns(schema) }

    /// The work of a batch that needs no connection (content hashes; for COPY straight into a table
    /// that was empty, the COPY data), so it can run while the previous batch is being stored.
    func prepare(_ batch: WriteBatch) {
        if copiesDirectly {
            var buffer = batch.copyData ?? ByteBuffer()
            batch.copyData = nil
            buffer.clear()
            encodeCopy(&batch.records, textBytes: batch.bytes, into: &buffer, hashing: true)
            batch.copyData = buffer
        } else {
            for i in batch.records.indices {
                batch.records[i].hash = ContentHash.of(batch.records[i].values)
            }
        }
    }

    /// Upserts the records; an existing record with the same content hash is left untouched.
    func store(_ batch: WriteBatch) async throws -> Counts {
        var counts = Counts()
        let records = batch.records
        guard !records.isEmpty else { return counts }
        if let data = batch.copyData, case .postgres(let conn) = session.connection {
            try await copy.write(data) {
                try await CopyStream.open(conn, into: schema.kind.table, columns: columns, logger: session.logger)
            }
            counts.inserted = records.count
            return counts
        }
        let existing = tableWasEmpty ? [:] : try await existingHashes(records.map(\.id))
        var toWrite: [CanonicalRecord] = []
        toWrite.reserveCapacity(records.count)
        for rec in records {
            if let h = existing[rec.id] {
                // (A record stored by an earlier version carries the legacy hash of the same values.)
                if h == rec.hash || h == ContentHash.legacy(rec.values) {
                    counts.unchanged += 1
                    continue
                }
                counts.updated += 1
            } else {
                counts.inserted += 1
            }
            toWrite.append(rec)
        }
        guard !toWrite.isEmpty else { return counts }
        switch session.connection {
        case .sqlite where prepared != nil: try await prepared!.insert(toWrite, runId: runId)
        case .sqlite(let conn): try await writeSQLite(toWrite, conn)
        case .postgres(let conn): try await writePostgres(toWrite, conn)
        }
        return counts
    }

    private func existingHashes(_ ids: [String]) async throws -> [String: Int64] {
        let idCol = schema.idField
        var existing: [String: Int64] = [:]
        if case .sqlite(let conn) = session.connection {
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try await conn.query("SELECT \(idCol), _hash FROM \(schema.kind.table) WHERE \(idCol) IN (\(marks))",
                                            ids.map { .text($0) })
            for r in rows {
                if let id = r.column(idCol)?.string, let h = r.column("_hash")?.integer { existing[id] = Int64(h) }
            }
            return existing
        }
        let rows = try await session.sql.select().column(SQLIdentifier(idCol)).column("_hash").from(schema.kind.table)
            .where(SQLIdentifier(idCol), .in, ids).all()
        for r in rows {
            existing[try r.decode(column: idCol, as: String.self)] = try r.decode(column: "_hash", as: Int64.self)
        }
        return existing
    }

    /// What an upsert sets when the id is stored already: everything but the id and the creating run.
    static func conflictUpdate(_ schema: ElementSchema) -> String {
        columns(schema).filter { $0 != schema.idField && $0 != "_run_created" }.map { "\($0) = excluded.\($0)" }
            .joined(separator: ", ")
    }

    private func writeSQLite(_ records: [CanonicalRecord], _ conn: SQLiteConnection) async throws {
        let cols = columns
        let perStatement = max(1, 30_000 / cols.count)  // SQLite allows 32,766 bound parameters
        let rowMarks = "(" + Array(repeating: "?", count: cols.count).joined(separator: ",") + ")"
        var start = 0
        while start < records.count {
            let end = min(records.count, start + perStatement)
            let sql = "INSERT INTO \(schema.kind.table) (\(cols.joined(separator: ", "))) VALUES "
                + Array(repeating: rowMarks, count: end - start).joined(separator: ",")
                + " ON CONFLICT (\(schema.idField)) DO UPDATE SET \(Self.conflictUpdate(schema))"
            var binds: [SQLiteData] = []
            binds.reserveCapacity((end - start) * cols.count)
            for rec in records[start..<end] {
                for v in rec.values {
                    switch v {
                    case nil: binds.append(.null)
                    case .text(let s): binds.append(.text(s))
                    case .int(let i): binds.append(.integer(SQLiteInt64(i)))
                    case .real(let d): binds.append(.float(d))
                    }
                }
                binds.append(.integer(SQLiteInt64(rec.hash)))
                binds.append(.integer(SQLiteInt64(runId)))
                binds.append(.integer(SQLiteInt64(runId)))
            }
            _ = try await conn.query(sql, binds)
            start = end
        }
    }

    /// Records as rows of PostgreSQL's binary COPY format (a `CopyStream` adds its header and
    /// trailer), columns as `columns`, appended to `buffer` (`textBytes`: about how much text the
    /// records hold, to size it once). Text goes as its UTF-8 bytes, unescaped; times, booleans and
    /// hashes as 8-byte integers, numbers as 8-byte floats: the types of the columns
    /// (`M001ElementTables.sqlType`), so the server parses nothing. `hashing`: each record's content hash is computed on the way (from the bytes being copied)
    /// and set, else the one it has is written.
    ///
    /// Each row is written through one pointer into the buffer, its size counted first: going
    /// through the buffer's methods value by value cost more than the copying.
    private func encodeCopy(_ records: inout [CanonicalRecord], textBytes: Int, into buffer: inout ByteBuffer,
                            hashing: Bool) {
        let columnCount = schema.fields.count + 3
        buffer.reserveCapacity(minimumWritableBytes: textBytes + records.count * (columnCount * 12 + 2))
        let runId = runId
        for r in records.indices {
            var size = 2 + 3 * 12
            for v in records[r].values {
                switch v {
                case nil: size += 4
                case .text(let s): size += 4 + s.utf8.count
                case .int, .real: size += 12
                }
            }
            var hash = records[r].hash
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                var o = 0
                func put<T: FixedWidthInteger>(_ x: T) {
                    out.storeBytes(of: x.bigEndian, toByteOffset: o, as: T.self)
                    o += MemoryLayout<T>.size
                }
                var h = WordHasher()
                put(Int16(columnCount))
                for v in records[r].values {
                    switch v {
                    case nil:
                        put(Int32(-1))
                        if hashing { ContentHash.addNull(&h) }
                    case .text(var s):
                        s.withUTF8 { u in
                            put(Int32(u.count))
                            if u.count > 0 {
                                (out.baseAddress! + o).copyMemory(from: u.baseAddress!, byteCount: u.count)
                                o += u.count
                            }
                            if hashing { ContentHash.addText(UnsafeRawBufferPointer(u), &h) }
                        }
                    case .int(let i):
                        put(Int32(8))
                        put(i)
                        if hashing { ContentHash.addInt(i, &h) }
                    case .real(let d):
                        put(Int32(8))
                        put(d.bitPattern)
                        if hashing { ContentHash.addReal(d, &h) }
                    }
                }
                if hashing { hash = ContentHash.finish(h) }
                put(Int32(8))
                put(hash)
                put(Int32(8))
                put(runId)
                put(Int32(8))
                put(runId)
                assert(o == size)
                return o
            }
            records[r].hash = hash
        }
    }

    /// COPY into a temporary table, then one upsert into the element's table.
    private func writePostgres(_ records: [CanonicalRecord], _ conn: PostgresConnection) async throws {
        let table = schema.kind.table
        let stage = "stage_\(schema.kind.rawValue)"
        let cols = columns.joined(separator: ", ")
        try await session.sql.raw("""
            CREATE TEMP TABLE IF NOT EXISTS \(unsafeRaw: stage) (LIKE \(unsafeRaw: table)) ON COMMIT DROP
            """).run()
        var rows = ByteBuffer()
        var records = records
        encodeCopy(&records, textBytes: 0, into: &rows, hashing: false)
        try await CopyStream.copy(rows, conn, into: stage, columns: columns, logger: session.logger)
        try await session.sql.raw("""
            INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: cols)) SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: stage)
            ON CONFLICT (\(unsafeRaw: schema.idField)) DO UPDATE SET \(unsafeRaw: Self.conflictUpdate(schema))
            """).run()
        try await session.sql.raw("TRUNCATE \(unsafeRaw: stage)").run()
    }
}

/// PostgreSQL's binary COPY format: a header, then per row a 16-bit field count and per field a
/// 32-bit length (-1 for NULL) and the bytes, then a 16-bit -1.
enum PostgresCopyBinary {
    /// The signature, the flags (none) and the length of the header extension (none).
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    static let trailer = Int16(-1)
}

extension PostgresConnection {
    /// What is passed to PostgresNIO's `copyFrom` as the table name for a binary COPY.
    ///
    /// `copyFrom` writes `COPY "<table>"(<columns>) FROM STDIN WITH (FORMAT text)`, inserting the
    /// names as passed (as its documentation says), and has no binary option. So the whole statement
    /// up to its options is passed as the table name, and the text-format tail is turned into a
    /// comment. The names are the schema's own constants, never input. (Were a later PostgresNIO to
    /// quote the name, the statement would fail outright, not load anything wrongly.)
    static func binaryCopy(_ table: String, _ columns: [String]) -> String {
        "\(table)\"(\(columns.map { "\"\($0)\"" }.joined(separator: ","))) FROM STDIN WITH (FORMAT binary) --"
    }
}

/// A binary `COPY … FROM STDIN` kept open across batches: the server loads one batch while the next
/// is on its way, instead of a statement, a round trip and a wait for the whole batch each time.
///
/// PostgresNIO's `copyFrom` hands its writer to a closure and ends the COPY when the closure returns.
/// The closure here hands the writer out and waits until `close` (COPY done) or `abandon` (COPY
/// failed) lets it return. While it is open, nothing else can use the connection.
final class CopyStream: Sendable {
    private let writer: PostgresCopyFromWriter
    /// Resumes the closure: normally to end the COPY, with an error to fail it.
    private let finish: Mutex<CheckedContinuation<Void, any Error>?>
    private let task: Task<Void, any Error>
    /// Data goes in messages of at most this size: the server reads a whole message before it loads
    /// any of its rows.
    static let messageBytes = 256 << 10

    private init(writer: PostgresCopyFromWriter, finish: CheckedContinuation<Void, any Error>, task: Task<Void, any Error>) {
        self.writer = writer
        self.finish = Mutex(finish)
        self.task = task
    }

    /// Starts `COPY table (columns) FROM STDIN WITH (FORMAT binary)` and sends the format's header.
    static func open(_ conn: PostgresConnection, into table: String, columns: [String], logger: Logger) async throws -> CopyStream {
        let (opened, handOver) = AsyncThrowingStream.makeStream(
            of: (PostgresCopyFromWriter, CheckedContinuation<Void, any Error>).self)
        let task = Task {
            do {
                try await conn.copyFrom(table: PostgresConnection.binaryCopy(table, columns), logger: logger) { writer in
                    try await withCheckedThrowingContinuation { finish in
                        handOver.yield((writer, finish))
                        handOver.finish()
                    }
                }
            } catch {
                handOver.finish(throwing: error)  // (no effect once the writer was handed over)
                throw error
            }
        }
        var handed: (PostgresCopyFromWriter, CheckedContinuation<Void, any Error>)?
        for try await h in opened { handed = h }
        guard let (writer, finish) = handed else {
            try await task.value  // (it failed, or the COPY ended before it began)
            throw CancellationError()
        }
        let stream = CopyStream(writer: writer, finish: finish, task: task)
        do {
            try await writer.write(ByteBuffer(bytes: PostgresCopyBinary.header))
        } catch {
            await stream.abandon()
            throw error
        }
        return stream
    }

    /// One whole COPY of `rows` (in the binary format, without header or trailer).
    static func copy(_ rows: ByteBuffer, _ conn: PostgresConnection, into table: String, columns: [String],
                     logger: Logger) async throws {
        let stream = try await open(conn, into: table, columns: columns, logger: logger)
        do {
            try await stream.write(rows)
        } catch {
            await stream.abandon()
            throw error
        }
        try await stream.close()
    }

    /// Sends rows in the binary format (no header or trailer).
    func write(_ data: ByteBuffer) async throws {
        var rest = data
        while rest.readableBytes > 0 {
            let n = min(rest.readableBytes, Self.messageBytes)
            try await writer.write(rest.readSlice(length: n)!)
        }
    }

    /// Sends the trailer and ends the COPY; returns once the server has loaded every row.
    func close() async throws {
        do {
            var trailer = ByteBuffer()
            trailer.writeInteger(PostgresCopyBinary.trailer)
            try await writer.write(trailer)
        } catch {
            await abandon()
            throw error
        }
        finish.withLock { $0.take() }?.resume()
        try await task.value
    }

    /// Fails the COPY (what it loaded is discarded with the transaction) and waits until the
    /// connection is out of copy mode.
    func abandon() async {
        finish.withLock { $0.take() }?.resume(throwing: CancellationError())
        _ = try? await task.value
    }
}

/// The COPY a file's batches are streamed into, opened by the first batch that needs it. Batches are
/// stored one at a time, in order, so the calls never overlap; the lock only makes that checkable.
final class OpenCopy: Sendable {
    private let stream = Mutex<CopyStream?>(nil)

    func write(_ data: ByteBuffer, opening: () async throws -> CopyStream) async throws {
        var open = stream.withLock { $0 }
        if open == nil {
            let s = try await opening()
            stream.withLock { $0 = s }
            open = s
        }
        try await open!.write(data)
    }

    func close() async throws {
        try await stream.withLock { $0.take() }?.close()
    }

    func abandon() async {
        await stream.withLock { $0.take() }?.abandon()
    }
}
