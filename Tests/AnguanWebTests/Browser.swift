import Foundation
import Logging
import NIOCore
import Testing
import WSClient

/// Headless Chromium driven over the DevTools protocol (a WebSocket): navigate, run a line of
/// JavaScript, read the page's text, take screenshots. Chromium comes from Debian's `chromium`.
struct Browser {
    static let executable = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `body` with a page of a fresh headless Chromium; nil when Chromium is not installed (an error
    /// when `ANGUAN_REQUIRE_CHROMIUM=1`).
    static func withPage(_ body: @escaping @Sendable (Page) async throws -> Void) async throws -> Bool {
        guard let exe = executable else {
            if ProcessInfo.processInfo.environment["ANGUAN_REQUIRE_CHROMIUM"] == "1" {
                throw BrowserError("Chromium is required (ANGUAN_REQUIRE_CHROMIUM=1) but not installed")
            }
            return false
        }
        let profile = NSTemporaryDirectory() + "anguan-chromium-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=\(profile)", "--window-size=1360,1000", "--lang=zh-CN",
                             "about:blank"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: profile)
        }
        // Chromium writes its port into the profile once it listens.
        var endpoint: String?
        for _ in 0..<150 {
            if let text = try? String(contentsOfFile: profile + "/DevToolsActivePort", encoding: .utf8) {
                let lines = text.split(separator: "\n")
                if lines.count >= 2, let port = Int(lines[0]) {
                    endpoint = "ws://127.0.0.1:\(port)\(lines[1])"
                    break
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        guard let ws = endpoint else { throw BrowserError("Chromium did not start") }
        var logger = Logger(label: "cdp")
        logger.logLevel = .warning
        try await WebSocketClient.connect(url: ws, configuration: .init(maxFrameSize: 1 << 26), logger: logger) { inbound, outbound, _ in
            let page = Page(inbound: inbound, outbound: outbound)
            // The browser endpoint: open a page target and talk to it through a flat session.
            let target = try await page.send("Target.createTarget", ["url": "about:blank"])
            let attached = try await page.send("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true])
            page.sessionId = attached["sessionId"] as? String
            try await page.send("Page.enable")
            try await body(page)
            try await outbound.close(.normalClosure, reason: nil)
        }
        return true
    }

    /// One page: commands are sent one at a time and their answers awaited.
    final class Page: @unchecked Sendable {
        let outbound: WebSocketOutboundWriter
        var iterator: WebSocketInboundStream.AsyncIterator
        var nextId = 0
        var sessionId: String?

        init(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) {
            self.outbound = outbound
            self.iterator = inbound.makeAsyncIterator()
        }

        @discardableResult
        func send(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
            nextId += 1
            let id = nextId
            var message: [String: Any] = ["id": id, "method": method, "params": params]
            if let sessionId { message["sessionId"] = sessionId }
            let data = try JSONSerialization.data(withJSONObject: message)
            try await outbound.writeTextMessage(String(decoding: data, as: UTF8.self))
            while let message = try await iterator.nextMessage(maxSize: 1 << 26) {
                guard case .text(let text) = message,
                      let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], o["id"] as? Int == id else { continue }
                if let error = o["error"] as? [String: Any] { throw BrowserError("\(method): \(error)") }
                return o["result"] as? [String: Any] ?? [:]
            }
            throw BrowserError("the browser closed the connection")
        }

        /// Evaluates JavaScript and returns its value.
        @discardableResult
        func eval(_ js: String) async throws -> Any? {
            let r = try await send("Runtime.evaluate", ["expression": js, "returnByValue": true, "awaitPromise": true])
            if let ex = r["exceptionDetails"] { throw BrowserError("script failed: \(js): \(ex)") }
            return (r["result"] as? [String: Any])?["value"]
        }

        func goto(_ url: String) async throws {
            try await send("Page.navigate", ["url": url])
            try await waitFor("document.readyState === 'complete' && location.href.startsWith(\(Self.quote(url.components(separatedBy: "#")[0])))")
        }

        /// Waits until a JavaScript condition holds (after a click that submits a form, say).
        func waitFor(_ condition: String, seconds: Double = 15) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if (try? await eval("(\(condition)) === true")) as? Bool == true { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw BrowserError("timed out waiting for \(condition); page: \((try? await text()) ?? "")")
        }

        /// Clicks an element and waits for the next page to load.
        func clickAndWait(_ selector: String) async throws {
            try await eval("window.__old = true; document.querySelector(\(Self.quote(selector))).click()")
            try await waitFor("window.__old !== true && document.readyState === 'complete'")
        }

        func fill(_ selector: String, _ value: String) async throws {
            try await eval("document.querySelector(\(Self.quote(selector))).value = \(Self.quote(value))")
        }

        func text() async throws -> String { try await eval("document.body.innerText") as? String ?? "" }

        /// A PNG of the whole page, written under `.build/e2e-screenshots/`.
        func screenshot(_ name: String) async throws {
            // Measure at the normal window height (a previous full-page shot left the viewport tall).
            try await send("Emulation.setDeviceMetricsOverride", ["width": 1360, "height": 1000, "deviceScaleFactor": 1, "mobile": false])
            let height = (try await eval("document.documentElement.scrollHeight") as? Int) ?? 1000
            try await send("Emulation.setDeviceMetricsOverride", ["width": 1360, "height": min(max(height, 800), 4000), "deviceScaleFactor": 1, "mobile": false])
            let r = try await send("Page.captureScreenshot", ["format": "png"])
            guard let b64 = r["data"] as? String, let png = Data(base64Encoded: b64) else { throw BrowserError("no screenshot") }
            let dir = Self.artefacts
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try png.write(to: URL(fileURLWithPath: dir + "/\(name).png"))
        }

        static let artefacts: String = {
            var url = URL(fileURLWithPath: #filePath)
            for _ in 0..<3 { url.deleteLastPathComponent() }
            return url.path + "/.build/e2e-screenshots"
        }()

        static func quote(_ s: String) -> String {
            let data = try! JSONSerialization.data(withJSONObject: [s])
            return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
        }
    }
}

struct BrowserError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
