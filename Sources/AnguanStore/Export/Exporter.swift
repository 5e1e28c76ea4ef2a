import AnguanCore
import Foundation
import SQLKit

/// Writes the store back in the interchange format: one CSV per element, records sorted by id,
/// canonical spellings, times as `YYYY-MM-DD HH:MM:SS` CST, transcript text in the cell.
/// Importing an export into an empty database and exporting again gives byte-identical files.
public struct Exporter: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Exports every element; returns the number of records written per file.
    @discardableResult
    public func export(to folder: String) async throws -> [(file: String, records: Int)] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var written: [(String, Int)] = []
        for kind in ElementKind.allCases {
            let schema = kind.schema
            let file = "\(kind.fileStem).csv"
            let path = folder + "/" + file
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            guard let handle = FileHandle(forWritingAtPath: path) else { throw StoreError.io("cannot write \(path)") }
            defer { try? handle.close() }
            var out = CSVWriter()
            out.row(schema.fields.map(\.name))
            var count = 0
            // Keyset pagination keeps memory flat on large tables. Ids sort by their bytes
            // (COLLATE "C" on PostgreSQL) so both databases write the same order.
            var after: String? = nil
            let idCol = schema.idField
            let order = store.dialect == .postgres ? "\(idCol) COLLATE \"C\"" : idCol
            let cols = schema.fields.map(\.name).joined(separator: ", ")
            while true {
                let cursor = after
                let page: [any SQLRow] = try await store.read { db in
                    if let after = cursor {
                        return try await db.raw("""
                            SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: kind.table) WHERE \(unsafeRaw: order) > \(bind: after)
                            ORDER BY \(unsafeRaw: order) LIMIT 5000
                            """).all()
                    }
                    return try await db.raw("SELECT \(unsafeRaw: cols) FROM \(unsafeRaw: kind.table) ORDER BY \(unsafeRaw: order) LIMIT 5000").all()
                }
                if page.isEmpty { break }
                for row in page {
                    var cells: [String] = []
                    cells.reserveCapacity(schema.fields.count)
                    for f in schema.fields {
                        cells.append(FieldCodec.format(try Self.decode(row, f), as: f.type))
                    }
                    out.row(cells)
                    count += 1
                }
                after = try page.last!.decode(column: idCol, as: String.self)
                try handle.write(contentsOf: out.bytes)
                out.removeAll()
            }
            try handle.write(contentsOf: out.bytes)
            written.append((file, count))
        }
        return written
    }

    static func decode(_ row: any SQLRow, _ f: Field) throws -> StoredValue? {
        if try row.decodeNil(column: f.name) { return nil }
        switch f.type {
        case .time, .bool: return .int(try row.decode(column: f.name, as: Int64.self))
        case .number: return .real(try row.decode(column: f.name, as: Double.self))
        default: return .text(try row.decode(column: f.name, as: String.self))
        }
    }
}
