import AnguanCore
import AnguanStore
import ArgumentParser
import Foundation

/// The catalog and calendar options of the patrol commands.
struct PatrolOptions: ParsableArguments {
    @Option(help: "A branch's catalog overrides (YAML list; config key patrol.catalog, env ANGUAN_PATROL_CATALOG).")
    var catalog: String?

    @Option(help: "Holiday calendar CSV replacing the shipped one (config key patrol.holidays, env ANGUAN_PATROL_HOLIDAYS).")
    var holidays: String?

    func settingsOverrides() -> [String: String] {
        var d: [String: String] = [:]
        if let catalog { d["patrol.catalog"] = catalog }
        if let holidays { d["patrol.holidays"] = holidays }
        return d
    }
}

extension Settings {
    /// The effective catalog: shipped default + the branch's overrides file, every rule checked.
    func loadCatalog(overridesPath: String? = nil) throws -> Catalog {
        do {
            return try Catalog.load(overrides: try catalogOverrides(overridesPath))
        } catch let e as Catalog.LoadErrors {
            throw ValidationError("the catalog has rules that cannot be evaluated; the patrol refuses to run:\n\(e)")
        }
    }

    /// The branch's overrides file (`patrol.catalog`), if any.
    func catalogOverrides(_ overridesPath: String? = nil) throws -> [RuleEntry] {
        guard let path = overridesPath ?? reader.string(forKey: "patrol.catalog") else { return [] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read catalog file \(path)")
        }
        return try Catalog.entries(yaml: text, source: path)
    }

    /// The effective catalog of a database: the overrides file, then the rule settings changed on the web.
    func ruleSettings(_ store: Store) throws -> RuleSettings {
        RuleSettings(store: store, fileOverrides: try catalogOverrides())
    }

    func loadCatalog(store: Store) async throws -> Catalog {
        do {
            return try await ruleSettings(store).catalog()
        } catch let e as Catalog.LoadErrors {
            throw ValidationError("the catalog has rules that cannot be evaluated; the patrol refuses to run:\n\(e)")
        }
    }

    func loadCalendar() throws -> HolidayCalendar {
        if let path = reader.string(forKey: "patrol.holidays") {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read holiday calendar \(path)")
            }
            do { return try HolidayCalendar(csv: text) } catch { throw ValidationError("\(path): \(error)") }
        }
        return try HolidayCalendar.shipped()
    }
}

/// Parses `YYYY-MM-DD HH:MM` (CST) or a bare date (00:00).
func parseNow(_ s: String?) throws -> Instant {
    guard let s else { return Instant(seconds: Int64(Date().timeIntervalSince1970)) }
    if let t = Instant.parse(s) { return t }
    if let d = CivilDate.parse(s) { return Instant(cst: d) }
    throw ValidationError("\"\(s)\" is not a time (YYYY-MM-DD HH:MM, China time)")
}
