import AnguanCore
import AnguanStore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Where the web application listens.
public struct WebConfiguration: Sendable {
    public var host: String
    public var port: Int
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }
}

/// Builds the router: every controller registers its routes here, then `/openapi.json` describes them all.
public func buildRouter(services: WebServices) -> Router<AppContext> {
    let router = Router(context: AppContext.self)
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: RequestMetricsMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    // Errors of signing in are mapped outside it; errors of the handlers inside, where the page knows the user.
    router.add(middleware: ErrorMiddleware(templates: services.templates))
    router.add(middleware: AuthMiddleware(services: services))
    router.add(middleware: ErrorMiddleware(templates: services.templates))
    HealthController(store: services.store).addRoutes(to: router)
    MetricsController(store: services.store).addRoutes(to: router)
    StaticController().addRoutes(to: router)
    LoginController(services: services).addRoutes(to: router)
    DashboardController(services: services).addRoutes(to: router)
    HomeController(services: services).addRoutes(to: router)
    ProblemController(services: services).addRoutes(to: router)
    CaseController(services: services).addRoutes(to: router)
    WorklistController(services: services).addRoutes(to: router)
    RuleController(services: services).addRoutes(to: router)
    AdminController(services: services).addRoutes(to: router)
    IngestController(services: services).addRoutes(to: router)
    let routes = router.routes.map { (method: $0.method.rawValue, path: $0.path.description) } + [(method: "GET", path: "/openapi.json")]
    let document = OpenAPIDocument.build(routes: routes)
    var text = ""
    JSONText.write(document, into: &text)
    let body = ByteBuffer(string: text)
    router.get("/openapi.json") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
    return router
}

/// Builds the HTTP application (tests build the same one with another configuration).
public func buildApplication(services: WebServices, configuration: WebConfiguration, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(services: services),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "anguan"),
        logger: logger
    )
}
