import AnguanStore
import Hummingbird
import Logging
import ServiceLifecycle

/// What the web application needs: the store and where to listen.
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// The request context of every route.
public typealias AppContext = BasicRequestContext

/// Builds the router: every controller registers its routes here.
public func buildRouter(store: Store) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    HealthController(store: store).addRoutes(to: router)
    MetricsController(store: store).addRoutes(to: router)
    HomeController(store: store).addRoutes(to: router)
    return router
}

/// Builds the HTTP application (tests build the same one with another configuration).
public func buildApplication(store: Store, configuration: WebConfiguration, logger: Logger)
    -> some ApplicationProtocol
{
    let router = buildRouter(store: store)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "anguan"),
        logger: logger
    )
}
