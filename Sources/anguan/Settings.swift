import AnguanStore
import ArgumentParser
import Configuration
import Foundation
import Logging
import SystemPackage

/// Options every command that touches data takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "Database URL: sqlite:PATH or postgres://user:pass@host:port/db (config key db, env ANGUAN_DB).")
    var db: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error (config key log.level, env ANGUAN_LOG_LEVEL).")
    var logLevel: String?
}

/// Configuration in layers: command line > environment (`ANGUAN_*`) > config file
/// (`anguan.json`, or the file named by `ANGUAN_CONFIG`) > defaults.
struct Settings {
    let reader: ConfigReader

    static func load(commandLine: [String: String]) async throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        // ANGUAN_HTTP_PORT → HTTP_PORT, which the provider reads as the key http.port.
        var scoped: [String: String] = [:]
        for (k, v) in env where k.hasPrefix("ANGUAN_") && k != "ANGUAN_CONFIG" {
            scoped[String(k.dropFirst("ANGUAN_".count))] = v
        }
        var cli: [AbsoluteConfigKey: ConfigValue] = [:]
        for (k, v) in commandLine {
            cli[AbsoluteConfigKey(k.split(separator: ".").map(String.init))] = ConfigValue(.string(v), isSecret: false)
        }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "command line", values: cli),
            EnvironmentVariablesProvider(environmentVariables: scoped),
        ]
        let file = env["ANGUAN_CONFIG"] ?? "anguan.json"
        if FileManager.default.fileExists(atPath: file) {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
        } else if env["ANGUAN_CONFIG"] != nil {
            throw ValidationError("config file \(file) (ANGUAN_CONFIG) does not exist")
        }
        return Settings(reader: ConfigReader(providers: providers))
    }

    var databaseURL: DatabaseURL {
        get throws { try DatabaseURL(parsing: reader.string(forKey: "db", default: "sqlite:anguan.sqlite")) }
    }

    var logLevel: Logger.Level {
        Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
    }

    func string(_ key: ConfigKey, default d: String) -> String { reader.string(forKey: key, default: d) }
    func int(_ key: ConfigKey, default d: Int) -> Int {
        reader.string(forKey: key).flatMap(Int.init) ?? reader.int(forKey: key, default: d)
    }
    func bool(_ key: ConfigKey, default d: Bool) -> Bool {
        if let s = reader.string(forKey: key) { return ["1", "true", "yes", "on"].contains(s.lowercased()) }
        return reader.bool(forKey: key, default: d)
    }
}

extension StoreOptions {
    /// The layered settings with this command's flags on top.
    func settings(_ extra: [String: String] = [:]) async throws -> Settings {
        var cli = extra
        if let db { cli["db"] = db }
        if let logLevel { cli["log.level"] = logLevel }
        return try await Settings.load(commandLine: cli)
    }

    func openStore(_ settings: Settings) async throws -> Store {
        LoggingBootstrap.once(level: settings.logLevel)
        var logger = Logger(label: "anguan")
        logger.logLevel = settings.logLevel
        do {
            return try await Store.open(try settings.databaseURL, logger: logger)
        } catch let e as StoreError {
            throw ValidationError(e.description)
        }
    }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}
