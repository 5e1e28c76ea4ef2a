import AnguanCore
import SQLKit

/// The hash-chained audit log. Entries are only ever appended (triggers refuse UPDATE and DELETE);
/// `verify` walks the chain and names the first entry that breaks it.
public enum AuditLog {
    /// Appends an entry inside the caller's transaction. The head row is updated first, which locks it,
    /// so concurrent writers are numbered one after the other.
    @discardableResult
    public static func append(_ s: Session, actor: String, action: String, object: String, detail: String,
                              at: Instant = Instant(seconds: Int64(clock_seconds()))) async throws -> Int64 {
        let db = s.sql
        try await db.raw("UPDATE audit_head SET seq = seq + 1 WHERE id = 1").run()
        let head = try await db.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first()!
        let seq = try head.decode(column: "seq", as: Int64.self)
        let previous = try head.decode(column: "hash", as: String.self)
        let hash = AuditChain.hash(previous: previous, seq: seq, at: at, actor: actor, action: action, object: object,
                                   detail: detail)
        try await db.raw("UPDATE audit_head SET hash = \(bind: hash) WHERE id = 1").run()
        try await db.raw("""
            INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash)
            VALUES (\(bind: seq), \(bind: at.seconds), \(bind: actor), \(bind: action), \(bind: object), \(bind: detail),
                    \(bind: previous), \(bind: hash))
            """).run()
        return seq
    }

    /// The outcome of a verification.
    public struct Verification: Sendable {
        public let checked: Int64
        public let problem: AuditChain.Break?
        public var ok: Bool { problem == nil }
    }

    /// Walks the whole chain in order, a page at a time.
    public static func verify(store: Store) async throws -> Verification {
        try await store.read { db in
            var verifier = AuditChain.Verifier()
            var after: Int64 = -1
            while true {
                let rows = try await db.raw("""
                    SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log
                    WHERE seq > \(bind: after) ORDER BY seq LIMIT 5000
                    """).all()
                if rows.isEmpty { break }
                for r in rows {
                    let e = try entry(r)
                    if let problem = verifier.check(e) { return Verification(checked: verifier.checked, problem: problem) }
                    after = e.seq
                }
            }
            let head = try await db.raw("SELECT seq FROM audit_head WHERE id = 1").first()!.decode(column: "seq", as: Int64.self)
            return Verification(checked: verifier.checked, problem: verifier.finish(headSeq: head))
        }
    }

    /// The latest entries, newest first (optionally about one object).
    public static func latest(store: Store, object: String? = nil, limit: Int = 50) async throws -> [AuditEntry] {
        try await store.read { db in
            let rows: [any SQLRow]
            if let object {
                rows = try await db.raw("""
                    SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log WHERE object = \(bind: object)
                    ORDER BY seq DESC LIMIT \(bind: limit)
                    """).all()
            } else {
                rows = try await db.raw("""
                    SELECT seq, at, actor, action, object, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT \(bind: limit)
                    """).all()
            }
            return try rows.map(entry)
        }
    }

    static func entry(_ r: any SQLRow) throws -> AuditEntry {
        AuditEntry(seq: try r.decode(column: "seq", as: Int64.self), at: Instant(seconds: try r.decode(column: "at", as: Int64.self)),
                   actor: try r.decode(column: "actor", as: String.self), action: try r.decode(column: "action", as: String.self),
                   object: try r.decode(column: "object", as: String.self), detail: try r.decode(column: "detail", as: String.self),
                   previousHash: try r.decode(column: "prev_hash", as: String.self), hash: try r.decode(column: "hash", as: String.self))
    }
}
