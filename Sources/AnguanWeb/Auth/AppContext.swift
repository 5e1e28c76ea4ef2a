import AnguanCore
import Hummingbird
import NIOCore

/// The request context of every route: who is signed in (if anyone), their session's CSRF token,
/// and where the request came from.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in user, set by `AuthMiddleware`.
    public var actor: Actor?
    /// The session's CSRF token (nil for API tokens, which carry no cookie).
    public var csrf: String?
    /// The session cookie had expired (the login page says so).
    public var sessionExpired = false
    /// The language of the pages (the `lang` cookie; Chinese unless English was chosen).
    public var language: Language = .zh
    /// The page asked for (path and query), for the language switch to come back to.
    public var currentPath = "/"
    /// The peer address, for the login rate limit and the audit log.
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Uploads (record ingestion) may be large.
    public var maxUploadSize: Int { 256 * 1024 * 1024 }

    /// The signed-in user, or a 401 (pages turn it into a redirect to the login page).
    public func requireActor() throws -> Actor {
        guard let actor else { throw AppError.unauthenticated }
        return actor
    }

    /// The signed-in user with a permission, or a 403.
    public func require(_ permission: Permission) throws -> Actor {
        let a = try requireActor()
        guard permission.isGranted(to: a.role) else { throw AppError.forbidden("\(a.role.label)无权访问此功能") }
        return a
    }
}
