import AnguanCore
import PostgresNIO
import SQLKit
import SQLiteNIO

/// A statement built from fixed SQL and bound values (never values spliced into the text), usable
/// through SQLKit or through the drivers directly where rows are many and columns are read by position.
public struct SQLText: Sendable {
    /// SQL with `?` for each bound value.
    public private(set) var sql: String
    public private(set) var binds: [StoredValue?]

    public init(_ sql: String = "") {
        self.sql = sql
        binds = []
    }

    public mutating func append(_ literal: String) { sql += literal }

    public mutating func bind(_ v: String?) {
        sql += "?"
        binds.append(v.map(StoredValue.text))
    }

    public mutating func bind(_ v: Int64) {
        sql += "?"
        binds.append(.int(v))
    }

    public mutating func append(_ other: SQLText) {
        sql += other.sql
        binds += other.binds
    }

    /// The same statement for SQLKit.
    public var queryString: SQLQueryString {
        var q = SQLQueryString("")
        var parts = sql.split(separator: "?", omittingEmptySubsequences: false)
        q.appendLiteral(String(parts.removeFirst()))
        for (b, part) in zip(binds, parts) {
            switch b {
            case .text(let s)?: q.appendInterpolation(bind: s)
            case .int(let i)?: q.appendInterpolation(bind: i)
            case .real(let d)?: q.appendInterpolation(bind: d)
            case nil: q.appendInterpolation(bind: String?.none)
            }
            q.appendLiteral(String(part))
        }
        return q
    }

    /// `$1, $2, …` placeholders for PostgreSQL.
    var dollarSQL: String {
        var out = ""
        var n = 0
        for c in sql {
            if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }
}

extension Store {
    /// Runs a read and returns its rows as values by position (integers, reals and text; NULL as nil).
    /// Lists of many rows read this way: SQLKit's per-column decoding by name costs more than the query.
    public func rows(_ q: SQLText) async throws -> [[StoredValue?]] {
        if let rows = try await readSQLite(q.sql, q.binds.map { b -> SQLiteData in
            switch b {
            case .text(let s)?: .text(s)
            case .int(let i)?: .integer(Int(i))
            case .real(let d)?: .float(d)
            case nil: .null
            }
        }) {
            return rows.map { row in
                row.map { d -> StoredValue? in
                    switch d {
                    case .integer(let i): .int(Int64(i))
                    case .float(let f): .real(f)
                    case .text(let s): .text(s)
                    case .blob, .null: nil
                    }
                }
            }
        }
        return try await readPostgresRows(q)
    }
}
