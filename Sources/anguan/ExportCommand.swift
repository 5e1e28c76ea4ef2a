import AnguanStore
import ArgumentParser

/// `anguan export DIR`: writes the store back in the interchange format.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export every element as interchange CSV (sorted by id, canonical spellings).")

    @Argument(help: "The folder to write (created if needed).")
    var folder: String

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        let settings = try await storeOptions.settings()
        let store = try await storeOptions.openStore(settings)
        let written = try await Exporter(store: store).export(to: folder)
        for (file, n) in written { print("\(file): \(n) records") }
        await store.close()
    }
}
