import Foundation
import HTTPTypes
import Hummingbird

/// A JSON response from plain dictionaries and arrays (keys sorted, so output is stable).
struct JSONResponse: ResponseGenerator {
    let object: Any
    var status: HTTPResponse.Status = .ok

    init(_ object: Any, status: HTTPResponse.Status = .ok) {
        self.object = object
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// A JSON object body (at most 1 MB), or a 400.
    func jsonObject() async throws -> [String: Any] {
        var r = self
        let buffer = try await r.collectBody(upTo: 1 << 20)
        guard let o = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw AppError.badRequest(field: "body", reason: "请求体须为 JSON 对象")
        }
        return o
    }
}
