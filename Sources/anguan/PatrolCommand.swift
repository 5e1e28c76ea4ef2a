import AnguanCore
import AnguanStore
import ArgumentParser
import Foundation

/// `anguan patrol`: the daily patrol (日巡查), or a backtest over history.
struct PatrolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patrol", abstract: "Run the daily patrol (日巡查): evaluate every rule, sync problems, export findings.")

    @Option(help: "The patrol's reference time, \"YYYY-MM-DD HH:MM\" China time (default: now).")
    var now: String?

    @Option(help: "Only these rule ids (comma-separated).")
    var rules: String?

    @Option(help: "Write the findings as JSON Lines (rules.md format) to this file.")
    var export: String?

    @Flag(help: "Replay the patrol day by day over history instead (no problems are written).")
    var backtest = false

    @Option(help: "Backtest: first day (YYYY-MM-DD).")
    var from: String?

    @Option(help: "Backtest: last day (YYYY-MM-DD).")
    var to: String?

    @Option(help: "Backtest: compare with the catalog overrides in this file.")
    var compare: String?

    @OptionGroup var patrolOptions: PatrolOptions
    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let settings = try await storeOptions.settings(patrolOptions.settingsOverrides())
        _ = try settings.loadCatalog()
        let calendar = try settings.loadCalendar()
        let only = Set((rules ?? "").split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty })
        let store = try await storeOptions.openStore(settings)
        do {
            // Rule settings changed on the web apply to the command line's patrol too.
            let catalog = try await settings.loadCatalog(store: store)
            for id in only where catalog.rule(id) == nil { throw ValidationError("unknown rule id \(id)") }
            if backtest {
                try await runBacktest(store: store, settings: settings, catalog: catalog, calendar: calendar, only: only)
            } else {
                try await runPatrol(store: store, catalog: catalog, calendar: calendar, only: only)
            }
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    func runPatrol(store: Store, catalog: Catalog, calendar: HolidayCalendar, only: Set<String>) async throws {
        let at = try parseNow(now)
        let summary = try await PatrolRunner(store: store, catalog: catalog, calendar: calendar).run(now: at, only: only, export: export)
        print("日巡查 patrol run \(summary.runId) as of \(at.cstMinuteString) CST, catalog \(catalog.version): "
              + "\(summary.records) records in \(String(format: "%.2f", summary.seconds)) s")
        printTable(summary.counts, total: summary.findingCount, catalog: catalog)
        print("problems: \(summary.opened) new, \(summary.persisting) still open, \(summary.gone) gone (→ 复核)")
        if let export { print("findings written to \(export)") }
    }

    func printTable(_ byRule: [String: [FindingKind: Int]], total: Int, catalog: Catalog) {
        let kinds = FindingKind.allCases
        print("rule".padding(toLength: 36, withPad: " ", startingAt: 0) + "severity " + kinds.map { $0.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        for rule in catalog.rules where byRule[rule.id] != nil {
            let counts = byRule[rule.id]!
            print(rule.id.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + rule.severity.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                  + kinds.map { String(counts[$0] ?? 0).padding(toLength: 9, withPad: " ", startingAt: 0) }.joined())
        }
        print("findings: \(total)")
    }

    func runBacktest(store: Store, settings: Settings, catalog: Catalog, calendar: HolidayCalendar, only: Set<String>) async throws {
        guard let fromText = from, let toText = to, let first = CivilDate.parse(fromText), let last = CivilDate.parse(toText),
              first <= last else {
            throw ValidationError("--backtest needs --from and --to as YYYY-MM-DD, from ≤ to")
        }
        let other = try compare.map { try settings.loadCatalog(overridesPath: $0) }
        let runnerA = PatrolRunner(store: store, catalog: catalog, calendar: calendar)
        let runnerB = other.map { PatrolRunner(store: store, catalog: $0, calendar: calendar) }
        var a = Backtest(), b = Backtest()
        var day = first
        while !(last < day) {
            // The patrol runs at 06:00 each day.
            let at = Instant(cst: day, hour: 6)
            a.add(try await runnerA.findings(now: at, only: only).findings, day: day)
            if let runnerB { b.add(try await runnerB.findings(now: at, only: only).findings, day: day) }
            day = day.adding(days: 1)
        }
        print("backtest \(first) … \(last), patrol daily at 06:00, catalog \(catalog.version)")
        a.printTable()
        if let other {
            print("\ncompared with \(compare!) (catalog \(other.version)):")
            b.printTable()
            let onlyA = a.firstSeen.keys.filter { b.firstSeen[$0] == nil }.sorted()
            let onlyB = b.firstSeen.keys.filter { a.firstSeen[$0] == nil }.sorted()
            print("\nfindings only with the current catalog: \(onlyA.count)")
            for id in onlyA.prefix(50) { print("  - \(id)") }
            print("findings only with \(compare!): \(onlyB.count)")
            for id in onlyB.prefix(50) { print("  + \(id)") }
        }
    }
}

/// What a backtest learns: when each finding first fired, and whether a warning came before
/// the deadline passed.
struct Backtest {
    var firstSeen: [String: (rule: String, unit: String, day: CivilDate)] = [:]
    var warned = Set<String>()
    var overdue = Set<String>()
    var warnedBeforeOverdue = Set<String>()

    mutating func add(_ findings: [Finding], day: CivilDate) {
        for f in findings {
            let id = f.identity
            if firstSeen[id] == nil { firstSeen[id] = (f.ruleId, f.unitId ?? "-", day) }
            if f.kind == .warning { warned.insert(id) }
            if f.kind == .overdue {
                if !overdue.contains(id), warned.contains(id) { warnedBeforeOverdue.insert(id) }
                overdue.insert(id)
            }
        }
    }

    /// Monday of the ISO week of the date.
    static func week(_ d: CivilDate) -> CivilDate { d.adding(days: -d.weekdayIndex) }

    func printTable() {
        var rows: [String: (fired: Int, warned: Int)] = [:]
        for (id, v) in firstSeen {
            let key = "\(v.rule)\t\(v.unit)\t\(Self.week(v.day))"
            rows[key, default: (0, 0)].fired += 1
            if warnedBeforeOverdue.contains(id) { rows[key, default: (0, 0)].warned += 1 }
        }
        print("rule\tunit\tweek\tfindings\twarned before deadline")
        for key in rows.keys.sorted() { print("\(key)\t\(rows[key]!.fired)\t\(rows[key]!.warned)") }
        var perRule: [String: (Int, Int)] = [:]
        for (id, v) in firstSeen {
            perRule[v.rule, default: (0, 0)].0 += 1
            if warnedBeforeOverdue.contains(id) { perRule[v.rule, default: (0, 0)].1 += 1 }
        }
        print("\nper rule: findings, warned before deadline")
        for r in perRule.keys.sorted() { print("  \(r): \(perRule[r]!.0), \(perRule[r]!.1)") }
    }
}
