import AnguanCore
import SQLKit
import SQLiteNIO

/// Reads element records from the store, in pages, as the patrol's `Record`s.
struct RecordReader: Sendable {
    let store: Store

    static func columns(_ kind: ElementKind) -> String { kind.schema.fields.map(\.name).joined(separator: ", ") }

    static func decode(_ row: any SQLRow, _ kind: ElementKind) throws -> Record {
        Record(kind: kind, values: try kind.schema.fields.map { try Exporter.decode(row, $0) })
    }

    static func decode(_ row: [SQLiteData], _ kind: ElementKind) -> Record {
        Record(kind: kind, values: row.map { d in
            switch d {
            case .integer(let i): .int(Int64(i))
            case .float(let f): .real(f)
            case .text(let s): .text(s)
            case .blob, .null: nil
            }
        })
    }

    /// Records of `kind` whose `field` is one of `values` (in chunks, so any number of values).
    func records(_ kind: ElementKind, where field: String, in values: [String]) async throws -> [Record] {
        guard !values.isEmpty else { return [] }
        var out: [Record] = []
        var i = 0
        if store.dialect == .sqlite {
            while i < values.count {
                let chunk = values[i..<min(values.count, i + 1000)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try await store.readSQLite("SELECT \(Self.columns(kind)) FROM \(kind.table) WHERE \(field) IN (\(marks))",
                                                      chunk.map { .text($0) })!
                for r in rows { out.append(Self.decode(r, kind)) }
                i += 1000
            }
            return out
        }
        while i < values.count {
            let chunk = Array(values[i..<min(values.count, i + 1000)])
            let rows = try await store.read { db in
                try await db.select().column(SQLRaw(Self.columns(kind))).from(kind.table)
                    .where(SQLIdentifier(field), .in, chunk).all()
            }
            for r in rows { out.append(try Self.decode(r, kind)) }
            i += 1000
        }
        return out
    }

    /// A page of records ordered by id (byte order on both databases), after `after`.
    func page(_ kind: ElementKind, after: String?, limit: Int) async throws -> [Record] {
        let idCol = kind.schema.idField
        let order = store.dialect == .postgres ? "\(idCol) COLLATE \"C\"" : idCol
        let cols = Self.columns(kind)
        if store.dialect == .sqlite {
            let sql = "SELECT \(cols) FROM \(kind.table)" + (after == nil ? "" : " WHERE \(idCol) > ?") + " ORDER BY \(idCol) LIMIT \(limit)"
            return try await store.readSQLite(sql, after.map { [.text($0)] } ?? [])!.map { Self.decode($0, kind) }
        }
        let rows = try await store.read { db in
            if let after {
                return try await db.raw("""
                    SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: kind.table) WHERE \(unsafeRaw: order) > \(bind: after)
                    ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(limit))
                    """).all()
            }
            return try await db.raw("SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: kind.table) ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(limit))").all()
        }
        return try rows.map { try Self.decode($0, kind) }
    }
}
