import Synchronization

/// Limits failed logins: after `maxFailures` failures for one login or from one address within the
/// window, further attempts are refused until the window has passed since the first failure.
final class LoginLimiter: Sendable {
    let maxFailures: Int
    let window: Int64
    private let failures = Mutex<[String: [Int64]]>([:])

    init(maxFailures: Int = 5, windowSeconds: Int64 = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = windowSeconds
    }

    /// Seconds until another attempt is allowed for these keys, or nil when it is allowed now.
    func blocked(_ keys: [String], now: Int64) -> Int64? {
        failures.withLock { f in
            var wait: Int64?
            for k in keys {
                let recent = (f[k] ?? []).filter { now - $0 < window }
                f[k] = recent.isEmpty ? nil : recent
                if recent.count >= maxFailures, let first = recent.first { wait = max(wait ?? 0, first + window - now) }
            }
            return wait
        }
    }

    func fail(_ keys: [String], now: Int64) {
        failures.withLock { f in for k in keys { f[k, default: []].append(now) } }
    }

    func succeed(_ keys: [String]) {
        failures.withLock { f in for k in keys { f[k] = nil } }
    }
}
