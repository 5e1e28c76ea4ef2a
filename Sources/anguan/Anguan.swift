import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `anguan`: the law-enforcement supervision platform's command line.
@main
struct Anguan: AsyncParsableCommand {
    static func main() async {
        #if canImport(Glibc)
        // glibc gives each thread that allocates an arena of its own (up to 8 a core), and memory
        // freed into one is not reused by another; and once a large block is freed it serves
        // large blocks from the heap instead of mapping them, so freed tables and batches stay
        // resident. With the importer's threads the peak RSS grew with the data (10M records:
        // 369 MB). Four arenas and a fixed 1 MB mapping threshold keep it flat (276 MB), for a
        // few per cent of the import's speed. The server keeps glibc's defaults: its request
        // threads, which allocate JSON concurrently, were ~18 % slower with four arenas.
        // MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_ in the environment win.
        if CommandLine.arguments.dropFirst().first != "serve",
           let f = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") {  // malloc.h is not in Glibc's module
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mallopt = unsafeBitCast(f, to: Mallopt.self)
            if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(-8, 4) }  // M_ARENA_MAX
            if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(-3, 1 << 20) }  // M_MMAP_THRESHOLD
        }
        #endif
        do {
            var command = try parseAsRoot()
            if var async = command as? any AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "anguan",
        abstract: "案管 Anguan — 执法监督管理平台 (law-enforcement supervision platform).",
        subcommands: [ServeCommand.self, ImportCommand.self, ExportCommand.self, ImportsCommand.self, DemoCommand.self,
                      PatrolCommand.self, RulesCommand.self, UserCommand.self, AuditCommand.self]
    )
}
