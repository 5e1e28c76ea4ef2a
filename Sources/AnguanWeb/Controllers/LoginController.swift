import AnguanCore
import AnguanStore
import Foundation
import HTTPTypes
import Hummingbird

/// 登录 and 退出: a session cookie (HttpOnly, SameSite=Lax, Secure behind TLS) after a bcrypt check,
/// with failed attempts limited per login and per address.
struct LoginController {
    let services: WebServices

    func addRoutes(to router: Router<AppContext>) {
        router.get("/login") { request, context -> Response in
            var data: [String: Any] = ["title": "登录", "next": Self.safeNext(request.uri.queryParameters.get("next"))]
            if context.sessionExpired || request.uri.queryParameters.get("expired") == "1" { data["error"] = "会话已超时，请重新登录" }
            return try services.templates.response("login", data, context: context)
        }
        router.post("/login") { request, context -> Response in
            let form = try await Form.read(request)
            let login = form["login"] ?? "", password = form.fields["password"]?.first ?? ""
            let next = Self.safeNext(form["next"])
            let keys = ["login:" + login.lowercased(), "addr:" + context.remoteAddress]
            let now = services.now().seconds
            if let wait = services.limiter.blocked(keys, now: now) {
                var c = context
                c.csrf = nil
                return try services.templates.response("login", ["title": "登录", "login": login, "next": next,
                                                                   "error": AppError.tooManyAttempts(minutes: Int((wait + 59) / 60)).message],
                                                       context: c, status: .tooManyRequests)
            }
            guard let userId = try await services.accounts.authenticate(login: login, password: password, from: context.remoteAddress,
                                                                           at: services.now()) else {
                services.limiter.fail(keys, now: now)
                return try services.templates.response("login", ["title": "登录", "login": login, "next": next,
                                                                   "error": "登录名或密码错误"], context: context, status: .unauthorized)
            }
            services.limiter.succeed(keys)
            let session = try await services.accounts.openSession(userId: userId, at: now)
            var response = Response.redirect(to: next)
            response.setCookie(AuthMiddleware.sessionCookie(session.token, request, services.options))
            return response
        }
        Self.languageRoute(router)
        router.post("/logout") { request, context -> Response in
            if let token = request.cookies[AuthMiddleware.cookieName]?.value, let s = try await services.accounts.session(token: token) {
                try await services.accounts.closeSession(tokenHash: s.tokenHash)
                services.sessionCache.remove(token)
            }
            var response = Response.redirect(to: "/login")
            response.setCookie(AuthMiddleware.sessionCookie("", request, services.options))
            return response
        }
    }

    /// 中文 / English: the language switch keeps the choice in a cookie and goes back to the page.
    static func languageRoute(_ router: Router<AppContext>) {
        router.get("/lang/:code") { request, context -> Response in
            guard let lang = context.parameters.get("code").flatMap(Language.init(rawValue:)) else { throw AppError.notFound("语言不存在") }
            var response = Response.redirect(to: safeNext(request.uri.queryParameters.get("next")))
            response.setCookie(Cookie(name: "lang", value: lang.rawValue, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .lax))
            return response
        }
    }

    /// Only a local path may follow the login (no open redirect).
    static func safeNext(_ s: String?) -> String {
        guard let s, s.hasPrefix("/"), !s.hasPrefix("//"), !s.contains("\\") else { return "/" }
        return s
    }
}
