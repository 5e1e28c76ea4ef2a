import Foundation
import Hummingbird

/// The stylesheet and the little script of the pages, read once from the bundle.
struct StaticController {
    let files: [String: (type: String, body: ByteBuffer)]

    init() {
        var files: [String: (String, ByteBuffer)] = [:]
        if let dir = Bundle.module.resourceURL?.appendingPathComponent("Static") {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] {
                guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path) else { continue }
                let type = name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
                files[name] = (type, ByteBuffer(bytes: data))
            }
        }
        self.files = files
    }

    func addRoutes(to router: Router<AppContext>) {
        router.get("/static/:file") { _, context -> Response in
            guard let f = files[context.parameters.get("file") ?? ""] else { throw AppError.notFound("文件不存在") }
            return Response(status: .ok, headers: [.contentType: f.type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: f.body))
        }
    }
}
