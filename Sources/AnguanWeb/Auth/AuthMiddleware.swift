import AnguanCore
import AnguanStore
import Foundation
import HTTPTypes
import Hummingbird

/// Signs requests in: a session cookie (browsers) or `Authorization: Bearer <API token>` (machines).
/// A session unused for longer than the timeout is closed. Every state-changing request that comes
/// with a session cookie must carry the session's CSRF token (form field `_csrf` or `X-CSRF-Token`).
struct AuthMiddleware: RouterMiddleware {
    let services: WebServices
    static let cookieName = "anguan_session"

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        if request.cookies["lang"]?.value == Language.en.rawValue { context.language = .en }
        context.currentPath = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        let now = services.now().seconds
        if let auth = request.headers[.authorization], auth.hasPrefix("Bearer ") {
            let token = String(auth.dropFirst(7))
            guard let userId = try await services.accounts.tokenUser(token), let actor = try await services.actor(userId) else {
                throw AppError.unauthenticated
            }
            context.actor = actor
            return try await next(request, context)
        }
        guard let token = request.cookies[Self.cookieName]?.value else { return try await next(request, context) }
        var session = services.sessionCache.get(token)
        if session == nil, let s = try await services.accounts.session(token: token) {
            session = s
            services.sessionCache.set(token, s)
        }
        if let s = session {
            if now - s.lastSeenAt > services.options.sessionTimeoutSeconds {
                services.sessionCache.remove(token)
                try await services.accounts.closeSession(tokenHash: s.tokenHash)
                if request.method == .get, !request.uri.path.hasPrefix("/api/"), request.uri.path != "/login" {
                    let next = request.uri.path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
                    var response = Response.redirect(to: "/login?expired=1&next=\(next)")
                    response.setCookie(Self.sessionCookie("", request, services.options))
                    return response
                }
                context.sessionExpired = true
            } else if let actor = try await services.actor(s.userId) {
                if now - s.lastSeenAt > 60 {
                    try await services.accounts.touch(tokenHash: s.tokenHash, at: now)
                    services.sessionCache.set(token, .init(userId: s.userId, csrf: s.csrf, lastSeenAt: now, tokenHash: s.tokenHash))
                }
                context.actor = actor
                context.csrf = s.csrf
                if ![.get, .head, .options].contains(request.method) {
                    try await Self.checkCSRF(&request, expected: s.csrf)
                }
            }
        }
        return try await next(request, context)
    }

    /// The session cookie (an empty value clears it): HttpOnly, SameSite=Lax, and Secure when configured
    /// or when a TLS-terminating proxy says the browser came over https.
    static func sessionCookie(_ value: String, _ request: Request, _ options: WebOptions) -> Cookie {
        let secure = options.secureCookies || request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https"
        return Cookie(name: cookieName, value: value, maxAge: value.isEmpty ? 0 : nil, path: "/", secure: secure, httpOnly: true,
                      sameSite: .lax)
    }

    /// Checks the CSRF token of a state-changing request (the body is kept for the handler).
    static func checkCSRF(_ request: inout Request, expected: String) async throws {
        if let header = request.headers[HTTPField.Name("X-CSRF-Token")!] {
            guard header == expected else { throw AppError.csrf }
            return
        }
        guard request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true else { throw AppError.csrf }
        let body = try await request.collectBody(upTo: 1 << 20)
        let form = Form(encoded: String(buffer: body))
        guard form["_csrf"] == expected else { throw AppError.csrf }
    }
}
