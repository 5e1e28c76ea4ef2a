import AnguanStore
import ArgumentParser
import Foundation

/// `anguan import DIR`: loads a folder of interchange files, all-or-nothing by default.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a folder of interchange files (CSV or JSON Lines).")

    @Argument(help: "The folder holding units.csv, officers.csv, … (any subset).")
    var folder: String

    @Flag(help: "Write the valid rows and put every rejected row, with its reason, in a rejects file.")
    var skipInvalid = false

    @Option(help: "Where the rejects file goes (default: beside the database).")
    var rejects: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        // The folder's pre-scan runs while the store is opened (and, new, migrated).
        let scan = Importer.scan(folder: folder)
        let settings = try await storeOptions.settings()
        let store = try await storeOptions.openStore(settings)
        let tty = isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        // Progress on stderr: on a terminal a live line per file; redirected, a line as each file is
        // read (a long import shows how far it got in a log). Nothing is written before the import
        // commits, so these lines count rows read, not written; the file lines on stdout come after.
        let progress: @Sendable (ImportProgress) -> Void = { p in
            if tty {
                let line = "\r\(p.file): \(p.rows) rows, \(Int(p.rowsPerSecond)) rows/s" + (p.finished ? "\n" : "")
                FileHandle.standardError.write(Data(line.utf8))
            } else if let f = p.summary {
                let line = "\(f.file): \(f.rows) rows read, \(f.rejected) rejected, \(String(format: "%.2f", f.seconds)) s\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
        }
        let importer = Importer(store: store, options: .init(skipInvalid: skipInvalid, rejectsPath: rejects, progress: progress))
        do {
            let report = try await importer.run(folder: folder, scan: scan)
            for w in report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            for f in report.files {
                print("\(f.file): \(f.rows) rows, \(f.inserted) inserted, \(f.updated) updated, \(f.unchanged) unchanged, "
                      + "\(f.rejected) rejected, \(String(format: "%.2f", f.seconds)) s, sha256 \(f.sha256.prefix(12))")
            }
            if report.problemCount > 0 {
                for p in report.problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
            }
            var summary = "import run \(report.runId): \(report.inserted) inserted, \(report.updated) updated, "
                + "\(report.unchanged) unchanged, \(report.rejected) rejected"
            if let r = report.rejectsPath { summary += "; rejected rows written to \(r)" }
            print(summary)
            await store.close()
        } catch let rejected as ImportRejected {
            for w in rejected.report.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            FileHandle.standardError.write(Data("\(rejected)\n".utf8))
            await store.close()
            throw ExitCode(1)
        } catch {
            await store.close()
            throw error
        }
    }
}
