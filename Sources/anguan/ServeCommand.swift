import AnguanCore
import AnguanStore
import AnguanWeb
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// `anguan serve`: the web platform, under swift-service-lifecycle (graceful shutdown on SIGTERM/SIGINT).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the platform over HTTP.")

    @Option(help: "Address to listen on (config key http.host, env ANGUAN_HTTP_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port (config key http.port, env ANGUAN_HTTP_PORT; default 8080).")
    var port: Int?

    @Flag(help: "Do not generate and import the demo branch into an empty database (config key demo, env ANGUAN_DEMO=0).")
    var noDemo = false

    @OptionGroup var patrolOptions: PatrolOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        var cli: [String: String] = [:]
        if let host { cli["http.host"] = host }
        if let port { cli["http.port"] = String(port) }
        if noDemo { cli["demo"] = "false" }
        cli.merge(patrolOptions.settingsOverrides()) { $1 }
        let settings = try await storeOptions.settings(cli)
        // Metrics first, so that the demo import and the first patrol are counted too.
        _ = MetricsRegistry.shared
        // A catalog with a rule that cannot be evaluated stops the server before it starts.
        _ = try settings.loadCatalog()
        let calendar = try settings.loadCalendar()
        let dailyAt = settings.string("patrol.daily_at", default: "06:00")
        let parts = dailyAt.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
            throw ValidationError("patrol.daily_at \"\(dailyAt)\" must be HH:MM")
        }
        let store = try await storeOptions.openStore(settings)
        var logger = Logger(label: "anguan.serve")
        logger.logLevel = settings.logLevel
        logger.info("database \(store.url)")

        if settings.bool("demo", default: true), try await Queries(store: store).isEmpty() {
            let folder = NSTemporaryDirectory() + DemoUsers.folderMarker + "\(ProcessInfo.processInfo.processIdentifier)"
            let now = Instant(seconds: Int64(Date().timeIntervalSince1970))
            logger.info("the database is empty: generating the demo branch (seed 1, scale 1, now \(now.cstString)) in \(folder)")
            try DemoGenerator(seed: 1, scale: 1, now: now).generate(to: folder)
            let report = try await Importer(store: store).run(folder: folder)
            logger.info("imported the demo branch: \(report.inserted) records (import run \(report.runId))")
            try? FileManager.default.removeItem(atPath: folder)
        }

        let rules = try settings.ruleSettings(store)
        _ = try await settings.loadCatalog(store: store)
        var options = WebOptions()
        options.sessionTimeoutSeconds = Int64(settings.int("session.timeout_minutes", default: 480)) * 60
        options.secureCookies = settings.bool("http.secure_cookies", default: false)
        let services = try await WebServices(store: store, calendar: calendar, rules: rules, options: options)
        if settings.bool("demo", default: true) {
            // Demo accounts only for a demo branch: a production database (demo = false) never gets them.
            let created = try await DemoUsers(accounts: services.accounts).createIfNone()
            if !created.isEmpty {
                var lines = ["", "演示账号（密码只显示这一次；可用 anguan user passwd 重置）Demo accounts, passwords shown once:"]
                for u in created {
                    lines.append("  \(u.role.label)\t登录名 \(u.login)\t密码 \(u.password)\t\(u.name)\(u.unitName.map { "（\($0)）" } ?? "")")
                }
                // Unbuffered, so the accounts show at once also when the output goes to a file.
                FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n\n").utf8))
            }
        }
        if try await services.accounts.count() == 0 {
            logger.notice("no users yet: add one with `anguan user add LOGIN --name 姓名 --role admin`")
        }
        let web = WebConfiguration(host: settings.string("http.host", default: "127.0.0.1"),
                                   port: settings.int("http.port", default: 8080))
        let app = buildApplication(services: services, configuration: web, logger: logger)
        let scheduler = PatrolScheduler(store: store, rules: rules, calendar: calendar,
                                        dailyAtMinute: parts[0] * 60 + parts[1], logger: logger, onChange: { services.changed() })
        let group = ServiceGroup(configuration: .init(
            services: [app, scheduler], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await store.close()
    }
}
