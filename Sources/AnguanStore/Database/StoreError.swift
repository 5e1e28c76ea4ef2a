/// Errors of the storage layer.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    case configuration(String)
    case migration(String)
    case notFound(String)
    case io(String)

    public var description: String {
        switch self {
        case .configuration(let s): "configuration: \(s)"
        case .migration(let s): "migration: \(s)"
        case .notFound(let s): "not found: \(s)"
        case .io(let s): s
        }
    }
}
