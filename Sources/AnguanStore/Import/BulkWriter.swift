import AnguanCore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLKit
import SQLiteNIO

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

extension CanonicalRecord {
    /// FNV-1a over every canonical value (tagged by kind), so an unchanged record hashes the same.
    static func hash(_ values: [StoredValue?], schema: ElementSchema) -> Int64 {
        var h = FNV1a()
        for v in values {
            switch v {
            case nil: h.add(byte: 0)
            case .text(let s):
                h.add(byte: 1)
                h.add(s)
            case .int(let i):
                h.add(byte: 2)
                h.add(word: UInt64(bitPattern: i))
            case .real(let d):
                h.add(byte: 3)
                h.add(word: d.bitPattern)
            }
            h.add(byte: 0x1F)
        }
        return Int64(bitPattern: h.value)
    }
}

/// Writes batches of records with upsert semantics and counts what changed.
///
/// The records of a batch are first compared with what is stored (by id and content hash), and only
/// new or changed records are written. SQLite gets one prepared `INSERT … ON CONFLICT DO UPDATE`
/// reused for every row (or, failing that, multi-row statements through its driver); PostgreSQL gets
/// `COPY` straight into a table that was empty, otherwise into a temporary table and one
/// `INSERT … SELECT … ON CONFLICT`.
struct BulkWriter {
    let session: Session
    let schema: ElementSchema
    let runId: Int64
    /// The table held no record when this file began: every record is new, no lookup needed
    /// (duplicates within the file are refused before they get here).
    let tableWasEmpty: Bool
    private let prepared: SQLitePreparedInsert?

    init(session: Session, schema: ElementSchema, runId: Int64, tableWasEmpty: Bool, reuseStatement: Bool = true) throws {
        self.session = session
        self.schema = schema
        self.runId = runId
        self.tableWasEmpty = tableWasEmpty
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

    /// Releases the prepared statement (before the transaction ends).
    func finish() { prepared?.close() }

    struct Counts {
        var inserted = 0, updated = 0, unchanged = 0
    }

    /// The stored columns: the fields in schema order, then the content hash and the runs.
    static func columns(_ schema: ElementSchema) -> [String] {
        schema.fields.map(\.name) + ["_hash", "_run_created", "_run_updated"]
    }

    var columns: [String] { Self.columns(schema) }

    /// Upserts the records; an existing record with the same content hash is left untouched.
    func write(_ records: [CanonicalRecord]) async throws -> Counts {
        var counts = Counts()
        guard !records.isEmpty else { return counts }
        let existing = tableWasEmpty ? [:] : try await existingHashes(records.map(\.id))
        var toWrite: [CanonicalRecord] = []
        toWrite.reserveCapacity(records.count)
        for var rec in records {
            rec.hash = CanonicalRecord.hash(rec.values, schema: schema)
            if let h = existing[rec.id] {
                if h == rec.hash {
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

    private func writePostgres(_ records: [CanonicalRecord], _ conn: PostgresConnection) async throws {
        let table = schema.kind.table
        let stage = "stage_\(schema.kind.rawValue)"
        let cols = columns.joined(separator: ", ")
        // Into a table that was empty when the file began, every record is new and no two share an id
        // (duplicates are refused before they get here): COPY goes straight into the table.
        let direct = tableWasEmpty
        if !direct {
            try await session.sql.raw("""
                CREATE TEMP TABLE IF NOT EXISTS \(unsafeRaw: stage) (LIKE \(unsafeRaw: table)) ON COMMIT DROP
                """).run()
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(records.count * 200)
        for rec in records {
            for v in rec.values {
                switch v {
                case nil: buffer.writeString("\\N")
                case .text(let s): PostgresCopyText.append(s, to: &buffer)
                case .int(let i): buffer.writeString(String(i))
                case .real(let d): buffer.writeString(String(d))
                }
                buffer.writeInteger(UInt8(ascii: "\t"))
            }
            buffer.writeString("\(rec.hash)\t\(runId)\t\(runId)\n")
        }
        let payload = buffer
        try await conn.copyFrom(table: direct ? table : stage, columns: columns, logger: session.logger) { writer in
            try await writer.write(payload)
        }
        if direct { return }
        try await session.sql.raw("""
            INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: cols)) SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: stage)
            ON CONFLICT (\(unsafeRaw: schema.idField)) DO UPDATE SET \(unsafeRaw: Self.conflictUpdate(schema))
            """).run()
        try await session.sql.raw("TRUNCATE \(unsafeRaw: stage)").run()
    }
}

/// Escaping for PostgreSQL's COPY text format.
enum PostgresCopyText {
    static func append(_ s: String, to buffer: inout ByteBuffer) {
        var needs = false
        for b in s.utf8 where b == 0x5C || b == 0x09 || b == 0x0A || b == 0x0D {
            needs = true
            break
        }
        if !needs {
            buffer.writeString(s)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x5C: buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(b)
            }
        }
    }
}
