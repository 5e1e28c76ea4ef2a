/// The content hash of a record's canonical values, stored beside it so that a re-import can tell
/// an unchanged record without reading it back.
///
/// The values are hashed 8 bytes at a time (FxHash's rotate-xor-multiply step, a bijection of the
/// state for each word, then MurmurHash3's finalizer). The result is stored: it must never change
/// for the same values, which a test pins. Records stored before it carry the FNV-1a hash of
/// `legacy`, which a re-import still recognises.
public enum ContentHash {
    /// The hash of values in schema order.
    public static func of(_ values: [StoredValue?]) -> Int64 {
        var h = WordHasher()
        for v in values {
            switch v {
            case nil: addNull(&h)
            case .text(var s): s.withUTF8 { addText(UnsafeRawBufferPointer($0), &h) }
            case .int(let i): addInt(i, &h)
            case .real(let d): addReal(d, &h)
            }
        }
        return finish(h)
    }

    // The steps of `of`, one value each, for a writer that walks the values itself (and so hashes a
    // text from the bytes it copies anyway).

    @inlinable public static func addNull(_ h: inout WordHasher) { h.add(word: 0xA0) }

    @inlinable public static func addText(_ utf8: UnsafeRawBufferPointer, _ h: inout WordHasher) {
        h.add(word: 0xA1)
        h.add(bytes: utf8)
    }

    @inlinable public static func addInt(_ i: Int64, _ h: inout WordHasher) {
        h.add(word: 0xA2)
        h.add(word: UInt64(bitPattern: i))
    }

    @inlinable public static func addReal(_ d: Double, _ h: inout WordHasher) {
        h.add(word: 0xA3)
        h.add(word: d.bitPattern)
    }

    @inlinable public static func finish(_ h: WordHasher) -> Int64 { Int64(bitPattern: h.value) }

    /// The FNV-1a hash earlier versions stored (byte by byte, so several times slower).
    public static func legacy(_ values: [StoredValue?]) -> Int64 {
        var h = FNV1a()
        for v in values {
            switch v {
            case nil: h.add(byte: 0)
            case .text(let s):
                h.add(byte: 1)
                h.add(s)
            case .int(let i):
                h.add(byte: 2)
                h.add(word: UInt64(bitPattern: i))
            case .real(let d):
                h.add(byte: 3)
                h.add(word: d.bitPattern)
            }
            h.add(byte: 0x1F)
        }
        return Int64(bitPattern: h.value)
    }
}

/// A 64-bit hash of words and bytes, 8 bytes a step.
public struct WordHasher: Sendable {
    @usableFromInline var state: UInt64 = 0x243F_6A88_85A3_08D3

    @inlinable public init() {}

    @inlinable @inline(__always)
    public mutating func add(word w: UInt64) {
        state = ((state << 5) | (state >> 59) ^ w) &* 0x517C_C1B7_2722_0A95
    }

    /// The bytes, then their length (so that no two byte strings leave the same words).
    @inlinable
    public mutating func add(bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            add(word: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        add(word: tail)
        add(word: UInt64(n))
    }

    public mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    @inlinable public var value: UInt64 {
        var k = state
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }
}
