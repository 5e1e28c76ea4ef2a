import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body (or a query string), field by field.
struct Form: Sendable {
    private(set) var fields: [String: [String]] = [:]

    init(encoded: String) {
        for pair in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let key = decode(parts[0])
            fields[key, default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Reads a form body (at most 1 MB).
    static func read(_ request: Request) async throws -> Form {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        return Form(encoded: String(buffer: buffer))
    }

    /// A field's value, trimmed; nil when absent or empty.
    subscript(_ key: String) -> String? {
        guard let v = fields[key]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }

    /// A required field, or a 400 naming it.
    func require(_ key: String, _ label: String) throws -> String {
        guard let v = self[key] else { throw AppError.badRequest(field: key, reason: "\(label)不能为空") }
        return v
    }
}
