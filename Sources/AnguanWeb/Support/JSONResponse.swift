import AnguanCore
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
        var out = ""
        JSONText.write(object, into: &out)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: out)))
    }
}

/// JSON text of plain dictionaries, arrays, strings, numbers and booleans, keys sorted by code point.
/// (Foundation's `.sortedKeys` sorts with the locale's collator, which took most of an API request's time.)
enum JSONText {
    static func write(_ value: Any?, into out: inout String) {
        switch value {
        case nil, is NSNull: out += "null"
        case let s as String: out += JSON.string(s)
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let i as Int64: out += String(i)
        case let d as Double: out += d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)) : "null"
        case let a as [Any]:
            out += "["
            for (n, x) in a.enumerated() {
                if n > 0 { out += "," }
                write(x, into: &out)
            }
            out += "]"
        case let a as [Any?]:
            write(a.map { $0 ?? NSNull() }, into: &out)
        case let o as [String: Any]:
            out += "{"
            for (n, k) in o.keys.sorted().enumerated() {
                if n > 0 { out += "," }
                out += JSON.string(k) + ":"
                write(o[k]!, into: &out)
            }
            out += "}"
        case let o as [String: Any?]:
            write(o.compactMapValues { $0 }, into: &out)
        case let o as [String: String]:
            write(o as [String: Any], into: &out)
        default: out += JSON.string(String(describing: value!))
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A JSON body's field as the text a form would carry (numbers written out); nil when absent or empty.
    func text(_ key: String) -> String? {
        guard let v = self[key] else { return nil }
        let s = v as? String ?? "\(v)"
        return s.isEmpty ? nil : s
    }
}

extension Request {
    /// A JSON object body (at most 1 MB), or a 400; with `emptyAllowed`, no body reads as `{}`.
    func jsonObject(emptyAllowed: Bool = false) async throws -> [String: Any] {
        var r = self
        let buffer = try await r.collectBody(upTo: 1 << 20)
        if emptyAllowed, buffer.readableBytes == 0 { return [:] }
        guard let o = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw AppError.badRequest(field: "body", reason: "请求体须为 JSON 对象")
        }
        return o
    }
}
