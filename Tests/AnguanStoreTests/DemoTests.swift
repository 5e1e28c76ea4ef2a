import AnguanCore
import AnguanStore
import Foundation
import Testing

@Suite("Demo branch")
struct DemoTests {
    @Test func theSameSeedAndNowGiveByteIdenticalFiles() throws {
        let base = NSTemporaryDirectory() + "anguan-demo-\(UUID().uuidString.prefix(6))"
        let now = Instant.parse("2026-06-01 08:00")!
        let a = try DemoGenerator(seed: 5, scale: 0.2, now: now).generate(to: base + "/a")
        _ = try DemoGenerator(seed: 5, scale: 0.2, now: now).generate(to: base + "/b")
        let c = try DemoGenerator(seed: 6, scale: 0.2, now: now).generate(to: base + "/c")
        for k in ElementKind.allCases {
            let fa = try Data(contentsOf: URL(fileURLWithPath: "\(base)/a/\(k.fileStem).csv"))
            let fb = try Data(contentsOf: URL(fileURLWithPath: "\(base)/b/\(k.fileStem).csv"))
            #expect(fa == fb, "\(k.fileStem).csv differs")
        }
        #expect(a != c)
        // Nothing happens after --now.
        let measures = try String(contentsOfFile: base + "/a/measures.csv", encoding: .utf8)
        #expect(!measures.contains("2026-06-02"))
        #expect(a[.incidents]! == 640)
    }
}
