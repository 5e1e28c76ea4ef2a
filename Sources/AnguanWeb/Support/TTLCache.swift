import Synchronization

/// A small in-process cache whose entries live a few seconds: the dashboard and session lookups of a
/// busy branch are served from memory, and a change made by another process shows within the TTL.
final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: (expires: ContinuousClock.Instant, value: Value)]>([:])
    let ttl: Duration
    let capacity: Int

    init(ttl: Duration, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func get(_ key: Key) -> Value? {
        let now = ContinuousClock.now
        return entries.withLock { e in
            guard let hit = e[key] else { return nil }
            if hit.expires < now {
                e[key] = nil
                return nil
            }
            return hit.value
        }
    }

    func set(_ key: Key, _ value: Value) {
        let expires = ContinuousClock.now + ttl
        entries.withLock { e in
            if e.count >= capacity { e.removeAll(keepingCapacity: true) }
            e[key] = (expires, value)
        }
    }

    func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
    func removeAll() { entries.withLock { $0.removeAll() } }

    /// The cached value, or the computed one (cached for the TTL).
    func value(_ key: Key, _ compute: () async throws -> Value) async rethrows -> Value {
        if let v = get(key) { return v }
        let v = try await compute()
        set(key, v)
        return v
    }
}
