/// Where the data lives: an SQLite file (the embedded default) or a PostgreSQL server.
public enum DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// The default: `sqlite:anguan.sqlite` in the working directory.
    public static let `default` = DatabaseURL.sqlite(path: "anguan.sqlite")

    /// Parses `sqlite:PATH` (also `sqlite://PATH`) or `postgres://user:pass@host:port/db` (also `postgresql://`).
    public init(parsing s: String) throws(StoreError) {
        if s.hasPrefix("sqlite://") {
            self = .sqlite(path: String(s.dropFirst("sqlite://".count)))
        } else if s.hasPrefix("sqlite:") {
            self = .sqlite(path: String(s.dropFirst("sqlite:".count)))
        } else if s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") {
            self = .postgres(url: s)
        } else {
            throw .configuration("database URL \"\(s)\" must start with sqlite: or postgres://")
        }
        if case .sqlite(let p) = self, p.isEmpty { throw .configuration("sqlite: URL needs a file path") }
    }

    /// The URL with any password hidden, for logs and pages.
    public var description: String {
        switch self {
        case .sqlite(let p): return "sqlite:\(p)"
        case .postgres(let u):
            guard let at = u.firstIndex(of: "@"), let scheme = u.range(of: "://") else { return u }
            let creds = u[scheme.upperBound..<at]
            let user = creds.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
            return u[..<scheme.upperBound] + user + (creds.contains(":") ? ":***" : "") + u[at...]
        }
    }
}

/// The SQL dialect behind a store, where the two databases need different SQL.
public enum Dialect: String, Sendable {
    case sqlite, postgres
}
