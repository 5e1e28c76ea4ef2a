import AnguanCore
import AnguanStore
import Foundation
import HTTPTypes
import Hummingbird

/// The web layer's errors, each with a status, a stable code and a Chinese message.
public enum AppError: Error, Sendable {
    case unauthenticated
    case forbidden(String)
    case notFound(String)
    case badRequest(field: String, reason: String)
    case conflict(String)
    case csrf
    case tooManyAttempts(minutes: Int)
    case unprocessable(code: String, message: String, details: [String])

    var status: HTTPResponse.Status {
        switch self {
        case .unauthenticated: .unauthorized
        case .forbidden, .csrf: .forbidden
        case .notFound: .notFound
        case .badRequest: .badRequest
        case .conflict: .conflict
        case .tooManyAttempts: .tooManyRequests
        case .unprocessable: .unprocessableContent
        }
    }

    var code: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .badRequest: "invalid_input"
        case .conflict: "conflict"
        case .csrf: "csrf_token_invalid"
        case .tooManyAttempts: "too_many_attempts"
        case .unprocessable(let code, _, _): code
        }
    }

    var message: String {
        switch self {
        case .unauthenticated: "请先登录"
        case .forbidden(let s): s
        case .notFound(let s): s
        case .badRequest(let f, let r): "\(f)：\(r)"
        case .conflict(let s): s
        case .csrf: "表单已失效（CSRF 校验失败），请刷新页面后重试"
        case .tooManyAttempts(let m): "登录失败次数过多，请 \(m) 分钟后再试"
        case .unprocessable(_, let m, _): m
        }
    }

    var field: String? { if case .badRequest(let f, _) = self { f } else { nil } }
    var details: [String] { if case .unprocessable(_, _, let d) = self { d } else { [] } }

    /// The one place where errors of the lower layers become HTTP errors.
    static func from(_ error: any Error) -> AppError? {
        switch error {
        case let e as AppError: return e
        case let e as LoopError:
            switch e {
            case .notFound(let s): return .notFound("\(s)不存在或不在您的权限范围内")
            case .refused(let r): return .conflict(r.description)
            case .forbidden(let s): return .forbidden(s)
            case .invalid(let f, let r): return .badRequest(field: f, reason: r)
            case .conflict(let s): return .conflict(s)
            }
        default: return nil
        }
    }
}

/// Maps errors to responses: JSON `{"error": {"code", "message"}}` under `/api` and `/openapi.json`,
/// a Chinese page elsewhere (and a redirect to the login page when not signed in). 5xx are logged.
struct ErrorMiddleware: RouterMiddleware {
    let templates: Templates

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let isAPI = request.uri.path.hasPrefix("/api/")
            guard let app = AppError.from(error) else {
                if let http = error as? any HTTPResponseError, http.status.code < 500 {
                    if isAPI { return Self.json(status: http.status, code: "http_\(http.status.code)", message: http.status.reasonPhrase) }
                    throw error
                }
                context.logger.error("request failed: \(String(reflecting: error))")
                if isAPI { return Self.json(status: .internalServerError, code: "internal", message: "服务器内部错误") }
                return try templates.response("error", ["title": "服务器内部错误", "message": "服务器内部错误，请稍后重试或联系管理员"],
                                              context: context, status: .internalServerError)
            }
            if isAPI {
                return Self.json(status: app.status, code: app.code, message: app.message, field: app.field, details: app.details)
            }
            if case .unauthenticated = app {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Response.redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            var data: [String: Any] = ["title": app.status == .notFound ? "未找到" : "无法完成操作", "message": app.message]
            if !app.details.isEmpty { data["details"] = app.details }
            return try templates.response("error", data, context: context, status: app.status)
        }
    }

    static func json(status: HTTPResponse.Status, code: String, message: String, field: String? = nil, details: [String] = []) -> Response {
        var error: [String: Any] = ["code": code, "message": message]
        if let field { error["field"] = field }
        if !details.isEmpty { error["details"] = details }
        var text = ""
        JSONText.write(["error": error], into: &text)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
