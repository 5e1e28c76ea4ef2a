import AnguanStore
import Foundation
import Hummingbird

/// `/health`: is the platform up, is the database reachable, which schema version it has.
struct HealthController {
    let store: Store

    struct Health: ResponseEncodable {
        let status: String
        let database: String
        let databaseReachable: Bool
        let schemaVersion: Int
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/health") { _, _ -> Response in
            var reachable = true
            var version = 0
            do {
                version = try await store.read { db in try await Migrator.currentVersion(db) }
            } catch {
                reachable = false
            }
            let body = Health(status: reachable ? "ok" : "degraded", database: store.dialect.rawValue,
                              databaseReachable: reachable, schemaVersion: version)
            let data = try JSONEncoder().encode(body)
            return Response(status: reachable ? .ok : .serviceUnavailable,
                            headers: [.contentType: "application/json; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
