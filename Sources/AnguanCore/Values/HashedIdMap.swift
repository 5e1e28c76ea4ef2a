/// A map from 64-bit id hashes (FNV-1a, already well mixed) to a 32-bit value, by open addressing
/// with linear probing: what the importer asks for every row and every reference (has this id been
/// seen, on which line), without `Hasher` re-hashing a key that is a hash already.
public struct HashedIdMap: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    public private(set) var count = 0
    /// Key 0 marks an empty slot; a real key 0 is kept aside.
    private var zeroValue: Int32?

    /// With `values: false` the map is a set: no value is stored (a third less memory) and every
    /// key present reads as 0.
    public init(capacity: Int = 1024, values storesValues: Bool = true) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        keys = Array(repeating: 0, count: n)
        values = storesValues ? Array(repeating: 0, count: n) : []
        mask = n - 1
    }

    /// The slot that holds `key`, or the empty slot where it would go (key ≠ 0).
    @inline(__always)
    private func slot(_ key: UInt64) -> (index: Int, found: Bool) {
        var i = Int(truncatingIfNeeded: key ^ (key >> 32)) & mask
        while true {
            let k = keys[i]
            if k == key { return (i, true) }
            if k == 0 { return (i, false) }
            i = (i + 1) & mask
        }
    }

    private func value(at i: Int) -> Int32 { values.isEmpty ? 0 : values[i] }

    /// Puts a new key in an empty slot found by `slot`.
    private mutating func fill(_ i: Int, _ key: UInt64, _ value: Int32) {
        keys[i] = key
        if !values.isEmpty { values[i] = value }
        count += 1
    }

    public subscript(key: UInt64) -> Int32? {
        get {
            if key == 0 { return zeroValue }
            let (i, found) = slot(key)
            return found ? value(at: i) : nil
        }
        set {
            guard let value = newValue else { preconditionFailure("HashedIdMap does not remove keys") }
            insert(key, value)
        }
    }

    public func contains(_ key: UInt64) -> Bool { self[key] != nil }

    /// Sets the value of `key` unless it has one; returns the value it had (nil when it was new).
    /// One probe where a lookup and an insert would take two.
    public mutating func insertIfAbsent(_ key: UInt64, _ value: Int32) -> Int32? {
        if key == 0 {
            if let v = zeroValue { return v }
            zeroValue = value
            count += 1
            return nil
        }
        if (count + 1) * 2 > keys.count { grow() }
        let (i, found) = slot(key)
        if found { return self.value(at: i) }
        fill(i, key, value)
        return nil
    }

    /// Sets the value of `key` (replacing an earlier one).
    public mutating func insert(_ key: UInt64, _ value: Int32 = 0) {
        if key == 0 {
            if zeroValue == nil { count += 1 }
            zeroValue = value
            return
        }
        if (count + 1) * 2 > keys.count { grow() }
        let (i, found) = slot(key)
        if !found {
            fill(i, key, value)
        } else if !values.isEmpty {
            values[i] = value
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = Array(repeating: 0, count: oldKeys.count * 2)
        if !oldValues.isEmpty { values = Array(repeating: 0, count: oldKeys.count * 2) }
        mask = keys.count - 1
        count = zeroValue == nil ? 0 : 1
        for (i, k) in oldKeys.enumerated() where k != 0 { fill(slot(k).index, k, oldValues.isEmpty ? 0 : oldValues[i]) }
    }
}

/// The ids of one file read so far, with the line of each: finds a duplicate id and answers whether
/// an id is in the file (a unit naming its parent).
///
/// Files list their records by id more often than not. While every id sorts after the one before,
/// none can repeat an earlier one, so the ids are only appended, in order: no hashing into a table
/// that outgrows the cache. The table is built on the first id out of order, or the first lookup,
/// and used from then on.
public struct SeenIds: Sendable {
    private var lastId = ""
    private var keys: [UInt64] = []
    private var lines: [Int32] = []
    private var table: HashedIdMap?

    public init() {}

    public var count: Int { table?.count ?? keys.count }

    /// Records `id` (whose `key` is its hash) read on `line`; returns the line it was first read on
    /// when it was read before.
    public mutating func insert(_ id: String, key: UInt64, line: Int32) -> Int32? {
        if table == nil {
            if keys.isEmpty || id > lastId {
                lastId = id
                keys.append(key)
                lines.append(line)
                return nil
            }
            buildTable()
        }
        return table!.insertIfAbsent(key, line)
    }

    /// The line of the id whose hash is `key`, if it was read.
    public mutating func line(of key: UInt64) -> Int32? {
        if table == nil { buildTable() }
        return table![key]
    }

    private mutating func buildTable() {
        var t = HashedIdMap(capacity: max(4096, keys.count * 2))
        for (k, l) in zip(keys, lines) { t.insert(k, l) }
        table = t
        keys = []
        lines = []
    }
}

/// A small cache, per reference column, of the ids found lately: a branch's references repeat (a
/// few units and officers, the rows of one case together), and a hit spares a probe of the large
/// tables of known ids. Direct-mapped by the id's hash; key 0 is never cached.
public struct RecentKeys: Sendable {
    private var slots: [UInt64]
    private static let perColumn = 1024

    public init(columns: Int) {
        slots = Array(repeating: 0, count: max(1, columns) * Self.perColumn)
    }

    @inline(__always)
    private func slot(_ column: Int, _ key: UInt64) -> Int {
        column &* Self.perColumn &+ Int(truncatingIfNeeded: (key ^ (key >> 29)) & UInt64(Self.perColumn - 1))
    }

    public func contains(_ key: UInt64, column: Int) -> Bool {
        key != 0 && slots[slot(column, key)] == key
    }

    public mutating func insert(_ key: UInt64, column: Int) {
        slots[slot(column, key)] = key
    }
}
