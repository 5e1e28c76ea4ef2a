import Hummingbird
import Metrics

/// Counts requests and times them: `anguan_http_requests_total` and
/// `anguan_http_request_duration_seconds`, by method, route and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let route = context.endpointPath ?? "unmatched"
        var status = 500
        defer {
            let dims = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
            Counter(label: "anguan_http_requests_total", dimensions: dims).increment()
            Timer(label: "anguan_http_request_duration_seconds", dimensions: [("route", route)], preferredDisplayUnit: .seconds)
                .recordInterval(since: start)
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let e as any HTTPResponseError {
            status = e.status.code
            throw e
        }
    }
}

extension Timer {
    func recordInterval(since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        recordNanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }
}
