import AnguanCore

/// Why a request on the closed loop was not carried out. The web layer maps each case to one status.
public enum LoopError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not there, or outside the user's scope (the two are indistinguishable on purpose).
    case notFound(String)
    /// The state machine refused the transition.
    case refused(TransitionRefusal)
    /// The user's role does not allow this.
    case forbidden(String)
    /// An input failed validation: the field and why.
    case invalid(field: String, reason: String)
    /// The request conflicts with the current state (e.g. a login that exists).
    case conflict(String)

    public var description: String {
        switch self {
        case .notFound(let s): "\(s)不存在"
        case .refused(let r): r.description
        case .forbidden(let s): s
        case .invalid(let f, let r): "\(f)：\(r)"
        case .conflict(let s): s
        }
    }
}
