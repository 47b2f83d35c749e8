import Metrics
import Prometheus
import Vapor

/// Prometheus metrics for /metrics. swift-metrics allows one bootstrap per process, and
/// tests build many applications in one process, so the registry is process-wide.
enum SimpulMetrics {
    static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    /// Vapor reports http_requests_total and http_request_duration_seconds through
    /// swift-metrics once this has run.
    static func bootstrapOnce() { _ = bootstrapped }

    static func loginAttempt(success: Bool) {
        Counter(label: "simpul_login_attempts_total", dimensions: [("result", success ? "success" : "failure")]).increment()
    }

    /// Tallies received from witnesses (any outcome).
    static let tallies = Counter(label: "simpul_tally_submissions_total")

    static func audited(_ action: String) {
        Counter(label: "simpul_audit_entries_total", dimensions: [("action", action)]).increment()
    }
}

struct MetricsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("metrics", use: metrics)
    }

    @Sendable func metrics(req: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return Response(status: .ok, headers: headers, body: .init(string: SimpulMetrics.registry.emitToString()))
    }
}
