import AnguanCore
import SQLKit

/// The eleven element tables of the interchange format, one column per field, plus
/// `_hash` (content hash of the canonical record, so an unchanged re-import writes nothing)
/// and the import runs that created and last changed the row.
///
/// References are not declared as foreign keys: the format has cycles (an incident names its
/// case, a case its incident) and a folder may refer to records imported months ago; the importer
/// checks every reference against the folder and the database instead.
struct M001ElementTables: Migration {
    let version = 1
    let name = "element tables"

    func apply(_ db: any SQLDatabase, dialect: Dialect) async throws {
        for kind in ElementKind.allCases {
            let schema = kind.schema
            var cols: [String] = []
            for f in schema.fields {
                var type = Self.sqlType(f.type)
                // Ids sort by their bytes on both databases (export order, keyset paging); on
                // PostgreSQL the primary key is declared so, whatever the database's locale, so
                // that `ORDER BY id COLLATE "C"` walks the index.
                if f.name == schema.idField && dialect == .postgres { type += " COLLATE \"C\"" }
                let notNull = f.name == schema.idField ? " PRIMARY KEY" : (f.required ? " NOT NULL" : "")
                cols.append("\(f.name) \(type)\(notNull)")
            }
            cols.append("_hash BIGINT NOT NULL")
            cols.append("_run_created BIGINT")
            cols.append("_run_updated BIGINT")
            try await db.raw("CREATE TABLE \(unsafeRaw: kind.table) (\(unsafeRaw: cols.joined(separator: ", ")))").run()
            for (pos, _, _) in schema.references where schema.fields[pos].name != schema.idField {
                let col = schema.fields[pos].name
                if case .referenceList = schema.fields[pos].type { continue }
                try await db.raw("CREATE INDEX \(unsafeRaw: "ix_\(kind.rawValue)_\(col)") ON \(unsafeRaw: kind.table) (\(unsafeRaw: col))").run()
            }
        }
    }

    static func sqlType(_ t: FieldType) -> String {
        switch t {
        case .time, .bool: "BIGINT"
        case .number: "DOUBLE PRECISION"
        default: "TEXT"
        }
    }
}
