import AnguanCore
import SQLiteNIO

/// Reads element records from the store, in pages, as the patrol's `Record`s. Rows come through
/// each driver directly (cells by position, decoded by the field's type): the patrol reads every
/// record of the branch, and SQLKit's per-field decoding was most of its time.
struct RecordReader: Sendable {
    let store: Store

    static func columns(_ kind: ElementKind) -> String { kind.schema.fields.map(\.name).joined(separator: ", ") }

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

    /// Runs a select of the element's columns; `marks` turns bind positions into placeholders.
    private func select(_ kind: ElementKind, _ sql: (_ mark: (Int) -> String) -> String, _ binds: [String]) async throws -> [Record] {
        switch store.dialect {
        case .sqlite:
            return try await store.readSQLite(sql { _ in "?" }, binds.map { .text($0) })!.map { Self.decode($0, kind) }
        case .postgres:
            return try await store.readPostgresRecords(sql { "$\($0)" }, binds, kind: kind)!
        }
    }

    /// Records of `kind` whose `field` is one of `values` (in chunks, so any number of values).
    func records(_ kind: ElementKind, where field: String, in values: [String]) async throws -> [Record] {
        var out: [Record] = []
        var i = 0
        while i < values.count {
            let chunk = Array(values[i..<min(values.count, i + 1000)])
            out += try await select(kind, { mark in
                "SELECT \(Self.columns(kind)) FROM \(kind.table) WHERE \(field) IN (\((1...chunk.count).map(mark).joined(separator: ",")))"
            }, chunk)
            i += 1000
        }
        return out
    }

    /// A page of records ordered by id (byte order on both databases), after `after`.
    func page(_ kind: ElementKind, after: String?, limit: Int) async throws -> [Record] {
        let idCol = kind.schema.idField
        let order = store.dialect == .postgres ? "\(idCol) COLLATE \"C\"" : idCol
        return try await select(kind, { mark in
            "SELECT \(Self.columns(kind)) FROM \(kind.table)" + (after == nil ? "" : " WHERE \(order) > \(mark(1))")
                + " ORDER BY \(order) LIMIT \(limit)"
        }, after.map { [$0] } ?? [])
    }
}
