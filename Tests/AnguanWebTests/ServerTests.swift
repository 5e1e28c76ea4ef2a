import AnguanCore
import AnguanStore
import AnguanTestSupport
import AnguanWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("HTTP server")
struct ServerTests {
    func withApp(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        _ = MetricsRegistry.shared  // as `serve` does: before anything is counted
        let tdb = try await TestDatabase.make(.sqlite)!
        let store = try await tdb.open()
        _ = try await Importer(store: store).run(folder: FixtureFolder().path)
        let services = try await WebServices(store: store, calendar: try HolidayCalendar.shipped(), bcryptCost: 4)
        try await Accounts(store: store, cost: 4).add(login: "anguan", name: "案管", role: .supervisor, unitId: nil,
                                                      password: LoopFixture.password, by: "test")
        let app = buildApplication(services: services, configuration: .init(host: "127.0.0.1", port: 0), logger: quietLogger)
        try await app.test(.router) { client in try await body(client) }
        await store.close()
    }

    @Test func healthReportsTheDatabase() async throws {
        try await withApp { client in
            try await client.execute(uri: "/health", method: .get) { res in
                #expect(res.status == .ok)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as! [String: Any]
                #expect(json["status"] as? String == "ok")
                #expect(json["databaseReachable"] as? Bool == true)
                #expect(json["schemaVersion"] as? Int == Migrator.latestVersion)
                #expect(res.headers[.xContentTypeOptions] == "nosniff")
            }
        }
    }

    @Test func metricsArePrometheusTextWithOurPrefix() async throws {
        try await withApp { client in
            _ = try await client.execute(uri: "/health", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { res in
                let text = String(buffer: res.body)
                #expect(res.status == .ok)
                #expect(text.contains("anguan_http_requests_total"))
                #expect(text.contains("anguan_records{element=\"units\"} 2"))
                #expect(text.contains("anguan_import_runs_total{outcome=\"committed\"}"))
                #expect(text.contains("anguan_import_rows_total{element=\"units\",result=\"inserted\"}"))
            }
        }
    }

    @Test func overviewPageSpeaksChinese() async throws {
        try await withApp { client in
            let session = try await Session.login(client, "anguan")
            try await client.execute(uri: "/overview", method: .get, headers: session.headers) { res in
                let html = String(buffer: res.body)
                #expect(res.status == .ok)
                #expect(res.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains("执法要素总览"))
                #expect(html.contains("南大街派出所"))
                #expect(html.contains("最近导入"))
                #expect(html.contains("日巡查"))
                #expect(html.contains("已导入"))
            }
        }
    }
}
