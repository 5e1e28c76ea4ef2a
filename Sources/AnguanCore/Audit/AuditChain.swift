import Crypto

/// One entry of the audit log (审计日志): who did what to which object, when. Entries are
/// hash-chained: each hash covers the previous entry's hash and this entry's canonical form, so an
/// entry edited, inserted or deleted afterwards breaks the chain from that point on.
public struct AuditEntry: Sendable, Equatable {
    public let seq: Int64
    public let at: Instant
    /// The login of the person (or `patrol`, `import`, `cli` for the platform itself).
    public let actor: String
    public let action: String
    /// What was acted on, e.g. `problem:17`, `user:zhangsan`, `rule:A1`.
    public let object: String
    /// Details, e.g. before and after.
    public let detail: String
    public let previousHash: String
    public let hash: String

    public init(seq: Int64, at: Instant, actor: String, action: String, object: String, detail: String,
                previousHash: String, hash: String) {
        self.seq = seq
        self.at = at
        self.actor = actor
        self.action = action
        self.object = object
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// The hash chain of the audit log.
public enum AuditChain {
    /// The "previous hash" of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The canonical form of an entry: its fields, each length-prefixed so that no two different
    /// entries share a form.
    public static func canonical(seq: Int64, at: Instant, actor: String, action: String, object: String, detail: String) -> String {
        [String(seq), String(at.seconds), actor, action, object, detail].map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }

    /// SHA-256 over the previous hash and the canonical entry, as lowercase hex.
    public static func hash(previous: String, seq: Int64, at: Instant, actor: String, action: String, object: String,
                            detail: String) -> String {
        sha256Hex(previous + "\n" + canonical(seq: seq, at: at, actor: actor, action: action, object: object, detail: detail))
    }

    /// SHA-256 of a string's UTF-8 bytes, as lowercase hex.
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }

    /// Bytes (a digest) as lowercase hex.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }

    /// Why the chain is broken, naming the first entry where it breaks.
    public enum Break: Sendable, Equatable, CustomStringConvertible {
        /// The entry's content no longer matches its hash: it was edited.
        case edited(seq: Int64)
        /// The entry does not follow the one before it (its previous hash or number is wrong): an entry
        /// was inserted or deleted just before it.
        case unlinked(seq: Int64, expectedSeq: Int64)
        /// The last entries were deleted: the chain ends before the recorded head.
        case truncated(lastSeq: Int64, headSeq: Int64)

        public var description: String {
            switch self {
            case .edited(let s): "entry \(s) was edited: its content does not match its hash"
            case .unlinked(let s, let e):
                s == e ? "entry \(s) does not follow the entry before it: an entry was inserted or deleted before it"
                    : "entry \(s) follows entry \(e - 1): entry \(e) was deleted or entry \(s) inserted"
            case .truncated(let l, let h): "the log ends at entry \(l) but \(h) entries were written: the last entries were deleted"
            }
        }
    }

    /// A walker that checks entries in order, one at a time (the log can be long).
    public struct Verifier: Sendable {
        private var previous = AuditChain.genesis
        private var expected: Int64 = 1
        public private(set) var checked: Int64 = 0

        public init() {}

        /// Checks the next entry; returns the break at this entry, if any.
        public mutating func check(_ e: AuditEntry) -> Break? {
            if e.seq != expected || e.previousHash != previous { return .unlinked(seq: e.seq, expectedSeq: expected) }
            let h = AuditChain.hash(previous: previous, seq: e.seq, at: e.at, actor: e.actor, action: e.action, object: e.object,
                                    detail: e.detail)
            if h != e.hash { return .edited(seq: e.seq) }
            previous = e.hash
            expected += 1
            checked += 1
            return nil
        }

        /// Checks that the chain reached the head recorded beside it.
        public func finish(headSeq: Int64) -> Break? {
            checked < headSeq ? .truncated(lastSeq: checked, headSeq: headSeq) : nil
        }
    }
}
