import ArgumentParser

/// `anguan`: the law-enforcement supervision platform's command line.
@main
struct Anguan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anguan",
        abstract: "案管 Anguan — 执法监督管理平台 (law-enforcement supervision platform).",
        subcommands: [ServeCommand.self, ImportCommand.self, ExportCommand.self, ImportsCommand.self, DemoCommand.self,
                      PatrolCommand.self, RulesCommand.self, UserCommand.self, AuditCommand.self]
    )
}
