import AnguanCore
import SQLKit

/// A record ready to store: canonical values in schema order and their content hash.
struct CanonicalRecord: Sendable {
    var id: String
    var values: [StoredValue?]
    var hash: Int64
    var line: Int
}

extension CanonicalRecord {
    /// FNV-1a over the canonical spelling of every field, so an unchanged record hashes the same.
    static func hash(_ values: [StoredValue?], schema: ElementSchema) -> Int64 {
        var h = FNV1a()
        for (i, f) in schema.fields.enumerated() {
            h.add(FieldCodec.format(values[i], as: f.type))
            h.add(byte: 0x1F)
        }
        return Int64(bitPattern: h.value)
    }
}

/// Turns a stored value into a bind of the column's SQL type (a NULL must carry the column's type
/// for PostgreSQL).
func bindValue(_ v: StoredValue?, _ type: FieldType) -> any Encodable & Sendable {
    switch type {
    case .time, .bool:
        return v?.int
    case .number:
        return v?.real
    default:
        return v?.text
    }
}

/// Writes batches of records with upsert semantics and counts what changed.
struct BulkWriter {
    let session: Session
    let schema: ElementSchema
    let runId: Int64

    struct Counts {
        var inserted = 0, updated = 0, unchanged = 0
    }

    /// Upserts the records; an existing record with the same content hash is left untouched.
    func write(_ records: [CanonicalRecord]) async throws -> Counts {
        var counts = Counts()
        guard !records.isEmpty else { return counts }
        let db = session.sql
        let table = schema.kind.table
        let idCol = schema.idField
        // Which ids exist already, and with which content?
        var existing: [String: Int64] = [:]
        let rows = try await db.select().column(SQLIdentifier(idCol)).column("_hash").from(table)
            .where(SQLIdentifier(idCol), .in, records.map(\.id)).all()
        for r in rows {
            existing[try r.decode(column: idCol, as: String.self)] = try r.decode(column: "_hash", as: Int64.self)
        }
        var toWrite: [CanonicalRecord] = []
        toWrite.reserveCapacity(records.count)
        for rec in records {
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
        let columns = schema.fields.map(\.name) + ["_hash", "_run_created", "_run_updated"]
        // Rows per statement, keeping under SQLite's 32,766 bound parameters.
        let perStatement = max(1, 30_000 / columns.count)
        var start = 0
        while start < toWrite.count {
            let end = min(toWrite.count, start + perStatement)
            let insert = db.insert(into: table).columns(columns)
            for rec in toWrite[start..<end] {
                var binds: [any Encodable & Sendable] = []
                binds.reserveCapacity(columns.count)
                for (i, f) in schema.fields.enumerated() { binds.append(bindValue(rec.values[i], f.type)) }
                binds.append(rec.hash)
                binds.append(runId)
                binds.append(runId)
                insert.values(binds)
            }
            insert.onConflict(with: [idCol]) { update in
                var u = update
                for c in columns where c != idCol && c != "_run_created" { u = u.set(excludedValueOf: c) }
                return u
            }
            try await insert.run()
            start = end
        }
        return counts
    }
}
