import AnguanCore
import AnguanStore
import Hummingbird
import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics (bootstrapped once).
public enum MetricsRegistry {
    public static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// `/metrics`: Prometheus text; record counts per element are read at scrape time.
struct MetricsController {
    let store: Store

    func addRoutes(to router: Router<AppContext>) {
        let registry = MetricsRegistry.shared
        router.get("/metrics") { _, _ -> Response in
            if let counts = try? await Queries(store: store).elementCounts() {
                for (kind, n) in counts {
                    Gauge(label: "anguan_records", dimensions: [("element", kind.rawValue)]).record(n)
                }
            }
            var buffer: [UInt8] = []
            registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
