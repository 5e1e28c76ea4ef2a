import AnguanCore
import AnguanStore
import ArgumentParser
import Foundation

/// `anguan demo --out DIR`: generates a realistic branch in the interchange format.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Generate a demo branch (deterministic per seed and --now) as interchange CSV.")

    @Option(help: "The folder to write.")
    var out: String

    @Option(help: "Random seed: the same seed and --now give byte-identical files.")
    var seed: UInt64 = 1

    @Option(help: "Scale: 1 ≈ 15,000 records (a mid-size branch's year); 60 ≈ 1M.")
    var scale: Double = 1

    @Option(help: "The end of the demo year, \"YYYY-MM-DD HH:MM[:SS]\" China time (default: now).")
    var now: String?

    func run() async throws {
        let end: Instant
        if let now {
            guard let t = Instant.parse(now) else { throw ValidationError("--now \"\(now)\" is not a time (YYYY-MM-DD HH:MM)") }
            end = t
        } else {
            end = Instant(seconds: Int64(Date().timeIntervalSince1970))
        }
        let counts = try DemoGenerator(seed: seed, scale: scale, now: end).generate(to: out)
        var total = 0
        for k in ElementKind.allCases {
            print("\(k.fileStem).csv: \(counts[k] ?? 0)")
            total += counts[k] ?? 0
        }
        print("demo branch: \(total) records in \(out) (seed \(seed), scale \(scale), now \(end.cstString))")
    }
}
