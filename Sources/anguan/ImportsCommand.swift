import AnguanCore
import AnguanStore
import ArgumentParser

/// `anguan imports`: the recorded import runs, newest first.
struct ImportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "imports", abstract: "List the recorded import runs.")

    @Option(help: "How many runs to list.")
    var limit = 20

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let settings = try await storeOptions.settings()
        let store = try await storeOptions.openStore(settings)
        let runs = try await Queries(store: store).importRuns(limit: limit)
        for r in runs {
            let finished = r.finishedAt.map { Instant(seconds: $0).cstString } ?? "—"
            let outcome = r.outcome == "running" && r.finishedAt == nil ? "interrupted or running" : r.outcome
            print("#\(r.id) \(outcome) [\(r.mode)] \(r.folder)  started \(Instant(seconds: r.startedAt).cstString), finished \(finished)")
            print("    inserted \(r.inserted), updated \(r.updated), unchanged \(r.unchanged), rejected \(r.rejected)")
            for f in r.files {
                print("    \(f.file): \(f.rows) rows (+\(f.inserted) ~\(f.updated) =\(f.unchanged) x\(f.rejected)) sha256 \(f.sha256)")
            }
            if let m = r.message { print(m.split(separator: "\n").map { "    ! \($0)" }.joined(separator: "\n")) }
        }
        if runs.isEmpty { print("no import runs yet") }
        await store.close()
    }
}
