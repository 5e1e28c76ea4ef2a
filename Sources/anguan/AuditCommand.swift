import AnguanStore
import ArgumentParser

/// `anguan audit verify`: walks the audit log's hash chain and names the first entry that breaks it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "The audit log (审计日志).",
                                                    subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify the hash chain; exit status 1 when it is broken.")
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            let settings = try await storeOptions.settings()
            let store = try await storeOptions.openStore(settings)
            let v = try await AuditLog.verify(store: store)
            await store.close()
            if let problem = v.problem {
                print("audit log BROKEN after \(v.checked) good entries: \(problem)")
                throw ExitCode(1)
            }
            print("audit log OK: \(v.checked) entries, chain intact")
        }
    }
}
