import AnguanStore
import Foundation
import Logging

/// The databases every storage test runs on.
public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres
    public var description: String { rawValue }
}

/// A fresh, empty database for one test: a new SQLite file, or a new database in the throwaway
/// PostgreSQL cluster that `scripts/test.sh` starts (`ANGUAN_TEST_POSTGRES_URL`).
public struct TestDatabase: Sendable {
    public let url: DatabaseURL
    public let directory: String

    /// Nil when the backend is PostgreSQL and no server was started; that is a failure
    /// when `ANGUAN_REQUIRE_POSTGRES=1`.
    public static func make(_ backend: Backend) async throws -> TestDatabase? {
        let dir = NSTemporaryDirectory() + "anguan-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        switch backend {
        case .sqlite:
            return TestDatabase(url: .sqlite(path: dir + "/test.sqlite"), directory: dir)
        case .postgres:
            guard let base = ProcessInfo.processInfo.environment["ANGUAN_TEST_POSTGRES_URL"] else {
                if ProcessInfo.processInfo.environment["ANGUAN_REQUIRE_POSTGRES"] == "1" {
                    throw TestSetupError("PostgreSQL is required but ANGUAN_TEST_POSTGRES_URL is not set")
                }
                return nil
            }
            let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            let admin = try await Store.open(try DatabaseURL(parsing: base), logger: quietLogger, migrate: false)
            _ = try await admin.read { db in try await db.raw("CREATE DATABASE \(unsafeRaw: name)").all() }
            await admin.close()
            guard let slash = base.lastIndex(of: "/") else { throw TestSetupError("bad URL \(base)") }
            return TestDatabase(url: .postgres(url: String(base[...slash]) + name), directory: dir)
        }
    }

    public func open() async throws -> Store {
        try await Store.open(url, logger: quietLogger)
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

public let quietLogger: Logger = {
    var l = Logger(label: "anguan.test")
    l.logLevel = .warning
    return l
}()

/// The package root, for the built `anguan` binary and fixtures.
public let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

extension TestDatabase {
    /// Opens the store, runs the body and closes the store, also when the body throws.
    public func withStore<T>(_ body: (Store) async throws -> T) async throws -> T {
        let store = try await open()
        do {
            let r = try await body(store)
            await store.close()
            return r
        } catch {
            await store.close()
            throw error
        }
    }
}
