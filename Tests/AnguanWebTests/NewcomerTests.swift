import AnguanTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite("The README's first command")
struct NewcomerTests {
    /// `anguan serve` on an empty database: the demo branch is imported, demo accounts are printed once,
    /// a printed account signs in and sees the 工作台, and SIGTERM stops the server cleanly.
    @Test func serveOnAnEmptyDatabasePrintsAccountsThatSignIn() async throws {
        let binary = packageRoot + "/.build/debug/anguan"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the anguan binary first")
        let dir = NSTemporaryDirectory() + "anguan-newcomer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = 20_000 + Int(ProcessInfo.processInfo.processIdentifier % 20_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--db", "sqlite:\(dir)/anguan.sqlite", "--port", String(port), "--log-level", "warning"]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        let printed = Mutex("")
        out.fileHandleForReading.readabilityHandler = { h in
            let chunk = String(decoding: h.availableData, as: UTF8.self)
            printed.withLock { $0 += chunk }
        }
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        // The accounts are printed once the demo branch is in.
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline, !printed.withLock({ $0.contains("登录名 admin") }) {
            try await Task.sleep(for: .milliseconds(200))
        }
        let text = printed.withLock { $0 }
        #expect(text.contains("演示账号"))
        let line = try #require(text.split(separator: "\n").first { $0.contains("登录名 anguan") })
        let fields = line.split(separator: "\t").map(String.init)
        let password = try #require(fields.first { $0.hasPrefix("密码 ") }).dropFirst(3)
        #expect(password.count == 12)
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            var health: TestClient.Response?
            for _ in 0..<100 {
                if let r = try? await client.get("/health"), r.head.status == .ok { health = r; break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(health != nil)
            let login = try await client.post("/login", headers: [.contentType: "application/x-www-form-urlencoded"],
                                              body: ByteBuffer(string: "login=anguan&password=\(password)&next=/"))
            #expect(login.head.status == .seeOther)
            let cookie = String(try #require(login.head.headerFields[.setCookie]).split(separator: ";")[0])
            let board = try await client.get("/", headers: [.cookie: cookie])
            #expect(board.head.status == .ok)
            #expect(String(buffer: board.body ?? ByteBuffer()).contains("问题状态"))
        }
        p.terminate()  // SIGTERM: graceful shutdown
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 0)
        try? FileManager.default.removeItem(atPath: dir)
    }
}
