import AnguanCore
import ArgumentParser
import Foundation

/// `anguan rules list|show|check`: the patrol catalog.
struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "The patrol rule catalog.", subcommands: [List.self, Show.self, Check.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the rules: id, name, limit, severity, enabled.")
        @OptionGroup var patrolOptions: PatrolOptions
        func run() async throws {
            let catalog = try await Settings.load(commandLine: patrolOptions.settingsOverrides()).loadCatalog()
            for r in catalog.rules {
                let limit = r.limit?.description ?? "—"
                print("\(r.enabled ? " " : "-") \(r.id.padding(toLength: 36, withPad: " ", startingAt: 0)) \(r.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(limit.padding(toLength: 6, withPad: " ", startingAt: 0)) \(r.name)")
            }
            print("\(catalog.rules.count) rules, \(catalog.rules.filter(\.enabled).count) enabled; catalog \(catalog.version)")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one rule: name, condition, limits, window, holidays, basis.")
        @Argument var id: String
        @OptionGroup var patrolOptions: PatrolOptions
        func run() async throws {
            let catalog = try await Settings.load(commandLine: patrolOptions.settingsOverrides()).loadCatalog()
            guard let r = catalog.rule(id) else { throw ValidationError("no rule \(id)") }
            print("\(r.id) \(r.name)")
            print("  对象 subject:   \(r.subject.rawValue)   形态 shape: \(r.shape.rawValue)   严重度: \(r.severity.label) (\(r.severity.rawValue))   \(r.enabled ? "启用" : "停用")")
            if !r.condition.isEmpty { print("  条件 condition: \(r.condition)") }
            if let l = r.limit { print("  时限 limit:     \(l.chinese)" + (r.localDefault ? "（本地默认，可配置）" : "")) }
            for c in r.limits { print("                  \(c.limit.chinese) 当 \(c.when)") }
            if let w = r.warn { print("  预警 warn:      \(w.chinese)") }
            print("  节假日 holidays: \(r.holidays.map { $0 == .extend ? "顺延至节假日后第一个工作日" : "不顺延" } ?? "—")")
            for (k, v) in r.params.sorted(by: { $0.key < $1.key }) { print("  参数 \(k): \(v)") }
            if !r.conditions.isEmpty { print("  where: \(r.conditions.map(\.description).joined(separator: ", "))") }
            if let f = r.from { print("  from: \(f)  to: \(r.to ?? "（现在）")") }
            if let f = r.field { print("  field: \(f)") }
            print("  依据 basis:     \(r.basis)")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a catalog overrides file: every rule must be evaluable.")
        @Argument var file: String
        func run() async throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("cannot read \(file)") }
            do {
                let catalog = try Catalog.load(overrides: try Catalog.entries(yaml: text, source: file))
                print("\(file): ok — \(catalog.rules.count) rules, \(catalog.rules.filter(\.enabled).count) enabled; catalog \(catalog.version)")
            } catch let e as Catalog.LoadErrors {
                FileHandle.standardError.write(Data("\(e)\n".utf8))
                throw ExitCode(1)
            } catch let e as CatalogError {
                FileHandle.standardError.write(Data("\(e)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
